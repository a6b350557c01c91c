/** The super-resolution panel: digits averaged into 7x7 ones, made 28x28 again by bicubic interpolation and by the index's upscaler (srgan), each scored by PSNR against the original. */

import { drawOne } from './canvas.js';
import { downloadModel } from './catalog.js';
import { mulberry32 } from './random.js';
import { loadSprite } from './sprite.js';
import { FACTOR, areaDownsample, bicubicUpscale, finiteMean, fromUnit, psnr, toUnit } from './upscale.js';
import { View } from './view.js';

export const COUNTS = ['10', '20', '50', '100', 'all'];
const DEFAULT_COUNT = '20';
const REAL = 'real'; // the sprite of real held-out digits (sprite.js)
const GRID = 'grid'; // the digits of the grid on screen
const [HEIGHT, WIDTH] = [28, 28];
const [LOW_HEIGHT, LOW_WIDTH] = [HEIGHT / FACTOR, WIDTH / FACTOR];
const PIXELS = HEIGHT * WIDTH;

/** The panel's feature (features.js creates it when the panel first opens); page: features.js's FeaturePage. */
export function create(panel, page) {
  return new SuperResolution(panel, page);
}

/** `count` distinct indices of 0..total-1 drawn with `seed` (all of them, in order, when count >= total). */
export function pickIndices(seed, total, count) {
  const indices = Array.from({ length: total }, (_, i) => i);
  if (count >= total) return indices;
  const uniform = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(uniform() * (total - i));
    [indices[i], indices[j]] = [indices[j], indices[i]];
  }
  return indices.slice(0, count).sort((a, b) => a - b);
}

class SuperResolution extends View {
  constructor(panel, page) {
    super();
    this.page = page;
    const $ = (id) => panel.querySelector(`#${id}`);
    this.elements = {
      source: $('superres-source'),
      count: $('superres-count'),
      summary: $('superres-summary'),
      rows: $('superres-rows'),
    };
    this.loading = null; // the promise of {name, generator, range, owned}: the upscaler this panel loaded itself
    this.ticket = 0; // the latest draw; an older one that finishes later is dropped
    this.result = null; // what is on screen, for the test hook
    const { count, source } = this.elements;
    count.replaceChildren(...COUNTS.map((value) => new Option(value === 'all' ? 'all of them' : value, value)));
    count.value = DEFAULT_COUNT;
    for (const select of [count, source]) {
      select.addEventListener('change', () => page.track(this.draw()));
    }
  }

  /** The upscaler: the page's model when it is one, else the index's for this dataset, downloaded and built once. */
  upscaler() {
    const { page } = this;
    if (page.generator.upscales) {
      return { name: page.entry.name, generator: page.generator, range: page.metadata.output_range, owned: false };
    }
    if (!this.loading) {
      const entry = page.upscaler();
      this.loading = downloadModel(entry, page.indexUrl).then(async ({ metadata, artifacts }) => {
        const generator = await page.queue.run(() => page.gen.Generator.load(artifacts, metadata));
        return { name: entry.name, generator, range: metadata.output_range, owned: true };
      });
      this.loading.catch(() => {
        this.loading = null; // the next draw tries again
      });
    }
    return this.loading;
  }

  /** The sources offered: real held-out digits, and the grid's when the page shows a generator. */
  offerSources() {
    const { page } = this;
    const { source } = this.elements;
    const grid = !page.generator.upscales && page.grid.lastBatch !== null;
    const options = [[REAL, 'Real held-out MNIST test digits']];
    if (grid) options.push([GRID, `The grid's digits (${page.entry.name}), downsampled`]);
    const chosen = options.some(([value]) => value === source.value) ? source.value : REAL;
    if (source.options.length !== options.length) {
      source.replaceChildren(...options.map(([value, text]) => new Option(text, value)));
    } else {
      options.forEach(([, text], i) => (source.options[i].text = text));
    }
    source.value = chosen;
    return chosen;
  }

  /** The originals -> {images: Float32Array [n * 28 * 28] in 0..1, names: what each digit is, indices}. */
  async originals(source, wanted) {
    const { page } = this;
    if (source === GRID) {
      const batch = page.grid.lastBatch;
      const count = Math.min(wanted, batch.count);
      const images = new Float32Array(count * PIXELS);
      page.grid.canvases.slice(0, count).forEach((canvas, k) => {
        const rgba = canvas.getContext('2d').getImageData(0, 0, WIDTH, HEIGHT).data;
        for (let p = 0; p < PIXELS; p++) images[k * PIXELS + p] = rgba[p * 4] / 255;
      });
      const classNames = page.metadata.class_names;
      const names = Array.from({ length: count }, (_, k) =>
        batch.labels ? `generated ${classNames[batch.labels[k]]}` : `sample ${k + 1}`,
      );
      return { images, names, indices: names.map((_, k) => k) };
    }
    const sprite = await loadSprite();
    const indices = pickIndices(page.state.seed, sprite.count, Math.min(wanted, sprite.count));
    const images = new Float32Array(indices.length * PIXELS);
    indices.forEach((index, k) => images.set(sprite.images.subarray(index * PIXELS, (index + 1) * PIXELS), k * PIXELS));
    return { images, names: indices.map((index) => `a real ${sprite.labels[index]}`), indices };
  }

  /** Downsample, upscale both ways, score and show -> the result shown. */
  async draw() {
    const ticket = ++this.ticket;
    const { summary } = this.elements;
    const source = this.offerSources();
    const chosen = this.elements.count.value;
    summary.textContent = 'Upscaling…';
    const [{ name, generator, range, owned }, { images, names, indices }] = await Promise.all([
      this.upscaler(),
      this.originals(source, chosen === 'all' ? Infinity : Number(chosen)),
    ]);
    const lowRes = areaDownsample(fromUnit(images, range), HEIGHT, WIDTH); // [n * 7 * 7] in the model's range
    const bicubic = toUnit(bicubicUpscale(lowRes, LOW_HEIGHT, LOW_WIDTH), range);
    // The page's own upscaler may have been replaced (and freed) by a model switch queued meanwhile.
    const live = () => owned || generator === this.page.generator;
    const values = await this.page.queue.run(() => (live() ? generator.upscale(lowRes) : null));
    if (values === null || ticket !== this.ticket) return this.result; // a later draw replaces this one
    const upscaled = toUnit(values, range);
    const scores = {
      bicubic: Array.from(psnr(bicubic, images, PIXELS)),
      srgan: Array.from(psnr(upscaled, images, PIXELS)),
    };
    const mean = { bicubic: finiteMean(scores.bicubic), srgan: finiteMean(scores.srgan) };
    this.show({ name, names, low: toUnit(lowRes, range), bicubic, upscaled, images, scores });
    const what = source === REAL ? 'real held-out digits' : `${this.page.entry.name}'s digits`;
    summary.textContent =
      `Mean PSNR over ${names.length} ${what}: bicubic ${mean.bicubic.toFixed(2)} dB, ` +
      `${name} ${mean.srgan.toFixed(2)} dB (${signed(mean.srgan - mean.bicubic)} dB).`;
    this.result = { model: name, source, seed: this.page.state.seed, indices, names, psnr: scores, mean };
    return this.result;
  }

  /** One box per digit: its input, bicubic and the upscaler's (each with its PSNR), and the original. */
  show({ name: model, names, low, bicubic, upscaled, images, scores }) {
    const cards = names.map((name, k) => {
      const card = document.createElement('div');
      card.className = 'sr-card';
      card.setAttribute('role', 'listitem');
      const title = document.createElement('p');
      title.textContent = name;
      const strip = document.createElement('div');
      strip.className = 'sr-images';
      const images4 = [
        [low, LOW_HEIGHT, 'input 7×7', null],
        [bicubic, HEIGHT, 'bicubic', scores.bicubic[k]],
        [upscaled, HEIGHT, model, scores.srgan[k]],
        [images, HEIGHT, 'original', null],
      ];
      for (const [values, size, what, score] of images4) {
        const canvas = document.createElement('canvas');
        Object.assign(canvas, { width: size, height: size, className: 'view-digit' });
        canvas.setAttribute('role', 'img');
        const text = score === null ? what : `${what} ${score.toFixed(1)} dB`;
        canvas.setAttribute('aria-label', `${name}: ${text}`);
        const pixels = Float32Array.from(values.subarray(k * size * size, (k + 1) * size * size), grey);
        drawOne(canvas, pixels, 0, [size, size, 1]);
        const figure = document.createElement('figure');
        const caption = document.createElement('figcaption');
        caption.textContent = text;
        figure.append(canvas, caption);
        strip.append(figure);
      }
      card.append(title, strip);
      return card;
    });
    this.elements.rows.replaceChildren(...cards);
  }
}

/** 0..1 -> a grey level 0..255. */
function grey(unit) {
  return unit * 255;
}

function signed(value) {
  return `${value >= 0 ? '+' : '−'}${Math.abs(value).toFixed(2)}`;
}
