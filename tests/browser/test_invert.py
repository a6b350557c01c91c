"""Finding digits in the generator (web/invert.js): closer than random draws, the right class, true gradients."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.browser

RANDOM_DRAWS = 100

# The gradient of the generator's pixels (weighted at random) with respect to its noise, through the
# page's layers (web/layers.js: sub-pixel convolutions, input gradients of their own), then through
# TF.js's own layer classes (each replaced layer's parent class's call), on the same weights.
GRADIENT_CHECK = """async () => {
  const { Generator } = await import('/generator.js');
  const metadata = ganDemo.metadata;
  const folder = new URL(ganDemo.state.model + '/', new URL('/exported/', location.href));
  const generator = new Generator(await tf.loadLayersModel(new URL(metadata.model_file, folder).href), metadata);
  const replaced = generator.model.layers.filter((layer) =>
    ['Conv2DTranspose', 'BatchNormalization', 'Dense', 'Conv2D'].includes(layer.constructor.className));
  const gradient = () => tf.tidy(() => {
    const labels = generator.oneHot(tf.tensor1d([1, 4, 7], 'int32'));
    const weights = tf.randomNormal([3, ...metadata.image_shape], 0, 1, 'float32', 8);
    const z = tf.randomNormal([3, metadata.latent_dim], 0, 1, 'float32', 7);
    return tf.grad((noise) => generator.apply(noise, labels).mul(weights).sum())(z);
  });
  const page = gradient();
  for (const layer of replaced) layer.call = Object.getPrototypeOf(Object.getPrototypeOf(layer)).call;
  const own = gradient();
  const result = [tf.max(tf.abs(page.sub(own))).dataSync()[0], tf.max(tf.abs(own)).dataSync()[0], replaced.length];
  tf.dispose([page, own]);
  generator.dispose();
  return result;
}"""


def generated(run, noise: np.ndarray, label: int) -> np.ndarray:
    """The page's digits for `noise` [n, latent] with `label` -> float [n, 28, 28] in [-1, 1]."""
    run.page.evaluate(
        "([noise, labels]) => ganDemo.generate({noise, labels})", [noise.ravel().tolist(), [label] * len(noise)]
    )
    return run.digits()[0] / 127.5 - 1.0


def test_the_search_beats_the_best_of_a_hundred_random_draws(open_page, base_url):
    run = open_page(base_url + "/?seed=1&digit=all&count=10&backend=wasm")
    run.ready()
    metadata = run.page.evaluate("() => ganDemo.metadata")
    if metadata["num_classes"] == 0:
        pytest.skip("unconditional model: the class search is a conditional model's")
    rng = np.random.default_rng(0)
    latent = metadata["latent_dim"]
    for label in (4, 9):
        target = generated(run, rng.standard_normal((1, latent)), label)[0]
        draws = generated(run, rng.standard_normal((RANDOM_DRAWS, latent)), label)
        best_random = float(((draws - target) ** 2).mean(axis=(1, 2)).min())
        for classes in ([label], None):  # the digit asked for, then the best of all ten
            options = {"seed": 5} | ({"classes": classes} if classes else {})
            found = run.page.evaluate(
                "([target, options]) => ganDemo.invert(target, options)", [target.ravel().tolist(), options]
            )
            image = generated(run, np.array([found["noise"]]), found["label"])[0]
            mse = float(((image - target) ** 2).mean())
            seen = f"digit {label}, classes {classes}: mse {mse:.4f} in {found['ms']:.0f} ms"
            print(f"{seen}; the best of {RANDOM_DRAWS} random draws: {best_random:.4f}")
            assert found["label"] == label
            assert mse < best_random / 2, (mse, best_random)
            assert found["mse"] == pytest.approx(mse, abs=2e-3)  # what the page reports is what it draws
    assert run.console_errors == []


def test_the_fast_layers_gradients_are_the_gradients(open_page, base_url):
    run = open_page(base_url + "/?seed=1&digit=all&count=10&backend=wasm")
    run.ready()
    if run.page.evaluate("() => ganDemo.metadata.num_classes") == 0:
        pytest.skip("the check feeds labels")
    difference, scale, replaced = run.page.evaluate(GRADIENT_CHECK)
    assert replaced >= 3  # the Dense, both batch normalisations and the transposed convolutions
    assert difference <= 1e-4 * scale, (difference, scale)


def test_lapgans_fast_layers_gradients_are_the_gradients(open_page, base_url):
    """LAPGAN's Conv2D layers (web/layers.js): the same gradient as TF.js's own classes, which need a kernel
    WASM lacks, so both are taken on the cpu backend here."""
    run = open_page(base_url + "/?model=lapgan&seed=1&digit=all&count=10&backend=cpu")
    run.ready()
    if run.page.evaluate("() => ganDemo.metadata.name") != "lapgan":
        pytest.skip("no lapgan in the index under test")
    difference, scale, replaced = run.page.evaluate(GRADIENT_CHECK)
    assert replaced >= 7  # its three levels' convolutions
    assert difference <= 1e-4 * scale, (difference, scale)


def test_find_works_on_lapgan_with_wasm(open_page, base_url):
    """TF.js's own Conv2D gradient needs Conv2DBackpropFilter, which WASM lacks; the page's needs convolutions."""
    run = open_page(base_url + "/?model=lapgan&seed=1&digit=all&count=10&backend=wasm")
    run.ready()
    if run.page.evaluate("() => ganDemo.metadata.name") != "lapgan":
        pytest.skip("no lapgan in the index under test")
    assert run.page.evaluate("() => ganDemo.backend") == "wasm"
    rng = np.random.default_rng(1)
    latent = run.page.evaluate("() => ganDemo.metadata.latent_dim")
    target = generated(run, rng.standard_normal((1, latent)), 3)[0]
    draws = generated(run, rng.standard_normal((RANDOM_DRAWS, latent)), 3)
    best_random = float(((draws - target) ** 2).mean(axis=(1, 2)).min())
    found = run.page.evaluate("(target) => ganDemo.invert(target, {seed: 5, classes: [3]})", target.ravel().tolist())
    print(f"lapgan, wasm: mse {found['mse']:.4f} in {found['ms']:.0f} ms; best random {best_random:.4f}")
    assert found["label"] == 3
    assert found["mse"] < best_random, (found["mse"], best_random)
    assert run.page.is_hidden("#error") and run.page.is_hidden("#draw-panel > .panel-error")
    assert run.console_errors == []
