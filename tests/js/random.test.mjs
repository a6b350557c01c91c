// Seeded noise: the same seed gives the same digits, and the values are standard normal.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { MAX_SEED } from '../../web/limits.js';
import { mulberry32, normalNoise, randomSeed } from '../../web/random.js';

describe('mulberry32', () => {
  test('the same seed gives the same stream; another seed another one', () => {
    const first = mulberry32(7);
    const second = mulberry32(7);
    const values = Array.from({ length: 100 }, () => first());
    assert.deepEqual(
      Array.from({ length: 100 }, () => second()),
      values,
    );
    const other = mulberry32(8);
    assert.notDeepEqual(
      Array.from({ length: 100 }, () => other()),
      values,
    );
  });

  test('uniform in [0, 1), for the extreme seeds too', () => {
    for (const seed of [0, 1, MAX_SEED]) {
      const uniform = mulberry32(seed);
      const values = Array.from({ length: 20000 }, () => uniform());
      assert.ok(
        values.every((value) => value >= 0 && value < 1),
        `seed ${seed}`,
      );
      const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
      assert.ok(Math.abs(mean - 0.5) < 0.01, `seed ${seed}: mean ${mean}`);
    }
  });
});

describe('normalNoise', () => {
  test('a longer request starts with the values of a shorter one (the first digits of a seed stay)', () => {
    const short = normalNoise(42, 63);
    const long = normalNoise(42, 640);
    assert.deepEqual(Array.from(long.slice(0, 62)), Array.from(short.slice(0, 62)));
    assert.equal(short.length, 63); // odd lengths are filled too
  });

  test('standard normal: mean 0, variance 1, Gaussian tails, always finite', () => {
    const values = normalNoise(9, 200000);
    assert.ok(values.every(Number.isFinite));
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length;
    const beyond3 = values.filter((value) => Math.abs(value) > 3).length / values.length;
    assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(variance - 1) < 0.02, `variance ${variance}`);
    assert.ok(beyond3 > 0.002 && beyond3 < 0.0035, `beyond 3 sigma ${beyond3}`); // 0.27 % for a Gaussian
  });

  test('zero length gives an empty array', () => {
    assert.equal(normalNoise(1, 0).length, 0);
  });
});

describe('randomSeed', () => {
  test('whole numbers in the seed range', () => {
    for (let i = 0; i < 100; i++) {
      const seed = randomSeed();
      assert.ok(Number.isInteger(seed) && seed >= 0 && seed <= MAX_SEED);
    }
  });
});
