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


@pytest.mark.parametrize("name", with_discriminator())
def test_the_page_scores_the_grid_as_keras_does(open_page, base_url, name):
    run = open_page(base_url + f"/?model={name}&seed=5&digit=all&count=20&backend=wasm")
    run.ready()
    run.page.click("#critic-panel > summary")
    run.page.wait_for_selector("#critic-grid figure")
    run.page.evaluate("() => ganDemo.idle()")
    view = run.page.evaluate("() => ganDemo.panels.critic")
    metadata = json.loads((COMMITTED_EXPORT / name / "metadata.json").read_text())
    classes = metadata["num_classes"]
    images = np.asarray(view["images"], np.float32).reshape(20, *metadata["image_shape"])
    expected = keras_scores(name, images, view["asked"], classes)
    assert np.abs(np.asarray(view["scores"]) - expected).max() <= PAGE_TOLERANCE
    assert len(run.page.query_selector_all("#critic-grid figure")) == 20
    if classes:
        # The most plausible class: the one whose score, digit by digit, is the highest of all ten.
        every = np.stack([keras_scores(name, images, [c] * 20, classes) for c in range(classes)], axis=1)
        assert view["plausible"] == every.argmax(axis=1).tolist()
        assert np.abs(np.asarray(view["plausibleScores"]) - every.max(axis=1)).max() <= PAGE_TOLERANCE
    # A new grid is scored again.
    run.page.click("#generate")
    run.page.evaluate("() => ganDemo.idle()")
    assert run.page.evaluate("() => ganDemo.panels.critic.images") != view["images"]
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
