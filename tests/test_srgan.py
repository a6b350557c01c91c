"""SRGAN: the upscaler's shapes, its warm start, and the bicubic baseline and scores it is measured with."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import srgan, superres
from pipeline.assemble import build_gan
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import downsample, to_model_range
from pipeline.metrics import psnr, ssim


def weights(model):
    return [w.numpy().copy() for w in model.trainable_weights]


@pytest.fixture
def batch(npm_digits):
    index = np.arange(0, 10_000, 625)
    return to_model_range(npm_digits.images[index]), np.eye(10, dtype=np.float32)[npm_digits.labels[index]]


@pytest.mark.parametrize("upsampling", srgan.UPSAMPLINGS)
def test_the_upscaler_maps_7x7_to_28x28_starting_from_the_blocky_digit(upsampling, batch):
    generator = srgan.srgan_generator(upsampling=upsampling)
    low_res = downsample(batch[0], 4)
    assert low_res.shape == (16, 7, 7, 1)
    upscaled = np.asarray(generator(low_res, training=False))
    assert upscaled.shape == (16, 28, 28, 1)
    # The global skip: output = input repeated 4x4 + what the network draws; zeroing the last conv leaves the first.
    detail = generator.get_layer("detail")
    detail.set_weights([np.zeros_like(w) for w in detail.get_weights()])
    blocky = np.repeat(np.repeat(low_res, 4, axis=1), 4, axis=2)
    np.testing.assert_allclose(generator(low_res, training=False), blocky, atol=1e-6)


def test_the_warm_start_trains_the_content_loss_alone(batch):
    """Until content_warmup of the steps, the discriminator stays put and the loss is the MSE alone."""
    gan = build_gan(ModelConfig(variant="srgan"), TrainConfig(content_warmup=0.5), steps_per_epoch=4)  # 2 warm steps
    assert gan.warmup_steps == int(4 * TrainConfig().epochs * 0.5)
    gan.warmup_steps = 2
    d_before = weights(gan.discriminator)
    for _ in range(2):
        logs = gan.train_step(batch)
        assert float(logs["g_loss"]) == pytest.approx(float(logs["content_loss"]), rel=1e-5)
    assert all(np.array_equal(a, b) for a, b in zip(d_before, weights(gan.discriminator)))
    gan.train_step(batch)  # the third step: adversarial
    assert any(not np.array_equal(a, b) for a, b in zip(d_before, weights(gan.discriminator)))


def test_bicubic_keeps_flat_images_and_matches_a_smooth_ramp_inside():
    flat = np.full((2, 7, 7, 1), 0.3, np.float32)
    np.testing.assert_allclose(superres.bicubic_upscale(flat), 0.3, atol=1e-6)
    # A linear ramp is reproduced exactly away from the clamped edges (Keys' cubic is exact on lines).
    ramp = np.tile(np.arange(7, dtype=np.float32), (7, 1))[None, ..., None]
    up = superres.bicubic_upscale(ramp)[0, :, :, 0]
    centres = (np.arange(28) + 0.5) / 4 - 0.5
    np.testing.assert_allclose(up[:, 8:20], np.tile(centres[8:20], (28, 1)), atol=1e-5)


def test_psnr_and_ssim_take_known_values():
    rng = np.random.default_rng(0)
    a = rng.uniform(0, 1, (3, 28, 28))
    assert np.all(np.isinf(psnr(a, a)))
    np.testing.assert_allclose(psnr(np.zeros((1, 28, 28)), np.full((1, 28, 28), 0.1)), 20.0)  # mse 0.01
    np.testing.assert_allclose(ssim(a, a), 1.0)
    assert np.all(ssim(a, rng.uniform(0, 1, (3, 28, 28))) < 0.2)  # unrelated noise
    assert np.all(ssim(a, 1.0 - a) < 0)  # inverted structure


def test_evaluate_upscaler_scores_a_perfect_and_a_blocky_upscaler(npm_digits):
    """The originals themselves score the ceiling; nearest-neighbour repetition scores below bicubic."""
    from tests.judging import own_judge

    judge = own_judge()
    heldout = npm_digits
    originals = to_model_range(heldout.images[:200])
    lookup = {low.tobytes(): original for low, original in zip(downsample(originals, 4), originals)}

    def perfect(low_res):
        return np.stack([lookup[low.tobytes()] for low in low_res])

    def blocky(low_res):
        return np.repeat(np.repeat(low_res, 4, axis=1), 4, axis=2)

    best = superres.evaluate_upscaler(perfect, judge, heldout, samples=200)
    assert best["upscaled"]["ssim"] == pytest.approx(1.0) and best["upscaled"]["psnr"] > 40
    assert best["upscaled"]["judge_accuracy"] == best["original"]["judge_accuracy"]
    worse = superres.evaluate_upscaler(blocky, judge, heldout, samples=200)
    assert worse["upscaled"]["psnr"] < worse["bicubic"]["psnr"]
