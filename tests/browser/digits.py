"""The test of "these are digits": ink like MNIST, and a classifier sure of each one (and of the digit asked for)."""

from __future__ import annotations

import numpy as np

# Share of pixels above mid-grey in real MNIST digits: 0.5th percentile 0.046, median 0.13, max 0.35.
INK_RANGE = (0.03, 0.40)
MIN_INKED_SHARE = 0.9  # of images whose ink lies in INK_RANGE
MIN_CONFIDENCE = 0.7  # mean top-class probability the judge gives
MIN_ACCURACY = 0.8  # share judged as the digit asked for (conditional models)
MIN_CLASSES = 8  # distinct digits among the judge's answers (unconditional models)


def digit_report(judge, images: np.ndarray, asked: list[int] | None = None) -> dict:
    """images uint8 [N, 28, 28] (255 = ink) -> the numbers check_digits judges."""
    ink = (images > 127).mean(axis=(1, 2))
    probabilities = np.asarray(judge.predict_proba(images))
    predicted = probabilities.argmax(axis=1)
    report = {
        "inked_share": float(np.mean((ink >= INK_RANGE[0]) & (ink <= INK_RANGE[1]))),
        "confidence": float(probabilities.max(axis=1).mean()),
        "classes": int(len(np.unique(predicted))),
    }
    if asked is not None:
        report["accuracy"] = float(np.mean(predicted == np.asarray(asked)))
    return report


def check_digits(judge, images: np.ndarray, asked: list[int] | None = None) -> dict:
    """Assert that `images` look like handwritten digits (and are the digits `asked` for) -> the report."""
    report = digit_report(judge, images, asked)
    assert report["inked_share"] >= MIN_INKED_SHARE, f"ink unlike MNIST digits: {report}"
    assert report["confidence"] >= MIN_CONFIDENCE, f"the classifier is unsure: {report}"
    if asked is not None:
        assert report["accuracy"] >= MIN_ACCURACY, f"not the digits asked for: {report}"
    else:
        assert report["classes"] >= MIN_CLASSES, f"too few different digits: {report}"
    return report
