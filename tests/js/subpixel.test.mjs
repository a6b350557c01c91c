// The sub-pixel kernel: a 3x3 convolution plus depth-to-space computes what the 4x4, stride-2 transposed convolution does.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { mulberry32 } from '../../web/random.js';
import { subPixelKernel } from '../../web/subpixel.js';

/**
 * Conv2DTranspose as Keras defines it for kernel 4, stride 2, 'same' padding (one pixel before):
 * x [h, w, inChannels], kernel [4, 4, filters, inChannels] -> [2h, 2w, filters], out[2m + ku - 1, 2n + kv - 1]
 * collecting x[m, n] times tap (ku, kv).
 */
function transposedConv(x, [h, w, inChannels], kernel, filters) {
  const out = new Float64Array(4 * h * w * filters);
  for (let m = 0; m < h; m++) {
    for (let n = 0; n < w; n++) {
      for (let ku = 0; ku < 4; ku++) {
        for (let kv = 0; kv < 4; kv++) {
          const [i, j] = [2 * m + ku - 1, 2 * n + kv - 1];
          if (i < 0 || j < 0 || i >= 2 * h || j >= 2 * w) continue;
          for (let co = 0; co < filters; co++) {
            for (let ci = 0; ci < inChannels; ci++) {
              out[(i * 2 * w + j) * filters + co] +=
                x[(m * w + n) * inChannels + ci] * kernel[((ku * 4 + kv) * filters + co) * inChannels + ci];
            }
          }
        }
      }
    }
  }
  return out;
}

/** What generator.js runs: a 3x3 'same' Conv2D into 4 * filters channels, then depth-to-space by 2. */
function subPixelConv(x, [h, w, inChannels], kernel3, filters) {
  const out = new Float64Array(4 * h * w * filters);
  for (let m = 0; m < h; m++) {
    for (let n = 0; n < w; n++) {
      for (let channel = 0; channel < 4 * filters; channel++) {
        let sum = 0;
        for (let u = 0; u < 3; u++) {
          for (let v = 0; v < 3; v++) {
            const [p, q] = [m + u - 1, n + v - 1];
            if (p < 0 || q < 0 || p >= h || q >= w) continue;
            for (let ci = 0; ci < inChannels; ci++) {
              sum +=
                x[(p * w + q) * inChannels + ci] * kernel3[((u * 3 + v) * inChannels + ci) * 4 * filters + channel];
            }
          }
        }
        const phase = Math.floor(channel / filters); // a * 2 + b
        const [a, b, co] = [Math.floor(phase / 2), phase % 2, channel % filters];
        out[((2 * m + a) * 2 * w + (2 * n + b)) * filters + co] = sum;
      }
    }
  }
  return out;
}

const randomValues = (length, seed) => {
  const uniform = mulberry32(seed);
  return Float32Array.from({ length }, () => uniform() * 2 - 1);
};

describe('subPixelKernel', () => {
  for (const [h, w, inChannels, filters] of [
    [1, 1, 1, 1],
    [2, 3, 1, 1],
    [3, 2, 2, 3],
    [7, 7, 8, 4],
  ]) {
    test(`matches the transposed convolution for ${h}x${w}x${inChannels} -> ${filters} filters`, () => {
      const x = randomValues(h * w * inChannels, 1);
      const kernel = randomValues(16 * filters * inChannels, 2);
      const kernel3 = subPixelKernel(kernel, [4, 4, filters, inChannels]);
      assert.equal(kernel3.length, 9 * inChannels * 4 * filters);
      const expected = transposedConv(x, [h, w, inChannels], kernel, filters);
      const actual = subPixelConv(x, [h, w, inChannels], kernel3, filters);
      for (let i = 0; i < expected.length; i++) {
        assert.ok(Math.abs(actual[i] - expected[i]) < 1e-5, `value ${i}: ${actual[i]} vs ${expected[i]}`);
      }
      assert.ok(
        expected.some((value) => value !== 0),
        'the check saw some signal',
      );
    });
  }

  test('every tap of the 4x4 kernel is used exactly once per output phase', () => {
    const kernel = Float32Array.from({ length: 16 }, (_, i) => i + 1);
    const kernel3 = subPixelKernel(kernel, [4, 4, 1, 1]);
    const used = Array.from(kernel3).filter((value) => value !== 0);
    assert.deepEqual(
      used.sort((p, q) => p - q),
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
  });

  test('refuses kernels that are not 4x4 or whose values do not fill the shape', () => {
    assert.throws(() => subPixelKernel(new Float32Array(9), [3, 3, 1, 1]), RangeError);
    assert.throws(() => subPixelKernel(new Float32Array(15), [4, 4, 1, 1]), RangeError);
  });
});
