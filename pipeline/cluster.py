"""Where a build trains: its devices and distribution strategy, and the multi-worker job it may belong to
(TF_CONFIG read and checked, this worker's role, its scratch folder).

With `--distribute multiworker` every process of the job runs the same command under its own
TF_CONFIG. All of them train (each step is a collective over the workers) and all of them save
the per-epoch checkpoint (reading the BatchNorm statistics for it is a collective too), but only
the chief keeps anything: a non-chief worker writes into a scratch folder that it removes when
it ends. A non-chief worker never writes its --run-dir or --out; on --resume it reads the chief's
last checkpoint from its --run-dir, which must therefore be the chief's (shared storage) or a copy
of the chief's `checkpoints/` folder.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.checkpoints import Checkpoints, TrainingInterrupted
from pipeline.cli import UsageError, one_line

TASK_TYPES = ("chief", "worker")  # MultiWorkerMirroredStrategy's roles; no parameter servers, no evaluator
HELP = "see README.md, Training across machines"


@dataclass(frozen=True)
class Cluster:
    """This process's place in the job, as TF_CONFIG says."""

    task_type: str  # "chief" or "worker"
    task_index: int
    size: int  # processes in the job: the chief (if one is named) and the workers
    has_chief: bool

    @property
    def is_chief(self) -> bool:
        """The task named "chief", or worker 0 when no chief is named (as Keras decides)."""
        return self.task_type == "chief" or (not self.has_chief and self.task_index == 0)

    @property
    def name(self) -> str:
        return f"{self.task_type} {self.task_index}"

    def scratch(self, run_dir: Path) -> Path:
        """A non-chief's throwaway folder in the system's temporary folder.

        The same path each time the worker starts for this --run-dir, so a restart after a kill
        clears what the killed process left.
        """
        digest = hashlib.sha256(str(Path(run_dir).absolute()).encode()).hexdigest()[:12]
        return Path(tempfile.gettempdir()) / f"pipeline-{self.task_type}{self.task_index}-{digest}"


class Job:
    """This process's part in a build: alone (`worker` None), or one worker of a multi-worker job.

    The build asks it three things, and never branches on the job's kind itself: is this process
    the chief (`chief`: only the chief writes --run-dir and --out), where to train
    (`training`), and the trained models as ordinary ones (`local`).
    """

    def __init__(self, distribute: str, log=print):
        """Reads TF_CONFIG for a multi-worker job (UsageError, one line, when it is wrong) and sets up
        the devices: first, as the multi-worker strategy must precede every TensorFlow op."""
        self.worker = read_cluster() if distribute == "multiworker" else None
        configure_devices(distribute)
        if self.worker:
            w = self.worker
            log(f"multi-worker job of {w.size}: this is {w.name}{' (the chief)' if w.is_chief else ''}")

    @property
    def chief(self) -> bool:
        return self.worker is None or self.worker.is_chief

    @contextmanager
    def training(self, run_dir: Path, resume: bool, tensorboard: Path | None) -> Iterator[tuple[Path, Path | None]]:
        """-> (run folder, TensorBoard folder) to train into.

        A non-chief worker trains into a scratch folder (saving is a collective: it saves what the
        chief saves) removed when training ends. A job that lost a worker, or a non-chief's
        Ctrl-C, ends in TrainingInterrupted: every worker must restart with --resume.
        """
        if self.worker is None:
            yield run_dir, tensorboard
            return
        scratch = None if self.chief else make_scratch(self.worker, run_dir, resume)
        where = (run_dir, tensorboard)
        if scratch is not None:
            where = (scratch / "run", tensorboard and scratch / "tensorboard")
        try:
            yield where
        except lost_worker_errors() as error:
            raise TrainingInterrupted(lost_worker_message(self.worker, error, run_dir)) from None
        except TrainingInterrupted:  # all the workers stopped at the same batch
            if self.chief:
                raise
            raise TrainingInterrupted(f"{self.worker.name}: interrupted; the chief saved the checkpoint") from None
        finally:
            if scratch is not None:
                shutil.rmtree(scratch, ignore_errors=True)

    def local(self, model):
        """The model in ordinary variables. In a multi-worker job every worker must call it at the same
        point (a collective, see local_copy), so the chief can export and evaluate alone."""
        return model if self.worker is None or model is None else local_copy(model)


def configure_devices(distribute: str) -> None:
    """Must run before TensorFlow touches a device.

    For `mirrored` on a machine without GPUs, split the CPU into two logical devices so that
    MirroredStrategy really runs two replicas (the same code then scales to several GPUs).
    For `multiworker`, create the MultiWorkerMirroredStrategy now: it sets up the process's
    collective ops and must exist before any other TensorFlow op; make_strategy returns it.
    Raises UsageError (one line) when TF_CONFIG is missing or malformed.
    """
    if distribute == "multiworker":
        multiworker_strategy()
        return
    if distribute != "mirrored":
        return  # TensorFlow's defaults; not imported here, so bad input is still reported at once
    import tensorflow as tf

    if not tf.config.list_physical_devices("GPU"):
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
    if distribute == "multiworker":
        return multiworker_strategy()
    return tf.distribute.get_strategy()


@functools.cache
def multiworker_strategy():
    """One MultiWorkerMirroredStrategy per process, over the cluster in TF_CONFIG."""
    import tensorflow as tf

    read_cluster()  # a one-line error for a bad TF_CONFIG, before TensorFlow's own
    return tf.distribute.MultiWorkerMirroredStrategy()


def read_cluster(environ: Mapping[str, str] = os.environ) -> Cluster:
    """TF_CONFIG -> Cluster. Raises UsageError (one line) when it is missing or malformed."""
    text = environ.get("TF_CONFIG", "").strip()
    if not text:
        raise UsageError(f"--distribute multiworker needs the TF_CONFIG environment variable ({HELP})")
    try:
        config = json.loads(text)
    except ValueError as error:
        raise UsageError(f"TF_CONFIG is not valid JSON ({error})") from None
    if not isinstance(config, dict) or not isinstance(config.get("cluster"), dict):
        raise UsageError(f'TF_CONFIG has no "cluster" object ({HELP})')
    cluster, task = config["cluster"], config.get("task")
    for role, addresses in cluster.items():
        if role not in TASK_TYPES:
            raise UsageError(f'TF_CONFIG cluster has a "{role}" entry; only "chief" and "worker" are supported')
        if not isinstance(addresses, list) or not addresses or not all(map(_is_address, addresses)):
            raise UsageError(f'TF_CONFIG cluster "{role}" must be a non-empty list of "host:port" strings')
    if "worker" not in cluster and "chief" not in cluster:
        raise UsageError('TF_CONFIG cluster names no "worker" (and no "chief")')
    if len(cluster.get("chief", [])) > 1:
        raise UsageError('TF_CONFIG cluster names more than one "chief"')
    if not isinstance(task, dict):
        raise UsageError(f'TF_CONFIG has no "task" object saying which process this is ({HELP})')
    task_type, index = task.get("type"), task.get("index", 0)
    if task_type not in cluster:
        raise UsageError(f"TF_CONFIG task type {task_type!r} is not one of the cluster's: {', '.join(cluster)}")
    if type(index) is not int or not 0 <= index < len(cluster[task_type]):
        raise UsageError(
            f"TF_CONFIG task index {index!r} is not one of 0..{len(cluster[task_type]) - 1} for {task_type!r}"
        )
    return Cluster(task_type, index, sum(len(a) for a in cluster.values()), "chief" in cluster)


def _is_address(address: object) -> bool:
    host, _, port = address.rpartition(":") if isinstance(address, str) else ("", "", "")
    return bool(host) and port.isdigit() and 0 < int(port) < 65536


def make_scratch(cluster: Cluster, run_dir: Path, resume: bool) -> Path:
    """A fresh scratch folder for a non-chief worker; on resume it holds a copy of the chief's last checkpoint.

    The copy is taken before training starts, so the chief (which needs this worker for every
    step) cannot be replacing it meanwhile. The caller removes the folder when the worker ends.
    """
    scratch = cluster.scratch(run_dir)
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(mode=0o700, parents=True)
    if resume:
        source = Checkpoints(run_dir)
        latest = source.latest()  # checked by checkpoints.check_resumable already
        target = Checkpoints(scratch / "run")
        shutil.copytree(latest, target.root / latest.name)
        (target.root / "LATEST").write_text(latest.name)
    return scratch


def lost_worker_errors() -> tuple[type[Exception], ...]:
    """What a worker's training raises when another worker of the job is gone: its collectives are aborted."""
    import tensorflow as tf

    errors = tf.errors
    return (errors.UnavailableError, errors.AbortedError, errors.CancelledError, errors.DeadlineExceededError)


def lost_worker_message(cluster: Cluster, error: Exception, run_dir: Path) -> str:
    """One line for a worker whose job lost a member: what happened and where the job can resume from."""
    detail = one_line(re.sub(r"\{\{.*?\}\}", "", getattr(error, "message", str(error))))
    latest = Checkpoints(run_dir).latest()
    return (
        f"{cluster.name}: the job lost a worker ({detail[:160]}); a multi-worker job cannot go on with one "
        f"missing: stop every worker and start them all again with --resume "
        f"(last checkpoint: {latest or 'none yet, so without --resume'})"
    )


def local_copy(model):
    """A copy of a model trained under MultiWorkerMirroredStrategy, in ordinary variables.

    Every worker must call it, at the same point: reading the BatchNorm statistics (sync-on-read
    variables) of the distributed model is a collective over the workers. The chief can then
    export and evaluate the copy after the other workers have left.
    """
    import tf_keras as keras

    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy
