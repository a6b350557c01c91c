/**
 * The drawing panel: a pad whose strokes become a 28x28 digit as MNIST's were made, that digit found in
 * the generator (invert.js) and, when the model ships a discriminator, its verdict on the drawing.
 */

import { things, withArticle } from './words.js';
import { drawOne } from './canvas.js';
import { loadDiscriminator, scoreDigit } from './discriminator.js';
import { downloadCanvas, sheet } from './download.js';
import { invert } from './invert.js';
import { mnistify, toOutputRange } from './mnistify.js';
import { Pad, rasterize } from './pad.js';
import { randomSeed } from './random.js';

const ALL_CLASSES = 'all';

/**
 * The panel's feature (features.js calls it when the panel first opens). panel: its <details>;
 * page: features.js's FeaturePage.
 */
export function create(panel, page) {
  return new Drawing(panel, page);
}

class Drawing {
  constructor(panel, page) {
    this.page = page;
    const $ = (id) => panel.querySelector(`#${id}`);
    this.elements = {
      pad: $('draw-pad'),
      digit: $('draw-digit'),
      found: $('draw-found'),
      classField: $('draw-class-field'),
      classLabel: $('draw-class-label'),
      classes: $('draw-class'),
      find: $('draw-find'),
      undo: $('draw-undo'),
      clear: $('draw-clear'),
      morph: $('draw-morph'),
      download: $('draw-download'),
      status: $('draw-status'),
      verdict: $('draw-verdict'),
    };
    this.digit = null; // the drawing made 28x28: Float32Array [H*W] in 0..1 (1 = ink), null while the pad is blank
    this.found = null; // the last search's {noise, label, mse, pixels, ms}, for this drawing and model; else null
    this.searching = false;
    this.searchable = true; // false for a model without noise to search (an upscaler)
    this.metadata = null; // the model the class picker and the discriminator follow
    this.discriminator = null; // a promise of the model's discriminator (or of null), from the first stroke on
    this.verdict = null; // {probability, label} of the drawing, when there is a discriminator
    this.pad = new Pad(this.elements.pad, (strokes) => this.changed(strokes));
    const { find, undo, clear, morph, download, classes } = this.elements;
    classes.addEventListener('change', () => this.digit && page.track(this.judge()));
    find.addEventListener('click', () => page.track(this.find()));
    undo.addEventListener('click', () => this.pad.undo());
    clear.addEventListener('click', () => this.pad.clear());
    morph.addEventListener('click', () => this.morphFrom());
    download.addEventListener('click', () => page.track(this.download()));
    this.follow();
  }

  opened() {
    this.follow();
    this.pad.paint();
  }

  /** After each grid: a model switched since then is followed here. */
  drawn() {
    this.follow();
  }

  /** The model on screen: its classes in the picker; a result or verdict from another model is dropped. */
  follow() {
    const metadata = this.page.metadata;
    if (!metadata || metadata === this.metadata) return;
    this.metadata = metadata;
    const { classes, classField, classLabel, found, verdict } = this.elements;
    const names = metadata.num_classes > 0 ? metadata.class_names : [];
    classes.replaceChildren(
      new Option(`Best of all ${names.length}`, ALL_CLASSES),
      ...names.map((name, index) => new Option(name, String(index))),
    );
    classLabel.textContent = names.every((name) => /^\d$/.test(name)) ? 'As digit' : 'As class';
    classField.hidden = names.length === 0;
    // An upscaler (metadata.task "upscale") draws from 7x7 digits, not noise: there is nothing to search.
    this.searchable = !this.page.generator.upscales;
    this.elements.status.textContent = this.searchable
      ? ''
      : 'This model upscales small digits: it has no noise to search.';
    this.found = null;
    showInk(found, null);
    const previous = this.discriminator; // freed on the queue, after any verdict it is giving
    if (previous) this.page.queue.run(() => previous.then((model) => model && model.dispose()));
    this.discriminator = null;
    this.verdict = null;
    verdict.hidden = true;
    this.changed(this.pad.strokes);
  }

  /** The strokes changed: make them 28x28, show that, and ask the discriminator. */
  changed(strokes) {
    const raster = rasterize(strokes);
    this.digit = raster && mnistify(raster.ink, raster.width, raster.height);
    const { digit, status, found, verdict } = this.elements;
    showInk(digit, this.digit);
    if (this.found) status.textContent = 'The drawing changed: find it again to match it.';
    this.found = null;
    if (!this.digit) {
      // Cleared: nothing is left to judge or match, so the last verdict and match go too.
      showInk(found, null);
      status.textContent = '';
      this.verdict = null;
      verdict.hidden = true;
    }
    this.enable();
    if (this.digit) this.page.track(this.judge());
  }

  enable() {
    const { find, undo, clear, morph, download } = this.elements;
    const blank = this.pad.strokes.length === 0;
    undo.disabled = blank;
    clear.disabled = blank;
    find.disabled = !this.digit || this.searching || !this.searchable;
    morph.disabled = !this.found;
    download.disabled = !this.digit;
  }

  /** The classes the picker asks for -> class indices (null: every class, or an unconditional model). */
  chosenClasses() {
    const { value } = this.elements.classes;
    return this.metadata.num_classes === 0 || value === ALL_CLASSES ? null : [Number(value)];
  }

  /** Find the drawing in the generator, showing the search as it goes. */
  async find() {
    const { digit, metadata } = this;
    if (!digit || this.searching) return;
    const target = toOutputRange(digit, metadata.output_range);
    const { status, found } = this.elements;
    const shape = [found.height, found.width, 1];
    const result = await this.invert(target, {
      classes: this.chosenClasses(),
      onProgress: ({ step, steps, mse, pixels }) => {
        drawOne(found, pixels, 0, shape);
        status.textContent = `Searching… step ${step} of ${steps}, distance ${mse.toFixed(3)}`;
      },
    });
    if (digit !== this.digit || metadata !== this.metadata) return; // drawn on (or switched model) meanwhile
    drawOne(found, result.pixels, 0, shape);
    this.found = result;
    const as = result.label === null ? '' : ` ${withArticle(metadata.class_names[result.label])}`;
    const [low, high] = metadata.output_range;
    status.textContent =
      `Found${as} at distance ${result.mse.toFixed(4)} (mean squared difference per pixel, on ${low}…${high}) ` +
      `in ${Math.round(result.ms)} ms.`;
    this.enable();
  }

  /**
   * Search the generator for `target` (Float32Array [H*W*C] in output_range) on the page's TF.js
   * queue; options: invert.js's -> its result plus ms, the search's duration.
   */
  invert(target, options = {}) {
    this.searching = true;
    this.enable();
    return this.page.queue
      .run(async () => {
        const started = performance.now();
        const result = await invert(this.page.generator, target, { seed: randomSeed(), ...options });
        return { ...result, ms: performance.now() - started };
      })
      .finally(() => {
        this.searching = false;
        this.enable();
      });
  }

  /** The found digit becomes the morph's first end. */
  morphFrom() {
    if (this.found) this.page.morph.setEnd('a', { index: -1, noise: this.found.noise, label: this.found.label });
  }

  /** The drawing's 28x28 digit, and the generator's closest beside it once found, as one PNG. */
  download() {
    const { digit, found } = this.elements;
    return downloadCanvas(sheet(this.found ? [digit, found] : [digit], this.found ? 2 : 1), 'drawn-digit.png');
  }

  /**
   * The discriminator's probability that the drawing is real (as the class asked for, else as the
   * likeliest class), when the model ships one: loaded on the first stroke, never before.
   */
  async judge() {
    const { metadata, digit } = this;
    const { verdict } = this.elements;
    if (!this.discriminator) {
      const loading = this.page.queue.run(() => loadDiscriminator(metadata, this.page.metadataUrl()));
      this.discriminator = loading.catch((error) => {
        verdict.textContent = `The discriminator could not be loaded: ${error.message}`;
        verdict.hidden = false;
        return null;
      });
    }
    const model = await this.discriminator;
    if (!model || !digit) return;
    const chosen = this.chosenClasses();
    if (metadata.num_classes > 0 && !chosen) {
      // A conditional discriminator judges how real an image looks as a given class; it is not a
      // classifier, so the page does not guess the class from its scores: the person says it.
      this.verdict = null;
      verdict.textContent = `Choose which ${things(metadata.class_names).slice(0, -1)} you drew (above) to ask the discriminator how real it looks as that one.`;
      verdict.hidden = false;
      return;
    }
    const classes = metadata.num_classes === 0 ? [null] : chosen;
    const image = toOutputRange(digit, metadata.output_range);
    const scores = await this.page.queue.run(() =>
      scoreDigit(model, image, metadata.image_shape, classes, metadata.num_classes),
    );
    if (metadata !== this.metadata || digit !== this.digit) return; // a newer drawing (or model) has its own verdict
    this.verdict = { probability: scores[0], label: classes[0] };
    const as = this.verdict.label === null ? '' : `, as ${withArticle(metadata.class_names[this.verdict.label])}`;
    verdict.textContent = `The discriminator: ${Math.round(this.verdict.probability * 100)}% real${as}.`;
    verdict.hidden = false;
  }

  /** What the test hook shows: the pad, its 28x28 digit, the last search and the verdict. */
  view() {
    const found = this.found && { label: this.found.label, mse: this.found.mse, ms: this.found.ms };
    if (found) found.noise = Array.from(this.found.noise);
    return {
      strokes: this.pad.strokes.length,
      digit: this.digit && Array.from(this.digit),
      found,
      searching: this.searching,
      verdict: this.verdict,
    };
  }
}

/** values: Float32Array [H*W] in 0..1 (1 = ink) drawn on `canvas` in grey levels; null clears it. */
function showInk(canvas, values) {
  if (!values) {
    canvas.getContext('2d').clearRect(0, 0, canvas.width, canvas.height);
    return;
  }
  const grey = Float32Array.from(values, (value) => value * 255);
  drawOne(canvas, grey, 0, [canvas.height, canvas.width, 1]);
}
