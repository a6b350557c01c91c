/** Seeded randomness: a 32-bit PRNG and standard-normal noise from it, so a seed names a batch of digits. */

/** mulberry32: a tiny PRNG with 32 bits of state -> a function returning uniform floats in [0, 1). */
export function mulberry32(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `length` standard-normal values drawn from `seed` (Box-Muller, both outputs used) -> Float32Array.
 * The stream is sequential, so a longer request starts with the values of a shorter one: the first
 * digits of a seed stay the same whatever the count.
 */
export function normalNoise(seed, length) {
  const uniform = mulberry32(seed);
  const values = new Float32Array(length);
  for (let i = 0; i < length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())); // 1 - u is in (0, 1]: the log is finite
    const angle = 2 * Math.PI * uniform();
    values[i] = radius * Math.cos(angle);
    if (i + 1 < length) values[i + 1] = radius * Math.sin(angle);
  }
  return values;
}

/** A fresh seed: any uint32, so MIN_SEED..MAX_SEED of limits.js. */
export function randomSeed() {
  return crypto.getRandomValues(new Uint32Array(1))[0];
}
