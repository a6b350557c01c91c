// "Real or fake?": Wilson intervals against known values, a seeded 50/50 schedule, the per-model summary.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  gameSeed,
  percent,
  scheduleRounds,
  shuffle,
  summarize,
  unplayable,
  wilsonInterval,
} from '../../web/realfake.js';
import { mulberry32 } from '../../web/random.js';

const close = (actual, expected, what) => assert.ok(Math.abs(actual - expected) < 1e-9, `${what}: ${actual}`);

describe('wilsonInterval', () => {
  // scipy.stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method='wilson'), scipy 1.17.
  const KNOWN = [
    [0, 10, 0, 0.27753279986288926],
    [10, 10, 0.7224672001371109, 1],
    [5, 10, 0.236593090512564, 0.7634069094874361],
    [1, 20, 0.008881448800795402, 0.23613119344674205],
    [7, 20, 0.1811918241010821, 0.5671457233147637],
    [81, 263, 0.2552885198782742, 0.36620957698280004],
    [0, 1, 0, 0.7934506856227626],
    [1, 1, 0.20654931437723745, 1],
    [50, 50, 0.9286524008666412, 1],
  ];
  for (const [k, n, low, high] of KNOWN) {
    test(`${k} of ${n}`, () => {
      const interval = wilsonInterval(k, n);
      close(interval.low, low, 'low');
      close(interval.high, high, 'high');
    });
  }

  test('all n successes: n / (n + z^2) to exactly 1; none: exactly 0 up', () => {
    const z2 = 1.959963984540054 ** 2;
    for (const n of [1, 10, 20, 100]) {
      close(wilsonInterval(n, n).low, n / (n + z2), `${n} of ${n}`);
      assert.equal(wilsonInterval(n, n).high, 1);
      assert.equal(wilsonInterval(0, n).low, 0);
    }
  });

  test('no trials: nothing is known', () => {
    assert.deepEqual(wilsonInterval(0, 0), { low: 0, high: 1 });
  });
});

describe('scheduleRounds', () => {
  const options = { spriteCount: 200, numClasses: 10 };

  test('the same seed gives the same rounds; another seed other ones', () => {
    const rounds = scheduleRounds(42, 20, options);
    assert.deepEqual(scheduleRounds(42, 20, options), rounds);
    assert.notDeepEqual(scheduleRounds(43, 20, options), rounds);
  });

  test('exactly half the rounds are real; an odd count leaves one to a coin', () => {
    for (const seed of [0, 1, 2, 0xffffffff]) {
      for (const count of [10, 20, 50, 100]) {
        const rounds = scheduleRounds(seed, count, options);
        assert.equal(rounds.length, count);
        assert.equal(rounds.filter((round) => round.real).length, count / 2, `seed ${seed}, ${count} rounds`);
      }
    }
    const odd = Array.from({ length: 400 }, (_, seed) => scheduleRounds(seed, 21, options));
    const reals = odd.map((rounds) => rounds.filter((round) => round.real).length);
    assert.ok(reals.every((count) => count === 10 || count === 11));
    const elevens = reals.filter((count) => count === 11).length;
    assert.ok(elevens > 160 && elevens < 240, `${elevens} of 400 odd games had 11 real rounds`);
  });

  test('each position is real about half the time over many seeds (no pattern to learn)', () => {
    const realAt = new Array(20).fill(0);
    const games = 2000;
    for (let seed = 0; seed < games; seed++) {
      scheduleRounds(seed * 7919, 20, options).forEach((round, i) => (realAt[i] += round.real ? 1 : 0));
    }
    for (const [i, count] of realAt.entries()) {
      // 4.5 standard deviations of a binomial(2000, 0.5): about 100
      assert.ok(Math.abs(count / games - 0.5) < 0.05, `round ${i + 1} real in ${count} of ${games} games`);
    }
  });

  test('real rounds show distinct sprite tiles; fakes have a class and a uint32 noise seed', () => {
    const rounds = scheduleRounds(5, 100, options);
    const tiles = rounds.filter((round) => round.real).map((round) => round.tile);
    assert.equal(new Set(tiles).size, tiles.length);
    assert.ok(tiles.every((tile) => Number.isInteger(tile) && tile >= 0 && tile < 200));
    const fakes = rounds.filter((round) => !round.real);
    assert.ok(fakes.every((round) => Number.isInteger(round.label) && round.label >= 0 && round.label < 10));
    assert.ok(fakes.every((round) => Number.isInteger(round.noiseSeed) && round.noiseSeed >= 0));
    assert.ok(fakes.every((round) => round.noiseSeed <= 0xffffffff));
    assert.ok(new Set(fakes.map((round) => round.label)).size > 5, 'fake classes vary');
  });

  test('an unconditional model gets no class; a tiny sprite is reused', () => {
    const rounds = scheduleRounds(9, 20, { spriteCount: 3, numClasses: 0 });
    assert.ok(rounds.filter((round) => !round.real).every((round) => round.label === null));
    assert.ok(rounds.filter((round) => round.real).every((round) => round.tile >= 0 && round.tile < 3));
  });

  test('each game of a visit has its own seed', () => {
    const seeds = new Set(Array.from({ length: 50 }, (_, game) => gameSeed(1234, game)));
    assert.equal(seeds.size, 50);
    assert.ok([...seeds].every((seed) => Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff));
    assert.equal(gameSeed(1234, 3), gameSeed(1234, 3));
  });
});

test('shuffle keeps every element', () => {
  const shuffled = shuffle(
    Array.from({ length: 50 }, (_, i) => i),
    mulberry32(3),
  );
  assert.deepEqual(
    [...shuffled].sort((a, b) => a - b),
    Array.from({ length: 50 }, (_, i) => i),
  );
  assert.notDeepEqual(
    shuffled,
    Array.from({ length: 50 }, (_, i) => i),
  );
});

describe('summarize', () => {
  test('a player who always says "real": every generated and every real digit judged real', () => {
    const answers = scheduleRounds(7, 20, { spriteCount: 200, numClasses: 10 }).map((round) => ({
      model: 'cgan',
      showMs: 1000,
      real: round.real,
      answer: 'real',
    }));
    const [row] = summarize(answers);
    assert.equal(row.model, 'cgan');
    assert.equal(row.showMs, 1000);
    for (const kind of ['fake', 'real']) {
      assert.equal(row[kind].judgedReal, 10);
      assert.equal(row[kind].total, 10);
      assert.equal(row[kind].share, 1);
      close(row[kind].low, 0.7224672001371109, kind);
      assert.equal(row[kind].high, 1);
    }
  });

  test('one row per model and display time, in the order first played', () => {
    const answers = [
      { model: 'cgan', showMs: 250, real: false, answer: 'real' },
      { model: 'dcgan', showMs: 250, real: true, answer: 'fake' },
      { model: 'cgan', showMs: 250, real: false, answer: 'fake' },
      { model: 'cgan', showMs: 2000, real: true, answer: 'real' },
    ];
    const rows = summarize(answers);
    assert.deepEqual(
      rows.map((row) => [row.model, row.showMs]),
      [
        ['cgan', 250],
        ['dcgan', 250],
        ['cgan', 2000],
      ],
    );
    assert.deepEqual([rows[0].fake.judgedReal, rows[0].fake.total], [1, 2]);
    assert.equal(rows[0].real.total, 0);
    assert.ok(Number.isNaN(rows[0].real.share));
    assert.deepEqual([rows[1].real.judgedReal, rows[1].real.total], [0, 1]);
  });
});

test('unplayable: only a generator of the sprite dataset, at its size, in grey', () => {
  const sprite = { dataset: 'mnist', tile: 28 };
  const model = { name: 'cgan', dataset: 'mnist', image_shape: [28, 28, 1] };
  assert.equal(unplayable(model, sprite), null);
  assert.match(unplayable({ ...model, name: 'f', dataset: 'fashion-mnist' }, sprite), /mnist digits.*fashion-mnist/);
  assert.match(unplayable({ ...model, image_shape: [32, 32, 3] }, sprite), /32x32x3/);
  assert.equal(unplayable({ ...model, task: 'generate' }, sprite), null);
  assert.match(unplayable({ ...model, name: 'srgan', task: 'upscale' }, sprite), /srgan upscales/);
});

test('percent', () => {
  assert.equal(percent(0.7224), '72%');
  assert.equal(percent(1), '100%');
  assert.equal(percent(NaN), '—');
});
