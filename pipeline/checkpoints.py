"""Atomic, versioned checkpoints of a training run: weights, optimisers, noise stream and the run's state."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pipeline.config import ModelConfig, TrainConfig
from pipeline.faults import crash_point
from pipeline.files import write_atomically

CHECKPOINT_FORMAT = 1


class CheckpointError(Exception):
    """No usable checkpoint, or one that does not fit the requested model; one line."""


class TrainingDiverged(Exception):
    """A loss became NaN or infinite; nothing was saved from the diverged state."""


class TrainingInterrupted(Exception):
    """Ctrl-C (or a lost worker): a checkpoint was written and the run can be resumed."""


@dataclass
class RunState:
    """What a checkpoint records besides the weights: enough to rebuild and continue the run."""

    model: dict
    epoch: int = 0  # completed epochs
    epoch_steps: int = 0  # optimizer steps per epoch (0 until training starts); kept on --resume
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
        (tmp / "state.json").write_text(json.dumps(asdict(state)))  # the folder as a whole is renamed in
        for file in tmp.iterdir():  # data on disk before the rename makes it visible
            with open(file, "rb") as handle:
                os.fsync(handle.fileno())
        os.rename(tmp, self.root / name)
        crash_point("checkpoint-pointer")
        write_atomically(self.root / "LATEST", name, fsync=True)
        for old in self.root.iterdir():  # earlier checkpoints and leftovers of killed saves
            if old.name not in (name, "LATEST"):
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
        return self.root / name

    def restore(self, checkpoint) -> None:
        checkpoint.read(str(self.latest() / "weights")).assert_existing_objects_matched()

    def clear(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def check_resumable(run_dir: Path, model_config: ModelConfig, explicit: set[str] = frozenset()) -> RunState:
    """The state to resume from, read once before any training; raises CheckpointError unless the
    checkpoint exists and fits the flags the user gave (`explicit`)."""
    state = Checkpoints(run_dir).read_state()
    stored = ModelConfig(**state.model)
    for name in ("variant", "latent_dim"):
        if name in explicit and getattr(stored, name) != getattr(model_config, name):
            raise CheckpointError(
                f"checkpoint in {run_dir} is for {name}={getattr(stored, name)}, "
                f"not {getattr(model_config, name)}; start afresh without --resume or use another --run-dir"
            )
    return state


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


def restore_gan(run_dir: Path):
    """The GAN of a run's last checkpoint, rebuilt -> (GAN, ModelConfig); its ema_generator and
    shipped_discriminator() are what the build exports."""
    from pipeline.assemble import build_gan

    checkpoints = Checkpoints(run_dir)
    model_config = ModelConfig(**checkpoints.read_state().model)
    gan = build_gan(model_config, TrainConfig())
    make_checkpoint(gan).read(str(checkpoints.latest() / "weights")).expect_partial()
    return gan, model_config


def restore_shipped_generator(run_dir: Path):
    """The generator that ships (the weight average), rebuilt from a run's last checkpoint -> (model, ModelConfig)."""
    from pipeline.assemble import shipped_generator

    gan, model_config = restore_gan(run_dir)
    return shipped_generator(gan.ema_generator, model_config), model_config
