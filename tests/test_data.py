"""The data sources: IDX folders and npz files written here, corrupt files, the offline npm digits."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from pipeline import data
from tests.helpers import write_idx


@pytest.fixture
def digits(npm_digits):
    return npm_digits.take(np.arange(0, 10_000, 50))  # 200 real digits, 20 per class


@pytest.mark.parametrize("compress", [False, True])
def test_idx_folder_round_trips(tmp_path, digits, compress):
    suffix = ".gz" if compress else ""
    write_idx(tmp_path / f"train-images-idx3-ubyte{suffix}", digits.images, compress)
    write_idx(tmp_path / f"train-labels-idx1-ubyte{suffix}", digits.labels, compress)
    loaded = data.load_path(tmp_path)
    np.testing.assert_array_equal(loaded.images, digits.images)
    np.testing.assert_array_equal(loaded.labels, digits.labels)
    assert "200 images" in loaded.source


def test_idx_folder_prefers_train_files_and_test_split_prefers_t10k(tmp_path, digits):
    write_idx(tmp_path / "train-images-idx3-ubyte", digits.images[:150])
    write_idx(tmp_path / "train-labels-idx1-ubyte", digits.labels[:150])
    write_idx(tmp_path / "t10k-images-idx3-ubyte", digits.images[150:])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", digits.labels[150:])
    assert len(data.load_path(tmp_path, "train")) == 150
    assert len(data.load_path(tmp_path, "test")) == 50


def test_npz_round_trips_and_accepts_unit_floats(tmp_path, digits):
    path = tmp_path / "mnist.npz"
    np.savez(path, x_train=digits.images / 255.0, y_train=digits.labels)
    loaded = data.load_path(path)
    np.testing.assert_array_equal(loaded.images, digits.images)
    assert loaded.images.dtype == np.uint8


def test_model_range_and_back(digits):
    values = data.to_model_range(digits.images)
    assert values.shape == (200, 28, 28, 1) and values.dtype == np.float32
    assert values.min() == -1.0 and values.max() == 1.0
    np.testing.assert_array_equal(data.to_pixels(values[..., 0]), digits.images)


def test_npm_package_gives_ten_thousand_balanced_real_digits(npm_digits):
    assert npm_digits.images.shape == (10_000, 28, 28)
    counts = np.bincount(npm_digits.labels, minlength=10)
    assert counts.min() > 800 and counts.sum() == 10_000
    # Real strokes, not noise: most pixels are background, the rest dark-to-bright ink.
    assert 0.7 < (npm_digits.images == 0).mean() < 0.9


def test_holdout_split_is_disjoint_balanced_and_fixed(npm_digits):
    train, held = data.holdout_split(npm_digits)
    again, held_again = data.holdout_split(npm_digits)
    assert len(train) + len(held) == 10_000
    assert 950 <= len(held) <= 1050
    np.testing.assert_array_equal(held.images, held_again.images)
    assert np.bincount(held.labels).min() >= 85
    held_rows = {row.tobytes() for row in held.images}
    assert not any(row.tobytes() in held_rows for row in train.images[:2000])


def test_explicit_eval_path_keeps_the_whole_training_source(tmp_path, small_npz):
    train, held = data.load_training(small_npz, eval_path=small_npz)
    assert len(train) == 320 and len(held) == 100


CORRUPTIONS = {
    "bad magic": lambda raw: b"\x00\x00\x09\x99" + raw[4:],
    "wrong size": lambda raw: raw[:-28],
    "too short": lambda raw: raw[:6],
    "truncated gzip": lambda raw: gzip.compress(raw)[:-100],
}


@pytest.mark.parametrize("name", sorted(CORRUPTIONS))
def test_corrupt_idx_is_one_line_error_naming_the_file(tmp_path, digits, name):
    images = write_idx(tmp_path / "train-images-idx3-ubyte", digits.images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", digits.labels)
    images.write_bytes(CORRUPTIONS[name](images.read_bytes()))
    with pytest.raises(data.DataError) as caught:
        data.load_path(tmp_path)
    message = str(caught.value)
    assert str(images) in message and "\n" not in message


def test_mismatched_label_count_is_an_error(tmp_path, digits):
    write_idx(tmp_path / "train-images-idx3-ubyte", digits.images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", digits.labels[:-1])
    with pytest.raises(data.DataError, match="199 images|labels of shape"):
        data.load_path(tmp_path)


@pytest.mark.parametrize(
    "content, expected",
    [(b"not a zip", "not a readable .npz"), (None, "no x_train/y_train")],
)
def test_bad_npz_is_an_error(tmp_path, content, expected):
    path = tmp_path / "mnist.npz"
    if content is None:
        np.savez(path, images=np.zeros((2, 28, 28)))
    else:
        path.write_bytes(content)
    with pytest.raises(data.DataError, match=expected):
        data.load_path(path)


def test_missing_sources_are_errors(tmp_path):
    with pytest.raises(data.DataError, match="no such file"):
        data.load_path(tmp_path / "nothing.npz")
    with pytest.raises(data.DataError, match="no \\*images-idx"):
        data.load_path(tmp_path)
    with pytest.raises(data.DataError, match="npm ci"):
        data.load_npm_package(tmp_path)


def test_a_source_with_its_own_test_split_uses_it_as_held_out(tmp_path, digits):
    write_idx(tmp_path / "train-images-idx3-ubyte", digits.images[:150])
    write_idx(tmp_path / "train-labels-idx1-ubyte", digits.labels[:150])
    write_idx(tmp_path / "t10k-images-idx3-ubyte", digits.images[150:])
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", digits.labels[150:])
    train, held = data.load_training(tmp_path)
    assert (len(train), len(held)) == (150, 50)
    only_train = tmp_path / "only"
    only_train.mkdir()
    write_idx(only_train / "train-images-idx3-ubyte", digits.images)
    write_idx(only_train / "train-labels-idx1-ubyte", digits.labels)
    train, held = data.load_training(only_train)
    assert (len(train), len(held)) == (180, 20)  # 10% held out
