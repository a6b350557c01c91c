/** The public API for one exported model: load its folder, then draw seeded digits as a tensor, grey levels or a canvas, in a page or under Node. */

// Usage (a page that loaded vendor/tfjs/tf.es2017.min.js first):
//   const gan = await loadGAN('exported/cgan/');
//   await gan.draw(canvas, { count: 10, seed: 7 }); // one of each digit, as the demo shows ?seed=7&count=10
// Under Node: loadGAN(pathToFileURL('exported/cgan/'), { tf, fetch: readsFileUrls }), with
// `import * as tf from '@tensorflow/tfjs'` and a fetch that answers file:// URLs (Node's own does not).
// Nothing here touches the DOM or `location` until a function runs, and TF.js is only ever the `tf` given.

import { classesFor } from './batch.js';
import { drawOne } from './canvas.js';
import { MAX_SEED, MIN_SEED } from './limits.js';
import { METADATA_FORMAT, METADATA_FORMAT_VERSION, consistencyProblems } from './loader.js';
import { UPSCALE, generatorInputs, modelProblem, modelSignature, planeNoise } from './inputs.js';
import { normalNoise, randomSeed } from './random.js';

const DEFAULT_COLUMNS = 10; // draw(): one row of up to 10 digits unless told otherwise

/**
 * Load the exported model in a folder: its metadata.json, then the TF.js layers model it names.
 * Every file goes through `fetch`, which is all the IO a platform needs to supply.
 *
 * @param {string | URL} folderUrl The model's folder, e.g. 'exported/cgan/': relative to the page, or an
 *   absolute URL (under Node, a file:// URL such as pathToFileURL('exported/cgan/')).
 * @param {object} [options]
 * @param {object} [options.tf] TensorFlow.js (the page's global `tf` by default).
 * @param {(url: string, init?: object) => Promise<Response>} [options.fetch] Fetches metadata.json,
 *   model.json and the weight shards (the global fetch by default).
 * @returns {Promise<GAN>}
 * @throws {Error} One sentence: the folder holds no keras-gan-tfjs export of format_version 2, a file
 *   cannot be fetched, or the model does not match its metadata.
 */
export async function loadGAN(folderUrl, { tf = globalThis.tf, fetch = globalThis.fetch } = {}) {
  if (!tf || typeof tf.loadLayersModel !== 'function') {
    throw new Error('loadGAN needs TensorFlow.js: load vendor/tfjs/tf.es2017.min.js first, or pass {tf}.');
  }
  if (typeof fetch !== 'function') throw new Error('loadGAN needs a fetch function: pass {fetch}.');
  const folder = folderOf(folderUrl);
  const metadataUrl = new URL('metadata.json', folder).href;
  const metadata = await fetchJson(fetch, metadataUrl);
  checkFormat(metadata, metadataUrl);
  const modelUrl = new URL(metadata.model_file, folder).href;
  // tf.io.http calls fetchFunc as its own method; the arrow keeps a page's window.fetch callable.
  const fetchFunc = (url, init) => fetch(url, init);
  const model = await tf.loadLayersModel(tf.io.http(modelUrl, { fetchFunc }));
  const shapes = (tensors) => tensors.map((tensor) => tensor.shape);
  const problem = modelProblem(shapes(model.inputs), shapes(model.outputs), modelSignature(metadata));
  if (problem) {
    model.dispose();
    throw new Error(`${modelUrl} does not match its metadata.json: ${problem}.`);
  }
  return new GAN(tf, model, metadata);
}

/**
 * A loaded generator (or upscaler), made by loadGAN. Noise comes from the demo page's own seeded
 * streams, so `seed` S gives the digits the page shows at ?seed=S for the same count and digit.
 */
export class GAN {
  #tf; // the TensorFlow.js loadGAN was given
  #signature; // what the model takes and gives (inputs.js modelSignature)

  constructor(tf, model, metadata) {
    this.#tf = tf;
    /** The TF.js LayersModel, for raw access; its first output is the image in metadata.output_range. */
    this.model = model;
    /** metadata.json as exported (web/metadata.schema.json describes it). */
    this.metadata = metadata;
    this.#signature = modelSignature(metadata);
  }

  /** The class names, in label order (['0', ..., '9'] for MNIST); [] for an unconditional model. */
  get classNames() {
    return this.metadata.class_names;
  }

  /** Whether the model draws the class it is asked for (it takes a one-hot label). */
  get conditional() {
    return this.metadata.num_classes > 0;
  }

  /** [height, width, channels] of one image, e.g. [28, 28, 1]. */
  get imageShape() {
    return this.metadata.image_shape;
  }

  /**
   * Generate images; the caller disposes the tensor.
   *
   * @param {object} [options]
   * @param {number} [options.count=1] How many images.
   * @param {number | string | null} [options.digit=null] A class index or a name of classNames. null:
   *   an unconditional model (which refuses any other value), or for a conditional one the classes of the
   *   page's "all digits" grid (the count split into runs of 0, 1, ..., which is one each for count 10).
   * @param {number} [options.seed] A uint32; a random one when omitted.
   * @returns {object} tf.Tensor4D [count, height, width, channels] in [0, 1] (clipped), 1 = ink for MNIST.
   */
  generate(options = {}) {
    const { inputs } = this.#seededBatch(options);
    return this.#tf.tidy(() => this.#images(inputs, 1));
  }

  /**
   * Generate images as grey levels, leaving no tensors behind.
   *
   * @param {object} [options] As generate().
   * @returns {Promise<{data: Uint8ClampedArray, count: number, height: number, width: number,
   *   channels: number, seed: number, classes: number[] | null}>} data: [count * height * width *
   *   channels] grey levels 0..255, image i at i * height * width * channels; seed: the one used; classes:
   *   the class asked for per image (null when unconditional).
   */
  async pixels(options = {}) {
    const { count, seed, classes, inputs } = this.#seededBatch(options);
    // The page's conversion (generator.js toPixels), so the levels are the ones its canvases get.
    const data = Uint8ClampedArray.from(await this.#download(this.#tf.tidy(() => this.#images(inputs, 255))));
    const [height, width, channels] = this.imageShape;
    return { data, count, height, width, channels, seed, classes };
  }

  /**
   * Draw images on a canvas (browser only), left to right then top to bottom; the canvas is resized
   * to fit. Enlarge it with CSS (`image-rendering: pixelated`) or with `scale`.
   *
   * @param {HTMLCanvasElement | OffscreenCanvas} canvas
   * @param {object} [options] As generate(), plus:
   * @param {number} [options.columns=10] Images per row.
   * @param {number} [options.scale=1] Canvas pixels per image pixel (a whole number).
   * @returns {Promise<HTMLCanvasElement | OffscreenCanvas>} The canvas.
   */
  async draw(canvas, { columns = DEFAULT_COLUMNS, scale = 1, ...options } = {}) {
    checkWhole('columns', columns);
    checkWhole('scale', scale);
    const { data, count, height, width } = await this.pixels(options);
    const across = Math.min(columns, count);
    canvas.width = across * width * scale;
    canvas.height = Math.ceil(count / across) * height * scale;
    const tile = canvas.ownerDocument ? canvas.ownerDocument.createElement('canvas') : new OffscreenCanvas(1, 1);
    Object.assign(tile, { width, height });
    const context = canvas.getContext('2d');
    context.imageSmoothingEnabled = false; // scaled pixels stay square
    for (let i = 0; i < count; i++) {
      drawOne(tile, data, i, this.imageShape);
      const [x, y] = [(i % across) * width * scale, Math.floor(i / across) * height * scale];
      context.drawImage(tile, x, y, width * scale, height * scale);
    }
    return canvas;
  }

  /**
   * Run the model on given inputs, as the export check does.
   *
   * @param {Float32Array[]} inputs One per model input, in the model's order (metadata.inputs: noise, the
   *   one-hot label when conditional, any noise planes; an upscaler's [low_res]), each n samples flat.
   * @returns {Promise<Float32Array>} The first output (the image), [n * height * width * channels], in
   *   metadata.output_range (not clipped).
   */
  async predict(inputs) {
    const expected = this.model.inputs.length;
    if (!Array.isArray(inputs) || inputs.length !== expected) {
      throw new Error(`predict takes an array of ${expected} Float32Array(s), one per model input.`);
    }
    return this.#download(this.#tf.tidy(() => this.#firstOutput(inputs)));
  }

  /** Free the model's weights; the GAN cannot be used afterwards. */
  dispose() {
    this.model.dispose();
  }

  /** {count, digit, seed} -> {count, seed, classes, inputs: Float32Arrays in input order}, as the page's grid draws them. */
  #seededBatch({ count = 1, digit = null, seed = null } = {}) {
    if (this.#signature.task === UPSCALE) {
      throw new Error(
        `${this.metadata.name} is an upscaler (task "upscale") and cannot generate: use the demo page's ` +
          'super-resolution view, or gan.model.predict on a [n, 7, 7, 1] tensor of 7x7 digits in output_range.',
      );
    }
    checkWhole('count', count);
    const chosen = seed ?? randomSeed();
    if (!(Number.isInteger(chosen) && chosen >= MIN_SEED && chosen <= MAX_SEED)) {
      throw new RangeError(`seed must be a whole number from ${MIN_SEED} to ${MAX_SEED}, not ${seed}.`);
    }
    const { latentDim, numClasses, planes } = this.#signature;
    const classes = this.#classesOf(digit, count);
    // grid.js's draw() for ?seed=S&count=N: noise and planes from the seed's streams, labels one-hot.
    const noise = normalNoise(chosen, count * latentDim); // [count * latentDim], standard normal
    const labels = classes && oneHot(classes, numClasses); // [count * numClasses]
    return { count, seed: chosen, classes, inputs: generatorInputs(noise, labels, planeNoise(chosen, count, planes)) };
  }

  /** `digit` (null, a class index or a class name) -> the class per image, or null when unconditional. */
  #classesOf(digit, count) {
    const { numClasses } = this.#signature;
    if (!this.conditional) {
      if (digit == null) return null;
      throw new Error(`${this.metadata.name} is unconditional and cannot be asked for a digit: leave digit null.`);
    }
    if (digit == null) return classesFor('all', count, numClasses);
    const index = typeof digit === 'string' ? this.classNames.indexOf(digit) : digit;
    if (!(Number.isInteger(index) && index >= 0 && index < numClasses)) {
      throw new RangeError(
        `digit must be a class index from 0 to ${numClasses - 1} or one of ${JSON.stringify(this.classNames)}, ` +
          `not ${JSON.stringify(digit)}.`,
      );
    }
    return classesFor(index, count, numClasses);
  }

  /** Call inside tf.tidy: Float32Arrays in input order -> the first output [n, ...] in output_range. */
  #firstOutput(inputs) {
    const tf = this.#tf;
    const shapes = this.model.inputs.map((input) => input.shape.slice(1)); // without the batch
    const sizes = shapes.map((shape) => shape.reduce((total, d) => total * d, 1));
    const n = inputs[0].length / sizes[0];
    if (!(Number.isInteger(n) && n >= 1) || inputs.some((values, k) => values.length !== n * sizes[k])) {
      throw new RangeError(`predict's inputs must hold the same number of samples of sizes [${sizes}].`);
    }
    return [].concat(this.model.predict(inputs.map((values, k) => tf.tensor(values, [n, ...shapes[k]]))))[0];
  }

  /** Call inside tf.tidy: inputs -> images [n, H, W, C] mapped from output_range onto [0, top], clipped. */
  #images(inputs, top) {
    const [low, high] = this.metadata.output_range;
    const image = this.#firstOutput(inputs);
    return image
      .sub(low)
      .mul(top / (high - low))
      .clipByValue(0, top)
      .reshape([image.shape[0], ...this.imageShape]);
  }

  /** Tensor -> its values, disposing it. */
  async #download(tensor) {
    try {
      return await tensor.data();
    } finally {
      tensor.dispose();
    }
  }
}

/** Throw unless `value` (a count of images, columns, a scale) is a whole number ≥ 1. */
function checkWhole(name, value) {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`${name} must be a whole number ≥ 1, not ${value}.`);
  }
}

/** Class indices -> one-hot rows, Float32Array [classes.length * numClasses]. */
function oneHot(classes, numClasses) {
  const rows = new Float32Array(classes.length * numClasses);
  classes.forEach((c, i) => (rows[i * numClasses + c] = 1));
  return rows;
}

/** A folder URL, relative to the page when there is one -> URL ending with '/'. */
function folderOf(folderUrl) {
  let url;
  try {
    url = new URL(folderUrl, globalThis.location?.href); // no location under Node: absolute URLs only
  } catch {
    throw new Error(`${folderUrl} is not a URL; under Node, pass an absolute one such as pathToFileURL(folder).`);
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

/** GET `url` with `fetch` -> its JSON; any failure is one Error naming the URL. */
async function fetchJson(fetch, url) {
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    const hint = url.startsWith('file:') ? '; under Node, pass a fetch that reads file:// URLs' : '';
    throw new Error(`${url} could not be fetched (${error.message})${hint}.`);
  }
  if (!response.ok) throw new Error(`${url} could not be loaded: HTTP ${response.status}.`);
  try {
    return await response.json();
  } catch (error) {
    throw new Error(`${url} is not valid JSON (${error.message}).`);
  }
}

/** Throw unless `metadata` is a keras-gan-tfjs document of format_version 2 whose fields agree (loader.js). */
function checkFormat(metadata, url) {
  const { format, format_version: version } = metadata ?? {};
  if (format !== METADATA_FORMAT || version !== METADATA_FORMAT_VERSION) {
    throw new Error(
      `${url} is not a ${METADATA_FORMAT} export of format_version ${METADATA_FORMAT_VERSION} ` +
        `(it says format ${JSON.stringify(format)}, format_version ${JSON.stringify(version)}).`,
    );
  }
  const problems = consistencyProblems(metadata);
  if (problems.length) throw new Error(`${url} is inconsistent: ${problems.join('; ')}.`);
}
