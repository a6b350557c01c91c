// Backend choice: the order tried, remembering the fastest per model, and the line that says what runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createQueue } from '../../web/tasks.js';

import {
  TUNE_STORAGE_KEY,
  backendOrder,
  backendText,
  fastest,
  measureBackends,
  modelKey,
  readTuning,
  rememberedBackend,
  saveTuning,
} from '../../web/backend.js';

/** localStorage's interface over a Map; `broken` makes every call throw, as disabled storage does. */
function fakeStorage({ broken = false } = {}) {
  const items = new Map();
  const check = () => {
    if (broken) throw new Error('SecurityError: storage is disabled');
  };
  return {
    getItem: (key) => (check(), items.has(key) ? items.get(key) : null),
    setItem: (key, value) => (check(), items.set(key, String(value))),
  };
}

describe('backendOrder', () => {
  test('the asked-for backend first, then the rest in their usual order', () => {
    assert.deepEqual(backendOrder(['wasm', 'webgl', 'cpu'], 'cpu'), ['cpu', 'wasm', 'webgl']);
    assert.deepEqual(backendOrder(['wasm', 'webgl', 'cpu'], null), ['wasm', 'webgl', 'cpu']);
  });

  test('a backend this page does not have is not tried', () => {
    assert.deepEqual(backendOrder(['webgl', 'cpu'], 'wasm'), ['webgl', 'cpu']);
  });
});

describe('modelKey', () => {
  test('two exports differ when their files differ', () => {
    assert.notEqual(modelKey({ sha256: { 'model.json': 'aa' } }), modelKey({ sha256: { 'model.json': 'bb' } }));
    assert.equal(modelKey({ sha256: { 'model.json': 'aa' } }), modelKey({ sha256: { 'model.json': 'aa' } }));
  });

  test('without digests, the variant, size, quantization and export time tell them apart', () => {
    const base = { variant: 'cgan', parameters: 10, quantization: 'uint8', training: { created: 'today' } };
    assert.notEqual(modelKey(base), modelKey({ ...base, parameters: 11 }));
    assert.notEqual(modelKey(base), modelKey({ ...base, training: { created: 'tomorrow' } }));
    assert.equal(typeof modelKey({ variant: 'mlp' }), 'string');
  });
});

describe('remembering the fastest backend', () => {
  const tuning = { backend: 'wasm', rates: { wasm: 2700, cpu: 90 }, batches: { wasm: 100, cpu: 10 } };

  test('what is saved for a model is read back for that model only', () => {
    const storage = fakeStorage();
    saveTuning(storage, 'model-a', tuning);
    assert.deepEqual(readTuning(storage, 'model-a'), tuning);
    assert.equal(readTuning(storage, 'model-b'), null);
    assert.equal(rememberedBackend(storage), 'wasm'); // started first whatever the model
  });

  test('nothing saved, a corrupt value, or no storage: nothing remembered, nothing thrown', () => {
    const storage = fakeStorage();
    assert.equal(readTuning(storage, 'model-a'), null);
    assert.equal(rememberedBackend(storage), null);
    storage.setItem(TUNE_STORAGE_KEY, '{not json');
    assert.equal(readTuning(storage, 'model-a'), null);
    assert.equal(rememberedBackend(storage), null);
    storage.setItem(TUNE_STORAGE_KEY, JSON.stringify({ key: 'model-a', backend: 7 }));
    assert.equal(readTuning(storage, 'model-a'), null);
    for (const missing of [fakeStorage({ broken: true }), null]) {
      assert.doesNotThrow(() => saveTuning(missing, 'model-a', tuning));
      assert.equal(readTuning(missing, 'model-a'), null);
      assert.equal(rememberedBackend(missing), null);
    }
  });
});

describe('fastest', () => {
  test('the highest rate wins; the first listed wins a tie; no rates keep the fallback', () => {
    assert.equal(fastest({ wasm: 10, webgl: 30, cpu: 20 }, 'cpu'), 'webgl');
    assert.equal(fastest({ wasm: 30, webgl: 30 }, 'cpu'), 'wasm');
    assert.equal(fastest({}, 'cpu'), 'cpu');
  });
});

describe('backendText', () => {
  test('a forced backend is named alone', () => {
    assert.equal(backendText('cpu', 'cpu', null), 'backend cpu');
  });

  test('automatic: "auto" until measured, then every rate, with the batch where it was not the full one', () => {
    assert.equal(backendText('wasm (SIMD, 1 thread)', 'auto', null), 'backend wasm (SIMD, 1 thread) · auto');
    const tuning = { backend: 'wasm', rates: { wasm: 2700, cpu: 90 }, batches: { wasm: 100, cpu: 10 } };
    assert.equal(backendText('wasm', 'auto', tuning), 'backend wasm · fastest of wasm 2,700/s, cpu 90/s (batch 10)');
  });
});

describe('measureBackends', () => {
  /** generator.js's backend functions, with fixed digits per second per backend and batch. */
  function fakeGen(speeds, { failing = [] } = {}) {
    let current = 'cpu';
    const measured = [];
    return {
      measured,
      currentBackend: () => current,
      registeredBackends: () => Object.keys(speeds),
      useBackend: async (name) => {
        if (failing.includes(name)) return false;
        current = name;
        return true;
      },
      measureRate: async (_generator, batch) => {
        measured.push([current, batch]);
        return speeds[current] * (batch === 100 ? 1 : 0.5);
      },
    };
  }

  test('keeps the fastest and switches to it; slow backends get only the quick look', async () => {
    const gen = fakeGen({ wasm: 3000, webgl: 2000, cpu: 100 });
    const tuning = await measureBackends(gen, {}, { queue: createQueue() });
    assert.equal(tuning.backend, 'wasm');
    assert.equal(gen.currentBackend(), 'wasm');
    assert.deepEqual(tuning.rates, { wasm: 3000, webgl: 2000, cpu: 50 });
    assert.deepEqual(tuning.batches, { wasm: 100, webgl: 100, cpu: 10 });
  });

  test("each measurement is its own queued task: the page's work in between runs on its usual backend", async () => {
    const gen = fakeGen({ wasm: 3000, webgl: 2000, cpu: 100 });
    const queue = createQueue();
    const seen = []; // the backend a page task finds, queued at each pause
    const pause = () => queue.run(async () => seen.push(gen.currentBackend()));
    const tuning = await measureBackends(gen, {}, { queue, pause });
    assert.deepEqual(seen, ['cpu', 'cpu', 'cpu', 'cpu', 'cpu']); // before each quick look and each full one
    assert.equal(tuning.backend, 'wasm');
  });

  test('backends that do not start are skipped; none at all keeps the current one', async () => {
    const gen = fakeGen({ wasm: 3000, cpu: 100 }, { failing: ['wasm'] });
    assert.equal((await measureBackends(gen, {}, { queue: createQueue() })).backend, 'cpu');
    const none = fakeGen({ wasm: 1 }, { failing: ['wasm'] });
    assert.deepEqual(await measureBackends(none, {}, { queue: createQueue() }), {
      backend: 'cpu',
      rates: {},
      batches: {},
    });
  });
});
