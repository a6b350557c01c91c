/**
 * The sub-pixel form of a 4x4, stride-2, 'same' Conv2DTranspose: its kernel rearranged for a 3x3
 * Conv2D into 4x the channels followed by depth-to-space; plain arrays, no TF.js.
 *
 * TF.js's WASM backend runs Conv2DTranspose (Conv2DBackpropInput) as plain loops but Conv2D through
 * XNNPACK, so generator.js computes the same numbers this way, about 2.5x faster for the shipped
 * generator. Output pixel (2m + a, 2n + b) is the sum over input pixels (m + u - 1, n + v - 1),
 * u, v in 0..2, times kernel tap (TAPS[a][u], TAPS[b][v]); null: that input does not reach that phase.
 */

export const TAPS = [
  [3, 1, null],
  [null, 2, 0],
];

/**
 * Conv2DTranspose kernel values [4, 4, filters, inChannels] (row-major, as dataSync gives them)
 * -> sub-pixel Conv2D kernel values [3, 3, inChannels, 4 * filters], channel block a * 2 + b
 * holding output phase (a, b).
 */
export function subPixelKernel(taps, [height, width, filters, inChannels]) {
  if (height !== 4 || width !== 4) throw new RangeError(`expected a 4x4 kernel, got ${height}x${width}`);
  if (taps.length !== 16 * filters * inChannels) {
    throw new RangeError(`kernel holds ${taps.length} values, its shape says ${16 * filters * inChannels}`);
  }
  const out = new Float32Array(9 * inChannels * 4 * filters);
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      const phase = (a * 2 + b) * filters;
      for (let u = 0; u < 3; u++) {
        for (let v = 0; v < 3; v++) {
          const [ku, kv] = [TAPS[a][u], TAPS[b][v]];
          if (ku === null || kv === null) continue;
          for (let ci = 0; ci < inChannels; ci++) {
            for (let co = 0; co < filters; co++) {
              out[((u * 3 + v) * inChannels + ci) * 4 * filters + phase + co] =
                taps[((ku * 4 + kv) * filters + co) * inChannels + ci];
            }
          }
        }
      }
    }
  }
  return out;
}
