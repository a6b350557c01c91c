"""Helpers the tests import: file writers and the CLI as a user runs it."""

from __future__ import annotations

import gzip
import os
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np

from pipeline.config import ROOT

SHARED_MNIST_TEST = ROOT.parent / "shared" / "data" / "mnist-test"


def write_idx(path: Path, array: np.ndarray, compress: bool = False) -> Path:
    """uint8 array -> an IDX file (magic 0x0803 for 3-d images, 0x0801 for 1-d labels)."""
    header = struct.pack(">I", 0x0800 | array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(np.uint8).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


def run_build(*args: str, timeout: float = 600, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    """`python -m pipeline.build ARGS` as a user runs it, from the repository root; `env` adds variables."""
    return subprocess.run(
        [sys.executable, "-m", "pipeline.build", *args],
        cwd=ROOT,
        env=_build_env(env),
        capture_output=True,
        text=True,
        timeout=timeout,
        **kwargs,
    )


def start_build(*args: str, env: dict | None = None, **kwargs) -> subprocess.Popen:
    """run_build's command started in the background, its stdout a pipe of text lines (stderr: as `kwargs` say)."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeline.build", *args],
        cwd=ROOT,
        env=_build_env(env),
        stdout=subprocess.PIPE,
        text=True,
        **kwargs,
    )


def _build_env(extra: dict | None) -> dict:
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", **(extra or {}))


def tiny_mlp(epochs: int) -> list[str]:
    """Flags of a small, fast build: the classic mlp, `epochs` passes in batches of 32, no evaluation."""
    return ["--no-eval", "--model", "mlp", "--epochs", str(epochs), "--batch-size", "32"]


def paths(data, out, run_dir) -> list[str]:
    """The three path flags every test build passes."""
    return ["--data", str(data), "--out", str(out), "--run-dir", str(run_dir)]
