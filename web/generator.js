/** All TensorFlow.js work of the page: backends, building the generator, and noise -> pixel values. */

import { ERROR_KINDS } from './errors.js';
import { FIXED_PLANE_SEED, UPSCALE, generatorInputs, modelProblem, modelSignature, planeNoise } from './inputs.js';
import { slerpWeights } from './interpolate.js';
import { registerFastLayers } from './layers.js';
import { BACKENDS } from './limits.js';
import { LoadError } from './loader.js';

// The UMD build of TF.js from a deferred classic <script>; main.js imports this module only after
// those scripts ran (tf is undefined if one failed to load).
const tf = globalThis.tf;

// Beside this module: the page's vendor/ folder (pipeline.serve's route, or the site's copy).
const WASM_PATH = new URL('vendor/tfjs-backend-wasm/', import.meta.url).href;

export function tfLoaded() {
  return typeof tf === 'object' && tf !== null && typeof tf.loadLayersModel === 'function';
}

/** Backends whose code is loaded in this page (wasm only when its script loaded too). */
export function registeredBackends() {
  return BACKENDS.filter((name) => tf.findBackendFactory(name) !== null);
}

let wasmConfigured = false;

/** Switch TF.js to `name` -> true when the backend started. */
export async function useBackend(name) {
  if (name === 'wasm') {
    if (!tf.wasm) return false;
    if (!wasmConfigured) {
      tf.wasm.setWasmPaths(WASM_PATH); // from the page's own folder, never a CDN
      wasmConfigured = true;
    }
  }
  try {
    return await tf.setBackend(name);
  } catch {
    return false;
  }
}

/** Start the first backend of `order` that works -> its name. */
export async function startBackend(order) {
  for (const name of order) {
    if (await useBackend(name)) return name;
  }
  throw new LoadError(ERROR_KINDS.BACKEND, `No TensorFlow.js backend could start here (tried ${order.join(', ')}).`);
}

/** What the current backend is, in words: "wasm (SIMD, 2 threads)", "webgl (WebGL 2)", "cpu". */
export async function describeBackend() {
  const name = tf.getBackend();
  if (name === 'wasm') {
    const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');
    let threads = 1;
    try {
      threads = tf.wasm.getThreadsCount();
    } catch {
      // not initialised yet: report one thread
    }
    return `wasm (${simd ? 'SIMD, ' : ''}${threads} thread${threads === 1 ? '' : 's'})`;
  }
  if (name === 'webgl') return `webgl (WebGL ${tf.env().getNumber('WEBGL_VERSION')})`;
  return name;
}

export function currentBackend() {
  return tfLoaded() ? tf.getBackend() : null;
}

export function memory() {
  return tf.memory();
}

/**
 * The exported generator: turns noise (and class labels, and any noise planes) into pixel values; an
 * upscaler (task "upscale") turns 7x7 digits into 28x28 ones instead.
 */
export class Generator {
  /** Artifacts from loader.loadModelArtifacts + checked metadata -> a Generator whose inputs match the metadata. */
  static async load(artifacts, metadata) {
    registerFastLayers();
    let model;
    try {
      model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    } catch (error) {
      throw new LoadError(
        ERROR_KINDS.MODEL_CORRUPT,
        `TF.js could not build the generator from model.json: ${error.message}`,
      );
    }
    const shapes = (tensors) => tensors.map((tensor) => tensor.shape);
    const problem = modelProblem(shapes(model.inputs), shapes(model.outputs), modelSignature(metadata));
    if (problem) {
      model.dispose();
      throw new LoadError(
        ERROR_KINDS.MODEL_CORRUPT,
        `model.json does not match metadata.json: ${problem}. Re-run the export.`,
      );
    }
    return new Generator(model, metadata);
  }

  constructor(model, metadata) {
    this.model = model;
    const signature = modelSignature(metadata);
    this.latentDim = metadata.latent_dim;
    this.numClasses = metadata.num_classes;
    this.upscales = signature.task === UPSCALE;
    this.planes = signature.planes; // noise inputs after [noise, label]: [{name, shape, size}]
    this.outputs = signature.outputs; // the image first, then any pyramid levels: [{name, shape, size}]
    this.lowRes = signature.lowRes; // an upscaler's input {name, shape, size}, else null
    // What callers that give no planes get (a morph, a game round): one fixed draw, the same for every sample.
    this.fixedPlanes = planeNoise(FIXED_PLANE_SEED, 1, this.planes);
    this.imageShape = metadata.image_shape; // [height, width, channels]
    this.pixelsPerImage = this.imageShape[0] * this.imageShape[1] * this.imageShape[2];
    // Model output in [low, high] (tanh: [-1, 1]) -> grey level (v - low) * scale in [0, 255].
    [this.low] = metadata.output_range;
    this.scale = 255 / (metadata.output_range[1] - metadata.output_range[0]);
    this.parameters = model.countParams();
  }

  get conditional() {
    return this.numClasses > 0;
  }

  /**
   * noise: Float32Array [n * latentDim], standard normal; classes: n class indices, or null when
   * unconditional; planes: one Float32Array [n * size] per noise plane (inputs.planeNoise), or null
   * for the fixed ones -> Float32Array [n * H * W * C] of grey levels in 0..255 (not yet rounded).
   */
  async pixels(noise, classes, planes = null) {
    const n = noise.length / this.latentDim;
    const values = tf.tidy(() => {
      const z = tf.tensor2d(noise, [n, this.latentDim]);
      const labels = this.conditional ? this.oneHot(tf.tensor1d(classes, 'int32')) : null;
      return this.toPixels(z, labels, this.planeTensors(planes, n));
    });
    return this.download(values);
  }

  /**
   * Every output for the same inputs as pixels() -> [{name, shape, values}], the image first, each
   * values Float32Array [n * size] in output_range (not grey levels): LAPGAN's pyramid levels.
   */
  async levels(noise, classes, planes = null) {
    const n = noise.length / this.latentDim;
    const outputs = tf.tidy(() => {
      const z = tf.tensor2d(noise, [n, this.latentDim]);
      const labels = this.conditional ? this.oneHot(tf.tensor1d(classes, 'int32')) : null;
      return [].concat(this.model.predict(this.feed(z, labels, this.planeTensors(planes, n))));
    });
    const values = [];
    for (const output of outputs) values.push(await this.download(output)); // each disposed as read
    return this.outputs.map((output, i) => ({ ...output, values: values[i] }));
  }

  /**
   * An upscaler's work: lowRes Float32Array [n * 7 * 7] in output_range (digits averaged over 4x4
   * blocks) -> Float32Array [n * H * W * C] in output_range (not grey levels: PSNR quantises them).
   */
  async upscale(lowRes) {
    const n = lowRes.length / this.lowRes.size;
    const output = tf.tidy(() => {
      const input = tf.tensor(lowRes, [n, ...this.lowRes.shape]);
      return [].concat(this.model.predict(input))[0];
    });
    return this.download(output);
  }

  /**
   * `steps` frames morphing from sample A to sample B: the noise moves along the great circle
   * between the two vectors (slerp keeps it at a typical norm for a Gaussian), and for a
   * conditional model the one-hot labels blend linearly from classA to classB.
   * noiseA, noiseB: Float32Array [latentDim] -> Float32Array [steps * H * W * C].
   */
  async morph(noiseA, noiseB, classA, classB, steps, planesA = null, planesB = null) {
    const [weightsA, weightsB] = slerpWeights(noiseA, noiseB, steps);
    const values = tf.tidy(() => {
      const a = tf.tensor2d(noiseA, [1, this.latentDim]);
      const b = tf.tensor2d(noiseB, [1, this.latentDim]);
      // [steps, 1] weights times [1, latentDim] ends -> [steps, latentDim]
      const z = tf
        .tensor2d(weightsA, [steps, 1])
        .mul(a)
        .add(tf.tensor2d(weightsB, [steps, 1]).mul(b));
      let labels = null;
      if (this.conditional) {
        const t = tf.linspace(0, 1, steps).reshape([steps, 1]);
        const oneHotA = this.oneHot(tf.tensor1d([classA], 'int32')); // [1, classes]
        const oneHotB = this.oneHot(tf.tensor1d([classB], 'int32'));
        labels = tf.scalar(1).sub(t).mul(oneHotA).add(t.mul(oneHotB)); // [steps, classes]
      }
      return this.toPixels(z, labels, this.morphPlanes(planesA, planesB, steps));
    });
    return this.download(values);
  }

  /** Call inside tf.tidy: class indices int32 [n] -> float32 one-hot rows [n, classes]. */
  oneHot(classes) {
    return tf.cast(tf.oneHot(classes, this.numClasses), 'float32');
  }

  /**
   * Call inside tf.tidy: z [n, latentDim], labels [n, classes] or null, planes: tensors [n, ...shape]
   * (planeTensors) -> grey levels [n, H*W*C].
   */
  toPixels(z, labels, planes = this.planeTensors(null, z.shape[0])) {
    const [output] = [].concat(this.model.predict(this.feed(z, labels, planes))); // [n, H, W, C] in output_range
    return output.sub(this.low).mul(this.scale).clipByValue(0, 255).reshape([z.shape[0], this.pixelsPerImage]);
  }

  /**
   * Call inside tf.tidy (or a gradient function): z [n, latentDim], labels [n, classes] or null ->
   * images [n, H, W, C] in output_range, drawn with the fixed noise planes. Unlike predict, apply
   * records the ops, so gradients reach z.
   */
  apply(z, labels) {
    const feed = this.feed(z, labels, this.planeTensors(null, z.shape[0]));
    return [].concat(this.model.apply(feed, { training: false }))[0];
  }

  /** The model's inputs in its order: [noise, label (conditional), ...planes], or noise alone. */
  feed(z, labels, planes) {
    const inputs = generatorInputs(z, labels, planes);
    return inputs.length === 1 ? z : inputs;
  }

  /** Call inside tf.tidy: planes as pixels() takes them (null: the fixed ones) -> tensors [n, ...shape]. */
  planeTensors(planes, n) {
    return this.planes.map(({ shape }, k) =>
      planes
        ? tf.tensor(planes[k], [n, ...shape])
        : tf.tensor(this.fixedPlanes[k], [1, ...shape]).tile([n, ...shape.map(() => 1)]),
    );
  }

  /** Call inside tf.tidy: the noise planes of a morph's frames, each moved along its own great circle. */
  morphPlanes(planesA, planesB, steps) {
    if (!planesA || !planesB) return this.planeTensors(null, steps);
    return this.planes.map(({ shape, size }, k) => {
      const [weightsA, weightsB] = slerpWeights(planesA[k], planesB[k], steps);
      const a = tf.tensor2d(planesA[k], [1, size]);
      const b = tf.tensor2d(planesB[k], [1, size]);
      const frames = tf
        .tensor2d(weightsA, [steps, 1])
        .mul(a)
        .add(tf.tensor2d(weightsB, [steps, 1]).mul(b));
      return frames.reshape([steps, ...shape]);
    });
  }

  /** Tensor -> its values, disposing it; non-finite output means broken weights and is an error. */
  async download(tensor) {
    let values;
    try {
      values = await tensor.data();
    } finally {
      tensor.dispose();
    }
    for (let i = 0; i < values.length; i++) {
      // clipByValue passes NaN through. (Garbage weights need not give NaN everywhere: WASM's
      // max-based activations can turn it into numbers, so metadata's sha256 is the real check.)
      if (Number.isNaN(values[i])) {
        throw new LoadError(
          ERROR_KINDS.SHARD_CORRUPT,
          'The generator produced NaN values: its weight file is corrupt. Re-run the export.',
        );
      }
    }
    return values;
  }

  dispose() {
    this.model.dispose();
  }
}

/**
 * Digits per second of `generator` on the current backend at `batch`: one untimed warm-up run
 * (shader compilation, weight upload), then timed runs for about `budgetMs` (at least one).
 */
export async function measureRate(generator, batch, budgetMs = 400) {
  const width = generator.upscales ? generator.lowRes.size : generator.latentDim;
  const noise = new Float32Array(batch * width).map(() => Math.random() * 2 - 1);
  const classes = generator.conditional ? Array.from({ length: batch }, (_, i) => i % generator.numClasses) : null;
  const run = () => (generator.upscales ? generator.upscale(noise) : generator.pixels(noise, classes));
  await run();
  let runs = 0;
  const start = performance.now();
  while (runs < 50 && (runs < 1 || performance.now() - start < budgetMs)) {
    await run();
    runs++;
  }
  return (batch * runs * 1000) / (performance.now() - start);
}
