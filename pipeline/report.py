"""Pictures and summaries of a training run: sample grids, loss curves, the training GIF, the report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from pipeline.config import IMAGE_SHAPE, LOW_RES_SHAPE, ModelConfig
from pipeline.digits import Digits, downsample, first_output, model_inputs, to_model_range, to_pixels
from pipeline.files import write_atomically
from pipeline.variants import UPSCALE

if TYPE_CHECKING:
    from pipeline.checkpoints import RunState

GAP = 2  # pixels between digits in a grid
SCALE = 2  # nearest-neighbour upscale so a 10x10 grid of 28px digits is readable
GRID_ROWS = 10  # one row per class of a conditional model; unconditional models get ten rows


def grid_inputs(model_config: ModelConfig, columns: int, seed: int, digits: Digits | None = None) -> list[np.ndarray]:
    """The grid's fixed inputs: noise [rows * columns, latent], plus one-hot labels (row r asks for class r)
    and any noise planes; for SRGAN, the first `columns` digits of each class of `digits`, downsampled."""
    rows = model_config.num_classes or GRID_ROWS
    low_res = low_res_grid(digits, columns, rows) if model_config.spec.task == UPSCALE else None
    rng = np.random.default_rng(seed + 7919)  # independent of the training stream
    labels = np.repeat(np.arange(rows), columns)
    return model_inputs(model_config, rows * columns, rng, labels, low_res)[0]


def low_res_grid(digits: Digits, columns: int, rows: int) -> np.ndarray:
    """Up to `columns` digits of each of the first `rows` classes (all digits in order when unlabelled),
    area-averaged to [rows * columns, 7, 7, 1] in [-1, 1]."""
    if digits.num_classes:
        picks = np.concatenate(
            [np.flatnonzero(digits.labels == c)[:columns] for c in range(min(rows, digits.num_classes))]
        )
    else:
        picks = np.arange(min(len(digits), rows * columns))
    factor = IMAGE_SHAPE[0] // LOW_RES_SHAPE[0]
    return downsample(to_model_range(digits.images[picks]), factor)


def generate_pixels(generator, inputs: list[np.ndarray]) -> np.ndarray:
    """Generator inference on fixed inputs -> uint8 [N, 28, 28] (255 = ink)."""
    return to_pixels(np.asarray(first_output(generator(inputs, training=False)))[..., 0])


def grid_image(pixels: np.ndarray, columns: int) -> Image.Image:
    """uint8 [N, 28, 28] (255 = ink) -> one greyscale grid, row-major, `columns` digits per row."""
    count, height, width = pixels.shape
    rows = -(-count // columns)
    canvas = np.full((rows * (height + GAP) + GAP, columns * (width + GAP) + GAP), 48, np.uint8)
    for i, digit in enumerate(pixels):
        top, left = GAP + (i // columns) * (height + GAP), GAP + (i % columns) * (width + GAP)
        canvas[top : top + height, left : left + width] = digit
    image = Image.fromarray(canvas, "L")
    return image.resize((image.width * SCALE, image.height * SCALE), Image.NEAREST)


def save_png(image: Image.Image, path: Path) -> None:
    """Write atomically: a reader never sees half a PNG."""
    write_atomically(path, lambda file: image.save(file, format="PNG"))


def loss_curves(history: dict[str, list[float]], path: Path, xlabel: str, title: str) -> None:
    """One PNG: discriminator and generator loss (left axis) and D accuracies (right axis)."""
    import matplotlib

    matplotlib.use("Agg")  # no display; chosen here so importing this module changes nothing
    import matplotlib.pyplot as plt

    fig, loss_axis = plt.subplots(figsize=(8, 4.5), dpi=100)
    steps = np.arange(1, len(history.get("d_loss", [])) + 1)
    for key, colour in (("d_loss", "tab:blue"), ("g_loss", "tab:orange")):
        values = np.asarray(history.get(key, []), float)
        if len(values) > 2000:  # per-batch curves: also draw a running mean so the trend shows
            loss_axis.plot(steps, values, color=colour, alpha=0.25, linewidth=0.5)
            window = max(1, len(values) // 200)
            smooth = np.convolve(values, np.ones(window) / window, mode="same")
            loss_axis.plot(steps, smooth, color=colour, label=key)
        else:
            loss_axis.plot(steps, values, color=colour, label=key)
    loss_axis.set_xlabel(xlabel)
    loss_axis.set_ylabel("loss")
    accuracy_axis = loss_axis.twinx()
    for key, colour in (("d_acc_real", "tab:green"), ("d_acc_fake", "tab:red")):
        if key in history and len(history[key]) <= 2000:
            accuracy_axis.plot(steps, history[key], color=colour, linestyle="--", label=key)
    accuracy_axis.set_ylim(0, 1)
    accuracy_axis.set_ylabel("discriminator accuracy")
    handles = loss_axis.get_legend_handles_labels()[0] + accuracy_axis.get_legend_handles_labels()[0]
    loss_axis.legend(handles=handles, loc="upper right", fontsize=8)
    loss_axis.set_title(title)
    fig.tight_layout()
    try:
        write_atomically(path, lambda file: fig.savefig(file, format="png"))
    finally:
        plt.close(fig)


def training_gif(frames: list[Path], path: Path, max_frames: int = 40, seconds_per_frame: float = 0.2) -> None:
    """Per-epoch grids (same fixed noise) -> an animated GIF that holds on the last frame.

    At most `max_frames` evenly spaced epochs (always the first and the last), at the digits'
    own 28 px size, so a long run gives a GIF of well under a megabyte.
    """
    if not frames:
        return
    picks = np.unique(np.linspace(0, len(frames) - 1, min(max_frames, len(frames))).round().astype(int))
    images = []
    for index in picks:
        grid = Image.open(frames[index]).convert("L")
        images.append(grid.resize((grid.width // SCALE, grid.height // SCALE), Image.NEAREST))
    durations = [int(seconds_per_frame * 1000)] * (len(images) - 1) + [2000]
    write_atomically(
        path,
        lambda file: images[0].save(
            file, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
        ),
    )


def write_summary(report_dir: Path, summary: dict, pictures: dict[str, str]) -> None:
    """summary.json (machine-readable) and README.md (the same, for people, with the pictures)."""
    write_atomically(report_dir / "summary.json", json.dumps(summary, indent=2) + "\n")
    lines = [f"# Training report: {summary['variant']}", ""]
    for key in ("epochs", "images_seen", "wall_time_s", "images_per_second", "data_source", "seed"):
        lines.append(f"- {key.replace('_', ' ')}: {summary.get(key)}")
    for key, value in summary.get("final_losses", {}).items():
        lines.append(f"- final {key}: {value:.4f}")
    lines.append("")
    for caption, file in pictures.items():
        lines += [f"## {caption}", "", f"![{caption}]({file})", ""]
    write_atomically(report_dir / "README.md", "\n".join(lines))


def write_report(state: RunState, samples_dir: Path, report_dir: Path, model_config: ModelConfig) -> dict:
    """Loss curves, the GIF, the last grid and summary.json/README.md into report_dir -> the summary."""
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
        write_atomically(report_dir / "samples.png", frames[-1].read_bytes())
        training_gif(frames, report_dir / "training.gif")
        pictures["Samples after the last epoch (fixed noise)"] = "samples.png"
        pictures["Training, epoch by epoch (fixed noise)"] = "training.gif"
    if state.history["epoch"]:
        loss_curves(state.history["epoch"], report_dir / "loss_per_epoch.png", "epoch", "Losses per epoch")
        pictures["Losses per epoch"] = "loss_per_epoch.png"
    if state.history["batch"]:
        loss_curves(state.history["batch"], report_dir / "loss_per_batch.png", "batch", "Losses per batch")
        pictures["Losses per batch"] = "loss_per_batch.png"
    write_summary(report_dir, summary, pictures)
    return summary
