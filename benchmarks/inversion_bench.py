"""How fast and how well the page finds a digit in the generator (web/invert.js), on TF.js's WASM backend.

Run from the repository root:

    .venv/bin/python benchmarks/inversion_bench.py [--exported DIR] [--model NAME] [--trials 10]

It serves the page with pipeline.serve on a free loopback port, opens it in Debian's Chromium
(headless, backend=wasm) and searches for `trials` target digits, each twice: as the class it was
drawn as, and as "best of all ten". Targets are digits the generator itself drew (an exact answer
exists) and, when ../shared/data/mnist-test is there, real MNIST test digits (as a drawing made
28x28 is). Each search is timed by the page (from the start of its queued task to the result) and
its digit is drawn again through the grid and compared with the target (mean squared error on
[-1, 1]), beside the best of 100 random draws of the same class. Writes
benchmarks/results/inversion_bench_results.json plus a table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from common import RESULTS, ROOT, machine, shipped_model  # noqa: E402

from harness.chromium import launch_chromium  # noqa: E402
from harness.tracing import mnist_test_digits  # noqa: E402
from pipeline import serve  # noqa: E402

TARGET_MS = 1000  # a search's result within a second of asking
RANDOM_DRAWS = 100
SETTINGS = "async () => (await import('/invert.js')).INVERT_SETTINGS"
READ_GRID = """() => Array.from(document.querySelectorAll('canvas.digit'),
    (canvas) => Array.from(canvas.getContext('2d').getImageData(0, 0, 28, 28).data))"""


def drawn(page, noise: np.ndarray, labels: list[int]) -> np.ndarray:
    """The page's digits for noise [n, latent] and labels -> float [n, 28, 28] in [-1, 1], read off the grid."""
    page.evaluate("([noise, labels]) => ganDemo.generate({noise, labels})", [noise.ravel().tolist(), labels])
    pixels = np.array(page.evaluate(READ_GRID), np.float32).reshape(-1, 28, 28, 4)[..., 0]
    return pixels / 127.5 - 1.0


def targets(page, latent: int, trials: int, rng) -> list[dict]:
    """Generated digits (classes 0, 1, ... in turn), then real MNIST test digits when present."""
    chosen = []
    for t in range(trials):
        label = t % 10
        chosen.append(
            {"kind": "generated", "label": label, "image": drawn(page, rng.standard_normal((1, latent)), [label])[0]}
        )
    mnist = mnist_test_digits()
    if mnist is not None:
        images, labels = mnist
        for image, label in zip(images[:trials], labels[:trials], strict=True):
            chosen.append({"kind": "real", "label": int(label), "image": image / 127.5 - 1.0})
    for target in chosen:
        draws = drawn(page, rng.standard_normal((RANDOM_DRAWS, latent)), [target["label"]] * RANDOM_DRAWS)
        target["best_random_mse"] = float(((draws - target["image"]) ** 2).mean(axis=(1, 2)).min())
    return chosen


def search(page, target: dict, classes: list[int] | None, seed: int) -> dict:
    """One search through the test hook -> {ms, wall_ms, label, mse (of the digit drawn again), reported_mse}."""
    options = {"seed": seed} | ({"classes": classes} if classes is not None else {})
    started = time.perf_counter()
    found = page.evaluate(
        "([target, options]) => ganDemo.invert(target, options)", [target["image"].ravel().tolist(), options]
    )
    wall_ms = (time.perf_counter() - started) * 1000
    image = drawn(page, np.array([found["noise"]]), [found["label"]])[0]
    return {
        "ms": round(found["ms"], 1),
        "wall_ms": round(wall_ms, 1),
        "label": found["label"],
        "mse": float(((image - target["image"]) ** 2).mean()),
        "reported_mse": found["mse"],
    }


def summarize(rows: list[dict], chosen: list[dict]) -> dict:
    """Timing and distance over one mode's searches, and per kind of target."""
    ms = [row["ms"] for row in rows]
    summary = {
        "ms": {"median": round(statistics.median(ms), 1), "max": round(max(ms), 1), "all": ms},
        "wall_ms_median": round(statistics.median(row["wall_ms"] for row in rows), 1),
    }
    for kind in ("generated", "real"):
        pairs = [(row, target) for row, target in zip(rows, chosen, strict=True) if target["kind"] == kind]
        if not pairs:
            continue
        ratios = [row["mse"] / target["best_random_mse"] for row, target in pairs]
        summary[kind] = {
            "targets": len(pairs),
            "mse_median": round(statistics.median(row["mse"] for row, _ in pairs), 5),
            "mse_max": round(max(row["mse"] for row, _ in pairs), 5),
            "best_of_100_random_mse_median": round(statistics.median(t["best_random_mse"] for _, t in pairs), 5),
            "mse_over_best_random_median": round(statistics.median(ratios), 4),
            "mse_over_best_random_max": round(max(ratios), 4),
            "closer_than_best_random": sum(ratio < 1 for ratio in ratios),
            "label_right": sum(row["label"] == target["label"] for row, target in pairs),
        }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exported", type=Path, default=ROOT / "exported", help="exported root (index.json) to serve")
    parser.add_argument("--model", default=None, help="model of the index (default: its first, the default)")
    parser.add_argument("--trials", type=int, default=10, help="targets of each kind")
    parser.add_argument("--out", type=Path, default=RESULTS / "inversion_bench_results.json")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    entry, metadata = shipped_model(args.exported, args.model)
    if metadata["num_classes"] == 0:
        print("error: the benchmark searches by class: pick a conditional model", file=sys.stderr)
        return 1
    server, url = serve.serve_in_thread(serve.create_app(exported_dir=args.exported))
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            context = browser.new_context(viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}/?model={entry['name']}&seed=1&digit=all&count=10&backend=wasm")
            page.evaluate("() => ganDemo.ready")
            backend = page.inner_text("#backend-info").removeprefix("backend ")
            settings = page.evaluate(SETTINGS)
            chosen = targets(page, metadata["latent_dim"], args.trials, np.random.default_rng(0))
            search(page, chosen[0], None, 0)  # warm-up: the panel's modules, the layers' gradient constants
            modes = {"chosen class": lambda target: [target["label"]], "best of all ten": lambda target: None}
            results = {
                mode: summarize([search(page, t, classes(t), seed + 1) for seed, t in enumerate(chosen)], chosen)
                for mode, classes in modes.items()
            }
            version = browser.version
            browser.close()
    finally:
        server.shutdown()
        server.server_close()

    worst = max(result["ms"]["max"] for result in results.values())
    report = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python benchmarks/inversion_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {
            **machine(load_before, version),
            "backend": backend,
        },
        "model": {k: metadata.get(k) for k in ("name", "variant", "latent_dim", "parameters", "quantization")},
        "settings": settings,
        "random_draws": RANDOM_DRAWS,
        "results": results,
        "targets": {
            "result_ms": TARGET_MS,
            "median_met": all(result["ms"]["median"] <= TARGET_MS for result in results.values()),
            "max_met": worst <= TARGET_MS,
        },
        "wall_time_s": round(time.monotonic() - started, 1),
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    header = (
        f"{'mode':<18} {'targets':<10} {'ms median':>10} {'ms max':>8} "
        f"{'mse median':>11} {'best of 100':>12} {'ratio max':>10} {'class':>6}"
    )
    print(header)
    print("-" * len(header))
    for mode, result in results.items():
        for kind in ("generated", "real"):
            if kind in result:
                row = result[kind]
                print(
                    f"{mode:<18} {kind:<10} {result['ms']['median']:>10.0f} {result['ms']['max']:>8.0f} "
                    f"{row['mse_median']:>11.4f} {row['best_of_100_random_mse_median']:>12.4f} "
                    f"{row['mse_over_best_random_max']:>10.3f} {row['label_right']:>3}/{row['targets']}"
                )
    verdicts = {key: "met" if met else "MISSED" for key, met in report["targets"].items() if key.endswith("_met")}
    print(
        f"\ntarget: a result within {TARGET_MS} ms on {backend}: median {verdicts['median_met']}, "
        f"max {verdicts['max_met']}\nload average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, "
        f"on {os.cpu_count()} CPUs; wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
