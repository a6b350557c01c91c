"""Time to the first 100 digits: the dev server against the static site, first visit, repeat visit and offline.

Run from the repository root:

    .venv/bin/python benchmarks/site_bench.py [--loads 5]

It writes the site of the shipped models with `python -m pipeline.site` into a temporary folder, serves it
under a two-level sub-path with Python's http.server (what `python -m http.server` runs), and the page
with pipeline.serve, then opens each in Debian's headless Chromium, on WASM with 100 digits:

- dev server, first visit: a fresh profile;
- site, first visit: a fresh profile;
- site, repeat visit: the same profile again, once the site's service worker is installed;
- site, offline: the same profile with the server stopped and the context offline.

The time is the page's own mark (ganDemo.timings.firstDraw: ms from navigation to the grid drawn).
Medians over --loads profiles go to benchmarks/results/site_results.json, with the machine's state.
"""

from __future__ import annotations

import argparse
import functools
import json
import logging
import os
import statistics
import sys
import tempfile
import threading
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import RESULTS, ROOT, machine, shipped_model  # noqa: E402

from harness.chromium import launch_chromium  # noqa: E402
from pipeline import serve, site  # noqa: E402

SUB_PATH = "/course/gan/"
QUERY = "?seed=1&digit=all&count=100&backend=wasm"
TARGET_REPEAT_MS = 300
ROWS = ("dev server, first visit", "site, first visit", "site, repeat visit", "site, offline")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def static_server(root: Path) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# The page's own marks (ms from navigation): its module starts, the model is built, the grid is drawn.
MARKS = ("start", "modelBuilt", "firstDraw")


def first_draw(page, url: str) -> dict[str, float]:
    page.goto(url)
    page.evaluate("() => ganDemo.ready")
    timings = page.evaluate("() => ganDemo.timings")
    return {mark: timings[mark] for mark in MARKS}


def site_visits(browser, root: Path) -> dict[str, dict[str, float]]:
    """First, repeat and offline visits of one fresh profile -> ms to the first grid for each."""
    server = static_server(root)
    url = f"http://127.0.0.1:{server.server_port}{SUB_PATH}{QUERY}"
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        times = {"site, first visit": first_draw(page, url)}
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.close()
        times["site, repeat visit"] = first_draw(context.new_page(), url)
        server.shutdown()
        server.server_close()
        context.set_offline(True)
        times["site, offline"] = first_draw(context.new_page(), url)
        return times
    finally:
        context.close()


def dev_visit(browser, base: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        return first_draw(context.new_page(), f"{base}/{QUERY}")
    finally:
        context.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--loads", type=int, default=5, help="fresh profiles per row (medians are reported)")
    parser.add_argument("--out", type=Path, default=RESULTS / "site_results.json")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    exported = ROOT / "exported"
    entry, _ = shipped_model(exported, None)
    load_before = os.getloadavg()
    samples: dict[str, list[dict[str, float]]] = {row: [] for row in ROWS}
    with tempfile.TemporaryDirectory() as scratch, sync_playwright() as playwright:
        root = Path(scratch)
        assert site.main([str(root / SUB_PATH.strip("/"))]) == 0
        app = serve.create_app(ROOT / "web", exported, serve.DEFAULT_VENDOR_DIR)
        dev, base = serve.serve_in_thread(app)
        serve_log = logging.getLogger("werkzeug")
        serve_log.setLevel(logging.WARNING)  # one line per request would bury the progress lines
        browser = launch_chromium(playwright)
        for load in range(args.loads):
            samples["dev server, first visit"].append(dev_visit(browser, base))
            for row, marks in site_visits(browser, root).items():
                samples[row].append(marks)
            shown = ", ".join(f"{row} {v[-1]['firstDraw']:.0f} ms" for row, v in samples.items())
            print(f"load {load + 1}/{args.loads}: {shown}")
        chromium = browser.version
        browser.close()
        dev.shutdown()
    results = {
        "measured": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": "benchmarks/site_bench.py " + " ".join(argv if argv is not None else sys.argv[1:]),
        "model": entry["name"],
        "url_parameters": QUERY,
        "target_repeat_visit_ms": TARGET_REPEAT_MS,
        "machine": machine(load_before, chromium),
        "rows": [
            {
                "visit": row,
                "first_100_digits_ms": {
                    "median": round(statistics.median(v["firstDraw"] for v in samples[row]), 1),
                    "all": [round(v["firstDraw"], 1) for v in samples[row]],
                },
                # Where the time goes: the page's module starting (HTML, TF.js parsed), the model built.
                "median_marks_ms": {mark: round(statistics.median(v[mark] for v in samples[row]), 1) for mark in MARKS},
            }
            for row in ROWS
        ],
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\n| visit | first 100 digits, median ms ({args.loads} profiles) | module starts | model built |")
    print("|---|---|---|---|")
    for row in results["rows"]:
        marks = row["median_marks_ms"]
        print(
            f"| {row['visit']} | {row['first_100_digits_ms']['median']:.0f} | {marks['start']:.0f} "
            f"| {marks['modelBuilt']:.0f} |"
        )
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
