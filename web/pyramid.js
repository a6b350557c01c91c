/** The pyramid view of a LAPGAN: for a few grid digits, 7x7 -> upsampled + detail = 14x14 -> upsampled + detail = 28x28, each level from the model's own outputs. */

import { gridColumns } from './batch.js';
import { drawOne } from './canvas.js';
import { hasPyramid } from './inputs.js';
import { detailLimit, divergingGrey, pyramidOf, toGrey } from './laplacian.js';
import { View } from './view.js';

export const ROWS = 5; // digits shown: the first digit of each of the grid's first rows

/** The panel's feature (features.js creates it when the panel first opens); page: features.js's FeaturePage. */
export function create(panel, page) {
  return new Pyramid(panel, page);
}

class Pyramid extends View {
  constructor(panel, page) {
    super();
    this.page = page;
    this.elements = { status: panel.querySelector('#pyramid-status'), rows: panel.querySelector('#pyramid-rows') };
    this.ticket = 0;
    this.result = null; // what is on screen, for the test hook
  }

  /** The grid indices shown: the first digit of each grid row (one class per row for "all"), ROWS at most. */
  indices() {
    const { grid, generator } = this.page;
    const batch = grid.lastBatch;
    const columns = batch.seed === null ? batch.count : gridColumns(batch.count, batch.digit, generator.numClasses);
    const rows = Math.min(ROWS, Math.ceil(batch.count / columns));
    return Array.from({ length: rows }, (_, row) => row * columns);
  }

  async draw() {
    const { generator, grid, queue, metadata } = this.page;
    if (!hasPyramid(generator.outputs) || !grid.lastBatch) return this.result;
    const ticket = ++this.ticket;
    const indices = this.indices();
    const samples = indices.map((index) => grid.sample(index));
    const noise = concat(samples.map((sample) => sample.noise));
    const labels = generator.conditional ? samples.map((sample) => sample.label) : null;
    const planes = samples[0].planes && generator.planes.map((_, k) => concat(samples.map((s) => s.planes[k])));
    // A model switch queued meanwhile frees this generator: then the next grid's draw shows the new one.
    const live = () => generator === this.page.generator;
    const outputs = await queue.run(() => (live() ? generator.levels(noise, labels, planes) : null));
    if (outputs === null || ticket !== this.ticket) return this.result;
    const levels = Object.fromEntries(outputs.map((output) => [output.name, output.values]));
    const pyramid = pyramidOf(levels);
    const limits = { detail14: detailLimit(pyramid.detail14), detail28: detailLimit(pyramid.detail28) };
    const range = metadata.output_range;
    const columns = [
      ['7×7', toGrey(levels.level_7, range), 7],
      ['made 14×14', toGrey(pyramid.up14, range), 14],
      ['detail at 14×14', divergingGrey(pyramid.detail14, limits.detail14), 14],
      ['14×14', toGrey(levels.level_14, range), 14],
      ['made 28×28', toGrey(pyramid.up28, range), 28],
      ['detail at 28×28', divergingGrey(pyramid.detail28, limits.detail28), 28],
      ['28×28', toGrey(levels.image, range), 28],
    ];
    const names = samples.map((sample) =>
      sample.label === null ? `digit ${sample.index + 1}` : metadata.class_names[sample.label],
    );
    this.elements.rows.replaceChildren(...names.map((name, k) => row(name, k, columns)));
    this.elements.status.textContent =
      `The first digit of each of the grid's first ${names.length} rows. Details: white is ` +
      `+${limits.detail14} or more at 14×14 and +${limits.detail28} at 28×28, black the same below 0.`;
    const slice = (values, size, k) => Array.from(values.subarray(k * size, (k + 1) * size));
    this.result = {
      limits,
      rows: samples.map((sample, k) => ({
        index: sample.index,
        label: sample.label,
        level_7: slice(levels.level_7, 49, k),
        level_14: slice(levels.level_14, 196, k),
        image: slice(levels.image, 784, k),
        detail14: slice(pyramid.detail14, 196, k),
        detail28: slice(pyramid.detail28, 784, k),
      })),
    };
    return this.result;
  }
}

/** One table row: the digit's name, then a canvas per column ([title, grey levels of all rows, size]). */
function row(name, k, columns) {
  const tr = document.createElement('tr');
  const header = document.createElement('th');
  header.scope = 'row';
  header.textContent = name;
  tr.append(header);
  for (const [title, values, size] of columns) {
    const canvas = document.createElement('canvas');
    Object.assign(canvas, { width: size, height: size, className: 'view-digit' });
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', `${name}: ${title}`);
    drawOne(canvas, values, k, [size, size, 1]);
    const cell = document.createElement('td');
    cell.append(canvas);
    tr.append(cell);
  }
  return tr;
}

/** Float32Arrays -> one Float32Array holding them in order. */
function concat(parts) {
  const out = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
