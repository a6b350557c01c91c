/** Super-resolution arithmetic shared with pipeline/superres.py: 4x4 area downsampling, the bicubic baseline, uint8 quantisation and PSNR; no DOM, no TF.js. */

export const CUBIC_A = -0.5; // Keys' cubic convolution kernel, as pipeline/superres.py
export const FACTOR = 4; // 28x28 <-> 7x7

/** Keys' cubic kernel at distance t: 1 at 0, 0 at the other integers, 0 beyond 2. */
export function cubic(t) {
  const x = Math.abs(t);
  const a = CUBIC_A;
  if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x ** 2 + 1;
  if (x < 2) return a * x ** 3 - 5 * a * x ** 2 + 8 * a * x - 4 * a;
  return 0;
}

/**
 * Weights [sizeOut * sizeIn], row i for output pixel i: it samples input position
 * (i + 0.5) / scale - 0.5 (pixel centres aligned) from its four neighbours, indices clamped at the
 * edges, so each row sums to 1. superres.bicubic_matrix, entry for entry.
 */
export function bicubicMatrix(sizeIn, sizeOut) {
  const scale = sizeOut / sizeIn;
  const matrix = new Float64Array(sizeOut * sizeIn);
  for (let i = 0; i < sizeOut; i++) {
    const centre = (i + 0.5) / scale - 0.5;
    const base = Math.floor(centre);
    for (let j = base - 1; j <= base + 2; j++) {
      const clamped = Math.min(Math.max(j, 0), sizeIn - 1);
      matrix[i * sizeIn + clamped] += cubic(centre - j);
    }
  }
  return matrix;
}

/**
 * lowRes Float32Array [n * h * w] -> Float32Array [n * (h * factor) * (w * factor)]: rows x image x
 * columns with bicubicMatrix on both axes, in float64 (superres.bicubic_upscale); overshoot is kept.
 */
export function bicubicUpscale(lowRes, h, w, factor = FACTOR) {
  const [height, width] = [h * factor, w * factor];
  const rows = bicubicMatrix(h, height); // [height, h]
  const cols = bicubicMatrix(w, width); // [width, w]
  const n = lowRes.length / (h * w);
  const out = new Float32Array(n * height * width);
  const across = new Float64Array(h * width); // one image with its columns upscaled: [h, width]
  for (let k = 0; k < n; k++) {
    const image = k * h * w;
    across.fill(0);
    for (let y = 0; y < h; y++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        for (let x = 0; x < w; x++) sum += lowRes[image + y * w + x] * cols[j * w + x];
        across[y * width + j] = sum;
      }
    }
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        for (let y = 0; y < h; y++) sum += rows[i * h + y] * across[y * width + j];
        out[(k * height + i) * width + j] = sum;
      }
    }
  }
  return out;
}

/** images Float32Array [n * height * width] -> [n * (height / factor) * (width / factor)]: each block's mean. */
export function areaDownsample(images, height, width, factor = FACTOR) {
  const [h, w] = [height / factor, width / factor];
  const n = images.length / (height * width);
  const out = new Float32Array(n * h * w);
  for (let k = 0; k < n; k++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        out[(k * h + Math.floor(y / factor)) * w + Math.floor(x / factor)] += images[(k * height + y) * width + x];
      }
    }
  }
  return out.map((sum) => sum / (factor * factor));
}

/** numpy's rint: to the nearest integer, halves to the even one. */
export function roundHalfEven(value) {
  const floor = Math.floor(value);
  const rest = value - floor;
  if (rest !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

/**
 * Values in `range` ([low, high], the model's output_range) -> Float32Array of pixels in [0, 1]
 * quantised to 256 levels, as the page draws them and data.to_pixels + / 255 scores them.
 */
export function toUnit(values, [low, high]) {
  const scale = Math.fround(255 / (high - low));
  return Float32Array.from(values, (value) => {
    const grey = roundHalfEven(Math.fround(Math.fround(value - low) * scale));
    return Math.min(255, Math.max(0, grey)) / 255;
  });
}

/** Pixels in [0, 1] (0..1 with 1 = ink, as the sprite) -> the model's range ([low, high]). */
export function fromUnit(pixels, [low, high]) {
  return Float32Array.from(pixels, (pixel) => low + pixel * (high - low));
}

/**
 * Peak signal-to-noise ratio of each image, in dB (metrics.psnr): a and b Float32Array [n * size]
 * with pixels in [0, 1] -> Float64Array [n]; identical images give Infinity.
 */
export function psnr(a, b, size) {
  const n = a.length / size;
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let p = k * size; p < (k + 1) * size; p++) sum += (a[p] - b[p]) ** 2;
    out[k] = 10 * Math.log10(size / sum);
  }
  return out;
}

/** The mean of the finite values, or NaN: an exact copy's Infinity is left out (it never happens for real digits). */
export function finiteMean(values) {
  const finite = Array.from(values).filter(Number.isFinite);
  return finite.length ? finite.reduce((sum, value) => sum + value, 0) / finite.length : NaN;
}
