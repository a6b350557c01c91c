// Super-resolution arithmetic (web/upscale.js): the bicubic weights, area downsampling, quantisation and PSNR.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { mulberry32 } from '../../web/random.js';
import {
  areaDownsample,
  bicubicMatrix,
  bicubicUpscale,
  cubic,
  finiteMean,
  fromUnit,
  psnr,
  roundHalfEven,
  toUnit,
} from '../../web/upscale.js';

const close = (a, b, tolerance = 1e-6) => Math.abs(a - b) <= tolerance;

describe('bicubic', () => {
  test("Keys' kernel: 1 at 0, 0 at the other integers and beyond 2", () => {
    assert.equal(cubic(0), 1);
    for (const t of [1, -1, 2, -2, 2.5, 7]) assert.ok(close(cubic(t), 0), `cubic(${t}) = ${cubic(t)}`);
    assert.ok(close(cubic(0.5), 0.5625) && close(cubic(1.5), -0.0625));
  });

  test('each row of the 28x7 matrix sums to 1 and samples (i + 0.5) / 4 - 0.5', () => {
    const matrix = bicubicMatrix(7, 28);
    assert.equal(matrix.length, 28 * 7);
    for (let i = 0; i < 28; i++) {
      const row = matrix.slice(i * 7, (i + 1) * 7);
      assert.ok(
        close(
          row.reduce((sum, w) => sum + w, 0),
          1,
          1e-12,
        ),
        `row ${i}`,
      );
    }
    // Output pixel 2 samples position 0.125: weights of input pixels -1 (clamped to 0), 0, 1, 2.
    const t = 0.125;
    const expected = [cubic(1 + t) + cubic(t), cubic(1 - t), cubic(2 - t), 0, 0, 0, 0];
    Array.from(matrix.slice(14, 21)).forEach((w, j) => assert.ok(close(w, expected[j], 1e-12), `column ${j}`));
  });

  test('a constant image stays constant; a linear ramp inside the edges stays linear', () => {
    const flat = bicubicUpscale(new Float32Array(49).fill(0.3), 7, 7);
    assert.equal(flat.length, 784);
    assert.ok(flat.every((v) => close(v, 0.3)));
    const ramp = Float32Array.from({ length: 49 }, (_, p) => p % 7); // x = 0..6 on every row
    const up = bicubicUpscale(ramp, 7, 7);
    // Away from the clamped edges the cubic reproduces a line: pixel j samples (j + 0.5) / 4 - 0.5.
    for (let j = 8; j < 20; j++) assert.ok(close(up[5 * 28 + j], (j + 0.5) / 4 - 0.5, 1e-5), `column ${j}`);
  });

  test('several images are upscaled independently', () => {
    const uniform = mulberry32(3);
    const two = Float32Array.from({ length: 98 }, () => uniform() * 2 - 1);
    const both = bicubicUpscale(two, 7, 7);
    assert.deepEqual(both.slice(784), bicubicUpscale(two.slice(49), 7, 7));
  });
});

describe('area downsampling', () => {
  test('each 4x4 block becomes its mean', () => {
    const image = Float32Array.from({ length: 784 }, (_, p) => (Math.floor(p / 28) < 4 && p % 28 < 4 ? 1 : 0));
    const low = areaDownsample(image, 28, 28);
    assert.equal(low.length, 49);
    assert.equal(low[0], 1);
    assert.ok(low.slice(1).every((v) => v === 0));
    const mixed = Float32Array.from({ length: 784 }, (_, p) => (p % 2 ? 1 : 0));
    assert.ok(areaDownsample(mixed, 28, 28).every((v) => v === 0.5));
  });
});

describe('quantisation and PSNR', () => {
  test("rint's halves go to the even integer", () => {
    assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4, 2.6].map(roundHalfEven), [0, 2, 2, 0, 2, 3]);
  });

  test('model range -> uint8 levels / 255, clipped', () => {
    assert.deepEqual(
      Array.from(toUnit(new Float32Array([-1, 1, 0, -2, 3]), [-1, 1])),
      [0, 1, 128 / 255, 0, 1].map(Math.fround),
    );
    assert.deepEqual(Array.from(fromUnit(new Float32Array([0, 0.5, 1]), [-1, 1])), [-1, 0, 1]);
  });

  test('PSNR per image: 10 log10(1 / mse); an exact copy is left out of the mean', () => {
    const a = new Float32Array(8).fill(0.5);
    const b = a.slice();
    b[0] = 0.6; // image 0: mse 0.01 / 4
    const values = psnr(a, b, 4);
    assert.ok(close(values[0], 10 * Math.log10(4 / 0.1 ** 2), 1e-4));
    assert.equal(values[1], Infinity);
    assert.equal(finiteMean(values), values[0]);
    assert.ok(Number.isNaN(finiteMean([])));
  });
});
