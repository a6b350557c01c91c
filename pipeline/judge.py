"""The judge: a small CNN trained (and cached) on the training digits, whose features and class
probabilities `pipeline.metrics` turns into scores; and the scoring of a generator with it."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from pipeline import data, files
from pipeline.config import NUM_CLASSES, ROOT
from pipeline.metrics import PRECISION_RECALL_K, classification_metrics, distribution_metrics, ordered
from pipeline.sampling import GenerateFn

DEFAULT_JUDGE_CACHE = ROOT / ".cache" / "judge"
PREDICT_BATCH = 1000


@dataclass(frozen=True)
class JudgeRecipe:
    """How the judge is built and trained; any change gives a new cache key.

    Bump `version` when the code of `build_judge` or `_train_judge` changes meaning.
    """

    version: int = 1
    epochs: int = 20
    # At most this many digits per epoch (a fresh random subset each epoch), so the judge costs the
    # same on a 60,000-image source as on the 9,001 offline digits (which it sees whole every epoch).
    epoch_images: int = 10_000
    batch_size: int = 128
    learning_rate: float = 3e-3
    dropout: float = 0.25
    feature_dim: int = 128
    # Augmentation, drawn afresh for every image every epoch.
    max_rotation_degrees: float = 12.0
    max_zoom: float = 0.1
    max_shift_pixels: float = 2.5
    seed: int = 0


JUDGE_RECIPE = JudgeRecipe()


def build_judge(recipe: JudgeRecipe = JUDGE_RECIPE):
    """A small CNN: pixels in [0, 1] [N, 28, 28, 1] -> (features [N, D], class probabilities [N, 10])."""
    import tf_keras as keras

    layers = keras.layers
    seeds = iter(range(recipe.seed * 1000, recipe.seed * 1000 + 1000))

    def he():
        return keras.initializers.HeNormal(seed=next(seeds))

    def conv_block(x, filters, kernel_size):
        x = layers.Conv2D(filters, kernel_size, padding="same", use_bias=False, kernel_initializer=he())(x)
        return layers.ReLU()(layers.BatchNormalization()(x))

    pixels = keras.Input((28, 28, 1), name="pixels")
    x = conv_block(pixels, 32, 5)  # [N, 28, 28, 32]
    x = layers.MaxPool2D()(x)  # [N, 14, 14, 32]
    x = conv_block(x, 64, 3)  # [N, 14, 14, 64]
    x = layers.MaxPool2D()(x)  # [N, 7, 7, 64]
    x = conv_block(x, 64, 3)  # [N, 7, 7, 64]
    x = layers.Flatten()(x)  # [N, 3136]
    x = layers.Dense(recipe.feature_dim, use_bias=False, kernel_initializer=he())(x)
    features = layers.ReLU(name="features")(layers.BatchNormalization()(x))  # [N, D], >= 0
    x = layers.Dropout(recipe.dropout, seed=next(seeds))(features)
    probabilities = layers.Dense(
        NUM_CLASSES,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=next(seeds)),
        name="probabilities",
    )(x)
    return keras.Model(pixels, [features, probabilities], name="judge")


class Judge:
    """A trained judge classifier; every method takes uint8 digits [N, 28, 28] (0 = background)."""

    def __init__(self, model, cache_path: Path | None = None, train_seconds: float | None = None):
        self.model = model  # outputs [features [N, D], probabilities [N, 10]]
        self.cache_path = cache_path
        self.train_seconds = train_seconds  # None when loaded from the cache

    def embed(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """One forward pass -> (features float32 [N, D], probabilities float32 [N, 10])."""
        pixels = _judge_input(images)
        features, probabilities = self.model.predict(pixels, batch_size=PREDICT_BATCH, verbose=0)
        return np.asarray(features, np.float32), np.asarray(probabilities, np.float32)

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        return self.embed(images)[1]

    def features(self, images: np.ndarray) -> np.ndarray:
        """The penultimate layer (for FID and precision/recall)."""
        return self.embed(images)[0]

    def accuracy(self, digits: data.Digits) -> float:
        predicted = self.predict_proba(digits.images).argmax(axis=1)
        return float(np.mean(predicted == digits.labels))


def _judge_input(images: np.ndarray) -> np.ndarray:
    """uint8 [N, 28, 28] (or [N, 28, 28, 1]) -> float32 [N, 28, 28, 1] in [0, 1]."""
    images = np.asarray(images)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected digits of shape [N, 28, 28], got {list(images.shape)}")
    if images.dtype != np.uint8:
        # Refuse rather than guess: [-1, 1] floats read as 0..255 would all look blank.
        raise ValueError(f"expected uint8 pixels 0..255, got {images.dtype} (see data.to_pixels)")
    return (images.astype(np.float32) / 255.0)[..., None]


def judge_cache_key(train: data.Digits, recipe: JudgeRecipe = JUDGE_RECIPE) -> str:
    """A hash of the training digits, their labels and the recipe: another source gives another judge."""
    digest = hashlib.sha256()
    digest.update(json.dumps(dataclasses.asdict(recipe), sort_keys=True).encode())
    images = np.ascontiguousarray(train.images, np.uint8)
    digest.update(str(images.shape).encode())
    digest.update(images.tobytes())
    digest.update(np.ascontiguousarray(train.labels, np.int64).tobytes())
    return digest.hexdigest()[:20]


def load_or_train_judge(
    train: data.Digits,
    cache_dir: Path | None = None,
    log: Callable[[str], object] = print,
    recipe: JudgeRecipe = JUDGE_RECIPE,
) -> Judge:
    """The judge for these training digits: from the cache when there, else trained and cached."""
    cache_dir = Path(cache_dir) if cache_dir is not None else DEFAULT_JUDGE_CACHE
    path = cache_dir / f"judge-{judge_cache_key(train, recipe)}.npz"
    model = build_judge(recipe)
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as archive:
                count = int(archive["weight_count"])
                weights = [archive[f"weight_{index}"] for index in range(count)]
            model.set_weights(weights)
            log(f"judge: loaded from {path}")
            return Judge(model, path)
        except Exception as error:  # corrupt, truncated or from another architecture: train afresh
            log(f"judge: cannot use {path} ({type(error).__name__}: {error}); training a new one")
            model = build_judge(recipe)
    seconds = _train_judge(model, train, recipe, log)
    _save_weights(path, model.get_weights())
    log(f"judge: trained in {seconds:.1f} s, cached at {path}")
    return Judge(model, path, seconds)


def _save_weights(path: Path, weights: list[np.ndarray]) -> None:
    """The weights as one .npz, written atomically: readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {f"weight_{index}": weight for index, weight in enumerate(weights)}
    files.write_atomically(path, lambda file: np.savez(file, weight_count=np.array(len(weights)), **arrays))


def augment(images: np.ndarray, rng: np.random.Generator, recipe: JudgeRecipe = JUDGE_RECIPE) -> np.ndarray:
    """Random rotation, zoom and shift of every digit: float32 [N, 28, 28, 1] -> the same shape."""
    import tensorflow as tf

    count = len(images)
    angle = np.deg2rad(rng.uniform(-recipe.max_rotation_degrees, recipe.max_rotation_degrees, count))
    scale = 1.0 / rng.uniform(1.0 - recipe.max_zoom, 1.0 + recipe.max_zoom, count)
    shift_x, shift_y = rng.uniform(-recipe.max_shift_pixels, recipe.max_shift_pixels, (2, count))
    # Each row maps an output pixel (x, y) to the input point it samples:
    # x_in = a0 x + a1 y + a2, y_in = b0 x + b1 y + b2, rotating and scaling about the centre.
    centre = 13.5
    cos, sin = scale * np.cos(angle), scale * np.sin(angle)
    zeros = np.zeros(count)
    transforms = np.stack(
        [
            cos,
            -sin,
            centre - cos * centre + sin * centre + shift_x,
            sin,
            cos,
            centre - sin * centre - cos * centre + shift_y,
            zeros,
            zeros,
        ],
        axis=1,
    ).astype(np.float32)
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=transforms,
        output_shape=[28, 28],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    ).numpy()


def _train_judge(model, train: data.Digits, recipe: JudgeRecipe, log: Callable[[str], object]) -> float:
    """Train the classifier head of `model` in place -> seconds taken."""
    import tf_keras as keras

    classifier = keras.Model(model.input, model.outputs[1])
    per_epoch = min(len(train), recipe.epoch_images)
    steps = int(np.ceil(per_epoch / recipe.batch_size)) * recipe.epochs
    schedule = keras.optimizers.schedules.CosineDecay(
        0.0, steps, warmup_target=recipe.learning_rate, warmup_steps=max(steps // 10, 1)
    )
    classifier.compile(keras.optimizers.Adam(schedule), "sparse_categorical_crossentropy", metrics=["accuracy"])
    pixels = _judge_input(train.images)
    # Our own generator for augmentation and shuffling: the global random state stays untouched.
    rng = np.random.default_rng(recipe.seed)
    log(f"judge: training on {len(train):,} digits, {recipe.epochs} epochs of {per_epoch:,} ({train.source})")
    start = time.perf_counter()
    for epoch in range(recipe.epochs):
        epoch_start = time.perf_counter()
        order = rng.permutation(len(train))[:per_epoch]
        history = classifier.fit(
            augment(pixels[order], rng, recipe),
            train.labels[order],
            batch_size=recipe.batch_size,
            epochs=epoch + 1,
            initial_epoch=epoch,
            shuffle=False,
            verbose=0,
        )
        log(
            f"judge epoch {epoch + 1}/{recipe.epochs}: loss {history.history['loss'][-1]:.4f}, "
            f"accuracy {history.history['accuracy'][-1]:.4f} on augmented digits "
            f"({time.perf_counter() - epoch_start:.1f} s)"
        )
    return time.perf_counter() - start


# ---------------------------------------------------------------- scoring with the judge


def image_metrics(
    judge: Judge, images: np.ndarray, requested_labels: np.ndarray | None, reference_features: np.ndarray
) -> dict:
    """All metrics of one image set (uint8 [N, 28, 28]) against reference features [M, D]; one judge pass.

    fid: Fréchet distance in judge feature space (0 = same statistics as the reference).
    inception_score: exp(E KL(p(y|x) || p(y))), 1..10; high when digits are sharp and classes balanced.
    confident_fraction: share of images whose top class has probability > 0.9.
    class_histogram: share of images predicted as each class 0..9.
    classes_over_5pct: how many classes get at least 5% of the images (10 = no mode collapse).
    precision / recall: Kynkäänniemi et al. 2019, k = 3, in judge feature space.
    label_accuracy: share classified as the requested label; None when no labels were requested.
    """
    features, probabilities = judge.embed(images)
    return ordered(
        {
            **distribution_metrics(features, reference_features),
            **classification_metrics(probabilities, requested_labels),
        }
    )


def evaluate_generator(
    generate: GenerateFn,
    num_classes: int,
    judge: Judge,
    train: data.Digits,
    heldout: data.Digits,
    samples: int = 10_000,
    seed: int = 0,
) -> dict:
    """Score `samples` generated digits against the held-out real digits, beside a real-data floor.

    The reference for FID, precision and recall is the judge's features of the held-out digits.
    "generated": `image_metrics` of the generated digits (label accuracy only when num_classes > 0).
    "real", the best a generator could hope for, measured the same way on real digits:
      - fid, precision, recall: a random sample of the *training* digits against the held-out
        reference. The sample has as many digits as were generated (at most all of train), because
        FID's bias and recall's neighbourhood radii depend on the sample size; a generator that drew
        from the true digit distribution would score about this (one that copied its training
        digits, exactly this: the floor cannot tell memorising from generalising).
      - inception_score, confident_fraction, class_histogram, classes_over_5pct: the held-out digits
        themselves; label_accuracy: the held-out digits with their true labels (= the judge's
        held-out accuracy).
    "judge": {"heldout_accuracy"}, how far the judge's opinions can be trusted.
    Every value is a plain float, int, list or None, ready for JSON.
    """
    if samples < PRECISION_RECALL_K + 1:
        raise ValueError(f"samples must be at least {PRECISION_RECALL_K + 1}, got {samples}")
    images, requested_labels = generate(samples)
    images = np.asarray(images)
    if images.shape[0] != samples:
        raise ValueError(f"generate({samples}) returned {images.shape[0]} images")
    if num_classes and requested_labels is None:
        raise ValueError("a conditional generator (num_classes > 0) must return the requested labels")
    if not num_classes:
        requested_labels = None

    reference_features, heldout_probabilities = judge.embed(heldout.images)
    generated = image_metrics(judge, images, requested_labels, reference_features)

    rng = np.random.default_rng(seed)
    real_sample = train.images[rng.choice(len(train), min(len(images), len(train)), replace=False)]
    real = ordered(
        {
            **distribution_metrics(judge.features(real_sample), reference_features),
            **classification_metrics(heldout_probabilities, heldout.labels),
        }
    )
    return {
        "heldout_source": heldout.source,
        "samples": int(len(images)),
        "judge": {"heldout_accuracy": real["label_accuracy"]},
        "generated": generated,
        "real": real,
    }
