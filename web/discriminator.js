/** The discriminator, when a model ships one (metadata.discriminator): loading it, and the probability it gives images of being real. */

import { loadBeside } from './catalog.js';

const tf = globalThis.tf; // loaded by the drawing panel, long after TF.js

/**
 * metadata: a model's metadata.json; metadataUrl: its address -> the discriminator's TF.js layers
 * model, loaded from metadata.discriminator.model_file (relative to metadata.json), or null when
 * the metadata names none. Its inputs are metadata.discriminator.inputs: image [n, H, W, C] in
 * output_range, then for a conditional model the one-hot label [n, classes]; its output is a logit [n, 1].
 */
export async function loadDiscriminator(metadata, metadataUrl) {
  if (!metadata.discriminator) return null;
  const { model_file: modelFile, sha256: digests = {} } = metadata.discriminator;
  return loadBeside(metadataUrl, modelFile, digests); // ?v=<hash>, as the generator's files
}

/**
 * images: tf.Tensor4D [n, H, W, C] in output_range; labels: tf.Tensor2D [n, classes] one-hot, or
 * null for an unconditional model -> Float32Array [n]: sigmoid(logit), the probability of "real".
 */
export async function scoreImages(model, images, labels) {
  const probabilities = tf.tidy(() => tf.sigmoid(model.predict(labels ? [images, labels] : images)).reshape([-1]));
  try {
    return await probabilities.data();
  } finally {
    probabilities.dispose();
  }
}

/**
 * One image (Float32Array [H*W*C] in output_range) scored as each of `classes` (class indices, or
 * [null] for an unconditional model) -> Float32Array [classes.length] of probabilities of "real".
 */
export function scoreDigit(model, image, imageShape, classes, numClasses) {
  const count = classes.length;
  const images = tf.tidy(() => tf.tensor4d(image, [1, ...imageShape]).tile([count, 1, 1, 1]));
  const labels = numClasses > 0 ? tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), numClasses).toFloat()) : null;
  return scoreImages(model, images, labels).finally(() => tf.dispose([images, labels].filter(Boolean)));
}
