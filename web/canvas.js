/** Drawing generated pixel values onto <canvas> elements; no tensors and no page state here. */

import { withArticle } from './words.js';

/**
 * Make `grid` hold exactly `count` digit canvases of `width` x `height`, reusing the ones it has.
 * labels: the class asked for per canvas (null when unconditional); columns: grid columns.
 * -> the canvases, in order.
 */
export function layoutDigits(grid, count, { width, height, labels, classNames, columns }) {
  while (grid.children.length > count) grid.lastElementChild.remove();
  while (grid.children.length < count) {
    const canvas = document.createElement('canvas');
    canvas.className = 'digit';
    canvas.width = width;
    canvas.height = height;
    canvas.setAttribute('role', 'button'); // picked by click, or by Enter once focused (gridkeys.js)
    canvas.tabIndex = -1;
    grid.append(canvas);
  }
  grid.style.setProperty('--columns', String(columns));
  const canvases = Array.from(grid.children);
  canvases.forEach((canvas, index) => {
    canvas.dataset.index = String(index);
    if (labels) {
      canvas.dataset.label = String(labels[index]);
      canvas.title = `Asked for ${withArticle(classNames[labels[index]])} · sample ${index + 1} · click to morph`;
    } else {
      delete canvas.dataset.label;
      canvas.title = `Sample ${index + 1} · click to morph`;
    }
    canvas.setAttribute('aria-label', canvas.title);
  });
  // The grid is one tab stop (gridkeys.js moves it): the first cell unless a kept one has it.
  if (canvases.length && !canvases.some((canvas) => canvas.tabIndex === 0)) canvases[0].tabIndex = 0;
  return canvases;
}

/**
 * Draw image i of `values` (grey levels 0..255, [n * H * W * C]) onto canvases[i], all in one pass.
 * shape: [height, width, channels] with channels 1 (grey) or 3 (RGB).
 */
export function drawDigits(canvases, values, shape) {
  const [height, width] = shape;
  const image = new ImageData(width, height);
  canvases.forEach((canvas, index) => {
    fillImage(image, values, index, shape);
    canvas.getContext('2d').putImageData(image, 0, 0);
  });
}

/** Draw one image (index `index` of `values`) onto `canvas`. */
export function drawOne(canvas, values, index, shape) {
  const [height, width] = shape;
  const image = new ImageData(width, height);
  fillImage(image, values, index, shape);
  canvas.getContext('2d').putImageData(image, 0, 0);
}

function fillImage(image, values, index, [height, width, channels]) {
  const rgba = image.data; // Uint8ClampedArray: assignment rounds and clamps to 0..255
  const pixels = height * width;
  const base = index * pixels * channels;
  for (let p = 0; p < pixels; p++) {
    const out = p * 4;
    if (channels === 1) {
      const grey = values[base + p];
      rgba[out] = grey;
      rgba[out + 1] = grey;
      rgba[out + 2] = grey;
    } else {
      rgba[out] = values[base + p * 3];
      rgba[out + 1] = values[base + p * 3 + 1];
      rgba[out + 2] = values[base + p * 3 + 2];
    }
    rgba[out + 3] = 255;
  }
}

/**
 * Create `count` small canvases in `strip` (one per shown morph step) -> the canvases.
 */
export function layoutStrip(strip, count, width, height) {
  strip.replaceChildren();
  const canvases = [];
  for (let i = 0; i < count; i++) {
    const canvas = document.createElement('canvas');
    canvas.className = 'step';
    canvas.width = width;
    canvas.height = height;
    strip.append(canvas);
    canvases.push(canvas);
  }
  return canvases;
}
