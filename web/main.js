/** The page's orchestration: pick a model from the index, load it, then wire the grid, morph, backend choice, controls and hook together. */

import {
  backendOrder,
  backendText,
  measureBackends,
  modelKey,
  pageStorage,
  readTuning,
  rememberedBackend,
  saveTuning,
} from './backend.js';
import { chooseModel, downloadModel, loadIndex } from './catalog.js';
import { buildControls, prefersReducedMotion, showClasses, showModels, syncControls, urlWriter } from './controls.js';
import { ERROR_KINDS, describeError } from './errors.js';
import { Grid } from './grid.js';
import { installHook } from './hook.js';
import { formatBytes, renderInfo } from './info.js';
import { AUTO_BACKEND } from './limits.js';
import { LoadError } from './loader.js';
import { Morph } from './morph.js';
import { registerOffline } from './offline.js';
import { Panels } from './panels.js';
import { randomSeed } from './random.js';
import { countFromInput, fitCount, parseBackend, parseState, seedFromInput, stateFromOptions } from './state.js';
import { replaceModel } from './switch.js';
import { createQueue, mark } from './tasks.js';
import { StatusView, documentReady, findElements, missingFeatures } from './ui.js';
import { Views } from './views.js';

const TUNE_DELAY_MS = 300; // backends are measured once the first grid is on screen
const STARTED_EVENT = 'gan-demo:started'; // tells boot.js that this module runs

// This module runs async, before the deferred TF.js scripts: the model downloads while TF.js is
// parsed. generator.js (which needs the global `tf`) is imported once the document is ready.
class DemoPage {
  constructor() {
    this.status = new StatusView();
    this.queue = createQueue(); // every TF.js call: generations, morphs and backend switches never overlap
    this.elements = null;
    this.gen = null; // generator.js, once TF.js is there
    this.index = null; // exported/index.json, checked
    this.indexUrl = null;
    this.entry = null; // the index's entry for the model on screen
    this.metadata = null;
    this.generator = null;
    this.switching = Promise.resolve(); // model switches run one after another
    this.state = null; // {model, seed, digit, count, backend}
    this.tuning = null; // {backend, rates, batches} once measured or remembered
    this.grid = null;
    this.morph = null;
    this.panels = null; // the optional feature panels (panels.js), each loaded when first opened
    this.views = null; // the model views (views.js): all models, LAPGAN's pyramid, super-resolution
    this.url = null;
    this.documentReady = documentReady().then(() => {
      this.elements = findElements();
      this.status.attach(this.elements);
    });
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    this.ready.catch(() => {}); // failures are shown on the page; scripts that await it see them too
  }

  async start() {
    const missing = missingFeatures();
    const params = new URLSearchParams(location.search);
    // Network first: the index, metadata, model.json and the shards download while TF.js is parsed.
    const downloaded = missing.length ? null : this.download(params);
    if (downloaded) downloaded.catch(() => {}); // reported where it is awaited
    await this.documentReady;
    mark('domReady');
    if (missing.length) {
      throw new LoadError(
        ERROR_KINDS.UNSUPPORTED,
        `This browser lacks ${missing.join(', ')}, which the demo needs. ` +
          'Open it in a current Chrome, Firefox, Safari or Edge.',
      );
    }
    const gen = await import('./generator.js');
    if (!gen.tfLoaded()) {
      throw new LoadError(
        ERROR_KINDS.TFJS_MISSING,
        'TensorFlow.js did not load from vendor/tfjs/tf.es2017.min.js. ' +
          'Run `npm ci` in the project, restart the server (or rebuild the site) and reload.',
      );
    }
    this.gen = gen;
    const requested = parseBackend(params).backend;
    const first = requested === AUTO_BACKEND ? rememberedBackend(pageStorage()) : requested;
    // The backend starts (and the WASM binary compiles) while the model finishes downloading.
    const backendStarted = gen.startBackend(backendOrder(gen.registeredBackends(), first));
    backendStarted.catch(() => {});

    this.status.show('loading', 'Downloading the generator…');
    const loaded = await downloaded;
    const { entry, metadata, artifacts } = loaded;
    const { state, notices } = parseState(params, metadata.num_classes);
    notices.unshift(...loaded.notices);
    const backend = await backendStarted;
    mark('backendReady');
    if (requested !== AUTO_BACKEND && backend !== requested) {
      notices.push(`The ${requested} backend could not start in this browser; using ${backend}.`);
    }
    this.status.show('loading', `Building the generator on ${backend}…`);
    const generator = await gen.Generator.load(artifacts, metadata);
    mark('modelBuilt');
    this.state = { model: entry.name, ...state, seed: state.seed ?? randomSeed() };

    this.wire();
    this.useModel(loaded, generator);
    await this.render();
    mark('firstDraw');
    this.url.now(); // the URL names what is on screen from the first frame
    this.status.notices(notices);
    this.elements.controls.disabled = false;
    this.resolveReady(true);
    registerOffline(); // a static site's page keeps working offline from the next visit

    this.elements.morphPanel.hidden = false;
    this.panels.show();
    this.views.show();
    const remembered = readTuning(pageStorage(), modelKey(metadata));
    if (requested === AUTO_BACKEND && remembered) this.tuning = remembered;
    await this.showBackend();
    if (requested === AUTO_BACKEND && !remembered) {
      setTimeout(() => this.tune().catch((error) => this.fail(error)), TUNE_DELAY_MS);
    }
  }

  /** index.json, then the model the URL names -> {entry, metadata, artifacts, notices}; needs neither TF.js nor the DOM. */
  async download(params) {
    const { index, url } = await loadIndex();
    Object.assign(this, { index, indexUrl: url });
    const { entry, notices } = chooseModel(index, params);
    const loaded = await this.fetchModel(entry, true);
    mark('downloaded');
    return { ...loaded, notices };
  }

  /** An index entry -> {entry, metadata, artifacts}, the download shown in the status line. */
  fetchModel(entry, first) {
    const show = (text) => this.status.show('loading', `Downloading the generator ${entry.name}${text}`);
    return downloadModel(entry, this.indexUrl, {
      onMetadata: (metadata) => {
        show(` (${formatBytes(metadata.model_bytes)})…`);
        if (first) this.metadata = metadata; // scripts may see it while the shards download
        if (first) mark('metadata');
      },
      onProgress: (share) => show(`… ${share} %`),
    });
  }

  /** Make `generator` (built from `loaded`) the one on screen: grid, morph, class controls and info follow it. */
  useModel({ entry, metadata, artifacts }, generator) {
    Object.assign(this, { entry, metadata, generator });
    Object.assign(this.grid, { generator, classNames: metadata.class_names });
    this.morph.reset(generator);
    showClasses(this.elements, metadata);
    renderInfo(this.elements, metadata, { parameters: generator.parameters, bytes: artifacts.bytes });
    this.views.follow(generator);
  }

  /** Draw what the state names with the model on screen: the grid, or for an upscaler its panel. */
  render() {
    return this.generator.upscales ? this.views.upscale() : this.grid.draw(this.state);
  }

  /** Show the index's model `name` with the same seed and count (switch.js) -> the batch drawn. */
  switchModel(name) {
    const run = this.switching.then(() => replaceModel(this, name));
    this.switching = run.catch(() => {});
    return run;
  }

  /** The grid, the morph, the URL and the controls: once per page; useModel points them at a generator. */
  wire() {
    const { elements, queue } = this;
    const fail = (error) => this.fail(error);
    this.grid = new Grid({
      generator: null,
      queue,
      elements,
      backendName: () => this.gen.currentBackend(),
      classNames: [],
      onDrawn: (batch) => this.drawn(batch),
    });
    this.morph = new Morph({
      generator: null,
      queue,
      elements,
      markPicked: (indices) => this.grid.markPicked(indices),
      onError: fail,
    });
    this.panels = new Panels(this, fail);
    this.views = new Views(this);
    this.url = urlWriter(() => this.state);
    const draw = () => this.render().catch(fail);
    const { state, status, morph, grid } = this;
    const numClasses = () => this.generator.numClasses;
    showModels(elements, this.index);
    buildControls(elements, {
      setModel: (name) => this.switchModel(name).catch(() => {}), // failures end in a notice
      generate: () => {
        status.notices([]);
        state.seed = randomSeed();
        draw();
      },
      setDigit: (digit) => {
        state.digit = digit;
        state.count = fitCount(state.count, digit, numClasses());
        draw();
      },
      setCount: (text) => {
        const { count, notice } = countFromInput(text, state.digit, numClasses());
        status.notices(notice ? [notice] : []);
        if (count === null) syncControls(elements, state);
        else {
          state.count = count;
          draw();
        }
      },
      setSeed: (text) => {
        const { seed, notice } = seedFromInput(text, state.seed);
        if (seed === null) {
          status.notices([notice]);
          syncControls(elements, state);
        } else if (seed !== state.seed) {
          status.notices([]);
          state.seed = seed;
          draw();
        }
      },
      setBackend: (name) => this.switchBackend(name).catch(fail),
      pick: (index) => {
        morph.pick(grid.sample(index));
        this.panels.pick(index);
      },
      setMorphLabel: (end, label) => morph.setLabel(end, label),
      shuffleMorph: () => morph.shuffle(),
      toggleMorph: () => morph.setPlaying(!morph.playing),
    });
    if (prefersReducedMotion()) morph.setPlaying(false);
  }

  /** After each grid, on the queue: the controls and URL follow the state, the morph its first and last digit. */
  drawn(batch) {
    if (batch.seed !== null) {
      syncControls(this.elements, this.state);
      this.url.schedule();
    }
    this.morph.setEnds(this.grid.sample(0), this.grid.sample(batch.count - 1));
    this.panels.drawn();
    this.views.drawn();
  }

  /** Scripts' generate({seed, digit, count}): checked as the URL is; anything it would clamp is an error. */
  show(options) {
    const { state, notices } = stateFromOptions(options, this.state, this.generator.numClasses, randomSeed());
    if (notices.length) throw new Error(notices.join(' '));
    Object.assign(this.state, state);
    return this.render();
  }

  /** Measure every backend, keep the fastest, and remember it for this model. */
  async tune() {
    this.status.show('busy', 'Measuring backends to pick the fastest…');
    this.tuning = await this.queue.run(() => measureBackends(this.gen, this.generator));
    saveTuning(pageStorage(), modelKey(this.metadata), this.tuning);
    await this.showBackend();
  }

  /** name: 'auto' (measure) or a backend; then redraw. */
  async switchBackend(name) {
    const { gen, state } = this;
    state.backend = name;
    if (name === AUTO_BACKEND) {
      await this.tune();
    } else {
      const started = await this.queue.run(() => gen.useBackend(name));
      if (!started) {
        this.status.notices([
          `The ${name} backend could not start in this browser; staying on ${gen.currentBackend()}.`,
        ]);
      }
      await this.showBackend();
    }
    this.elements.backend.value = state.backend;
    return this.render();
  }

  async showBackend() {
    const described = await this.gen.describeBackend();
    this.elements.backendInfo.textContent = backendText(described, this.state.backend, this.tuning);
    this.status.show('ready', 'Ready');
  }

  /** Show a failure; the first one explains the rest. */
  fail(error) {
    const failure = describeError(error);
    if (!this.status.recordFailure(failure)) return;
    this.rejectReady(error instanceof Error ? error : new Error(failure.message));
    this.documentReady.then(() => {
      this.status.showFailure({ hideContent: !(this.grid && this.grid.canvases.length) });
    });
  }

  /** What window.ganDemo may see and do (hook.js); the page itself never reads the hook. */
  hookView() {
    const end = (sample) => sample && { index: sample.index, label: sample.label };
    return {
      ready: this.ready,
      failure: () => this.status.failure,
      metadata: () => this.metadata,
      models: () => (this.index ? this.index.models.map((model) => model.name) : null),
      state: () => this.state,
      tuning: () => this.tuning,
      lastBatch: () => (this.grid ? this.grid.lastBatch : null),
      backend: () => (this.gen ? this.gen.currentBackend() : null),
      morph: () => (this.morph && this.morph.a ? { a: end(this.morph.a), b: end(this.morph.b) } : null),
      panels: () => (this.panels ? this.panels.view() : null),
      views: () => (this.views ? this.views.view() : null),
      activity: () => [this.queue, this.morph, this.url, this.views].filter(Boolean),
      show: (options) => this.show(options),
      drawNoise: (noise, labels) => this.grid.drawNoise(noise, labels),
      benchmark: (batch, ms) => this.queue.run(() => this.gen.measureRate(this.generator, batch, ms)),
      setBackend: (name) => this.switchBackend(name),
      setModel: (name) => this.switchModel(name),
      invert: (target, options) => this.panels.open('draw-panel').then((drawing) => drawing.invert(target, options)),
      memory: () => this.gen.memory(),
    };
  }
}

function main() {
  mark('start');
  const page = new DemoPage();
  window.addEventListener('error', (event) => page.fail(event.error || new Error(event.message)));
  window.addEventListener('unhandledrejection', (event) => page.fail(event.reason));
  installHook(page.hookView());
  window.dispatchEvent(new Event(STARTED_EVENT));
  page.start().catch((error) => page.fail(error));
}

main();
