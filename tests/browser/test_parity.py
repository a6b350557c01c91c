"""The pixels the page draws are the Keras generator's output for the same noise, within one grey level."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.data import to_pixels

pytestmark = pytest.mark.browser


def keras_pixels(generator, noise: np.ndarray, labels: list[int] | None, num_classes: int) -> np.ndarray:
    """The reloaded Keras generator on the page's noise -> uint8 [N, 28, 28], as pipeline.data maps [-1, 1]."""
    inputs = [noise]
    if labels is not None:
        inputs.append(np.eye(num_classes, dtype=np.float32)[labels])
    return to_pixels(generator.predict(inputs, verbose=0))[..., 0]


@pytest.mark.parametrize("backend", ["wasm", "cpu", "webgl"])
def test_canvas_pixels_match_keras_for_the_same_noise(open_page, base_url, keras_generator, backend):
    run = open_page(f"{base_url}/?seed=2024&digit=all&count=20&backend={backend}")
    run.ready()
    used = run.page.evaluate("() => ganDemo.backend")
    if used != backend:
        pytest.skip(f"{backend} backend unavailable in this Chromium (the page fell back to {used})")
    batch = run.last_batch()
    latent_dim = run.page.evaluate("() => ganDemo.metadata.latent_dim")
    num_classes = run.page.evaluate("() => ganDemo.metadata.num_classes")
    noise = np.asarray(batch["noise"], np.float32).reshape(batch["count"], latent_dim)
    drawn, labels = run.digits()
    assert labels == batch["labels"]
    expected = keras_pixels(keras_generator, noise, labels, num_classes)
    difference = np.abs(drawn.astype(int) - expected.astype(int))
    assert difference.max() <= 1, f"{backend}: {np.count_nonzero(difference > 1)} pixels differ by more than 1"
    assert expected.std() > 0


def test_noise_is_standard_normal(open_page, base_url):
    """The seeded Box-Muller noise the page feeds the generator has the moments the model trained with."""
    run = open_page(f"{base_url}/?seed=9&digit=all&count=400&backend=wasm")
    run.ready()
    noise = np.asarray(run.last_batch()["noise"])
    assert noise.size >= 400 * 32
    assert abs(noise.mean()) < 0.02 and abs(noise.std() - 1) < 0.02
    assert 0.002 < np.mean(np.abs(noise) > 3) < 0.004  # Gaussian tails: 0.27 % beyond 3 sigma


def test_noise_and_labels_given_through_the_hook_match_keras(open_page, base_url, keras_generator):
    """ganDemo.generate({noise, labels}) draws exactly that batch: the path tests use to pin inputs."""
    run = open_page(f"{base_url}/?seed=1&count=10&backend=wasm")
    run.ready()
    latent_dim = run.page.evaluate("() => ganDemo.metadata.latent_dim")
    num_classes = run.page.evaluate("() => ganDemo.metadata.num_classes")
    noise = np.random.default_rng(5).standard_normal((5, latent_dim)).astype(np.float32)
    labels = [3, 1, 4, 1, 5] if num_classes else None
    run.page.evaluate("([noise, labels]) => ganDemo.generate({noise, labels})", [noise.ravel().tolist(), labels])
    drawn, drawn_labels = run.digits()
    assert drawn_labels == labels
    expected = keras_pixels(keras_generator, noise, labels, num_classes)
    assert np.abs(drawn.astype(int) - expected.astype(int)).max() <= 1
