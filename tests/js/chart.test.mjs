// The timeline's chart arithmetic: round axis steps.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { tickStep } from '../../web/chart.js';

describe('tickStep', () => {
  test('1, 2 or 5 times a power of ten, about the number of ticks asked', () => {
    assert.equal(tickStep(6, 4), 2);
    assert.equal(tickStep(1, 4), 0.5);
    assert.equal(tickStep(90, 6), 20);
    assert.equal(tickStep(0.3, 4), 0.1);
  });
});
