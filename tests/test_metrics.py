"""The metric functions on known answers; pipeline.metrics runs without TensorFlow."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from pipeline import metrics
from pipeline.config import ROOT


def test_metrics_import_no_tensorflow():
    code = (
        "import sys, pipeline.metrics\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'tf_keras', 'keras'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


# ---------------------------------------------------------------- Fréchet distance


def test_frechet_distance_of_a_set_with_itself_is_zero_and_it_is_symmetric():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((2000, 16)) @ rng.standard_normal((16, 16))
    b = rng.standard_normal((1500, 16)) * 2 + 1
    assert metrics.frechet_distance(a, a) == pytest.approx(0.0, abs=1e-6)
    assert metrics.frechet_distance(a, b) == pytest.approx(metrics.frechet_distance(b, a), rel=1e-6)
    assert metrics.frechet_distance(a, b) > 10


def test_frechet_distance_known_answers():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((3000, 8)) @ rng.standard_normal((8, 8))
    shift = np.arange(8.0)
    # Same covariance: only the squared mean difference remains.
    assert metrics.frechet_distance(a, a + shift) == pytest.approx(np.sum(shift**2), rel=1e-6)
    # b = 2a: |m|^2 + tr(C) + tr(4C) - 2 tr(2C) = |m|^2 + tr(C).
    expected = np.sum(a.mean(axis=0) ** 2) + np.trace(np.cov(a, rowvar=False))
    assert metrics.frechet_distance(a, 2 * a) == pytest.approx(expected, rel=1e-6)


def test_frechet_distance_of_two_gaussians_matches_the_closed_form():
    # Diagonal covariances: d = |m_a - m_b|^2 + sum (s_a - s_b)^2 with s the standard deviations.
    rng = np.random.default_rng(3)
    scale_a, scale_b = np.array([1.0, 2.0, 0.5]), np.array([3.0, 1.0, 0.5])
    a = rng.standard_normal((200_000, 3)) * scale_a
    b = rng.standard_normal((200_000, 3)) * scale_b + [1.0, 0.0, 0.0]
    assert metrics.frechet_distance(a, b) == pytest.approx(1.0 + 4.0 + 1.0 + 0.0, rel=0.02)


def test_frechet_distance_needs_two_samples_per_side():
    with pytest.raises(ValueError, match="at least 2"):
        metrics.frechet_distance(np.zeros((1, 4)), np.zeros((10, 4)))


# ---------------------------------------------------------------- precision and recall


def test_precision_recall_on_a_line_with_a_known_answer():
    real = np.arange(10.0)[:, None]  # 0..9; with k=1 every ball has radius 1
    fake = np.array([[0.5], [4.2], [20.0], [30.0]])
    # Precision: 0.5 and 4.2 lie within 1 of a real point; 20 and 30 do not -> 2/4.
    # Recall: fake radii (k=1) are 3.7, 3.7, 10, 10; the balls around 0.5 and 4.2 cover
    # [-3.2, 7.9], i.e. real 0..7, and the ball around 20 stops at 10 -> 8/10.
    precision, recall = metrics.precision_recall(real, fake, k=1)
    assert precision == pytest.approx(0.5)
    assert recall == pytest.approx(0.8)


def brute_force_precision_recall(real, fake, k):
    def radii(points):
        distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
        return np.sort(distances, axis=1)[:, k]

    cross = np.linalg.norm(fake[:, None] - real[None], axis=-1)  # [fake, real]
    precision = np.mean((cross <= radii(real)[None, :]).any(axis=1))
    recall = np.mean((cross <= radii(fake)[:, None]).any(axis=0))
    return precision, recall


def test_chunked_precision_recall_matches_brute_force():
    rng = np.random.default_rng(2)
    real = rng.standard_normal((230, 5))
    fake = np.concatenate([rng.standard_normal((120, 5)) * 0.5, rng.standard_normal((90, 5)) + 3])
    expected = brute_force_precision_recall(real, fake, k=3)
    assert 0.2 < expected[0] < 0.9 and 0.1 < expected[1] < 0.9  # a case where both matter
    assert metrics.precision_recall(real, fake, k=3, chunk=7) == pytest.approx(expected)
    assert metrics.precision_recall(real, fake, k=3) == pytest.approx(expected)


def test_precision_recall_survives_a_large_common_offset():
    # Features far from the origin: without centring, float32 norms of 1e4 would swamp distances of 1.
    rng = np.random.default_rng(4)
    real = rng.standard_normal((300, 8))
    fake = np.concatenate([rng.standard_normal((150, 8)), rng.standard_normal((150, 8)) + 6])
    expected = metrics.precision_recall(real, fake)
    assert metrics.precision_recall(real + 1e4, fake + 1e4) == pytest.approx(expected, abs=0.01)
    assert 0.4 < expected[0] < 0.6  # half the fakes sit far from the real points


def test_precision_recall_needs_more_points_than_k():
    with pytest.raises(ValueError, match="more than 3"):
        metrics.precision_recall(np.zeros((3, 2)), np.ones((10, 2)))


# ---------------------------------------------------------------- scores on class probabilities


def test_inception_score_bounds():
    assert metrics.inception_score(np.full((100, 10), 0.1)) == pytest.approx(1.0)
    sharp_and_balanced = np.eye(10)[np.arange(100) % 10]
    assert metrics.inception_score(sharp_and_balanced) == pytest.approx(10.0, rel=1e-6)
    sharp_one_class = np.eye(10)[np.zeros(100, int)]
    assert metrics.inception_score(sharp_one_class) == pytest.approx(1.0)
    sharp_over_five_classes = np.eye(10)[np.arange(100) % 5]
    assert metrics.inception_score(sharp_over_five_classes) == pytest.approx(5.0, rel=1e-6)


def test_classification_metrics_count_confident_images_classes_and_labels():
    # 6 images: four sure of class 0, one sure of class 3, one split between 1 and 2.
    probabilities = np.zeros((6, 10))
    probabilities[:4, 0] = 1.0
    probabilities[4, 3] = 0.95
    probabilities[4, 4] = 0.05
    probabilities[5, 1:3] = [0.6, 0.4]
    result = metrics.classification_metrics(probabilities, np.array([0, 0, 0, 1, 3, 2]))
    assert result["confident_fraction"] == pytest.approx(5 / 6)  # 0.95 > 0.9, 0.6 is not
    assert result["class_histogram"] == pytest.approx([4 / 6, 1 / 6, 0, 1 / 6, 0, 0, 0, 0, 0, 0])
    assert result["classes_over_5pct"] == 3
    assert result["label_accuracy"] == pytest.approx(4 / 6)  # images 3 and 5 are read as 0 and 1
    assert metrics.classification_metrics(probabilities, None)["label_accuracy"] is None


def test_classification_metrics_refuse_a_label_count_that_does_not_match():
    with pytest.raises(ValueError, match="3 requested labels for 6 images"):
        metrics.classification_metrics(np.full((6, 10), 0.1), np.zeros(3, int))


def test_distribution_metrics_of_a_copy_and_of_a_collapse():
    rng = np.random.default_rng(5)
    reference = rng.standard_normal((400, 6))
    same = metrics.distribution_metrics(reference.copy(), reference)
    assert same["fid"] == pytest.approx(0.0, abs=1e-6) and same["precision"] == same["recall"] == 1.0
    collapsed = metrics.distribution_metrics(np.repeat(reference[:1], 400, axis=0), reference)
    assert collapsed["recall"] <= 1 / 400 and collapsed["fid"] > 5  # one point covers only itself


# ---------------------------------------------------------------- the table


def test_format_table_shows_every_metric_beside_its_floor():
    row = {
        "fid": 12.3456,
        "inception_score": 9.1,
        "confident_fraction": 0.5,
        "classes_over_5pct": 10,
        "precision": 0.7,
        "recall": 0.6,
        "label_accuracy": None,
        "class_histogram": [0.1] * 10,
    }
    result = {
        "generated": row,
        "real": dict(row, fid=1.5, label_accuracy=0.99),
        "judge": {"heldout_accuracy": 0.99},
        "samples": 10_000,
        "heldout_source": "somewhere",
    }
    lines = metrics.format_table(result).splitlines()
    assert lines[0].split() == ["metric", "generated", "real", "(floor)"]
    body = {line.split()[0]: line.split()[1:] for line in lines[2 : 2 + len(metrics.METRIC_KEYS)]}
    assert list(body) == list(metrics.METRIC_KEYS)
    assert body["fid"] == ["12.3456", "1.5000"]
    assert body["classes_over_5pct"] == ["10", "10"]
    assert body["label_accuracy"] == ["-", "0.9900"]
    assert body["class_histogram"] == ["0.10"] * 20
    assert lines[-1] == "10,000 samples; reference: somewhere"
