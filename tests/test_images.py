"""Folders of your own images (pipeline/images.py): real digits drawn large come back as MNIST made them."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from pipeline import build, data, images, options
from pipeline.cli import UsageError
from pipeline.config import ModelConfig
from pipeline.data import DataError
from tests.helpers import paths, run_build

# Saved as: (file suffix, Pillow format, Pillow mode); cycled over each class's images.
FORMATS = [
    (".png", "PNG", "L"),
    (".png", "PNG", "RGB"),
    (".jpg", "JPEG", "RGB"),
    (".gif", "GIF", "L"),
    (".bmp", "BMP", "RGB"),
    (".png", "PNG", "RGBA"),  # dark ink on a transparent background
]
# Subfolder name -> the digit drawn in it; labels follow the sorted names: one, seven, zero.
CLASSES = {"zero": 0, "one": 1, "seven": 7}


def draw(digit: np.ndarray, ink: str = "dark", size: tuple[int, int] = (64, 80)) -> Image.Image:
    """A 28x28 MNIST digit (255 = ink) drawn twice as large on a bigger, off-centre canvas."""
    large = np.asarray(Image.fromarray(digit).resize((56, 56), Image.BICUBIC))
    canvas = np.zeros(size[::-1], np.uint8)
    canvas[12:68, 4:60] = large
    return Image.fromarray(255 - canvas if ink == "dark" else canvas, "L")


def save(image: Image.Image, path: Path, pillow_format: str, mode: str) -> None:
    if mode == "RGBA":  # ink opaque, paper transparent
        alpha = Image.fromarray(255 - np.asarray(image))
        image = Image.merge("RGBA", (image, image, image, alpha))
    else:
        image = image.convert(mode)
    image.save(path, pillow_format, **({"quality": 95} if pillow_format == "JPEG" else {}))


def write_folder(folder: Path, originals: dict[str, np.ndarray], ink: str = "dark") -> Path:
    """One subfolder per class (or, for the key "", images directly in `folder`): 000.png, 001.jpg..."""
    for name, digits in originals.items():
        (folder / name).mkdir(parents=True, exist_ok=True)
        for i, digit in enumerate(digits):
            suffix, pillow_format, mode = FORMATS[i % len(FORMATS)]
            save(draw(digit, ink), folder / name / f"{i:03d}{suffix}", pillow_format, mode)
    return folder


def class_digits(npm_digits, per_class: int = 12) -> dict[str, np.ndarray]:
    return {name: npm_digits.images[npm_digits.labels == digit][:per_class] for name, digit in CLASSES.items()}


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    weights, index = image.astype(float), np.arange(image.shape[0])
    return (weights.sum(1) @ index) / weights.sum(), (weights.sum(0) @ index) / weights.sum()


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.flatnonzero(image.any(1)), np.flatnonzero(image.any(0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


@pytest.fixture(scope="module")
def labelled(tmp_path_factory, npm_digits):
    originals = class_digits(npm_digits)
    return write_folder(tmp_path_factory.mktemp("labelled"), originals), originals


def test_drawn_digits_come_back_as_mnist_made_them(labelled):
    folder, originals = labelled
    digits = data.load_path(folder, log=lambda m: None)
    assert digits.class_names == ("one", "seven", "zero")  # sorted, as image_dataset_from_directory sorts
    assert digits.num_classes == 3 and digits.images.shape == (36, 28, 28) and digits.images.dtype == np.uint8
    assert "3 classes: one, seven, zero" in digits.source and "36 images" in digits.source
    errors = []
    for label, name in enumerate(digits.class_names):
        made = digits.images[digits.labels == label]
        assert len(made) == 12
        for image, original in zip(made, originals[name]):
            errors.append(np.abs(image.astype(float) - original).mean())
            assert np.abs(np.array(centre_of_mass(image)) - 14.0).max() <= 0.5
            assert max(ink_box(image)) <= 20
    # Upscaling then refitting loses a little at the stroke edges: ~9 grey levels of 255 on average.
    assert np.mean(errors) < 14 and np.max(errors) < 40, (np.mean(errors), np.max(errors))


def test_an_image_folder_holds_out_a_tenth_of_each_class(labelled):
    folder, _ = labelled
    train, held = data.load_training(folder, log=lambda m: None)
    assert len(train) == 33 and len(held) == 3
    assert sorted(held.labels.tolist()) == [0, 1, 2]
    assert train.class_names == held.class_names == ("one", "seven", "zero")


def test_light_ink_on_dark_is_detected_and_either_way_gives_the_same_digit(tmp_path, npm_digits):
    digit = npm_digits.images[5]
    dark, light = draw(digit, "dark"), draw(digit, "light")
    grey_dark, grey_light = (np.asarray(image, np.float32) for image in (dark, light))
    assert images.dark_ink(grey_dark) and not images.dark_ink(grey_light)
    made_dark, made_light = images.to_digit(grey_dark, True), images.to_digit(grey_light, False)
    assert np.abs(made_dark.astype(int) - made_light).max() <= 1
    # A whole folder of each, auto-detected, and the explicit --ink that matches it.
    for ink in ("dark", "light"):
        folder = write_folder(tmp_path / ink, {"": npm_digits.images[:12]}, ink)
        auto = data.load_path(folder, log=lambda m: None)
        forced = data.load_path(folder, ink=ink, log=lambda m: None)
        assert np.array_equal(auto.images, forced.images)
        inverted = 12 if ink == "dark" else 0
        assert f"{inverted} dark on light (inverted), {12 - inverted} light on dark" in auto.source
        assert np.abs(auto.images[0].astype(float) - npm_digits.images[0]).mean() < 20


def test_unlabelled_folder_trains_an_unconditional_model(tmp_path, npm_digits):
    folder = write_folder(tmp_path / "mine", {"": npm_digits.images[:20]})
    digits = data.load_path(folder, log=lambda m: None)
    assert digits.class_names == () and digits.num_classes == 0 and not digits.labels.any()
    train, held = data.holdout_split(digits)
    assert (len(train), len(held)) == (18, 2)

    command = options.parse_command(["--data", str(folder)])
    assert command.config.model.variant == "dcgan" and command.config.model.num_classes == 0
    assert len(command.notes) == 1 and "dcgan" in command.notes[0]
    assert options.parse_command(["--data", str(folder), "--model", "mlp"]).config.model.variant == "mlp"
    with pytest.raises(UsageError, match="cannot train the conditional cgan") as error:
        options.parse_command(["--data", str(folder), "--model", "cgan"])
    assert "\n" not in str(error.value)
    # A labelled folder keeps the default, conditional variant and says nothing.
    assert options.parse_command(["--data", str(tmp_path)]).notes == ()


def test_a_bad_file_is_a_one_line_error_naming_it_or_skipped_and_counted(tmp_path, npm_digits, capsys):
    folder = write_folder(tmp_path / "data", class_digits(npm_digits))
    bad = folder / "one" / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a PNG")
    blank = folder / "zero" / "blank.bmp"
    Image.new("L", (40, 40), 255).save(blank)
    (folder / "zero" / "notes.txt").write_text("not an image: ignored, as Keras ignores it")
    with pytest.raises(DataError, match="broken.png: not a readable image") as error:
        data.load_path(folder, log=lambda m: None)
    assert str(bad) in str(error.value) and "\n" not in str(error.value) and "--skip-bad" in str(error.value)

    lines = []
    digits = data.load_path(folder, skip_bad=True, log=lines.append)
    assert len(digits) == 36
    assert len(lines) == 1 and lines[0].startswith("skipped 2 bad image files") and "\n" not in lines[0]

    # Through the command: exit 2, one line on stderr, nothing trained or written.
    out, run_dir = tmp_path / "out", tmp_path / "run"
    assert build.main([*paths(folder, out, run_dir), "--epochs", "1", "--batch-size", "32", "--no-eval"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "broken.png" in stderr
    assert not out.exists() and not run_dir.exists()


def test_one_class_or_too_few_images_is_refused_before_training(tmp_path, npm_digits, capsys):
    only = write_folder(tmp_path / "only", {"seven": npm_digits.images[:12]})
    with pytest.raises(DataError, match="only one class subfolder"):
        data.load_path(only, log=lambda m: None)

    few = class_digits(npm_digits)
    few["seven"] = few["seven"][:9]
    with pytest.raises(DataError, match="'seven'.*9 usable images; at least 10 per class"):
        data.load_path(write_folder(tmp_path / "few", few), log=lambda m: None)
    with pytest.raises(DataError, match="at least 10"):
        data.load_path(write_folder(tmp_path / "tiny", {"": npm_digits.images[:5]}), log=lambda m: None)

    # Enough per class, but fewer (33 after the held-out tenth) than one batch of 64.
    enough = write_folder(tmp_path / "enough", class_digits(npm_digits))
    out, run_dir = tmp_path / "out", tmp_path / "run"
    assert build.main([*paths(enough, out, run_dir), "--epochs", "1", "--batch-size", "64", "--no-eval"]) == 2
    stderr = capsys.readouterr().err
    assert stderr.count("\n") == 1 and "fewer than one batch of 64" in stderr
    assert not out.exists()


def test_ten_class_models_are_unchanged_and_the_class_count_follows_the_data():
    assert ModelConfig().num_classes == 10 and ModelConfig(variant="dcgan").num_classes == 0
    assert ModelConfig(variant="mlp", num_classes=3).num_classes == 0
    assert ModelConfig(**{"variant": "cgan", "latent_dim": 64}).num_classes == 10  # an older checkpoint's state


@pytest.mark.slow
def test_tiny_build_on_three_classes_exports_a_three_class_model(tmp_path, labelled):
    folder, _ = labelled
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    done = run_build(*paths(folder, out, run_dir), "--epochs", "1", "--batch-size", "32", "--no-eval")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "image folder" in done.stdout and "3 classes: one, seven, zero" in done.stdout
    metadata = json.loads((out / "metadata.json").read_text())
    assert metadata["variant"] == "cgan" and metadata["num_classes"] == 3
    assert metadata["class_names"] == ["one", "seven", "zero"]
    assert metadata["inputs"][1]["shape"] == [None, 3]
    assert metadata["training"]["train_images"] == 33
