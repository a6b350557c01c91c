"""Samples of a tf_keras generator as the judge scores them: seeded noise, labels and planes in, uint8 digits out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline.config import ModelConfig
from pipeline.digits import first_output, model_inputs, to_pixels

# (images uint8 [N, 28, 28], requested labels int [N] or None) for a number of samples N.
GenerateFn = Callable[[int], "tuple[np.ndarray, np.ndarray | None]"]


def keras_generate_fn(generator, model_config: ModelConfig, seed: int = 0, batch_size: int = 1000) -> GenerateFn:
    """Wrap a tf_keras generator as a `generate(count) -> (images uint8 [N, 28, 28], labels or None)`.

    Its inputs are digits.model_inputs' for the model (labels uniform over the classes of a
    conditional model); it returns [N, 28, 28, 1] in [-1, 1] (the first of its outputs). Every call
    with the same count returns the same samples.
    """

    def generate(count: int) -> tuple[np.ndarray, np.ndarray | None]:
        inputs, labels = model_inputs(model_config, count, np.random.default_rng(seed))
        batches = []
        for start in range(0, count, batch_size):
            batch = [values[start : start + batch_size] for values in inputs]
            batches.append(np.asarray(first_output(generator(batch, training=False))))
        images = to_pixels(np.concatenate(batches)).reshape(count, 28, 28)
        return images, labels

    return generate
