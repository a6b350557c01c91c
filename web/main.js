/** The page's orchestration: pick a model from the index, load it, then wire the grid, morph, backend choice, controls and hook together. */

import { backendOrder, modelKey, pageStorage, readTuning, rememberedBackend } from './backend.js';
import { chooseModel, downloadModel, loadIndex, metadataUrl } from './catalog.js';
import { buildControls, prefersReducedMotion, showClasses, showModels, syncControls, urlWriter } from './controls.js';
import { ERROR_KINDS, describeError } from './errors.js';
import { Features } from './features.js';
import { Grid } from './grid.js';
import { installHook } from './hook.js';
import { formatBytes, renderInfo } from './info.js';
import { AUTO_BACKEND } from './limits.js';
import { UPSCALE } from './inputs.js';
import { arrangeLesson, scrollToStep, showPicked, showTimelineNote } from './lesson.js';
import { LoadError } from './loader.js';
import { Morph } from './morph.js';
import { BackendChoice } from './tuning.js';
import { registerOffline } from './offline.js';
import { randomSeed } from './random.js';
import { countFromInput, fitCount, parseBackend, parseState, seedFromInput, stateFromOptions } from './state.js';
import { replaceModel } from './switch.js';
import { createQueue, mark } from './tasks.js';
import { StatusView, documentReady, findElements, missingFeatures } from './ui.js';

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
    this.backends = new BackendChoice(this); // measured once the visitor is idle (tuning.js)
    this.grid = null;
    this.morph = null;
    this.features = null; // the optional panels (features.js), each loaded when first opened
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
    arrangeLesson();
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
    this.features.show();
    scrollToStep(); // the grid and panels are laid out: a step named in the address is where it says
    const remembered = readTuning(pageStorage(), modelKey(metadata));
    if (requested === AUTO_BACKEND && remembered) this.backends.tuning = remembered;
    await this.backends.show();
    if (requested === AUTO_BACKEND && !remembered) {
      this.backends.tune().catch((error) => this.fail(error));
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
    showTimelineNote(this.elements, metadata);
    renderInfo(this.elements, metadata, { parameters: generator.parameters, bytes: artifacts.bytes });
    this.features.follow(generator);
  }

  /** The address of the metadata.json of the model on screen. */
  metadataUrl() {
    return metadataUrl(this.entry, this.indexUrl);
  }

  /** The index entry of the super-resolution model trained on the dataset on screen, or undefined. */
  upscaler() {
    const dataset = this.entry?.dataset;
    return this.index?.models.find((model) => model.task === UPSCALE && model.dataset === dataset);
  }

  /** Draw what the state names with the model on screen: the grid, or for an upscaler its panel. */
  render() {
    return this.generator.upscales ? this.features.upscale() : this.grid.draw(this.state);
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
    this.features = new Features(this);
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
      setBackend: (name) => this.backends.switchTo(name).catch(fail),
      pick: (index) => {
        morph.pick(grid.sample(index));
        this.features.pick(index);
        showPicked(elements, grid, morph);
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
    this.elements.picked.hidden = true; // a new grid: its ends are its first and last digit again
    this.features.drawn();
  }

  /** Scripts' generate({seed, digit, count}): checked as the URL is; anything it would clamp is an error. */
  show(options) {
    const { state, notices } = stateFromOptions(options, this.state, this.generator.numClasses, randomSeed());
    if (notices.length) throw new Error(notices.join(' '));
    Object.assign(this.state, state);
    return this.render();
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
      tuning: () => this.backends.tuning,
      lastBatch: () => (this.grid ? this.grid.lastBatch : null),
      backend: () => (this.gen ? this.gen.currentBackend() : null),
      morph: () => (this.morph && this.morph.a ? { a: end(this.morph.a), b: end(this.morph.b) } : null),
      features: () => (this.features ? this.features.view() : null),
      activity: () => [this.queue, this.morph, this.url, this.features].filter(Boolean),
      show: (options) => this.show(options),
      drawNoise: (noise, labels) => this.grid.drawNoise(noise, labels),
      benchmark: (batch, ms) => this.queue.run(() => this.gen.measureRate(this.generator, batch, ms)),
      setBackend: (name) => this.backends.switchTo(name),
      setModel: (name) => this.switchModel(name),
      invert: (target, options) =>
        this.features.openPanel('draw-panel').then((drawing) => drawing.invert(target, options)),
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
