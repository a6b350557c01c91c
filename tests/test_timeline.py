"""The training timeline (pipeline.timeline): which epochs are kept, and what a build exports of them."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from pipeline import export
from pipeline.evaluate import model_config_of
from pipeline.timeline import snapshot_epochs
from tests.helpers import paths, run_build


def test_snapshot_epochs_are_log_spaced_with_both_ends():
    epochs = snapshot_epochs(90, 8)
    assert len(epochs) == 8 and epochs[0] == 1 and epochs[-1] == 90
    assert epochs == sorted(set(epochs))
    ratios = [math.log(b / a) for a, b in zip(epochs, epochs[1:], strict=False)]
    assert max(ratios) < 3 * min(ratios)  # roughly even steps in log(epoch): dense early, where a GAN changes most
    assert snapshot_epochs(60, 8)[-1] == 60 and len(snapshot_epochs(24, 8)) == 8
    assert snapshot_epochs(3, 8) == [1, 2, 3]
    assert snapshot_epochs(1, 8) == [1]
    assert snapshot_epochs(90, 0) == [] and snapshot_epochs(0, 8) == []


@pytest.mark.slow
def test_a_build_exports_its_timeline_checked_scored_and_described(tmp_path, small_npz):
    out, run_dir = tmp_path / "exported", tmp_path / "run"
    args = [*paths(small_npz, out, run_dir), "--epochs", "3", "--batch-size", "32", "--seed", "3"]
    done = run_build(*args, "--quantize", "none", "--eval-samples", "200", "--timeline", "3")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "timeline: 3 snapshots (epochs 1, 2, 3)" in done.stdout
    assert "timeline scores (2,000 samples each): epoch 1 FID " in done.stdout

    metadata = json.loads((out / "metadata.json").read_text())
    entry = metadata["timeline"]
    assert entry["file"] == "timeline/timeline.json" and entry["epochs"] == [1, 2, 3]
    document = json.loads((out / entry["file"]).read_text())
    assert export.file_sha256(out / entry["file"]) == entry["sha256"]
    assert document["format"] == "gan-timeline" and document["version"] == 1
    snapshots = document["snapshots"]
    assert [s["epoch"] for s in snapshots] == [1, 2, 3]
    total = (out / entry["file"]).stat().st_size
    for snapshot in snapshots:
        folder = (out / "timeline" / snapshot["model_file"]).parent
        assert {name: export.file_sha256(folder / name) for name in snapshot["sha256"]} == snapshot["sha256"]
        assert snapshot["score"]["fid"] > 0
        total += snapshot["bytes"]
    assert entry["bytes"] == total
    # The last snapshot is the model that ships: the same weights, byte for byte; the first is not.
    last, first = (out / "timeline" / f"epoch-{e:04d}" / "group1-shard1of1.bin" for e in (3, 1))
    assert last.read_bytes() == (out / "group1-shard1of1.bin").read_bytes()
    assert first.read_bytes() != last.read_bytes()
    # Each snapshot loads (the tensorflowjs loader) and draws digits.
    from tensorflowjs.converters import load_keras_model

    model = load_keras_model(str(out / "timeline" / snapshots[0]["model_file"]))
    inputs = export.check_inputs(model_config_of(metadata), count=8)
    assert np.asarray(model(inputs, training=False)).shape == (8, 28, 28, 1)
    # The losses travel: every epoch's, and the per-batch curves.
    history = document["history"]
    assert history["epochs"] == 3 and len(history["epoch"]["d_loss"]) == 3
    assert len(history["batch"]["g_loss"]) == 3 * 10 // history["batch"]["every"]
