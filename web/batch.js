/** What a grid batch holds: the class asked for per cell, the grid's columns, and one sample's inputs; no DOM, no TF.js. */

import { MAX_COLUMNS } from './limits.js';

/** The class asked for per grid cell: one row per class for 'all', else the chosen digit; null when unconditional. */
export function classesFor(digit, count, numClasses) {
  if (numClasses === 0) return null;
  if (digit === 'all') {
    const perRow = count / numClasses;
    return Array.from({ length: count }, (_, i) => Math.floor(i / perRow));
  }
  return new Array(count).fill(digit);
}

/** Grid columns: one row per class for 'all', else a near-square grid at most MAX_COLUMNS wide. */
export function gridColumns(count, digit, numClasses) {
  if (digit === 'all' && numClasses > 0) return count / numClasses;
  return Math.min(MAX_COLUMNS, Math.ceil(Math.sqrt(count)));
}

/**
 * Noise (and labels) given from outside, checked -> {noise: Float32Array, classes: number[] | null}.
 * noise: latentDim values per sample; labels: one class index per sample (class 0 when omitted);
 * both ignored for what the model does not take. Throws an Error saying what is wrong.
 */
export function explicitBatch(noise, labels, latentDim, numClasses) {
  if (!noise || noise.length === 0 || noise.length % latentDim !== 0) {
    throw new Error(`noise must hold a positive multiple of latent_dim = ${latentDim} values`);
  }
  const values = Float32Array.from(noise);
  if (values.some((value) => !Number.isFinite(value))) throw new Error('noise must hold finite numbers');
  const count = values.length / latentDim;
  if (numClasses === 0) return { noise: values, classes: null };
  const classes = Array.from(labels || classesFor(0, count, numClasses));
  if (classes.length !== count || !classes.every((c) => Number.isInteger(c) && c >= 0 && c < numClasses)) {
    throw new Error(`labels must hold ${count} class indices from 0 to ${numClasses - 1}`);
  }
  return { noise: values, classes };
}

/** Sample `index` of a drawn batch -> {index, noise: Float32Array [latentDim], label (null when unconditional)}. */
export function sampleOf(batch, index, latentDim) {
  if (!(Number.isInteger(index) && index >= 0 && index < batch.count)) {
    throw new RangeError(`sample ${index} is not in a batch of ${batch.count}`);
  }
  return {
    index,
    noise: batch.noise.slice(index * latentDim, (index + 1) * latentDim),
    label: batch.labels ? batch.labels[index] : null,
  };
}
