"""One training step of the GAN, phase by phase, for every variant."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.config import VARIANTS, ModelConfig, TrainConfig
from pipeline.data import to_model_range
from pipeline.train import build_gan


def weights(model):
    return [w.numpy().copy() for w in model.trainable_weights]


def changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


@pytest.fixture
def batch(npm_digits):
    index = np.arange(0, 10_000, 625)  # 16 real digits
    return to_model_range(npm_digits.images[index]), np.eye(10, dtype=np.float32)[npm_digits.labels[index]]


@pytest.mark.parametrize("variant", VARIANTS)
def test_train_step_gives_finite_losses_and_accuracies(variant, batch):
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig())
    logs = {k: float(v) for k, v in gan.train_step(batch).items()}
    assert set(logs) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert all(np.isfinite(v) for v in logs.values())
    assert logs["d_loss"] > 0 and logs["g_loss"] > 0
    assert 0 <= logs["d_acc_real"] <= 1 and 0 <= logs["d_acc_fake"] <= 1


@pytest.mark.parametrize("variant", VARIANTS)
def test_generator_phase_moves_only_the_generator(variant, batch):
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig())
    g_before, d_before = weights(gan.generator), weights(gan.discriminator)
    gan.generator_step(16)
    assert all(changed(g_before, weights(gan.generator)))
    assert not any(changed(d_before, weights(gan.discriminator)))


@pytest.mark.parametrize("variant", VARIANTS)
def test_discriminator_phase_moves_only_the_discriminator(variant, batch):
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig())
    g_before, d_before = weights(gan.generator), weights(gan.discriminator)
    gan.discriminator_step(*batch)
    assert not any(changed(g_before, weights(gan.generator)))
    assert all(changed(d_before, weights(gan.discriminator)))


def test_conditional_fakes_cover_all_classes():
    gan = build_gan(ModelConfig(variant="cgan"), TrainConfig())
    noise, labels = gan.sample_inputs(2000)
    counts = labels.numpy().sum(axis=0)
    assert noise.shape == (2000, 64) and labels.shape == (2000, 10)
    assert counts.min() > 150  # uniform over 0..9: about 200 each


def test_noise_stream_is_seeded():
    a = build_gan(ModelConfig(variant="dcgan"), TrainConfig(seed=5)).sample_inputs(4)[0].numpy()
    b = build_gan(ModelConfig(variant="dcgan"), TrainConfig(seed=5)).sample_inputs(4)[0].numpy()
    c = build_gan(ModelConfig(variant="dcgan"), TrainConfig(seed=6)).sample_inputs(4)[0].numpy()
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_weight_average_follows_the_generator_and_ships(batch):
    gan = build_gan(ModelConfig(variant="cgan", latent_dim=16), TrainConfig())
    assert gan.ema_generator is not gan.generator
    start = gan.ema_generator.get_weights()
    for _ in range(30):
        gan.train_step(batch)
    raw, averaged = gan.generator.get_weights(), gan.ema_generator.get_weights()
    # The average moved from the initial weights towards the trained ones, but is not a copy.
    assert any(not np.array_equal(a, s) for a, s in zip(averaged, start))
    assert any(not np.allclose(a, r) for a, r in zip(averaged, raw))
    assert gan(gan.sample_inputs(4)).shape == (4, 28, 28, 1)  # calling the GAN runs the averaged generator
