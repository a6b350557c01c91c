// The pyramid view's arithmetic (web/laplacian.js): upsampling, details that add back up, grey maps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { detailLimit, divergingGrey, pyramidOf, subtract, toGrey, upsampleNearest } from '../../web/laplacian.js';
import { normalNoise } from '../../web/random.js';

describe('upsampleNearest', () => {
  test('each pixel becomes a 2x2 block, image by image', () => {
    const two = new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]); // two 2x2 images
    assert.deepEqual(
      Array.from(upsampleNearest(two, 2, 2)),
      [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4, 5, 5, 6, 6, 5, 5, 6, 6, 7, 7, 8, 8, 7, 7, 8, 8],
    );
  });
});

describe('pyramidOf', () => {
  test('each level is its coarser level upsampled plus its detail', () => {
    const n = 3;
    const levels = {
      level_7: normalNoise(1, n * 49),
      level_14: normalNoise(2, n * 196),
      image: normalNoise(3, n * 784),
    };
    const { up14, detail14, up28, detail28 } = pyramidOf(levels);
    assert.equal(up14.length, n * 196);
    assert.equal(detail28.length, n * 784);
    levels.level_14.forEach((value, i) => assert.ok(Math.abs(up14[i] + detail14[i] - value) < 1e-6));
    levels.image.forEach((value, i) => assert.ok(Math.abs(up28[i] + detail28[i] - value) < 1e-6));
    assert.deepEqual(up28.slice(0, 2), new Float32Array([levels.level_14[0], levels.level_14[0]]));
    assert.deepEqual(subtract(new Float32Array([3, 1]), new Float32Array([1, 1])), new Float32Array([2, 0]));
  });
});

describe('grey maps', () => {
  test('levels: output_range -> 0..255, clipped', () => {
    assert.deepEqual(Array.from(toGrey(new Float32Array([-1, 0, 1, 2, -3]), [-1, 1])), [0, 127.5, 255, 255, 0]);
  });

  test('details: 0 is mid grey, the limit white, minus the limit black', () => {
    const details = Float32Array.from({ length: 1000 }, (_, i) => (i % 2 ? -1 : 1) * (i / 1000)); // |d| up to 0.999
    details[0] = 5; // one outlier saturates; it does not set the scale
    assert.equal(detailLimit(details), 1);
    assert.equal(detailLimit(details.map((d) => d * 0.6)), 0.75);
    assert.equal(detailLimit(new Float32Array([0, 0.01])), 0.25);
    assert.deepEqual(Array.from(divergingGrey(new Float32Array([0, 0.5, -0.5, 2]), 0.5)), [127.5, 255, 0, 255]);
  });
});
