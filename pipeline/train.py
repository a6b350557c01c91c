"""Wires data, models and the GAN into `fit`, with per-epoch grids, atomic checkpoints and the report."""

from __future__ import annotations

import json
import math
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from pipeline import report
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import Digits, to_model_range, to_pixels
from pipeline.faults import crash_point

CHECKPOINT_FORMAT = 1


class CheckpointError(Exception):
    """No usable checkpoint, or one that does not fit the requested model; one line."""


class TrainingDiverged(Exception):
    """A loss became NaN or infinite; nothing was saved from the diverged state."""


class TrainingInterrupted(Exception):
    """Ctrl-C: a checkpoint was written and the run can be resumed."""


# ---------------------------------------------------------------- TensorFlow set-up


def configure_devices(distribute: str) -> None:
    """Must run before TensorFlow touches a device.

    For `mirrored` on a machine without GPUs, split the CPU into two logical devices so that
    MirroredStrategy really runs two replicas (the same code then scales to several GPUs).
    """
    import tensorflow as tf

    if distribute == "mirrored" and not tf.config.list_physical_devices("GPU"):
        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        except RuntimeError:  # already initialised in this process (tests): keep what exists
            pass


def make_strategy(distribute: str):
    import tensorflow as tf

    if distribute == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        devices = [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]
        # On CPU-only hosts NCCL is absent; reduce on the host.
        return tf.distribute.MirroredStrategy(devices, cross_device_ops=tf.distribute.ReductionToOneDevice())
    return tf.distribute.get_strategy()


def make_dataset(train: Digits, batch_size: int, seed: int):
    """Digits -> tf.data of (images [B, 28, 28, 1] in [-1, 1], one-hot labels [B, 10]), cached in memory."""
    import tensorflow as tf

    images = to_model_range(train.images)  # float32 [N, 28, 28, 1], ~31 MB for 10k
    labels = np.eye(10, dtype=np.float32)[train.labels]
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).cache()
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    # drop_remainder keeps every step the same shape: one traced graph, even per-replica splits.
    return dataset.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE)


def learning_rate(base: float, total_steps: int, decay_start: float):
    """`base` until step decay_start * total_steps, then linearly down to 0 at total_steps.

    A GAN trained at a constant rate keeps wobbling around its equilibrium; letting the rate fall
    over the second half settles it (lower FID, benchmarks in BENCHMARKS.md). The schedule reads
    the optimiser's step counter, which is checkpointed, so a resumed run continues on it.
    decay_start >= 1 (or no step count) gives a constant rate. It is a schedule object either way:
    Adam keeps a plain rate as a variable of its own, and a checkpoint written with one kind would
    not restore into an optimiser built with the other (say, on --resume with --decay-start 1).
    """
    import tensorflow as tf
    import tf_keras as keras

    constant = decay_start >= 1.0 or total_steps <= 0
    start = float(int(total_steps * decay_start))

    class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            if constant:
                return tf.constant(base, tf.float32)
            remaining = (float(total_steps) - tf.cast(step, tf.float32)) / (float(total_steps) - start)
            return base * tf.clip_by_value(remaining, 0.0, 1.0)

        def get_config(self):
            return {"base": base, "total_steps": total_steps, "decay_start": decay_start}

    return LinearDecay()


def build_gan(model_config: ModelConfig, train_config: TrainConfig, steps_per_epoch: int = 0):
    """-> compiled GAN (inside the current strategy scope); steps_per_epoch sizes the learning-rate decay."""
    import tf_keras as keras

    from pipeline import models
    from pipeline.gan import GAN

    generator, discriminator = models.build(model_config)
    gan = GAN(
        generator,
        discriminator,
        model_config.latent_dim,
        model_config.num_classes,
        train_config.seed,
        train_config.ema_decay,
        train_config.diversity_weight,
    )
    total_steps = steps_per_epoch * train_config.epochs

    def adam(rate):
        return keras.optimizers.Adam(
            learning_rate(rate, total_steps, train_config.decay_start), beta_1=train_config.beta_1
        )

    gan.compile(d_optimizer=adam(train_config.d_learning_rate), g_optimizer=adam(train_config.g_learning_rate))
    return gan


def make_checkpoint(gan):
    """Everything a resumed run needs: both generators, the discriminator, both optimisers, the noise stream."""
    import tensorflow as tf

    return tf.train.Checkpoint(
        generator=gan.generator,
        ema_generator=gan.ema_generator,
        discriminator=gan.discriminator,
        g_optimizer=gan.g_optimizer,
        d_optimizer=gan.d_optimizer,
        noise_rng=gan.noise_rng,
    )


def restore_shipped_generator(run_dir: Path):
    """The generator that ships (the weight average), rebuilt from a run's last checkpoint -> (model, ModelConfig)."""
    checkpoints = Checkpoints(run_dir)
    model_config = ModelConfig(**checkpoints.read_state().model)
    gan = build_gan(model_config, TrainConfig())
    make_checkpoint(gan).read(str(checkpoints.latest() / "weights")).expect_partial()
    return gan.ema_generator, model_config


def fixed_inputs(model_config: ModelConfig, columns: int, seed: int):
    """The grid's fixed noise: [rows * columns, latent] and one-hot labels (one row per digit) or None."""
    rows = 10
    rng = np.random.default_rng(seed + 7919)  # independent of the training stream
    noise = rng.standard_normal((rows * columns, model_config.latent_dim)).astype(np.float32)
    if not model_config.conditional:
        return noise, None
    labels = np.eye(model_config.num_classes, dtype=np.float32)[np.repeat(np.arange(rows), columns)]
    return noise, labels


def generate_pixels(generator, noise, labels) -> np.ndarray:
    """Generator inference -> uint8 [N, 28, 28]."""
    inputs = [noise, labels] if labels is not None else noise
    return to_pixels(generator(inputs, training=False).numpy()[..., 0])


# ---------------------------------------------------------------- checkpoints


@dataclass
class RunState:
    """What a checkpoint records besides the weights: enough to rebuild and continue the run."""

    model: dict
    epoch: int = 0  # completed epochs
    images_seen: int = 0
    wall_time_s: float = 0.0
    data_source: str = ""
    train_images: int = 0
    seed: int = 0
    history: dict = field(default_factory=lambda: {"epoch": {}, "batch": {}})
    format: int = CHECKPOINT_FORMAT


class Checkpoints:
    """Versioned checkpoint folders under run_dir/checkpoints, with a LATEST pointer.

    A save writes a new folder under a temporary name, renames it into place (atomic), then
    replaces LATEST (atomic) and only then deletes the previous folder: a kill at any moment
    leaves LATEST naming a complete checkpoint.
    """

    def __init__(self, run_dir: Path):
        self.root = Path(run_dir) / "checkpoints"

    def latest(self) -> Path | None:
        pointer = self.root / "LATEST"
        if not pointer.exists():
            return None
        folder = self.root / pointer.read_text().strip()
        return folder if (folder / "state.json").exists() else None

    def read_state(self) -> RunState:
        folder = self.latest()
        if folder is None:
            raise CheckpointError(f"no checkpoint in {self.root} to resume from")
        try:
            raw = json.loads((folder / "state.json").read_text())
            if raw.get("format") != CHECKPOINT_FORMAT:
                raise CheckpointError(f"{folder}: checkpoint format {raw.get('format')} is not {CHECKPOINT_FORMAT}")
            return RunState(**raw)
        except (ValueError, TypeError) as error:
            raise CheckpointError(f"{folder}/state.json: unreadable checkpoint state ({error})") from None

    def save(self, checkpoint, state: RunState) -> Path:
        self.root.mkdir(parents=True, exist_ok=True)
        # Past every folder present, including one a killed save renamed in but never pointed to.
        serials = [int(p.name.split("-")[1]) for p in self.root.glob("ckpt-*") if p.name.split("-")[1].isdigit()]
        serial = max(serials, default=0) + 1
        name = f"ckpt-{serial:06d}"
        tmp = self.root / f".{name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        checkpoint.write(str(tmp / "weights"))
        crash_point("checkpoint-weights")
        (tmp / "state.json").write_text(json.dumps(asdict(state)))
        for file in tmp.iterdir():  # data on disk before the rename makes it visible
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        os.rename(tmp, self.root / name)
        crash_point("checkpoint-pointer")
        pointer_tmp = self.root / ".LATEST.tmp"
        pointer_tmp.write_text(name)
        os.replace(pointer_tmp, self.root / "LATEST")
        for old in self.root.iterdir():  # earlier checkpoints and leftovers of killed saves
            if old.name not in (name, "LATEST"):
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
        return self.root / name

    def restore(self, checkpoint) -> None:
        checkpoint.read(str(self.latest() / "weights")).assert_existing_objects_matched()

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def check_resumable(run_dir: Path, model_config: ModelConfig, explicit: set[str]) -> RunState:
    """Validate a resume before any training: the checkpoint exists and fits the requested model."""
    state = Checkpoints(run_dir).read_state()
    stored = ModelConfig(**state.model)
    for name in ("variant", "latent_dim"):
        if name in explicit and getattr(stored, name) != getattr(model_config, name):
            raise CheckpointError(
                f"checkpoint in {run_dir} is for {name}={getattr(stored, name)}, "
                f"not {getattr(model_config, name)}; start afresh without --resume or use another --run-dir"
            )
    return state


# ---------------------------------------------------------------- the per-batch / per-epoch monitor


def _keras_callback_base():
    import tf_keras as keras

    return keras.callbacks.Callback


def make_monitor(**kwargs):
    """A keras Callback built lazily, so importing this module does not import TensorFlow."""

    class TrainingMonitor(_keras_callback_base()):
        """Per batch: history, divergence, Ctrl-C and time-budget checks. Per epoch: grid, checkpoint, ETA."""

        def __init__(self, state, checkpoints, checkpoint, fixed, epochs, batch_size, samples_dir, time_limit, log):
            super().__init__()
            self.state, self.checkpoints, self.checkpoint = state, checkpoints, checkpoint
            self.fixed, self.epochs, self.batch_size = fixed, epochs, batch_size
            self.samples_dir, self.time_limit, self.log = samples_dir, time_limit, log
            self.interrupted = self.diverged = self.out_of_time = False
            self.previous_wall = state.wall_time_s

        def on_train_begin(self, logs=None):
            self.started = time.monotonic()
            self.epoch_batches = 0

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
            if self.diverged or self.interrupted:
                self.model.stop_training = True
            elif self.time_limit and time.monotonic() - self.started >= self.time_limit:
                self.out_of_time = True
                self.model.stop_training = True

        def on_epoch_end(self, epoch, logs=None):
            if self.diverged or self.interrupted or self.out_of_time:
                return  # an unfinished epoch is not checkpointed as if complete
            self.state.epoch = epoch + 1
            self.state.wall_time_s = self.elapsed()
            for key, value in (logs or {}).items():
                self.state.history["epoch"].setdefault(key, []).append(round(float(value), 5))
            if self.state.epoch == 1:  # a fresh run: grids of an earlier run are stale now
                for stale in self.samples_dir.glob("epoch_*.png"):
                    stale.unlink()
            pixels = generate_pixels(self.model.ema_generator, *self.fixed)
            report.save_png(report.grid_image(pixels, 10), self.samples_dir / f"epoch_{epoch + 1:04d}.png")
            self.checkpoints.save(self.checkpoint, self.state)
            done = self.state.epoch
            per_epoch = (self.elapsed() - self.previous_wall) / max(1, done - self.first_epoch)
            eta = per_epoch * (self.epochs - done)
            losses = "  ".join(f"{k} {float(v):.3f}" for k, v in (logs or {}).items())
            self.log(
                f"epoch {done}/{self.epochs}  {losses}  {per_epoch:.1f}s/epoch  "
                f"ETA {int(eta // 60)}m{int(eta % 60):02d}s  checkpoint saved"
            )

    return TrainingMonitor(**kwargs)


# ---------------------------------------------------------------- the run


@dataclass
class TrainResult:
    generator: object  # tf_keras.Model
    state: RunState
    summary: dict
    report_dir: Path


def train(
    model_config: ModelConfig,
    train_config: TrainConfig,
    train_digits: Digits,
    run_dir: Path,
    resume: bool = False,
    log=print,
) -> TrainResult:
    """Train (or continue) a GAN; returns the trained generator and the run's report folder.

    Raises TrainingInterrupted after Ctrl-C (a checkpoint is written first) and TrainingDiverged
    when a loss stops being finite (nothing is written from the diverged state).
    """
    import tf_keras as keras

    run_dir = Path(run_dir)
    samples_dir = run_dir / "samples"
    report_dir = run_dir / "report"
    checkpoints = Checkpoints(run_dir)

    if resume:
        state = checkpoints.read_state()
        model_config = ModelConfig(**state.model)
        log(f"resuming from {checkpoints.latest()} at epoch {state.epoch}")
    else:
        if checkpoints.latest() is not None:
            log(f"starting afresh: the checkpoint in {checkpoints.root} is replaced at the first epoch end")
        state = RunState(model=asdict(model_config), seed=train_config.seed)
    state.data_source, state.train_images = train_digits.source, len(train_digits)
    samples_dir.mkdir(parents=True, exist_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)

    keras.utils.set_random_seed(train_config.seed)
    strategy = make_strategy(train_config.distribute)
    if strategy.num_replicas_in_sync > 1:
        log(f"MirroredStrategy over {strategy.num_replicas_in_sync} devices: {list(strategy.extended.worker_devices)}")
    if train_config.batch_size % strategy.num_replicas_in_sync:
        raise ValueError(
            f"batch size {train_config.batch_size} does not split over {strategy.num_replicas_in_sync} devices"
        )
    with strategy.scope():
        gan = build_gan(model_config, train_config, len(train_digits) // train_config.batch_size)
        checkpoint = make_checkpoint(gan)
        if resume:
            # Optimiser slots are created on first use; build them now so their values restore.
            gan.d_optimizer.build(gan.discriminator.trainable_weights)
            gan.g_optimizer.build(gan.generator.trainable_weights)
            checkpoints.restore(checkpoint)

    dataset = make_dataset(train_digits, train_config.batch_size, train_config.seed)
    monitor = make_monitor(
        state=state,
        checkpoints=checkpoints,
        checkpoint=checkpoint,
        fixed=fixed_inputs(model_config, train_config.grid_columns, train_config.seed),
        epochs=train_config.epochs,
        batch_size=train_config.batch_size,
        samples_dir=samples_dir,
        time_limit=train_config.time_limit,
        log=log,
    )
    monitor.first_epoch = state.epoch

    def on_sigint(signum, frame):
        monitor.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C stops at once
        log("\nCtrl-C: stopping after this batch and writing a checkpoint (Ctrl-C again to abort)")

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    try:
        if state.epoch < train_config.epochs:
            log(
                f"training {model_config.variant}: epochs {state.epoch + 1}..{train_config.epochs}, "
                f"batch {train_config.batch_size}, {len(train_digits):,} images"
            )
            verbose = 1 if os.isatty(1) else 2
            gan.fit(
                dataset, epochs=train_config.epochs, initial_epoch=state.epoch, verbose=verbose, callbacks=[monitor]
            )
    finally:
        signal.signal(signal.SIGINT, previous_handler)

    if monitor.diverged:
        raise TrainingDiverged(
            f"a loss became NaN or infinite during epoch {state.epoch + 1}; "
            f"the last good checkpoint ({checkpoints.latest() or 'none'}) and the export are untouched"
        )
    if monitor.interrupted:
        state.wall_time_s = monitor.elapsed()
        saved = checkpoints.save(checkpoint, state)
        raise TrainingInterrupted(f"interrupted; checkpoint saved at {saved} (epoch {state.epoch} complete)")
    if monitor.out_of_time:
        state.wall_time_s = monitor.elapsed()
        checkpoints.save(checkpoint, state)
        log(f"time limit of {train_config.time_limit:.0f}s reached after {state.images_seen:,} images")

    summary = write_report(state, samples_dir, report_dir, model_config)
    return TrainResult(gan.ema_generator, state, summary, report_dir)


def write_report(state: RunState, samples_dir: Path, report_dir: Path, model_config: ModelConfig) -> dict:
    """Loss curves, the GIF, the last grid and summary.json/README.md into report_dir."""
    frames = sorted(samples_dir.glob("epoch_*.png"))
    final = {k: v[-1] for k, v in state.history["epoch"].items() if v}
    summary = {
        "variant": model_config.variant,
        "epochs": state.epoch,
        "images_seen": state.images_seen,
        "wall_time_s": round(state.wall_time_s, 1),
        "images_per_second": round(state.images_seen / state.wall_time_s, 1) if state.wall_time_s else None,
        "data_source": state.data_source,
        "train_images": state.train_images,
        "seed": state.seed,
        "final_losses": final,
    }
    pictures = {}
    if frames:
        shutil.copyfile(frames[-1], report_dir / "samples.png")
        report.training_gif(frames, report_dir / "training.gif")
        pictures["Samples after the last epoch (fixed noise)"] = "samples.png"
        pictures["Training, epoch by epoch (fixed noise)"] = "training.gif"
    if state.history["epoch"]:
        report.loss_curves(state.history["epoch"], report_dir / "loss_per_epoch.png", "epoch", "Losses per epoch")
        pictures["Losses per epoch"] = "loss_per_epoch.png"
    if state.history["batch"]:
        report.loss_curves(state.history["batch"], report_dir / "loss_per_batch.png", "batch", "Losses per batch")
        pictures["Losses per batch"] = "loss_per_batch.png"
    report.write_summary(report_dir, summary, pictures)
    return summary
