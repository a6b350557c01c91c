"""The training timeline: the shipped generator (its weight average) kept at a few epochs, exported beside
the model with the run's losses, so the page can show a GAN learning.

During training (pipeline.callbacks) the generator's weights are saved at `snapshot_epochs`: log-spaced,
the first and the last included, as a GAN changes most early on. At export each snapshot is written
as its own TF.js model (same quantization and parity check as the model that ships), scored with
the build's judge on a small sample, and described in `timeline/timeline.json`:

    {"format": "gan-timeline", "version": 1,
     "snapshots": [{"epoch": 1, "model_file": "epoch-0001/model.json", "sha256": {...}, "bytes": N,
                    "score": {"fid": 12.3} | {"psnr": 18.2} | null}],
     "history": {"epochs": E, "epoch": {"d_loss": [E values], ...},
                 "batch": {"every": k, "d_loss": [...], ...}}}

metadata.json names it (`timeline`); the page loads it only when its step opens.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
from pathlib import Path

import numpy as np

from pipeline.files import write_atomically

FOLDER = "timeline"  # in the run folder (weights) and in the export (TF.js models and timeline.json)
FILE = "timeline.json"
FORMAT = "gan-timeline"
VERSION = 1
MAX_BATCH_POINTS = 600  # per-batch losses kept per series (every k-th batch): a curve, not every step
SCORE_SAMPLES = 2_000  # generated digits per snapshot's score: enough to rank epochs, cheap


def snapshot_epochs(epochs: int, points: int) -> list[int]:
    """`points` epochs of 1..epochs, log-spaced, the first and the last included (all of them when fewer)."""
    if epochs < 1 or points < 1:
        return []
    if points >= epochs:
        return list(range(1, epochs + 1))
    chosen = {1, epochs}
    k = points
    while len(chosen) < points:  # rounding merges early epochs: spread more points until enough differ
        chosen |= {round(math.exp(math.log(epochs) * i / (k - 1))) for i in range(k)}
        k += 1
    chosen = sorted(chosen)
    while len(chosen) > points:  # drop the one closest (in log) to its neighbours, never an end
        gaps = [math.log(chosen[i + 1]) - math.log(chosen[i - 1]) for i in range(1, len(chosen) - 1)]
        del chosen[1 + int(np.argmin(gaps))]
    return chosen


def snapshot_path(run_dir: Path, epoch: int) -> Path:
    return Path(run_dir) / FOLDER / f"epoch_{epoch:04d}.h5"  # HDF5 weights (".weights.h5" means another format)


def save_snapshot(generator, run_dir: Path, epoch: int) -> Path:
    """The generator's weights at the end of `epoch`, written whole or not at all (a rename)."""
    path = snapshot_path(run_dir, epoch)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".partial-{path.name}")
    generator.save_weights(str(partial))
    with open(partial, "rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, path)
    return path


def clear_snapshots(run_dir: Path) -> None:
    """A fresh run: an earlier run's snapshots in the same folder are stale."""
    shutil.rmtree(Path(run_dir) / FOLDER, ignore_errors=True)


def saved_epochs(run_dir: Path) -> list[int]:
    folder = Path(run_dir) / FOLDER
    return sorted(int(p.name[6:10]) for p in folder.glob("epoch_*.h5")) if folder.is_dir() else []


def export_timeline(generator, run_dir: Path, out: Path, model_config, quantize: str, history: dict, log=print):
    """Each saved snapshot as a TF.js model in out/timeline/epoch-NNNN/ (write_generator: converted, reloaded
    and checked as the shipped model is). -> {"models": [(epoch, reloaded model)], "entries", "history",
    "scores": {}}, whose scores the build fills before write_index; None when the run kept no snapshots."""
    import tf_keras as keras

    from pipeline.export import file_sha256, model_files, write_generator

    epochs = saved_epochs(run_dir)
    if not epochs:
        return None
    snapshot = keras.models.clone_model(generator)
    models, entries = [], []
    for epoch in epochs:
        snapshot.load_weights(str(snapshot_path(run_dir, epoch)))
        folder = Path(out) / FOLDER / f"epoch-{epoch:04d}"
        reloaded, _ = write_generator(snapshot, folder, model_config, quantize, log=lambda message: None)
        files = model_files(folder)
        entries.append(
            {
                "epoch": epoch,
                "model_file": f"{folder.name}/model.json",
                "sha256": {f.name: file_sha256(f) for f in files},
                "bytes": sum(f.stat().st_size for f in files),
            }
        )
        models.append((epoch, reloaded))
    log(f"timeline: {len(epochs)} snapshots (epochs {', '.join(map(str, epochs))}) exported, checked against Keras")
    return {"models": models, "entries": entries, "history": _history(history), "scores": {}}


def _history(history: dict) -> dict:
    """The run's losses per epoch (all) and per batch (every k-th, at most MAX_BATCH_POINTS per series)."""
    epoch = {key: list(values) for key, values in history.get("epoch", {}).items()}
    batch = history.get("batch", {})
    steps = max((len(values) for values in batch.values()), default=0)
    every = max(1, math.ceil(steps / MAX_BATCH_POINTS))
    kept = {key: list(values[every - 1 :: every]) for key, values in batch.items()}
    return {
        "epochs": max((len(v) for v in epoch.values()), default=0),
        "epoch": epoch,
        "batch": {"every": every, **kept},
    }


def write_index(out: Path, timeline: dict) -> dict:
    """timeline.json in out/timeline/ -> what metadata.json says of it: {file, sha256, epochs, bytes}."""
    scores = timeline["scores"]  # epoch -> {"fid": ...} or {"psnr": ...}; empty when the build did not evaluate
    snapshots = [{**entry, "score": scores.get(entry["epoch"])} for entry in timeline["entries"]]
    document = {"format": FORMAT, "version": VERSION, "snapshots": snapshots, "history": timeline["history"]}
    path = Path(out) / FOLDER / FILE
    text = json.dumps(document, separators=(",", ":"))
    write_atomically(path, text)
    total = sum(entry["bytes"] for entry in timeline["entries"]) + path.stat().st_size
    return {
        "file": f"{FOLDER}/{FILE}",
        "sha256": hashlib.sha256(text.encode()).hexdigest(),
        "epochs": [entry["epoch"] for entry in timeline["entries"]],
        "bytes": total,
    }


def ship(generator, run_dir: Path, out: Path, model_config, quantize: str, history: dict, score=None, log=print):
    """The timeline into the staged export `out`: the snapshots exported and checked, each scored with
    `score(reloaded model) -> {"fid": ...} | {"psnr": ...}` (None: unscored), timeline.json written.
    -> metadata.json's `timeline` entry, or None when the run kept no snapshots."""
    exported = export_timeline(generator, run_dir, out, model_config, quantize, history, log)
    if exported is None:
        return None
    if score is not None:
        for epoch, model in exported["models"]:
            exported["scores"][epoch] = score(model)
        scored = ", ".join(
            f"epoch {epoch} " + " ".join(f"{key.upper()} {value:.2f}" for key, value in result.items())
            for epoch, result in exported["scores"].items()
        )
        log(f"timeline scores ({SCORE_SAMPLES:,} samples each): {scored}")
    entry = write_index(out, exported)
    log(f"timeline: {entry['bytes'] / 1e6:.2f} MB beside the model")
    return entry
