"""Pictures and summaries of a training run: sample grids, loss curves, the training GIF, the report."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from PIL import Image

GAP = 2  # pixels between digits in a grid
SCALE = 2  # nearest-neighbour upscale so a 10x10 grid of 28px digits is readable


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
    tmp = path.with_name(f".{path.name}.tmp")
    image.save(tmp, format="PNG")
    tmp.replace(path)


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
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png")
    plt.close(fig)
    tmp.replace(path)


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
    tmp = path.with_name(f".{path.name}.tmp")
    images[0].save(tmp, format="GIF", save_all=True, append_images=images[1:], duration=durations, loop=0)
    tmp.replace(path)


def write_summary(report_dir: Path, summary: dict, pictures: dict[str, str]) -> None:
    """summary.json (machine-readable) and README.md (the same, for people, with the pictures)."""
    (report_dir / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    lines = [f"# Training report: {summary['variant']}", ""]
    for key in ("epochs", "images_seen", "wall_time_s", "images_per_second", "data_source", "seed"):
        lines.append(f"- {key.replace('_', ' ')}: {summary.get(key)}")
    for key, value in summary.get("final_losses", {}).items():
        lines.append(f"- final {key}: {value:.4f}")
    lines.append("")
    for caption, file in pictures.items():
        lines += [f"## {caption}", "", f"![{caption}]({file})", ""]
    (report_dir / "README.md").write_text("\n".join(lines))
