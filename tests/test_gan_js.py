"""web/gan.js under Node computes what the export check compared with Keras: on the check's inputs, the shipped
cgan's outputs through gan.predict are the tensorflowjs package's reload's, within the export's float32 tolerance."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess

import numpy as np
import pytest

from pipeline import export
from pipeline.config import EXPORTED_ROOT, ROOT, ModelConfig
from pipeline.data import first_output

NODE_TEST = ROOT / "tests" / "node" / "gan_parity.test.mjs"
MODEL = EXPORTED_ROOT / "cgan"
MEASURED = re.compile(r"max \|diff\| = (\S+)")


def test_gan_js_predict_matches_the_export_checks_reload(tmp_path):
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    if not (ROOT / "node_modules" / "@tensorflow" / "tfjs").is_dir():
        pytest.skip("@tensorflow/tfjs is not installed: run `npm ci`")
    if not (MODEL / export.METADATA_FILE).is_file():
        pytest.skip(f"no exported model in {MODEL}")
    reloaded, metadata = export.load_exported(MODEL)  # the tf_keras model the export check compared with Keras
    model_config = ModelConfig(
        variant=metadata["variant"], latent_dim=metadata["latent_dim"], num_classes=metadata["num_classes"]
    )
    inputs = export.check_inputs(model_config)  # noise [64, 64], one-hot labels [64, 10]
    reference = np.asarray(first_output(reloaded(inputs, training=False)), np.float32)  # [64, 28, 28, 1]
    payload = tmp_path / "parity.json"
    payload.write_text(
        json.dumps(
            {
                "folder": str(MODEL),
                "inputs": [np.asarray(values, np.float32).ravel().tolist() for values in inputs],
                "reference": reference.ravel().tolist(),
            }
        )
    )
    completed = subprocess.run(
        [node, "--test", str(NODE_TEST)],
        env={**os.environ, "GAN_PARITY_JSON": str(payload)},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    measured = MEASURED.search(completed.stdout)
    assert measured, f"the node test did not run: {completed.stdout}"
    print(f"gan.js vs the tensorflowjs reload: {measured.group(0)}")
    assert float(measured.group(1)) <= metadata["export_check"]["tolerance"]["float32"]
