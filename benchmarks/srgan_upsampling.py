"""SRGAN's upsampler: UpSampling2D + Conv2D ("resize") against Conv2DTranspose ("transpose"), the two
stand-ins for sub-pixel convolution that TF.js can load. Same recipe and data for both, a short run
each; writes benchmarks/results/srgan_upsampling_results.json.

    python benchmarks/srgan_upsampling.py [--epochs 6]

Measured: PSNR and SSIM of the weight-averaged generator on the build's held-out digits (against
bicubic), training seconds, and the generator's parameters and multiply-adds per digit.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime

from common import RESULTS  # noqa: E402

OUT = RESULTS / "srgan_upsampling_results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=6, help="epochs of 8,960 digits for each upsampler")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tf_keras as keras

    from pipeline import data, superres
    from pipeline.assemble import build_gan
    from pipeline.config import ModelConfig, TrainConfig
    from pipeline.cost import multiply_adds
    from pipeline.metrics import psnr, ssim
    from pipeline.train import make_dataset, steps_per_epoch

    train, heldout = data.load_training(log=lambda m: None)
    config = TrainConfig(epochs=args.epochs, diversity_weight=0.0)
    steps = steps_per_epoch(config, len(train))
    originals = data.to_model_range(heldout.images)
    low_res = data.downsample(originals, superres.FACTOR)
    reference = superres.to_unit(originals)
    rows = {}
    for upsampling in ("resize", "transpose"):
        keras.utils.set_random_seed(config.seed)
        gan = build_gan(ModelConfig(variant="srgan", upsampling=upsampling), config, steps)
        dataset = make_dataset(train, config.batch_size, config.seed, repeat=True)
        started = time.monotonic()
        gan.fit(dataset, epochs=config.epochs, steps_per_epoch=steps, verbose=0)
        seconds = time.monotonic() - started
        upscaled = np.asarray(gan.ema_generator(low_res, training=False))
        pixels = data.to_pixels(upscaled)[..., 0] / 255.0
        rows[upsampling] = {
            "psnr": float(np.mean(psnr(pixels, reference))),
            "ssim": float(np.mean(ssim(pixels, reference))),
            "train_seconds": round(seconds, 1),
            "parameters": int(gan.ema_generator.count_params()),
            "multiply_adds": multiply_adds(gan.ema_generator),
        }
        print(upsampling, rows[upsampling], flush=True)
    bicubic = data.to_pixels(superres.bicubic_upscale(low_res))[..., 0] / 255.0
    result = {
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": "python benchmarks/srgan_upsampling.py " + " ".join(sys.argv[1:]),
        "heldout": heldout.source,
        "epochs": args.epochs,
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "bicubic": {
            "psnr": float(np.mean(psnr(bicubic, reference))),
            "ssim": float(np.mean(ssim(bicubic, reference))),
        },
        "upsamplers": rows,
    }
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
