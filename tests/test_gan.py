"""One training step of the GAN, phase by phase, for every variant."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow as tf
import tf_keras as keras

from pipeline.assemble import build_gan
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import to_model_range
from pipeline.gan import GAN, learning_rate
from pipeline.variants import VARIANTS


def weights(model):
    return [w.numpy().copy() for w in model.trainable_weights]


def changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


@pytest.fixture
def batch(npm_digits):
    index = np.arange(0, 10_000, 625)  # 16 real digits
    return to_model_range(npm_digits.images[index]), np.eye(10, dtype=np.float32)[npm_digits.labels[index]]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_train_step_gives_finite_losses_and_accuracies(variant, batch):
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig())
    logs = {k: float(v) for k, v in gan.train_step(batch).items()}
    extra = {"content_loss"} if variant == "srgan" else set()
    assert set(logs) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"} | extra
    assert all(np.isfinite(v) for v in logs.values())
    assert logs["d_loss"] > 0 and logs["g_loss"] > 0
    assert 0 <= logs["d_acc_real"] <= 1 and 0 <= logs["d_acc_fake"] <= 1


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_generator_phase_moves_only_the_generator(variant, batch):
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig())
    g_before, d_before = weights(gan.generator), weights(gan.discriminator)
    gan.generator_step(*batch)
    assert all(changed(g_before, weights(gan.generator)))
    assert not any(changed(d_before, weights(gan.discriminator)))


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_discriminator_phase_moves_only_the_discriminator(variant, batch):
    # content_warmup 0: SRGAN's discriminator trains from the first step (its warm start is tested apart).
    gan = build_gan(ModelConfig(variant=variant, latent_dim=16), TrainConfig(content_warmup=0.0), steps_per_epoch=10)
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


def test_mode_seeking_penalty_punishes_noise_that_changes_nothing():
    noise = tf.random.stateless_normal((8, 16), seed=(1, 2))
    same = tf.zeros((8, 28, 28, 1))  # every image alike: collapsed
    varied = tf.random.stateless_uniform((8, 28, 28, 1), seed=(3, 4), minval=-1.0, maxval=1.0)
    collapsed = float(GAN.mode_seeking_penalty(same, noise, 4))
    diverse = float(GAN.mode_seeking_penalty(varied, noise, 4))
    assert collapsed > 1e4  # 1 / (0 + 1e-5)
    assert 0 < diverse < 10  # images differ by ~0.67 per pixel, noise by ~1.1 per dimension


def test_mode_seeking_pairs_share_their_label_and_the_term_adds_to_the_loss(batch):
    config = ModelConfig(variant="cgan", latent_dim=16)
    plain = build_gan(config, TrainConfig(diversity_weight=0.0))
    seeking = build_gan(config, TrainConfig(diversity_weight=0.5))
    seeking.generator.set_weights(plain.generator.get_weights())
    seeking.discriminator.set_weights(plain.discriminator.get_weights())
    # Same seed, same noise; the only difference in the loss is the penalty (and the paired labels).
    loss_plain = float(np.mean(plain.generator_step(*batch)))
    loss_seeking = float(np.mean(seeking.generator_step(*batch)))
    assert loss_seeking > loss_plain + 0.5 * 1.0  # the penalty is above 1 for an untrained generator


def test_learning_rate_holds_then_falls_linearly_to_zero():
    schedule = learning_rate(2e-4, total_steps=1000, decay_start=0.5)
    rates = [float(schedule(step)) for step in (0, 499, 500, 750, 1000, 1200)]
    np.testing.assert_allclose(rates, [2e-4, 2e-4, 2e-4, 1e-4, 0.0, 0.0], atol=1e-9)
    constant = learning_rate(2e-4, 1000, 1.0)  # decay_start 1: constant
    assert [float(constant(step)) for step in (0, 1000)] == pytest.approx([2e-4, 2e-4])


def linear_critic_gan(r1_weight: float):
    """A GAN whose discriminator is linear, logit = <w, x> + 0.3: its input gradient is w everywhere."""
    image = keras.Input((28, 28, 1))
    linear = keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
    w = np.random.default_rng(0).normal(size=(784, 1)).astype(np.float32)
    linear.set_weights([w, np.array([0.3], np.float32)])
    generator = build_gan(ModelConfig(variant="dcgan", latent_dim=16), TrainConfig()).generator
    return GAN(generator, linear, latent_dim=16, r1_weight=r1_weight), w


def test_r1_penalty_is_half_gamma_times_the_squared_input_gradient():
    gan, w = linear_critic_gan(r1_weight=4.0)
    images = tf.random.stateless_uniform((5, 28, 28, 1), seed=(1, 1), minval=-1.0, maxval=1.0)
    logits, penalty = gan.logits_and_r1_penalty(images, None)
    np.testing.assert_allclose(logits.numpy(), images.numpy().reshape(5, 784) @ w + 0.3, rtol=1e-5, atol=1e-4)
    np.testing.assert_allclose(penalty.numpy(), np.full(5, 2.0 * np.sum(w**2)), rtol=1e-5)


def test_r1_penalty_joins_the_discriminator_loss_and_moves_only_the_discriminator(batch):
    gan, w = linear_critic_gan(r1_weight=4.0)
    gan.compile(d_optimizer=keras.optimizers.Adam(1e-3), g_optimizer=keras.optimizers.Adam(1e-3))
    g_before, d_before = weights(gan.generator), weights(gan.discriminator)
    loss_each, real_logits, fake_logits = gan.discriminator_step(*batch)
    extra = loss_each.numpy() - gan.real_fake_loss(real_logits, fake_logits).numpy()
    np.testing.assert_allclose(extra, np.full(16, 2.0 * np.sum(w**2)), rtol=1e-4)
    assert not any(changed(g_before, weights(gan.generator)))
    assert all(changed(d_before, weights(gan.discriminator)))
