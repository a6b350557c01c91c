"""The command line `python -m pipeline.evaluate`: score an exported generator with the judge metrics
(an upscaler, srgan, with PSNR, SSIM and the judge's accuracy beside bicubic upscaling)."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path

from pipeline import data, export
from pipeline.cli import USAGE_STATUS, Parser, UsageError, in_range, one_line
from pipeline.config import DATASETS, DEFAULT_DATASET, ModelConfig
from pipeline.judge import evaluate_generator, load_or_train_judge
from pipeline.metrics import PRECISION_RECALL_K, format_table
from pipeline.sampling import keras_generate_fn
from pipeline.variants import UPSCALE

MAX_SAMPLES = 100_000  # as the build's --eval-samples


def parse_args(argv: list[str] | None):
    parser = Parser(
        prog="python -m pipeline.evaluate", description="Score an exported generator with the judge metrics."
    )
    parser.add_argument("--exported", type=Path, required=True, help="folder with model.json and metadata.json")
    parser.add_argument("--data", type=Path, help="training digits (IDX folder or mnist.npz); default: as the build")
    parser.add_argument("--eval-data", type=Path, help="held-out digits; default: the test split or 10%% of --data")
    parser.add_argument(
        "--samples",
        type=in_range(int, PRECISION_RECALL_K + 1, MAX_SAMPLES),
        default=10_000,
        help="generated digits to score (default 10000)",
    )
    parser.add_argument("--json", action="store_true", help="print only the result as JSON (logs go to stderr)")
    return parser.parse_args(argv)


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """Send whatever the work prints to stdout (Keras's "Downloading data from ...", C++ code) to stderr,
    so that stdout carries only the result."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def evaluate_export(
    model, model_config: ModelConfig, train: data.Digits, heldout: data.Digits, samples: int, seed: int, log=print
) -> dict:
    """A trained model's scores, for the build and for this command alike: a generator's judge metrics
    on `samples` digits drawn with `seed` (pipeline.judge), or an upscaler's PSNR, SSIM and judge
    accuracy beside bicubic (pipeline.superres). The judge is trained on `train` (cached)."""
    judge = load_or_train_judge(train, log=log)
    if model_config.spec.task == UPSCALE:
        from pipeline.superres import evaluate_upscaler

        return evaluate_upscaler(lambda low: model(low, training=False), judge, heldout, samples)
    generate = keras_generate_fn(model, model_config, seed=seed)
    return evaluate_generator(generate, model_config.num_classes, judge, train, heldout, samples=samples)


def headline(evaluation: dict) -> dict:
    """An evaluation's one number, for the timeline: a generator's FID, an upscaler's PSNR (dB)."""
    if "upscaled" in evaluation:
        return {"psnr": round(float(evaluation["upscaled"]["psnr"]), 3)}
    return {"fid": round(float(evaluation["generated"]["fid"]), 3)}


def model_config_of(metadata: dict) -> ModelConfig:
    """What an export's metadata.json says the model is (its variant's record gives the rest)."""
    return ModelConfig(
        variant=metadata.get("variant"), latent_dim=metadata["latent_dim"], num_classes=metadata["num_classes"]
    )


def dataset_of(args, metadata: dict) -> str:
    """The dataset to score against: the one the model's metadata names. Without --data, a model of a
    dataset this command cannot load by name (a folder of your own images) is refused, never scored
    against MNIST."""
    dataset = metadata.get("dataset", DEFAULT_DATASET)
    if dataset in DATASETS:
        return dataset
    if args.data is None:
        raise UsageError(
            f"{args.exported}: the model was trained on {dataset!r}, which evaluate cannot load by name; "
            "pass --data with those images"
        )
    return DEFAULT_DATASET  # --data names the images; the name only picks the fallback, unused


def check_classes(metadata: dict, train: data.Digits) -> None:
    """A conditional model is scored only on data with its classes (a judge of other classes reads nothing)."""
    wanted, names, model = metadata.get("num_classes", 0), metadata.get("class_names"), metadata.get("name", "")
    if wanted and train.num_classes != wanted:
        raise UsageError(f"the model {model} has {wanted} classes but the data has {train.num_classes}")
    if wanted and names and train.class_names is not None and list(train.class_names) != list(names):
        raise UsageError(f"the model {model} names classes {list(names)}, the data {list(train.class_names)}")


def main(argv: list[str] | None = None) -> int:
    """Human table on stdout (or, with --json, only the JSON result); logs on stderr; exit 2 on bad input."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")  # imported by tensorflowjs

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    try:
        args = parse_args(argv)
        with stdout_to_stderr():
            model, metadata = export.load_exported(args.exported)
            train, heldout = data.load_training(args.data, args.eval_data, log=log, dataset=dataset_of(args, metadata))
            check_classes(metadata, train)
            # The build's seed, so scoring a shipped model again draws the samples its build scored.
            seed = (metadata.get("training") or {}).get("seed", 0)
            result = evaluate_export(model, model_config_of(metadata), train, heldout, args.samples, seed, log)
    except (UsageError, data.DataError, export.ExportError, OSError, ValueError) as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return USAGE_STATUS
    if args.json:
        print(json.dumps(result, indent=2))
    elif "upscaled" in result:
        variant, source = metadata.get("variant", "unknown"), result["heldout_source"]
        print(f"variant: {variant} ({result['samples']:,} digits of {source})")
        for row in ("upscaled", "bicubic"):
            print(f"{row:9s} " + "  ".join(f"{k} {v:.4f}" for k, v in result[row].items()))
        print(f"originals judge_accuracy {result['original']['judge_accuracy']:.4f}")
    else:
        print(f"variant: {metadata.get('variant', 'unknown')}")
        print(format_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
