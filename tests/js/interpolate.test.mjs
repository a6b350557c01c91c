// The morph's arithmetic: slerp weights and which frame is on screen when.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { morphFrame, slerpWeights, stripFrames } from '../../web/interpolate.js';
import { normalNoise } from '../../web/random.js';

/** wA * a + wB * b for each step -> arrays of vectors. */
function path(a, b, steps) {
  const [weightsA, weightsB] = slerpWeights(a, b, steps);
  return Array.from({ length: steps }, (_, s) => Array.from(a, (value, i) => weightsA[s] * value + weightsB[s] * b[i]));
}

const norm = (v) => Math.hypot(...v);
const close = (actual, expected, tolerance, message) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${message}: ${actual} vs ${expected}`);

describe('slerpWeights', () => {
  const a = normalNoise(1, 64);
  const b = normalNoise(2, 64);

  test('the first step is A and the last is B', () => {
    const [weightsA, weightsB] = slerpWeights(a, b, 48);
    close(weightsA[0], 1, 1e-6, 'wA at t=0');
    close(weightsB[0], 0, 1e-6, 'wB at t=0');
    close(weightsA[47], 0, 1e-6, 'wA at t=1');
    close(weightsB[47], 1, 1e-6, 'wB at t=1');
    const walk = path(a, b, 48);
    walk[0].forEach((value, i) => close(value, a[i], 1e-5, `start[${i}]`));
    walk[47].forEach((value, i) => close(value, b[i], 1e-5, `end[${i}]`));
  });

  test('between two vectors of equal norm, every step keeps that norm (a straight line would not)', () => {
    const scaled = b.map((value) => (value * norm(a)) / norm(b));
    for (const point of path(a, scaled, 11)) close(norm(point), norm(a), 1e-3 * norm(a), 'norm');
    const [weightsA, weightsB] = slerpWeights(a, scaled, 3);
    assert.ok(weightsA[1] + weightsB[1] > 1, 'slerp weights of the midpoint sum past 1 for non-parallel ends');
  });

  test('the walk is symmetric: B to A is A to B backwards', () => {
    const [forwardA, forwardB] = slerpWeights(a, b, 9);
    const [backA, backB] = slerpWeights(b, a, 9);
    for (let s = 0; s < 9; s++) {
      close(forwardA[s], backB[8 - s], 1e-6, `step ${s}`);
      close(forwardB[s], backA[8 - s], 1e-6, `step ${s}`);
    }
  });

  test('parallel, antiparallel and zero vectors fall back to a straight line whose weights sum to 1', () => {
    const v = [1, 2, 3];
    for (const [x, y] of [
      [v, v.map((t) => 2 * t)],
      [v, v.map((t) => -t)],
      [[0, 0, 0], v],
      [
        [0, 0, 0],
        [0, 0, 0],
      ],
    ]) {
      const [weightsA, weightsB] = slerpWeights(x, y, 5);
      for (let s = 0; s < 5; s++) {
        assert.ok(Number.isFinite(weightsA[s]) && Number.isFinite(weightsB[s]));
        close(weightsA[s] + weightsB[s], 1, 1e-6, `step ${s} of ${x} -> ${y}`);
        close(weightsB[s], s / 4, 1e-6, `step ${s} of ${x} -> ${y}`);
      }
    }
  });

  test('one step is A alone; no NaN for nearly parallel vectors', () => {
    const [weightsA, weightsB] = slerpWeights(a, b, 1);
    assert.deepEqual([weightsA[0], weightsB[0]], [1, 0]);
    const nudged = a.map((value, i) => (i === 0 ? value + 1e-7 : value));
    slerpWeights(a, nudged, 7).forEach((weights) => assert.ok(weights.every(Number.isFinite)));
  });
});

describe('morphFrame', () => {
  const period = 1000;
  const steps = 48;

  test('starts at A, reaches B after one period, and is back at A after two', () => {
    assert.equal(morphFrame(0, period, steps), 0);
    assert.equal(morphFrame(period, period, steps), steps - 1);
    assert.equal(morphFrame(2 * period, period, steps), 0);
    assert.equal(morphFrame(period / 2, period, steps), Math.round((steps - 1) / 2));
  });

  test('goes forward then back, eased: slow at the ends, fast in the middle', () => {
    const frames = Array.from({ length: 201 }, (_, i) => morphFrame((i * 2 * period) / 200, period, steps));
    for (let i = 1; i <= 100; i++) assert.ok(frames[i] >= frames[i - 1], `forward at ${i}`);
    for (let i = 101; i <= 200; i++) assert.ok(frames[i] <= frames[i - 1], `back at ${i}`);
    assert.ok(frames[5] - frames[0] < frames[52] - frames[47], 'eased');
    assert.ok(frames.every((frame) => Number.isInteger(frame) && frame >= 0 && frame < steps));
  });

  test('a time before the start shows A', () => {
    assert.equal(morphFrame(-16, period, steps), 0);
  });
});

describe('stripFrames', () => {
  test('evenly spaced, from the first frame to the last', () => {
    assert.deepEqual(stripFrames(8, 48), [0, 7, 13, 20, 27, 34, 40, 47]);
    assert.deepEqual(stripFrames(2, 48), [0, 47]);
    assert.deepEqual(stripFrames(1, 48), [0]);
  });
});
