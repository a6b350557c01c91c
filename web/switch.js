/** Switching models: download another model of the index, build it beside the one on screen, then swap it in and free the old one's tensors. */

import { describeError } from './errors.js';
import { carryState } from './state.js';

/**
 * Show the index's model `name` on `page` (main.js's DemoPage) with the same seed, count and
 * backend, and the same class where the new model has it (state.carryState) -> the batch drawn.
 * The old model stays on screen until the new one is built; if it cannot be, a notice says why
 * and the error is rethrown. Its tensors are freed on the queue, so no generation overlaps.
 */
export async function replaceModel(page, name) {
  const { elements, status, queue } = page;
  const entry = page.index.models.find((model) => model.name === name);
  if (!entry) throw new Error(`exported/index.json lists no model named ${JSON.stringify(name)}.`);
  if (entry === page.entry) return page.grid.lastBatch;
  // A disabled fieldset drops the focus to <body>: the control that had it (the model picker, for a
  // person choosing with the arrow keys) gets it back when the controls are enabled again.
  const focused = elements.controls.contains(document.activeElement) ? document.activeElement : null;
  const enable = () => {
    elements.controls.disabled = false;
    if (focused && (document.activeElement === document.body || !document.activeElement)) focused.focus();
  };
  elements.controls.disabled = true;
  let loaded, generator;
  try {
    loaded = await page.fetchModel(entry, false);
    generator = await queue.run(() => page.gen.Generator.load(loaded.artifacts, loaded.metadata));
  } catch (error) {
    const { title, message } = describeError(error);
    status.notices([`${entry.name} could not be loaded, so ${page.entry.name} stays. ${title}: ${message}`]);
    elements.model.value = page.entry.name;
    status.show('ready', 'Ready');
    enable();
    throw error;
  }
  await queue.run(() => {
    page.generator.dispose(); // the old weights: no other tensor outlives a queued task
    page.useModel(loaded, generator);
  });
  const { state, notices } = carryState({ ...page.state, model: entry.name }, generator.numClasses);
  Object.assign(page.state, state); // the same object: the controls' actions hold it
  status.notices(notices);
  const batch = await page.render(); // the grid, or an upscaler's panel
  page.url.now();
  enable();
  status.show('ready', 'Ready');
  return batch;
}
