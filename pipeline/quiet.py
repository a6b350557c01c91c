"""Keeps TensorFlow's C++ log lines and library warnings out of a command's output (unless --verbose)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import sys
import threading
import warnings
from collections.abc import Iterator

# Python warnings the libraries print on every build and that say nothing about this run.
NOISY_WARNINGS = (
    # tensorflowjs converts through a legacy HDF5 file; that is its business, not the user's.
    r"You are saving your model as an HDF5 file",
)

# Lines TensorFlow's C++ code writes straight to file descriptor 2, past every Python setting:
# absl's format ("E0000 00:00:1796031667.792635    9877 meta_optimizer.cc:967] remapper failed..."),
# TSL's ("2026-11-30 09:36:46.345068: E external/.../cuda_fft.cc:467] Unable to register cuFFT..."),
# absl's notice before its own initialisation, and the CPU-feature notice's second line. Fatal (F)
# lines pass: they explain a crash.
CPP_LOG_LINE = re.compile(
    rb"^(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] "
    rb"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWE] [\w./-]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called"
    rb"|To enable the following instructions: )"
)


def _forward(source: int, target: int) -> None:
    """Copy lines from the pipe `source` to `target`, less TensorFlow's C++ log lines, until EOF."""
    pending = b""
    while chunk := os.read(source, 65536):
        *lines, pending = (pending + chunk).split(b"\n")
        _write(target, b"".join(line + b"\n" for line in lines if not CPP_LOG_LINE.match(line)))
    if not CPP_LOG_LINE.match(pending):
        _write(target, pending)
    os.close(source)


def _write(target: int, data: bytes) -> None:
    try:
        while data:
            data = data[os.write(target, data) :]
    except OSError:  # stderr closed: keep draining the pipe so that writers never block
        pass


@contextlib.contextmanager
def _filtered_stderr() -> Iterator[None]:
    """File descriptor 2 through a pipe whose reader drops C++ log lines; everything else passes."""
    sys.stderr.flush()
    saved = os.dup(2)
    read_end, write_end = os.pipe()
    forwarder = threading.Thread(target=_forward, args=(read_end, saved), name="stderr-filter", daemon=True)
    forwarder.start()
    os.dup2(write_end, 2)
    os.close(write_end)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)  # the pipe's last writer is gone: the forwarder reads to EOF and ends
        forwarder.join(timeout=10)
        os.close(saved)


@contextlib.contextmanager
def quiet_tensorflow(verbose: bool = False) -> Iterator[None]:
    """Within: TensorFlow says nothing unless something fails in Python; enter before TensorFlow is imported.

    TF_CPP_MIN_LOG_LEVEL=3 and the `tensorflow`/`absl` Python loggers at ERROR ("compiled metrics
    have yet to be built"), the HDF5 UserWarning filtered, and stderr filtered at the descriptor:
    TensorFlow's CUDA plugins and grappler log through absl ("Unable to register cuDNN factory",
    "remapper failed"), which reads no environment variable. With `verbose`, all of it shows.
    """
    # tensorflowjs imports TF Decision Forests, whose banner otherwise needs IPython off a terminal.
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")
    if verbose:
        yield
        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    for name in ("tensorflow", "absl"):
        logging.getLogger(name).setLevel(logging.ERROR)
    with warnings.catch_warnings(), _filtered_stderr():
        for message in NOISY_WARNINGS:
            warnings.filterwarnings("ignore", message=message, category=UserWarning)
        yield
