/**
 * window.ganDemo: how the browser tests and benchmarks/page_bench.py watch and drive the page.
 * It only observes (through accessors the page hands it) and calls the page's own actions; no page
 * code reads it, so the page works the same without it.
 */

import { marks } from './tasks.js';

/**
 * view: what the page lets scripts see and do.
 *   ready: a promise, resolved once the first grid is drawn, rejected with the first failure;
 *   failure(), metadata(), models(), state(), tuning(), lastBatch(), backend(), morph(), features(): current
 *   values or null;
 *   activity(): the page's pending work, each {settled(), idle()};
 *   show(options), drawNoise(noise, labels), benchmark(options), setBackend(name), setModel(name), invert(target,
 *   options), memory(): actions.
 */
export function installHook(view) {
  const hook = {
    ready: view.ready,
    /** {kind, title, message} of the failure on screen, or null. */
    get error() {
      return view.failure();
    },
    /** The metadata.json of the model on screen. */
    get metadata() {
      return view.metadata();
    },
    /** The names of the models in exported/index.json, the default first. */
    get models() {
      const names = view.models();
      return names && [...names];
    },
    /** A copy of the page's state {model, seed, digit, count, backend}. */
    get state() {
      const state = view.state();
      return state && { ...state };
    },
    /** {backend, rates, batches} once the backends were measured (or remembered). */
    get tuning() {
      return view.tuning();
    },
    /** The batch on screen: {seed, digit, count, noise, labels, generateMs, drawMs, backend}. */
    get lastBatch() {
      return view.lastBatch();
    },
    get backend() {
      return view.backend();
    },
    /** The morph's ends: {a: {index, label}, b: {index, label}}, or null before the first grid. */
    get morph() {
      return view.morph();
    },
    /**
     * The optional panels, by name (features.js), each null until its panel was first opened:
     * {critic, game, sliders, draw, models, pyramid, superres}.
     * game: {phase, games, seed, rounds: [{real, tile | label and noiseSeed, answer}], results: realfake.summarize rows}.
     * draw: {strokes, digit (784 values 0..1, or null), found ({label, mse, ms, noise} or null), searching, verdict}.
     * models: {seed, columns, sharedDim, rows: [{name, latentDim, classes, note, loaded}]}.
     * pyramid: {limits, rows: [{index, label, level_7, level_14, image, detail14, detail28}]}, values in output_range.
     * superres: {model, source, seed, indices, names, psnr: {bicubic, srgan} per digit, mean: {bicubic, srgan}}.
     */
    get features() {
      return view.features();
    },
    /** Timing marks, in ms since navigation: start, metadata, downloaded, domReady, backendReady, modelBuilt, firstDraw. */
    get timings() {
      return marks();
    },
    /** Draw a new grid. options: {seed, digit, count} as in the URL, or {noise: number[], labels: number[]}. */
    async generate(options = {}) {
      await view.ready;
      return options.noise ? view.drawNoise(options.noise, options.labels) : view.show(options);
    },
    /** Digits per second on the current backend at `batch` (no drawing). */
    benchmark: ({ batch = 100, ms = 1000 } = {}) => view.benchmark(batch, ms),
    /** Switch backend ('wasm' | 'webgl' | 'cpu' | 'auto'), then redraw. */
    setBackend: (name) => view.setBackend(name),
    /** Show the index's model `name`, keeping the seed and count; resolves with the batch drawn. */
    setModel: (name) => view.setModel(name),
    /**
     * Open the drawing panel and search the generator for `target` (image_shape's values in output_range,
     * as an array): options {classes, seed, ...invert.js INVERT_SETTINGS} -> {noise, label, mse, ms}.
     */
    async invert(target, options = {}) {
      const { noise, label, mse, ms } = await view.invert(Float32Array.from(target), options);
      return { noise: Array.from(noise), label, mse, ms };
    },
    /** Resolves once no generation, morph or URL update is pending. */
    async idle() {
      let parts = view.activity();
      do {
        for (const part of parts) await part.settled();
        parts = view.activity();
      } while (!parts.every((part) => part.idle()));
    },
    memory: () => view.memory(),
  };
  window.ganDemo = Object.freeze(hook);
}
