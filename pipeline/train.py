"""The training loop: wires data, models, the GAN and its callbacks into `fit`, then writes the report."""

from __future__ import annotations

import signal
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from pipeline import report
from pipeline.checkpoints import (  # noqa: F401 (the exceptions are part of this module's interface)
    Checkpoints,
    RunState,
    TrainingDiverged,
    TrainingInterrupted,
    check_resumable,
    make_checkpoint,
)
from pipeline.cluster import make_strategy
from pipeline.config import ModelConfig, TrainConfig
from pipeline.data import DataError, Digits, one_hot, to_model_range
from pipeline.timeline import snapshot_epochs


def steps_per_epoch(train_config: TrainConfig, train_images: int) -> int:
    """Optimizer steps in one epoch: a fixed round of `epoch_images`, or one pass over the source (0)."""
    images = train_config.epoch_images or train_images
    return images // train_config.batch_size


def make_dataset(train: Digits, batch_size: int, seed: int, repeat: bool = False):
    """Digits -> tf.data of (images [B, 28, 28, 1] in [-1, 1], one-hot labels [B, classes]), cached in memory.

    With `repeat`, an endless stream (each pass reshuffled, exactly as when `fit` restarts a finite
    dataset every epoch), cut into epochs of a fixed number of steps by `fit(steps_per_epoch=...)`.
    """
    import tensorflow as tf

    images = to_model_range(train.images)  # float32 [N, 28, 28, 1], ~31 MB for 10k
    labels = one_hot(train.labels, max(1, train.num_classes))  # [N, 10] for MNIST; unlabelled: [N, 1], unused
    dataset = tf.data.Dataset.from_tensor_slices((images, labels)).cache()
    dataset = dataset.shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
    # drop_remainder keeps every step the same shape: one traced graph, even per-replica splits.
    dataset = dataset.batch(batch_size, drop_remainder=True)
    # Across workers, each batch of batch_size images is split between them (batch_size / workers
    # each): in-memory data has no files to shard by. Single-process strategies ignore the option.
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = dataset.with_options(options)
    return (dataset.repeat() if repeat else dataset).prefetch(tf.data.AUTOTUNE)


# ---------------------------------------------------------------- the run


def with_data_classes(model_config: ModelConfig, train_digits: Digits, resume: bool = False) -> ModelConfig:
    """A conditional model gets one class per class of its training data (10 for MNIST). Raises
    DataError for unlabelled data, or data whose class count differs from a resumed model's."""
    if not model_config.conditional:
        return model_config
    classes = train_digits.num_classes
    if classes < 2:
        raise DataError(
            f"{train_digits.source}: no classes, so it cannot train the conditional {model_config.variant}; "
            "use --model dcgan or mlp, or put the images in one subfolder per class"
        )
    if resume and classes != model_config.num_classes:
        raise DataError(
            f"{train_digits.source}: {classes} classes, but the checkpoint's model has {model_config.num_classes}"
        )
    return replace(model_config, num_classes=classes)


def settle(
    model_config: ModelConfig,
    train_digits: Digits,
    run_dir: Path,
    resume: bool = False,
    explicit: set[str] = frozenset(),
    seed: int = 0,
) -> tuple[ModelConfig, RunState]:
    """The run's model, settled once before training -> (ModelConfig, RunState to start from).

    A resumed run's model comes from its checkpoint (read here, once; the flags in `explicit` must
    agree with it), a fresh run's from the flags; a conditional model gets its data's classes.
    Raises CheckpointError or DataError (one line).
    """
    if resume:
        state = check_resumable(run_dir, model_config, explicit)
        return with_data_classes(ModelConfig(**state.model), train_digits, resume=True), state
    model_config = with_data_classes(model_config, train_digits)
    return model_config, RunState(model=asdict(model_config), seed=seed)


@dataclass
class TrainResult:
    generator: object  # tf_keras.Model: the weight average that ships
    discriminator: object | None  # tf_keras.Model the page scores digits with, or None (srgan)
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
    tensorboard_dir: Path | None = None,
    state: RunState | None = None,
) -> TrainResult:
    """Train (or continue) a GAN; returns the trained generator and the run's report folder.

    `state` is the start `settle` returned with `model_config`; None settles them here.

    With `tensorboard_dir`, TensorBoard event files go there too (pipeline.callbacks.TensorBoardLogger).
    Raises TrainingInterrupted after Ctrl-C (a checkpoint is written first) and TrainingDiverged
    when a loss stops being finite (nothing is written from the diverged state).
    """
    import tf_keras as keras

    from pipeline.assemble import build_gan, shipped_generator
    from pipeline.callbacks import TensorBoardLogger, TrainingMonitor

    run_dir = Path(run_dir)
    samples_dir = run_dir / "samples"
    report_dir = run_dir / "report"
    checkpoints = Checkpoints(run_dir)

    if len(train_digits) < train_config.batch_size:
        raise DataError(
            f"{train_digits.source}: {len(train_digits):,} training images are fewer than one batch of "
            f"{train_config.batch_size}; use a smaller --batch-size or more images"
        )
    if state is None:
        model_config, state = settle(model_config, train_digits, run_dir, resume, seed=train_config.seed)
    if resume:
        log(f"resuming from {checkpoints.latest()} at epoch {state.epoch}")
    elif checkpoints.latest() is not None:
        log(f"starting afresh: the checkpoint in {checkpoints.root} is replaced at the first epoch end")
    state.data_source, state.train_images = train_digits.source, len(train_digits)
    samples_dir.mkdir(parents=True, exist_ok=True)
    report_dir.mkdir(parents=True, exist_ok=True)

    # A resumed run keeps the epoch size it started with, so its schedule and epoch count still fit.
    epoch_steps = state.epoch_steps or steps_per_epoch(train_config, len(train_digits))
    if epoch_steps < 1:
        raise DataError(f"{len(train_digits):,} training images are fewer than one batch of {train_config.batch_size}")
    state.epoch_steps = epoch_steps
    keras.utils.set_random_seed(train_config.seed)
    strategy = make_strategy(train_config.distribute)
    if strategy.num_replicas_in_sync > 1:
        kind = type(strategy).__name__  # MirroredStrategy, or MultiWorkerMirroredStrategy over several processes
        devices = list(strategy.extended.worker_devices)
        log(f"{kind}: {strategy.num_replicas_in_sync} replicas; this process runs {devices}")
    if train_config.batch_size % strategy.num_replicas_in_sync:
        raise DataError(
            f"batch size {train_config.batch_size} does not split over {strategy.num_replicas_in_sync} devices"
        )
    with strategy.scope():
        gan = build_gan(model_config, train_config, epoch_steps)
        checkpoint = make_checkpoint(gan)
        if resume:
            # Optimiser slots are created on first use; build them now so their values restore.
            gan.d_optimizer.build(gan.discriminator.trainable_weights)
            gan.g_optimizer.build(gan.generator.trainable_weights)
            checkpoints.restore(checkpoint)

    # An epoch that is exactly one pass over the source is iterated as one (as fit does with a finite
    # dataset: the 9,001 offline digits at batch 64); any other size cuts an endless stream.
    one_pass = epoch_steps == len(train_digits) // train_config.batch_size
    dataset = make_dataset(train_digits, train_config.batch_size, train_config.seed, repeat=not one_pass)
    grid_inputs = report.grid_inputs(model_config, train_config.grid_columns, train_config.seed, train_digits)
    monitor = TrainingMonitor(
        state=state,
        checkpoints=checkpoints,
        checkpoint=checkpoint,
        grid_inputs=grid_inputs,
        grid_columns=train_config.grid_columns,
        epochs=train_config.epochs,
        batch_size=train_config.batch_size,
        samples_dir=samples_dir,
        time_limit=train_config.time_limit,
        log=log,
        snapshots=tuple(snapshot_epochs(train_config.epochs, train_config.timeline_points)),
    )
    callbacks = [monitor]
    if tensorboard_dir is not None:
        callbacks.append(TensorBoardLogger(tensorboard_dir, grid_inputs, train_config.grid_columns, epoch_steps))

    def on_sigint(signum, frame):
        monitor.interrupted = True
        signal.signal(signal.SIGINT, signal.default_int_handler)  # a second Ctrl-C stops at once
        log("\nCtrl-C: stopping after this batch and writing a checkpoint (Ctrl-C again to abort)")

    previous_handler = signal.signal(signal.SIGINT, on_sigint)
    try:
        if state.epoch < train_config.epochs:
            log(
                f"training {model_config.variant}: epochs {state.epoch + 1}..{train_config.epochs}, "
                f"batch {train_config.batch_size}, {epoch_steps} steps ({epoch_steps * train_config.batch_size:,} "
                f"images) each, from {len(train_digits):,} images"
            )
            # verbose=0: no Keras progress bar; the monitor prints one line per epoch.
            gan.fit(
                dataset,
                epochs=train_config.epochs,
                initial_epoch=state.epoch,
                steps_per_epoch=None if one_pass else epoch_steps,
                verbose=0,
                callbacks=callbacks,
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

    summary = report.write_report(state, samples_dir, report_dir, model_config)
    generator = shipped_generator(gan.ema_generator, model_config)
    return TrainResult(generator, gan.shipped_discriminator(), state, summary, report_dir)
