"""LAPGAN: the pyramid's arithmetic, the sampler's levels, and a train step that moves each level on its own loss."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf

from pipeline import lapgan
from pipeline.assemble import build_gan
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import to_model_range


@pytest.fixture(scope="module")
def gan():
    return build_gan(ModelConfig(variant="lapgan", latent_dim=16), TrainConfig(), steps_per_epoch=10)


def sampler_inputs(count: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal((count, 16)).astype(np.float32),
        np.eye(10, dtype=np.float32)[rng.integers(0, 10, count)],
        rng.standard_normal((count, 14, 14, 1)).astype(np.float32),
        rng.standard_normal((count, 28, 28, 1)).astype(np.float32),
    ]


def test_the_pyramid_of_a_digit_adds_back_up(npm_digits):
    """low-pass by 2x2 means, detail = digit - upsampled low-pass; every 2x2 block of detail sums to 0."""
    digits = tf.constant(to_model_range(npm_digits.images[:8]))
    low_14 = lapgan.downsample(digits)
    detail = digits - lapgan.upsample(low_14)
    assert low_14.shape == (8, 14, 14, 1)
    np.testing.assert_allclose(lapgan.upsample(low_14) + detail, digits, atol=1e-6)
    np.testing.assert_allclose(lapgan.downsample(detail), 0.0, atol=1e-6)
    # UpSampling2D, the layer the page runs, repeats pixels exactly as the training's upsample does.
    np.testing.assert_array_equal(tf.keras.layers.UpSampling2D(2)(low_14), lapgan.upsample(low_14))


def test_the_sampler_chains_the_levels_and_outputs_the_pyramid(gan):
    inputs = sampler_inputs(6)
    image, level_14, level_7 = (np.asarray(o) for o in gan.ema_generator(inputs, training=False))
    assert image.shape == (6, 28, 28, 1) and level_14.shape == (6, 14, 14, 1) and level_7.shape == (6, 7, 7, 1)
    assert np.abs(level_7).max() <= 1.0  # tanh
    # Each level is its coarser level, repeated 2x2, plus a detail drawn by that level's generator:
    # the same detail the level's training model draws from the same coarse image and noise.
    levels = gan.level_generators
    coarse_28 = np.repeat(np.repeat(level_14, 2, axis=1), 2, axis=2)
    np.testing.assert_allclose(levels[2]([coarse_28, inputs[3], inputs[1]], training=False), image, atol=1e-5)


def test_the_levels_are_independent_noise_inputs(gan):
    """Each noise input changes its own level and the finer ones, never a coarser one."""
    base = sampler_inputs(4)
    changed = list(base)
    changed[3] = base[3] + 1.0  # the 28x28 level's noise
    a = [np.asarray(o) for o in gan.generator(base, training=False)]
    b = [np.asarray(o) for o in gan.generator(changed, training=False)]
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(a[2], b[2])
    assert np.abs(a[0] - b[0]).max() > 1e-4


def test_the_discriminator_is_the_three_levels_and_the_28x28_one_ships(gan):
    assert gan.shipped_discriminator() is gan.level_discriminators[-1]
    assert gan.shipped_discriminator().inputs[0].shape[1:] == (28, 28, 1)
    shapes = [d.inputs[0].shape[1] for d in gan.level_discriminators]
    assert shapes == [7, 14, 28]
    weights = {w.ref() for d in gan.level_discriminators for w in d.trainable_weights}
    assert weights == {w.ref() for w in gan.discriminator.trainable_weights}  # the combined model holds exactly these


def test_the_metadata_names_the_outputs_the_sampler_has(gan):
    from pipeline import contract

    specs = contract.outputs_spec(ModelConfig(variant="lapgan"))
    assert [s["name"] for s in specs] == ["image", "level_14", "level_7"]
    assert [tuple(s["shape"][1:]) for s in specs] == [tuple(o.shape[1:]) for o in gan.ema_generator.outputs]
