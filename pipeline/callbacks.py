"""The Keras callbacks of a training run: the per-batch/per-epoch monitor and the TensorBoard writer."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import tensorflow as tf
import tf_keras as keras

from pipeline import report, timeline
from pipeline.checkpoints import Checkpoints, RunState
from pipeline.faults import crash_point


class TrainingMonitor(keras.callbacks.Callback):
    """Per batch: history, divergence, Ctrl-C and time-budget checks. Per epoch: grid, checkpoint, one progress line.

    Under MultiWorkerMirroredStrategy every worker runs it and does the same: each step, and each
    checkpoint save (reading the BatchNorm statistics), is a collective over the workers, so they
    all stop at the same batch (a reason seen by one is agreed by all) and all save; a non-chief
    worker's run folder is a scratch folder (pipeline.cluster).
    """

    def __init__(
        self,
        state: RunState,
        checkpoints: Checkpoints,
        checkpoint,
        grid_inputs: list[np.ndarray],
        grid_columns: int,
        epochs: int,
        batch_size: int,
        samples_dir: Path,
        time_limit: float,
        log: Callable[[str], object],
        snapshots: tuple[int, ...] = (),
    ):
        super().__init__()
        self.state, self.checkpoints, self.checkpoint = state, checkpoints, checkpoint
        self.grid_inputs, self.grid_columns = grid_inputs, grid_columns
        self.epochs, self.batch_size = epochs, batch_size
        self.samples_dir, self.time_limit, self.log = samples_dir, time_limit, log
        self.snapshots = set(snapshots)  # epochs whose generator the timeline keeps (pipeline.timeline)
        self.multiworker = False  # set at train begin, from the model's strategy
        self._interrupt_agreed = False
        self.interrupted = self.diverged = self.out_of_time = False
        self.first_epoch = state.epoch  # epochs done before this run: the ETA counts only this run's
        self.previous_wall = state.wall_time_s
        self.started = time.monotonic()
        self.epoch_batches = 0
        self.running: dict[str, float] = {}

    @property
    def interrupted(self) -> bool:
        """Ctrl-C asked for a stop; across workers, only once all of them know it (at a batch end)."""
        return self._interrupt_agreed if self.multiworker else self._interrupt_requested

    @interrupted.setter
    def interrupted(self, value: bool) -> None:  # the SIGINT handler's flag
        self._interrupt_requested = value

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()
        self.epoch_batches = 0
        self.multiworker = isinstance(self.model.distribute_strategy, tf.distribute.MultiWorkerMirroredStrategy)

    def elapsed(self) -> float:
        return self.previous_wall + time.monotonic() - self.started

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_batches = 0
        self.running = {}

    def on_train_batch_end(self, batch, logs=None):
        logs = logs or {}
        self.epoch_batches += 1
        crash_point("batch")
        self.state.images_seen += self.batch_size
        n = self.epoch_batches
        for key, mean in logs.items():
            mean = float(mean)
            # Keras reports running means over the epoch; recover this batch's own value.
            value = n * mean - (n - 1) * self.running.get(key, 0.0)
            self.running[key] = mean
            self.state.history["batch"].setdefault(key, []).append(round(value, 5))
            if not math.isfinite(mean):
                self.diverged = True
        out_of_time = bool(self.time_limit) and time.monotonic() - self.started >= self.time_limit
        if self.multiworker:
            self._interrupt_agreed, self.diverged, out_of_time = self._agree(
                [self._interrupt_requested, self.diverged, out_of_time]
            )
        if self.diverged or self.interrupted:
            self.model.stop_training = True
        elif out_of_time:
            self.out_of_time = True
            self.model.stop_training = True

    def _agree(self, flags: list[bool]) -> list[bool]:
        """Each flag, true if it is true on any worker (a sum over the workers: one small collective)."""
        local = tf.constant([float(flag) for flag in flags])
        total = self.model.distribute_strategy.reduce(tf.distribute.ReduceOp.SUM, local, axis=None)
        return [bool(count > 0) for count in total.numpy()]

    def on_epoch_end(self, epoch, logs=None):
        if self.diverged or self.interrupted or self.out_of_time:
            return  # an unfinished epoch is not checkpointed as if complete
        self.state.epoch = epoch + 1
        self.state.wall_time_s = self.elapsed()
        for key, value in (logs or {}).items():
            self.state.history["epoch"].setdefault(key, []).append(round(float(value), 5))
        run_dir = self.samples_dir.parent
        if self.state.epoch == 1:  # a fresh run: grids and snapshots of an earlier run are stale now
            for stale in self.samples_dir.glob("epoch_*.png"):
                stale.unlink()
            timeline.clear_snapshots(run_dir)
        pixels = report.generate_pixels(self.model.ema_generator, self.grid_inputs)
        grid = report.grid_image(pixels, self.grid_columns)
        report.save_png(grid, self.samples_dir / f"epoch_{epoch + 1:04d}.png")
        if self.state.epoch in self.snapshots:  # before the checkpoint: a resumed run never lacks one
            timeline.save_snapshot(self.model.ema_generator, run_dir, self.state.epoch)
        self.checkpoints.save(self.checkpoint, self.state)
        done = self.state.epoch
        per_epoch = (self.elapsed() - self.previous_wall) / max(1, done - self.first_epoch)
        eta = per_epoch * (self.epochs - done)
        losses = "  ".join(f"{k} {float(v):.3f}" for k, v in (logs or {}).items())
        self.log(
            f"epoch {done}/{self.epochs}  {losses}  {per_epoch:.1f}s/epoch  "
            f"ETA {int(eta // 60)}m{int(eta % 60):02d}s  checkpoint saved"
        )


class TensorBoardLogger(keras.callbacks.Callback):
    """TensorBoard event files in `log_dir`: the losses and accuracies per batch and per epoch, the grid per epoch.

    Scalars are named after the GAN's metrics (d_loss, g_loss, d_acc_real, d_acc_fake), with
    "batch/" in front for per-batch values (Keras's running means within the epoch); the grid is
    the image "samples". It only reads: no random numbers, no weights change.
    """

    def __init__(self, log_dir: Path, grid_inputs: list[np.ndarray], grid_columns: int, steps_per_epoch: int):
        super().__init__()
        self.log_dir, self.grid_inputs, self.grid_columns = Path(log_dir), grid_inputs, grid_columns
        self.steps_per_epoch = steps_per_epoch
        self.writer = None
        self.epoch = 0

    def on_train_begin(self, logs=None):
        self.writer = tf.summary.create_file_writer(str(self.log_dir))

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch = epoch

    def on_train_batch_end(self, batch, logs=None):
        step = self.epoch * self.steps_per_epoch + batch + 1
        with self.writer.as_default(step=step):
            for key, value in (logs or {}).items():
                tf.summary.scalar(f"batch/{key}", float(value))

    def on_epoch_end(self, epoch, logs=None):
        pixels = report.generate_pixels(self.model.ema_generator, self.grid_inputs)
        grid = np.asarray(report.grid_image(pixels, self.grid_columns))  # uint8 [H, W]
        with self.writer.as_default(step=epoch + 1):
            for key, value in (logs or {}).items():
                tf.summary.scalar(key, float(value))
            tf.summary.image("samples", grid[None, :, :, None])
        self.writer.flush()

    def on_train_end(self, logs=None):
        if self.writer is not None:
            self.writer.close()
