"""The command line end to end: tiny real builds in subprocesses, their output, TensorBoard, Ctrl-C, two devices."""

from __future__ import annotations

import json
import re
import signal
import subprocess

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from pipeline import export, options, report
from pipeline.assemble import shipped_generator
from pipeline.checkpoints import Checkpoints, restore_gan, restore_shipped_generator
from pipeline.config import ROOT
from tests.helpers import paths, run_build, start_build, tiny_mlp

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
    assert metadata["evaluation"]["samples"] == 200
    shipped = ["discriminator", "group1-shard1of1.bin", "metadata.json", "model.json", "report", "timeline"]
    assert sorted(p.name for p in out.iterdir()) == shipped
    for name in ("samples.png", "training.gif", "loss_per_epoch.png", "loss_per_batch.png", "summary.json"):
        assert (out / "report" / name).exists(), name

    # Independently of the build's own check: the Keras generator restored from the checkpoint
    # and the TF.js files reloaded by the tensorflowjs loader agree on fresh noise.
    generator, config = restore_shipped_generator(run_dir)
    inputs = export.check_inputs(config, count=32, seed=99)
    keras_out = generator(inputs, training=False).numpy()
    tfjs_out = model(inputs, training=False).numpy()
    assert np.abs(keras_out - tfjs_out).max() < 1e-4
    assert keras_out.std() > 0.1  # a trained generator, not a constant


@pytest.mark.parametrize("variant", ["cgan", "lapgan", "srgan"])
def test_every_variant_exports_what_keras_computes_and_its_discriminator(tmp_path, small_npz, variant):
    """float32 export parity (<= 1e-4) of the generator, every output, and of the discriminator's
    probability "real", rechecked here from the checkpoint independently of the build's own check."""
    from tensorflowjs.converters import load_keras_model

    out, run_dir = tmp_path / "exported", tmp_path / "run"
    done = run_build(*paths(small_npz, out, run_dir), "--model", variant, "--quantize", "none", "--no-eval", *TINY)
    assert done.returncode == 0, done.stderr[-3000:]
    model, metadata = export.load_exported(out)
    assert metadata["export_check"]["max_abs_diff"]["float32"] <= 1e-4
    gan, config = restore_gan(run_dir)
    inputs = export.check_inputs(config, count=16, seed=7)
    shipped = shipped_generator(gan.ema_generator, config)
    keras_out, tfjs_out = shipped(inputs, training=False), model(inputs, training=False)
    for a, b in zip(tf.nest.flatten(keras_out), tf.nest.flatten(tfjs_out)):
        assert np.abs(np.asarray(a) - np.asarray(b)).max() <= 1e-4
    # The contract: every output inside output_range, even for inputs far outside the usual ones; the
    # clip (lapgan, srgan) changes nothing inside it (but float rounding).
    extreme = [4 * x for x in inputs]
    for output in tf.nest.flatten(model(extreme, training=False)):
        assert -1 <= np.asarray(output).min() and np.asarray(output).max() <= 1
    raw, clipped = gan.ema_generator(inputs, training=False), shipped(inputs, training=False)
    for a, b in zip(tf.nest.flatten(raw), tf.nest.flatten(clipped)):
        assert np.abs(np.clip(np.asarray(a), -1, 1) - np.asarray(b)).max() <= 1e-6  # (x + 1) - 1 rounds
    assert [o["name"] for o in metadata["outputs"]] == (
        ["image", "level_14", "level_7"] if variant == "lapgan" else ["image"]
    )
    critic = gan.shipped_discriminator()
    if variant == "srgan":
        assert metadata["discriminator"] is None and not (out / "discriminator").exists()
        return
    assert metadata["discriminator"]["export_check"]["max_abs_diff"]["float32"] <= 1e-4
    reloaded = load_keras_model(str(out / metadata["discriminator"]["model_file"]))
    critic_inputs = export.discriminator_check_inputs(gan.ema_generator, config)
    expected = tf.sigmoid(critic(critic_inputs, training=False)).numpy()
    assert np.abs(expected - tf.sigmoid(reloaded(critic_inputs, training=False)).numpy()).max() <= 1e-4
    assert export.verify(out)["discriminator"]["sha256"]  # the discriminator's files are hashed too


@pytest.mark.parametrize("quantize", ["none", "float16", "uint8"])
def test_quantized_exports_ship_quantized_weights(tmp_path, small_npz, quantize):
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
    # The shards hold every weight in the asked-for format, as the TF.js loader will read it.
    manifest = json.loads((out / "model.json").read_text())["weightsManifest"]
    dtypes = {
        weight.get("quantization", {}).get("dtype", "float32") for group in manifest for weight in group["weights"]
    }
    assert dtypes == {{"none": "float32"}.get(quantize, quantize)}


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
    assert "MirroredStrategy: 2 replicas" in done.stdout
    assert json.loads((out / "metadata.json").read_text())["training"]["images_seen"] == 320


def test_ctrl_c_checkpoints_then_resume_finishes(tmp_path, small_npz):
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    args = [*paths(small_npz, out, run_dir), *tiny_mlp(400)]
    process = start_build(*args, stderr=subprocess.PIPE)
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
    stopped_at = Checkpoints(run_dir).read_state().epoch
    assert stopped_at >= 2

    args[args.index("400")] = str(stopped_at + 1)
    done = run_build(*args, "--resume")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "resuming from" in done.stdout
    assert json.loads((out / "metadata.json").read_text())["training"]["epochs"] == stopped_at + 1


def test_the_build_docs_document_every_flag():
    """docs/build.md's flags table is the manual: a flag added to the parser without a row fails here."""
    readme = (ROOT / "docs" / "build.md").read_text()
    flags = {
        flag for action in options.make_parser()._actions for flag in action.option_strings if flag.startswith("--")
    }
    assert flags - {"--help"}, flags
    missing = [flag for flag in sorted(flags - {"--help"}) if f"`{flag}" not in readme]
    assert not missing, missing


def test_each_variant_gets_its_recipe_and_flags_override_it():
    default = options.parse_command([]).config
    classic = options.parse_command(["--model", "mlp"]).config
    overridden = options.parse_command(["--model", "mlp", "--diversity-weight", "0.3", "--decay-start", "0.8"]).config
    off = options.parse_command(["--diversity-weight", "0", "--decay-start", "1"]).config
    assert (default.train.diversity_weight, default.train.decay_start) == (0.4, 0.5)
    # Each variant's own length and terms (pipeline/variants.py), unless flags say otherwise.
    dcgan = options.parse_command(["--model", "dcgan"]).config
    assert (dcgan.train.epochs, dcgan.train.r1_weight, dcgan.train.diversity_weight) == (80, 10.0, 0.0)
    lapgan = options.parse_command(["--model", "lapgan"]).config
    assert (lapgan.train.epochs, lapgan.quantize, lapgan.model.latent_dim) == (60, "float16", 64)
    srgan = options.parse_command(["--model", "srgan"]).config
    assert (srgan.train.epochs, srgan.model.latent_dim, srgan.quantize) == (24, 0, "uint8")
    assert classic.model.latent_dim == 100 and classic.train.decay_start == 1.0
    assert options.parse_command(["--model", "lapgan", "--epochs", "2"]).config.train.epochs == 2
    assert options.parse_command(["--model", "dcgan", "--r1", "3"]).config.train.r1_weight == 3.0
    assert options.parse_command(["--model", "cgan", "--r1", "0"]).config.train.r1_weight == 0.0
    assert (classic.train.diversity_weight, classic.train.decay_start) == (0.0, 1.0)
    assert (overridden.train.diversity_weight, overridden.train.decay_start) == (0.3, 0.8)
    assert (off.train.diversity_weight, off.train.decay_start) == (0.0, 1.0)


@pytest.fixture(scope="module")
def seeded_builds(tmp_path_factory, small_npz):
    """Three 2-epoch dcgan builds: seed 3, seed 3 again with --tensorboard and no timeline, seed 4
    -> {name: (process, folder)}."""
    builds = {}
    for name, seed, extra in (("a", "3", []), ("b", "3", ["--timeline", "0", "--tensorboard"]), ("c", "4", [])):
        folder = tmp_path_factory.mktemp(f"seeded-{name}")
        if extra:
            extra = [*extra, str(folder / "tensorboard")]
        args = [*paths(small_npz, folder / "exported", folder / "run"), "--model", "dcgan", "--no-eval", *extra]
        done = run_build(*args, "--epochs", "2", "--batch-size", "32", "--seed", seed, "--quantize", "none")
        assert done.returncode == 0, done.stderr[-2000:]
        builds[name] = done, folder
    return builds


def test_same_seed_gives_the_same_model_with_or_without_tensorboard(seeded_builds):
    """--seed: the same seed writes byte-identical weights, logging to TensorBoard or not, keeping a timeline or
    not; another seed does not."""
    hashes = {
        name: json.loads((folder / "exported" / "metadata.json").read_text())["sha256"]["group1-shard1of1.bin"]
        for name, (_, folder) in seeded_builds.items()
    }
    assert hashes["a"] == hashes["b"]
    assert hashes["a"] != hashes["c"]
    assert (seeded_builds["a"][1] / "exported" / "timeline").is_dir()
    assert not (seeded_builds["b"][1] / "exported" / "timeline").exists()


# What TensorFlow, Keras and the converter print when nobody stops them (see pipeline/quiet.py).
NOISE = re.compile(
    r"cuFFT|cuDNN|cuBLAS|cuInit|remapper|absl::|computation placer|oneDNN|UserWarning|HDF5|compiled metrics"
    r"|^Epoch \d|\d+/\d+ - |ms/step|WARNING"
)
STAGES = (
    "training data: ",
    "held-out data: ",
    "training dcgan: ",
    "epoch ",
    "export check (generator): ",
    "export check (discriminator): ",
    "timeline: ",
    "exported dcgan ",
)


def test_a_build_prints_one_line_per_stage_and_one_progress_line_per_epoch(seeded_builds):
    for done, _ in seeded_builds.values():
        assert done.stderr == ""
        lines = done.stdout.splitlines()
        assert not [line for line in lines if NOISE.search(line)]
        assert [line for line in lines if not line.startswith(STAGES)] == []
        progress = [line for line in lines if line.startswith("epoch ")]
        assert [line.split()[1] for line in progress] == ["1/2", "2/2"]
        assert all(re.search(r"d_loss [\d.]+ .* g_loss [\d.]+ .*s/epoch +ETA \d+m\d\ds", line) for line in progress)


def test_tensorboard_logs_losses_accuracies_and_the_grid(seeded_builds):
    """--tensorboard: per-epoch and per-batch scalars, and the per-epoch grid as an image, in event files."""
    folder = seeded_builds["b"][1] / "tensorboard"
    steps, images = {}, {}
    for events in folder.glob("events.out.tfevents.*"):
        for event in tf.compat.v1.train.summary_iterator(str(events)):
            for value in event.summary.value:
                steps.setdefault(value.tag, []).append(event.step)
                if value.tag == "samples":
                    images[event.step] = tf.make_ndarray(value.tensor)
    for tag in ("d_loss", "g_loss", "d_acc_real", "d_acc_fake"):
        assert steps[tag] == [1, 2], tag
        assert steps[f"batch/{tag}"] == list(range(1, 21)), tag  # 10 batches per epoch
    assert sorted(images) == [1, 2]
    width, height, png = images[2]  # an image summary: width, height, then the PNG
    cell = 28 + report.GAP
    assert (int(width), int(height)) == (
        (10 * cell + report.GAP) * report.SCALE,
        (10 * cell + report.GAP) * report.SCALE,
    )
    grid = tf.io.decode_png(png).numpy()[..., 0]
    run_grid = np.asarray(Image.open(seeded_builds["b"][1] / "run" / "samples" / "epoch_0002.png"))
    np.testing.assert_array_equal(grid, run_grid)  # the same fixed-noise grid the run saved


def test_a_discriminator_past_its_uint8_bound_ships_as_float16_and_the_build_goes_on(tmp_path, monkeypatch):
    """A finished training never fails on the discriminator's quantization: with the uint8 bound at 0 (no
    uint8 export can meet it), the real converter writes it as float16, which the float16 bound accepts."""
    from pipeline import models
    from pipeline.config import ModelConfig

    monkeypatch.setattr(export, "DISCRIMINATOR_TOLERANCE", {**export.DISCRIMINATOR_TOLERANCE, "uint8": 0.0})
    config = ModelConfig(variant="cgan", latent_dim=8)
    generator = models.cgan_generator(config.latent_dim, config.num_classes)
    discriminator = models.cgan_discriminator(config.num_classes, width=8)
    lines = []
    _, differences, quantization = export.write_discriminator(
        discriminator, generator, tmp_path, config, "uint8", log=lines.append
    )
    assert quantization == "float16"
    assert differences["float16"] <= export.DISCRIMINATOR_TOLERANCE["float16"]
    assert any("writing the discriminator as float16 instead" in line for line in lines)
    manifest = json.loads((tmp_path / export.DISCRIMINATOR_FOLDER / "model.json").read_text())["weightsManifest"]
    assert {w["quantization"]["dtype"] for group in manifest for w in group["weights"]} == {"float16"}
