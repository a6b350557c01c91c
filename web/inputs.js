/** What a model takes and gives, read from its metadata (noise, label, noise planes or a low-res digit in; the image and any pyramid levels out), and the seeded noise that fills it; no DOM, no TF.js. */

import { mulberry32, normalNoise } from './random.js';

export const UPSCALE = 'upscale'; // metadata.task of a model that turns a 7x7 digit into a 28x28 one (srgan)
// Seed streams derived from the page's seed: noise plane k uses PLANE_STREAM + k; the noise values a
// model takes beyond those it shares with the others (sharedNoise) use EXTRA_STREAM.
const PLANE_STREAM = 1;
const EXTRA_STREAM = 0x100;
// The noise planes a caller that gives none gets (a morph, a game round): the same for every sample.
export const FIXED_PLANE_SEED = 0;

const product = (dims) => dims.reduce((total, d) => total * d, 1);
const describe = ({ name, shape }) => ({ name, shape: shape.slice(1), size: product(shape.slice(1)) });

/**
 * Checked metadata -> {task, latentDim, numClasses, planes, lowRes, outputs}. planes: the noise inputs
 * after [noise, label], each {name, shape (without the batch), size}; lowRes: an upscaler's one input
 * (else null); outputs: the image first, then any others (LAPGAN: level_14, level_7).
 */
export function modelSignature(metadata) {
  const task = metadata.task ?? 'generate';
  const outputs = (metadata.outputs ?? [{ name: 'image', shape: [null, ...metadata.image_shape] }]).map(describe);
  const base = { task, latentDim: metadata.latent_dim, numClasses: metadata.num_classes, outputs };
  if (task === UPSCALE) return { ...base, planes: [], lowRes: describe(metadata.inputs[0]) };
  const first = metadata.num_classes > 0 ? 2 : 1;
  return { ...base, planes: metadata.inputs.slice(first).map(describe), lowRes: null };
}

/**
 * What metadata.schema.json cannot say about `inputs` and `outputs` (its $comment): a generator's inputs
 * are noise [null, latent_dim], then label [null, num_classes] exactly when num_classes > 0, then any
 * standard-normal noise planes; an upscaler's are [low_res]; the first output is the image.
 * `metadata` follows the schema -> problems, each naming its field.
 */
export function inputProblems(metadata) {
  const { inputs } = metadata;
  const names = `[${inputs.map((input) => input.name).join(', ')}]`;
  const problems = [];
  if ((metadata.task ?? 'generate') === UPSCALE) {
    if (inputs.length !== 1 || inputs[0].name !== 'low_res') {
      problems.push(`inputs must be [low_res] for an upscaler (task "upscale"), not ${names}`);
    }
  } else {
    const conditional = metadata.num_classes > 0;
    if (inputs[0].name !== 'noise' || conditional !== (inputs.length > 1 && inputs[1].name === 'label')) {
      problems.push(`inputs must be noise, then label exactly when num_classes > 0 (got ${names})`);
    }
    const widths = conditional ? [metadata.latent_dim, metadata.num_classes] : [metadata.latent_dim];
    widths.forEach((expected, index) => {
      const width = inputs[index]?.shape[1];
      if (width !== undefined && width !== expected) {
        const field = index === 0 ? 'latent_dim' : 'num_classes';
        problems.push(`inputs[${index}].shape[1] must be ${field} (${expected}), not ${width}`);
      }
    });
    inputs.slice(widths.length).forEach((input, offset) => {
      if (input.distribution !== 'standard_normal') {
        const index = widths.length + offset;
        problems.push(`inputs[${index}] (${input.name}) must be a noise plane: distribution "standard_normal"`);
      }
    });
  }
  const image = metadata.outputs?.[0];
  if (image && image.shape.slice(1).join() !== metadata.image_shape.join()) {
    problems.push(`outputs[0].shape must be [null, ${metadata.image_shape.join(', ')}] (image_shape)`);
  }
  return problems;
}

/**
 * Why a built model cannot be driven as `signature` says, or null. inputShapes, outputShapes: the
 * model's, batch first (null), as TF.js lists them.
 */
export function modelProblem(inputShapes, outputShapes, signature) {
  const expected = expectedInputs(signature);
  if (inputShapes.length !== expected.length) {
    return `the model has ${inputShapes.length} input(s), metadata.json lists ${expected.length}`;
  }
  for (let i = 0; i < expected.length; i++) {
    const shape = inputShapes[i].slice(1);
    if (shape.join() !== expected[i].join()) {
      return `input ${i + 1} has shape [${inputShapes[i]}], expected [null, ${expected[i]}]`;
    }
  }
  if (outputShapes.length !== signature.outputs.length) {
    return `the model has ${outputShapes.length} output(s), metadata.json lists ${signature.outputs.length}`;
  }
  for (let i = 0; i < outputShapes.length; i++) {
    const shape = outputShapes[i].slice(1);
    if (shape.some((d) => d === null) || product(shape) !== signature.outputs[i].size) {
      return `output ${i + 1} has shape [${shape}], expected [${signature.outputs[i].shape}]`;
    }
  }
  return null;
}

/** Each input's shape without the batch, in input order. */
function expectedInputs(signature) {
  if (signature.task === UPSCALE) return [signature.lowRes.shape];
  const label = signature.numClasses > 0 ? [signature.numClasses] : null;
  const planes = signature.planes.map((plane) => plane.shape);
  return generatorInputs([signature.latentDim], label, planes);
}

/**
 * A generator's inputs in the model's order (inputProblems): noise, then the label exactly when there
 * is one (a conditional model), then the noise planes. Any values (tensors, arrays, shapes) -> a list.
 */
export function generatorInputs(noise, label, planes) {
  return [noise, ...(label ? [label] : []), ...planes];
}

/** A seed for stream `stream` of `seed`: another uint32, so streams of one seed do not overlap. */
export function derivedSeed(seed, stream) {
  return Math.floor(mulberry32((seed + Math.imul(stream, 0x9e3779b9)) >>> 0)() * 4294967296) >>> 0;
}

/**
 * The noise planes of `count` samples drawn from `seed` -> one Float32Array [count * size] per plane,
 * sample i's at i * size. Plane k has a stream of its own (derivedSeed), sequential like normalNoise,
 * so sample i gets the same planes whatever the count, as it gets the same noise vector.
 */
export function planeNoise(seed, count, planes) {
  return planes.map((plane, k) => normalNoise(derivedSeed(seed, PLANE_STREAM + k), count * plane.size));
}

/**
 * Noise vectors shared by models of different latent sizes -> Float32Array [count * latentDim].
 * Vector i starts with sample i's `sharedDim` values of normalNoise(seed) (the grid's noise of a model
 * with latent size sharedDim); a model with more values gets the rest from a stream of its own of
 * the same seed, and one with fewer takes the first latentDim.
 */
export function sharedNoise(seed, count, latentDim, sharedDim) {
  const shared = normalNoise(seed, count * sharedDim);
  if (latentDim === sharedDim) return shared;
  const extraDim = Math.max(0, latentDim - sharedDim);
  const extra = normalNoise(derivedSeed(seed, EXTRA_STREAM), count * extraDim);
  const noise = new Float32Array(count * latentDim);
  const kept = Math.min(latentDim, sharedDim);
  for (let i = 0; i < count; i++) {
    noise.set(shared.subarray(i * sharedDim, i * sharedDim + kept), i * latentDim);
    noise.set(extra.subarray(i * extraDim, (i + 1) * extraDim), i * latentDim + kept);
  }
  return noise;
}

/** Rows `start`.. `start + count` of per-sample arrays (each [n * size]) -> copies of just those rows. */
export function planeRows(planes, sizes, start, count) {
  return planes.map((values, k) => values.slice(start * sizes[k], (start + count) * sizes[k]));
}

/** Whether a model with these outputs ({name} each) gives LAPGAN's pyramid levels beside its image. */
export function hasPyramid(outputs) {
  const names = outputs.map((output) => output.name);
  return names.includes('level_7') && names.includes('level_14');
}

/** The index's entries of models that draw from noise (not upscalers), in index order. */
export function generatorEntries(index) {
  return index.models.filter((entry) => (entry.task ?? 'generate') !== UPSCALE);
}
