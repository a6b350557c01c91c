/** The discriminator's opinion of the grid: each digit again, with the probability "real" under it (as the class asked for), beside its opinion of real held-out digits. */

import { loadDiscriminator, scoreImages } from './discriminator.js';
import { unplayable } from './realfake.js';
import { loadSprite } from './sprite.js';
import { withArticle } from './words.js';

const REAL_COUNT = 200; // real held-out digits scored for comparison: all of the sprite's

const tf = globalThis.tf; // this module is imported when its panel opens, long after TF.js

/** The panel's feature (features.js): scores follow the grid while the panel is open. */
export function create(panel, page) {
  return new Critic(panel, page);
}

class Critic {
  constructor(panel, page) {
    Object.assign(this, { panel, page });
    this.cells = panel.querySelector('#critic-grid');
    this.status = panel.querySelector('#critic-status');
    this.loaded = null; // {name, model}: the discriminator of the model on screen, kept while it stays
    this.last = null; // what view() reports: {model, scores, asked, images, real: {scores, labels, count, source} or {reason}}
  }

  opened() {
    return this.score();
  }

  drawn() {
    return this.score();
  }

  closed() {
    this.cells.replaceChildren();
  }

  /** The model on screen's discriminator, loaded on first use and disposed when the model changes. */
  async discriminator(metadata) {
    if (this.loaded?.name === metadata.name) return this.loaded.model;
    this.loaded?.model?.dispose();
    this.loaded = { name: metadata.name, model: await loadDiscriminator(metadata, this.page.metadataUrl()) };
    return this.loaded.model;
  }

  /** Score the batch on screen, then real held-out digits for comparison, on the page's queue. */
  score() {
    return this.page.queue.run(async () => {
      const metadata = this.page.metadata;
      const batch = this.page.grid.lastBatch;
      if (!metadata.discriminator || !batch) {
        this.status.textContent = 'This model ships no discriminator.';
        return;
      }
      this.status.textContent = 'Asking the discriminator…';
      const model = await this.discriminator(metadata);
      const generator = this.page.generator;
      const [image] = await generator.levels(batch.noise, batch.labels, batch.planes); // output range
      const classes = generator.numClasses;
      const images = tf.tensor4d(image.values, [batch.count, ...generator.imageShape]);
      // A conditional discriminator judges how real a digit looks *as the class it was asked for*; it is
      // not a classifier, so the page never reads a class off its scores.
      const asked = classes ? batch.labels : null;
      const scores = await scored(model, images, asked && oneHot(asked, classes)).finally(() => images.dispose());
      const real = await this.realScores(model, metadata);
      this.last = { model: metadata.name, scores: Array.from(scores), asked, images: image.values, real };
      this.render(metadata);
    });
  }

  /**
   * The same discriminator on real held-out digits (the page's sprite), each as its true class ->
   * {scores, labels, count} or {reason} when the sprite is not of this model's dataset. Run on the queue.
   */
  async realScores(model, metadata) {
    const sprite = await loadSprite();
    const reason = unplayable(metadata, sprite);
    if (reason) return { reason };
    const count = Math.min(REAL_COUNT, sprite.count);
    const [low, high] = metadata.output_range;
    const values = sprite.images.subarray(0, count * sprite.tile * sprite.tile).map((v) => low + v * (high - low));
    const images = tf.tensor4d(values, [count, sprite.tile, sprite.tile, 1]);
    const labels = sprite.labels.slice(0, count);
    const classes = metadata.num_classes;
    const scores = await scored(model, images, classes ? oneHot(labels, classes) : null).finally(() =>
      images.dispose(),
    );
    return { scores: Array.from(scores), labels, count, source: sprite.source };
  }

  /** The grid's digits again (copied from its canvases), each with its score underneath, then the comparison. */
  render(metadata) {
    const { scores, asked, real } = this.last;
    const names = metadata.class_names;
    const canvases = this.page.grid.canvases;
    const cells = canvases.map((source, i) => {
      const cell = document.createElement('figure');
      cell.className = 'critic-cell';
      cell.setAttribute('role', 'listitem');
      const copy = document.createElement('canvas');
      copy.width = source.width;
      copy.height = source.height;
      copy.getContext('2d').drawImage(source, 0, 0);
      copy.setAttribute('aria-hidden', 'true');
      const caption = document.createElement('figcaption');
      const verdict = `${Math.round(scores[i] * 100)}% real` + (asked ? `, as ${withArticle(names[asked[i]])}` : '');
      caption.textContent = verdict;
      cell.setAttribute('aria-label', `Image ${i + 1}: ${verdict}`);
      cell.append(copy, caption);
      return cell;
    });
    this.cells.style.setProperty('--columns', this.page.grid.elements.grid.style.getPropertyValue('--columns'));
    this.cells.replaceChildren(...cells);
    const percent = (values) => `${((values.reduce((a, b) => a + b, 0) / values.length) * 100).toFixed(0)}%`;
    const generated = `On average it gives these ${scores.length} generated images ${percent(scores)} "real"`;
    this.status.textContent = real.reason
      ? `${generated}. (${real.reason.replace(' to play', ' to compare')})`
      : `${generated}, and ${real.count} real digits it never trained on (${real.source}) ${percent(real.scores)}. ` +
        'Close numbers mean the generator fools it about as often as real digits convince it.';
  }

  /** For the test hook: the last scores and the images they were computed on. */
  view() {
    return this.last && { ...this.last, images: Array.from(this.last.images) };
  }
}

/** class indices -> a one-hot tf.Tensor2D [n, classes], for scored() to dispose. */
function oneHot(classes, count) {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(classes, 'int32'), count).toFloat());
}

/** scoreImages, then the labels tensor (if any) disposed. */
function scored(model, images, labels) {
  return scoreImages(model, images, labels).finally(() => labels?.dispose());
}
