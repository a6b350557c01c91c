// What a model takes and gives (web/inputs.js): the signature read from metadata, the checks the schema
// cannot state, and the seeded noise planes and shared noise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  derivedSeed,
  inputProblems,
  modelProblem,
  modelSignature,
  planeNoise,
  planeRows,
  sharedNoise,
} from '../../web/inputs.js';
import { normalNoise } from '../../web/random.js';

const noise = (width) => ({ name: 'noise', shape: [null, width], distribution: 'standard_normal' });
const label = (classes) => ({ name: 'label', shape: [null, classes], encoding: 'one_hot' });
const plane = (size) => ({ name: `noise_${size}`, shape: [null, size, size, 1], distribution: 'standard_normal' });
const output = (name, size) => ({ name, shape: [null, size, size, 1] });

const base = { latent_dim: 64, num_classes: 0, image_shape: [28, 28, 1], inputs: [noise(64)] };
const CGAN = { ...base, num_classes: 10, inputs: [noise(64), label(10)] };
const LAPGAN = {
  ...CGAN,
  inputs: [noise(64), label(10), plane(14), plane(28)],
  outputs: [output('image', 28), output('level_14', 14), output('level_7', 7)],
};
const SRGAN = {
  ...base,
  task: 'upscale',
  latent_dim: 0,
  inputs: [{ name: 'low_res', shape: [null, 7, 7, 1], encoding: 'image' }],
  outputs: [output('image', 28)],
};

describe('modelSignature', () => {
  test('a LAPGAN: two noise planes after [noise, label], three outputs, the image first', () => {
    const signature = modelSignature(LAPGAN);
    assert.equal(signature.task, 'generate');
    assert.deepEqual(signature.planes, [
      { name: 'noise_14', shape: [14, 14, 1], size: 196 },
      { name: 'noise_28', shape: [28, 28, 1], size: 784 },
    ]);
    assert.deepEqual(
      signature.outputs.map((o) => [o.name, o.size]),
      [
        ['image', 784],
        ['level_14', 196],
        ['level_7', 49],
      ],
    );
    assert.equal(signature.lowRes, null);
  });

  test('older metadata without outputs has one, the image; an unconditional model has no planes', () => {
    const signature = modelSignature(base);
    assert.deepEqual(signature.planes, []);
    assert.deepEqual(signature.outputs, [{ name: 'image', shape: [28, 28, 1], size: 784 }]);
  });

  test('an upscaler takes low_res', () => {
    const signature = modelSignature(SRGAN);
    assert.equal(signature.task, 'upscale');
    assert.deepEqual(signature.lowRes, { name: 'low_res', shape: [7, 7, 1], size: 49 });
    assert.deepEqual(signature.planes, []);
  });
});

describe('inputProblems (the schema $comment)', () => {
  test('cgan, dcgan, lapgan and srgan inputs are accepted', () => {
    for (const metadata of [base, CGAN, LAPGAN, SRGAN]) assert.deepEqual(inputProblems(metadata), []);
  });

  test('a label input exactly when num_classes > 0', () => {
    assert.match(inputProblems({ ...CGAN, inputs: [noise(64)] })[0], /^inputs must be noise, then label/);
    assert.match(inputProblems({ ...base, inputs: [noise(64), label(10)] })[0], /^inputs must be noise, then label/);
    assert.match(inputProblems({ ...CGAN, inputs: [label(10), noise(64)] })[0], /^inputs must be noise, then label/);
  });

  test('widths name the field they must equal', () => {
    assert.deepEqual(inputProblems({ ...CGAN, inputs: [noise(63), label(10)] }), [
      'inputs[0].shape[1] must be latent_dim (64), not 63',
    ]);
    assert.deepEqual(inputProblems({ ...CGAN, inputs: [noise(64), label(9)] }), [
      'inputs[1].shape[1] must be num_classes (10), not 9',
    ]);
  });

  test('after noise and label only noise planes; an upscaler takes [low_res] only', () => {
    assert.match(inputProblems({ ...CGAN, inputs: [noise(64), label(10), label(10)] })[0], /^inputs\[2\] \(label\)/);
    assert.match(inputProblems({ ...SRGAN, inputs: [noise(64)] })[0], /^inputs must be \[low_res\]/);
    assert.match(inputProblems({ ...LAPGAN, outputs: [output('level_7', 7)] })[0], /^outputs\[0\]\.shape/);
  });
});

describe('modelProblem', () => {
  const shapes = (specs) => specs.map((spec) => spec.shape);
  test('the model built matches its metadata', () => {
    for (const metadata of [base, CGAN, LAPGAN, SRGAN]) {
      const outputs = shapes(metadata.outputs ?? [output('image', 28)]);
      assert.equal(modelProblem(shapes(metadata.inputs), outputs, modelSignature(metadata)), null);
    }
  });

  test('a missing plane or output, or a wrong shape, is named', () => {
    const signature = modelSignature(LAPGAN);
    const outputs = shapes(LAPGAN.outputs);
    assert.match(modelProblem(shapes(LAPGAN.inputs.slice(0, 3)), outputs, signature), /3 input\(s\).*lists 4/);
    assert.match(modelProblem(shapes(LAPGAN.inputs), outputs.slice(0, 1), signature), /1 output\(s\).*lists 3/);
    const wrong = shapes([noise(64), label(10), plane(14), plane(14)]);
    assert.match(modelProblem(wrong, outputs, signature), /^input 4 has shape/);
  });
});

describe('seeded noise', () => {
  const planes = modelSignature(LAPGAN).planes;

  test('planes: the same seed gives the same planes, sample i the same whatever the count', () => {
    const [small14, small28] = planeNoise(5, 2, planes);
    const [big14, big28] = planeNoise(5, 7, planes);
    assert.equal(small14.length, 2 * 196);
    assert.equal(big28.length, 7 * 784);
    assert.deepEqual(big14.slice(0, 2 * 196), small14);
    assert.deepEqual(big28.slice(0, 2 * 784), small28);
    assert.notDeepEqual(planeNoise(6, 2, planes)[0], small14);
  });

  test('planes are standard normal and not the noise vector of the same seed', () => {
    const [values] = planeNoise(11, 50, planes);
    const mean = values.reduce((s, v) => s + v, 0) / values.length;
    const variance = values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length;
    assert.ok(Math.abs(mean) < 0.05 && Math.abs(variance - 1) < 0.05, `${mean} ${variance}`);
    assert.notDeepEqual(values.slice(0, 64), normalNoise(11, 64));
    assert.notEqual(derivedSeed(11, 1), derivedSeed(11, 2));
  });

  test('planeRows takes one sample out of each plane', () => {
    const all = planeNoise(3, 4, planes);
    const [one14, one28] = planeRows(all, [196, 784], 2, 1);
    assert.deepEqual(one14, all[0].slice(392, 588));
    assert.deepEqual(one28, all[1].slice(1568, 2352));
  });

  test('sharedNoise: models of the shared size see the grid noise; a larger one adds its own values', () => {
    assert.deepEqual(sharedNoise(9, 10, 64, 64), normalNoise(9, 640));
    const wide = sharedNoise(9, 10, 100, 64);
    const grid = normalNoise(9, 640);
    for (let i = 0; i < 10; i++) {
      assert.deepEqual(wide.slice(i * 100, i * 100 + 64), grid.slice(i * 64, (i + 1) * 64));
    }
    assert.deepEqual(sharedNoise(9, 3, 100, 64), wide.slice(0, 300), 'the first columns stay whatever the count');
    const narrow = sharedNoise(9, 10, 32, 64);
    for (let i = 0; i < 10; i++) assert.deepEqual(narrow.slice(i * 32, (i + 1) * 32), grid.slice(i * 64, i * 64 + 32));
  });
});
