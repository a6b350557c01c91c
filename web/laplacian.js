/** The arithmetic of a Laplacian pyramid as the pyramid view shows it: nearest-neighbour upsampling, detail = a level minus its coarser level made twice as large, and grey maps; no DOM, no TF.js. */

/**
 * images Float32Array [n * height * width] -> [n * (height * factor) * (width * factor)], each pixel
 * repeated factor x factor (Keras's UpSampling2D, as pipeline/lapgan.py upsamples).
 */
export function upsampleNearest(images, height, width, factor = 2) {
  const [outHeight, outWidth] = [height * factor, width * factor];
  const n = images.length / (height * width);
  const out = new Float32Array(n * outHeight * outWidth);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < outHeight; y++) {
      for (let x = 0; x < outWidth; x++) {
        const source = (k * height + Math.floor(y / factor)) * width + Math.floor(x / factor);
        out[(k * outHeight + y) * outWidth + x] = images[source];
      }
    }
  }
  return out;
}

/** a - b, element by element (float32). */
export function subtract(a, b) {
  return Float32Array.from(a, (value, i) => value - b[i]);
}

/**
 * LAPGAN's levels of n digits ({level_7, level_14, image}: Float32Array [n * s * s] each, coarse to
 * fine) -> {up14, detail14, up28, detail28}: each coarser level upsampled, and the detail a finer level
 * adds to it, so that level_14 = up14 + detail14 and image = up28 + detail28.
 */
export function pyramidOf({ level_7: level7, level_14: level14, image }) {
  const up14 = upsampleNearest(level7, 7, 7);
  const up28 = upsampleNearest(level14, 14, 14);
  return { up14, detail14: subtract(level14, up14), up28, detail28: subtract(image, up28) };
}

/** Values in [low, high] (the model's output_range) -> grey levels 0..255 (high = ink = white), clipped. */
export function toGrey(values, [low, high]) {
  const scale = 255 / (high - low);
  return Float32Array.from(values, (value) => Math.min(255, Math.max(0, (value - low) * scale)));
}

/**
 * The diverging map's limit for `values`: the 99th percentile of |value| (a few outlying pixels saturate
 * instead of washing out the rest), rounded up to a quarter, at least 0.25.
 */
export function detailLimit(values) {
  const sizes = Float32Array.from(values, Math.abs).sort();
  const typical = sizes.length ? sizes[Math.floor(0.99 * (sizes.length - 1))] : 0;
  return Math.max(0.25, Math.ceil(typical * 4) / 4);
}

/** Detail values -> grey levels around mid grey: 0 -> 127.5, +limit -> 255 (white), -limit -> 0 (black). */
export function divergingGrey(values, limit) {
  return Float32Array.from(values, (value) => 127.5 + 127.5 * Math.min(1, Math.max(-1, value / limit)));
}
