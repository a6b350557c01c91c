"""Image-quality metrics on judge features and probabilities: FID, an Inception-Score analogue, precision/recall.

numpy only: nothing here imports TensorFlow, so the numbers can be checked (and recomputed) anywhere.
"""

from __future__ import annotations

import numpy as np

from pipeline.config import NUM_CLASSES

# A generated digit counts as "confident" when the judge gives its top class more than this.
CONFIDENCE_THRESHOLD = 0.9
# A class counts as covered when at least this fraction of the samples is classified as it.
COVERED_CLASS_FRACTION = 0.05
# Neighbourhood size of the precision/recall manifolds (Kynkäänniemi et al. 2019 use k = 3).
PRECISION_RECALL_K = 3
# Rows per block of pairwise distances: a [2048, 10_000] float32 block is 80 MB.
DISTANCE_CHUNK = 2048

# The keys of every metrics dict, in the order the report shows them.
METRIC_KEYS = (
    "fid",
    "inception_score",
    "confident_fraction",
    "classes_over_5pct",
    "precision",
    "recall",
    "label_accuracy",
    "class_histogram",
)


def frechet_distance(features_a: np.ndarray, features_b: np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets [N, D] and [M, D] (N, M >= 2)."""
    a, b = np.asarray(features_a, np.float64), np.asarray(features_b, np.float64)
    if len(a) < 2 or len(b) < 2:
        raise ValueError("the Fréchet distance needs at least 2 samples on each side")
    mean_a, mean_b = a.mean(axis=0), b.mean(axis=0)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    # tr sqrt(A B) = tr sqrt(A^1/2 B A^1/2), whose argument is symmetric PSD: eigh is stable there.
    values, vectors = np.linalg.eigh(cov_a)
    sqrt_a = (vectors * np.sqrt(np.clip(values, 0, None))) @ vectors.T
    product = sqrt_a @ cov_b @ sqrt_a
    trace_sqrt = np.sqrt(np.clip(np.linalg.eigvalsh((product + product.T) / 2), 0, None)).sum()
    distance = np.sum((mean_a - mean_b) ** 2) + np.trace(cov_a) + np.trace(cov_b) - 2 * trace_sqrt
    return float(max(distance, 0.0))


def _squared_distances(a: np.ndarray, b: np.ndarray, a_sq: np.ndarray, b_sq: np.ndarray) -> np.ndarray:
    """||a_i - b_j||^2 [len(a), len(b)] via ||a||^2 - 2 a.b + ||b||^2 (one matmul)."""
    distances = a @ b.T
    distances *= -2.0  # in place: one [len(a), len(b)] buffer, no temporaries
    distances += a_sq[:, None]
    distances += b_sq[None, :]
    return np.maximum(distances, 0.0, out=distances)


def _knn_radii(features: np.ndarray, k: int, chunk: int) -> np.ndarray:
    """Squared distance from each point to its k-th nearest other point [N]."""
    if len(features) <= k:
        raise ValueError(f"precision/recall with k={k} needs more than {k} samples, got {len(features)}")
    norms = np.einsum("ij,ij->i", features, features)
    radii = np.empty(len(features), np.float32)
    for start in range(0, len(features), chunk):
        block = _squared_distances(features[start : start + chunk], features, norms[start : start + chunk], norms)
        # Index 0 of each sorted row is the point itself (distance 0), so index k is its k-th neighbour.
        radii[start : start + chunk] = np.partition(block, k, axis=1)[:, k]
    return radii


def precision_recall(
    real_features: np.ndarray, fake_features: np.ndarray, k: int = PRECISION_RECALL_K, chunk: int = DISTANCE_CHUNK
) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) -> (precision, recall).

    Each set's manifold is the union of balls around its points reaching their k-th nearest
    neighbour. Precision: the fraction of fake points inside the real manifold (are samples
    realistic?). Recall: the fraction of real points inside the fake manifold (is the variety
    covered?). Distances come in blocks of `chunk` rows, so 10k x 10k needs no 400 MB matrix.
    """
    # Centring on a shared mean keeps the float32 norms small, and with them the rounding error.
    offset = np.asarray(real_features, np.float64).mean(axis=0)
    real = (np.asarray(real_features, np.float64) - offset).astype(np.float32)
    fake = (np.asarray(fake_features, np.float64) - offset).astype(np.float32)
    real_radii, fake_radii = _knn_radii(real, k, chunk), _knn_radii(fake, k, chunk)
    real_norms, fake_norms = np.einsum("ij,ij->i", real, real), np.einsum("ij,ij->i", fake, fake)
    fake_inside = np.zeros(len(fake), bool)
    real_inside = np.zeros(len(real), bool)
    for start in range(0, len(fake), chunk):
        block = _squared_distances(fake[start : start + chunk], real, fake_norms[start : start + chunk], real_norms)
        fake_inside[start : start + chunk] = (block <= real_radii[None, :]).any(axis=1)
        real_inside |= (block <= fake_radii[start : start + chunk, None]).any(axis=0)
    return float(fake_inside.mean()), float(real_inside.mean())


def inception_score(probabilities: np.ndarray) -> float:
    """exp(E_x KL(p(y|x) || p(y))) with the judge as classifier: 1 (useless) .. 10 (sharp and balanced)."""
    p = np.asarray(probabilities, np.float64)
    eps = 1e-12
    marginal = p.mean(axis=0)
    kl = np.sum(p * (np.log(p + eps) - np.log(marginal + eps)[None, :]), axis=1)
    return float(np.exp(kl.mean()))


def classification_metrics(probabilities: np.ndarray, requested_labels: np.ndarray | None) -> dict:
    """The metrics that need only the judge's class probabilities [N, 10]."""
    predicted = probabilities.argmax(axis=1)
    histogram = np.bincount(predicted, minlength=NUM_CLASSES)[:NUM_CLASSES] / len(predicted)
    label_accuracy = None
    if requested_labels is not None:
        requested_labels = np.asarray(requested_labels).reshape(-1)
        if len(requested_labels) != len(predicted):
            raise ValueError(f"{len(requested_labels)} requested labels for {len(predicted)} images")
        label_accuracy = float(np.mean(predicted == requested_labels))
    return {
        "inception_score": inception_score(probabilities),
        "confident_fraction": float(np.mean(probabilities.max(axis=1) > CONFIDENCE_THRESHOLD)),
        "class_histogram": [float(value) for value in histogram],
        "classes_over_5pct": int(np.sum(histogram >= COVERED_CLASS_FRACTION)),
        "label_accuracy": label_accuracy,
    }


def distribution_metrics(features: np.ndarray, reference_features: np.ndarray) -> dict:
    """The metrics that compare two feature sets: FID, precision and recall."""
    precision, recall = precision_recall(reference_features, features)
    return {"fid": frechet_distance(features, reference_features), "precision": precision, "recall": recall}


def ordered(metrics: dict) -> dict:
    """A metrics dict with exactly METRIC_KEYS, in their order."""
    return {key: metrics[key] for key in METRIC_KEYS}


def format_table(result: dict) -> str:
    """The metrics of `judge.evaluate_generator` as a text table: metric, generated, real floor."""

    def cell(value) -> str:
        if value is None:
            return "-"
        if isinstance(value, list):
            return " ".join(f"{v:.2f}" for v in value)
        if isinstance(value, int):
            return str(value)
        return f"{value:.4f}"

    rows = [("metric", "generated", "real (floor)")]
    rows += [(key, cell(result["generated"][key]), cell(result["real"][key])) for key in METRIC_KEYS]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["  ".join(text.ljust(width) for text, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    lines.append(f"judge accuracy on the held-out digits: {result['judge']['heldout_accuracy']:.4f}")
    lines.append(f"{result['samples']:,} samples; reference: {result['heldout_source']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- upscaling: pixels against the originals

# SSIM (Wang et al. 2004) with its usual constants, on pixels in [0, 1].
SSIM_WINDOW, SSIM_SIGMA, SSIM_K1, SSIM_K2 = 11, 1.5, 0.01, 0.03


def psnr(images: np.ndarray, originals: np.ndarray) -> np.ndarray:
    """Peak signal-to-noise ratio per image in dB; both [N, H, W] with pixels in [0, 1] -> [N].

    Identical images give inf; callers average finite values (an exact copy never happens here).
    """
    a, b = np.asarray(images, np.float64), np.asarray(originals, np.float64)
    mse = np.mean((a - b) ** 2, axis=(1, 2))
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(1.0 / mse)


def _gaussian_filter_valid(images: np.ndarray, window: np.ndarray) -> np.ndarray:
    """[N, H, W] -> [N, H - k + 1, W - k + 1]: a separable filter, valid positions only."""
    k = len(window)
    rows = np.lib.stride_tricks.sliding_window_view(images, k, axis=1) @ window  # [N, H-k+1, W]
    return np.lib.stride_tricks.sliding_window_view(rows, k, axis=2) @ window


def ssim(images: np.ndarray, originals: np.ndarray) -> np.ndarray:
    """Mean structural similarity per image (11x11 Gaussian window, sigma 1.5, valid positions:
    18x18 of a 28x28 digit); both [N, H, W] with pixels in [0, 1] -> [N], 1 = identical."""
    x, y = np.asarray(images, np.float64), np.asarray(originals, np.float64)
    offsets = np.arange(SSIM_WINDOW) - SSIM_WINDOW // 2
    window = np.exp(-(offsets**2) / (2 * SSIM_SIGMA**2))
    window /= window.sum()
    c1, c2 = SSIM_K1**2, SSIM_K2**2
    mu_x, mu_y = _gaussian_filter_valid(x, window), _gaussian_filter_valid(y, window)
    var_x = _gaussian_filter_valid(x * x, window) - mu_x**2
    var_y = _gaussian_filter_valid(y * y, window) - mu_y**2
    cov = _gaussian_filter_valid(x * y, window) - mu_x * mu_y
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return index.mean(axis=(1, 2))
