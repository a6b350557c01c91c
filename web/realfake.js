/** "Real or fake?" without DOM or TF.js: the game's choices, its seeded round schedule, and how answers score (Wilson intervals). */

import { mulberry32 } from './random.js';

// How long a digit stays on screen: the three times of LAPGAN's human test (Denton et al., 2015).
export const SHOW_MS_CHOICES = [250, 1000, 2000];
export const DEFAULT_SHOW_MS = 1000;
export const ROUND_CHOICES = [10, 20, 50, 100];
export const DEFAULT_ROUNDS = 20;
export const Z_95 = 1.959963984540054; // the standard normal's 97.5% quantile: a two-sided 95% interval

/** The seed of game number `game` (0, 1, ...) of a visit whose page seed is `pageSeed` -> uint32. */
export function gameSeed(pageSeed, game) {
  // A different stream per game, so "play again" never replays the same digits.
  return (pageSeed ^ Math.imul(game + 1, 0x9e3779b9)) >>> 0;
}

/**
 * The rounds of one game, the same for the same arguments -> `rounds` entries, each
 * {real: true, tile} (a sprite digit) or {real: false, label, noiseSeed} (a generated digit of class
 * `label`, null when unconditional, from normalNoise(noiseSeed, latentDim)).
 * Half the rounds are real (an odd count's middle round goes either way by a coin), in random order;
 * real tiles are distinct while the sprite has enough, and a fake's class is uniform over the classes.
 */
export function scheduleRounds(seed, rounds, { spriteCount, numClasses }) {
  const uniform = mulberry32(seed);
  const realCount = Math.floor(rounds / 2) + (rounds % 2 === 1 && uniform() < 0.5 ? 1 : 0);
  const kinds = shuffle(
    Array.from({ length: rounds }, (_, i) => i < realCount),
    uniform,
  );
  const tiles = shuffle(
    Array.from({ length: spriteCount }, (_, i) => i),
    uniform,
  );
  let nextTile = 0;
  return kinds.map((real) => {
    if (real) return { real, tile: tiles[nextTile++ % spriteCount] };
    const label = numClasses > 0 ? Math.floor(uniform() * numClasses) : null;
    return { real, label, noiseSeed: Math.floor(uniform() * 0x100000000) };
  });
}

/** Fisher-Yates, in place, driven by `uniform` (floats in [0, 1)) -> the array. */
export function shuffle(array, uniform) {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [array[i], array[j]] = [array[j], array[i]];
  }
  return array;
}

/**
 * The Wilson score interval for `successes` out of `trials` (95% by default) -> {low, high} in 0..1.
 * Unlike the normal approximation it stays inside 0..1 and is not empty at 0 or n successes, which
 * matter here: a player may well judge every generated digit real. No trials: {low: 0, high: 1}.
 */
export function wilsonInterval(successes, trials, z = Z_95) {
  if (trials === 0) return { low: 0, high: 1 };
  const share = successes / trials;
  const z2 = z * z;
  const centre = (share + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((share * (1 - share)) / trials + z2 / (4 * trials * trials));
  // At 0 or n successes the formula gives 0 or 1 up to rounding: pin them.
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === trials ? 1 : Math.min(1, centre + half),
  };
}

/** k of n judged real -> {judgedReal, total, share (NaN when n = 0), low, high}. */
export function judged(judgedReal, total) {
  return { judgedReal, total, share: total ? judgedReal / total : NaN, ...wilsonInterval(judgedReal, total) };
}

/**
 * Answers -> one row per model and display time, in the order first played:
 * {model, showMs, fake: judged(...), real: judged(...)}: of the generated digits and of the real ones,
 * how many the player judged real. answers: [{model, showMs, real: was it real, answer: 'real' | 'fake'}].
 */
export function summarize(answers) {
  const rows = new Map();
  for (const { model, showMs, real, answer } of answers) {
    const key = `${model}\u0000${showMs}`;
    if (!rows.has(key)) rows.set(key, { model, showMs, fake: [0, 0], real: [0, 0] });
    const counts = rows.get(key)[real ? 'real' : 'fake'];
    counts[0] += answer === 'real' ? 1 : 0;
    counts[1] += 1;
  }
  return Array.from(rows.values(), ({ model, showMs, fake, real }) => ({
    model,
    showMs,
    fake: judged(...fake),
    real: judged(...real),
  }));
}

/**
 * Why the model `metadata` describes cannot play against the sprite's real digits, or null when it can:
 * it must draw from noise (task "generate", or none), digits of the sprite's dataset, at its size, in grey.
 */
export function unplayable(metadata, sprite) {
  if (metadata.task === 'upscale') {
    return `${metadata.name} upscales small digits rather than drawing them from noise: pick a generator to play.`;
  }
  if (metadata.dataset !== sprite.dataset) {
    return (
      `The real images shipped with the page are ${sprite.dataset} digits, but ${metadata.name} draws ` +
      `${metadata.dataset} images: pick a ${sprite.dataset} model to play.`
    );
  }
  const [height, width, channels] = metadata.image_shape;
  if (height !== sprite.tile || width !== sprite.tile || channels !== 1) {
    return `${metadata.name} draws ${height}x${width}x${channels} images; the real digits are ${sprite.tile}x${sprite.tile} grey.`;
  }
  return null;
}

/** A share as the page writes it: 0.7225 -> "72%". */
export function percent(share) {
  return Number.isNaN(share) ? '—' : `${Math.round(share * 100)}%`;
}
