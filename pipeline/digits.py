"""Digits as arrays, and what a model takes: the Digits set, the conversions between pixels and the
generators' value range, and every model's inputs (model_inputs). No files, no TensorFlow."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pipeline.config import LOW_RES_SHAPE, ModelConfig
from pipeline.variants import UPSCALE


class DataError(Exception):
    """A data source is missing or corrupt; the message is one line that names the file."""


@dataclass(frozen=True)
class Digits:
    """A set of MNIST-style digits.

    images: uint8 [N, 28, 28], 0 = background, 255 = ink.
    labels: int64 [N], 0..num_classes-1 (all 0 for an unlabelled source).
    source: one line saying where they came from.
    class_names: the name of each label, in label order, when the source names them (a folder of
        your own images, pipeline/images.py; () when unlabelled); None: labels 0..9 of a standard
        dataset, named by config.DATASETS.
    """

    images: np.ndarray
    labels: np.ndarray
    source: str
    class_names: tuple[str, ...] | None = None

    def __len__(self) -> int:
        return len(self.images)

    @property
    def num_classes(self) -> int:
        """How many classes the labels can name: 10 for the standard datasets, 0 when unlabelled."""
        return 10 if self.class_names is None else len(self.class_names)

    def take(self, index: np.ndarray, source: str | None = None) -> Digits:
        return Digits(self.images[index], self.labels[index], source or self.source, self.class_names)


def to_model_range(images: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] in 0..255 -> float32 [N, 28, 28, 1] in [-1, 1] (the generator's tanh range)."""
    return (images.astype(np.float32) / 127.5 - 1.0)[..., None]


def to_pixels(values: np.ndarray) -> np.ndarray:
    """Generator output in [-1, 1] (any shape) -> uint8 0..255."""
    return np.clip(np.rint((np.asarray(values, np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def one_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    """Integer labels [N] in 0..num_classes-1 -> float32 one-hot [N, num_classes]."""
    return np.eye(num_classes, dtype=np.float32)[np.asarray(labels)]


def generator_inputs(
    noise: np.ndarray, labels: np.ndarray | None = None, num_classes: int = 0, planes: list[np.ndarray] = ()
) -> list[np.ndarray]:
    """The inputs every generator takes, in its input order: [noise [N, latent]] plus, for a
    conditional model (num_classes > 0), the one-hot label [N, num_classes] of integer `labels`,
    then any noise planes (LAPGAN's finer levels: [N, 14, 14, 1], [N, 28, 28, 1])."""
    inputs = [noise] if not num_classes else [noise, one_hot(labels, num_classes)]
    return inputs + list(planes)


def noise_planes(shapes, count: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Standard-normal float32 noise [count, *shape] for each shape (a variant's noise_planes), drawn in order."""
    return [rng.standard_normal((count, *shape), dtype=np.float32) for shape in shapes]


def first_output(outputs):
    """A generator's digits: its only output, or the first of several (LAPGAN adds its coarser levels)."""
    return outputs[0] if isinstance(outputs, (list, tuple)) else outputs


def downsample(images: np.ndarray, factor: int) -> np.ndarray:
    """[N, H, W, 1] -> [N, H/factor, W/factor, 1] float32: the mean of each factor x factor block (area averaging)."""
    n, h, w, c = images.shape
    blocks = np.asarray(images, np.float32).reshape(n, h // factor, factor, w // factor, factor, c)
    return blocks.mean(axis=(2, 4))


def model_inputs(
    model_config: ModelConfig,
    count: int,
    rng: np.random.Generator,
    labels: np.ndarray | None = None,
    low_res: np.ndarray | None = None,
) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Seeded inputs for `count` samples, in the model's input order -> (inputs, the labels asked for).

    A generator's are drawn from `rng` in this order: noise [count, latent_dim] standard normal
    (float32); for a conditional model its labels, uniform over the classes unless `labels` gives
    them; each of the variant's noise planes. An upscaler's one input is `low_res` [count, 7, 7, 1] in
    [-1, 1], or uniform random digits when not given. Every caller (the grid, the export check, the
    evaluation) builds its batch here, so a model's inputs are put together in one place.
    """
    if model_config.spec.task == UPSCALE:
        if low_res is None:
            low_res = rng.uniform(-1.0, 1.0, (count, *LOW_RES_SHAPE)).astype(np.float32)
        return [low_res], None
    noise = rng.standard_normal((count, model_config.latent_dim), dtype=np.float32)
    if model_config.conditional and labels is None:
        labels = rng.integers(0, model_config.num_classes, count)
    planes = noise_planes(model_config.spec.noise_planes, count, rng)
    return generator_inputs(noise, labels, model_config.num_classes, planes), labels
