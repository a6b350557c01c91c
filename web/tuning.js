/**
 * The page's backend choice: measuring every backend while the visitor is idle (never in the way of a
 * click), switching on request, and the backend line under the controls.
 */

import { backendText, measureBackends, modelKey, pageStorage, saveTuning } from './backend.js';
import { AUTO_BACKEND } from './limits.js';

// Backends are measured once the visitor has left the page alone this long: a measurement holds the
// main thread (a WebGL shader compile can take a second), and a first click must be answered at once.
export const QUIET_MS = 2500;
const INPUT_EVENTS = ['pointerdown', 'keydown', 'wheel', 'touchstart', 'input'];

/** -> a promise that resolves once no input event has come for `quietMs` (each one restarts the wait). */
export function quiet(quietMs = QUIET_MS) {
  return new Promise((resolve) => {
    let timer;
    const restart = () => {
      clearTimeout(timer);
      timer = setTimeout(done, quietMs);
    };
    const done = () => {
      for (const name of INPUT_EVENTS) window.removeEventListener(name, restart, true);
      resolve();
    };
    for (const name of INPUT_EVENTS) window.addEventListener(name, restart, { capture: true, passive: true });
    restart();
  });
}

export class BackendChoice {
  /** page: main.js's DemoPage (gen, queue, generator, metadata, state, status, elements, render()). */
  constructor(page) {
    this.page = page;
    this.tuning = null; // {backend, rates, batches} once measured or remembered
  }

  /** Measure every backend once the visitor is idle, in steps that let the page's own work pass between them. */
  async tune() {
    const { page } = this;
    await quiet();
    page.status.show('busy', 'Measuring backends to pick the fastest…');
    this.tuning = await measureBackends(page.gen, page.generator, { queue: page.queue, pause: () => quiet(500) });
    saveTuning(pageStorage(), modelKey(page.metadata), this.tuning);
    await this.show();
  }

  /** name: 'auto' (measure) or a backend; then redraw. */
  async switchTo(name) {
    const { page } = this;
    page.state.backend = name;
    if (name === AUTO_BACKEND) {
      await this.tune();
    } else {
      const started = await page.queue.run(() => page.gen.useBackend(name));
      if (!started) {
        page.status.notices([
          `The ${name} backend could not start in this browser; staying on ${page.gen.currentBackend()}.`,
        ]);
      }
      await this.show();
    }
    page.elements.backend.value = page.state.backend;
    return page.render();
  }

  async show() {
    const { page } = this;
    const described = await page.gen.describeBackend();
    page.elements.backendInfo.textContent = backendText(described, page.state.backend, this.tuning);
    page.status.show('ready', 'Ready');
  }
}
