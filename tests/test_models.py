"""Model builders: shapes, value ranges, and only layers that TF.js can load."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline import models
from pipeline.assemble import build_gan
from pipeline.config import ModelConfig, TrainConfig
from pipeline.variants import VARIANTS

# The variants whose pair pipeline.models builds; lapgan and srgan build their own (test_lapgan.py, test_srgan.py).
PAIRS = ("cgan", "dcgan", "mlp")

# Layer classes the TF.js layers runtime (4.22) deserialises; anything else would break the page.
TFJS_LAYERS = {
    "InputLayer",
    "Dense",
    "BatchNormalization",
    "LeakyReLU",
    "Reshape",
    "Concatenate",
    "Conv2DTranspose",
    "Conv2D",
    "Flatten",
    "Dropout",
    "Dot",
    "Add",
    "Activation",
    "UpSampling2D",
}


def inputs_for(config: ModelConfig, batch: int):
    rng = np.random.default_rng(0)
    noise = rng.standard_normal((batch, config.latent_dim)).astype(np.float32) * 3  # wide: tails too
    if not config.conditional:
        return noise, None
    return noise, np.eye(10, dtype=np.float32)[rng.integers(0, 10, batch)]


@pytest.mark.parametrize("variant", PAIRS)
def test_generator_makes_28x28_images_in_tanh_range(variant):
    config = ModelConfig(variant=variant, latent_dim=16)
    generator, _ = models.pair(config)
    noise, labels = inputs_for(config, 8)
    images = generator([noise, labels] if labels is not None else noise, training=False).numpy()
    assert images.shape == (8, 28, 28, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    assert images.std() > 0  # not a constant output
    assert [tuple(i.shape) for i in generator.inputs] == (
        [(None, 16), (None, 10)] if config.conditional else [(None, 16)]
    )


@pytest.mark.parametrize("variant", PAIRS)
def test_discriminator_gives_one_logit_per_image(variant):
    config = ModelConfig(variant=variant, latent_dim=16)
    _, discriminator = models.pair(config)
    images = np.random.default_rng(1).uniform(-1, 1, (5, 28, 28, 1)).astype(np.float32)
    _, labels = inputs_for(config, 5)
    logits = discriminator([images, labels] if labels is not None else images, training=False).numpy()
    assert logits.shape == (5, 1) and np.isfinite(logits).all()


def test_conditional_discriminator_depends_on_the_label():
    _, discriminator = models.pair(ModelConfig(variant="cgan"))
    images = np.random.default_rng(2).uniform(-1, 1, (10, 28, 28, 1)).astype(np.float32)
    eye = np.eye(10, dtype=np.float32)
    a = discriminator([images, eye], training=False).numpy()
    b = discriminator([images, eye[::-1]], training=False).numpy()
    assert np.abs(a - b).max() > 1e-4


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_what_ships_uses_only_layers_tfjs_supports(variant):
    """The generator and the discriminator the page loads, flat: no nested models, no Lambda."""
    gan = build_gan(ModelConfig(variant=variant), TrainConfig())
    for model in filter(None, (gan.ema_generator, gan.shipped_discriminator())):
        used = {layer.__class__.__name__ for layer in model.layers}
        assert used <= TFJS_LAYERS, used - TFJS_LAYERS


def test_classic_mlp_matches_the_keras_example_recipe():
    generator, discriminator = models.pair(ModelConfig(variant="mlp", latent_dim=100))
    dense = [layer.units for layer in generator.layers if layer.__class__.__name__ == "Dense"]
    assert dense == [256, 512, 1024, 784]
    dense = [layer.units for layer in discriminator.layers if layer.__class__.__name__ == "Dense"]
    assert dense == [512, 256, 1]


def test_unknown_variant_is_rejected():
    with pytest.raises(ValueError, match="unknown model variant"):
        models.pair(ModelConfig(variant="foo"))
