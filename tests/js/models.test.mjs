// Several models: which one the URL picks from the index, what the index must say, and what a switch keeps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { checkIndex, chooseModel, indexProblems, metadataUrl, modelLabel } from '../../web/catalog.js';
import { carryState, parseState, stateFromOptions, stateToSearch } from '../../web/state.js';

const schema = JSON.parse(readFileSync(new URL('../../web/index.schema.json', import.meta.url), 'utf8'));

function entry(name, overrides = {}) {
  return {
    name,
    dataset: 'mnist',
    variant: 'cgan',
    description: `MNIST · ${name}`,
    metadata: `${name}/metadata.json`,
    model_bytes: 1000,
    metrics: null,
    real_fid: null,
    task: 'generate',
    ...overrides,
  };
}

const index = {
  format: 'keras-gan-tfjs',
  format_version: 2,
  models: [
    entry('cgan'),
    entry('dcgan', { variant: 'dcgan' }),
    entry('fashion-mnist-cgan', { dataset: 'fashion-mnist' }),
  ],
};
const choose = (query) => chooseModel(index, new URLSearchParams(query));

describe('chooseModel', () => {
  test('no model in the URL: the first of the index, the default', () => {
    assert.deepEqual(choose(''), { entry: index.models[0], notices: [] });
    assert.deepEqual(choose('model=&seed=3'), { entry: index.models[0], notices: [] });
  });

  test('model=<name> picks that model', () => {
    assert.equal(choose('model=fashion-mnist-cgan').entry.name, 'fashion-mnist-cgan');
    assert.equal(choose('seed=1&model=dcgan').entry.name, 'dcgan');
    assert.deepEqual(choose('model=dcgan').notices, []);
  });

  test('an unknown name gives the default and a notice naming the models there are', () => {
    for (const name of ['nope', 'CGAN', '../cgan', 'cgan ']) {
      const { entry: chosen, notices } = choose(`model=${encodeURIComponent(name)}`);
      assert.equal(chosen.name, 'cgan', name);
      assert.equal(notices.length, 1);
      assert.match(notices[0], /is not an exported model \(cgan, dcgan, fashion-mnist-cgan\); showing cgan\.$/);
      assert.ok(notices[0].includes(JSON.stringify(name)), notices[0]);
    }
  });

  test('a very long name is cut in the notice', () => {
    const { notices } = choose(`model=${'x'.repeat(500)}`);
    assert.ok(notices[0].length < 200, notices[0]);
  });
});

describe('checkIndex', () => {
  test('accepts a valid index, and one without models', () => {
    checkIndex(structuredClone(index), schema);
    checkIndex({ ...index, models: [] }, schema);
  });

  test('an unknown version is told as such', () => {
    assert.throws(() => checkIndex({ ...index, format_version: 3 }, schema), {
      kind: 'index-format-version',
      message: /format_version 3; this page understands version 2 only/,
    });
  });

  test('a field that breaks the schema is named', () => {
    const broken = structuredClone(index);
    broken.models[1].name = 'a b';
    assert.throws(() => checkIndex(broken, schema), {
      kind: 'index-invalid',
      message: /^index\.json: models\[1\]\.name/,
    });
    assert.throws(() => checkIndex([], schema), { kind: 'index-invalid' });
    assert.throws(() => checkIndex({ ...index, format: 'onnx' }, schema), { kind: 'index-invalid' });
  });
});

describe('indexProblems', () => {
  test('a name listed twice, and metadata outside the model folder', () => {
    assert.deepEqual(indexProblems(index), []);
    const twice = { ...index, models: [...index.models, entry('dcgan')] };
    assert.deepEqual(indexProblems(twice), ['models[3].name "dcgan" is listed twice']);
    const elsewhere = { ...index, models: [entry('cgan', { metadata: 'dcgan/metadata.json' })] };
    assert.deepEqual(indexProblems(elsewhere), [
      'models[0].metadata must be cgan/metadata.json, not "dcgan/metadata.json"',
    ]);
  });
});

describe('index entries', () => {
  test('the picker shows name and description', () => {
    assert.equal(modelLabel(index.models[0]), 'cgan — MNIST · cgan');
  });

  test('metadata.json is found relative to index.json', () => {
    const url = 'http://127.0.0.1:8000/exported/index.json';
    assert.equal(metadataUrl(index.models[2], url), 'http://127.0.0.1:8000/exported/fashion-mnist-cgan/metadata.json');
  });
});

describe('carryState', () => {
  const state = { model: 'fashion-mnist-cgan', seed: 42, digit: 7, count: 12, backend: 'wasm' };

  test('seed, count, backend and a class the new model has are kept', () => {
    assert.deepEqual(carryState(state, 10), { state, notices: [] });
    assert.deepEqual(carryState({ ...state, digit: 'all', count: 20 }, 10).state.count, 20);
  });

  test('a class the new model lacks becomes all of them, with a notice; the count fits its rows', () => {
    const { state: carried, notices } = carryState(state, 3);
    assert.deepEqual(carried, { ...state, digit: 'all', count: 12 });
    assert.equal(notices.length, 1);
    assert.match(notices[0], /no class 7/);
    assert.equal(carryState({ ...state, count: 13 }, 3).state.count, 15);
  });

  test('to and from an unconditional model', () => {
    assert.deepEqual(carryState(state, 0), { state: { ...state, digit: null }, notices: [] });
    const unconditional = { ...state, digit: null, count: 16 };
    assert.deepEqual(carryState(unconditional, 10), { state: { ...state, digit: 'all', count: 20 }, notices: [] });
  });
});

describe('the model in the URL', () => {
  test('stateToSearch names the model first, and parseState leaves it to chooseModel', () => {
    const state = { model: 'dcgan', seed: 5, digit: null, count: 16, backend: 'auto' };
    const search = stateToSearch(state);
    assert.equal(search, '?model=dcgan&seed=5&count=16');
    const params = new URLSearchParams(search);
    assert.equal(chooseModel(index, params).entry.name, 'dcgan');
    const { model, ...rest } = state;
    assert.equal(model, 'dcgan');
    assert.deepEqual(parseState(params, 0), { state: rest, notices: [] });
  });

  test("a script's generate() keeps the model on screen", () => {
    const current = { model: 'cgan', seed: 1, digit: 3, count: 12, backend: 'cpu' };
    assert.equal(stateFromOptions({ seed: 2 }, current, 10, 9).state.model, 'cgan');
  });
});
