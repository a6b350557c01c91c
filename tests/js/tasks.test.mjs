// The page's scheduling: TF.js work in order and never overlapping, debounced updates, and knowing when all is done.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { createQueue, debounced } from '../../web/tasks.js';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('createQueue', () => {
  test('runs tasks one at a time, in order, and returns each result', async () => {
    const queue = createQueue();
    const log = [];
    let running = 0;
    const task = (name, ms) => async () => {
      running++;
      assert.equal(running, 1, 'tasks overlap');
      log.push(`start ${name}`);
      await sleep(ms);
      log.push(`end ${name}`);
      running--;
      return name;
    };
    const results = await Promise.all([queue.run(task('a', 20)), queue.run(task('b', 1)), queue.run(task('c', 5))]);
    assert.deepEqual(results, ['a', 'b', 'c']);
    assert.deepEqual(log, ['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
  });

  test('a failed task rejects for its caller only; the next one still runs', async () => {
    const queue = createQueue();
    const failed = queue.run(() => {
      throw new Error('boom');
    });
    const next = queue.run(() => 'next');
    await assert.rejects(failed, /boom/);
    assert.equal(await next, 'next');
  });

  test('idle() is false while anything is queued; settled() waits for all of it', async () => {
    const queue = createQueue();
    assert.equal(queue.idle(), true);
    let done = false;
    queue.run(() => sleep(10));
    queue.run(async () => {
      await sleep(10);
      done = true;
    });
    assert.equal(queue.idle(), false);
    await queue.settled();
    assert.equal(done, true);
    assert.equal(queue.idle(), true);
  });
});

describe('debounced', () => {
  test('a burst of schedule() calls runs the task once, after the delay', async () => {
    let runs = 0;
    const task = debounced(() => runs++, 15);
    for (let i = 0; i < 5; i++) task.schedule();
    assert.equal(runs, 0);
    assert.equal(task.idle(), false);
    await task.settled();
    assert.equal(runs, 1);
    assert.equal(task.idle(), true);
  });

  test('settled() waits for a slow task to finish, and resolves at once when idle', async () => {
    let finished = false;
    const task = debounced(async () => {
      await sleep(20);
      finished = true;
    }, 1);
    await task.settled();
    task.schedule();
    await task.settled();
    assert.equal(finished, true);
  });

  test('errors go to onError, and settled() still resolves', async () => {
    const errors = [];
    const task = debounced(
      () => {
        throw new Error('bad');
      },
      1,
      (error) => errors.push(error.message),
    );
    task.schedule();
    await task.settled();
    assert.deepEqual(errors, ['bad']);
  });

  test('cancel() drops a scheduled run', async () => {
    let runs = 0;
    const task = debounced(() => runs++, 5);
    task.schedule();
    task.cancel();
    await task.settled();
    await sleep(15);
    assert.equal(runs, 0);
  });
});
