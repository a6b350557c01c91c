/** The model views (every model on shared noise, LAPGAN's pyramid, super-resolution): which show for the model on screen, and each one's module imported when its panel first opens. */

import { syncControls } from './controls.js';
import { UPSCALE, generatorEntries, hasPyramid } from './inputs.js';

const SUPERRES = 'superres-panel';

// Panel id -> {load: its module, which exports create(panel, page, track) -> a feature with opened() (a
// promise: the view drawn), and any of closed(), drawn(), modelChanged(), view(); track(promise) follows
// work the view starts itself; shown(page): whether the panel is offered for the model on screen}.
// None of these modules loads before its panel is opened.
const VIEWS = {
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
    shown: (page) => page.index.models.some((entry) => entry.task === UPSCALE),
  },
};

export class Views {
  /**
   * page: main.js's DemoPage; the views read its queue, grid, gen (generator.js), index, indexUrl,
   * generator, metadata, state, elements and url, and call its fail(error).
   */
  constructor(page) {
    this.page = page;
    this.started = false; // show() ran: the first grid (or panel) is on screen
    this.features = {}; // panel id -> the feature's promise, from the panel's first opening
    this.loaded = {}; // panel id -> the feature, once created
    this.open = {}; // panel id -> whether it was open when last handled (the toggle event comes later)
    this.work = new Set(); // views being drawn
  }

  /** Offer the views that fit the model on screen; called once the first grid is drawn and after each model switch. */
  show() {
    this.started = true;
    for (const [id, view] of Object.entries(VIEWS)) {
      const panel = document.getElementById(id);
      if (!panel) continue;
      if (!panel.dataset.wired) {
        panel.dataset.wired = 'true';
        panel.addEventListener('toggle', () => this.toggled(id));
      }
      panel.hidden = !view.shown(this.page);
      if (panel.hidden) panel.open = false;
      this.toggled(id);
    }
  }

  /**
   * `generator` is now the model on screen: an upscaler's panel takes the place of the grid and the
   * panels that need a generator (CSS: body[data-task]), and the views offered follow it.
   */
  follow(generator) {
    document.body.dataset.task = generator.upscales ? UPSCALE : 'generate';
    this.page.elements.count.disabled = generator.upscales; // an upscaler's panel has its own count
    if (this.started) this.show();
    this.each((feature) => feature.modelChanged?.());
  }

  /** A new grid is on screen: the open views that follow the seed redraw. */
  drawn() {
    this.each((feature) => this.track(feature.drawn?.()));
  }

  /**
   * The model on screen is an upscaler: instead of a grid, its panel is opened (or redrawn for the
   * page's seed), the other open views follow the seed, and the controls and URL the state.
   */
  async upscale() {
    const panel = document.getElementById(SUPERRES);
    panel.hidden = false;
    if (panel.open && this.open[SUPERRES]) {
      const feature = await this.feature(SUPERRES);
      await this.track(feature.drawn());
    } else {
      panel.open = true;
      await this.toggled(SUPERRES);
    }
    this.each((feature, id) => id !== SUPERRES && this.track(feature.drawn?.()));
    syncControls(this.page.elements, this.page.state);
    this.page.url.schedule();
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
    return this.track(this.feature(id).then((feature) => panel.open && feature.opened()));
  }

  feature(id) {
    if (!this.features[id]) {
      this.features[id] = VIEWS[id].load().then((module) => {
        // track: for work the view's own controls start
        this.loaded[id] = module.create(document.getElementById(id), this.page, (work) => this.track(work));
        return this.loaded[id];
      });
      this.features[id].catch(() => {
        delete this.features[id]; // a later opening tries again
      });
    }
    return this.features[id];
  }

  /** Follow a view's drawing (for settled()); its failure is shown on the page. */
  track(promise) {
    if (!promise) return Promise.resolve();
    const tracked = Promise.resolve(promise).catch((error) => this.page.fail(error));
    this.work.add(tracked);
    tracked.finally(() => this.work.delete(tracked));
    return tracked;
  }

  /** Resolves once no view is being drawn. */
  async settled() {
    while (this.work.size) await Promise.all(this.work);
  }

  idle() {
    return this.work.size === 0;
  }

  /** Each view's view() for the test hook, by name ('models' for 'models-panel'; null until first opened). */
  view() {
    const names = Object.keys(VIEWS);
    return Object.fromEntries(names.map((id) => [id.replace(/-panel$/, ''), this.loaded[id]?.view?.() ?? null]));
  }

  /** Call `action(feature, id)` on the views whose panel is open. */
  each(action) {
    for (const [id, feature] of Object.entries(this.loaded)) {
      if (document.getElementById(id).open) action(feature, id);
    }
  }
}
