// The URL state and the count and seed fields: what is accepted, what is clamped, and what the notices say.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { DEFAULT_COUNT, MAX_COUNT, MAX_SEED, MIN_COUNT } from '../../web/limits.js';
import {
  clampCount,
  countFromInput,
  fitCount,
  parseBackend,
  parseSeed,
  parseState,
  seedFromInput,
  stateFromOptions,
  stateToSearch,
} from '../../web/state.js';

const parse = (query, numClasses = 10) => parseState(new URLSearchParams(query), numClasses);

describe('parseSeed', () => {
  test('accepts every uint32, written as plain digits, spaces trimmed', () => {
    assert.equal(parseSeed('0'), 0);
    assert.equal(parseSeed(' 42 '), 42);
    assert.equal(parseSeed(String(MAX_SEED)), MAX_SEED);
    assert.equal(parseSeed(42), 42);
  });

  test('refuses what is not a uint32', () => {
    for (const text of ['', ' ', '-1', '1.5', '1e3', '0x10', 'abc', '42abc', String(MAX_SEED + 1), 'NaN', 'Infinity']) {
      assert.equal(parseSeed(text), null, text);
    }
  });

  test('refuses text longer than the largest seed, even with leading zeros', () => {
    assert.equal(parseSeed('0'.repeat(String(MAX_SEED).length + 1)), null);
    assert.equal(parseSeed('99999999999999999999'), null);
  });
});

describe('clampCount', () => {
  test('clamps to the count range and rounds', () => {
    assert.equal(clampCount(0), MIN_COUNT);
    assert.equal(clampCount(-7), MIN_COUNT);
    assert.equal(clampCount(MAX_COUNT + 1), MAX_COUNT);
    assert.equal(clampCount(1e9), MAX_COUNT);
    assert.equal(clampCount(12.4), 12);
    assert.equal(clampCount(12.5), 13);
  });

  test('NaN and infinities give the default count', () => {
    assert.equal(clampCount(NaN), DEFAULT_COUNT);
    assert.equal(clampCount(Infinity), DEFAULT_COUNT);
    assert.equal(clampCount(-Infinity), DEFAULT_COUNT);
  });
});

describe('fitCount', () => {
  test('"all" rounds up to whole rows of one per class', () => {
    assert.equal(fitCount(1, 'all', 10), 10);
    assert.equal(fitCount(10, 'all', 10), 10);
    assert.equal(fitCount(11, 'all', 10), 20);
    assert.equal(fitCount(0, 'all', 10), 10);
    assert.equal(fitCount(30, 'all', 3), 30);
  });

  test('never passes MAX_COUNT: the last whole row that fits', () => {
    assert.equal(fitCount(MAX_COUNT, 'all', 10), MAX_COUNT);
    assert.equal(fitCount(MAX_COUNT - 1, 'all', 10), MAX_COUNT);
    assert.equal(fitCount(MAX_COUNT, 'all', 7), Math.floor(MAX_COUNT / 7) * 7);
    for (let count = MIN_COUNT; count <= MAX_COUNT; count++) {
      const fitted = fitCount(count, 'all', 7);
      assert.equal(fitted % 7, 0);
      assert.ok(fitted <= MAX_COUNT && fitted >= Math.min(count, Math.floor(MAX_COUNT / 7) * 7));
    }
  });

  test('one digit, or an unconditional model, keeps the count', () => {
    assert.equal(fitCount(13, 3, 10), 13);
    assert.equal(fitCount(13, null, 0), 13);
    assert.equal(fitCount(13, 'all', 0), 13);
  });
});

describe('parseState', () => {
  test('defaults: every digit, the default count, no seed yet, automatic backend', () => {
    assert.deepEqual(parse(''), {
      state: { seed: null, digit: 'all', count: DEFAULT_COUNT, backend: 'auto' },
      notices: [],
    });
    assert.deepEqual(parse('', 0).state.digit, null);
  });

  test('good values pass unchanged without notices', () => {
    assert.deepEqual(parse('seed=77&digit=3&count=12&backend=cpu'), {
      state: { seed: 77, digit: 3, count: 12, backend: 'cpu' },
      notices: [],
    });
  });

  test('counts out of range are clamped, with a notice naming the range', () => {
    const low = parse('count=0&digit=3');
    assert.equal(low.state.count, MIN_COUNT);
    assert.match(low.notices[0], new RegExp(`outside ${MIN_COUNT}–${MAX_COUNT}`));
    assert.equal(parse('count=1000000&digit=3').state.count, MAX_COUNT);
    assert.equal(parse('count=1000000&digit=all').state.count, MAX_COUNT);
  });

  test('a count that is not a whole number gives the default, fitted to rows', () => {
    for (const raw of ['abc', '-5', '2.5', '1e2', 'NaN']) {
      const { state, notices } = parse(`count=${encodeURIComponent(raw)}&digit=3`);
      assert.equal(state.count, DEFAULT_COUNT, raw);
      assert.equal(notices.length, 1, raw);
      assert.match(notices[0], /count=/);
    }
    assert.equal(parse('count=&digit=3').notices.length, 0); // empty means "not given"
  });

  test('"all" rounds the count up to whole rows, and the notice shows what is drawn', () => {
    assert.equal(parse('count=15').state.count, 20);
    const { state, notices } = parse('count=0');
    assert.equal(state.count, 10);
    assert.match(notices[0], /showing 10\./);
  });

  test('bad seeds become null (a random one) with a notice naming the range', () => {
    for (const raw of ['abc', '-5', String(MAX_SEED + 1)]) {
      const { state, notices } = parse(`seed=${raw}`);
      assert.equal(state.seed, null, raw);
      assert.match(notices[0], new RegExp(`from 0 to ${MAX_SEED}`));
    }
  });

  test('digits outside the classes, or any digit for an unconditional model, are refused', () => {
    const far = parse('digit=12&count=20');
    assert.equal(far.state.digit, 'all');
    assert.match(far.notices[0], /from 0 to 9/);
    assert.equal(parse('digit=3.5').state.digit, 'all');
    assert.equal(parse('digit=-1').state.digit, 'all');
    const unconditional = parse('digit=4', 0);
    assert.equal(unconditional.state.digit, null);
    assert.match(unconditional.notices[0], /unconditional/);
  });

  test('unknown backends fall back to automatic with a notice listing the choices', () => {
    assert.deepEqual(parseBackend(new URLSearchParams('backend=quantum')).backend, 'auto');
    assert.match(parse('backend=quantum').notices[0], /auto, wasm, webgl, cpu/);
  });

  test('long bad values are shortened in notices', () => {
    const { notices } = parse(`seed=${'x'.repeat(500)}`);
    assert.ok(notices[0].length < 150, notices[0]);
    assert.match(notices[0], /…/);
  });
});

describe('stateToSearch', () => {
  test('round-trips through parseState', () => {
    for (const state of [
      { seed: 0, digit: 'all', count: 100, backend: 'auto' },
      { seed: MAX_SEED, digit: 7, count: 1, backend: 'wasm' },
      { seed: 5, digit: null, count: 16, backend: 'cpu' },
    ]) {
      const search = stateToSearch(state);
      const numClasses = state.digit === null ? 0 : 10;
      assert.deepEqual(parseState(new URLSearchParams(search), numClasses), { state, notices: [] }, search);
    }
  });

  test('leaves out the automatic backend and an unconditional digit', () => {
    assert.equal(stateToSearch({ seed: 1, digit: null, count: 4, backend: 'auto' }), '?seed=1&count=4');
  });
});

describe('countFromInput', () => {
  test('a count in range is taken without a notice', () => {
    assert.deepEqual(countFromInput('5', 3, 10), { count: 5, notice: '' });
  });

  test('clamped or row-fitted counts say what they became', () => {
    assert.deepEqual(countFromInput('0', 3, 10), { count: MIN_COUNT, notice: `Count 0 became ${MIN_COUNT}.` });
    assert.deepEqual(countFromInput('5000', 3, 10), { count: MAX_COUNT, notice: `Count 5000 became ${MAX_COUNT}.` });
    assert.deepEqual(countFromInput('15', 'all', 10), { count: 20, notice: 'Count 15 became 20.' });
  });

  test('text that is not a number keeps the count, and the notice names the range', () => {
    for (const text of ['', '  ', 'abc', 'Infinity']) {
      const { count, notice } = countFromInput(text, 3, 10);
      assert.equal(count, null, text);
      assert.equal(notice, `Count must be a whole number from ${MIN_COUNT} to ${MAX_COUNT}.`);
    }
  });
});

describe('seedFromInput', () => {
  test('a seed is taken without a notice', () => {
    assert.deepEqual(seedFromInput(' 99 ', 5), { seed: 99, notice: '' });
  });

  test('anything else keeps the current seed and says so, naming the range', () => {
    const { seed, notice } = seedFromInput('-3', 5);
    assert.equal(seed, null);
    assert.equal(notice, `Seed "-3" is not a whole number from 0 to ${MAX_SEED}; kept 5.`);
  });
});

describe('stateFromOptions', () => {
  const current = { seed: 1, digit: 3, count: 12, backend: 'cpu' };

  test('fields not given keep the current ones; the seed is new; the backend is kept', () => {
    assert.deepEqual(stateFromOptions({}, current, 10, 42), {
      state: { seed: 42, digit: 3, count: 12, backend: 'cpu' },
      notices: [],
    });
    assert.deepEqual(stateFromOptions({ seed: 7, digit: 'all', count: 30 }, current, 10, 42).state, {
      seed: 7,
      digit: 'all',
      count: 30,
      backend: 'cpu',
    });
  });

  test('values the URL would clamp come back with notices', () => {
    const { notices } = stateFromOptions({ count: 0, seed: -1 }, current, 10, 42);
    assert.equal(notices.length, 2);
  });

  test('an unconditional model takes no digit', () => {
    const { state, notices } = stateFromOptions({}, { ...current, digit: null }, 0, 9);
    assert.equal(state.digit, null);
    assert.deepEqual(notices, []);
  });
});
