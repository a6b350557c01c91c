"""Size against quality of the quantized exports: float32, float16 and uint8 weights, judged alike.

Restores the shipped generator (the weight average) from a build's last checkpoint, exports it
with each quantization through the real converter, reloads each with the tensorflowjs loader
and evaluates it with the same judge, the same noise and the same held-out digits. The smallest
export whose FID is within 5% of the float32 one is the one to ship. Writes
benchmarks/results/quantize_results.json and prints a Markdown table.

    .venv/bin/python benchmarks/quantize_bench.py [--run-dir benchmarks/runs/default/run] [--eval-data DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from common import RESULTS, ROOT  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--run-dir", type=Path, default=ROOT / "benchmarks" / "runs" / "default" / "run")
    parser.add_argument("--eval-data", type=Path, default=None, help="held-out digits (default: as the build)")
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args(argv)

    from pipeline import checkpoints, data, export
    from pipeline.judge import evaluate_generator, load_or_train_judge
    from pipeline.sampling import keras_generate_fn

    generator, model_config = checkpoints.restore_shipped_generator(args.run_dir)
    train_digits, heldout = data.load_training(None, args.eval_data)
    judge = load_or_train_judge(train_digits)
    rows = []
    for quantize in ("none", "float16", "uint8"):
        with tempfile.TemporaryDirectory() as folder:
            reloaded, differences = export.write_generator(
                generator,
                Path(folder),
                model_config,
                quantize,
                tolerance=float("inf"),  # measured, not enforced
            )
            size = sum(f.stat().st_size for f in Path(folder).iterdir())
            generate = keras_generate_fn(reloaded, model_config, seed=0)
            result = evaluate_generator(
                generate, model_config.num_classes, judge, train_digits, heldout, samples=args.samples
            )
        rows.append(
            {
                "quantization": quantize,
                "bytes": size,
                "max_abs_diff": differences[quantize if quantize != "none" else "float32"],
                **result["generated"],
            }
        )
        print(f"{quantize}: {size:,} bytes, FID {result['generated']['fid']:.3f}", flush=True)

    reference = rows[0]["fid"]
    eligible = [r for r in rows if r["fid"] <= reference * 1.05]
    choice = min(eligible, key=lambda r: r["bytes"])["quantization"]
    results = {
        "command": "python benchmarks/quantize_bench.py " + " ".join(argv or sys.argv[1:]),
        "date": time.strftime("%Y-%m-%d"),
        "checkpoint": str(checkpoints.Checkpoints(args.run_dir).latest()),
        "heldout": heldout.source,
        "rows": rows,
        "ship": choice,
    }
    (RESULTS / "quantize_results.json").write_text(json.dumps(results, indent=2) + "\n")
    print("\n| weights | bytes | max abs diff vs Keras | FID | FID vs float32 | confident | precision | recall |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['quantization']} | {r['bytes']:,} | {r['max_abs_diff']:.2e} | {r['fid']:.3f} "
            f"| {r['fid'] / reference - 1:+.1%} | {r['confident_fraction']:.3f} "
            f"| {r['precision']:.3f} | {r['recall']:.3f} |"
        )
    print(f"\nship: {choice} (smallest within 5% of the float32 FID)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
