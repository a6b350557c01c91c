// The digit grid from the keyboard: where each key moves the focus.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { moveTo } from '../../web/gridkeys.js';

test('arrows move by one cell or one row, and stay put past an edge; Home and End jump', () => {
  // 25 cells, 10 wide: rows of 10, 10 and 5.
  assert.equal(moveTo('ArrowRight', 3, 10, 25), 4);
  assert.equal(moveTo('ArrowLeft', 3, 10, 25), 2);
  assert.equal(moveTo('ArrowDown', 3, 10, 25), 13);
  assert.equal(moveTo('ArrowUp', 13, 10, 25), 3);
  assert.equal(moveTo('ArrowLeft', 0, 10, 25), 0);
  assert.equal(moveTo('ArrowUp', 4, 10, 25), 4);
  assert.equal(moveTo('ArrowDown', 17, 10, 25), 17); // no cell below in the short last row
  assert.equal(moveTo('ArrowRight', 24, 10, 25), 24);
  assert.equal(moveTo('Home', 17, 10, 25), 0);
  assert.equal(moveTo('End', 2, 10, 25), 24);
});

test('other keys do not move', () => {
  assert.equal(moveTo('a', 3, 10, 25), null);
  assert.equal(moveTo('Enter', 3, 10, 25), null);
});
