/** The noise sliders: one grid digit's first noise values as range inputs; moving one redraws that digit alone, live. */

import { withArticle } from './words.js';

export const SLIDER_DIMENSIONS = 16; // the first 16 noise values: enough to see what they do, few enough to tab through
export const SLIDER_LIMIT = 3; // -3..3 holds 99.7% of a standard-normal value
const SLIDER_STEP = 0.05;

/**
 * The panel's feature (features.js calls it when the panel first opens). panel: its <details>;
 * page: features.js's FeaturePage.
 */
export function create(panel, page) {
  return new Sliders(panel, page);
}

class Sliders {
  constructor(panel, page) {
    this.page = page;
    const $ = (id) => panel.querySelector(`#${id}`);
    this.elements = { list: $('sliders-list'), subject: $('sliders-subject'), preview: $('sliders-canvas') };
    this.index = 0; // the grid digit the sliders edit
    this.original = null; // its noise when picked: Float32Array [latentDim]
    this.noise = null; // its noise now
    this.dirty = false; // a slider moved since the last redraw started
    this.busy = false;
    this.elements.list.addEventListener('input', (event) => this.moved(event.target));
    $('sliders-reset').addEventListener('click', () => this.reset());
  }

  opened() {
    this.pick(this.page.picked());
  }

  /** A digit of the grid was picked (click or keyboard). */
  pick(index) {
    const { grid } = this.page;
    if (this.page.generator.latentDim === 0) {
      this.elements.list.replaceChildren();
      this.elements.subject.textContent = 'This model takes no noise: there is nothing to slide.';
      return;
    }
    if (!grid.lastBatch) return;
    const sample = grid.sample(Math.min(index, grid.lastBatch.count - 1));
    this.index = sample.index;
    this.original = sample.noise;
    this.noise = sample.noise.slice();
    const classNames = this.page.metadata.class_names;
    const dims = Math.min(SLIDER_DIMENSIONS, this.noise.length);
    this.elements.subject.textContent =
      `Sample ${sample.index + 1}` +
      (sample.label === null ? '' : `, asked for ${withArticle(classNames[sample.label])}`) +
      `: noise values 1 to ${dims} of ${this.noise.length}.`;
    this.layout(dims);
    this.copyPreview();
  }

  /** A new grid is on screen: follow the digit at the same place (its noise is new). */
  drawn() {
    this.pick(this.index);
  }

  /** One labelled range input per noise value shown, reused while their number stays (a focused one keeps focus). */
  layout(dims) {
    const { list } = this.elements;
    if (list.children.length !== dims) {
      list.replaceChildren(...Array.from({ length: dims }, (_, dim) => sliderRow(dim)));
    }
    for (const input of list.querySelectorAll('input')) this.show(input);
  }

  /** Set `input` (and its output) to the current value of its noise dimension. */
  show(input) {
    const value = this.noise[Number(input.dataset.dim)];
    input.value = String(value); // the browser clamps it to -3..3 and the step; the noise keeps its value
    input.nextElementSibling.textContent = value.toFixed(2);
  }

  moved(input) {
    if (!input.dataset.dim) return;
    const dim = Number(input.dataset.dim);
    this.noise[dim] = Number(input.value);
    input.nextElementSibling.textContent = this.noise[dim].toFixed(2);
    this.changed();
  }

  reset() {
    if (!this.original) return;
    this.noise = this.original.slice();
    for (const input of this.elements.list.querySelectorAll('input')) this.show(input);
    this.changed();
  }

  /** Redraw the digit with the latest noise: a burst of slider moves costs one generation at a time. */
  changed() {
    this.dirty = true;
    if (!this.busy) this.page.track(this.flush());
  }

  async flush() {
    this.busy = true;
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.page.grid.redraw(this.index, this.noise.slice());
        this.copyPreview();
      }
    } finally {
      this.busy = false;
    }
  }

  /** The larger copy beside the sliders: the grid's canvas as it is now. */
  copyPreview() {
    const source = this.page.grid.canvases[this.index];
    const { preview } = this.elements;
    if (!source) return;
    preview.width = source.width;
    preview.height = source.height;
    preview.getContext('2d').drawImage(source, 0, 0);
  }
}

/** <div><label>z<sub>n</sub></label><input type=range><output></div> for noise dimension `dim` (0-based). */
function sliderRow(dim) {
  const row = document.createElement('div');
  row.className = 'slider';
  const input = document.createElement('input');
  Object.assign(input, { type: 'range', id: `z-${dim}`, min: -SLIDER_LIMIT, max: SLIDER_LIMIT, step: SLIDER_STEP });
  input.dataset.dim = String(dim);
  const label = document.createElement('label');
  label.htmlFor = input.id;
  label.textContent = `z${dim + 1}`;
  input.setAttribute('aria-label', `z${dim + 1}, noise value ${dim + 1}`); // the visible label, then what it is
  const output = document.createElement('output');
  output.htmlFor = input.id;
  row.append(label, input, output);
  return row;
}
