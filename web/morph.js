/** The morph panel: two samples' noise (and labels) interpolated into an animation and a strip of steps. */

import { drawOne, layoutStrip } from './canvas.js';
import { morphFrame, stripFrames } from './interpolate.js';
import { normalNoise, randomSeed } from './random.js';
import { debounced } from './tasks.js';

export const MORPH_STEPS = 48; // frames computed per morph, in one batch
export const STRIP_STEPS = 8; // of those, shown side by side
export const MORPH_PERIOD_MS = 2600; // one way, A to B
export const MORPH_DELAY_MS = 120; // a burst of changes recomputes the morph once

export class Morph {
  /**
   * generator: a generator.js Generator; queue: the page's TF.js queue; elements: {morphCanvas,
   * morphStrip, morphFrom, morphTo, morphPlay}; markPicked(indices): outline the ends in the grid;
   * onError(error): a failed computation.
   */
  constructor({ generator, queue, elements, markPicked, onError }) {
    Object.assign(this, { generator, queue, elements, markPicked });
    // The ends: {index (-1 when not from the grid), noise: Float32Array [latentDim], label, planes (noise
    // planes, one Float32Array each; null: the generator's fixed ones)}.
    this.a = null;
    this.b = null;
    this.frames = null; // grey levels [MORPH_STEPS * H * W * C]
    this.playing = true;
    this.start = 0;
    this.shown = -1;
    this.animating = false;
    this.update = debounced(() => this.compute(), MORPH_DELAY_MS, onError);
  }

  /** Morph with `generator` from now on (another model): its ends are dropped until the next setEnds. */
  reset(generator) {
    this.generator = generator;
    this.update.cancel();
    this.a = null;
    this.b = null;
    this.frames = null;
  }

  /** Morph from sample `a` to sample `b` ({index, noise, label} as grid.sample gives them). */
  setEnds(a, b) {
    this.a = a;
    this.b = b;
    this.update.schedule();
  }

  /** Make one end ('a' | 'b') `sample` ({index: -1 when not from the grid, noise, label}), keeping the other. */
  setEnd(end, sample) {
    this[end] = sample;
    if (this.a && this.b) this.update.schedule();
  }

  /** A click on a grid digit: the previous end B becomes A, the clicked sample becomes B. */
  pick(sample) {
    this.setEnds(this.b, sample);
  }

  /** end: 'a' | 'b'; label: the class that end is drawn as. */
  setLabel(end, label) {
    this[end] = { ...this[end], label };
    this.update.schedule();
  }

  /** New random noise for both ends, keeping their labels. */
  shuffle() {
    const fresh = () => normalNoise(randomSeed(), this.generator.latentDim);
    const end = (sample) => ({ ...sample, noise: fresh(), planes: null, index: -1 });
    this.setEnds(end(this.a), end(this.b));
  }

  setPlaying(playing) {
    const button = this.elements.morphPlay;
    this.playing = playing;
    button.textContent = playing ? 'Pause' : 'Play';
    button.setAttribute('aria-pressed', String(!playing));
    if (playing) {
      this.start = performance.now();
      requestAnimationFrame((now) => this.animate(now));
    }
  }

  /** Resolves once no morph is waiting to be computed or being computed. */
  settled() {
    return this.update.settled();
  }

  idle() {
    return this.update.idle();
  }

  async compute() {
    const { a, b, generator, elements } = this;
    if (!a?.noise || !b?.noise) return; // reset since scheduled: the next grid gives new ends
    this.frames = await this.queue.run(() =>
      generator.morph(a.noise, b.noise, a.label ?? 0, b.label ?? 0, MORPH_STEPS, a.planes, b.planes),
    );
    if (generator.conditional) {
      elements.morphFrom.value = String(a.label);
      elements.morphTo.value = String(b.label);
    }
    this.markPicked([a.index, b.index]);
    const [height, width] = generator.imageShape;
    const strip = layoutStrip(elements.morphStrip, STRIP_STEPS, width, height);
    const frames = stripFrames(STRIP_STEPS, MORPH_STEPS);
    strip.forEach((canvas, k) => drawOne(canvas, this.frames, frames[k], generator.imageShape));
    this.shown = -1;
    this.start = performance.now();
    this.drawFrame(this.start);
    if (this.playing) requestAnimationFrame((now) => this.animate(now));
  }

  /** Show the frame for time `now` (ms, as performance.now()). */
  drawFrame(now) {
    if (!this.frames) return;
    const frame = morphFrame(now - this.start, MORPH_PERIOD_MS, MORPH_STEPS);
    if (frame !== this.shown) {
      drawOne(this.elements.morphCanvas, this.frames, frame, this.generator.imageShape);
      this.shown = frame;
    }
  }

  /** One animation loop at a time, until paused. */
  animate(now) {
    if (this.animating) return;
    this.animating = true;
    const step = (time) => {
      if (!this.playing) {
        this.animating = false;
        return;
      }
      this.drawFrame(time);
      requestAnimationFrame(step);
    };
    step(now);
  }
}
