"""Recipe sweep: train a cgan variant, score its weight-averaged and raw generators at given epochs.

    .venv/bin/python benchmarks/recipe_sweep.py --name NAME [--g-width 48] [--ms 0.5] [--decay-from 0.5] ...
    .venv/bin/python benchmarks/recipe_sweep.py --table     # every result so far, as Markdown

Trains on the build's training digits (offline: the npm digits less the 10% held out), scores
10,000 samples against the held-out digits with the cached judge (run a build first), and writes
benchmarks/sweep/NAME.json. Used two at a time with --threads 1 on the 2-core machine.
"""

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
p = argparse.ArgumentParser()
p.add_argument("--name")
p.add_argument("--table", action="store_true")
p.add_argument("--epochs", type=int, default=120)
p.add_argument("--evals", default="40,80,120")
p.add_argument("--g-width", type=int, default=32)
p.add_argument("--d-width", type=int, default=32)
p.add_argument("--r1", type=float, default=0.0)
p.add_argument("--loss", default="bce")
p.add_argument("--decay-from", type=float, default=1.0)  # fraction of training after which lr decays linearly to 0
p.add_argument("--batch", type=int, default=64)
p.add_argument("--lr", type=float, default=2e-4)
p.add_argument("--dlr", type=float, default=0)
p.add_argument("--ema", type=float, default=0.999)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--dropout", type=float, default=0.3)
p.add_argument("--smooth", type=float, default=1.0)
p.add_argument("--ms", type=float, default=0.0)
a = p.parse_args()
if a.table:
    print("| run | G width | D width | mode-seeking | decay from | loss | epoch | FID | precision | recall ", end="")
    print("| confident | label acc |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for f in sorted((ROOT / "benchmarks" / "sweep").glob("*.json")):
        run = json.loads(f.read_text())
        r = run["args"]
        for row in run["results"]:
            m = row["ema"]
            print(
                f"| {r['name']} | {r['g_width']} | {r['d_width']} | {float(r.get('ms', 0)):g} "
                f"| {r['decay_from']:g} | {r['loss']} "
                f"| {row['epoch']}/{r['epochs']} | {m['fid']:.2f} | {m['precision']:.3f} | {m['recall']:.3f} "
                f"| {m['confident_fraction']:.3f} | {m['label_accuracy']:.3f} |"
            )
    sys.exit(0)
if not a.name:
    p.error("--name is required")
import tensorflow as tf  # noqa: E402 (threads are set before TensorFlow runs anything)

tf.config.threading.set_intra_op_parallelism_threads(a.threads)
tf.config.threading.set_inter_op_parallelism_threads(a.threads)
import tf_keras as keras  # noqa: E402 (threads are set before TensorFlow runs anything)
from tf_keras import layers  # noqa: E402 (threads are set before TensorFlow runs anything)

from pipeline import data, evaluate, models  # noqa: E402 (threads are set before TensorFlow runs anything)
from pipeline import train as T  # noqa: E402 (threads are set before TensorFlow runs anything)
from pipeline.gan import GAN  # noqa: E402 (threads are set before TensorFlow runs anything)

orig_features = models._conv_features


def conv_features(image, width):
    x = layers.Conv2D(width, 4, strides=2, padding="same", name="d0_conv")(image)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Conv2D(2 * width, 4, strides=2, padding="same", name="d1_conv")(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Flatten()(x)
    if a.dropout:
        x = layers.Dropout(a.dropout)(x)
    return models._dense_block(x, 4 * width, "d2", batch_norm=False)


models._conv_features = conv_features


class XGAN(GAN):
    def discriminator_step(self, real_images, real_labels):
        b = tf.shape(real_images)[0]
        z, fl = self.sample_inputs(b)
        fake = self.generator([z, fl], training=True)
        with tf.GradientTape() as tape:
            if a.r1:
                with tf.GradientTape() as rt:
                    rt.watch(real_images)
                    rl = self.discriminator([real_images, real_labels], training=True)
                g = rt.gradient(tf.reduce_sum(rl), real_images)
                pen = 0.5 * a.r1 * tf.reduce_sum(tf.square(g), axis=[1, 2, 3])
            else:
                rl = self.discriminator([real_images, real_labels], training=True)
                pen = 0.0
            fk = self.discriminator([fake, fl], training=True)
            if a.loss == "hinge":
                each = tf.nn.relu(1 - rl[:, 0]) + tf.nn.relu(1 + fk[:, 0])
            else:
                each = self.loss_fn(a.smooth * tf.ones_like(rl), rl) + self.loss_fn(tf.zeros_like(fk), fk)
            each = each + pen
            loss = self._mean(each)
        gr = tape.gradient(loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(gr, self.discriminator.trainable_weights))
        return each, rl, fk

    def generator_step(self, batch_size):
        z, fl = self.sample_inputs(batch_size)
        if a.ms:
            h = batch_size // 2
            fl = tf.concat([fl[:h], fl[:h]], 0)
        with tf.GradientTape() as tape:
            im = self.generator([z, fl], training=True)
            lg = self.discriminator([im, fl], training=True)
            each = -lg[:, 0] if a.loss == "hinge" else self.loss_fn(tf.ones_like(lg), lg)
            if a.ms:
                ratio = tf.reduce_mean(tf.abs(im[:h] - im[h:])) / tf.reduce_mean(tf.abs(z[:h] - z[h:]))
                each = each + a.ms / (ratio + 1e-5)
            loss = self._mean(each)
        gr = tape.gradient(loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(gr, self.generator.trainable_weights))
        if self.ema_decay:
            self._update_ema()
        return each


train_digits, heldout = data.load_training(None, None, log=lambda m: None)
judge = evaluate.load_or_train_judge(train_digits)
ref, _ = judge.embed(heldout.images)
keras.utils.set_random_seed(1)
g = models.cgan_generator(64, 10, a.g_width)
d = models.cgan_discriminator(10, a.d_width)
gan = XGAN(g, d, 64, 10, 1, a.ema)
steps = (len(train_digits) // a.batch) * a.epochs


def sched(lr):
    if a.decay_from >= 1:
        return lr
    start = int(steps * a.decay_from)

    class S(keras.optimizers.schedules.LearningRateSchedule):
        def __call__(self, step):
            s = tf.cast(step, tf.float32)
            return lr * tf.clip_by_value((steps - s) / (steps - start), 0.0, 1.0)

        def get_config(self):
            return {}

    return S()


gan.compile(
    d_optimizer=keras.optimizers.Adam(sched(a.dlr or a.lr), beta_1=0.5),
    g_optimizer=keras.optimizers.Adam(sched(a.lr), beta_1=0.5),
)
ds = T.make_dataset(train_digits, a.batch, 1)
evals = {int(e) for e in a.evals.split(",")}
results = []
t0 = time.time()


class CB(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        e = epoch + 1
        if e not in evals:
            return
        el = time.time() - t0
        row = {"epoch": e, "train_s": round(el)}
        for tag, gen in (("ema", gan.ema_generator), ("raw", gan.generator)):
            fn = evaluate.keras_generate_fn(gen, 64, 10, seed=1)
            im, lab = fn(10000)
            m = evaluate.image_metrics(judge, im, lab, ref)
            row[tag] = {
                k: round(m[k], 4) for k in ("fid", "precision", "recall", "confident_fraction", "label_accuracy")
            }
        results.append(row)
        print(a.name, json.dumps(row), flush=True)


gan.fit(ds, epochs=a.epochs, verbose=0, callbacks=[CB()])
json.dump({"args": vars(a), "results": results}, open(ROOT / "benchmarks" / "sweep" / f"{a.name}.json", "w"))
