/** The page: loads the exported generator, draws digit grids and morphs, keeps the URL and status in step. */

import { drawDigits, drawOne, layoutDigits, layoutStrip } from './canvas.js';
import { formatBytes, renderEvaluation, renderModel, renderTraining } from './info.js';
import { LoadError, loadMetadata, loadModelArtifacts } from './loader.js';
import { normalNoise, randomSeed } from './random.js';
import { clampCount, fitCount, parseBackend, parseSeed, parseState, stateToSearch } from './state.js';

// This module runs async, before the deferred TF.js scripts: the model downloads while TF.js is
// parsed. generator.js (which needs the global `tf`) is imported once the document is ready.
let gen = null;

const MORPH_STEPS = 48; // frames computed per morph, in one batch
const STRIP_STEPS = 8; // of those, shown side by side
const MORPH_PERIOD_MS = 2600; // one way, A to B
const MORPH_DELAY_MS = 120; // a burst of generations recomputes the morph once
const URL_DELAY_MS = 80; // and writes the URL once (browsers throttle rapid history updates)
const TUNE_BATCH = 100;
const QUICK_BATCH = 10;
const TUNE_DELAY_MS = 300;
const TUNE_STORAGE_KEY = 'gan-demo:backend';

const ERROR_TITLES = {
  'model-missing': 'Model missing',
  'metadata-missing': 'Metadata missing',
  'metadata-invalid': 'Unreadable metadata',
  'format-version': 'Unknown metadata format version',
  'model-corrupt': 'Corrupt model',
  'shard-missing': 'Model weights missing',
  'shard-corrupt': 'Corrupt model weights',
  network: 'Server stopped responding',
  unsupported: 'Unsupported browser',
  'tfjs-missing': 'TensorFlow.js missing',
  backend: 'No TensorFlow.js backend',
  runtime: 'Something went wrong',
};

const $ = (id) => document.getElementById(id);
// DOMContentLoaded: the document is parsed and the deferred TF.js scripts have run. (readyState
// turns "interactive" before those scripts run, so it cannot tell; the navigation entry can.)
const domReady = new Promise((resolve) => {
  const [navigation] = performance.getEntriesByType('navigation');
  const fired = navigation ? navigation.domContentLoadedEventStart > 0 : document.readyState === 'complete';
  if (fired) resolve();
  else document.addEventListener('DOMContentLoaded', resolve, { once: true });
});
let ui = null;
domReady.then(() => {
  ui = {
  status: $('status'),
  statusText: $('status-text'),
  error: $('error'),
  errorTitle: $('error-title'),
  errorMessage: $('error-message'),
  notices: $('notices'),
  controls: $('controls'),
  generate: $('generate'),
  digitField: $('digit-field'),
  digitPicker: $('digit-picker'),
  count: $('count'),
  seed: $('seed'),
  backend: $('backend'),
  backendInfo: $('backend-info'),
  timing: $('timing'),
  modelSize: $('model-size'),
  main: document.querySelector('main'),
  grid: $('grid'),
  morphPanel: $('morph-panel'),
  morphCanvas: $('morph-canvas'),
  morphLabels: $('morph-labels'),
  morphFrom: $('morph-from'),
  morphTo: $('morph-to'),
  morphPlay: $('morph-play'),
  morphShuffle: $('morph-shuffle'),
  morphStrip: $('morph-strip'),
  modelInfo: $('model-info'),
  trainingInfo: $('training-info'),
  evaluationInfo: $('evaluation-info'),
};
});

let resolveReady;
let rejectReady;
const ready = new Promise((resolve, reject) => {
  resolveReady = resolve;
  rejectReady = reject;
});
ready.catch(() => {}); // failures are shown on the page; the hook's users await it themselves

const page = {
  metadata: null,
  generator: null,
  state: null, // {seed, digit, count, backend}
  canvases: [],
  tuning: null, // {backend, rates} once measured
  morph: { a: null, b: null, frames: null, playing: true, start: 0, shown: -1, timer: 0, pending: false },
};

// Every TF.js call goes through this queue, so generations, morphs and backend switches never overlap.
let queue = Promise.resolve();
function serial(task) {
  const run = queue.then(task);
  queue = run.catch(() => {});
  return run;
}

/** The automation hook used by the browser tests and benchmarks/page_bench.py. */
const hook = {
  ready,
  error: null,
  lastBatch: null,
  timings: {},
  get backend() {
    return gen && gen.currentBackend();
  },
  get metadata() {
    return page.metadata;
  },
  get state() {
    return page.state && { ...page.state };
  },
  get tuning() {
    return page.tuning;
  },
  /** Draw a new grid. options: {seed, digit, count} as in the URL, or {noise: number[], labels: number[]}. */
  generate: (options = {}) => generateFromOptions(options),
  /** Digits per second on the current backend at `batch` (no drawing). */
  benchmark: ({ batch = 100, ms = 1000 } = {}) => serial(() => gen.measureRate(page.generator, batch, ms)),
  /** Switch backend ('wasm' | 'webgl' | 'cpu' | 'auto'), then redraw. */
  setBackend: (name) => switchBackend(name),
  /** Resolves once pending morphs and generations are done. */
  idle: async () => {
    await new Promise((resolve) => setTimeout(resolve, MORPH_DELAY_MS + 30));
    await queue;
  },
  memory: () => gen.memory(),
};
window.ganDemo = hook;

// ---------------------------------------------------------------- status and errors

function setStatus(state, message) {
  if (!ui) return; // before the document is parsed (download progress): nothing to show yet
  if (hook.error && state !== 'error') return; // a failure stays on screen
  ui.status.dataset.state = state;
  ui.statusText.textContent = message;
  document.body.dataset.state = state;
}

function fail(error) {
  const kind = error instanceof LoadError ? error.kind : 'runtime';
  const message = (error && error.message) || String(error);
  if (hook.error) return; // the first failure explains the rest
  hook.error = { kind, message };
  rejectReady(error instanceof Error ? error : new Error(message));
  domReady.then(() => {
    const title = ERROR_TITLES[kind] || ERROR_TITLES.runtime;
    ui.errorTitle.textContent = title;
    ui.errorMessage.textContent = message;
    ui.error.hidden = false;
    if (!page.canvases.length) ui.main.hidden = true; // nothing to show but the explanation
    setStatus('error', title);
  });
}

function showNotices(messages, { replace = true } = {}) {
  if (replace) ui.notices.replaceChildren();
  for (const message of messages) {
    const item = document.createElement('li');
    item.textContent = message;
    ui.notices.append(item);
  }
}

function missingFeatures() {
  const canvas = document.createElement('canvas');
  const needs = {
    fetch: typeof fetch === 'function',
    'canvas 2D': Boolean(canvas.getContext && canvas.getContext('2d')),
    ImageData: typeof ImageData === 'function',
    URLSearchParams: typeof URLSearchParams === 'function',
    AbortController: typeof AbortController === 'function',
    'crypto.getRandomValues': Boolean(globalThis.crypto && crypto.getRandomValues),
  };
  return Object.keys(needs).filter((feature) => !needs[feature]);
}

// ---------------------------------------------------------------- loading

async function start() {
  const missing = missingFeatures();
  // Network first: metadata, model.json and the shards download while TF.js is parsed.
  const downloaded = missing.length ? null : downloadModel();
  if (downloaded) downloaded.catch(() => {}); // reported where it is awaited
  await domReady;
  hook.timings.domReady = performance.now();
  if (missing.length) {
    throw new LoadError(
      'unsupported',
      `This browser lacks ${missing.join(', ')}, which the demo needs. ` +
        'Open it in a current Chrome, Firefox, Safari or Edge.',
    );
  }
  gen = await import('./generator.js');
  if (!gen.tfLoaded()) {
    throw new LoadError(
      'tfjs-missing',
      'TensorFlow.js did not load from /vendor/tfjs/tf.es2017.min.js. ' +
        'Run `npm ci` in the project, restart the server and reload.',
    );
  }
  const params = new URLSearchParams(location.search);
  const requested = parseBackend(params).backend;
  const saved = readTuning();
  const order = backendOrder(requested === 'auto' ? saved && saved.backend : requested);
  // The backend starts (and the WASM binary compiles) while the model finishes downloading.
  const backendStarted = gen.startBackend(order);
  backendStarted.catch(() => {});

  setStatus('loading', 'Downloading the generator…');
  const { metadata, artifacts } = await downloaded;
  const { state, notices } = parseState(params, metadata.num_classes);
  const backend = await backendStarted;
  hook.timings.backendReady = performance.now();
  if (requested !== 'auto' && backend !== requested) {
    notices.push(`The ${requested} backend could not start in this browser; using ${backend}.`);
  }
  setStatus('loading', `Building the generator on ${backend}…`);
  page.generator = await gen.Generator.load(artifacts, metadata);
  hook.timings.modelBuilt = performance.now();
  state.seed = state.seed ?? randomSeed();
  page.state = state;

  buildControls(metadata);
  await drawGrid();
  hook.timings.firstDraw = performance.now();
  writeUrl(); // the URL names what is on screen from the first frame
  showNotices(notices);
  ui.controls.disabled = false;
  resolveReady(true);

  renderModel(ui.modelInfo, { ...metadata, parameters: metadata.parameters ?? page.generator.parameters });
  renderTraining(ui.trainingInfo, metadata.training);
  renderEvaluation(ui.evaluationInfo, metadata.evaluation);
  ui.modelSize.textContent = `model ${formatBytes(metadata.model_bytes ?? artifacts.bytes)}`;
  ui.morphPanel.hidden = false;
  const remembered = saved && saved.key === modelKey(metadata);
  if (requested === 'auto' && remembered) page.tuning = saved;
  await showBackend();
  if (requested === 'auto' && !remembered) {
    setTimeout(() => tuneBackend().catch(fail), TUNE_DELAY_MS); // after the first grid is on screen
  }
}

/** metadata.json, then model.json and its shards -> {metadata, artifacts}; needs neither TF.js nor the DOM. */
async function downloadModel() {
  const metadata = await loadMetadata();
  page.metadata = metadata;
  hook.timings.metadata = performance.now();
  setStatus('loading', `Downloading the generator (${formatBytes(metadata.model_bytes)})…`);
  const artifacts = await loadModelArtifacts(metadata, (loaded) => {
    const share = metadata.model_bytes ? Math.min(100, Math.round((100 * loaded) / metadata.model_bytes)) : 0;
    setStatus('loading', `Downloading the generator… ${share} %`);
  });
  hook.timings.downloaded = performance.now();
  return { metadata, artifacts };
}

/** The requested backend first, then the usual order (WASM is fastest for these small models on CPUs). */
function backendOrder(first) {
  const available = gen.registeredBackends();
  const order = first && available.includes(first) ? [first] : [];
  return order.concat(available.filter((name) => name !== first));
}

/** What identifies an export for the remembered backend choice: its file digests when it has them. */
function modelKey(metadata) {
  if (metadata.sha256) return JSON.stringify(metadata.sha256);
  const training = metadata.training || {};
  return [metadata.variant, metadata.parameters, metadata.quantization, training.created].join('/');
}

function readTuning() {
  try {
    return JSON.parse(localStorage.getItem(TUNE_STORAGE_KEY) || 'null');
  } catch {
    return null; // storage disabled or a stale value: measure again
  }
}

/** Measure every backend at batch 100, keep the fastest, and remember it for this model. */
async function tuneBackend() {
  setStatus('busy', 'Measuring backends to pick the fastest…');
  const tuning = await serial(async () => {
    const before = gen.currentBackend();
    const rates = {};
    const batches = {};
    let bestQuick = 0;
    for (const name of gen.registeredBackends()) {
      if (!(await gen.useBackend(name))) continue;
      // A quick look at batch 10 first: a backend several times slower than the best so far is
      // not worth blocking the page for a full batch-100 measurement.
      const quick = await gen.measureRate(page.generator, QUICK_BATCH, 150);
      const full = quick >= bestQuick / 3;
      rates[name] = Math.round(full ? await gen.measureRate(page.generator, TUNE_BATCH) : quick);
      batches[name] = full ? TUNE_BATCH : QUICK_BATCH;
      bestQuick = Math.max(bestQuick, quick);
    }
    const best = Object.keys(rates).sort((x, y) => rates[y] - rates[x])[0] || before;
    await gen.useBackend(best);
    return { backend: best, rates, batches };
  });
  page.tuning = tuning;
  try {
    localStorage.setItem(TUNE_STORAGE_KEY, JSON.stringify({ key: modelKey(page.metadata), ...tuning }));
  } catch {
    // storage disabled: measure again next time
  }
  await showBackend();
}

async function switchBackend(name) {
  page.state.backend = name;
  if (name === 'auto') {
    await tuneBackend();
  } else {
    const started = await serial(() => gen.useBackend(name));
    if (!started) {
      showNotices([`The ${name} backend could not start in this browser; staying on ${gen.currentBackend()}.`]);
    }
    await showBackend();
  }
  ui.backend.value = page.state.backend;
  return drawGrid();
}

async function showBackend() {
  const described = await gen.describeBackend();
  let text = `backend ${described}`;
  if (page.state.backend === 'auto') {
    const rates = page.tuning && page.tuning.rates;
    text += rates
      ? ` · fastest of ${Object.entries(rates)
          .map(([name, rate]) => {
            const batch = page.tuning.batches && page.tuning.batches[name];
            return `${name} ${rate.toLocaleString('en')}/s${batch && batch !== TUNE_BATCH ? ` (batch ${batch})` : ''}`;
          })
          .join(', ')}`
      : ' · auto';
  }
  ui.backendInfo.textContent = text;
  setStatus('ready', 'Ready');
}

// ---------------------------------------------------------------- the grid

/** The class asked for per grid cell: one row per class for 'all', else the chosen digit. */
function classesFor(digit, count, numClasses) {
  if (numClasses === 0) return null;
  if (digit === 'all') {
    const perRow = count / numClasses;
    return Array.from({ length: count }, (_, i) => Math.floor(i / perRow));
  }
  return new Array(count).fill(digit);
}

function gridColumns(count, digit, numClasses) {
  if (digit === 'all' && numClasses > 0) return count / numClasses;
  return Math.min(20, Math.ceil(Math.sqrt(count)));
}

/**
 * Generate page.state's batch and draw it in one pass, then update the status, URL and morph.
 * explicit: {noise, classes} to draw instead (the automation hook's fixed batches).
 */
function drawGrid(explicit = null) {
  return serial(async () => {
    const { state, generator, metadata } = page;
    const count = explicit ? explicit.noise.length / generator.latentDim : state.count;
    const noise = explicit ? explicit.noise : normalNoise(state.seed, count * generator.latentDim);
    const classes =
      explicit && explicit.classes ? explicit.classes : classesFor(state.digit, count, generator.numClasses);
    const started = performance.now();
    const values = await generator.pixels(noise, classes);
    const generated = performance.now();
    page.canvases = layoutDigits(ui.grid, count, {
      width: generator.imageShape[1],
      height: generator.imageShape[0],
      labels: classes,
      classNames: metadata.class_names,
      columns: explicit ? gridColumns(count, null, 0) : gridColumns(count, state.digit, generator.numClasses),
    });
    drawDigits(page.canvases, values, generator.imageShape);
    const drawn = performance.now();
    hook.lastBatch = {
      seed: explicit ? null : state.seed,
      digit: explicit ? null : state.digit,
      count,
      noise,
      labels: classes,
      generateMs: generated - started,
      drawMs: drawn - generated,
      backend: gen.currentBackend(),
    };
    const rate = Math.round((count * 1000) / Math.max(generated - started, 0.01));
    ui.timing.textContent =
      `${count} digit${count === 1 ? '' : 's'} in ${(generated - started).toFixed(1)} ms ` +
      `(${rate.toLocaleString('en')}/s) · drawn in ${(drawn - generated).toFixed(1)} ms`;
    if (!explicit) {
      syncControls();
      scheduleUrlUpdate();
    }
    setMorphEnds(0, count - 1);
    return hook.lastBatch;
  });
}

/** ganDemo.generate: options as in the URL (checked the same way), or explicit noise (and labels). */
async function generateFromOptions(options) {
  await ready;
  const { state, generator } = page;
  if (options.noise) {
    if (options.noise.length === 0 || options.noise.length % generator.latentDim !== 0) {
      throw new Error(`noise must hold a positive multiple of latent_dim = ${generator.latentDim} values`);
    }
    const noise = Float32Array.from(options.noise);
    const count = noise.length / generator.latentDim;
    const classes = generator.conditional
      ? Array.from(options.labels || classesFor(0, count, generator.numClasses))
      : null;
    if (classes && (classes.length !== count || classes.some((c) => !(c >= 0 && c < generator.numClasses)))) {
      throw new Error(`labels must hold ${count} class indices from 0 to ${generator.numClasses - 1}`);
    }
    return drawGrid({ noise, classes });
  }
  const params = new URLSearchParams();
  params.set('seed', String(options.seed ?? randomSeed()));
  params.set('count', String(options.count ?? state.count));
  if (options.digit !== undefined || state.digit !== null) params.set('digit', String(options.digit ?? state.digit));
  const parsed = parseState(params, generator.numClasses);
  if (parsed.notices.length) throw new Error(parsed.notices.join(' '));
  Object.assign(state, parsed.state, { backend: state.backend });
  return drawGrid();
}

// ---------------------------------------------------------------- controls

function buildControls(metadata) {
  const { state } = page;
  if (metadata.num_classes > 0) {
    const choices = [['all', 'All']].concat(metadata.class_names.map((name, index) => [String(index), name]));
    for (const [value, label] of choices) {
      const option = document.createElement('label');
      option.className = 'pill';
      const input = document.createElement('input');
      input.type = 'radio';
      input.name = 'digit';
      input.value = value;
      const text = document.createElement('span');
      text.textContent = label;
      option.append(input, text);
      ui.digitPicker.append(option);
    }
    ui.digitField.hidden = false;
    for (const select of [ui.morphFrom, ui.morphTo]) {
      metadata.class_names.forEach((name, index) => select.add(new Option(name, String(index))));
    }
    ui.morphLabels.hidden = false;
  }
  ui.backend.value = state.backend;

  ui.generate.addEventListener('click', () => {
    showNotices([]);
    page.state.seed = randomSeed();
    drawGrid().catch(fail);
  });
  ui.digitPicker.addEventListener('change', (event) => {
    const value = event.target.value;
    page.state.digit = value === 'all' ? 'all' : Number(value);
    page.state.count = fitCount(page.state.count, page.state.digit, metadata.num_classes);
    drawGrid().catch(fail);
  });
  ui.count.addEventListener('change', () => {
    const value = Number(ui.count.value);
    if (ui.count.value.trim() === '' || !Number.isFinite(value)) {
      showNotices([`Count must be a whole number from 1 to 400.`]);
      syncControls();
      return;
    }
    const count = fitCount(clampCount(value), page.state.digit, metadata.num_classes);
    showNotices(count === value ? [] : [`Count ${value} became ${count}.`]);
    page.state.count = count;
    drawGrid().catch(fail);
  });
  const applySeed = () => {
    const seed = parseSeed(ui.seed.value);
    if (seed === null) {
      const typed = JSON.stringify(ui.seed.value);
      showNotices([`Seed ${typed} is not a whole number from 0 to 4294967295; kept ${page.state.seed}.`]);
      syncControls();
      return;
    }
    if (seed === page.state.seed) return;
    showNotices([]);
    page.state.seed = seed;
    drawGrid().catch(fail);
  };
  ui.seed.addEventListener('change', applySeed);
  ui.seed.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') applySeed();
  });
  ui.backend.addEventListener('change', () => switchBackend(ui.backend.value).catch(fail));
  document.addEventListener('keydown', (event) => {
    const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
    const modified = event.ctrlKey || event.metaKey || event.altKey;
    if (!typing && !modified && event.key.toLowerCase() === 'g') ui.generate.click();
  });

  ui.grid.addEventListener('click', (event) => {
    const canvas = event.target.closest('canvas.digit');
    if (canvas) pickMorphEnd(Number(canvas.dataset.index));
  });
  ui.morphFrom.addEventListener('change', () => setMorphClass('a', Number(ui.morphFrom.value)));
  ui.morphTo.addEventListener('change', () => setMorphClass('b', Number(ui.morphTo.value)));
  ui.morphShuffle.addEventListener('click', () => {
    const { morph, generator } = page;
    morph.a = { ...morph.a, noise: normalNoise(randomSeed(), generator.latentDim), index: -1 };
    morph.b = { ...morph.b, noise: normalNoise(randomSeed(), generator.latentDim), index: -1 };
    scheduleMorph();
  });
  ui.morphPlay.addEventListener('click', () => setMorphPlaying(!page.morph.playing));
  if (matchMedia('(prefers-reduced-motion: reduce)').matches) setMorphPlaying(false);
}

let urlTimer = 0;
function scheduleUrlUpdate() {
  clearTimeout(urlTimer);
  urlTimer = setTimeout(writeUrl, URL_DELAY_MS);
}

function writeUrl() {
  clearTimeout(urlTimer);
  history.replaceState(null, '', stateToSearch(page.state));
}

function syncControls() {
  const { state } = page;
  ui.count.value = String(state.count);
  ui.seed.value = String(state.seed);
  for (const input of ui.digitPicker.querySelectorAll('input')) input.checked = input.value === String(state.digit);
}

// ---------------------------------------------------------------- morph

/** Morph between grid samples i and j (their noise and the class each was asked for). */
function setMorphEnds(i, j) {
  const batch = hook.lastBatch;
  const end = (index) => ({
    index,
    noise: batch.noise.slice(index * page.generator.latentDim, (index + 1) * page.generator.latentDim),
    label: batch.labels ? batch.labels[index] : null,
  });
  page.morph.a = end(i);
  page.morph.b = end(j);
  scheduleMorph();
}

/** A click on a grid digit: the previous end B becomes A, the clicked digit becomes B. */
function pickMorphEnd(index) {
  const { morph } = page;
  const batch = hook.lastBatch;
  const latent = page.generator.latentDim;
  morph.a = morph.b;
  morph.b = {
    index,
    noise: batch.noise.slice(index * latent, (index + 1) * latent),
    label: batch.labels ? batch.labels[index] : null,
  };
  scheduleMorph();
}

function setMorphClass(end, label) {
  page.morph[end] = { ...page.morph[end], label };
  scheduleMorph();
}

function scheduleMorph() {
  const { morph } = page;
  clearTimeout(morph.timer);
  morph.timer = setTimeout(() => computeMorph().catch(fail), MORPH_DELAY_MS);
}

async function computeMorph() {
  const { morph, generator } = page;
  const { a, b } = morph;
  morph.frames = await serial(() => generator.morph(a.noise, b.noise, a.label ?? 0, b.label ?? 0, MORPH_STEPS));
  if (generator.conditional) {
    ui.morphFrom.value = String(a.label);
    ui.morphTo.value = String(b.label);
  }
  for (const canvas of page.canvases) {
    canvas.classList.toggle('picked', [a.index, b.index].includes(Number(canvas.dataset.index)));
  }
  const strip = layoutStrip(ui.morphStrip, STRIP_STEPS, generator.imageShape[1], generator.imageShape[0]);
  strip.forEach((canvas, k) => {
    drawOne(canvas, morph.frames, Math.round((k * (MORPH_STEPS - 1)) / (STRIP_STEPS - 1)), generator.imageShape);
  });
  morph.shown = -1;
  morph.start = performance.now();
  drawMorphFrame(morph.start);
  if (morph.playing) requestAnimationFrame(animateMorph);
}

/** The frame for time `now`: A to B and back, eased at both ends. */
function drawMorphFrame(now) {
  const { morph, generator } = page;
  if (!morph.frames) return;
  const phase = ((now - morph.start) / MORPH_PERIOD_MS) % 2;
  const t = phase < 1 ? phase : 2 - phase;
  const eased = t * t * (3 - 2 * t);
  const frame = Math.round(eased * (MORPH_STEPS - 1));
  if (frame !== morph.shown) {
    drawOne(ui.morphCanvas, morph.frames, frame, generator.imageShape);
    morph.shown = frame;
  }
}

let animating = false;
function animateMorph(now) {
  if (animating) return;
  animating = true;
  const step = (time) => {
    if (!page.morph.playing) {
      animating = false;
      return;
    }
    drawMorphFrame(time);
    requestAnimationFrame(step);
  };
  step(now);
}

function setMorphPlaying(playing) {
  const { morph } = page;
  morph.playing = playing;
  ui.morphPlay.textContent = playing ? 'Pause' : 'Play';
  ui.morphPlay.setAttribute('aria-pressed', String(!playing));
  if (playing) {
    morph.start = performance.now();
    requestAnimationFrame(animateMorph);
  }
}

// ---------------------------------------------------------------- go

window.addEventListener('error', (event) => fail(event.error || new Error(event.message)));
window.addEventListener('unhandledrejection', (event) => fail(event.reason));
hook.timings.start = performance.now(); // ms since navigation, like every timing here
start().catch(fail);
