/** The page's inputs and address bar: the model picker, the class picker and morph selects, events wired to actions, the state mirrored. */

import { modelLabel } from './catalog.js';
import { keyboardGrid } from './gridkeys.js';
import { MAX_COUNT, MIN_COUNT, SEED_DIGITS } from './limits.js';
import { stateToSearch } from './state.js';
import { debounced } from './tasks.js';

const URL_DELAY_MS = 80; // a burst of changes writes the URL once (browsers throttle history updates)

/** The model picker: one option per model of the index ("name — description"). */
export function showModels(elements, index) {
  elements.model.replaceChildren(...index.models.map((entry) => new Option(modelLabel(entry), entry.name)));
}

/** The class picker and the morph's label selects for `metadata`, by class name; hidden when unconditional. */
export function showClasses(elements, metadata) {
  const names = metadata.num_classes > 0 ? metadata.class_names : [];
  const choices = [['all', 'All']].concat(names.map((name, index) => [String(index), name]));
  elements.digitPicker.replaceChildren(
    ...(names.length ? choices : []).map(([value, label]) => {
      const option = document.createElement('label');
      option.className = 'pill';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'digit';
      input.value = value;
      const text = document.createElement('span');
      text.textContent = label;
      option.append(input, text);
      return option;
    }),
  );
  // MNIST's classes are digits; any other dataset's are named classes.
  elements.digitLabel.textContent = names.every((name) => /^\d$/.test(name)) ? 'Digit' : 'Class';
  elements.digitField.hidden = names.length === 0;
  for (const select of [elements.morphFrom, elements.morphTo]) {
    select.replaceChildren(...names.map((name, index) => new Option(name, String(index))));
  }
  elements.morphLabels.hidden = names.length === 0;
}

/**
 * Wire the controls to `actions`, called when a person uses them: setModel(name), generate(),
 * setDigit(digit), setCount(text), setSeed(text), setBackend(name), pick(index),
 * setMorphLabel('a' | 'b', label), shuffleMorph(), toggleMorph(). Once per page: the per-model
 * parts are filled by showModels and showClasses.
 */
export function buildControls(elements, actions) {
  elements.model.addEventListener('change', () => actions.setModel(elements.model.value));
  elements.count.min = String(MIN_COUNT);
  elements.count.max = String(MAX_COUNT);
  elements.seed.maxLength = SEED_DIGITS;

  elements.generate.addEventListener('click', () => actions.generate());
  elements.digitPicker.addEventListener('change', (event) => {
    const value = event.target.value;
    actions.setDigit(value === 'all' ? 'all' : Number(value));
  });
  elements.count.addEventListener('change', () => actions.setCount(elements.count.value));
  elements.seed.addEventListener('change', () => actions.setSeed(elements.seed.value));
  elements.seed.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') actions.setSeed(elements.seed.value);
  });
  elements.backend.addEventListener('change', () => actions.setBackend(elements.backend.value));
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    const modified = event.ctrlKey || event.metaKey || event.altKey;
    if (!typing && !modified && event.key.toLowerCase() === 'g') elements.generate.click();
  });

  elements.grid.addEventListener('click', (event) => {
    const canvas = event.target.closest('canvas.digit');
    if (canvas) actions.pick(Number(canvas.dataset.index));
  });
  keyboardGrid(elements.grid, (index) => actions.pick(index));
  elements.morphFrom.addEventListener('change', () => actions.setMorphLabel('a', Number(elements.morphFrom.value)));
  elements.morphTo.addEventListener('change', () => actions.setMorphLabel('b', Number(elements.morphTo.value)));
  elements.morphShuffle.addEventListener('click', () => actions.shuffleMorph());
  elements.morphPlay.addEventListener('click', () => actions.toggleMorph());
  // The PNG code loads on the first click, never before the grid; a failure reaches the page's unhandledrejection.
  elements.downloadGrid.addEventListener('click', () =>
    import('./download.js').then((png) => png.downloadGrid(elements.grid, png.gridFilename(location.search))),
  );
}

/** Make the inputs show `state` ({model, seed, digit, count, backend}). */
export function syncControls(elements, state) {
  elements.model.value = state.model;
  elements.count.value = String(state.count);
  elements.seed.value = String(state.seed);
  elements.backend.value = state.backend;
  for (const input of elements.digitPicker.querySelectorAll('input')) {
    input.checked = input.value === String(state.digit);
  }
}

/** The visitor asked for less motion: the morph starts paused. */
export function prefersReducedMotion() {
  return matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Keeps the address bar naming `state()`: schedule() writes it once after a burst, now() at once. */
export function urlWriter(state) {
  // The hash (a lesson step, #watch) stays: a teacher's link keeps both the digits and the place.
  const write = () => history.replaceState(null, '', stateToSearch(state()) + location.hash);
  const task = debounced(write, URL_DELAY_MS);
  return {
    schedule: task.schedule,
    now() {
      task.cancel();
      write();
    },
    settled: task.settled,
    idle: task.idle,
  };
}
