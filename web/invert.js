/** Finding an image in the generator: gradient descent on the noise, over several classes and restarts at once. */

import { normalNoise } from './random.js';

const tf = globalThis.tf; // loaded by the drawing panel, long after TF.js

/*
 * Tuned on the WASM backend for the shipped MNIST cgan (benchmarks/inversion_bench.py): 0.7 s per
 * search (median) on the 2-core reference machine with a build busy on the other core, ending ~40x
 * (digits the generator drew) and ~9x (real test digits) closer, in mean squared error, than the
 * best of 100 random draws. Fewer steps cost distance; more draws or rows bought little; keeping 4
 * rows after the first steps is as good as 6, and faster.
 */
export const INVERT_SETTINGS = {
  draws: 160, // random noise vectors, spread evenly over the classes tried, generated once (no gradients)
  rows: 20, // the closest draws (the same number per class) start the descent, all in one batch
  keep: 4, // after `narrowAfter` steps only the `keep` closest rows (of any class) go on: fewer, faster steps
  narrowAfter: 10,
  steps: 55, // Adam steps in all
  learningRate: 0.12, // on noise of unit scale: large early moves, then Adam's own step-size decay
  priorWeight: 0.01, // pulls mean(z^2) toward 1, where standard-normal noise lives; costs no distance
  progressEvery: 10, // steps between two onProgress calls (and a yield to the page)
};

/**
 * generator: a generator.js Generator; target: Float32Array [H*W*C] in the model's output_range;
 * classes: the class indices to try (all in one batch; default every class; ignored when the model
 * is unconditional); seed: names the random draws; onProgress({step, steps, mse, pixels}) every
 * progressEvery steps, pixels being the grey levels (0..255, Float32Array [H*W*C]) of the closest
 * digit so far; options: any of INVERT_SETTINGS.
 * -> {noise: Float32Array [latentDim], label (null when unconditional), mse, pixels, steps}, mse in
 * output_range units squared. Every tensor is freed on return.
 */
export async function invert(generator, target, { classes = null, seed = 1, onProgress = () => {}, ...options } = {}) {
  const settings = { ...INVERT_SETTINGS, ...options };
  const tried = generator.conditional ? classes || [...Array(generator.numClasses).keys()] : [null];
  const [height, width, channels] = generator.imageShape;
  const goal = tf.tensor4d(target, [1, height, width, channels]);
  let search = null;
  try {
    search = new Descent(generator, goal, await closestDraws(generator, goal, tried, seed, settings), settings);
    for (let step = 1; step <= settings.steps; step++) {
      if (step === settings.narrowAfter + 1 && search.labels.length > settings.keep) {
        const kept = await search.closest(settings.keep);
        search.dispose();
        search = new Descent(generator, goal, kept, settings);
      }
      search.step();
      if (step % settings.progressEvery === 0 && step < settings.steps) {
        onProgress({ step, steps: settings.steps, ...(await search.best()) });
        await new Promise((resolve) => setTimeout(resolve, 0)); // the canvas paints, events run
      }
    }
    return { ...(await search.best()), steps: settings.steps };
  } finally {
    goal.dispose();
    if (search) search.dispose();
  }
}

/**
 * `draws` seeded random noise vectors, as many per class; of each class's, the closest to `goal`,
 * `rows` in all -> rows {noise: Float32Array [rows * latentDim], labels: class per row, mse: per row}.
 */
async function closestDraws(generator, goal, tried, seed, { draws, rows }) {
  const { latentDim } = generator;
  const perClass = Math.max(1, Math.floor(rows / tried.length));
  const candidates = Math.max(perClass, Math.floor(draws / tried.length));
  const noise = normalNoise(seed, tried.length * candidates * latentDim);
  const labels = tried.flatMap((label) => new Array(candidates).fill(label));
  const mse = await download(
    tf.tidy(() => meanSquaredError(generator, tf.tensor2d(noise, [labels.length, latentDim]), labels, goal)),
  );
  const chosen = tried.flatMap((_, c) => closestFirst(mse, c * candidates, (c + 1) * candidates).slice(0, perClass));
  return takeRows({ noise, labels, mse }, chosen, latentDim);
}

/** Adam on a batch of noise vectors (one per restart and class), each pulled toward the same goal. */
class Descent {
  /** start: rows {noise: Float32Array [rows * latentDim], labels} to start from. */
  constructor(generator, goal, { noise, labels }, { learningRate, priorWeight }) {
    Object.assign(this, { generator, goal, labels, priorWeight });
    const shape = [labels.length, generator.latentDim];
    this.z = tf.tidy(() => tf.variable(tf.tensor2d(noise, shape))); // tidy frees the copy the variable was made from
    this.oneHot = generator.conditional ? tf.tidy(() => generator.oneHot(tf.tensor1d(labels, 'int32'))) : null;
    this.optimizer = tf.train.adam(learningRate);
  }

  /** One Adam step on the sum of the rows' losses: each row moves by its own loss's gradient. */
  step() {
    const loss = () => {
      const mse = meanSquaredError(this.generator, this.z, this.oneHot, this.goal); // [rows]
      const radius = this.z.square().mean(1).sub(1).square(); // [rows]; 0 at the typical radius
      return mse.add(radius.mul(this.priorWeight)).sum();
    };
    this.optimizer.minimize(loss, false, [this.z]); // the noise only: the generator's weights stay
  }

  /** The `count` rows closest to the goal now, closest first -> rows {noise, labels, mse}. */
  async closest(count) {
    const mse = await download(tf.tidy(() => meanSquaredError(this.generator, this.z, this.oneHot, this.goal)));
    const noise = await this.z.data();
    const rows = { noise, labels: this.labels, mse };
    return takeRows(rows, closestFirst(mse, 0, mse.length).slice(0, count), this.generator.latentDim);
  }

  /** The closest row -> {noise: Float32Array [latentDim], label, mse, pixels: its grey levels 0..255}. */
  async best() {
    const { noise, labels, mse } = await this.closest(1);
    const pixels = await this.generator.pixels(noise, this.generator.conditional ? labels : null);
    return { noise, label: labels[0], mse: mse[0], pixels };
  }

  dispose() {
    this.z.dispose();
    if (this.oneHot) this.oneHot.dispose();
    this.optimizer.dispose();
  }
}

/** Indices from..to-1 of `mse`, smallest error first. */
function closestFirst(mse, from, to) {
  return Array.from({ length: to - from }, (_, i) => from + i).sort((a, b) => mse[a] - mse[b]);
}

/** Rows `chosen` of rows {noise [n * latentDim], labels [n], mse [n]} -> the same fields for just those. */
function takeRows({ noise, labels, mse }, chosen, latentDim) {
  const picked = new Float32Array(chosen.length * latentDim);
  chosen.forEach((row, i) => picked.set(noise.subarray(row * latentDim, (row + 1) * latentDim), i * latentDim));
  return { noise: picked, labels: chosen.map((row) => labels[row]), mse: chosen.map((row) => mse[row]) };
}

/**
 * Call inside tf.tidy: z [n, latentDim]; labels: one-hot [n, classes], or n class indices, or null;
 * goal [1, H, W, C] -> mean squared error per row [n], in output_range units squared.
 */
function meanSquaredError(generator, z, labels, goal) {
  let oneHot = labels;
  if (Array.isArray(labels)) oneHot = generator.conditional ? generator.oneHot(tf.tensor1d(labels, 'int32')) : null;
  return generator.apply(z, oneHot).sub(goal).square().mean([1, 2, 3]);
}

/** A tensor's values, the tensor freed. */
async function download(tensor) {
  try {
    return await tensor.data();
  } finally {
    tensor.dispose();
  }
}
