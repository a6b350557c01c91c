"""Every command line refuses out-of-range values the same way: one line on stderr, exit 2, nothing done."""

from __future__ import annotations

import subprocess
import sys

import pytest

from pipeline.config import ROOT

# (command, arguments, the flag the one-line error must name). Each runs as a user runs it, so a
# value that slipped through would start serving or training (and time out) instead of failing.
CASES = [
    ("serve", ["--port", "99999"], "--port"),
    ("serve", ["--port", "-1"], "--port"),
    ("serve", ["--port", "abc"], "--port"),
    ("build", ["--epochs", "0"], "--epochs"),
    ("build", ["--batch-size", "1"], "--batch-size"),
    ("build", ["--seed", "-1"], "--seed"),
    ("build", ["--eval-samples", "5"], "--eval-samples"),
    ("build", ["--decay-start", "2"], "--decay-start"),
    ("build", ["--diversity-weight", "-0.1"], "--diversity-weight"),
    ("build", ["--r1", "-1"], "--r1"),
    ("build", ["--model", "srgan", "--r1", "1"], "--r1"),
    ("build", ["--time-limit", "nan"], "--time-limit"),
    ("build", ["--latent-dim", "0"], "--latent-dim"),
    ("evaluate", ["--samples", "0"], "--samples"),
    ("evaluate", ["--samples", "many"], "--samples"),
    ("sprite", ["--per-class", "0"], "--per-class"),
    ("sprite", ["--per-class", "many"], "--per-class"),
]


@pytest.mark.parametrize("command, arguments, flag", CASES, ids=[f"{c} {' '.join(a)}" for c, a, _ in CASES])
def test_out_of_range_values_are_one_line_and_status_2(command, arguments, flag, tmp_path, small_npz):
    where = {
        "serve": ["--exported", str(tmp_path / "exported")],
        "build": ["--data", str(small_npz), "--out", str(tmp_path / "exported"), "--run-dir", str(tmp_path / "run")],
        "evaluate": ["--exported", str(tmp_path / "exported"), "--data", str(small_npz)],
        "sprite": ["--out", str(tmp_path / "exported")],
    }[command]
    done = subprocess.run(
        [sys.executable, "-m", f"pipeline.{command}", *where, *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("error: ") and flag in lines[0], done.stderr[-2000:]
    assert done.stdout == ""
    assert not (tmp_path / "exported").exists() and not (tmp_path / "run").exists()
