/** The discriminator's opinion of the grid: each digit again, with the probability "real" under it (and, for a conditional model, the class it finds most plausible). */

import { loadDiscriminator, scoreImages } from './discriminator.js';

const tf = globalThis.tf; // this module is imported when its panel opens, long after TF.js

/** The panel's feature (panels.js): scores follow the grid while the panel is open. */
export function create(panel, page) {
  return new Critic(panel, page);
}

class Critic {
  constructor(panel, page) {
    Object.assign(this, { panel, page });
    this.cells = panel.querySelector('#critic-grid');
    this.status = panel.querySelector('#critic-status');
    this.loaded = null; // {name, model}: the discriminator of the model on screen, kept while it stays
    this.last = null; // what view() reports: {model, scores, asked, plausible, plausibleScores, images}
  }

  opened() {
    this.score();
  }

  drawn() {
    this.score();
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

  /** Score the batch on screen, on the page's queue (after the grid that called it). */
  score() {
    return this.page.queue.run(async () => {
      const metadata = this.page.metadata();
      const batch = this.page.grid.lastBatch;
      if (!metadata.discriminator || !batch) {
        this.status.textContent = 'This model ships no discriminator.';
        return;
      }
      this.status.textContent = 'Asking the discriminator…';
      const model = await this.discriminator(metadata);
      const generator = this.page.generator();
      const [image] = await generator.levels(batch.noise, batch.labels, batch.planes); // output range
      const count = batch.count;
      const classes = generator.numClasses;
      const images = tf.tensor4d(image.values, [count, ...generator.imageShape]);
      try {
        const asked = classes ? batch.labels : null;
        const scores = await scored(model, images, asked && oneHot(asked, classes));
        // A conditional discriminator judges a digit as each class: the most plausible class is
        // the one it finds most real. [count * classes] scores, digit-major.
        let plausible = null;
        let plausibleScores = null;
        if (classes) {
          const every = Array.from({ length: count * classes }, (_, i) => i % classes);
          const tiled = tf.tidy(() =>
            images
              .reshape([count, 1, -1])
              .tile([1, classes, 1])
              .reshape([-1, ...generator.imageShape]),
          );
          const all = await scored(model, tiled, oneHot(every, classes)).finally(() => tiled.dispose());
          plausible = [];
          plausibleScores = [];
          for (let d = 0; d < count; d++) {
            const row = all.subarray(d * classes, (d + 1) * classes);
            const best = row.indexOf(Math.max(...row));
            plausible.push(best);
            plausibleScores.push(row[best]);
          }
        }
        this.last = {
          model: metadata.name,
          scores: Array.from(scores),
          asked,
          plausible,
          plausibleScores,
          images: image.values,
        };
        this.render(metadata.class_names);
      } finally {
        images.dispose();
      }
    });
  }

  /** The grid's digits again (copied from its canvases), each with its scores underneath. */
  render(classNames) {
    const { scores, asked, plausible, plausibleScores } = this.last;
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
      const real = `${Math.round(scores[i] * 100)}% real`;
      caption.textContent = real;
      let label = `Digit ${i + 1}: ${real}`;
      if (plausible) {
        const best = classNames[plausible[i]];
        caption.title = `as the ${classNames[asked[i]]} asked for: ${real}; most plausible as ${best} (${Math.round(plausibleScores[i] * 100)}% real)`;
        const line = document.createElement('span');
        line.textContent = `best: ${best}`;
        caption.append(document.createElement('br'), line);
        label = `Digit ${i + 1}, asked for ${classNames[asked[i]]}: ${real}; most plausible as ${best}`;
      }
      cell.setAttribute('aria-label', label);
      cell.append(copy, caption);
      return cell;
    });
    this.cells.style.setProperty('--columns', this.page.grid.elements.grid.style.getPropertyValue('--columns'));
    this.cells.replaceChildren(...cells);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    this.status.textContent = `Mean probability "real" over ${scores.length} digits: ${(mean * 100).toFixed(1)}%.`;
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
