// The page's sources, read as text: limits and error kinds live in one place, and every failure has its title.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';

import { ERROR_KINDS, ERROR_TITLES, describeError } from '../../web/errors.js';
import { MAX_COUNT, MAX_SEED, MIN_COUNT } from '../../web/limits.js';

const WEB = new URL('../../web/', import.meta.url);
const sources = readdirSync(WEB)
  .filter((name) => name.endsWith('.js'))
  .map((name) => ({ name, text: readFileSync(new URL(name, WEB), 'utf8') }));

/** The string and template literals of a script, comments skipped (regex literals are assumed quote-free). */
function stringLiterals(source) {
  const literals = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '/' && source[i + 1] === '/') {
      i = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    } else if (c === '/' && source[i + 1] === '*') {
      i = source.indexOf('*/', i + 2) + 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      literals.push(source.slice(i + 1, j));
      i = j + 1;
    } else {
      i++;
    }
  }
  return literals;
}

describe('limits', () => {
  test('no message states the count or seed limits by hand: they come from limits.js', () => {
    const stated = new RegExp(`\\b(${MAX_COUNT}|${MAX_SEED})\\b|\\b${MIN_COUNT}\\s*(to|–|-)\\s*\\d`);
    for (const { name, text } of sources) {
      if (name === 'limits.js') continue;
      for (const literal of stringLiterals(text)) assert.doesNotMatch(literal, stated, `${name}: ${literal}`);
    }
    const html = readFileSync(new URL('index.html', WEB), 'utf8');
    assert.doesNotMatch(html, new RegExp(`\\b(${MAX_COUNT}|${MAX_SEED})\\b`), 'index.html');
  });

  test('the literal finder sees strings and skips comments', () => {
    assert.deepEqual(stringLiterals('// \'no\'\nconst a = \'yes\'; /* "no" */ f(`also ${1}`, "too\\"");'), [
      'yes',
      'also ${1}',
      'too\\"',
    ]);
  });
});

describe('error kinds', () => {
  test('every kind has a title, and every title a kind', () => {
    assert.deepEqual(Object.keys(ERROR_TITLES).sort(), Object.values(ERROR_KINDS).sort());
    assert.ok(Object.values(ERROR_TITLES).every((title) => typeof title === 'string' && title.length > 0));
  });

  test('every LoadError the page throws names a known kind', () => {
    const known = new Set(Object.values(ERROR_KINDS));
    let seen = 0;
    for (const { name, text } of sources) {
      for (const match of text.matchAll(/new LoadError\(\s*(?:'([^']*)'|ERROR_KINDS\.(\w+))/g)) {
        seen++;
        const kind = match[1] ?? ERROR_KINDS[match[2]];
        assert.ok(known.has(kind), `${name}: ${match[0]}`);
      }
    }
    assert.ok(seen >= 10, `found only ${seen} LoadErrors`);
  });

  test('describeError: a known kind keeps its title; anything else is a runtime failure', () => {
    const missing = Object.assign(new Error('gone'), { kind: ERROR_KINDS.MODEL_MISSING });
    assert.deepEqual(describeError(missing), { kind: 'model-missing', title: 'Model missing', message: 'gone' });
    const odd = Object.assign(new Error('odd'), { kind: 'no-such-kind' });
    assert.equal(describeError(odd).title, ERROR_TITLES[ERROR_KINDS.RUNTIME]);
    assert.deepEqual(describeError('text thrown'), {
      kind: ERROR_KINDS.RUNTIME,
      title: ERROR_TITLES[ERROR_KINDS.RUNTIME],
      message: 'text thrown',
    });
    assert.equal(describeError(undefined).kind, ERROR_KINDS.RUNTIME);
    assert.equal(describeError({ kind: 'toString', message: 'x' }).kind, ERROR_KINDS.RUNTIME);
  });
});
