/** The page's shareable state (?model=…&seed=…&digit=…&count=…&backend=…): parsing, clamping and writing back. */

import {
  AUTO_BACKEND,
  BACKEND_CHOICES,
  DEFAULT_COUNT,
  MAX_COUNT,
  MAX_SEED,
  MIN_COUNT,
  MIN_SEED,
  SEED_DIGITS,
  rangeText,
} from './limits.js';

const WHOLE_NUMBER = /^\d+$/;
const SEED_RANGE = `a whole number from ${rangeText(MIN_SEED, MAX_SEED)}`;
const COUNT_RANGE = `a whole number from ${rangeText(MIN_COUNT, MAX_COUNT)}`;

/** The backend asked for in the URL -> {backend, notices}; read before the metadata arrives. */
export function parseBackend(params) {
  const raw = params.get('backend');
  if (raw === null || raw === '' || BACKEND_CHOICES.includes(raw)) {
    return { backend: raw || AUTO_BACKEND, notices: [] };
  }
  return {
    backend: AUTO_BACKEND,
    notices: [`backend=${quote(raw)} is not one of ${BACKEND_CHOICES.join(', ')}; choosing automatically.`],
  };
}

/**
 * URL parameters -> {state, notices}. Bad values never stop the page: each is clamped or replaced by
 * its default, and a notice says so. `numClasses` is 0 for an unconditional model.
 * state: {seed: uint32 | null (pick one), digit: 'all' | 0..numClasses-1 | null, count, backend}.
 */
export function parseState(params, numClasses) {
  const notices = [];
  const { backend, notices: backendNotices } = parseBackend(params);
  notices.push(...backendNotices);

  let seed = null;
  const rawSeed = params.get('seed');
  if (rawSeed !== null && rawSeed.trim() !== '') {
    seed = parseSeed(rawSeed);
    if (seed === null) notices.push(`seed=${quote(rawSeed)} is not ${SEED_RANGE}; using a random seed.`);
  }

  let digit = numClasses > 0 ? 'all' : null;
  const rawDigit = params.get('digit');
  if (rawDigit !== null && rawDigit !== '' && rawDigit !== 'all') {
    const value = WHOLE_NUMBER.test(rawDigit.trim()) ? Number(rawDigit) : NaN;
    if (numClasses === 0) {
      notices.push(`digit=${quote(rawDigit)} ignored: this model is unconditional, it cannot be asked for a digit.`);
    } else if (Number.isInteger(value) && value < numClasses) {
      digit = value;
    } else {
      notices.push(
        `digit=${quote(rawDigit)} is not a digit from ${rangeText(0, numClasses - 1)}; showing all of them.`,
      );
    }
  }

  let count = DEFAULT_COUNT;
  const rawCount = params.get('count');
  if (rawCount !== null && rawCount.trim() !== '') {
    const text = rawCount.trim();
    const value = WHOLE_NUMBER.test(text) ? Number(text) : NaN;
    if (Number.isNaN(value)) {
      const shown = fitCount(count, digit, numClasses);
      notices.push(`count=${quote(rawCount)} is not a whole number; showing ${shown} digits.`);
    } else {
      count = clampCount(value);
      if (count !== value) {
        const shown = fitCount(count, digit, numClasses);
        notices.push(`count=${quote(rawCount)} is outside ${MIN_COUNT}–${MAX_COUNT}; showing ${shown}.`);
      }
    }
  }
  return { state: { seed, digit, count: fitCount(count, digit, numClasses), backend }, notices };
}

/** A seed typed by a person or read from the URL -> uint32, or null when it is not one. */
export function parseSeed(text) {
  const trimmed = String(text).trim();
  if (!WHOLE_NUMBER.test(trimmed) || trimmed.length > SEED_DIGITS) return null;
  const value = Number(trimmed);
  return value <= MAX_SEED ? value : null;
}

/** Any number -> a whole count in MIN_COUNT..MAX_COUNT (DEFAULT_COUNT for NaN and infinities). */
export function clampCount(value) {
  if (!Number.isFinite(value)) return DEFAULT_COUNT;
  return Math.min(MAX_COUNT, Math.max(MIN_COUNT, Math.round(value)));
}

/** "All digits" shows one row per class, so the count is rounded up to a whole number of rows. */
export function fitCount(count, digit, numClasses) {
  if (digit !== 'all' || numClasses <= 0) return count;
  const rows = numClasses;
  const perRow = Math.max(1, Math.ceil(count / rows));
  return Math.min(perRow, Math.floor(MAX_COUNT / rows)) * rows;
}

/**
 * The count field's text -> {count, notice}: count is null (keep the current one) when the text is
 * not a number; notice is '' when the count shown is the one typed.
 */
export function countFromInput(text, digit, numClasses) {
  const value = Number(text);
  if (String(text).trim() === '' || !Number.isFinite(value)) {
    return { count: null, notice: `Count must be ${COUNT_RANGE}.` };
  }
  const count = fitCount(clampCount(value), digit, numClasses);
  return { count, notice: count === value ? '' : `Count ${value} became ${count}.` };
}

/** The seed field's text -> {seed, notice}: seed is null (keep `current`) when the text is not a seed. */
export function seedFromInput(text, current) {
  const seed = parseSeed(text);
  const notice = seed === null ? `Seed ${JSON.stringify(text)} is not ${SEED_RANGE}; kept ${current}.` : '';
  return { seed, notice };
}

/**
 * {seed, digit, count} given by a script -> {state, notices}, checked exactly as the URL is.
 * A field not given keeps `current`'s (a new `seed` when none is given); the backend is kept.
 */
export function stateFromOptions(options, current, numClasses, newSeed) {
  const params = new URLSearchParams();
  params.set('seed', String(options.seed ?? newSeed));
  params.set('count', String(options.count ?? current.count));
  const digit = options.digit ?? current.digit;
  if (digit !== null) params.set('digit', String(digit));
  const { state, notices } = parseState(params, numClasses);
  return { state: { ...current, ...state, backend: current.backend }, notices };
}

/**
 * The state after switching to a model with `numClasses` classes -> {state, notices}: the seed, count,
 * backend and model name are kept, and the class where the new model has it; a class it lacks becomes
 * 'all' (with a notice), and the count is fitted to the new model's rows.
 */
export function carryState(state, numClasses) {
  const notices = [];
  let digit = state.digit;
  if (numClasses === 0) digit = null;
  else if (digit === null) digit = 'all';
  else if (digit !== 'all' && !(digit < numClasses)) {
    notices.push(`This model has no class ${digit} (its classes are ${rangeText(0, numClasses - 1)}); showing all.`);
    digit = 'all';
  }
  return { state: { ...state, digit, count: fitCount(state.count, digit, numClasses) }, notices };
}

/** state -> "?model=…&seed=…&digit=…&count=…" (model when known, backend only when not automatic). */
export function stateToSearch(state) {
  const params = new URLSearchParams();
  if (state.model) params.set('model', state.model);
  params.set('seed', String(state.seed));
  if (state.digit !== null) params.set('digit', String(state.digit));
  params.set('count', String(state.count));
  if (state.backend && state.backend !== AUTO_BACKEND) params.set('backend', state.backend);
  return `?${params}`;
}

function quote(text) {
  const shown = String(text).length > 24 ? `${String(text).slice(0, 24)}…` : String(text);
  return JSON.stringify(shown);
}
