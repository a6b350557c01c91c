"""Pure model builders: one generator/discriminator pair per variant (mlp, dcgan, cgan).

Every generator maps noise [N, latent_dim] (standard normal), plus a one-hot label [N, 10] for
conditional variants, to images [N, 28, 28, 1] in [-1, 1]. Every discriminator maps an image (and
the same one-hot label when conditional) to one logit [N, 1]: the sigmoid of the classic recipes
is folded into the loss (from_logits=True), which is the same model and numerically safer.

Only layers that the TF.js layers converter and runtime support are used, built with tf-keras:
Keras 3 models converted by tensorflowjs 4.22 do not load in TF.js 4.22.
"""

from __future__ import annotations

import tf_keras as keras
from tf_keras import layers

from pipeline.config import IMAGE_SHAPE, ModelConfig, TrainConfig
from pipeline.gan import GAN

LEAK = 0.2


def _dense_block(x, units: int, name: str, batch_norm: bool = True):
    x = layers.Dense(units, use_bias=not batch_norm, name=f"{name}_dense")(x)
    if batch_norm:
        x = layers.BatchNormalization(momentum=0.8, name=f"{name}_bn")(x)
    return layers.LeakyReLU(LEAK, name=f"{name}_act")(x)


# ---------------------------------------------------------------- mlp: the classic Keras MNIST GAN


def mlp_generator(latent_dim: int) -> keras.Model:
    """noise [N, latent] -> Dense 256-512-1024 (LeakyReLU 0.2, BatchNorm) -> 784 tanh -> [N, 28, 28, 1]."""
    noise = keras.Input((latent_dim,), name="noise")
    x = noise
    for i, units in enumerate((256, 512, 1024)):
        x = layers.Dense(units, name=f"g{i}_dense")(x)
        x = layers.LeakyReLU(LEAK, name=f"g{i}_act")(x)
        x = layers.BatchNormalization(momentum=0.8, name=f"g{i}_bn")(x)
    x = layers.Dense(784, activation="tanh", name="g_out")(x)
    image = layers.Reshape(IMAGE_SHAPE, name="image")(x)
    return keras.Model(noise, image, name="generator")


def mlp_discriminator() -> keras.Model:
    """[N, 28, 28, 1] -> Dense 512-256 (LeakyReLU 0.2) -> logit [N, 1]."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    x = layers.Flatten()(image)
    x = _dense_block(x, 512, "d0", batch_norm=False)
    x = _dense_block(x, 256, "d1", batch_norm=False)
    logit = layers.Dense(1, name="logit")(x)
    return keras.Model(image, logit, name="discriminator")


# ---------------------------------------------------------------- dcgan: small deep convolutional GAN


def dcgan_generator(latent_dim: int) -> keras.Model:
    """noise -> Dense 7x7x64 -> ConvT 32 (14x14) -> ConvT 1 tanh (28x28); about 1.9 M multiply-adds."""
    noise = keras.Input((latent_dim,), name="noise")
    x = _dense_block(noise, 7 * 7 * 64, "g0")
    x = layers.Reshape((7, 7, 64))(x)
    x = layers.Conv2DTranspose(32, 4, strides=2, padding="same", use_bias=False, name="g1_convt")(x)
    x = layers.BatchNormalization(momentum=0.8, name="g1_bn")(x)
    x = layers.LeakyReLU(LEAK, name="g1_act")(x)
    image = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image")(x)
    return keras.Model(noise, image, name="generator")


def _conv_features(image, width: int):
    """[N, s, s, 1] -> Conv s2 (s/2 x s/2 x w) -> Conv s2 (s/4 x s/4 x 2w) -> Dense 4w [N, 4w]; s = 28 mostly."""
    x = layers.Conv2D(width, 4, strides=2, padding="same", name="d0_conv")(image)
    x = layers.LeakyReLU(LEAK, name="d0_act")(x)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", name="d1_conv")(x)
    x = layers.LeakyReLU(LEAK, name="d1_act")(x)
    x = layers.Flatten()(x)
    x = layers.Dropout(0.3)(x)
    return _dense_block(x, 4 * width, "d2", batch_norm=False)


def dcgan_discriminator(width: int = 32) -> keras.Model:
    """[N, 28, 28, 1] -> two stride-2 convs -> Dense -> logit [N, 1]."""
    image = keras.Input(IMAGE_SHAPE, name="image")
    logit = layers.Dense(1, name="logit")(_conv_features(image, width))
    return keras.Model(image, logit, name="discriminator")


# ---------------------------------------------------------------- cgan: class-conditional GAN


def cgan_generator(latent_dim: int, num_classes: int, width: int = 64) -> keras.Model:
    """[noise [N, latent], one-hot label [N, 10]] -> [N, 28, 28, 1] tanh.

    Dense 7x7xw -> ConvT w/2 (14x14) -> ConvT 1 tanh (28x28); w = 64: about 1.9 M multiply-adds
    per digit. The width is the largest the page affords: TF.js's WASM backend draws about
    2,700 digits/s with it (benchmarks/page_bench.py; the target is 2,000). In the recipe sweep
    (benchmarks/recipe_sweep.py) w = 64 beat 48, and 48 beat 32, on FID and recall with the
    same training, while a dense generator of 0.55 M multiply-adds drew far less varied digits
    (recall 0.04). A one-hot label input (not an Embedding) lets the page blend two labels for
    a smooth morph between digits.
    """
    noise = keras.Input((latent_dim,), name="noise")
    label = keras.Input((num_classes,), name="label")
    x = layers.Concatenate(name="noise_and_label")([noise, label])
    x = _dense_block(x, 7 * 7 * width, "g0")
    x = layers.Reshape((7, 7, width))(x)
    x = layers.Conv2DTranspose(width // 2, 4, strides=2, padding="same", use_bias=False, name="g1_convt")(x)
    x = layers.BatchNormalization(momentum=0.8, name="g1_bn")(x)
    x = layers.LeakyReLU(LEAK, name="g1_act")(x)
    image = layers.Conv2DTranspose(1, 4, strides=2, padding="same", activation="tanh", name="image")(x)
    return keras.Model([noise, label], image, name="generator")


def cgan_discriminator(num_classes: int, width: int = 32, size: int = 28, name: str = "discriminator") -> keras.Model:
    """[image [N, size, size, 1], one-hot label] -> logit [N, 1], a projection discriminator (Miyato & Koyama 2018).

    logit = psi(phi(x)) + <V y, phi(x)>: the label selects a direction in feature space that the
    image's features must point along, which conditions far more sharply than concatenation.
    """
    image = keras.Input((size, size, 1), name="image")
    label = keras.Input((num_classes,), name="label")
    features = _conv_features(image, width)  # [N, 4w]
    unconditional = layers.Dense(1, name="psi")(features)
    class_direction = layers.Dense(4 * width, use_bias=False, name="class_embedding")(label)
    projection = layers.Dot(axes=1, name="projection")([class_direction, features])
    logit = layers.Add(name="logit")([unconditional, projection])
    return keras.Model([image, label], logit, name=name)


# This module's variants (pipeline/variants.py): ModelConfig -> (generator, discriminator).
PAIRS = {
    "mlp": lambda config: (mlp_generator(config.latent_dim), mlp_discriminator()),
    "dcgan": lambda config: (dcgan_generator(config.latent_dim), dcgan_discriminator()),
    "cgan": lambda config: (
        cgan_generator(config.latent_dim, config.num_classes),
        cgan_discriminator(config.num_classes),
    ),
}


def pair(config: ModelConfig) -> tuple[keras.Model, keras.Model]:
    """ModelConfig of one of this module's variants -> (generator, discriminator)."""
    if config.variant not in PAIRS:
        raise ValueError(f"{config.variant!r} is not built by pipeline.models (its variants: {', '.join(PAIRS)})")
    return PAIRS[config.variant](config)


def build(model_config: ModelConfig, train_config: TrainConfig, total_steps: int, **common):
    """-> an uncompiled GAN of the plain kind (pipeline.assemble compiles it)."""
    generator, discriminator = pair(model_config)
    return GAN(
        generator,
        discriminator,
        model_config.latent_dim,
        model_config.num_classes,
        diversity_weight=train_config.diversity_weight,
        r1_weight=train_config.r1_weight,
        **common,
    )
