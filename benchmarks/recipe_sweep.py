"""Recipe sweep: train a cgan variant, score its weight-averaged and raw generators at given epochs.

    .venv/bin/python benchmarks/recipe_sweep.py --name NAME [--g-width 48] [--ms 0.5] [--decay-from 0.5] ...
    .venv/bin/python benchmarks/recipe_sweep.py --table     # every result so far, as Markdown

Trains on the build's training digits (offline: the npm digits less the 10% held out) with the
pipeline's own GAN, models and learning-rate schedule, scores 10,000 samples against the
held-out digits with the cached judge (run a build first), and writes benchmarks/results/sweep/NAME.json.
Used two at a time with --threads 1 on the 2-core machine. The hinge-loss rows in sweep/ came
from this script's first version (commit 17ff4f8), which carried its own training step.
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from common import RESULTS  # noqa: E402

SWEEP = RESULTS / "sweep"


def table() -> str:
    """Every sweep result (the weight-averaged generator's metrics) as a Markdown table."""
    lines = [
        "| run | G width | D width | mode-seeking | decay from | loss | epoch | FID | precision | recall "
        "| confident | label acc |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for path in sorted(SWEEP.glob("*.json")):
        run = json.loads(path.read_text())
        r = run["args"]
        for row in run["results"]:
            m = row["ema"]
            lines.append(
                f"| {r['name']} | {r['g_width']} | {r['d_width']} | {float(r.get('ms', 0)):g} "
                f"| {r['decay_from']:g} | {r['loss']} "
                f"| {row['epoch']}/{r['epochs']} | {m['fid']:.2f} | {m['precision']:.3f} | {m['recall']:.3f} "
                f"| {m['confident_fraction']:.3f} | {m['label_accuracy']:.3f} |"
            )
    return "\n".join(lines)


def sweep(a: argparse.Namespace) -> list[dict]:
    """Train one recipe; -> a row of metrics (weight-averaged and raw generator) per epoch in --evals."""
    import tensorflow as tf

    # Before TensorFlow runs anything: one thread each, so two sweeps share the two cores.
    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    import tf_keras as keras

    from pipeline import data, models
    from pipeline import train as training
    from pipeline.config import ModelConfig
    from pipeline.gan import GAN, learning_rate
    from pipeline.judge import image_metrics, load_or_train_judge
    from pipeline.sampling import keras_generate_fn

    train_digits, heldout = data.load_training(None, None, log=lambda m: None)
    judge = load_or_train_judge(train_digits)
    reference, _ = judge.embed(heldout.images)
    keras.utils.set_random_seed(1)
    generator = models.cgan_generator(64, 10, a.g_width)
    discriminator = models.cgan_discriminator(10, a.d_width)
    gan = GAN(generator, discriminator, 64, 10, 1, a.ema, a.ms)
    steps = (len(train_digits) // a.batch) * a.epochs

    def adam():
        return keras.optimizers.Adam(learning_rate(a.lr, steps, a.decay_from), beta_1=0.5)

    gan.compile(d_optimizer=adam(), g_optimizer=adam())
    evals = {int(e) for e in a.evals.split(",")}
    results = []
    started = time.time()

    class Score(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch + 1 not in evals:
                return
            row = {"epoch": epoch + 1, "train_s": round(time.time() - started)}
            for tag, model in (("ema", gan.ema_generator), ("raw", gan.generator)):
                images, labels = keras_generate_fn(model, ModelConfig("cgan", latent_dim=64), seed=1)(10_000)
                m = image_metrics(judge, images, labels, reference)
                keys = ("fid", "precision", "recall", "confident_fraction", "label_accuracy")
                row[tag] = {k: round(m[k], 4) for k in keys}
            results.append(row)
            print(a.name, json.dumps(row), flush=True)

    gan.fit(training.make_dataset(train_digits, a.batch, 1), epochs=a.epochs, verbose=0, callbacks=[Score()])
    return results


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--name", help="the run's name: benchmarks/results/sweep/NAME.json")
    p.add_argument("--table", action="store_true", help="print every result so far and stop")
    p.add_argument("--epochs", type=int, default=120)
    p.add_argument("--evals", default="40,80,120", help="epochs at which to score, comma-separated")
    p.add_argument("--g-width", type=int, default=32, help="generator width (models.cgan_generator)")
    p.add_argument("--d-width", type=int, default=32, help="discriminator width (models.cgan_discriminator)")
    p.add_argument("--decay-from", type=float, default=1.0, help="fraction of training after which the rate decays")
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--lr", type=float, default=2e-4)
    p.add_argument("--ema", type=float, default=0.999)
    p.add_argument("--ms", type=float, default=0.0, help="mode-seeking weight (GAN diversity_weight)")
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args()
    if a.table:
        print(table())
        return 0
    if not a.name:
        p.error("--name is required")
    results = sweep(a)
    SWEEP.mkdir(parents=True, exist_ok=True)
    record = {"args": dict(vars(a), loss="bce"), "results": results}
    (SWEEP / f"{a.name}.json").write_text(json.dumps(record))
    return 0


if __name__ == "__main__":
    sys.exit(main())
