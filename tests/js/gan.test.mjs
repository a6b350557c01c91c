// The public module web/gan.js under Node: the committed exports loaded from disk through an injected
// fetch, seeded digits with the page's noise, class handling, refusals, and no tensors left behind.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

import * as tf from '@tensorflow/tfjs';

import { classesFor } from '../../web/batch.js';
import { loadGAN } from '../../web/gan.js';
import { normalNoise } from '../../web/random.js';

const EXPORTED = new URL('../../exported/', import.meta.url);

/** fetch for file:// URLs (Node's own refuses them): the file's bytes, or a 404 when it is not there. */
async function readsFiles(url) {
  try {
    return new Response(await readFile(fileURLToPath(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
}

const load = (name, fetch = readsFiles) => loadGAN(new URL(`${name}/`, EXPORTED), { tf, fetch });

/** gan.generate(options) -> its values, the tensor disposed. */
function generated(gan, options) {
  const images = gan.generate(options);
  try {
    return images.dataSync();
  } finally {
    images.dispose();
  }
}

describe('a conditional model (cgan)', () => {
  let gan;
  before(async () => {
    gan = await load('cgan');
  });
  after(() => gan.dispose());

  test('reads what it is from metadata.json', () => {
    assert.equal(gan.conditional, true);
    assert.deepEqual(gan.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    assert.deepEqual(gan.imageShape, [28, 28, 1]);
    assert.equal(gan.metadata.name, 'cgan');
  });

  test('generate: [count, 28, 28, 1] in [0, 1], ink on a dark ground', () => {
    const images = gan.generate({ count: 10, seed: 7 });
    assert.deepEqual(images.shape, [10, 28, 28, 1]);
    const values = images.dataSync();
    images.dispose();
    assert.ok(values.every((v) => v >= 0 && v <= 1));
    const inked = values.filter((v) => v > 0.5).length / values.length; // MNIST: ~13 % of pixels
    assert.ok(inked > 0.03 && inked < 0.4, `share of inked pixels ${inked}`);
  });

  test('the same seed gives the same digits, another seed others', () => {
    const a = generated(gan, { count: 4, seed: 11 });
    assert.deepEqual(generated(gan, { count: 4, seed: 11 }), a);
    const b = generated(gan, { count: 4, seed: 12 });
    assert.ok(a.some((v, i) => Math.abs(v - b[i]) > 0.1));
  });

  test("the page's noise: a seed's first digits are the same whatever the count, as on the page", () => {
    assert.deepEqual(
      generated(gan, { count: 6, digit: 5, seed: 3 }).slice(0, 2 * 784),
      generated(gan, { count: 2, digit: 5, seed: 3 }),
    );
  });

  test("seed S is the page's grid at ?seed=S: normalNoise(S) and the 'all digits' labels through the model", async () => {
    const count = 20;
    const classes = classesFor('all', count, 10); // two of each digit, in rows
    const labels = new Float32Array(count * 10);
    classes.forEach((c, i) => (labels[i * 10 + c] = 1));
    const raw = await gan.predict([normalNoise(99, count * 64), labels]); // in output_range [-1, 1]
    const images = generated(gan, { count, seed: 99 });
    assert.equal(raw.length, images.length);
    assert.ok(raw.every((v, i) => Math.abs(Math.min(1, Math.max(0, (v + 1) / 2)) - images[i]) < 1e-6));
  });

  test('pixels: grey levels 0..255 of the same digits, with the seed and classes used', async () => {
    const result = await gan.pixels({ count: 3, digit: 5, seed: 5 });
    assert.deepEqual(
      { ...result, data: undefined },
      { data: undefined, count: 3, height: 28, width: 28, channels: 1, seed: 5, classes: [5, 5, 5] },
    );
    assert.ok(result.data instanceof Uint8ClampedArray && result.data.length === 3 * 784);
    const unit = generated(gan, { count: 3, digit: 5, seed: 5 });
    assert.ok(result.data.every((v, i) => Math.abs(v - unit[i] * 255) <= 0.5 + 1e-3));
  });

  test('digit: a class index and its class name are the same digits; no digit gives one of each for 10', async () => {
    assert.deepEqual(
      generated(gan, { count: 3, digit: 7, seed: 1 }),
      generated(gan, { count: 3, digit: '7', seed: 1 }),
    );
    assert.deepEqual((await gan.pixels({ count: 10, seed: 1 })).classes, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const digit of [10, -1, 2.5, 'seven', true]) {
      assert.throws(() => gan.generate({ digit }), /digit must be a class index from 0 to 9/);
    }
  });

  test('a random seed when none is given; bad counts and seeds are refused', async () => {
    const { seed } = await gan.pixels({ count: 1 });
    assert.ok(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff);
    assert.throws(() => gan.generate({ count: 0 }), /count must be a whole number/);
    assert.throws(() => gan.generate({ seed: -1 }), /seed must be a whole number from 0 to 4294967295/);
  });

  test('generate, pixels and predict leave no tensors behind', async () => {
    const before = tf.memory().numTensors;
    generated(gan, { count: 5, seed: 2 });
    await gan.pixels({ count: 5, seed: 2 });
    await gan.predict([new Float32Array(64), new Float32Array(10)]);
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('other models', () => {
  test('an unconditional model (dcgan) refuses a digit', async () => {
    const gan = await load('dcgan');
    try {
      assert.equal(gan.conditional, false);
      assert.deepEqual(gan.classNames, []);
      assert.deepEqual(gan.generate({ count: 2, seed: 4 }).shape, [2, 28, 28, 1]);
      assert.deepEqual((await gan.pixels({ count: 2, seed: 4 })).classes, null);
      assert.throws(() => gan.generate({ digit: 3 }), /dcgan is unconditional and cannot be asked for a digit/);
    } finally {
      gan.dispose();
    }
  });

  test('LAPGAN: its noise planes come from the seed too', async () => {
    const gan = await load('lapgan');
    try {
      const a = generated(gan, { count: 2, digit: 4, seed: 8 });
      assert.equal(a.length, 2 * 784);
      assert.deepEqual(generated(gan, { count: 2, digit: 4, seed: 8 }), a);
    } finally {
      gan.dispose();
    }
  });

  test('an upscaler (srgan) cannot generate, but predicts from 7x7 digits', async () => {
    const gan = await load('srgan');
    try {
      assert.throws(() => gan.generate(), /srgan is an upscaler .* gan\.model\.predict/);
      const upscaled = await gan.predict([new Float32Array(2 * 49).fill(-1)]);
      assert.equal(upscaled.length, 2 * 784);
    } finally {
      gan.dispose();
    }
  });

  test('dispose frees every tensor the model held', async () => {
    const before = tf.memory().numTensors;
    const gan = await load('cgan');
    assert.ok(tf.memory().numTensors > before);
    gan.generate({ count: 2 }).dispose();
    gan.dispose();
    assert.equal(tf.memory().numTensors, before);
  });
});

describe('loadGAN refuses', () => {
  /** readsFiles, except that metadata.json comes back changed by `change`. */
  const changedMetadata = (change) => async (url) => {
    const response = await readsFiles(url);
    if (!String(url).endsWith('/metadata.json')) return response;
    return Response.json(change(await response.json()));
  };

  test('a folder whose metadata.json is of another format or version', async () => {
    await assert.rejects(
      load(
        'cgan',
        changedMetadata((metadata) => ({ ...metadata, format_version: 1 })),
      ),
      /metadata\.json is not a keras-gan-tfjs export of format_version 2 \(it says format "keras-gan-tfjs", format_version 1\)/,
    );
    await assert.rejects(
      load(
        'cgan',
        changedMetadata((metadata) => ({ ...metadata, format: 'other' })),
      ),
      /not a keras-gan-tfjs export/,
    );
  });

  test('metadata whose fields disagree, and a folder with no export', async () => {
    await assert.rejects(
      load(
        'cgan',
        changedMetadata((metadata) => ({ ...metadata, class_names: ['a'] })),
      ),
      /inconsistent: class_names must name each of the 10 classes/,
    );
    await assert.rejects(load('no-such-model'), /no-such-model\/metadata\.json could not be loaded: HTTP 404/);
  });

  test('a model that is not the one its metadata describes', async () => {
    await assert.rejects(
      load(
        'cgan',
        changedMetadata((metadata) => ({ ...metadata, model_file: '../dcgan/model.json' })),
      ),
      /does not match its metadata\.json: the model has 1 input\(s\), metadata\.json lists 2/,
    );
  });

  test('a relative folder under Node, where there is no page to be relative to', async () => {
    await assert.rejects(
      loadGAN('exported/cgan/', { tf, fetch: readsFiles }),
      /not a URL; under Node, pass an absolute one/,
    );
  });
});
