/** The all-models view: every generator of the index drawn on the same noise (and the same class per column), one row each; the models load when the view first opens. */

import { drawDigits } from './canvas.js';
import { downloadModel } from './catalog.js';
import { UPSCALE, generatorEntries, planeNoise, sharedNoise } from './inputs.js';
import { View } from './view.js';

export const COLUMNS = 10;
const PLANE_TEXT = (planes) => planes.map((plane) => plane.shape.slice(0, 2).join('×')).join(' and ');

/** The panel's feature (features.js creates it when the panel first opens); page: features.js's FeaturePage. */
export function create(panel, page) {
  return new AllModels(panel, page);
}

class AllModels extends View {
  constructor(panel, page) {
    super();
    this.page = page;
    this.elements = { status: panel.querySelector('#models-status'), rows: panel.querySelector('#models-rows') };
    this.models = new Map(); // name -> promise of {metadata, generator}, built once and kept for the page's life
    this.ticket = 0;
    this.result = null; // what is on screen, for the test hook
  }

  /** Another model is on screen: its row is marked. */
  modelChanged() {
    for (const row of this.elements.rows.children) {
      row.dataset.current = String(row.dataset.model === this.page.entry.name);
    }
  }

  /** An index entry -> {metadata, generator}, downloaded and built once (on the page's queue). */
  load(entry) {
    if (!this.models.has(entry.name)) {
      const { page } = this;
      const model = downloadModel(entry, page.indexUrl).then(async ({ metadata, artifacts }) => {
        const generator = await page.queue.run(() => page.gen.Generator.load(artifacts, metadata));
        return { metadata, generator };
      });
      model.catch(() => this.models.delete(entry.name)); // the next opening tries again
      this.models.set(entry.name, model);
    }
    return this.models.get(entry.name);
  }

  async draw() {
    const ticket = ++this.ticket;
    const { page, elements } = this;
    const entries = generatorEntries(page.index);
    const seed = page.state.seed;
    elements.status.textContent = `Drawing ${entries.length} generators on seed ${seed}…`;
    const models = await Promise.all(
      entries.map((entry) =>
        this.load(entry).then(
          (model) => ({ entry, ...model }),
          (error) => ({ entry, error }),
        ),
      ),
    );
    const working = models.filter((model) => !model.error);
    // The noise size most models share: the smallest (64 here; the classic MLP GAN takes 100).
    const sharedDim = Math.min(...working.map(({ generator }) => generator.latentDim));
    const rows = [];
    for (const model of models) {
      if (model.error) {
        rows.push({ ...model, note: `could not be loaded: ${model.error.message}` });
        continue;
      }
      const { generator } = model;
      const noise = sharedNoise(seed, COLUMNS, generator.latentDim, sharedDim);
      const classes = generator.conditional
        ? Array.from({ length: COLUMNS }, (_, k) => k % generator.numClasses)
        : null;
      const planes = planeNoise(seed, COLUMNS, generator.planes);
      const values = await page.queue.run(() => generator.pixels(noise, classes, planes));
      rows.push({ ...model, classes, values, note: noteFor(model, sharedDim, classes) });
    }
    if (ticket !== this.ticket) return this.result; // a later draw started meanwhile
    elements.rows.replaceChildren(...rows.map((row) => this.rowElement(row)));
    elements.status.textContent =
      `${working.length} generators on seed ${seed}, the noise of the grid's first ${COLUMNS} digits ` +
      `(their first ${sharedDim} values, which every row shares).` +
      (working.length < models.length ? ` ${models.length - working.length} could not be loaded.` : '') +
      upscalersText(page.index);
    this.result = {
      seed,
      columns: COLUMNS,
      sharedDim,
      rows: rows.map(({ entry, generator, classes, note, error }) => ({
        name: entry.name,
        latentDim: generator ? generator.latentDim : null,
        classes: classes ?? null,
        note,
        loaded: !error,
      })),
    };
    return this.result;
  }

  /** One model's row: its name and description, what noise and classes it got, its digits. */
  rowElement({ entry, metadata, generator, classes, values, note, error }) {
    const row = document.createElement('section');
    row.className = 'model-row';
    row.dataset.model = entry.name;
    row.dataset.current = String(entry.name === this.page.entry.name);
    const title = document.createElement('h3');
    title.textContent = `${entry.name} — ${entry.description}`;
    const text = document.createElement('p');
    text.className = error ? 'muted error' : 'muted';
    text.textContent = note;
    row.setAttribute('aria-label', entry.name);
    row.append(title, text);
    if (error) return row;
    const strip = document.createElement('div');
    strip.className = 'model-strip';
    strip.style.setProperty('--columns', String(COLUMNS));
    const [height, width] = generator.imageShape;
    const canvases = Array.from({ length: COLUMNS }, (_, k) => {
      const canvas = document.createElement('canvas');
      Object.assign(canvas, { width, height, className: 'view-digit' });
      canvas.setAttribute('role', 'img');
      const asked = classes ? `, asked for ${metadata.class_names[classes[k]]}` : '';
      if (classes) canvas.dataset.label = String(classes[k]);
      canvas.setAttribute('aria-label', `${entry.name}, column ${k + 1}${asked}`);
      return canvas;
    });
    drawDigits(canvases, values, generator.imageShape);
    strip.append(...canvases);
    row.append(strip);
    return row;
  }
}

/** What noise and classes a row got, in words. */
function noteFor({ metadata, generator }, sharedDim, classes) {
  const latent = generator.latentDim;
  let noise = `Noise: the ${latent} shared values of each column.`;
  if (latent > sharedDim) {
    noise =
      `Noise: takes ${latent} values, the ${sharedDim} shared ones then ${latent - sharedDim} more ` +
      'drawn from the same seed for this size alone.';
  } else if (latent < sharedDim) {
    noise = `Noise: takes the first ${latent} of the ${sharedDim} shared values.`;
  }
  if (generator.planes.length) noise += ` Plus noise planes of ${PLANE_TEXT(generator.planes)} from the same seed.`;
  const names = metadata.class_names;
  const asked = classes
    ? ` Asked for ${classes.map((c) => names[c]).join(', ')}.`
    : ' Unconditional: no class is asked for.';
  return noise + asked;
}

/** The index's upscalers, which draw from a 7x7 digit, not from noise: named, with where to see them. */
function upscalersText(index) {
  const names = index.models.filter((entry) => entry.task === UPSCALE).map((entry) => entry.name);
  return names.length ? ` ${names.join(', ')} upscale a digit instead: see Super-resolution.` : '';
}
