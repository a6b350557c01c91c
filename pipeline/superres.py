"""Super-resolution of digits, measured: area downsampling, the bicubic baseline, and the scores of an upscaler.

The page does the same arithmetic (web/upscale.js): both sides upscale with the same bicubic
weights (Keys' cubic, a = -0.5, pixel centres aligned, edges clamped), so their PSNRs agree.
"""

from __future__ import annotations

import functools

import numpy as np

from pipeline import data
from pipeline.config import IMAGE_SHAPE, LOW_RES_SHAPE
from pipeline.metrics import psnr, ssim

FACTOR = IMAGE_SHAPE[0] // LOW_RES_SHAPE[0]  # 4
CUBIC_A = -0.5


def _cubic(t: np.ndarray) -> np.ndarray:
    t = np.abs(t)
    a = CUBIC_A
    near = (a + 2) * t**3 - (a + 3) * t**2 + 1
    far = a * t**3 - 5 * a * t**2 + 8 * a * t - 4 * a
    return np.where(t <= 1, near, np.where(t < 2, far, 0.0))


@functools.cache
def bicubic_matrix(size_in: int, size_out: int) -> np.ndarray:
    """[size_out, size_in] weights: output pixel i samples input position (i + 0.5) / scale - 0.5,
    from its four neighbours, indices clamped at the edges (each row sums to 1)."""
    scale = size_out / size_in
    matrix = np.zeros((size_out, size_in))
    for i in range(size_out):
        centre = (i + 0.5) / scale - 0.5
        base = int(np.floor(centre))
        for j in range(base - 1, base + 3):
            matrix[i, min(max(j, 0), size_in - 1)] += _cubic(centre - j)
    return matrix


def bicubic_upscale(low_res: np.ndarray, factor: int = FACTOR) -> np.ndarray:
    """[N, h, w, 1] -> [N, h*factor, w*factor, 1] float32, same value range (overshoot not clipped)."""
    n, h, w, _ = low_res.shape
    rows, cols = bicubic_matrix(h, h * factor), bicubic_matrix(w, w * factor)
    return np.einsum("ih,nhw,jw->nij", rows, low_res[..., 0].astype(np.float64), cols)[..., None].astype(np.float32)


def to_unit(values: np.ndarray) -> np.ndarray:
    """Model range [-1, 1] -> pixels in [0, 1], clipped, as [N, H, W] (what PSNR and SSIM compare)."""
    return np.clip((np.asarray(values, np.float32)[..., 0] + 1.0) / 2.0, 0.0, 1.0)


def scores(upscaled: np.ndarray, originals: np.ndarray, labels: np.ndarray, judge) -> dict:
    """Mean PSNR and SSIM against the originals and the judge's accuracy, all on pixels quantised
    to uint8 as the page draws them; upscaled and originals [N, 28, 28, 1] in [-1, 1]."""
    pixels = data.to_pixels(upscaled)[..., 0]
    unit, reference = pixels / 255.0, to_unit(originals)
    accuracy = float(np.mean(judge.predict_proba(pixels).argmax(axis=1) == labels))
    return {
        "psnr": float(np.mean(psnr(unit, reference))),
        "ssim": float(np.mean(ssim(unit, reference))),
        "judge_accuracy": accuracy,
    }


def evaluate_upscaler(upscale, judge, heldout: data.Digits, samples: int = 10_000) -> dict:
    """Score `upscale` (low_res [N, 7, 7, 1] -> [N, 28, 28, 1], model range) on up to `samples`
    held-out digits against bicubic upscaling of the same 7x7 digits and the originals themselves."""
    count = min(samples, len(heldout))
    originals = data.to_model_range(heldout.images[:count])
    labels = heldout.labels[:count]
    low_res = data.downsample(originals, FACTOR)
    upscaled = np.concatenate([np.asarray(upscale(low_res[i : i + 1000])) for i in range(0, count, 1000)])
    original_accuracy = float(np.mean(judge.predict_proba(heldout.images[:count]).argmax(axis=1) == labels))
    return {
        "heldout_source": heldout.source,
        "samples": int(count),
        "judge": {"heldout_accuracy": original_accuracy},
        "upscaled": scores(upscaled, originals, labels, judge),
        "bicubic": scores(bicubic_upscale(low_res), originals, labels, judge),
        "original": {"judge_accuracy": original_accuracy},
    }
