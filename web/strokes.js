/** Pen strokes as points, and the frame they are rendered in for mnistify.js: one size and one pen for every digit. No DOM. */

// Strokes are arrays of points [x, y] in pad units: 0..1 across the pad's width and height.

/*
 * Every drawing is rendered with its points' longer side RENDER_SIDE pixels long (fine enough that
 * the 20x20 fit averages ~10x10 pixels into each) and a pen PEN_SHARE of that side wide, so a
 * small drawing and a large one give the same stroke width in 28x28, as MNIST's digits have.
 * PEN_SHARE is what, for MNIST test digits traced along their skeletons, makes the rendered
 * tracings closest to the digits (tests/browser/tracing.py calibrate_pen).
 */
export const RENDER_SIDE = 200;
export const PEN_SHARE = 0.14;
export const MIN_SIDE = 0.04; // pad units: a dot or a tiny dash is rendered as if this long (not as a blob)

/** strokes -> the bounding box of their points {left, top, width, height} in pad units, or null when empty. */
export function strokeBounds(strokes) {
  let left = Infinity;
  let top = Infinity;
  let right = -Infinity;
  let bottom = -Infinity;
  for (const stroke of strokes) {
    for (const [x, y] of stroke) {
      left = Math.min(left, x);
      right = Math.max(right, x);
      top = Math.min(top, y);
      bottom = Math.max(bottom, y);
    }
  }
  return right < left ? null : { left, top, width: right - left, height: bottom - top };
}

/**
 * Where to render `strokes` -> {width, height, pen, point([x, y]) -> [px, py]}, or null when there
 * are none: a canvas of width x height pixels holds every point with the pen's round ends, and
 * point() maps pad units to its pixels.
 */
export function renderFrame(strokes, { side = RENDER_SIDE, penShare = PEN_SHARE, minSide = MIN_SIDE } = {}) {
  const bounds = strokeBounds(strokes);
  if (!bounds) return null;
  const scale = side / Math.max(bounds.width, bounds.height, minSide); // pixels per pad unit
  const pen = penShare * side;
  const margin = Math.ceil(pen / 2) + 2; // round caps reach pen/2 past the points; 2 px for anti-aliasing
  return {
    width: Math.ceil(bounds.width * scale) + 2 * margin,
    height: Math.ceil(bounds.height * scale) + 2 * margin,
    pen,
    point: ([x, y]) => [margin + (x - bounds.left) * scale, margin + (y - bounds.top) * scale],
  };
}
