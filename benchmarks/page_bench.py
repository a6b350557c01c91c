"""How fast the page is in headless Chromium: time to the first 100 digits, digits per second per backend, bytes sent.

Run from the repository root:

    .venv/bin/python benchmarks/page_bench.py [--exported DIR] [--loads 3] [--seconds 2]

It serves the page with pipeline.serve on a free loopback port, opens it in Debian's Chromium
(headless, fresh profile per load), and writes benchmarks/results/page_results.json plus a table.
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

from common import RESULTS, ROOT, machine, shipped_model  # noqa: E402

from harness.chromium import launch_chromium  # noqa: E402
from pipeline import serve  # noqa: E402

TARGET_FIRST_DRAW_MS = 1000
TARGET_RATE = 2000
BATCH = 100

# (label, URL parameters, cross-origin isolated). WASM twice, to see what COOP/COEP buys (the
# server's --isolate): without isolation TF.js runs its SIMD build on the page's thread; with it,
# the threaded build, whose pool TF.js sizes at half the cores (at most 4).
CONFIGS = [
    ("wasm", "backend=wasm", False),
    ("wasm, isolated", "backend=wasm", True),
    ("webgl", "backend=webgl", False),
    ("cpu", "backend=cpu", False),
    ("auto", "backend=auto", False),
]

WAIT_FOR_TUNING = (
    "() => new Promise((resolve) => { const t = setInterval(() => {"
    " if (ganDemo.tuning) { clearInterval(t); resolve(); } }, 50); })"
)
PAGE_RATE = """async (ms) => {
    await ganDemo.idle();
    const start = performance.now();
    let digits = 0;
    for (let i = 0; performance.now() - start < ms; i++) {
      const batch = await ganDemo.generate({seed: i});
      if (!batch) return null;  // an upscaler draws no grid: its rate is the model's alone
      digits += batch.count;
    }
    return digits * 1000 / (performance.now() - start);
  }"""


def visit(browser, url: str, seconds: float, repeat: bool) -> dict:
    """One visit in a fresh profile: first-draw time, bytes over the wire, then steady rates.

    repeat: also reload once in the same profile (cached scripts, wasm and model, revalidated).
    """
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        transferred = {"bytes": 0, "requests": 0}

        def finished(event):
            transferred["bytes"] += int(event.get("encodedDataLength", 0))
            transferred["requests"] += 1

        cdp.on("Network.loadingFinished", finished)
        page.goto(url)
        page.evaluate("() => ganDemo.ready")
        row = {
            "first_draw_ms": page.evaluate("() => ganDemo.timings.firstDraw"),
            "bytes": transferred["bytes"],
            "requests": transferred["requests"],
            "isolated": page.evaluate("() => crossOriginIsolated"),
        }
        if "backend=auto" in url:  # the automatic choice measures every backend first
            page.evaluate(WAIT_FOR_TUNING)
            row["tuning"] = page.evaluate("() => ganDemo.tuning")
        milliseconds = int(seconds * 1000)
        row["model_rate"] = page.evaluate(f"() => ganDemo.benchmark({{batch: {BATCH}, ms: {milliseconds}}})")
        row["page_rate"] = page.evaluate(PAGE_RATE, milliseconds)
        row["backend"] = page.evaluate("() => ganDemo.backend")
        row["backend_detail"] = page.inner_text("#backend-info").removeprefix("backend ")
        if repeat:
            page.reload()
            page.evaluate("() => ganDemo.ready")
            row["repeat_first_draw_ms"] = page.evaluate("() => ganDemo.timings.firstDraw")
        return row
    finally:
        context.close()


def _count(value) -> str:
    return "—" if value is None else f"{value:,}"


def summarize(label: str, query: str, visits: list[dict]) -> dict:
    """Medians over the visits of one configuration."""

    def median(key: str) -> float:
        return statistics.median(v[key] for v in visits)

    last = visits[-1]
    rates = [v["page_rate"] for v in visits]
    return {
        "config": label,
        "url_parameters": query,
        "backend_used": last["backend"],
        "backend_detail": last["backend_detail"],
        "cross_origin_isolated": last["isolated"],
        "first_draw_ms": {
            "median": round(median("first_draw_ms"), 1),
            "all": [round(v["first_draw_ms"], 1) for v in visits],
        },
        "first_draw_repeat_visit_ms": round(last["repeat_first_draw_ms"], 1),
        "digits_per_s_model": round(median("model_rate")),
        "digits_per_s_model_all": [round(v["model_rate"]) for v in visits],
        "digits_per_s_with_drawing": None if None in rates else round(statistics.median(rates)),
        "bytes_transferred": last["bytes"],
        "requests": last["requests"],
        **({"tuning": last["tuning"]} if "tuning" in last else {}),
    }


MODEL_KEYS = ("name", "variant", "latent_dim", "parameters", "model_bytes", "quantization")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--exported", type=Path, default=ROOT / "exported", help="exported root (index.json) to serve")
    parser.add_argument("--model", default=None, help="model of the index to measure (default: its first, the default)")
    parser.add_argument("--loads", type=int, default=3, help="cold visits per configuration (medians are reported)")
    parser.add_argument("--seconds", type=float, default=1.0, help="seconds of steady generation per visit")
    parser.add_argument("--out", type=Path, default=RESULTS / "page_results.json")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request

    entry, metadata = shipped_model(args.exported, args.model)
    servers = {
        isolated: serve.serve_in_thread(serve.create_app(exported_dir=args.exported, cross_origin_isolation=isolated))
        for isolated in (True, False)
    }
    load_before = os.getloadavg()
    started = time.monotonic()
    try:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            version = browser.version
            # Rounds over all configurations, so a burst of load on this shared machine hits them alike.
            visits: dict[str, list[dict]] = {label: [] for label, _, _ in CONFIGS}
            for round_index in range(args.loads):
                print(f"round {round_index + 1} of {args.loads}…", flush=True)
                for label, query, isolated in CONFIGS:
                    url = f"{servers[isolated][1]}/?model={entry['name']}&seed=1&digit=all&count={BATCH}&{query}"
                    visits[label].append(visit(browser, url, args.seconds, repeat=round_index == args.loads - 1))
            results = [summarize(label, query, visits[label]) for label, query, _ in CONFIGS]
            browser.close()
    finally:
        for server, _ in servers.values():
            server.shutdown()
            server.server_close()

    best = max(results, key=lambda r: r["digits_per_s_model"])
    default = next(r for r in results if r["config"] == "auto")  # what a visitor gets
    report = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python benchmarks/page_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "machine": {
            **machine(load_before, version),
            "gpu": "none (--disable-gpu; webgl runs on SwiftShader)",
        },
        "model": {
            k: metadata.get(k) for k in ("name", "variant", "latent_dim", "parameters", "model_bytes", "quantization")
        },
        "batch": BATCH,
        "results": results,
        "targets": {
            "first_100_digits_ms": TARGET_FIRST_DRAW_MS,
            "digits_per_s_best_backend": TARGET_RATE,
            "first_draw_default_page_ms": default["first_draw_ms"]["median"],
            "first_draw_met": default["first_draw_ms"]["median"] <= TARGET_FIRST_DRAW_MS,
            "rate_met": best["digits_per_s_model"] >= TARGET_RATE,
            "best_backend": best["config"],
        },
        "wall_time_s": round(time.monotonic() - started, 1),
    }
    args.out.write_text(json.dumps(report, indent=2) + "\n")

    header = (
        f"{'config':<22} {'backend':<26} {'first 100 (ms)':>15} {'repeat (ms)':>12} "
        f"{'digits/s':>10} {'+drawing':>10} {'bytes':>10}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        print(
            f"{r['config']:<22} {r['backend_detail'].removeprefix('backend ')[:26]:<26} "
            f"{r['first_draw_ms']['median']:>15.0f} {r['first_draw_repeat_visit_ms']:>12.0f} "
            f"{r['digits_per_s_model']:>10,} {_count(r['digits_per_s_with_drawing']):>10} {r['bytes_transferred']:>10,}"
        )
    print(
        f"\ntargets: first 100 digits <= {TARGET_FIRST_DRAW_MS} ms on the default page (auto): "
        f"{default['first_draw_ms']['median']:.0f} ms, {'met' if report['targets']['first_draw_met'] else 'MISSED'}"
        f"; >= {TARGET_RATE:,} digits/s on the best backend ({best['config']}): "
        f"{'met' if report['targets']['rate_met'] else 'MISSED'}"
        f"\nload average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after, on {os.cpu_count()} CPUs; "
        f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
