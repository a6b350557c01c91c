"""What the benchmarks share: where they write (results/, logs/), how they score an export, the model a page
benchmark measures, and the machine a result was measured on. Imported as `from common import ...` by the
scripts beside it (each run as `.venv/bin/python benchmarks/<script>.py` from the repository root)."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `pipeline` and `harness` for the scripts, run from anywhere
    sys.path.insert(0, str(ROOT))

from harness.chromium import chromium_missing  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"  # what the scripts measured: JSON files BENCHMARKS.md quotes
LOGS = ROOT / "benchmarks" / "logs"  # what their builds printed; logs/builds/ holds the shipped models' builds


def evaluate_export(folder: Path, data: Path | None = None, eval_data: Path | None = None) -> dict:
    """The evaluation of the export in `folder` (`python -m pipeline.evaluate --json`, in its own process);
    exits with its error line if it fails."""
    command = [sys.executable, "-m", "pipeline.evaluate", "--exported", str(folder), "--json"]
    for flag, path in (("--data", data), ("--eval-data", eval_data)):
        if path is not None:
            command += [flag, str(path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)


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
