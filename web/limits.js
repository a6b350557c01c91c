/** The page's limits and defaults in one place: code and every message that states a range read them here. */

export const MIN_COUNT = 1;
export const MAX_COUNT = 400; // digits per grid
export const DEFAULT_COUNT = 100;

export const MIN_SEED = 0;
export const MAX_SEED = 0xffffffff; // seeds are uint32: the PRNG keeps 32 bits of state
export const SEED_DIGITS = String(MAX_SEED).length; // the longest seed text that can be one

export const MAX_COLUMNS = 20; // grid columns when one digit (or an unconditional model) fills the grid

// TF.js backends the page can use, in the order tried when none is asked for (WASM is fastest
// for these small models on CPUs); 'auto' measures them and keeps the fastest.
export const BACKENDS = ['wasm', 'webgl', 'cpu'];
export const AUTO_BACKEND = 'auto';
export const BACKEND_CHOICES = [AUTO_BACKEND, ...BACKENDS];

/** "1 to 400": how a range is written in the page's messages. */
export function rangeText(low, high) {
  return `${low} to ${high}`;
}
