"""One way for the benchmarks to score an export: `python -m pipeline.evaluate --json` in its own process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def evaluate_export(folder: Path, data: Path | None = None, eval_data: Path | None = None) -> dict:
    """The evaluation of the export in `folder` (pipeline.evaluate's JSON); exits with its error line if it fails."""
    command = [sys.executable, "-m", "pipeline.evaluate", "--exported", str(folder), "--json"]
    for flag, path in (("--data", data), ("--eval-data", eval_data)):
        if path is not None:
            command += [flag, str(path)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed: {done.stderr.strip().splitlines()[-1:]}")
    return json.loads(done.stdout)
