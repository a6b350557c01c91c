"""What the judge and evaluation tests share: the tests' own judge, and a generator stand-in of real digits.

The tests' judge is cached in .cache/judge-tests/, never in the build's .cache/judge/: a user's
build cannot change which judge these tests read. The checks that need a judge to read generated
digits use real held-out digits (each class's most typical one), which any decent judge reads,
not blurry class means, which one judge reads at 0.95 and another at 0.75.
"""

from __future__ import annotations

import functools

import numpy as np

from pipeline import data
from pipeline.config import ROOT
from pipeline.judge import Judge, load_or_train_judge

TESTS_JUDGE_CACHE = ROOT / ".cache" / "judge-tests"


@functools.cache
def npm_split() -> tuple[data.Digits, data.Digits]:
    """The npm package's digits, split as an offline build splits them -> (train 9,001, heldout 999)."""
    return data.holdout_split(data.load_npm_package())


@functools.cache
def own_judge() -> Judge:
    """The build's recipe on the build's offline training digits, trained (once) by the tests for the tests."""
    return load_or_train_judge(npm_split()[0], TESTS_JUDGE_CACHE, log=lambda message: None)


def typical_digits(digits: data.Digits) -> np.ndarray:
    """Per class 0..9, the digit nearest (in pixels) to its class's mean -> uint8 [10, 28, 28]."""
    chosen = []
    for digit in range(10):
        members = digits.images[digits.labels == digit]
        pixels = members.astype(np.float32)
        chosen.append(members[np.argmin(((pixels - pixels.mean(axis=0)) ** 2).sum(axis=(1, 2)))])
    return np.stack(chosen)


def lookup_generator(images: np.ndarray, latent_dim: int = 4):
    """A conditional tf_keras 'generator' that ignores its noise and draws images[label].

    images: uint8 [C, 28, 28]; inputs noise [N, latent_dim] and one-hot label [N, C]; output
    [N, 28, 28, 1] in [-1, 1]. Only Dense, Add and Reshape, so TF.js converts and reloads it.
    """
    import tf_keras as keras

    noise = keras.Input((latent_dim,))
    label = keras.Input((len(images),))
    drawn = keras.layers.Dense(784, use_bias=False, name="draw")(label)  # row c = images[c]
    ignored = keras.layers.Dense(784, use_bias=False, kernel_initializer="zeros")(noise)  # keeps noise an input
    output = keras.layers.Reshape((28, 28, 1))(keras.layers.Add()([drawn, ignored]))
    model = keras.Model([noise, label], output)
    model.get_layer("draw").set_weights([data.to_model_range(images).reshape(len(images), 784)])
    return model


def read_back(judge: Judge, images: np.ndarray, labels: np.ndarray) -> float:
    """The share of images the judge classifies as their label."""
    return float(np.mean(judge.predict_proba(images).argmax(axis=1) == labels))
