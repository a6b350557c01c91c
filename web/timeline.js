/**
 * Step 2, "watch it learn": the generator as it was at a few epochs of its training (metadata.timeline,
 * pipeline/timeline.py), drawing the grid's first digits again on the same noise, with a scrubber, Play,
 * each snapshot's score and the run's losses.
 */

import { drawDigits, layoutStrip } from './canvas.js';
import { lineChart } from './chart.js';
import { loadBeside } from './catalog.js';
import { versioned } from './loader.js';
import { things } from './words.js';

const DIGITS = 10; // the grid's first row
const PLAY_MS = 900; // per snapshot while playing
const LOSSES = [
  ['d_loss', 'd-loss', 'discriminator loss'],
  ['g_loss', 'g-loss', 'generator loss'],
];
const ACCURACIES = [
  ['d_acc_real', 'acc-real', 'real images called real'],
  ['d_acc_fake', 'acc-fake', 'generated images called fake'],
];

/** The panel's feature (features.js creates it when the panel first opens); page: features.js's FeaturePage. */
export function create(panel, page) {
  return new Timeline(panel, page);
}

class Timeline {
  constructor(panel, page) {
    this.page = page;
    const $ = (id) => panel.querySelector(`#${id}`);
    this.elements = {
      status: $('watch-status'),
      digits: $('watch-digits'),
      epoch: $('watch-epoch'),
      epochText: $('watch-epoch-text'),
      play: $('watch-play'),
      score: $('watch-score'),
      losses: $('watch-losses'),
      accuracy: $('watch-accuracy'),
    };
    this.loaded = null; // {name, timeline, generators: promises by snapshot index}
    this.index = 0; // the snapshot on screen
    this.timer = null;
    this.result = null; // for the test hook
    const { epoch, play } = this.elements;
    epoch.addEventListener('input', () => this.page.track(this.show(Number(epoch.value))));
    play.addEventListener('click', () => (this.timer ? this.stop() : this.play()));
  }

  opened() {
    return this.show(this.index);
  }

  drawn() {
    return this.show(this.index);
  }

  modelChanged() {
    this.stop();
    this.index = 0;
  }

  closed() {
    this.stop();
  }

  /** timeline.json of the model on screen, fetched once per model; its snapshots load when first shown. */
  async timeline() {
    const { metadata } = this.page;
    if (this.loaded?.name !== metadata.name) {
      this.dispose();
      const url = versioned(new URL(metadata.timeline.file, this.page.metadataUrl()), metadata.timeline.sha256);
      const response = await fetch(url);
      if (!response.ok) throw new Error(`${metadata.timeline.file} could not be loaded: HTTP ${response.status}`);
      this.loaded = { name: metadata.name, url: url.href, timeline: await response.json(), generators: [] };
      this.chart(this.loaded.timeline);
    }
    return this.loaded;
  }

  /** Snapshot k's generator (a generator.js Generator), downloaded and built once. */
  generator(loaded, k) {
    if (!loaded.generators[k]) {
      const snapshot = loaded.timeline.snapshots[k];
      const folder = snapshot.model_file.split('/').slice(0, -1).join('/');
      const digests = Object.fromEntries(
        Object.entries(snapshot.sha256).map(([file, hash]) => [`${folder}/${file}`, hash]),
      );
      const { gen, metadata } = this.page;
      loaded.generators[k] = loadBeside(loaded.url, snapshot.model_file, digests).then(
        (model) => new gen.Generator(model, metadata),
      );
      loaded.generators[k].catch(() => delete loaded.generators[k]); // a later look tries again
    }
    return loaded.generators[k];
  }

  /** Draw snapshot k on the grid's first digits (their noise, classes and planes). */
  async show(k) {
    const { page, elements } = this;
    const batch = page.grid.lastBatch;
    if (!page.metadata.timeline || !batch) return;
    const loaded = await this.timeline();
    const { snapshots } = loaded.timeline;
    this.index = Math.min(Math.max(0, k), snapshots.length - 1);
    const snapshot = snapshots[this.index];
    elements.epoch.max = String(snapshots.length - 1);
    elements.epoch.value = String(this.index);
    const epochs = loaded.timeline.history.epochs || snapshots.at(-1).epoch;
    elements.epochText.textContent = `epoch ${snapshot.epoch} of ${epochs}`;
    elements.status.textContent = `Loading the generator of epoch ${snapshot.epoch}…`;
    const generator = await this.generator(loaded, this.index);
    const rows = chosenRows(batch, DIGITS);
    const count = rows.length;
    const { latentDim, imageShape } = page.generator;
    const pick = (values, size) => {
      const out = new Float32Array(count * size);
      rows.forEach((row, i) => out.set(values.subarray(row * size, (row + 1) * size), i * size));
      return out;
    };
    const noise = pick(batch.noise, latentDim);
    const labels = batch.labels && rows.map((row) => batch.labels[row]);
    const planes = batch.planes && batch.planes.map((values, k) => pick(values, generator.planes[k].size));
    const values = await page.queue.run(() => generator.pixels(noise, labels, planes));
    if (loaded !== this.loaded || snapshots[this.index] !== snapshot) return; // another model or snapshot since
    const canvases = layoutStrip(elements.digits, count, imageShape[1], imageShape[0]);
    drawDigits(canvases, values, imageShape);
    const noun = things(page.metadata.class_names);
    const which = labels ? `One ${noun.slice(0, -1)} of each class from the grid` : `The grid's first ${count} ${noun}`;
    elements.status.textContent = `${which}, drawn from the same noise by the generator as it was after epoch ${snapshot.epoch}.`;
    elements.score.textContent = scoreText(snapshot, page.metadata);
    this.chart(loaded.timeline, snapshot.epoch);
    this.result = {
      epochs: snapshots.map((s) => s.epoch),
      index: this.index,
      epoch: snapshot.epoch,
      labels: labels && Array.from(labels),
      values: Array.from(values),
    };
  }

  /** The losses and accuracies per epoch (and the per-batch losses, faint), the snapshot's epoch marked. */
  chart(timeline, epoch = null) {
    const { history } = timeline;
    const epochs = history.epochs;
    const perEpoch = (key) => (history.epoch[key] || []).map((value, i) => [i + 1, value]);
    // Every k-th batch's loss was kept: the i-th kept value sits at (i + 1) / kept of the run.
    const kept = Math.max(1, ...Object.values(history.batch).map((v) => (Array.isArray(v) ? v.length : 0)));
    const perBatch = (key) => (history.batch[key] || []).map((value, i) => [((i + 1) * epochs) / kept, value]);
    const losses = LOSSES.flatMap(([key, className]) => [
      { points: perBatch(key), className: `${className} faint` },
      { points: perEpoch(key), className },
    ]);
    lineChart(this.elements.losses, { series: losses, xMin: 0, xMax: epochs, marker: epoch });
    const accuracy = ACCURACIES.map(([key, className]) => ({ points: perEpoch(key), className }));
    lineChart(this.elements.accuracy, {
      series: accuracy,
      xMin: 0,
      xMax: epochs,
      yRange: [0, 1],
      marker: epoch,
    });
  }

  play() {
    const snapshots = this.loaded?.timeline.snapshots;
    if (!snapshots) return;
    this.elements.play.textContent = 'Pause';
    if (this.index >= snapshots.length - 1) this.index = -1; // from the start again
    const next = () => {
      if (this.index >= snapshots.length - 1) return this.stop();
      this.page.track(this.show(this.index + 1)).then(() => {
        if (this.timer) this.timer = setTimeout(next, PLAY_MS);
      });
    };
    this.timer = setTimeout(next, 0);
  }

  stop() {
    clearTimeout(this.timer);
    this.timer = null;
    this.elements.play.textContent = 'Play';
  }

  dispose() {
    this.stop();
    for (const generator of this.loaded?.generators || []) generator?.then((g) => g.dispose()).catch(() => {});
    this.loaded = null;
  }

  view() {
    return this.result;
  }
}

/** The grid rows to show: the first of each class the grid asks for (at most `count`), else its first `count`. */
export function chosenRows(batch, count) {
  if (!batch.labels) return Array.from({ length: Math.min(count, batch.count) }, (_, i) => i);
  const rows = [];
  const seen = new Set();
  Array.from(batch.labels).forEach((label, row) => {
    if (!seen.has(label) && rows.length < count) {
      seen.add(label);
      rows.push(row);
    }
  });
  return rows;
}

/** "FID 12.3 at this epoch (lower is closer to real digits; the shipped model scores 1.46)". */
function scoreText(snapshot, metadata) {
  const score = snapshot.score;
  if (!score) return 'This snapshot was not scored (the build ran without its evaluation).';
  if (score.fid !== undefined) {
    const final = metadata.evaluation?.generated?.fid;
    const real = metadata.evaluation?.real?.fid;
    return (
      `FID ${score.fid.toFixed(2)} after epoch ${snapshot.epoch}: how far its ${things(metadata.class_names)} are from real ones, ` +
      `as the build's judge sees them (lower is closer; 2,000 samples` +
      (final !== undefined ? `; the finished model ${final.toFixed(2)}` : '') +
      (real !== undefined ? `, real held-out ${things(metadata.class_names)} ${real.toFixed(2)}` : '') +
      ').'
    );
  }
  return `PSNR ${score.psnr.toFixed(2)} dB after epoch ${snapshot.epoch} (higher is closer to the originals).`;
}
