"""The build survives kills, Ctrl-C, divergence and bad input without losing or mixing anything."""

from __future__ import annotations

import errno
import functools
import gzip
import hashlib
import os
import random
import shutil
import signal
import subprocess
import time

import pytest

from pipeline import build, export, options
from pipeline.checkpoints import Checkpoints
from pipeline.config import TrainConfig
from tests.helpers import paths, run_build, start_build, tiny_mlp, write_idx

pytestmark = pytest.mark.slow


def snapshot(folder):
    """{relative path: sha256} of every file under folder (None if it does not exist)."""
    if not folder.exists():
        return None
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def previous_export(tmp_path_factory, small_npz):
    """A complete earlier export (seed 11, 2 epochs) that every scenario starts from."""
    base = tmp_path_factory.mktemp("previous")
    done = run_build(*paths(small_npz, base / "exported", base / "run"), *tiny_mlp(2), "--seed", "11")
    assert done.returncode == 0, done.stderr[-2000:]
    return base / "exported"


# Where the build dies: (crash point, its occurrence). The build runs 3 epochs of 10 batches.
CRASHES = {
    "during an epoch (batch 15 of 30)": "batch:15",
    "checkpoint weights written, state not yet": "checkpoint-weights:2",
    "checkpoint folder in place, LATEST not yet": "checkpoint-pointer:2",
    "export staged, not yet swapped in": "export-staged",
    "export swapped in, old copy not yet removed": "export-exchanged",
}


@pytest.mark.parametrize("where", list(CRASHES) + ["an outside SIGKILL at a random moment"])
def test_killed_build_resumes_and_export_is_never_mixed(tmp_path, small_npz, previous_export, where):
    """Six kill points (five named crash points, one random-time kill -9 from outside)."""
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    shutil.copytree(previous_export, out)
    before = snapshot(out)
    args = [*paths(small_npz, out, run_dir), *tiny_mlp(3), "--seed", "5"]
    if where in CRASHES:
        killed = run_build(*args, env={"PIPELINE_CRASH_AT": CRASHES[where]})
    else:
        process = start_build(*args, stderr=subprocess.STDOUT)
        for line in process.stdout:
            if line.startswith("epoch 1/3"):
                break
        time.sleep(random.Random(7).uniform(0.0, 2.0))
        process.kill()
        process.wait()
        killed = process
    assert killed.returncode == -signal.SIGKILL

    # Whatever the moment: the export is the old one, or a complete new one, never a mix.
    content = export.verify(out)
    after = snapshot(out)
    assert after == before or content["training"]["epochs"] == 3

    resumable = Checkpoints(run_dir).latest() is not None
    done = run_build(*args, *(["--resume"] if resumable else []))
    assert done.returncode == 0, done.stderr[-2000:]
    final = export.verify(out)
    assert final["training"]["epochs"] == 3
    assert not list(tmp_path.glob(".exported.*"))  # staging leftovers of the killed build are gone
    if resumable:
        assert "resuming from" in done.stdout


def test_nan_loss_stops_with_message_and_keeps_checkpoint_and_export(
    tmp_path, small_npz, previous_export, monkeypatch, capsys
):
    """Divergence: one case, a learning rate that blows the weights up at the first step."""
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    shutil.copytree(previous_export, out)
    before = snapshot(out)
    monkeypatch.setattr(options, "TrainConfig", functools.partial(TrainConfig, d_learning_rate=float("inf")))
    status = build.main([*paths(small_npz, out, run_dir), *tiny_mlp(2)])
    err = capsys.readouterr().err.strip()
    assert status == 1
    assert "NaN or infinite" in err and len(err.splitlines()) == 1
    assert snapshot(out) == before
    assert Checkpoints(run_dir).latest() is None


def _corrupt_idx(folder, npm_digits, damage):
    folder.mkdir()
    images = write_idx(folder / "train-images-idx3-ubyte.gz", npm_digits.images[:64], compress=True)
    write_idx(folder / "train-labels-idx1-ubyte.gz", npm_digits.labels[:64], compress=True)
    images.write_bytes(damage(images.read_bytes()))
    return folder


def _checkpoint(tmp_path, small_npz):
    run_dir = tmp_path / "ckpt-run"
    done = run_build(*paths(small_npz, tmp_path / "ckpt-out", run_dir), *tiny_mlp(1), "--latent-dim", "8")
    assert done.returncode == 0, done.stderr[-2000:]
    return run_dir


# name -> (argv builder, expected text in the one-line error). Paths come from the fixtures.
BAD = {
    "epochs 0": (lambda c: ["--epochs", "0"], "outside 1.."),
    "epochs negative": (lambda c: ["--epochs", "-3"], "outside 1.."),
    "epochs not a number": (lambda c: ["--epochs", "ten"], "not a number"),
    "batch size -5": (lambda c: ["--batch-size", "-5"], "outside 2.."),
    "batch size 0": (lambda c: ["--batch-size", "0"], "outside 2.."),
    "latent dim 0": (lambda c: ["--latent-dim", "0"], "outside 1.."),
    "unknown variant": (lambda c: ["--model", "foo"], "invalid choice"),
    "unknown quantization": (lambda c: ["--quantize", "int4"], "invalid choice"),
    "unknown strategy": (lambda c: ["--distribute", "tpu"], "invalid choice"),
    "unknown flag": (lambda c: ["--epoch", "3", "--colour"], "unrecognized arguments"),
    "missing data path": (lambda c: ["--data", str(c["tmp"] / "nope")], "no such file"),
    "bad IDX magic": (lambda c: ["--data", str(c["bad_magic"])], "bad IDX magic"),
    "truncated gzip": (lambda c: ["--data", str(c["truncated"])], "truncated gzip"),
    "npz that is not a zip": (lambda c: ["--data", str(c["garbage_npz"])], "not a readable .npz"),
    "out is a file": (lambda c: ["--out", str(c["a_file"])], "not a folder"),
    "out under a missing folder": (lambda c: ["--out", str(c["tmp"] / "no" / "such" / "exported")], "does not exist"),
    "out not writable": (lambda c: ["--out", "/proc/exported"], "not writable"),
    "out not a model name": (lambda c: ["--out", str(c["tmp"] / "my model")], "folder's name is the model's name"),
    "resume without checkpoint": (lambda c: ["--resume", "--run-dir", str(c["tmp"] / "empty-run")], "no checkpoint"),
    "resume another variant": (lambda c: ["--resume", "--run-dir", str(c["ckpt"]), "--model", "cgan"], "variant=mlp"),
    "resume another latent size": (
        lambda c: ["--resume", "--run-dir", str(c["ckpt"]), "--model", "mlp", "--latent-dim", "100"],
        "latent_dim=8",
    ),
}


@pytest.fixture(scope="module")
def bad_inputs(tmp_path_factory, npm_digits, small_npz):
    tmp = tmp_path_factory.mktemp("bad")
    garbage = tmp / "garbage.npz"
    garbage.write_bytes(b"PK\x03\x04 this is not really a zip archive")
    a_file = tmp / "a_file"
    a_file.write_text("not a folder")
    return {
        "tmp": tmp,
        "bad_magic": _corrupt_idx(
            tmp / "magic", npm_digits, lambda raw: gzip.compress(b"\x00\x00\x08\x04" + gzip.decompress(raw)[4:])
        ),
        "truncated": _corrupt_idx(tmp / "truncated", npm_digits, lambda raw: raw[: len(raw) // 2]),
        "garbage_npz": garbage,
        "a_file": a_file,
        "ckpt": _checkpoint(tmp, small_npz),
    }


@pytest.mark.parametrize("name", list(BAD))
def test_bad_invocation_is_one_line_status_2_and_writes_nothing(name, bad_inputs, tmp_path, capsys):
    """Twenty bad invocations (the BAD table), each: one line on stderr, exit 2, nothing written."""
    argv_for, expected = BAD[name]
    argv = argv_for(bad_inputs)
    if "--out" not in argv:
        argv += ["--out", str(tmp_path / "exported")]
    if "--run-dir" not in argv:
        argv += ["--run-dir", str(tmp_path / "run")]
    checkpoint_before = snapshot(bad_inputs["ckpt"])
    status = build.main(argv)
    err = capsys.readouterr().err
    assert status == 2
    assert len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and expected in err, err
    assert "Traceback" not in err
    assert not (tmp_path / "exported").exists() and not (tmp_path / "run").exists()
    assert snapshot(bad_inputs["ckpt"]) == checkpoint_before


@pytest.mark.parametrize("argv", [["--epochs", "0"], ["--model", "foo"], ["--batch-size", "-5"]])
def test_bad_invocations_through_the_real_command(argv, tmp_path):
    """Three of the table through `python -m pipeline.build` itself: status 2, one line, no traceback."""
    done = run_build(*argv, "--out", str(tmp_path / "exported"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not (tmp_path / "exported").exists()


def test_full_disk_during_export_is_one_line_and_keeps_the_old_export(
    tmp_path, small_npz, previous_export, monkeypatch, capsys
):
    """A full disk, simulated by a converter whose writes fail with ENOSPC: one case."""
    out = tmp_path / "exported"
    shutil.copytree(previous_export, out)
    before = snapshot(out)

    def disk_full(model, artifacts_dir, **kwargs):
        (open(os.path.join(artifacts_dir, "group1-shard1of1.bin"), "wb")).write(b"\0" * 100)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), os.path.join(artifacts_dir, "group1-shard1of1.bin"))

    import tensorflowjs.converters

    monkeypatch.setattr(tensorflowjs.converters, "save_keras_model", disk_full)
    status = build.main([*paths(small_npz, out, tmp_path / "run"), *tiny_mlp(1)])
    err = capsys.readouterr().err.strip()
    assert status == 2
    assert len(err.splitlines()) == 1 and "No space left on device" in err
    assert snapshot(out) == before
    assert not list(tmp_path.glob(".exported.*"))
    assert Checkpoints(tmp_path / "run").read_state().epoch == 1  # the training is kept
