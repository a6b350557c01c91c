/** The page's optional panels (<details>): each one's module is imported when the panel is first opened, never before. */

import { metadataUrl } from './catalog.js';

// Panel id -> its module, which exports create(panel, page) -> a feature with any of opened(),
// closed(), pick(index), drawn() and view(). tests/test_web_modules.py keeps these out of the
// modulepreload list: nothing of them loads before the grid is drawn.
const FEATURES = {
  'critic-panel': () => import('./critic.js'),
  'game-panel': () => import('./game.js'),
  'draw-panel': () => import('./draw.js'),
  'sliders-panel': () => import('./sliders.js'),
};

// What a panel needs of the model's metadata; a model without it hides the panel.
const NEEDS = {
  'critic-panel': (metadata) => Boolean(metadata.discriminator),
};

export class Panels {
  /**
   * page: main.js's DemoPage, once its grid exists; fail(error) shows a failure. A feature sees only
   * this.page: {queue, grid, morph, generator(), metadata(), metadataUrl() (its address), seed(),
   * picked() (the grid digit last picked, 0 until one is), fail(error)}, the model on screen at the
   * time of the call.
   */
  constructor(page, fail) {
    this.page = {
      queue: page.queue,
      grid: page.grid,
      morph: page.morph,
      generator: () => page.generator,
      metadata: () => page.metadata,
      metadataUrl: () => metadataUrl(page.entry, page.indexUrl),
      seed: () => page.state.seed,
      picked: () => this.lastPick,
      fail,
    };
    this.lastPick = 0;
    this.features = {}; // panel id -> the feature's promise, from the panel's first opening
    this.loaded = {}; // panel id -> the feature, once created
  }

  /** Show the panels (those the model on screen can use) and load a feature when its panel opens. */
  show() {
    for (const id of Object.keys(FEATURES)) {
      const panel = document.getElementById(id);
      if (!panel) continue;
      panel.hidden = !this.usable(id);
      panel.addEventListener('toggle', () => this.toggled(id, panel));
      if (panel.open) this.toggled(id, panel);
    }
  }

  toggled(id, panel) {
    if (!panel.open) {
      this.loaded[id]?.closed?.();
      return;
    }
    if (!this.features[id]) {
      this.features[id] = FEATURES[id]().then((module) => {
        this.loaded[id] = module.create(panel, this.page);
        return this.loaded[id];
      });
      this.features[id].catch((error) => this.page.fail(error));
    }
    this.features[id].then((feature) => panel.open && feature.opened?.()).catch(() => {});
  }

  /** Open panel `id` as a click on its summary would -> a promise of its feature, once loaded. */
  open(id) {
    const panel = document.getElementById(id);
    panel.open = true;
    this.toggled(id, panel);
    return this.features[id];
  }

  /** A grid digit was picked: the open features that follow a digit follow it. */
  pick(index) {
    this.lastPick = index;
    this.each((feature) => feature.pick?.(index));
  }

  /** A new grid is on screen (perhaps of another model: panels it cannot use are hidden). */
  drawn() {
    for (const id of Object.keys(NEEDS)) {
      const panel = document.getElementById(id);
      if (panel) panel.hidden = !this.usable(id);
    }
    this.each((feature) => feature.drawn?.());
  }

  /** Whether the model on screen has what panel `id` needs. */
  usable(id) {
    return !NEEDS[id] || NEEDS[id](this.page.metadata() || {});
  }

  /** Each feature's view() for the test hook, by name ('game' for 'game-panel'; null until its panel opened). */
  view() {
    const names = Object.keys(FEATURES);
    return Object.fromEntries(names.map((id) => [id.replace(/-panel$/, ''), this.loaded[id]?.view?.() ?? null]));
  }

  /** Call `action` on the features whose panel is open. */
  each(action) {
    for (const [id, feature] of Object.entries(this.loaded)) {
      const panel = document.getElementById(id);
      if (panel.open && !panel.hidden) action(feature);
    }
  }
}
