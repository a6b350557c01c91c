"""The GAN as a keras.Model (one train_step, discriminator phase then generator phase), its schedule and assembly."""

from __future__ import annotations

import tensorflow as tf
import tf_keras as keras


class GAN(keras.Model):
    """Trains `generator` against `discriminator` with the non-saturating GAN loss.

    Conditional when num_classes > 0: both models then take a one-hot label as a second input,
    real images are judged with their own labels and fakes with the labels they were asked for.
    Reads only `self`, so it can be built and tested alone.
    """

    def __init__(
        self,
        generator,
        discriminator,
        latent_dim: int,
        num_classes: int = 0,
        seed: int = 0,
        ema_decay: float = 0.999,
        diversity_weight: float = 0.0,
        r1_weight: float = 0.0,
    ):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        # A random generator whose state is a variable: checkpointed, so a resumed run continues
        # the same noise stream instead of restarting it.
        self.noise_rng = tf.random.Generator.from_seed(seed)
        # An exponential moving average of the generator's weights (and BatchNorm statistics):
        # it smooths the step-to-step wobble of GAN training, gives visibly cleaner digits at no
        # cost in the browser, and is the generator that ships. ema_decay 0 turns it off.
        self.ema_decay = ema_decay
        self.ema_generator = keras.models.clone_model(generator) if ema_decay else generator
        self.ema_generator.set_weights(generator.get_weights())
        # Weight of the mode-seeking term (Mao et al. 2019, "MSGAN") in the generator's loss; 0 turns it off.
        self.diversity_weight = diversity_weight
        # Weight gamma of the R1 penalty (Mescheder et al. 2018): gamma / 2 * |grad_x D(x)|^2 on real
        # images, which keeps the discriminator smooth around the data; 0 turns it off.
        self.r1_weight = r1_weight
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")
        self.real_accuracy = keras.metrics.BinaryAccuracy(name="d_acc_real", threshold=0.0)
        self.fake_accuracy = keras.metrics.BinaryAccuracy(name="d_acc_fake", threshold=0.0)

    def compile(self, d_optimizer, g_optimizer, loss_fn=None, **kwargs):
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        # Per-example losses: scaled below by the number of replicas, as tf.distribute expects.
        self.loss_fn = loss_fn or keras.losses.BinaryCrossentropy(
            from_logits=True, reduction=keras.losses.Reduction.NONE
        )

    @property
    def metrics(self):
        # Listed here so Keras resets them at each epoch start and shows them in the progress bar.
        return [self.d_loss_tracker, self.g_loss_tracker, self.real_accuracy, self.fake_accuracy]

    @property
    def conditional(self) -> bool:
        return self.num_classes > 0

    def _inputs(self, x, labels):
        return [x, labels] if self.conditional else x

    def sample_inputs(self, batch_size):
        """Fresh noise [B, latent] and, when conditional, uniform one-hot labels [B, classes]."""
        random_latent_vectors = self.noise_rng.normal((batch_size, self.latent_dim))
        if not self.conditional:
            return random_latent_vectors, None
        random_classes = self.noise_rng.uniform((batch_size,), 0, self.num_classes, dtype=tf.int32)
        return random_latent_vectors, tf.one_hot(random_classes, self.num_classes)

    def _mean(self, per_example):
        # Sum over replicas of (local mean / replicas) is the global mean that the gradients need.
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        return tf.reduce_mean(per_example) / tf.cast(replicas, per_example.dtype)

    def discriminator_step(self, real_images, real_labels):
        """Real -> 1, generated -> 0; only the discriminator's weights move. -> per-example losses, logits."""
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors, fake_labels = self.sample_inputs(batch_size)
        generated_images = self.generator(self._inputs(random_latent_vectors, fake_labels), training=True)
        with tf.GradientTape() as tape:
            if self.r1_weight:
                real_logits, penalty = self.logits_and_r1_penalty(real_images, real_labels)
            else:  # no inner tape: the default's step stays as it was
                real_logits, penalty = self.discriminator(self._inputs(real_images, real_labels), training=True), 0.0
            fake_logits = self.discriminator(self._inputs(generated_images, fake_labels), training=True)
            d_loss_each = self.real_fake_loss(real_logits, fake_logits) + penalty
            d_loss = self._mean(d_loss_each)
        self.apply_discriminator_gradients(tape, d_loss)
        return d_loss_each, real_logits, fake_logits

    def logits_and_r1_penalty(self, real_images, real_labels):
        """-> the real images' logits [B, 1] and gamma / 2 * |d logit / d image|^2 for each [B] (as the losses).

        Called inside the discriminator's tape, so the penalty's own gradient (second order) flows.
        """
        real_images = tf.convert_to_tensor(real_images)
        with tf.GradientTape(watch_accessed_variables=False) as slope:
            slope.watch(real_images)
            real_logits = self.discriminator(self._inputs(real_images, real_labels), training=True)
        # Of the sum over the batch: each logit depends on its own image only. [B, 28, 28, 1]
        gradient = slope.gradient(real_logits, real_images)
        return real_logits, 0.5 * self.r1_weight * tf.reduce_sum(tf.square(gradient), axis=[1, 2, 3])

    def real_fake_loss(self, real_logits, fake_logits):
        """The discriminator's per-example loss: real -> 1, generated -> 0."""
        return self.loss_fn(tf.ones_like(real_logits), real_logits) + self.loss_fn(
            tf.zeros_like(fake_logits), fake_logits
        )

    def apply_discriminator_gradients(self, tape, d_loss, scale=None):
        """One optimiser step of the discriminator on d_loss, its gradients multiplied by `scale` if given."""
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        if scale is not None:
            grads = [g * scale for g in grads]
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

    def generator_step(self, real_images, real_labels):
        """Fakes labelled "real" (the non-saturating loss); only the generator's weights move.

        Takes the real batch, as subclasses need it (LAPGAN's coarse levels, SRGAN's originals);
        here only its size is used. -> per-example losses.
        """
        batch_size = tf.shape(real_images)[0]
        random_latent_vectors, fake_labels = self.sample_inputs(batch_size)
        half = batch_size // 2
        if self.diversity_weight and self.conditional:
            fake_labels = self.pair_labels(fake_labels, half)
        with tf.GradientTape() as tape:
            generated_images = self.generator(self._inputs(random_latent_vectors, fake_labels), training=True)
            misleading_logits = self.discriminator(self._inputs(generated_images, fake_labels), training=True)
            misleading_labels = tf.ones_like(misleading_logits)
            g_loss_each = self.loss_fn(misleading_labels, misleading_logits)
            if self.diversity_weight:
                g_loss_each += self.diversity_weight * self.mode_seeking_penalty(
                    generated_images, random_latent_vectors, half
                )
            g_loss = self._mean(g_loss_each)
        self.apply_generator_gradients(tape, g_loss)
        return g_loss_each

    def apply_generator_gradients(self, tape, g_loss):
        """One optimiser step of the generator on g_loss, then the weight average follows."""
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))
        if self.ema_decay:
            self._update_ema()

    @staticmethod
    def pair_labels(labels, half):
        """Pair image i with image i + half under the same label: only the noise tells them apart."""
        return tf.concat([labels[:half], labels[:half], labels[2 * half :]], axis=0)

    @staticmethod
    def mode_seeking_penalty(images, noise, half):
        """1 / (mean |G(z1) - G(z2)| / mean |z1 - z2|) over the pairs (i, i + half): a scalar.

        Large when two noise vectors give nearly the same image, i.e. when the generator collapses
        part of its noise onto one mode. The plain GAN loss never asks for variety within a class;
        measured on the default build, this term raises recall (BENCHMARKS.md, "The recipe").
        """
        image_gap = tf.reduce_mean(tf.abs(images[:half] - images[half : 2 * half]))
        noise_gap = tf.reduce_mean(tf.abs(noise[:half] - noise[half : 2 * half]))
        return 1.0 / (image_gap / noise_gap + 1e-5)

    def _update_ema(self):
        # Warm-up: early on, follow the generator closely (decay (1+t)/(10+t)) instead of
        # averaging in its random initial weights.
        step = tf.cast(self.g_optimizer.iterations, tf.float32)
        decay = tf.minimum(self.ema_decay, (1.0 + step) / (10.0 + step))
        pairs = list(zip(self.ema_generator.weights, self.generator.weights))

        def update(strategy):  # cross-replica context: one update per variable, as optimisers do
            for average, weight in pairs:
                strategy.extended.update(average, lambda a, w: a.assign(decay * a + (1.0 - decay) * w), args=(weight,))

        tf.distribute.get_replica_context().merge_call(update)

    def train_step(self, data):
        # real_images: [B, 28, 28, 1] in [-1, 1]; real_labels: one-hot [B, classes] (ignored if unconditional)
        real_images, real_labels = data
        d_loss_each, real_logits, fake_logits = self.discriminator_step(real_images, real_labels)
        g_loss_each = self.generator_step(real_images, real_labels)
        self.d_loss_tracker.update_state(d_loss_each)
        self.g_loss_tracker.update_state(g_loss_each)
        self.real_accuracy.update_state(tf.ones_like(real_logits), real_logits)
        self.fake_accuracy.update_state(tf.zeros_like(fake_logits), fake_logits)
        return {m.name: m.result() for m in self.metrics}

    def call(self, inputs, training=False):
        return self.ema_generator(inputs, training=training)

    def shipped_discriminator(self):
        """The discriminator the page scores digits with (None: the variant ships none)."""
        return self.discriminator


class LinearDecay(keras.optimizers.schedules.LearningRateSchedule):
    """`base` until step int(decay_start * total_steps), then linearly down to 0 at total_steps.

    A GAN trained at a constant rate keeps wobbling around its equilibrium; letting the rate fall
    over the second half settles it (lower FID, benchmarks in BENCHMARKS.md). The schedule reads
    the optimiser's step counter, which is checkpointed, so a resumed run continues on it.
    decay_start >= 1 (or no step count) gives a constant rate. It is a schedule object either way:
    Adam keeps a plain rate as a variable of its own, and a checkpoint written with one kind would
    not restore into an optimiser built with the other (say, on --resume with --decay-start 1).
    """

    def __init__(self, base: float, total_steps: int, decay_start: float):
        self.base, self.total_steps, self.decay_start = base, total_steps, decay_start
        self.constant = decay_start >= 1.0 or total_steps <= 0
        self.start = float(int(total_steps * decay_start))

    def __call__(self, step):
        if self.constant:
            return tf.constant(self.base, tf.float32)
        total = float(self.total_steps)
        remaining = (total - tf.cast(step, tf.float32)) / (total - self.start)
        return self.base * tf.clip_by_value(remaining, 0.0, 1.0)

    def get_config(self):
        return {"base": self.base, "total_steps": self.total_steps, "decay_start": self.decay_start}


def learning_rate(base: float, total_steps: int, decay_start: float) -> LinearDecay:
    """The learning-rate schedule both optimisers follow (see LinearDecay)."""
    return LinearDecay(base, total_steps, decay_start)
