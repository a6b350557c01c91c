"""Your own images: a folder of PNG/JPEG/GIF/BMP files -> Digits, each image made 28x28 the way MNIST was.

The layout is that of `keras.utils.image_dataset_from_directory`: one subfolder per class, named
after it (labels follow the sorted names), or no subfolders at all for an unlabelled set, which
only an unconditional model can learn (its labels are all 0 and it names no classes). The recipe
follows LeCun's description of MNIST: grayscale, ink bright on a dark background, the ink's
bounding box fitted into 20x20 preserving its aspect ratio with anti-aliased resampling, then
placed in a 28x28 field with its centre of mass at pixel (14, 14).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipeline.cli import one_line
from pipeline.digits import DataError, Digits

# What keras.utils.image_dataset_from_directory reads; other files are ignored, as it does.
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
# --ink: auto decides per image from its border; dark: dark ink on light paper; light: light on dark.
INK_CHOICES = ("auto", "dark", "light")
# Each class needs this many images (one is held out per ten), else training is refused.
MIN_IMAGES_PER_CLASS = 10
# The evaluation's judge (pipeline/judge.py) classifies into 10 classes, so no more than 10.
MAX_CLASSES = 10

FIELD = 28  # the MNIST image, in pixels
FIT_BOX = 20  # the ink's bounding box is scaled to fit this square
CENTRE = 14.0  # where the centre of mass lands, in pixel indices (MNIST's own mean is 14.0)
# After the background is subtracted and the strongest ink scaled to 1, weaker values are paper
# texture or compression noise: they neither count as ink nor survive.
NOISE_FLOOR = 0.1
# An image whose ink is not this much (of 255) brighter than its background is blank.
MIN_CONTRAST = 24.0


class BadImage(Exception):
    """One file that cannot become a digit: unreadable, or blank."""


def _visible(path: Path) -> bool:
    return not path.name.startswith(".")  # .DS_Store, .ipynb_checkpoints and the like


def _is_image(path: Path) -> bool:
    return path.is_file() and _visible(path) and path.suffix.lower() in IMAGE_EXTENSIONS


def class_folders(folder: Path) -> list[Path]:
    """The class subfolders, sorted by name as image_dataset_from_directory sorts them (label = index)."""
    return sorted((p for p in Path(folder).iterdir() if p.is_dir() and _visible(p)), key=lambda p: p.name)


def is_image_folder(folder: Path) -> bool:
    """A folder with no IDX files that holds image files or subfolders."""
    folder = Path(folder)
    if not folder.is_dir():
        return False
    entries = [p for p in folder.iterdir() if _visible(p)]
    if any(p.is_file() and "-idx" in p.name and "ubyte" in p.name for p in entries):
        return False
    return any(p.is_dir() or _is_image(p) for p in entries)


def is_labelled(folder: Path) -> bool:
    """An image folder with one subfolder per class (else its images sit directly in it)."""
    return bool(class_folders(folder))


def read_grey(path: Path) -> np.ndarray:
    """One image file, any size, mode or format -> float32 [H, W] grey levels 0..255 (transparent = white)."""
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as image:
            image.load()  # decodes now, so a truncated file fails here
            image = ImageOps.exif_transpose(image)  # a phone's JPEG as it is shown, not as it is stored
            if image.mode in ("I", "I;16", "I;16B", "I;16L", "I;16N", "F"):  # 16-bit or float greyscale
                grey = np.asarray(image, np.float32)
                return grey * (255.0 / 65535.0) if grey.max() > 255 else grey
            if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
                rgba = image.convert("RGBA")
                image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
            return np.asarray(image.convert("L"), np.float32)  # ITU-R 601-2 luma, like MNIST's grey levels
    except Exception as error:  # Pillow raises many types (OSError, SyntaxError, struct.error...) for bad files
        raise BadImage(f"not a readable image ({type(error).__name__}: {error})") from None


def dark_ink(grey: np.ndarray) -> bool:
    """Is the ink darker than the paper? Yes when the border's median is light."""
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    return float(np.median(border)) > 127.5


def to_digit(grey: np.ndarray, ink_is_dark: bool) -> np.ndarray:
    """float [H, W] grey 0..255 -> uint8 [28, 28], 255 = ink, made as MNIST was. Raises BadImage if blank."""
    from PIL import Image

    ink = 255.0 - grey if ink_is_dark else np.asarray(grey, np.float32)
    ink = ink - np.median(np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]]))  # background -> 0
    peak = float(ink.max())
    if peak < MIN_CONTRAST:
        raise BadImage("no ink: the image is blank")
    ink = np.clip(ink / peak, 0.0, 1.0)  # 0 = background, 1 = the strongest ink
    ink[ink < NOISE_FLOOR] = 0.0
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    patch = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]  # the ink's bounding box
    height, width = patch.shape
    scale = FIT_BOX / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    # Lanczos on float values: anti-aliased in both directions; clip its small overshoots.
    fitted = np.asarray(Image.fromarray(patch.astype(np.float32), "F").resize(size, Image.LANCZOS))
    fitted = np.rint(np.clip(fitted, 0, 1) * 255.0).astype(np.uint8)  # [h, w], h and w <= 20, 255 = ink
    mass = float(fitted.sum())
    if mass <= 0:
        raise BadImage("no ink: the image is blank")
    # A whole-pixel shift puts the centre of mass within half a pixel of (14, 14), keeping the ink
    # inside the field (only a very lopsided shape ends up off-centre).
    centre_y = (fitted.sum(axis=1) * np.arange(size[1])).sum() / mass
    centre_x = (fitted.sum(axis=0) * np.arange(size[0])).sum() / mass
    top = int(np.clip(round(CENTRE - centre_y), 0, FIELD - size[1]))
    left = int(np.clip(round(CENTRE - centre_x), 0, FIELD - size[0]))
    field = np.zeros((FIELD, FIELD), np.uint8)
    field[top : top + size[1], left : left + size[0]] = fitted
    return field


def _image_files(folder: Path) -> list[Path]:
    """Image files under a class folder, nested folders included (as Keras walks them), in sorted order."""
    found = (p for p in folder.rglob("*") if _is_image(p))
    return sorted(p for p in found if not any(part.startswith(".") for part in p.relative_to(folder).parts))


def load_folder(folder: Path, ink: str = "auto", skip_bad: bool = False, log=print) -> Digits:
    """A folder of images -> Digits (labels = index of the sorted class subfolder; none when unlabelled).

    ink: "auto" (per image: a light border means dark ink on light paper, which is inverted),
    "dark" or "light" for every image. A file that is not a readable image (or is blank) raises
    DataError naming it, or with `skip_bad` is left out and counted in one log line. Raises
    DataError for fewer than 2 or more than MAX_CLASSES classes, or fewer than
    MIN_IMAGES_PER_CLASS images in a class (or in an unlabelled folder).
    """
    if ink not in INK_CHOICES:
        raise ValueError(f"ink must be one of {INK_CHOICES}, not {ink!r}")
    folder = Path(folder)
    classes = class_folders(folder)
    if classes:
        names = tuple(p.name for p in classes)
        if len(names) < 2:
            raise DataError(
                f"{folder}: only one class subfolder ({names[0]}); a labelled folder needs at least 2 classes "
                "(for one class, put its images directly in the folder: it trains an unconditional model)"
            )
        if len(names) > MAX_CLASSES:
            raise DataError(f"{folder}: {len(names)} class subfolders; at most {MAX_CLASSES} classes are supported")
        files = [(path, label) for label, sub in enumerate(classes) for path in _image_files(sub)]
        loose = [p for p in folder.iterdir() if _is_image(p)]
        if loose:
            log(f"ignored {len(loose)} image files directly in {folder}: a labelled folder's go in class subfolders")
    else:
        names = ()
        files = [(path, 0) for path in sorted(p for p in folder.iterdir() if _is_image(p))]

    images, labels, bad, inverted = [], [], [], 0
    for path, label in files:
        try:
            grey = read_grey(path)
            is_dark = dark_ink(grey) if ink == "auto" else ink == "dark"
            images.append(to_digit(grey, is_dark))
        except BadImage as error:
            if not skip_bad:
                raise DataError(f"{path}: {error} (--skip-bad leaves such files out)") from None
            bad.append(f"{path.name}: {error}")
            continue
        labels.append(label)
        inverted += is_dark
    if bad:
        log(one_line(f"skipped {len(bad)} bad image files in {folder} (--skip-bad), e.g. {bad[0]}"))

    counts = np.bincount(np.asarray(labels, np.int64), minlength=max(1, len(names)))
    for label, count in enumerate(counts):
        if count < MIN_IMAGES_PER_CLASS:
            where = f"class {names[label]!r} ({classes[label]})" if names else str(folder)
            raise DataError(
                f"{where}: {count} usable images; at least {MIN_IMAGES_PER_CLASS} per class are needed to train"
            )
    kind = f"{len(names)} classes: {', '.join(names)}" if names else "unlabelled"
    ink_note = {"dark": "dark ink, inverted", "light": "light ink"}.get(ink) or (
        f"ink auto: {inverted} dark on light (inverted), {len(images) - inverted} light on dark"
    )
    return Digits(
        np.stack(images),
        np.asarray(labels, np.int64),
        f"image folder {folder} ({kind}; {len(images):,} images; {ink_note})",
        names,
    )
