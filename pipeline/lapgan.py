"""LAPGAN (Denton et al. 2015): a Laplacian pyramid of conditional GANs, 7x7 -> 14x14 -> 28x28.

The coarsest level is a small conditional GAN on 7x7 low-pass digits. Each finer level's generator
takes the coarser image upsampled x2 (nearest), a noise plane of its own and the class, and draws
the band-pass detail that is added to it; its discriminator judges upsampled-coarse + real detail
(the real digit at that scale) against upsampled-coarse + generated detail. During training every
finer level is conditioned on *real* low-pass images, as in the paper, so the three levels train
independently in one step; sampling chains them.

Pyramid of a digit x [N, 28, 28, 1] in [-1, 1]: low_14 = area-average 2x2 (x), low_7 = area-average
(low_14); detail_28 = x - up(low_14). Upsampling is nearest-neighbour: the one resize on which
Keras and TF.js agree exactly (TF.js's bilinear UpSampling2D uses other pixel centres).

Every layer is a standard one TF.js loads (no Lambda): Dense, Reshape, Conv2D, UpSampling2D,
Concatenate, Add. Layers are shared between the per-level training models and the chained sampler,
so both see the same weights and the sampler is one flat model.
"""

from __future__ import annotations

import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

from pipeline.config import ModelConfig, TrainConfig
from pipeline.gan import GAN
from pipeline.models import LEAK, _dense_block, cgan_discriminator
from pipeline.variants import VARIANTS

SIZES = VARIANTS["lapgan"].pyramid  # the pyramid's levels, coarse to fine: (7, 14, 28)
# Extra noise inputs of the sampler, after [noise, label]: one plane per finer level.
NOISE_PLANES = VARIANTS["lapgan"].noise_planes
# Conv widths of the detail generators: the 14x14 level draws the strokes' shape, the 28x28 level
# only sharpens them, so it is the narrowest (it costs 784 pixels x its width squared).
DETAIL_WIDTH = {14: 32, 28: 16}


def downsample(images):
    """[N, H, W, 1] -> [N, H/2, W/2, 1]: the mean of each 2x2 block (area averaging)."""
    return tf.nn.avg_pool2d(images, 2, 2, "VALID")


def upsample(images):
    """[N, H, W, 1] -> [N, 2H, 2W, 1], each pixel repeated 2x2 (what UpSampling2D(2) does)."""
    return tf.repeat(tf.repeat(images, 2, axis=1), 2, axis=2)


def _coarse_generator(noise, label, width: int = 32):
    """The 7x7 level: [noise [N, latent], label [N, classes]] -> image [N, 7, 7, 1] in [-1, 1] (tanh)."""
    x = layers.Concatenate(name="l7_noise_and_label")([noise, label])
    x = _dense_block(x, 7 * 7 * width, "l7")
    x = layers.Reshape((7, 7, width), name="l7_reshape")(x)
    x = layers.Conv2D(width, 3, padding="same", name="l7_conv")(x)
    x = layers.LeakyReLU(LEAK, name="l7_conv_act")(x)
    return layers.Conv2D(1, 3, padding="same", activation="tanh", name="level_7")(x)


def _detail_generator(size: int, num_classes: int):
    """A finer level's layers: [coarse [N, s, s, 1], noise plane [N, s, s, 1], label] -> image [N, s, s, 1].

    The label becomes a plane through Dense(s*s) + Reshape; the three planes are stacked and three
    3x3 convolutions draw the detail (unbounded: band-pass values lie in about [-2, 2]), which is
    added to the coarse image.
    """
    width = DETAIL_WIDTH[size]
    p = f"l{size}"
    label_plane = [
        layers.Dense(size * size, name=f"{p}_label_plane"),
        layers.Reshape((size, size, 1), name=f"{p}_label_reshape"),
    ]
    stack = layers.Concatenate(name=f"{p}_stack")
    convs = [
        layers.Conv2D(width, 3, padding="same", name=f"{p}_conv0"),
        layers.LeakyReLU(LEAK, name=f"{p}_act0"),
        layers.Conv2D(width, 3, padding="same", name=f"{p}_conv1"),
        layers.LeakyReLU(LEAK, name=f"{p}_act1"),
        layers.Conv2D(1, 3, padding="same", name=f"{p}_detail"),
    ]
    add = layers.Add(name=f"level_{size}")

    def apply(coarse, noise, label):
        plane = label
        for layer in label_plane:
            plane = layer(plane)
        x = stack([coarse, noise, plane])
        for layer in convs:
            x = layer(x)
        return add([coarse, x])

    return apply


def lapgan_generators(latent_dim: int, num_classes: int):
    """-> (sampler, level models).

    sampler: [noise [N, latent], label [N, classes], noise_14 [N, 14, 14, 1], noise_28 [N, 28, 28, 1]]
      -> [image_28 [N, 28, 28, 1], image_14 [N, 14, 14, 1], image_7 [N, 7, 7, 1]]: the digit first,
      then the coarser levels, so the page can show the pyramid from the same model (one download,
      no extra compute: they are computed on the way anyway). Noise and label come first, as in
      every other generator.
    levels: {7: [noise, label] -> image_7, 14: [coarse_14, noise_14, label] -> image_14,
      28: [coarse_28, noise_28, label] -> image_28}, the training models (coarse inputs real).
    """
    detail_levels = {size: _detail_generator(size, num_classes) for size in SIZES[1:]}
    noise = keras.Input((latent_dim,), name="noise")
    label = keras.Input((num_classes,), name="label")
    planes = [keras.Input(shape, name=f"noise_{shape[0]}") for shape in NOISE_PLANES]

    images = [_coarse_generator(noise, label)]
    for size, plane in zip(SIZES[1:], planes):
        coarse = layers.UpSampling2D(2, name=f"up_{size}")(images[-1])
        images.append(detail_levels[size](coarse, plane, label))
    sampler = keras.Model([noise, label, *planes], images[::-1], name="generator")

    # The coarse level's model is a part of the sampler's graph; the finer ones get inputs of their own.
    levels = {7: keras.Model([noise, label], images[0], name="level_7_generator")}
    for size, shape in zip(SIZES[1:], NOISE_PLANES):
        coarse = keras.Input(shape, name=f"coarse_{size}")
        plane = keras.Input(shape, name=f"noise_{size}")
        level_label = keras.Input((num_classes,), name=f"label_{size}")
        image = detail_levels[size](coarse, plane, level_label)
        levels[size] = keras.Model([coarse, plane, level_label], image, name=f"level_{size}_generator")
    return sampler, levels


def lapgan_discriminators(num_classes: int):
    """-> (all levels: [image_7, image_14, image_28, label] -> [logit_7, logit_14, logit_28], per level {size: model}).

    Each is the conditional projection discriminator of cgan (two stride-2 convolutions, a dense
    layer, logit = psi(phi(x)) + <V y, phi(x)>) at its level's size; the 28x28 one ships with the
    page, which scores whole digits with it.
    """
    per_level = {
        size: cgan_discriminator(num_classes, width=16 if size < 28 else 32, size=size, name=f"discriminator_{size}")
        for size in SIZES
    }
    images = [keras.Input((s, s, 1), name=f"image_{s}") for s in SIZES]
    label = keras.Input((num_classes,), name="label")
    logits = [per_level[s]([image, label]) for s, image in zip(SIZES, images)]
    # Holds the three for the optimiser and the checkpoint; the train step calls each level's own.
    return keras.Model([*images, label], logits, name="discriminator"), per_level


class LapGAN(GAN):
    """Three conditional GANs trained in one step, each on its level of the real digits' pyramid.

    `generator` is the chained sampler (its weights are all the levels'; it and its weight average
    are what ship), `discriminator` the three discriminators as one model (one optimiser: each
    weight's gradient comes from its own level's loss only, so this is three independent Adams).
    """

    def __init__(self, sampler, levels, discriminator, level_discriminators, latent_dim, num_classes, **kwargs):
        super().__init__(sampler, discriminator, latent_dim, num_classes, **kwargs)
        # Lists, coarse to fine (a tracked dict would need string keys).
        self.level_generators = [levels[size] for size in SIZES]
        self.level_discriminators = [level_discriminators[size] for size in SIZES]

    def shipped_discriminator(self):
        """The 28x28 level's discriminator: it scores whole digits, as the page shows them."""
        return self.level_discriminators[-1]

    def _pyramids(self, real_images):
        """Real digits [B, 28, 28, 1] -> real images per level and the upsampled coarse inputs of levels 14, 28."""
        low_14 = downsample(real_images)
        low_7 = downsample(low_14)
        return [low_7, low_14, real_images], {14: upsample(low_7), 28: upsample(low_14)}

    def _fakes(self, coarse, real_labels, training=True, paired=False):
        """Per level: generated images, and the 7x7 level's labels and noise. `paired`: the 7x7
        level's labels pair image i with image i + B/2 (for the mode-seeking term)."""
        batch_size = tf.shape(real_labels)[0]
        noise, fake_labels = self.sample_inputs(batch_size)
        if paired:
            fake_labels = self.pair_labels(fake_labels, batch_size // 2)
        fakes = [self.level_generators[0]([noise, fake_labels], training=training)]
        for level, size, shape in zip(self.level_generators[1:], SIZES[1:], NOISE_PLANES):
            plane = self.noise_rng.normal((batch_size, *shape))
            fakes.append(level([coarse[size], plane, real_labels], training=training))
        return fakes, fake_labels, noise

    def _logits(self, images, coarse_labels, real_labels):
        # The 7x7 level is judged with the labels it was asked for (real 7x7 digits with their
        # own); finer levels with the real digit's, whose low-pass image they were given.
        labels = [coarse_labels, real_labels, real_labels]
        return [d([x, y], training=True) for d, x, y in zip(self.level_discriminators, images, labels)]

    def discriminator_step(self, real_images, real_labels):
        """Every level: real -> 1, generated -> 0 (losses summed). -> per-example losses, the 28x28 level's logits."""
        reals, coarse = self._pyramids(real_images)
        fakes, fake_labels, _ = self._fakes(coarse, real_labels)
        with tf.GradientTape() as tape:
            real_logits = self._logits(reals, real_labels, real_labels)
            fake_logits = self._logits(fakes, fake_labels, real_labels)
            d_loss_each = sum(self.real_fake_loss(r, f) for r, f in zip(real_logits, fake_logits))
            d_loss = self._mean(d_loss_each)
        self.apply_discriminator_gradients(tape, d_loss)
        return d_loss_each, real_logits[-1], fake_logits[-1]

    def generator_step(self, real_images, real_labels):
        """Every level's fakes labelled "real" (losses summed), plus the mode-seeking term on the
        7x7 level, where a digit's shape is decided; only the generators move."""
        _, coarse = self._pyramids(real_images)
        half = tf.shape(real_images)[0] // 2
        with tf.GradientTape() as tape:
            fakes, fake_labels, noise = self._fakes(coarse, real_labels, paired=bool(self.diversity_weight))
            misleading_logits = self._logits(fakes, fake_labels, real_labels)
            g_loss_each = sum(self.loss_fn(tf.ones_like(m), m) for m in misleading_logits)
            if self.diversity_weight:
                g_loss_each += self.diversity_weight * self.mode_seeking_penalty(fakes[0], noise, half)
            g_loss = self._mean(g_loss_each)
        self.apply_generator_gradients(tape, g_loss)
        return g_loss_each


def build(model_config: ModelConfig, train_config: TrainConfig, total_steps: int, **common) -> LapGAN:
    """-> an uncompiled LapGAN (inside the current strategy scope; pipeline.assemble compiles it)."""
    latent_dim, num_classes = model_config.latent_dim, model_config.num_classes
    sampler, levels = lapgan_generators(latent_dim, num_classes)
    discriminator, per_level = lapgan_discriminators(num_classes)
    return LapGAN(
        sampler,
        levels,
        discriminator,
        per_level,
        latent_dim,
        num_classes,
        diversity_weight=train_config.diversity_weight,
        **common,
    )
