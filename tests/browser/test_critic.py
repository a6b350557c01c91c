"""The discriminator in the page: its scores under the grid equal Keras's on the same digits."""

from __future__ import annotations

import json

import numpy as np
import pytest

from .conftest import COMMITTED_EXPORT

pytestmark = pytest.mark.browser

# TF.js in the page against Keras running the same shipped weights (reloaded by tensorflowjs) on the
# same images: only float32 arithmetic differs. What uint8 weights move compared with the trained
# float32 discriminator is each export's export_check (at most 0.15; 0.002 on the shipped cgan).
PAGE_TOLERANCE = 1e-3


def index_models() -> list[dict]:
    return json.loads((COMMITTED_EXPORT / "index.json").read_text())["models"]


def with_discriminator() -> list[str]:
    names = []
    for entry in index_models():
        metadata = json.loads((COMMITTED_EXPORT / entry["metadata"]).read_text())
        if metadata.get("discriminator"):
            names.append(entry["name"])
    return names


def keras_scores(name: str, images: np.ndarray, labels: list[int] | None, classes: int) -> np.ndarray:
    """sigmoid(logit) of the shipped discriminator reloaded in Keras by the tensorflowjs package."""
    import tensorflow as tf
    from tensorflowjs.converters import load_keras_model

    metadata = json.loads((COMMITTED_EXPORT / name / "metadata.json").read_text())
    model = load_keras_model(str(COMMITTED_EXPORT / name / metadata["discriminator"]["model_file"]))
    inputs = [images, np.eye(classes, dtype=np.float32)[labels]] if labels is not None else images
    return tf.sigmoid(model(inputs, training=False)).numpy().reshape(-1)


def sprite_digits() -> tuple[np.ndarray, list[int]]:
    """The page's real held-out digits (web/data/heldout-digits.*) -> ([N, 28, 28, 1] in 0..1, labels)."""
    from PIL import Image

    from pipeline.config import ROOT

    manifest = json.loads((ROOT / "web/data/heldout-digits.json").read_text())
    grey = np.asarray(Image.open(ROOT / "web/data" / manifest["image"]).convert("L"), np.float32) / 255
    tile, columns, count = manifest["tile"], manifest["columns"], manifest["count"]
    tiles = [grey[(k // columns) * tile :][:tile, (k % columns) * tile :][:, :tile] for k in range(count)]
    return np.stack(tiles)[..., None], manifest["labels"]


@pytest.mark.parametrize("name", with_discriminator())
def test_the_page_scores_the_grid_as_keras_does(open_page, base_url, name):
    run = open_page(base_url + f"/?model={name}&seed=5&digit=all&count=20&backend=wasm")
    run.ready()
    run.page.click("#critic-panel > summary")
    run.page.wait_for_selector("#critic-grid figure")
    run.page.evaluate("() => ganDemo.idle()")
    view = run.page.evaluate("() => ganDemo.features.critic")
    metadata = json.loads((COMMITTED_EXPORT / name / "metadata.json").read_text())
    classes = metadata["num_classes"]
    images = np.asarray(view["images"], np.float32).reshape(20, *metadata["image_shape"])
    expected = keras_scores(name, images, view["asked"], classes)
    assert np.abs(np.asarray(view["scores"]) - expected).max() <= PAGE_TOLERANCE
    assert len(run.page.query_selector_all("#critic-grid figure")) == 20
    captions = run.page.eval_on_selector_all("#critic-grid figcaption", "cells => cells.map(c => c.textContent)")
    # Each digit's score is how real it looks as the class it was asked for; no class is read off the
    # discriminator's scores (it is not a classifier).
    for caption, asked in zip(captions, view["asked"] or [None] * 20, strict=True):
        name_asked = "" if asked is None else metadata["class_names"][asked]
        article = "an" if name_asked[:1].lower() in tuple("aeiou8") else "a"  # "an 8", "an Ankle boot"
        named = "" if asked is None else f", as {article} {name_asked}"
        assert caption in {f"{p}% real{named}" for p in range(101)}, caption
    real = view["real"]
    if metadata["dataset"] == "mnist":
        # Real held-out digits beside the generated ones, each as its true class: something to compare with.
        sprite, labels = sprite_digits()
        low, high = metadata["output_range"]
        expected_real = keras_scores(name, low + sprite * (high - low), labels if classes else None, classes)
        assert real["count"] == len(labels) == 200
        assert np.abs(np.asarray(real["scores"]) - expected_real).max() <= PAGE_TOLERANCE
        assert f"{real['count']} real digits it never trained on" in run.page.inner_text("#critic-status")
    else:  # the page ships real MNIST digits only: it says why it cannot compare
        assert "mnist" in real["reason"] and "pick a mnist model" in real["reason"]
    # A new grid is scored again.
    run.page.click("#generate")
    run.page.evaluate("() => ganDemo.idle()")
    assert run.page.evaluate("() => ganDemo.features.critic.images") != view["images"]
    assert run.console_errors == []


def test_a_model_without_a_discriminator_hides_the_panel(open_page, base_url):
    names = {entry["name"] for entry in index_models()} - set(with_discriminator())
    if not names:
        pytest.skip("every model of the index ships a discriminator")
    run = open_page(base_url + f"/?model={sorted(names)[0]}&seed=1&backend=wasm")
    run.ready()
    assert run.page.is_hidden("#critic-panel")


def test_scoring_leaves_no_tensors_behind(open_page, base_url):
    if "cgan" not in with_discriminator():
        pytest.skip("no cgan with a discriminator in the index")
    run = open_page(base_url + "/?model=cgan&seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    run.page.click("#critic-panel > summary")
    run.page.wait_for_selector("#critic-grid figure")
    counts = []
    for _ in range(5):
        run.page.click("#generate")
        run.page.evaluate("() => ganDemo.idle()")
        counts.append(run.page.evaluate("() => ganDemo.memory().numTensors"))
    assert len(set(counts)) == 1, counts
