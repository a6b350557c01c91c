"""Training runs: checkpoints that survive interruptions, resume, the report and its pictures."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from pipeline import callbacks, report
from pipeline import train as training
from pipeline.assemble import build_gan
from pipeline.checkpoints import CheckpointError, Checkpoints, RunState, check_resumable, make_checkpoint
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import load_path

SMALL = TrainConfig(epochs=1, epoch_images=0, batch_size=32, seed=3)


@pytest.fixture(scope="module")
def small_digits(small_npz):
    return load_path(small_npz)


def test_one_epoch_writes_grid_checkpoint_and_report(tmp_path, small_digits):
    config = dataclasses.replace(SMALL, grid_columns=4)
    result = training.train(ModelConfig(variant="cgan"), config, small_digits, tmp_path, log=lambda m: None)
    assert result.state.epoch == 1
    assert result.state.images_seen == (320 // 32) * 32
    # grid_columns digits per row, one row per digit: 4 x 10 cells of 28 px plus gaps, scaled up.
    with Image.open(tmp_path / "samples" / "epoch_0001.png") as grid:
        cell = 28 + report.GAP
        assert grid.size == ((4 * cell + report.GAP) * report.SCALE, (10 * cell + report.GAP) * report.SCALE)
    for name in ("samples.png", "training.gif", "loss_per_epoch.png", "loss_per_batch.png", "README.md"):
        assert (result.report_dir / name).stat().st_size > 0, name
    summary = json.loads((result.report_dir / "summary.json").read_text())
    assert summary["epochs"] == 1 and summary["images_seen"] == 320
    assert set(summary["final_losses"]) == {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"}
    assert len(result.state.history["batch"]["d_loss"]) == 10  # one value per batch


def test_resume_continues_epochs_optimiser_schedule_and_noise_stream(tmp_path, small_digits, monkeypatch):
    model = ModelConfig(variant="dcgan", latent_dim=16)
    training.train(model, SMALL, small_digits, tmp_path, log=lambda m: None)
    first = Checkpoints(tmp_path).read_state()

    rates = []  # (step, g rate, d rate) that each optimiser update of the resumed run used
    record_batch = callbacks.TrainingMonitor.on_train_batch_end

    def spy(monitor, batch, logs=None):
        g_optimizer, d_optimizer = monitor.model.g_optimizer, monitor.model.d_optimizer
        rates.append(
            (int(g_optimizer.iterations) - 1, float(g_optimizer.learning_rate), float(d_optimizer.learning_rate))
        )
        record_batch(monitor, batch, logs)

    monkeypatch.setattr(callbacks.TrainingMonitor, "on_train_batch_end", spy)
    resumed = TrainConfig(epochs=3, epoch_images=0, batch_size=32, seed=3, decay_start=0.2)
    result = training.train(model, resumed, small_digits, tmp_path, resume=True, log=lambda m: None)
    assert first.epoch == 1 and result.state.epoch == 3
    assert result.state.images_seen == 3 * 320
    assert len(result.state.history["epoch"]["g_loss"]) == 3

    # The rate continues from the restored step on the schedule of the whole run (30 steps, falling
    # from step 6): not restarted at step 0, not stretched over the 20 steps left.
    steps = np.arange(10, 30)
    expected = 2e-4 * np.minimum(1.0, (30 - steps) / (30 - 6))
    np.testing.assert_array_equal([step for step, _, _ in rates], steps)
    np.testing.assert_allclose([g for _, g, _ in rates], expected, rtol=1e-5)
    np.testing.assert_allclose([d for _, _, d in rates], expected, rtol=1e-5)

    # The checkpoint restores weights, optimiser step counters and the noise generator's state.
    saved = build_gan(model, SMALL)
    checkpoint = make_checkpoint(saved)
    saved.d_optimizer.build(saved.discriminator.trainable_weights)
    saved.g_optimizer.build(saved.generator.trainable_weights)
    Checkpoints(tmp_path).restore(checkpoint)
    assert int(saved.g_optimizer.iterations.numpy()) == 30
    np.testing.assert_array_equal(saved.ema_generator.get_weights()[0], result.generator.get_weights()[0])
    fresh = build_gan(model, SMALL)
    assert not np.array_equal(saved.noise_rng.state.numpy(), fresh.noise_rng.state.numpy())


def test_a_save_killed_midway_leaves_the_previous_checkpoint(tmp_path, small_digits, monkeypatch):
    model = ModelConfig(variant="mlp", latent_dim=8)
    training.train(model, SMALL, small_digits, tmp_path, log=lambda m: None)
    checkpoints = Checkpoints(tmp_path)
    good = checkpoints.latest()

    gan = build_gan(model, SMALL)
    checkpoint = make_checkpoint(gan)

    def dies_after_writing_weights(prefix):
        tf.train.Checkpoint.write(checkpoint, prefix)
        raise KeyboardInterrupt  # the process dies between the weights and state.json

    monkeypatch.setattr(checkpoint, "write", dies_after_writing_weights)
    with pytest.raises(KeyboardInterrupt):
        checkpoints.save(checkpoint, RunState(model={"variant": "mlp", "latent_dim": 8}, epoch=99))
    assert checkpoints.latest() == good
    assert checkpoints.read_state().epoch == 1
    # The next good save cleans the half-written folder away.
    monkeypatch.undo()
    checkpoints.save(make_checkpoint(gan), RunState(model={"variant": "mlp", "latent_dim": 8}, epoch=2))
    assert sorted(p.name for p in checkpoints.root.iterdir()) == ["LATEST", "ckpt-000002"]


def test_resume_rejects_a_checkpoint_of_another_model(tmp_path, small_digits):
    training.train(ModelConfig(variant="mlp", latent_dim=8), SMALL, small_digits, tmp_path, log=lambda m: None)
    with pytest.raises(CheckpointError, match="variant=mlp"):
        check_resumable(tmp_path, ModelConfig(variant="cgan"), {"variant"})
    with pytest.raises(CheckpointError, match="latent_dim=8"):
        check_resumable(tmp_path, ModelConfig(variant="mlp", latent_dim=100), {"latent_dim"})
    # Not given explicitly: the checkpoint's own configuration is used.
    assert check_resumable(tmp_path, ModelConfig(), set()).model["variant"] == "mlp"
    with pytest.raises(CheckpointError, match="no checkpoint"):
        check_resumable(tmp_path / "empty", ModelConfig(), set())


def test_nan_loss_stops_training_and_saves_nothing(tmp_path, small_digits):
    model = ModelConfig(variant="mlp", latent_dim=8)
    training.train(model, SMALL, small_digits, tmp_path, log=lambda m: None)
    before = Checkpoints(tmp_path).latest()
    # A fresh run into the same folder whose weights blow up at the first update.
    bad = TrainConfig(epochs=3, epoch_images=0, batch_size=32, seed=3, d_learning_rate=float("inf"))
    with pytest.raises(training.TrainingDiverged, match="NaN or infinite"):
        training.train(model, bad, small_digits, tmp_path, log=lambda m: None)
    assert Checkpoints(tmp_path).latest() == before
    assert Checkpoints(tmp_path).read_state().epoch == 1


def test_time_limit_stops_early_and_checkpoints(tmp_path, small_digits):
    config = TrainConfig(epochs=1000, epoch_images=0, batch_size=32, seed=3, time_limit=3.0)
    result = training.train(
        ModelConfig(variant="mlp", latent_dim=8), config, small_digits, tmp_path, log=lambda m: None
    )
    assert 0 < result.state.images_seen < 1000 * 320
    assert Checkpoints(tmp_path).read_state().images_seen == result.state.images_seen


def test_resume_with_a_constant_rate_restores_a_decaying_run(tmp_path, small_digits):
    model = ModelConfig(variant="dcgan", latent_dim=16)
    training.train(model, SMALL, small_digits, tmp_path, log=lambda m: None)  # decay_start 0.5
    constant = TrainConfig(epochs=2, epoch_images=0, batch_size=32, seed=3, decay_start=1.0)
    result = training.train(model, constant, small_digits, tmp_path, resume=True, log=lambda m: None)
    assert result.state.epoch == 2


def test_fixed_size_epochs_cut_an_endless_stream_whatever_the_source_size(tmp_path, small_digits):
    """epoch_images sets the epoch (steps, grids, checkpoints), not the size of the training set."""
    config = TrainConfig(epochs=3, epoch_images=160, batch_size=32, seed=3)
    result = training.train(ModelConfig(variant="dcgan"), config, small_digits, tmp_path / "run", log=lambda m: None)
    assert result.state.epoch == 3 and result.state.epoch_steps == 5
    assert result.state.images_seen == 3 * 160
    assert len(result.state.history["batch"]["d_loss"]) == 15
    assert len(sorted((tmp_path / "run" / "samples").glob("epoch_*.png"))) == 3
