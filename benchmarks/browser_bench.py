"""What the page benchmarks share: the model they measure, and the machine they measured it on."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

from tests.browser.chromium import chromium_missing


def shipped_model(exported: Path, name: str | None) -> tuple[dict, dict]:
    """(index entry, metadata) of model `name` of `exported`/index.json (None: the first, the default).

    Exits with a one-line error when Chromium is missing or the index has no such model."""
    missing = chromium_missing()
    if missing:
        raise SystemExit(f"error: {missing}")
    try:
        models = json.loads((exported / "index.json").read_text())["models"]
        entry = next(m for m in models if name in (None, m["name"]))
    except (OSError, ValueError, KeyError, StopIteration):
        raise SystemExit(f"error: no model {name or ''} in {exported}/index.json") from None
    return entry, json.loads((exported / entry["metadata"]).read_text())


def machine(load_before: tuple[float, float, float], chromium: str) -> dict:
    """The machine a result was measured on: load averages (1, 5, 15 min) before and now, Chromium's version."""
    return {
        "cpus": os.cpu_count(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "platform": platform.platform(),
        "chromium": chromium,
        "headless": True,
    }
