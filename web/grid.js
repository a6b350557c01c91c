/** The grid of digits: generate the batch the page's state names (or given noise) and draw it, one canvas per digit. */

import { things } from './words.js';
import { classesFor, explicitBatch, gridColumns, sampleOf } from './batch.js';
import { drawDigits, drawOne, layoutDigits } from './canvas.js';
import { planeNoise, planeRows } from './inputs.js';
import { normalNoise } from './random.js';

export class Grid {
  /**
   * generator: a generator.js Generator; queue: the page's TF.js queue; elements: {grid, timing};
   * backendName() -> the running backend; classNames: metadata.class_names; onDrawn(batch): called
   * on the queue after each batch is on screen.
   */
  constructor({ generator, queue, elements, backendName, classNames, onDrawn = () => {} }) {
    Object.assign(this, { generator, queue, elements, backendName, classNames, onDrawn });
    this.canvases = [];
    // What is on screen: {seed, digit, count, noise, labels, planes, generateMs, drawMs, backend}; planes:
    // the noise planes (inputs.planeNoise), [] for a model without, null when the fixed ones were used.
    this.lastBatch = null;
  }

  /** Generate and draw the batch that `state` ({seed, digit, count}) names -> the batch. */
  draw(state) {
    const { latentDim, numClasses } = this.generator;
    return this.queue.run(() =>
      this.render({
        seed: state.seed,
        digit: state.digit,
        noise: normalNoise(state.seed, state.count * latentDim),
        planes: planeNoise(state.seed, state.count, this.generator.planes),
        classes: classesFor(state.digit, state.count, numClasses),
        columns: gridColumns(state.count, state.digit, numClasses),
      }),
    );
  }

  /** Draw exactly this noise (and these labels); see batch.explicitBatch -> the batch. */
  drawNoise(noise, labels) {
    const { latentDim, numClasses } = this.generator;
    const batch = explicitBatch(noise, labels, latentDim, numClasses);
    const count = batch.noise.length / latentDim;
    return this.queue.run(() =>
      this.render({ seed: null, digit: null, ...batch, planes: null, columns: gridColumns(count, null, 0) }),
    );
  }

  /**
   * Redraw sample `index` alone from `noise` (Float32Array [latentDim]), keeping its label; the batch
   * on screen then holds that noise. Skipped when another grid (or model) came first -> the batch.
   */
  redraw(index, noise) {
    const batch = this.lastBatch;
    return this.queue.run(async () => {
      const { generator } = this;
      if (this.lastBatch !== batch || noise.length !== generator.latentDim) return this.lastBatch;
      const planes = batch.planes && this.planesOf(batch, index);
      const values = await generator.pixels(noise, batch.labels ? [batch.labels[index]] : null, planes);
      drawOne(this.canvases[index], values, 0, generator.imageShape);
      batch.noise.set(noise, index * generator.latentDim);
      return batch;
    });
  }

  /** Sample `index` of the batch on screen -> {index, noise, label, planes (null: the fixed ones)}. */
  sample(index) {
    const batch = this.lastBatch;
    const sample = sampleOf(batch, index, this.generator.latentDim);
    return { ...sample, planes: batch.planes && this.planesOf(batch, index) };
  }

  /** Sample `index`'s noise planes in `batch` -> one Float32Array per plane. */
  planesOf(batch, index) {
    return planeRows(
      batch.planes,
      this.generator.planes.map((plane) => plane.size),
      index,
      1,
    );
  }

  /** Outline the canvases at `indices` (the morph's ends). */
  markPicked(indices) {
    for (const canvas of this.canvases) {
      canvas.classList.toggle('picked', indices.includes(Number(canvas.dataset.index)));
    }
  }

  /** Run on the queue: noise -> pixels -> canvases in one pass, then the timing line. */
  async render({ seed, digit, noise, planes, classes, columns }) {
    const { generator } = this;
    const count = noise.length / generator.latentDim;
    const started = performance.now();
    const values = await generator.pixels(noise, classes, planes);
    const generated = performance.now();
    this.canvases = layoutDigits(this.elements.grid, count, {
      width: generator.imageShape[1],
      height: generator.imageShape[0],
      labels: classes,
      classNames: this.classNames,
      columns,
    });
    drawDigits(this.canvases, values, generator.imageShape);
    const drawn = performance.now();
    const generateMs = generated - started;
    const drawMs = drawn - generated;
    const backend = this.backendName();
    this.lastBatch = { seed, digit, count, noise, labels: classes, planes, generateMs, drawMs, backend };
    const rate = Math.round((count * 1000) / Math.max(generateMs, 0.01));
    this.elements.timing.textContent =
      `${count} ${count === 1 ? things(this.classNames).slice(0, -1) : things(this.classNames)} in ${generateMs.toFixed(1)} ms ` +
      `(${rate.toLocaleString('en')}/s) · drawn in ${drawMs.toFixed(1)} ms`;
    this.onDrawn(this.lastBatch);
    return this.lastBatch;
  }
}
