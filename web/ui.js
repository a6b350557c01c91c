/** The page's fixed elements, and what it says about itself: status line, notices and the error box. */

/**
 * Resolves on DOMContentLoaded: the document is parsed and the deferred TF.js scripts have run.
 * (readyState turns "interactive" before those scripts run, so it cannot tell; the navigation entry can.)
 */
export function documentReady() {
  return new Promise((resolve) => {
    const [navigation] = performance.getEntriesByType('navigation');
    const fired = navigation ? navigation.domContentLoadedEventStart > 0 : document.readyState === 'complete';
    if (fired) resolve();
    else document.addEventListener('DOMContentLoaded', resolve, { once: true });
  });
}

/** The elements of index.html the page drives, by role; call once the document is parsed. */
export function findElements() {
  const $ = (id) => document.getElementById(id);
  return {
    status: $('status'),
    statusText: $('status-text'),
    error: $('error'),
    errorTitle: $('error-title'),
    errorMessage: $('error-message'),
    notices: $('notices'),
    controls: $('controls'),
    generate: $('generate'),
    model: $('model'),
    digitLabel: $('digit-label'),
    digitField: $('digit-field'),
    digitPicker: $('digit-picker'),
    count: $('count'),
    seed: $('seed'),
    backend: $('backend'),
    downloadGrid: $('download-grid'),
    backendInfo: $('backend-info'),
    timing: $('timing'),
    modelSize: $('model-size'),
    main: document.querySelector('main'),
    grid: $('grid'),
    morphPanel: $('morph-panel'),
    picked: $('picked'),
    pickedA: $('picked-a'),
    pickedB: $('picked-b'),
    watchMissing: $('watch-missing'),
    morphCanvas: $('morph-canvas'),
    morphLabels: $('morph-labels'),
    morphFrom: $('morph-from'),
    morphTo: $('morph-to'),
    morphPlay: $('morph-play'),
    morphShuffle: $('morph-shuffle'),
    morphStrip: $('morph-strip'),
    modelInfo: $('model-info'),
    trainingInfo: $('training-info'),
    evaluationInfo: $('evaluation-info'),
  };
}

/** What the browser lacks of what the page needs -> feature names (empty when it has them all). */
export function missingFeatures() {
  const canvas = document.createElement('canvas');
  const needs = {
    fetch: typeof fetch === 'function',
    'canvas 2D': Boolean(canvas.getContext && canvas.getContext('2d')),
    ImageData: typeof ImageData === 'function',
    URLSearchParams: typeof URLSearchParams === 'function',
    AbortController: typeof AbortController === 'function',
    'crypto.getRandomValues': Boolean(globalThis.crypto && crypto.getRandomValues),
  };
  return Object.keys(needs).filter((feature) => !needs[feature]);
}

/**
 * The status line, notices and error box. Status updates before attach() (download progress while
 * the document is still parsed) are dropped; once a failure is shown, it stays.
 */
export class StatusView {
  constructor() {
    this.elements = null;
    this.failure = null; // {kind, title, message} of the first failure
  }

  attach(elements) {
    this.elements = elements;
  }

  /** state: 'loading' | 'busy' | 'ready' | 'error'. */
  show(state, message) {
    if (!this.elements || (this.failure && state !== 'error')) return;
    this.elements.status.dataset.state = state;
    this.elements.statusText.textContent = message;
    document.body.dataset.state = state;
  }

  /** Record the first failure -> true; later ones -> false (the first explains the rest). */
  recordFailure(failure) {
    if (this.failure) return false;
    this.failure = failure;
    return true;
  }

  /** Show the recorded failure; hideContent: nothing was drawn, so only the explanation is shown. */
  showFailure({ hideContent }) {
    const { title, message } = this.failure;
    this.elements.errorTitle.textContent = title;
    this.elements.errorMessage.textContent = message;
    this.elements.error.hidden = false;
    if (hideContent) this.elements.main.hidden = true;
    this.show('error', title);
  }

  /** Show `messages` as notices, replacing the ones shown unless replace is false. */
  notices(messages, { replace = true } = {}) {
    const list = this.elements.notices;
    if (replace) list.replaceChildren();
    for (const message of messages) {
      const item = document.createElement('li');
      item.textContent = message;
      list.append(item);
    }
  }
}
