"""Digits per CPU-minute: the default build against the classic Keras MLP GAN under the same wall budget.

Runs, one after the other on the same machine:
  1. `python -m pipeline.build` with no model flags (the default recipe), timed end to end;
  2. `python -m pipeline.build --model mlp --time-limit T`, T = the default's training time.
Both are evaluated by the build against the same held-out digits, and again here against
--eval-data (the real MNIST test set in CI) with `python -m pipeline.evaluate`. Writes
benchmarks/results/train_results.json and prints a Markdown table for BENCHMARKS.md.

    .venv/bin/python benchmarks/train_bench.py [--default-out exported] [--eval-data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from common import RESULTS, ROOT  # noqa: E402

HERE = ROOT / "benchmarks"
KEYS = ("fid", "inception_score", "confident_fraction", "classes_over_5pct", "precision", "recall", "label_accuracy")


def run(command: list[str], log_file: Path) -> float:
    """Run a command with its output to log_file (and a tail to the console); -> wall seconds."""
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    with open(log_file, "w") as log:
        done = subprocess.run(
            command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
        )
    wall = time.monotonic() - started
    if done.returncode:
        sys.exit(f"failed ({done.returncode}); see {log_file}")
    return wall


def evaluate(exported: Path, eval_data: Path | None, log_file: Path) -> dict | None:
    """`python -m pipeline.evaluate` on an export against eval_data; -> its JSON result."""
    if eval_data is None:
        return None
    command = [sys.executable, "-m", "pipeline.evaluate", "--exported", str(exported), "--eval-data", str(eval_data)]
    command.append("--json")  # stdout: the JSON result alone
    print("$", " ".join(command), flush=True)
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2")
    )
    log_file.write_text(done.stdout + done.stderr)
    if done.returncode:
        sys.exit(f"evaluation failed; see {log_file}")
    return json.loads(done.stdout)  # logs went to stderr


def row(name: str, metadata: dict, wall: float, real_test: dict | None) -> dict:
    training = metadata["training"]
    return {
        "name": name,
        "variant": metadata["variant"],
        "build_wall_s": round(wall, 1) if wall is not None else None,
        "train_wall_s": training["wall_time_s"],
        "epochs": training["epochs"],
        "images_seen": training["images_seen"],
        "images_per_second": training["images_per_second"],
        "model_bytes": metadata["model_bytes"],
        "heldout": metadata["evaluation"],
        "real_test": real_test,
    }


def table(rows: list[dict], which: str) -> str:
    lines = [
        "| model | train s | images/s | FID | floor FID | IS | confident | classes ≥5% "
        "| precision | recall | label acc |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        evaluation = r[which]
        if not evaluation:
            continue
        g, floor = evaluation["generated"], evaluation["real"]
        label = "—" if g.get("label_accuracy") is None else f"{g['label_accuracy']:.3f}"
        lines.append(
            f"| {r['name']} | {r['train_wall_s']:.0f} | {r['images_per_second']:.0f} "
            f"| {g['fid']:.2f} | {floor['fid']:.2f} "
            f"| {g['inception_score']:.2f} | {g['confident_fraction']:.3f} | {g['classes_over_5pct']} "
            f"| {g['precision']:.3f} | {g['recall']:.3f} | {label} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--default-out", type=Path, default=HERE / "runs" / "default" / "exported")
    parser.add_argument("--eval-data", type=Path, default=ROOT.parent / "shared" / "data" / "mnist-test")
    parser.add_argument("--reuse-default", action="store_true", help="take the default build from --default-out")
    args = parser.parse_args(argv)
    eval_data = args.eval_data if args.eval_data.exists() else None
    runs = HERE / "runs"  # checkpoints, logs and exports of the runs (not committed)
    runs.mkdir(parents=True, exist_ok=True)

    if args.reuse_default:  # the default build already ran (its output is in --default-out)
        default_wall = None
    else:
        command = [sys.executable, "-m", "pipeline.build", "--out", str(args.default_out)]
        default_wall = run(command + ["--run-dir", str(runs / "default" / "run")], runs / "default.log")
    default_meta = json.loads((args.default_out / "metadata.json").read_text())
    budget = default_meta["training"]["wall_time_s"]

    mlp_out = runs / "mlp" / "exported"
    mlp_out.parent.mkdir(parents=True, exist_ok=True)
    mlp_wall = run(
        [
            sys.executable,
            "-m",
            "pipeline.build",
            "--model",
            "mlp",
            "--epochs",
            "100000",
            "--time-limit",
            f"{budget:.0f}",
            "--out",
            str(mlp_out),
            "--run-dir",
            str(runs / "mlp" / "run"),
        ],
        runs / "mlp.log",
    )
    mlp_meta = json.loads((mlp_out / "metadata.json").read_text())

    rows = [
        row(
            f"default ({default_meta['variant']})",
            default_meta,
            default_wall,
            evaluate(args.default_out, eval_data, runs / "default-eval.log"),
        ),
        row("classic mlp, same budget", mlp_meta, mlp_wall, evaluate(mlp_out, eval_data, runs / "mlp-eval.log")),
    ]
    results = {
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, {platform.python_version()}",
        "command": "python benchmarks/train_bench.py " + " ".join(argv or sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d"),
        "budget_s": budget,
        "eval_data": str(eval_data) if eval_data else None,
        "rows": rows,
    }
    (RESULTS / "train_results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\nAgainst the build's held-out digits:\n" + table(rows, "heldout"))
    if eval_data:
        print("\nAgainst the real MNIST test set:\n" + table(rows, "real_test"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
