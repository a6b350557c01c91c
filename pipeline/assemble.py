"""A variant's GAN, ready to train: its module builds it (the record in pipeline/variants.py names the
module), this module compiles it with the two optimizers and their learning-rate schedule."""

from __future__ import annotations

import importlib

import tf_keras as keras

from pipeline.config import ModelConfig, TrainConfig
from pipeline.gan import GAN, learning_rate


def build_gan(model_config: ModelConfig, train_config: TrainConfig, steps_per_epoch: int = 0) -> GAN:
    """-> compiled GAN (inside the current strategy scope); steps_per_epoch sizes the learning-rate decay.

    Variants differ in their builders and their train step, in their own module
    (`model_config.spec.module`: pipeline.models, pipeline.lapgan, pipeline.srgan), nothing else.
    """
    total_steps = steps_per_epoch * train_config.epochs
    module = importlib.import_module(model_config.spec.module)
    gan = module.build(
        model_config, train_config, total_steps, seed=train_config.seed, ema_decay=train_config.ema_decay
    )

    def adam(rate: float):
        return keras.optimizers.Adam(
            learning_rate(rate, total_steps, train_config.decay_start), beta_1=train_config.beta_1
        )

    gan.compile(d_optimizer=adam(train_config.d_learning_rate), g_optimizer=adam(train_config.g_learning_rate))
    return gan
