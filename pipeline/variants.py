"""One record per GAN variant: what it is, where its builders live, what it takes and gives, its recipe.

Nothing else in the pipeline branches on a variant's name: code asks the record (`VARIANTS[name]`).
Adding a variant is one module with `build(model_config, train_config, total_steps, **common)` and one
record here. Imports nothing from the project (pipeline.config reads it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType

GENERATE = "generate"  # draws from noise (and a class label when conditional)
UPSCALE = "upscale"  # turns a 7x7 digit into a 28x28 one


@dataclass(frozen=True)
class Variant:
    name: str
    description: str  # one line, shown in the index and the page's model picker
    module: str  # the module whose build(model_config, train_config, total_steps, **common) -> uncompiled GAN
    conditional: bool = False  # takes a one-hot class label [N, num_classes]
    task: str = GENERATE
    latent_dim: int = 64  # the noise's default size (0: takes no noise)
    # What differs from TrainConfig's defaults, measured in BENCHMARKS.md; each build within 10 minutes
    # on the reference machine (2 cores).
    recipe: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    quantization: str | None = None  # its weight format when not BuildConfig.quantize's default
    noise_planes: tuple[tuple[int, int, int], ...] = ()  # noise inputs after [noise, label], standard normal
    pyramid: tuple[int, ...] = ()  # a Laplacian pyramid's levels, coarse to fine (outputs: image, then coarser)
    r1: bool = True  # whether the R1 penalty (--r1) applies to its discriminator
    # Its outputs are sums (coarse + detail, upscaled + detail), not squashed by a tanh: the model that
    # ships ends in a clip to output_range made of standard layers (pipeline.assemble.shipped_generator).
    clip: bool = False


def _recipe(**values) -> MappingProxyType:
    return MappingProxyType(values)


VARIANTS: dict[str, Variant] = {
    variant.name: variant
    for variant in (
        Variant(
            "cgan",
            "conditional GAN (ask for any class)",
            "pipeline.models",
            conditional=True,
        ),
        Variant(
            "dcgan",
            "deep convolutional GAN (unconditional)",
            "pipeline.models",
            # R1 (gamma 10) without the mode-seeking term: every class at 8.2-12.5% of samples and FID
            # 4.4, against 1.9-17% and FID 11.0 for the default's terms at 60 epochs (BENCHMARKS.md, "DCGAN").
            recipe=_recipe(epochs=80, diversity_weight=0.0, r1_weight=10.0),
        ),
        Variant(
            "mlp",
            "the classic Keras MLP GAN (unconditional baseline)",
            "pipeline.models",
            # The classic Keras MNIST GAN: 100-d noise, a constant learning rate, the plain GAN loss.
            latent_dim=100,
            recipe=_recipe(decay_start=1.0, diversity_weight=0.0),
        ),
        Variant(
            "lapgan",
            "Laplacian pyramid GAN, 7 → 14 → 28 (conditional)",
            "pipeline.lapgan",
            conditional=True,
            # Without the mode-seeking term: on its 7x7 level (weight 0.4) it raised recall 0.17 -> 0.29
            # but cost label accuracy 0.85 -> 0.55 and FID 11.1 -> 18.0 (BENCHMARKS.md, "LAPGAN"). 60
            # epochs, 9.2 min alone: FID 7.7, recall 0.24, where 36 (5.1 min) gave 11.1 and 0.17.
            recipe=_recipe(epochs=60, diversity_weight=0.0),
            # Three generators' outputs add up without a final squashing, so uint8 rounding in each level
            # adds up (0.66 at worst on one pixel, past export.TOLERANCE); float16 keeps it within 2e-2.
            quantization="float16",
            noise_planes=((14, 14, 1), (28, 28, 1)),
            pyramid=(7, 14, 28),
            r1=False,
            clip=True,
        ),
        Variant(
            "srgan",
            "super-resolution GAN, 7×7 → 28×28",
            "pipeline.srgan",
            task=UPSCALE,
            latent_dim=0,  # it takes a small digit, not noise
            recipe=_recipe(epochs=24, diversity_weight=0.0),
            r1=False,
            clip=True,
        ),
    )
}
DEFAULT_VARIANT = "cgan"
# What a build on images without labels (a folder of your own, unsorted) trains instead of a conditional one.
UNCONDITIONAL_DEFAULT = "dcgan"
