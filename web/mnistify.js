/**
 * MNIST's preprocessing as arithmetic on ink values: the ink's bounding box scaled (aspect ratio kept,
 * anti-aliased) to fit 20x20, then placed in 28x28 with its centre of mass on pixel (14, 14), as
 * pipeline/images.py does for image folders. No DOM, no TF.js: arrays in, arrays out.
 */

export const FIELD = 28; // the digit, in pixels
export const FIT_BOX = 20; // the ink's bounding box is scaled to fit this square
export const CENTRE = 14; // where the centre of mass lands, in pixel indices (MNIST's own mean)
export const INK_FLOOR = 0.1; // weaker values are a pen's faint anti-aliased fringe: not ink for the bounding box

/**
 * ink: Float32Array [height * width] in 0..1 (1 = ink), row by row -> the bounding box of the
 * values at or above `floor`, {left, top, width, height} in pixels, or null when there is none.
 */
export function inkBox(ink, width, height, floor = INK_FLOOR) {
  let left = width;
  let right = -1;
  let top = height;
  let bottom = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] < floor) continue;
      if (x < left) left = x;
      if (x > right) right = x;
      if (y < top) top = y;
      bottom = y;
    }
  }
  return right < 0 ? null : { left, top, width: right - left + 1, height: bottom - top + 1 };
}

/** A box of `width` x `height` pixels scaled to fit `fit` x `fit`, aspect ratio kept -> [width, height], each 1..fit. */
export function fittedSize(width, height, fit = FIT_BOX) {
  const scale = fit / Math.max(width, height);
  return [clamp(roundHalfEven(width * scale), 1, fit), clamp(roundHalfEven(height * scale), 1, fit)];
}

/**
 * The `box` of `ink` (rows of `width`) resampled to outWidth x outHeight -> Float32Array [outHeight * outWidth].
 * Each output pixel is the mean of the source area it covers, partial pixels weighted by their
 * covered share: an exact box filter, anti-aliased when shrinking.
 */
export function resample(ink, width, box, outWidth, outHeight) {
  const columns = coverage(box.left, box.width, outWidth);
  const rows = coverage(box.top, box.height, outHeight);
  const across = new Float32Array(box.height * outWidth); // each source row of the box, resampled across
  for (let y = 0; y < box.height; y++) {
    const source = (box.top + y) * width;
    columns.forEach((taps, x) => {
      let sum = 0;
      for (const [column, weight] of taps) sum += ink[source + column] * weight;
      across[y * outWidth + x] = sum;
    });
  }
  const out = new Float32Array(outHeight * outWidth);
  rows.forEach((taps, y) => {
    for (let x = 0; x < outWidth; x++) {
      let sum = 0;
      for (const [row, weight] of taps) sum += across[(row - box.top) * outWidth + x] * weight;
      out[y * outWidth + x] = sum;
    }
  });
  return out;
}

/**
 * Source pixels start..start+length-1 shrunk (or stretched) onto `count` pixels -> per output pixel,
 * its taps [[source index, weight]], the weights summing to 1.
 */
function coverage(start, length, count) {
  const span = length / count; // source pixels per output pixel
  return Array.from({ length: count }, (_, i) => {
    const from = i * span;
    const to = from + span;
    const taps = [];
    for (let p = Math.floor(from); p < Math.min(length, Math.ceil(to)); p++) {
      const covered = Math.min(to, p + 1) - Math.max(from, p);
      if (covered > 0) taps.push([start + p, covered / span]);
    }
    return taps;
  });
}

/** values: [height * width] non-negative -> their centre of mass {x, y} in pixel indices, or null when all are 0. */
export function centreOfMass(values, width, height) {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const value = values[row * width + column];
      mass += value;
      x += value * column;
      y += value * row;
    }
  }
  return mass > 0 ? { x: x / mass, y: y / mass } : null;
}

/**
 * `patch` (width x height, each at most `field`) placed in a field x field image -> Float32Array
 * [field * field]. A whole-pixel shift puts its centre of mass within half a pixel of (CENTRE,
 * CENTRE), as pipeline/images.py does; the patch always stays inside the field.
 */
export function placeCentred(patch, width, height, field = FIELD) {
  const centre = centreOfMass(patch, width, height) || { x: (width - 1) / 2, y: (height - 1) / 2 };
  const left = clamp(roundHalfEven(CENTRE - centre.x), 0, field - width);
  const top = clamp(roundHalfEven(CENTRE - centre.y), 0, field - height);
  const out = new Float32Array(field * field);
  for (let y = 0; y < height; y++) out.set(patch.subarray(y * width, (y + 1) * width), (top + y) * field + left);
  return out;
}

/**
 * ink: Float32Array [height * width] in 0..1 (1 = ink), e.g. a pen's strokes rendered large ->
 * the 28x28 digit MNIST would have made of it, Float32Array [784] in 0..1, or null when blank.
 */
export function mnistify(ink, width, height) {
  const box = inkBox(ink, width, height);
  if (!box) return null;
  const [fittedWidth, fittedHeight] = fittedSize(box.width, box.height);
  const patch = resample(ink, width, box, fittedWidth, fittedHeight);
  for (let i = 0; i < patch.length; i++) patch[i] = clamp(patch[i], 0, 1);
  return placeCentred(patch, fittedWidth, fittedHeight);
}

/** 0..1 values -> the model's output_range [low, high], e.g. [-1, 1] (0 -> low: paper, 1 -> high: ink). */
export function toOutputRange(values, [low, high]) {
  return Float32Array.from(values, (value) => low + value * (high - low));
}

/** Python's round(): halves go to the even neighbour, so a shift matches pipeline/images.py's to the pixel. */
function roundHalfEven(value) {
  const floor = Math.floor(value);
  const fraction = value - floor;
  if (fraction !== 0.5) return Math.round(value);
  return floor % 2 === 0 ? floor : floor + 1;
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
