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


def shipped_generator(generator, model_config: ModelConfig):
    """The generator as it ships: for a variant whose outputs are unbounded sums (its record's `clip`),
    each output clipped to the declared output_range [-1, 1] by standard layers TF.js loads
    (x + 1, ReLU capped at 2, - 1); the weights are the generator's own, untouched. Others as they are."""
    if not model_config.spec.clip:
        return generator
    outputs = generator.outputs
    clipped = []
    for output in outputs:
        name = output.name.split("/")[0]
        x = keras.layers.Rescaling(1.0, offset=1.0, name=f"{name}_shift")(output)
        x = keras.layers.ReLU(max_value=2.0, name=f"{name}_clip")(x)
        clipped.append(keras.layers.Rescaling(1.0, offset=-1.0, name=f"{name}_in_range")(x))
    return keras.Model(generator.inputs, clipped if len(clipped) > 1 else clipped[0], name=generator.name)
