/** When the page's work runs: one queue for all TF.js work, debounced updates, and named timing marks. */

/**
 * A queue that runs tasks one after another, so generations, morphs and backend switches never
 * overlap. run(task) -> task's result; settled() resolves once everything queued so far is done;
 * idle() is true when nothing is queued.
 */
export function createQueue() {
  let tail = Promise.resolve();
  let pending = 0;
  return {
    run(task) {
      pending++;
      const result = tail.then(task);
      tail = result
        .catch(() => {}) // a failed task is reported by whoever awaits it; the next still runs
        .finally(() => {
          pending--;
        });
      return result;
    },
    settled: () => tail,
    idle: () => pending === 0,
  };
}

/**
 * `task` run `delayMs` after the last schedule(), once for a burst of calls. Errors go to onError.
 * settled() resolves once nothing is scheduled or running; idle() says so now; cancel() drops a
 * scheduled run.
 */
export function debounced(task, delayMs, onError = () => {}) {
  let timer = null;
  let running = 0;
  let waiters = [];
  const idle = () => timer === null && running === 0;
  const wake = () => {
    if (!idle()) return;
    const woken = waiters;
    waiters = [];
    for (const resolve of woken) resolve();
  };
  const fire = async () => {
    timer = null;
    running++;
    try {
      await task();
    } catch (error) {
      onError(error);
    } finally {
      running--;
      wake();
    }
  };
  return {
    schedule() {
      clearTimeout(timer);
      timer = setTimeout(fire, delayMs);
    },
    cancel() {
      clearTimeout(timer);
      timer = null;
      wake();
    },
    settled() {
      return new Promise((resolve) => {
        waiters.push(resolve);
        wake();
      });
    },
    idle,
  };
}

/** Timing marks are named MARK_PREFIX + name, in ms since navigation like performance.now(). */
export const MARK_PREFIX = 'gan-demo:';

export function mark(name) {
  performance.mark(MARK_PREFIX + name);
}

/** The page's timing marks so far -> {name: ms since navigation}. */
export function marks() {
  const entries = performance.getEntriesByType('mark').filter((entry) => entry.name.startsWith(MARK_PREFIX));
  return Object.fromEntries(entries.map((entry) => [entry.name.slice(MARK_PREFIX.length), entry.startTime]));
}
