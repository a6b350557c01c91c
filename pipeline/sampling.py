"""Samples of a tf_keras generator as the judge scores them: seeded noise, labels and planes in, uint8 digits out."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from pipeline import data

# (images uint8 [N, 28, 28], requested labels int [N] or None) for a number of samples N.
GenerateFn = Callable[[int], "tuple[np.ndarray, np.ndarray | None]"]


def keras_generate_fn(
    generator, latent_dim: int, num_classes: int, seed: int = 0, batch_size: int = 1000
) -> GenerateFn:
    """Wrap a tf_keras generator as a `generate(count) -> (images uint8 [N, 28, 28], labels or None)`.

    The generator takes noise [N, latent_dim] (standard normal), plus a one-hot label [N, num_classes]
    when num_classes > 0 (labels uniform over 0..num_classes-1), then any further noise inputs it has
    (LAPGAN's planes, standard normal), and returns [N, 28, 28, 1] in [-1, 1] (first of its outputs).
    Every call with the same count returns the same samples.
    """
    named = 2 if num_classes else 1
    plane_shapes = [tuple(t.shape[1:]) for t in getattr(generator, "inputs", None) or []][named:]

    def generate(count: int) -> tuple[np.ndarray, np.ndarray | None]:
        rng = np.random.default_rng(seed)
        noise = rng.standard_normal((count, latent_dim), dtype=np.float32)
        labels = rng.integers(0, num_classes, count) if num_classes else None
        planes = data.noise_planes(plane_shapes, count, rng)
        batches = []
        for start in range(0, count, batch_size):
            batch = slice(start, min(start + batch_size, count))
            inputs = data.generator_inputs(
                noise[batch], None if labels is None else labels[batch], num_classes, [p[batch] for p in planes]
            )
            batches.append(np.asarray(data.first_output(generator(inputs, training=False))))
        images = data.to_pixels(np.concatenate(batches)).reshape(count, 28, 28)
        return images, labels

    return generate
