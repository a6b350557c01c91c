"""--distribute multiworker: TF_CONFIG checks, two worker processes on 127.0.0.1, a killed worker and --resume."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from pipeline import build, export
from pipeline.cluster import read_cluster
from pipeline.config import ROOT

WORKERS = ["127.0.0.1:2222", "127.0.0.1:2223"]

BAD_TF_CONFIG = {
    "missing": (None, "needs the TF_CONFIG environment variable"),
    "empty": ("", "needs the TF_CONFIG environment variable"),
    "not JSON": ("{cluster: worker}", "not valid JSON"),
    "no cluster": ('{"task": {"type": "worker", "index": 0}}', 'no "cluster"'),
    "parameter servers": ('{"cluster": {"worker": ["a:1"], "ps": ["b:2"]}}', '"ps" entry'),
    "address without port": ('{"cluster": {"worker": ["localhost"]}}', '"host:port"'),
    "no task": (json.dumps({"cluster": {"worker": WORKERS}}), 'no "task"'),
    "unknown task type": (json.dumps({"cluster": {"worker": WORKERS}, "task": {"type": "chief"}}), "task type"),
    "index out of range": (
        json.dumps({"cluster": {"worker": WORKERS}, "task": {"type": "worker", "index": 2}}),
        "0..1",
    ),
}


@pytest.mark.parametrize("name", list(BAD_TF_CONFIG))
def test_missing_or_malformed_tf_config_is_one_line_status_2_and_writes_nothing(name, tmp_path, monkeypatch, capsys):
    tf_config, expected = BAD_TF_CONFIG[name]
    if tf_config is None:
        monkeypatch.delenv("TF_CONFIG", raising=False)
    else:
        monkeypatch.setenv("TF_CONFIG", tf_config)
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    status = build.main(["--distribute", "multiworker", "--out", str(out), "--run-dir", str(run_dir)])
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("error: ") and expected in err, err
    assert not out.exists() and not run_dir.exists()


def test_the_chief_is_the_task_named_chief_or_else_worker_0():
    def role(cluster, task_type, index):
        return read_cluster(
            {"TF_CONFIG": json.dumps({"cluster": cluster, "task": {"type": task_type, "index": index}})}
        )

    assert role({"worker": WORKERS}, "worker", 0).is_chief
    assert not role({"worker": WORKERS}, "worker", 1).is_chief
    with_chief = {"chief": ["127.0.0.1:2221"], "worker": WORKERS}
    assert role(with_chief, "chief", 0).is_chief and role(with_chief, "chief", 0).size == 3
    assert not role(with_chief, "worker", 0).is_chief


# ---------------------------------------------------------------- two real workers

TINY = ["--batch-size", "32", "--no-eval", "--seed", "3"]  # small_npz: 320 images, 10 steps of 32 per pass


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class Job:
    """Two `python -m pipeline.build --distribute multiworker` processes, worker 0 the chief, output in files."""

    def __init__(self, tmp_path: Path):
        self.tmp_path = tmp_path
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []
        self.runs = 0

    def start(self, args_for) -> None:
        """args_for(index) -> that worker's command-line arguments; fresh ports each time."""
        self.runs += 1
        cluster = {"worker": [f"127.0.0.1:{port}" for port in free_ports(2)]}
        self.processes, self.logs = [], []
        for index in (0, 1):
            tmpdir = self.tmpdir(index)  # where a non-chief's scratch folder goes
            tmpdir.mkdir(exist_ok=True)
            env = dict(
                os.environ,
                TF_CPP_MIN_LOG_LEVEL="2",
                TMPDIR=str(tmpdir),
                TF_CONFIG=json.dumps({"cluster": cluster, "task": {"type": "worker", "index": index}}),
            )
            log = self.tmp_path / f"run{self.runs}-worker{index}.log"
            with open(log, "w") as handle:
                command = [sys.executable, "-m", "pipeline.build", "--distribute", "multiworker", *args_for(index)]
                self.processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=handle, stderr=handle))
            self.logs.append(log)

    def tmpdir(self, index: int) -> Path:
        return self.tmp_path / f"tmp{index}"

    def wait(self, timeout: float = 240) -> list[int]:
        deadline = time.monotonic() + timeout
        return [p.wait(timeout=max(1.0, deadline - time.monotonic())) for p in self.processes]

    def output(self, index: int) -> str:
        return self.logs[index].read_text()

    def wait_for(self, index: int, text: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.output(index):
            assert self.processes[index].poll() is None, self.output(index)[-3000:]
            assert time.monotonic() < deadline, f"no {text!r} after {timeout}s: {self.output(index)[-3000:]}"
            time.sleep(0.05)

    def kill_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture
def job(tmp_path):
    job = Job(tmp_path)
    yield job
    job.kill_all()


def epoch_lines(output: str) -> list[str]:
    """The progress lines without their timings: the same on every worker (losses are reduced over all)."""
    return [re.sub(r"\s+[\d.]+s/epoch.*", "", line) for line in output.splitlines() if line.startswith("epoch ")]


def latest_state(run_dir: Path) -> dict:
    checkpoints = run_dir / "checkpoints"
    return json.loads((checkpoints / (checkpoints / "LATEST").read_text() / "state.json").read_text())


def scratch_left(job: Job, index: int) -> list[str]:
    return [p.name for p in job.tmpdir(index).iterdir() if p.name.startswith("pipeline-")]


@pytest.mark.slow
def test_two_workers_train_in_step_and_only_the_chief_keeps_anything(job, tmp_path, small_npz):
    def args_for(index):
        # Each worker its own --out and --run-dir: only the chief's may exist afterwards.
        where = ["--out", str(tmp_path / f"out{index}"), "--run-dir", str(tmp_path / f"run{index}")]
        return ["--data", str(small_npz), *where, "--epochs", "2", "--quantize", "none", *TINY]

    job.start(args_for)
    statuses = job.wait()
    chief, other = job.output(0), job.output(1)
    assert statuses == [0, 0], chief[-3000:] + other[-3000:]
    assert "this is worker 0 (the chief)" in chief and "this is worker 1" in other

    # In step: the same epochs with the same (all-reduced) losses; the same 20 steps of the global batch.
    assert epoch_lines(chief) == epoch_lines(other) and len(epoch_lines(chief)) == 2
    assert "worker 1 done: epoch 2, 20 steps and 640 images in all" in other
    state = latest_state(tmp_path / "run0")
    assert state["epoch"] == 2 and len(state["history"]["batch"]["d_loss"]) == 20

    metadata = export.verify(tmp_path / "out0")
    assert metadata["training"]["epochs"] == 2 and metadata["training"]["images_seen"] == 2 * 10 * 32
    assert (tmp_path / "run0" / "samples" / "epoch_0002.png").exists()
    # The other worker wrote nothing that stays: not its --out, not its --run-dir, no scratch folder.
    assert not (tmp_path / "out1").exists() and not (tmp_path / "run1").exists()
    assert scratch_left(job, 1) == [] and scratch_left(job, 0) == []

    # The chief's checkpoint, written under the strategy, restores in a plain process and matches the export.
    from pipeline.checkpoints import restore_shipped_generator

    model, _ = export.load_exported(tmp_path / "out0")
    generator, config = restore_shipped_generator(tmp_path / "run0")
    inputs = export.check_inputs(config, count=16, seed=99)
    assert np.abs(generator(inputs, training=False).numpy() - model(inputs, training=False).numpy()).max() < 1e-4


@pytest.mark.slow
def test_a_killed_worker_then_resume_finishes_the_run(job, tmp_path, small_npz):
    """Worker 1 is SIGKILLed in epoch 2; the chief cannot go on without it (it stops by itself, status 130,
    once TensorFlow's heartbeat misses the worker, or is killed too); both restart with --resume and the
    run ends at epoch 3 from the chief's epoch-1 checkpoint. One shared --run-dir: one machine's disk."""
    run_dir = tmp_path / "run"

    def args_for(index, resume=False):
        where = ["--out", str(tmp_path / f"out{index}"), "--run-dir", str(run_dir)]
        # Epochs of 20 steps (two passes over the 320 digits): long enough to be killed in.
        return ["--data", str(small_npz), *where, "--epochs", "3", "--epoch-images", "640", *TINY] + (
            ["--resume"] if resume else []
        )

    job.start(args_for)
    job.wait_for(0, "epoch 1/3")  # printed after the epoch-1 checkpoint: epoch 2 is under way
    job.processes[1].send_signal(signal.SIGKILL)
    try:
        status = job.processes[0].wait(timeout=60)
        assert status == 130, job.output(0)[-3000:]
        assert "the job lost a worker" in job.output(0) and "--resume" in job.output(0)
    except subprocess.TimeoutExpired:  # TensorFlow did not notice in time: the chief goes too
        job.kill_all()
    assert latest_state(run_dir)["epoch"] == 1  # no epoch can end without every worker

    job.start(lambda index: args_for(index, resume=True))
    statuses = job.wait()
    chief, other = job.output(0), job.output(1)
    assert statuses == [0, 0], chief[-3000:] + other[-3000:]
    for output in (chief, other):
        assert "at epoch 1" in output and "epochs 2..3" in output
    assert epoch_lines(chief) == epoch_lines(other) and len(epoch_lines(chief)) == 2
    metadata = export.verify(tmp_path / "out0")
    assert metadata["training"]["epochs"] == 3 and metadata["training"]["images_seen"] == 3 * 20 * 32
    # Worker 1 read the chief's checkpoint and kept nothing: not even what the killed run left.
    assert not (tmp_path / "out1").exists()
    assert scratch_left(job, 1) == []
