"""The five GANs side by side: every MNIST model of exported/index.json scored on the same real
held-out digits by the same judge, with what each costs; writes benchmarks/results/zoo_results.json and
the table in BENCHMARKS.md between the zoo-table markers.

    python benchmarks/zoo.py                  # score, time the page, write results and table
    python benchmarks/zoo.py --table-only     # rewrite the table from zoo_results.json

Held-out digits: the real MNIST test set (10,000) from --eval-data (default ../shared/data/mnist-test
when present), else each build's own held-out split. The judge is the build's (trained on the
offline training digits, loaded from .cache/judge). Digits per second: benchmarks/page_bench.py
(auto backend, median of --loads cold visits) for each generator; run it alone on the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from common import RESULTS as RESULTS_DIR  # noqa: E402
from common import ROOT, evaluate_export  # noqa: E402

RESULTS = RESULTS_DIR / "zoo_results.json"
BENCHMARKS = ROOT / "BENCHMARKS.md"
SHARED_TEST = ROOT.parent / "shared" / "data" / "mnist-test"
MARKERS = ("<!-- zoo-table: written by benchmarks/zoo.py -->", "<!-- /zoo-table -->")
ORDER = ("mlp", "dcgan", "cgan", "lapgan", "srgan")


def page_rate(name: str, loads: int) -> float | None:
    """Median digits/s of the model in the page (auto backend), or None when the page bench cannot measure it."""
    out = RESULTS_DIR / "page" / f"{name}.json"
    out.parent.mkdir(exist_ok=True)
    command = [sys.executable, "benchmarks/page_bench.py", "--model", name, "--loads", str(loads), "--out", str(out)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        print(f"  page bench for {name} failed: {done.stderr.strip().splitlines()[-1:]}", flush=True)
        return None
    results = json.loads(out.read_text())["results"]
    return next(r for r in results if r["config"] == "auto")["digits_per_s_model"]


def cost(folder: Path) -> dict:
    from pipeline import export
    from pipeline.cost import multiply_adds

    model, metadata = export.load_exported(folder)
    return {
        "parameters": metadata["parameters"],
        "multiply_adds": multiply_adds(model),
        "bytes": metadata["model_bytes"],
    }


def measure(args) -> dict:
    index = json.loads((ROOT / "exported" / "index.json").read_text())
    names = [m["name"] for m in index["models"] if m["dataset"] == "mnist"]
    names.sort(key=lambda n: ORDER.index(n) if n in ORDER else len(ORDER))
    eval_data = args.eval_data if args.eval_data and args.eval_data.exists() else None
    rows = []
    for name in names:
        folder = ROOT / "exported" / name
        metadata = json.loads((folder / "metadata.json").read_text())
        print(f"{name}: scoring…", flush=True)
        row = {
            "name": name,
            "variant": metadata["variant"],
            "task": metadata.get("task", "generate"),
            "build_minutes": round(metadata["training"]["wall_time_s"] / 60, 1),
            "evaluation": evaluate_export(folder, eval_data=eval_data),
            **cost(folder),
        }
        if not args.no_page:
            print(f"{name}: timing in the page…", flush=True)
            row["digits_per_s"] = page_rate(name, args.loads)
        rows.append(row)
    return {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python benchmarks/zoo.py " + " ".join(sys.argv[1:]),
        "heldout": str(eval_data.relative_to(ROOT.parent)) if eval_data else "each build's held-out split",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "models": rows,
    }


def _f(value, digits=3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def table(results: dict) -> str:
    lines = [
        f"Scored on {results['heldout']} by the build's judge; `{results['command']}` ({results['created']}).",
        "",
        "| model | FID ↓ | IS-style ↑ | confident ↑ | precision ↑ | recall ↑ | label accuracy ↑ "
        "| PSNR dB ↑ | SSIM ↑ | judge accuracy ↑ | parameters | multiply-adds / digit | bytes | digits/s in the page |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["models"]:
        e = row["evaluation"]
        cells = [f"`{row['name']}`"]
        if row["task"] == "upscale":
            u, b = e["upscaled"], e["bicubic"]
            cells += ["—"] * 6
            cells += [
                f"{u['psnr']:.2f} (bicubic {b['psnr']:.2f})",
                f"{u['ssim']:.3f} (bicubic {b['ssim']:.3f})",
                f"{u['judge_accuracy']:.3f} (bicubic {b['judge_accuracy']:.3f}; originals "
                f"{e['original']['judge_accuracy']:.3f})",
            ]
        else:
            g = e["generated"]
            cells += [
                f"{g['fid']:.2f}",
                f"{g['inception_score']:.2f}",
                _f(g["confident_fraction"]),
                _f(g["precision"]),
                _f(g["recall"]),
                _f(g["label_accuracy"]),
                "—",
                "—",
                "—",
            ]
        rate = row.get("digits_per_s")
        cells += [f"{row['parameters']:,}", f"{row['multiply_adds'] / 1e6:.2f} M", f"{row['bytes'] / 1e6:.2f} MB"]
        cells += [f"{rate:,.0f}" if rate else "—"]
        lines.append("| " + " | ".join(cells) + " |")
    real = next((r["evaluation"]["real"] for r in results["models"] if r["task"] == "generate"), None)
    if real:
        lines += [
            "",
            f"Real-data floor on the same digits: FID {real['fid']:.2f}, IS-style {real['inception_score']:.2f}, "
            f"confident {real['confident_fraction']:.3f}, precision {real['precision']:.3f}, "
            f"recall {real['recall']:.3f}.",
        ]
    return "\n".join(lines)


def write_table(results: dict) -> None:
    text = BENCHMARKS.read_text()
    start, end = MARKERS
    block = f"{start}\n{table(results)}\n{end}"
    if start in text:
        head, rest = text.split(start, 1)
        text = head + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n## The five GANs side by side\n\n" + block + "\n"
    BENCHMARKS.write_text(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--eval-data", type=Path, default=SHARED_TEST, help="held-out digits (IDX folder)")
    parser.add_argument("--loads", type=int, default=3, help="cold page visits per model (median)")
    parser.add_argument("--no-page", action="store_true", help="skip the page timing")
    parser.add_argument("--table-only", action="store_true", help="rewrite the table from the results file")
    args = parser.parse_args(argv)
    if args.table_only:
        results = json.loads(RESULTS.read_text())
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        results = measure(args)
        RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    write_table(results)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
