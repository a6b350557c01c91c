// Grid batches: the class asked for per cell, the grid's shape, noise given from outside and one sample's inputs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { classesFor, explicitBatch, gridColumns, sampleOf } from '../../web/batch.js';
import { MAX_COLUMNS } from '../../web/limits.js';

describe('classesFor', () => {
  test('"all" gives one row per class, in order', () => {
    assert.deepEqual(classesFor('all', 20, 10), [0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    assert.deepEqual(classesFor('all', 10, 10), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('one digit fills every cell; unconditional models get no classes', () => {
    assert.deepEqual(classesFor(7, 3, 10), [7, 7, 7]);
    assert.equal(classesFor('all', 16, 0), null);
    assert.equal(classesFor(null, 16, 0), null);
  });
});

describe('gridColumns', () => {
  test('"all" has one column per sample of each class', () => {
    assert.equal(gridColumns(30, 'all', 10), 3);
  });

  test('otherwise a near-square grid, never wider than MAX_COLUMNS', () => {
    assert.equal(gridColumns(1, 3, 10), 1);
    assert.equal(gridColumns(16, 3, 10), 4);
    assert.equal(gridColumns(17, null, 0), 5);
    assert.equal(gridColumns(400, 3, 10), MAX_COLUMNS);
  });
});

describe('explicitBatch', () => {
  test('noise becomes Float32Array; labels default to class 0', () => {
    const { noise, classes } = explicitBatch([1, 2, 3, 4], undefined, 2, 10);
    assert.ok(noise instanceof Float32Array);
    assert.deepEqual(Array.from(noise), [1, 2, 3, 4]);
    assert.deepEqual(classes, [0, 0]);
  });

  test('labels are kept, and ignored for an unconditional model', () => {
    assert.deepEqual(explicitBatch([0, 0], [9], 2, 10).classes, [9]);
    assert.equal(explicitBatch([0, 0], [9], 2, 0).classes, null);
  });

  test('noise that is empty, not whole samples, or not finite is refused', () => {
    assert.throws(() => explicitBatch([], null, 2, 10), /positive multiple of latent_dim = 2/);
    assert.throws(() => explicitBatch([1, 2, 3], null, 2, 10), /positive multiple/);
    assert.throws(() => explicitBatch(undefined, null, 2, 10), /positive multiple/);
    assert.throws(() => explicitBatch([1, NaN], null, 2, 10), /finite/);
    assert.throws(() => explicitBatch([1, Infinity], null, 2, 10), /finite/);
  });

  test('labels of the wrong length or outside the classes are refused', () => {
    for (const labels of [[1], [1, 2, 3], [0, 10], [0, -1], [0, 1.5], [0, NaN]]) {
      assert.throws(() => explicitBatch([0, 0, 0, 0], labels, 2, 10), /2 class indices from 0 to 9/, String(labels));
    }
  });
});

describe('sampleOf', () => {
  const batch = { count: 3, noise: Float32Array.from([0, 1, 2, 3, 4, 5]), labels: [4, 5, 6] };

  test("a sample's noise slice and label", () => {
    const sample = sampleOf(batch, 1, 2);
    assert.equal(sample.index, 1);
    assert.deepEqual(Array.from(sample.noise), [2, 3]);
    assert.equal(sample.label, 5);
    assert.equal(sampleOf({ ...batch, labels: null }, 2, 2).label, null);
  });

  test('the slice is a copy: changing it leaves the batch alone', () => {
    sampleOf(batch, 0, 2).noise[0] = 99;
    assert.equal(batch.noise[0], 0);
  });

  test('indices outside the batch are refused', () => {
    for (const index of [-1, 3, 1.5, NaN]) assert.throws(() => sampleOf(batch, index, 2), RangeError);
  });
});
