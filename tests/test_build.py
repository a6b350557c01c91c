"""The command line end to end: tiny real builds in subprocesses, bad input, Ctrl-C, two devices."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from pipeline import build, export
from pipeline import train as training
from pipeline.config import ROOT
from tests.helpers import paths, run_build

pytestmark = pytest.mark.slow
TINY = ["--epochs", "1", "--batch-size", "32", "--seed", "3"]


def test_tiny_build_exports_a_model_that_matches_the_keras_generator(tmp_path, small_npz):
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    done = run_build(*paths(small_npz, out, run_dir), "--eval-samples", "200", "--quantize", "none", *TINY)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "npz file" in done.stdout and "320 images" in done.stdout  # says which source and how many
    assert "max |diff|" in done.stdout

    model, metadata = export.load_exported(out)
    assert metadata["variant"] == "cgan" and metadata["latent_dim"] == 64 and metadata["num_classes"] == 10
    assert metadata["image_shape"] == [28, 28, 1] and metadata["output_range"] == [-1.0, 1.0]
    assert metadata["training"]["epochs"] == 1 and metadata["training"]["images_seen"] == 320
    assert "npz file" in metadata["training"]["data_source"]
    assert metadata["export_check"]["max_abs_diff"]["float32"] < 1e-4
    assert metadata["evaluation"]["samples"] == 200
    assert sorted(p.name for p in out.iterdir()) == ["group1-shard1of1.bin", "metadata.json", "model.json", "report"]
    for name in ("samples.png", "training.gif", "loss_per_epoch.png", "loss_per_batch.png", "summary.json"):
        assert (out / "report" / name).exists(), name

    # Independently of the build's own check: the Keras generator restored from the checkpoint
    # and the TF.js files reloaded by the tensorflowjs loader agree on fresh noise.
    generator, config = training.restore_shipped_generator(run_dir)
    inputs = export.check_noise(config, count=32, seed=99)
    keras_out = generator(inputs, training=False).numpy()
    tfjs_out = model(inputs, training=False).numpy()
    assert np.abs(keras_out - tfjs_out).max() < 1e-4
    assert keras_out.std() > 0.1  # a trained generator, not a constant


@pytest.mark.parametrize("quantize, limit", [("none", 1e-4), ("float16", 2e-2), ("uint8", 0.6)])
def test_quantized_exports_are_smaller_and_close(tmp_path, small_npz, quantize, limit):
    out = tmp_path / "exported"
    done = run_build(
        *paths(small_npz, out, tmp_path / "run"),
        "--quantize",
        quantize,
        "--no-eval",
        "--model",
        "mlp",
        *TINY,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    metadata = json.loads((out / "metadata.json").read_text())
    float32_bytes = metadata["parameters"] * 4
    assert metadata["quantization"] == quantize
    assert metadata["model_bytes"] < float32_bytes * {"none": 1.01, "float16": 0.55, "uint8": 0.3}[quantize]
    assert metadata["export_check"]["max_abs_diff"]["float32"] < 1e-4
    name = "float32" if quantize == "none" else quantize
    assert metadata["export_check"]["max_abs_diff"][name] <= limit


def test_two_device_mirrored_run(tmp_path, small_npz):
    out = tmp_path / "exported"
    done = run_build(
        *paths(small_npz, out, tmp_path / "run"),
        "--distribute",
        "mirrored",
        "--model",
        "dcgan",
        "--no-eval",
        *TINY,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "MirroredStrategy over 2 devices" in done.stdout
    assert json.loads((out / "metadata.json").read_text())["training"]["images_seen"] == 320


def test_ctrl_c_checkpoints_then_resume_finishes(tmp_path, small_npz):
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    args = [
        *paths(small_npz, out, run_dir),
        "--no-eval",
        "--model",
        "mlp",
        "--epochs",
        "400",
        "--batch-size",
        "32",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.build", *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"),
    )
    for line in process.stdout:  # wait until two epochs are done
        if line.startswith("epoch 2/400"):
            break
    process.send_signal(signal.SIGINT)
    stdout, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    last = stderr.strip().splitlines()[-1]
    assert "resume with: python -m pipeline.build" in last and "--resume" in last
    assert "Traceback" not in stderr
    assert not out.exists()  # nothing exported from an interrupted run
    stopped_at = training.Checkpoints(run_dir).read_state().epoch
    assert stopped_at >= 2

    args[args.index("400")] = str(stopped_at + 1)
    done = run_build(*args, "--resume")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming from" in done.stdout
    assert json.loads((out / "metadata.json").read_text())["training"]["epochs"] == stopped_at + 1


def test_help_documents_every_flag():
    help_text = build.make_parser().format_help()
    for flag in (
        "--model",
        "--epochs",
        "--batch-size",
        "--latent-dim",
        "--data",
        "--out",
        "--seed",
        "--resume",
        "--quantize",
        "--distribute",
        "--eval-data",
        "--run-dir",
        "--diversity-weight",
        "--decay-start",
    ):
        assert flag in help_text, flag


def test_each_variant_gets_its_recipe_and_flags_override_it():
    default, _ = build.parse_config([])
    classic, _ = build.parse_config(["--model", "mlp"])
    overridden, _ = build.parse_config(["--model", "mlp", "--diversity-weight", "0.3", "--decay-start", "0.8"])
    off, _ = build.parse_config(["--diversity-weight", "0", "--decay-start", "1"])
    assert (default.train.diversity_weight, default.train.decay_start) == (0.4, 0.5)
    assert (classic.train.diversity_weight, classic.train.decay_start) == (0.0, 1.0)
    assert (overridden.train.diversity_weight, overridden.train.decay_start) == (0.3, 0.8)
    assert (off.train.diversity_weight, off.train.decay_start) == (0.0, 1.0)


def test_same_seed_gives_the_same_model(tmp_path, small_npz):
    """--seed: two runs on this machine write byte-identical weights; another seed does not."""
    hashes = []
    for name, seed in (("a", "3"), ("b", "3"), ("c", "4")):
        out = tmp_path / name
        args = [*paths(small_npz, out, tmp_path / f"run-{name}"), "--model", "dcgan", "--no-eval"]
        done = run_build(*args, "--epochs", "2", "--batch-size", "32", "--seed", seed, "--quantize", "none")
        assert done.returncode == 0, done.stderr[-2000:]
        hashes.append(json.loads((out / "metadata.json").read_text())["sha256"]["group1-shard1of1.bin"])
    assert hashes[0] == hashes[1]
    assert hashes[0] != hashes[2]
