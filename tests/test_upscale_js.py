"""The page's super-resolution arithmetic (web/upscale.js, run under node) is pipeline/superres.py's: the same
bicubic baseline and the same 4x4 area downsampling, so the page's PSNRs are the build's."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from pipeline import data, superres
from pipeline.config import ROOT

NODE_CHECK = ROOT / "tests" / "js" / "upscale_check.mjs"


def run_node(payload: dict) -> dict:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    completed = subprocess.run(
        [node, "--no-warnings", str(NODE_CHECK)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_page_bicubic_and_downsampling_are_the_builds():
    rng = np.random.default_rng(0)
    low_res = rng.uniform(-1, 1, (16, 7, 7, 1)).astype(np.float32)
    images = rng.uniform(0, 1, (8, 28, 28)).astype(np.float32)
    result = run_node({"low_res": low_res.reshape(16, 49).tolist(), "images": images.reshape(8, 784).tolist()})
    page_bicubic = np.asarray(result["bicubic"], np.float32).reshape(16, 28, 28, 1)
    np.testing.assert_allclose(page_bicubic, superres.bicubic_upscale(low_res), rtol=0, atol=1e-5)
    page_low = np.asarray(result["downsampled"], np.float32).reshape(8, 7, 7, 1)
    np.testing.assert_allclose(page_low, data.downsample(images[..., None], superres.FACTOR), rtol=0, atol=1e-6)
