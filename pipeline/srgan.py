"""SRGAN (Ledig et al. 2017) for digits: 4x super-resolution, 7x7 -> 28x28, trained on real digits
downsampled by area averaging.

The generator is residual, as in the paper (blocks of conv-BN-LeakyReLU-conv-BN plus a skip, at
the low resolution where they are cheap), then two x2 upsampling stages, and a global skip: the
output is the nearest-neighbour upscale of the input plus what the network draws, so it starts
from the blocky digit and only learns the missing detail. Sub-pixel convolution (the paper's
upsampler) needs a depth-to-space op that no Keras layer TF.js loads provides; the two stand-ins
are Conv2DTranspose ("transpose", the default: better and cheaper in benchmarks/srgan_upsampling.py)
and UpSampling2D + Conv2D ("resize"). Loss: pixel MSE (the content loss; the paper's VGG
features have no digit counterpart) plus a 1e-3-weighted adversarial term, after a content-only
warm start (the paper's SRResNet initialisation).
"""

from __future__ import annotations

import tensorflow as tf
import tf_keras as keras
from tf_keras import layers

from pipeline.config import LOW_RES_SHAPE as LOW_SHAPE
from pipeline.config import ModelConfig, TrainConfig
from pipeline.gan import GAN
from pipeline.models import LEAK, dcgan_discriminator

FACTOR = 4
UPSAMPLINGS = ("resize", "transpose")


def downsample(images):
    """[N, 28, 28, 1] -> [N, 7, 7, 1]: the mean of each 4x4 block, in the same value range."""
    return tf.nn.avg_pool2d(images, FACTOR, FACTOR, "VALID")


def _upsample(x, width: int, name: str, upsampling: str):
    if upsampling == "transpose":
        x = layers.Conv2DTranspose(width, 4, strides=2, padding="same", name=f"{name}_convt")(x)
    else:
        x = layers.UpSampling2D(2, name=f"{name}_resize")(x)
        x = layers.Conv2D(width, 3, padding="same", name=f"{name}_conv")(x)
    return layers.LeakyReLU(LEAK, name=f"{name}_act")(x)


def srgan_generator(width: int = 32, blocks: int = 4, upsampling: str = "transpose") -> keras.Model:
    """low_res [N, 7, 7, 1] in [-1, 1] -> [N, 28, 28, 1] (about [-1, 1]; not clipped).

    Conv 3x3 w -> `blocks` residual blocks at 7x7 -> x2 (14x14, w) -> x2 (28x28, w/2) -> Conv 3x3 1,
    added to the input upscaled x4 by repetition. w = 32, 4 blocks: 6.1 M multiply-adds per digit
    with transpose upsampling, 9.2 M with resize.
    """
    low_res = keras.Input(LOW_SHAPE, name="low_res")
    x = layers.Conv2D(width, 3, padding="same", name="head_conv")(low_res)
    head = x = layers.LeakyReLU(LEAK, name="head_act")(x)
    for b in range(blocks):
        skip = x
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"res{b}_conv0")(x)
        x = layers.BatchNormalization(momentum=0.8, name=f"res{b}_bn0")(x)
        x = layers.LeakyReLU(LEAK, name=f"res{b}_act")(x)
        x = layers.Conv2D(width, 3, padding="same", use_bias=False, name=f"res{b}_conv1")(x)
        x = layers.BatchNormalization(momentum=0.8, name=f"res{b}_bn1")(x)
        x = layers.Add(name=f"res{b}_add")([skip, x])
    x = layers.Add(name="body_skip")([head, x])
    x = _upsample(x, width, "up14", upsampling)
    x = _upsample(x, width // 2, "up28", upsampling)
    detail = layers.Conv2D(1, 3, padding="same", name="detail")(x)
    blocky = layers.UpSampling2D(FACTOR, name="blocky")(low_res)
    image = layers.Add(name="image")([blocky, detail])
    return keras.Model(low_res, image, name="generator")


class SRGAN(GAN):
    """Trains the upscaler: content loss (MSE) alone for the first `content_warmup` of the steps,
    then content + adversarial_weight x non-saturating GAN loss against an unconditional discriminator.

    The warm start needs no branch: until the switch the adversarial weight is 0 and the
    discriminator's gradients are scaled by 0; Adam's moments are still 0 then, so its update is
    exactly 0 and the discriminator does not move.
    """

    def __init__(self, generator, discriminator, warmup_steps: int, adversarial_weight: float, **kwargs):
        super().__init__(generator, discriminator, latent_dim=0, num_classes=0, **kwargs)
        self.warmup_steps = warmup_steps
        self.adversarial_weight = adversarial_weight
        self.content_tracker = keras.metrics.Mean(name="content_loss")

    @property
    def metrics(self):
        return [*super().metrics, self.content_tracker]

    def _adversarial(self):
        """0.0 during the warm start, then 1.0 (a tensor: the switch happens inside the traced step)."""
        return tf.cast(self.g_optimizer.iterations >= self.warmup_steps, tf.float32)

    def discriminator_step(self, real_images, real_labels):
        """Originals -> 1, upscaled -> 0 (labels unused); frozen during the warm start."""
        upscaled = self.generator(downsample(real_images), training=True)
        with tf.GradientTape() as tape:
            real_logits = self.discriminator(real_images, training=True)
            fake_logits = self.discriminator(upscaled, training=True)
            d_loss_each = self.real_fake_loss(real_logits, fake_logits)
            d_loss = self._mean(d_loss_each)
        self.apply_discriminator_gradients(tape, d_loss, scale=self._adversarial())
        return d_loss_each, real_logits, fake_logits

    def generator_step(self, real_images, real_labels):
        """Content loss (MSE against the originals, in [-1, 1] units) + the weighted adversarial term."""
        with tf.GradientTape() as tape:
            upscaled = self.generator(downsample(real_images), training=True)
            content_each = tf.reduce_mean(tf.square(upscaled - real_images), axis=[1, 2, 3])
            misleading_logits = self.discriminator(upscaled, training=True)
            adversarial_each = self.loss_fn(tf.ones_like(misleading_logits), misleading_logits)
            g_loss_each = content_each + self._adversarial() * self.adversarial_weight * adversarial_each
            g_loss = self._mean(g_loss_each)
        self.apply_generator_gradients(tape, g_loss)
        self.content_tracker.update_state(content_each)
        return g_loss_each

    def shipped_discriminator(self):
        return None  # the page's super-resolution panel compares with bicubic, not with a critic


def build(model_config: ModelConfig, train_config: TrainConfig, total_steps: int, **common) -> SRGAN:
    """-> an uncompiled SRGAN (inside the current strategy scope; pipeline.assemble compiles it)."""
    return SRGAN(
        srgan_generator(upsampling=model_config.upsampling),
        dcgan_discriminator(),
        warmup_steps=int(total_steps * train_config.content_warmup),
        adversarial_weight=train_config.adversarial_weight,
        **common,
    )
