/**
 * The page's optional panels, one registry with one contract: each panel (<details>) is offered when the
 * model on screen can use it, and its module is imported when the panel is first opened, never before.
 */

import { syncControls } from './controls.js';
import { plainError } from './errors.js';
import { UPSCALE, generatorEntries, hasPyramid } from './inputs.js';

const SUPERRES = 'superres-panel';

// Panel id -> {load: its module, shown(page): whether the model on screen can use it (default: always)}.
// A module exports create(panel, page) -> a feature with any of opened() (may return a promise: the
// panel drawn), closed(), pick(index), drawn() (a new grid), modelChanged() and view() (for the test
// hook). `page` is the FeaturePage below. tests/test_web_modules.py keeps these modules out of the
// modulepreload list: none of them loads before the grid is drawn.
const FEATURES = {
  'watch-panel': {
    load: () => import('./timeline.js'),
    shown: (page) => Boolean(page.metadata?.timeline) && !page.generator.upscales,
  },
  'critic-panel': {
    load: () => import('./critic.js'),
    shown: (page) => Boolean(page.metadata?.discriminator),
  },
  'game-panel': { load: () => import('./game.js') },
  'sliders-panel': { load: () => import('./sliders.js') },
  'draw-panel': { load: () => import('./draw.js') },
  'models-panel': {
    load: () => import('./allmodels.js'),
    shown: (page) => generatorEntries(page.index).length > 1,
  },
  'pyramid-panel': {
    load: () => import('./pyramid.js'),
    shown: (page) => hasPyramid(page.generator.outputs),
  },
  [SUPERRES]: {
    load: () => import('./superres.js'),
    // Only for the dataset it learned: on other images an upscaler invents digit strokes.
    shown: (page) => Boolean(page.upscaler()),
  },
};

/**
 * What a feature sees of the page, the model on screen at the time of each read: queue, grid, morph, gen
 * (generator.js), index, indexUrl, entry, generator, metadata, state, metadataUrl(), upscaler() (the
 * index entry of the super-resolution model for this dataset, or undefined), picked() (the grid digit last
 * picked, 0 until one is), track(promise) and fail(error). An error passed to fail, or a tracked promise
 * that fails, is shown inside the feature's own panel, in plain words, until its next tracked success.
 */
class FeaturePage {
  constructor(page, features, id) {
    Object.assign(this, { source: page, features, id });
  }

  get queue() {
    return this.source.queue;
  }

  get grid() {
    return this.source.grid;
  }

  get morph() {
    return this.source.morph;
  }

  get gen() {
    return this.source.gen;
  }

  get index() {
    return this.source.index;
  }

  get indexUrl() {
    return this.source.indexUrl;
  }

  get entry() {
    return this.source.entry;
  }

  get generator() {
    return this.source.generator;
  }

  get metadata() {
    return this.source.metadata;
  }

  get state() {
    return this.source.state;
  }

  metadataUrl() {
    return this.source.metadataUrl();
  }

  upscaler() {
    return this.source.upscaler();
  }

  picked() {
    return this.features.lastPick;
  }

  track(promise) {
    return this.features.track(promise, this.id);
  }

  fail(error) {
    this.features.showError(this.id, error);
  }
}

export class Features {
  /**
   * page: main.js's DemoPage (queue, grid, morph, gen, index, indexUrl, entry, generator, metadata, state,
   * elements, url, metadataUrl(), upscaler()).
   */
  constructor(page) {
    this.page = page;
    this.started = false; // show() ran: the first grid (or panel) is on screen
    this.lastPick = 0;
    this.features = {}; // panel id -> the feature's promise, from the panel's first opening
    this.loaded = {}; // panel id -> the feature, once created
    this.open = {}; // panel id -> whether it was open when last handled (the toggle event comes later)
    this.work = new Set(); // panels being drawn
  }

  /** Offer the panels that fit the model on screen; called once the first grid is drawn and after each model switch. */
  show() {
    this.started = true;
    for (const id of Object.keys(FEATURES)) {
      const panel = document.getElementById(id);
      if (!panel) continue;
      if (!panel.dataset.wired) {
        panel.dataset.wired = 'true';
        panel.addEventListener('toggle', () => this.toggled(id));
      }
      panel.hidden = !this.usable(id);
      if (panel.hidden) panel.open = false;
      this.toggled(id);
    }
  }

  /** Whether the model on screen has what panel `id` needs. */
  usable(id) {
    const { shown } = FEATURES[id];
    return !shown || shown(this.page);
  }

  /**
   * `generator` is now the model on screen: an upscaler's panel takes the place of the grid and the
   * panels that need a generator (CSS: body[data-task]), and the panels offered follow it.
   */
  follow(generator) {
    document.body.dataset.task = generator.upscales ? UPSCALE : 'generate';
    // An upscaler's panel stands where the grid stands (step 1); for a generator it is back in the zoo.
    const panel = document.getElementById(SUPERRES);
    const home = generator.upscales ? document.querySelector('.grid-panel') : document.getElementById('pyramid-panel');
    if (panel && home && panel.previousElementSibling !== home) home.after(panel);
    this.page.elements.count.disabled = generator.upscales; // an upscaler's panel has its own count
    if (this.started) this.show();
    this.each((feature, id) => this.track(feature.modelChanged?.(), id));
  }

  /** A grid digit was picked: the open features that follow a digit follow it. */
  pick(index) {
    this.lastPick = index;
    this.each((feature, id) => this.track(feature.pick?.(index), id));
  }

  /** A new grid is on screen: the open panels that follow it redraw. */
  drawn() {
    this.each((feature, id) => this.track(feature.drawn?.(), id));
  }

  /**
   * The model on screen is an upscaler: instead of a grid, its panel is opened (or redrawn for the
   * page's seed), the other open panels follow the seed, and the controls and URL the state.
   */
  async upscale() {
    const panel = document.getElementById(SUPERRES);
    panel.hidden = false;
    if (panel.open && this.open[SUPERRES]) {
      const feature = await this.feature(SUPERRES);
      await this.track(feature.drawn(), SUPERRES);
    } else {
      panel.open = true;
      await this.toggled(SUPERRES);
    }
    this.each((feature, id) => id !== SUPERRES && this.track(feature.drawn?.(), id));
    syncControls(this.page.elements, this.page.state);
    this.page.url.schedule();
  }

  /** Open panel `id` as a click on its summary would -> a promise of its feature, once loaded. */
  async openPanel(id) {
    const panel = document.getElementById(id);
    panel.open = true;
    await this.toggled(id);
    return this.feature(id);
  }

  /** Handle panel `id` opening or closing, once per change (show(), upscale() and the toggle event call this). */
  toggled(id) {
    const panel = document.getElementById(id);
    if (Boolean(this.open[id]) === panel.open) return Promise.resolve();
    this.open[id] = panel.open;
    if (!panel.open) {
      this.loaded[id]?.closed?.();
      return Promise.resolve();
    }
    return this.track(
      this.feature(id).then((feature) => panel.open && feature.opened?.()),
      id,
    );
  }

  feature(id) {
    if (!this.features[id]) {
      this.features[id] = FEATURES[id].load().then((module) => {
        const panel = document.getElementById(id);
        this.loaded[id] = module.create(panel, new FeaturePage(this.page, this, id));
        return this.loaded[id];
      });
      this.features[id].catch(() => {
        delete this.features[id]; // a later opening tries again
      });
    }
    return this.features[id];
  }

  /** Follow a panel's work (for settled()); a failure is shown in the panel, a success clears it. */
  track(promise, id) {
    if (!promise) return Promise.resolve();
    const tracked = Promise.resolve(promise).then(
      () => this.clearError(id),
      (error) => this.showError(id, error),
    );
    this.work.add(tracked);
    tracked.finally(() => this.work.delete(tracked));
    return tracked;
  }

  /** Show `error` inside panel `id`, in plain words (errors.js), never at the top of the page. */
  showError(id, error) {
    const panel = document.getElementById(id);
    if (!panel) return;
    let box = panel.querySelector(':scope > .panel-error');
    if (!box) {
      box = document.createElement('p');
      box.className = 'panel-error';
      box.setAttribute('role', 'alert');
      panel.querySelector(':scope > summary').after(box);
    }
    box.textContent = plainError(error, this.page.gen?.currentBackend());
    box.hidden = false;
    console.warn(`${id}:`, error); // the details for a developer; the page shows the plain words
  }

  clearError(id) {
    const box = document.getElementById(id)?.querySelector(':scope > .panel-error');
    if (box) box.hidden = true;
  }

  /** Resolves once no panel is being drawn. */
  async settled() {
    while (this.work.size) await Promise.all(this.work);
  }

  idle() {
    return this.work.size === 0;
  }

  /** Each feature's view() for the test hook, by name ('models' for 'models-panel'; null until first opened). */
  view() {
    const names = Object.keys(FEATURES);
    return Object.fromEntries(names.map((id) => [id.replace(/-panel$/, ''), this.loaded[id]?.view?.() ?? null]));
  }

  /** Call `action(feature, id)` on the features whose panel is open and offered. */
  each(action) {
    for (const [id, feature] of Object.entries(this.loaded)) {
      const panel = document.getElementById(id);
      if (panel.open && !panel.hidden) action(feature, id);
    }
  }
}
