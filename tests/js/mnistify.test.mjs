// MNIST's preprocessing on plain arrays: the ink's box fitted into 20x20 and centred by mass in 28x28; strokes framed for it.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  CENTRE,
  FIELD,
  centreOfMass,
  fittedSize,
  inkBox,
  mnistify,
  placeCentred,
  resample,
  toOutputRange,
} from '../../web/mnistify.js';
import { mulberry32 } from '../../web/random.js';
import { MIN_SIDE, PEN_SHARE, RENDER_SIDE, renderFrame, strokeBounds } from '../../web/strokes.js';

/** A width x height image of 0s with the rectangle [left, left + w) x [top, top + h) set to `value`. */
function rectangle(width, height, { left, top, w, h, value = 1 }) {
  const image = new Float32Array(width * height);
  for (let y = top; y < top + h; y++) image.fill(value, y * width + left, y * width + left + w);
  return image;
}

const sum = (values) => values.reduce((total, value) => total + value, 0);
const close = (actual, expected, tolerance, message) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} vs ${expected}`);

describe('inkBox', () => {
  test('is the box of the values at or above the floor', () => {
    const image = rectangle(50, 40, { left: 7, top: 3, w: 10, h: 20 });
    image[0] = 0.05; // a faint fringe pixel, under the floor
    assert.deepEqual(inkBox(image, 50, 40), { left: 7, top: 3, width: 10, height: 20 });
    assert.deepEqual(inkBox(image, 50, 40, 0.01), { left: 0, top: 0, width: 17, height: 23 });
  });

  test('is null for a blank image', () => {
    assert.equal(inkBox(new Float32Array(100), 10, 10), null);
  });
});

describe('fittedSize', () => {
  test('fits the longer side to 20 and keeps the aspect ratio', () => {
    assert.deepEqual(fittedSize(200, 100), [20, 10]);
    assert.deepEqual(fittedSize(30, 90), [7, 20]);
    assert.deepEqual(fittedSize(5, 5), [20, 20]); // small boxes are scaled up
  });

  test('never gives a side of 0 pixels', () => {
    assert.deepEqual(fittedSize(1, 400), [1, 20]);
  });
});

describe('resample', () => {
  test('averages whole blocks when the factor is an integer', () => {
    const image = Float32Array.from({ length: 16 }, (_, i) => i); // 4x4
    const out = resample(image, 4, { left: 0, top: 0, width: 4, height: 4 }, 2, 2);
    assert.deepEqual(Array.from(out), [2.5, 4.5, 10.5, 12.5]);
  });

  test('keeps the mean ink at any factor: each output pixel is the mean of the area it covers', () => {
    const uniform = mulberry32(3);
    const image = Float32Array.from({ length: 97 * 61 }, () => uniform());
    const box = { left: 5, top: 2, width: 83, height: 57 };
    let inside = 0;
    for (let y = box.top; y < box.top + box.height; y++) {
      for (let x = box.left; x < box.left + box.width; x++) inside += image[y * 97 + x];
    }
    const out = resample(image, 97, box, 20, 14);
    close(sum(out) / out.length, inside / (box.width * box.height), 1e-5, 'mean');
    const flat = resample(new Float32Array(97 * 61).fill(0.75), 97, box, 20, 14);
    for (const value of flat) close(value, 0.75, 1e-6, 'a constant stays constant');
  });

  test('anti-aliases: an edge between pixels gives a partly covered pixel, not a jagged step', () => {
    const image = rectangle(30, 30, { left: 0, top: 0, w: 15, h: 30 }); // left half ink
    const out = resample(image, 30, { left: 0, top: 0, width: 30, height: 30 }, 4, 4); // 7.5 px per pixel
    assert.deepEqual(Array.from(out.slice(0, 4)), [1, 1, 0, 0]);
    const shifted = resample(image, 30, { left: 0, top: 0, width: 30, height: 30 }, 5, 5); // 6 px per pixel
    close(shifted[2], 0.5, 1e-6, 'the pixel the edge splits');
  });
});

describe('centreOfMass and placeCentred', () => {
  test('the centre of mass of a rectangle is its middle', () => {
    assert.deepEqual(centreOfMass(rectangle(10, 10, { left: 2, top: 4, w: 4, h: 2 }), 10, 10), { x: 3.5, y: 4.5 });
    assert.equal(centreOfMass(new Float32Array(4), 2, 2), null);
  });

  test('puts any patch centre of mass within half a pixel of (14, 14)', () => {
    const uniform = mulberry32(11);
    for (let trial = 0; trial < 50; trial++) {
      const [width, height] = [1 + Math.floor(uniform() * 20), 1 + Math.floor(uniform() * 20)];
      const patch = Float32Array.from({ length: width * height }, () => (uniform() < 0.4 ? uniform() : 0));
      patch[Math.floor(uniform() * patch.length)] = 1; // never blank
      const field = placeCentred(patch, width, height);
      assert.equal(field.length, FIELD * FIELD);
      close(sum(field), sum(patch), 1e-4, 'no ink is lost');
      const centre = centreOfMass(field, FIELD, FIELD);
      // Only a lopsided patch near the field's size can be kept from the centre by the border.
      if (width <= 12 && height <= 12) {
        close(centre.x, CENTRE, 0.5, `x of a ${width}x${height} patch`);
        close(centre.y, CENTRE, 0.5, `y of a ${width}x${height} patch`);
      }
    }
  });

  test('keeps a lopsided patch inside the field', () => {
    const patch = new Float32Array(20 * 20);
    patch[19] = 1; // all the mass in the top-right corner
    const field = placeCentred(patch, 20, 20);
    close(sum(field), 1, 1e-6, 'ink kept');
  });
});

describe('mnistify', () => {
  test('a large square of ink becomes a 20x20 block centred in 28x28', () => {
    const digit = mnistify(rectangle(300, 300, { left: 40, top: 60, w: 200, h: 200 }), 300, 300);
    assert.equal(digit.length, 784);
    for (let y = 0; y < FIELD; y++) {
      for (let x = 0; x < FIELD; x++) {
        const inside = x >= 4 && x < 24 && y >= 4 && y < 24;
        assert.equal(digit[y * FIELD + x], inside ? 1 : 0, `pixel (${x}, ${y})`);
      }
    }
  });

  test('keeps the aspect ratio: a 2:1 bar fills 20x10', () => {
    const digit = mnistify(rectangle(400, 300, { left: 100, top: 100, w: 100, h: 200 }), 400, 300);
    assert.deepEqual(inkBox(digit, FIELD, FIELD), { left: 10, top: 4, width: 10, height: 20 }); // 9.5 and 4.5 round to even
  });

  test('the same drawing, moved and scaled, gives the same digit', () => {
    const shape = (scale, left, top) => {
      const image = new Float32Array(500 * 500);
      const put = (x, y, w, h) => {
        const box = rectangle(500, 500, { left: left + x * scale, top: top + y * scale, w: w * scale, h: h * scale });
        box.forEach((value, i) => (image[i] = Math.max(image[i], value)));
      };
      put(0, 0, 10, 2); // a "7": top bar and a stem, off-centre
      put(7, 0, 3, 20);
      return mnistify(image, 500, 500);
    };
    const [a, b] = [shape(10, 20, 30), shape(20, 60, 10)];
    a.forEach((value, i) => close(value, b[i], 1e-6, `pixel ${i}`));
    const centre = centreOfMass(a, FIELD, FIELD);
    close(centre.x, CENTRE, 0.5, 'centre x');
    close(centre.y, CENTRE, 0.5, 'centre y');
  });

  test('is null for a blank pad, and values stay in 0..1', () => {
    assert.equal(mnistify(new Float32Array(100), 10, 10), null);
    const uniform = mulberry32(5);
    const digit = mnistify(
      Float32Array.from({ length: 64 * 48 }, () => uniform()),
      64,
      48,
    );
    assert.ok(digit.every((value) => value >= 0 && value <= 1));
  });

  test('toOutputRange maps paper to the low end and ink to the high end', () => {
    assert.deepEqual(Array.from(toOutputRange(Float32Array.of(0, 0.5, 1), [-1, 1])), [-1, 0, 1]);
  });
});

describe('strokes', () => {
  test('strokeBounds covers every point, and is null without strokes', () => {
    const strokes = [
      [
        [0.2, 0.3],
        [0.5, 0.1],
      ],
      [[0.4, 0.9]],
    ];
    const bounds = strokeBounds(strokes);
    for (const [key, value] of Object.entries({ left: 0.2, top: 0.1, width: 0.3, height: 0.8 })) {
      close(bounds[key], value, 1e-12, key);
    }
    assert.equal(strokeBounds([]), null);
  });

  test('renderFrame scales the longer side to RENDER_SIDE with the pen and its round ends inside', () => {
    const tall = [
      [
        [0.5, 0.2],
        [0.55, 0.6],
      ],
    ];
    const frame = renderFrame(tall);
    close(frame.pen, PEN_SHARE * RENDER_SIDE, 1e-9, 'pen width');
    const [top, bottom] = [frame.point([0.5, 0.2]), frame.point([0.55, 0.6])];
    close(bottom[1] - top[1], RENDER_SIDE, 1e-9, 'the longer side');
    for (const [x, y] of [top, bottom]) {
      assert.ok(x - frame.pen / 2 >= 0 && x + frame.pen / 2 <= frame.width, `x ${x} in ${frame.width}`);
      assert.ok(y - frame.pen / 2 >= 0 && y + frame.pen / 2 <= frame.height, `y ${y} in ${frame.height}`);
    }
    // Drawn twice as large on the pad: the same frame, so the same pen width relative to the digit.
    const larger = renderFrame([tall[0].map(([x, y]) => [2 * x - 0.5, 2 * y - 0.2])]);
    assert.deepEqual([larger.width, larger.height], [frame.width, frame.height]);
  });

  test('a tap is framed as if MIN_SIDE long, not blown up to the whole frame', () => {
    const frame = renderFrame([[[0.3, 0.3]]]);
    const pixels = RENDER_SIDE / MIN_SIDE; // per pad unit
    assert.ok(frame.width < RENDER_SIDE, `a dot's frame is ${frame.width} px wide`);
    close(frame.point([0.3 + MIN_SIDE, 0.3])[0] - frame.point([0.3, 0.3])[0], MIN_SIDE * pixels, 1e-9, 'scale');
    assert.equal(renderFrame([]), null);
  });
});
