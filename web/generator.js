/** All TensorFlow.js work of the page: backends, building the generator, and noise -> pixel values. */

import { ERROR_KINDS } from './errors.js';
import { slerpWeights } from './interpolate.js';
import { BACKENDS } from './limits.js';
import { LoadError } from './loader.js';
import { subPixelKernel } from './subpixel.js';

// The UMD build of TF.js from a deferred classic <script>; main.js imports this module only after
// those scripts ran (tf is undefined if one failed to load).
const tf = globalThis.tf;

const WASM_PATH = '/vendor/tfjs-backend-wasm/';

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
      tf.wasm.setWasmPaths(WASM_PATH); // served from node_modules by pipeline.serve, never a CDN
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

// ---------------------------------------------------------------- a faster transposed convolution

/*
 * The generator upsamples with Conv2DTranspose (4x4 kernel, stride 2, 'same' padding); the page
 * runs those layers in the sub-pixel form of subpixel.js (a 3x3 Conv2D into 4x the channels, then
 * depth-to-space), which TF.js's WASM backend runs about 2.5x faster. The parity tests hold it to
 * the Keras output within one grey level on every backend.
 */

let fastLayersRegistered = false;

/** Make tf.loadLayersModel build Conv2DTranspose layers that use the sub-pixel form where it applies. */
export function registerFastLayers() {
  if (fastLayersRegistered) return;
  fastLayersRegistered = true;
  const Conv2DTranspose = tf.layers.conv2dTranspose({ filters: 1, kernelSize: 1 }).constructor;

  class SubPixelConv2DTranspose extends Conv2DTranspose {
    call(inputs, kwargs) {
      const same = (values, expected) => values.length === 2 && values.every((value) => value === expected);
      const applies =
        same(this.kernelSize, 4) &&
        same(this.strides, 2) &&
        this.padding === 'same' &&
        this.dataFormat === 'channelsLast';
      if (!applies) return super.call(inputs, kwargs);
      return tf.tidy(() => {
        const input = Array.isArray(inputs) ? inputs[0] : inputs;
        const [n, h, w] = input.shape; // [n, h, w, inChannels]
        if (!this.subPixelKernel) {
          const kernel = this.kernel.read(); // [4, 4, filters, inChannels], read once
          const [, , filters, inChannels] = kernel.shape;
          const values = subPixelKernel(kernel.dataSync(), kernel.shape);
          this.subPixelKernel = tf.keep(tf.tensor4d(values, [3, 3, inChannels, 4 * filters]));
        }
        const phases = tf.conv2d(input, this.subPixelKernel, 1, 'same'); // [n, h, w, (a, b, filters)]
        // depthToSpace(2) as reshape-transpose-reshape, several times faster on WASM:
        // [n*h, w, a, (b, filters)] -> [n*h, a, w, (b, filters)] -> [n, 2h, 2w, filters]
        let output = phases
          .reshape([n * h, w, 2, 2 * this.filters])
          .transpose([0, 2, 1, 3])
          .reshape([n, 2 * h, 2 * w, this.filters]);
        if (this.bias != null) output = tf.add(output, this.bias.read());
        return this.activation != null ? this.activation.apply(output) : output;
      });
    }

    disposeWeights() {
      if (this.subPixelKernel) this.subPixelKernel.dispose();
      this.subPixelKernel = null;
      return super.disposeWeights();
    }
  }
  SubPixelConv2DTranspose.className = 'Conv2DTranspose'; // replaces TF.js's class for that Keras name
  tf.serialization.registerClass(SubPixelConv2DTranspose);
}

/** The exported generator: turns noise (and class labels) into pixel values. */
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
    const problem = signatureProblem(model, metadata);
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
    this.latentDim = metadata.latent_dim;
    this.numClasses = metadata.num_classes;
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
   * unconditional -> Float32Array [n * H * W * C] of grey levels in 0..255 (not yet rounded).
   */
  async pixels(noise, classes) {
    const n = noise.length / this.latentDim;
    const values = tf.tidy(() => {
      const z = tf.tensor2d(noise, [n, this.latentDim]);
      const labels = this.conditional ? this.oneHot(tf.tensor1d(classes, 'int32')) : null;
      return this.toPixels(z, labels);
    });
    return this.download(values);
  }

  /**
   * `steps` frames morphing from sample A to sample B: the noise moves along the great circle
   * between the two vectors (slerp keeps it at a typical norm for a Gaussian), and for a
   * conditional model the one-hot labels blend linearly from classA to classB.
   * noiseA, noiseB: Float32Array [latentDim] -> Float32Array [steps * H * W * C].
   */
  async morph(noiseA, noiseB, classA, classB, steps) {
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
      return this.toPixels(z, labels);
    });
    return this.download(values);
  }

  /** Call inside tf.tidy: class indices int32 [n] -> float32 one-hot rows [n, classes]. */
  oneHot(classes) {
    return tf.cast(tf.oneHot(classes, this.numClasses), 'float32');
  }

  /** Call inside tf.tidy: z [n, latentDim], labels [n, classes] or null -> grey levels [n, H*W*C]. */
  toPixels(z, labels) {
    const output = this.model.predict(labels ? [z, labels] : z); // [n, H, W, C] in output_range
    return output.sub(this.low).mul(this.scale).clipByValue(0, 255).reshape([z.shape[0], this.pixelsPerImage]);
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

/** Why the model cannot be driven as the metadata says, or null when its inputs and output fit. */
function signatureProblem(model, metadata) {
  const expectedInputs = metadata.inputs.length;
  if (model.inputs.length !== expectedInputs) {
    return `the model has ${model.inputs.length} input(s), metadata.json lists ${expectedInputs}`;
  }
  const widths = [metadata.latent_dim, metadata.num_classes];
  for (let i = 0; i < expectedInputs; i++) {
    const shape = model.inputs[i].shape;
    if (shape.length !== 2 || shape[1] !== widths[i]) {
      return `input ${i + 1} has shape [${shape}], expected [null, ${widths[i]}]`;
    }
  }
  const out = model.outputs[0].shape.slice(1);
  const size = (dims) => dims.reduce((product, d) => product * d, 1);
  if (out.some((d) => d === null) || size(out) !== size(metadata.image_shape)) {
    return `the output has shape [${out}], expected [${metadata.image_shape}]`;
  }
  return null;
}

/**
 * Digits per second of `generator` on the current backend at `batch`: one untimed warm-up run
 * (shader compilation, weight upload), then timed runs for about `budgetMs` (at least one).
 */
export async function measureRate(generator, batch, budgetMs = 400) {
  const noise = new Float32Array(batch * generator.latentDim).map(() => Math.random() * 2 - 1);
  const classes = generator.conditional ? Array.from({ length: batch }, (_, i) => i % generator.numClasses) : null;
  await generator.pixels(noise, classes);
  let runs = 0;
  const start = performance.now();
  while (runs < 50 && (runs < 1 || performance.now() - start < budgetMs)) {
    await generator.pixels(noise, classes);
    runs++;
  }
  return (batch * runs * 1000) / (performance.now() - start);
}
