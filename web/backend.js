/** Choosing the TF.js backend: the order to try, measuring each, remembering the fastest per model, saying which runs. */

import { AUTO_BACKEND } from './limits.js';

export const TUNE_BATCH = 100; // digits per run when measuring, as on the default page
export const QUICK_BATCH = 10; // the first look at each backend
const QUICK_MS = 150;
export const TUNE_STORAGE_KEY = 'gan-demo:backend';

/** The backends to try, `first` (when available) then the others in their usual order. */
export function backendOrder(available, first) {
  const order = first && available.includes(first) ? [first] : [];
  return order.concat(available.filter((name) => name !== first));
}

/** What identifies an export for the remembered backend choice: its file digests when it has them. */
export function modelKey(metadata) {
  if (metadata.sha256) return JSON.stringify(metadata.sha256);
  const training = metadata.training || {};
  return [metadata.variant, metadata.parameters, metadata.quantization, training.created].join('/');
}

/** The remembered choice for the model with `key` -> {backend, rates, batches}, or null (measure again). */
export function readTuning(storage, key) {
  let saved;
  try {
    saved = JSON.parse(storage.getItem(TUNE_STORAGE_KEY) || 'null');
  } catch {
    return null; // storage disabled or a stale value
  }
  if (!saved || typeof saved !== 'object' || saved.key !== key || typeof saved.backend !== 'string') return null;
  const { backend, rates, batches } = saved;
  return { backend, rates, batches };
}

/** The last remembered backend whatever the model: the first to start while the model downloads. */
export function rememberedBackend(storage) {
  try {
    const saved = JSON.parse(storage.getItem(TUNE_STORAGE_KEY) || 'null');
    return saved && typeof saved.backend === 'string' ? saved.backend : null;
  } catch {
    return null;
  }
}

export function saveTuning(storage, key, tuning) {
  try {
    storage.setItem(TUNE_STORAGE_KEY, JSON.stringify({ key, ...tuning }));
  } catch {
    // storage disabled: measure again next time
  }
}

/** Rates by backend -> the fastest one's name (`fallback` when none was measured). */
export function fastest(rates, fallback) {
  const names = Object.keys(rates);
  if (!names.length) return fallback;
  return names.reduce((best, name) => (rates[name] > rates[best] ? name : best));
}

/**
 * The backend line: "backend wasm (SIMD, 1 thread) · fastest of wasm 2,700/s, cpu 90/s (batch 10)".
 * described: the running backend in words; choice: the state's backend; tuning: measured rates or null.
 */
export function backendText(described, choice, tuning) {
  const text = `backend ${described}`;
  if (choice !== AUTO_BACKEND) return text;
  const rates = tuning && tuning.rates;
  if (!rates) return `${text} · auto`;
  const parts = Object.entries(rates).map(([name, rate]) => {
    const batch = tuning.batches && tuning.batches[name];
    const note = batch && batch !== TUNE_BATCH ? ` (batch ${batch})` : '';
    return `${name} ${rate.toLocaleString('en')}/s${note}`;
  });
  return `${text} · fastest of ${parts.join(', ')}`;
}

/**
 * Measure every backend the page has (gen: generator.js) with `generator`, switch to the fastest
 * -> {backend, rates, batches}. A quick look at QUICK_BATCH first: a backend several times slower
 * than the best so far is not worth blocking the page for a full TUNE_BATCH measurement.
 * Each measurement is its own task on `queue` (the page's), which switches to the backend measured and
 * back: the page's own work runs between two of them, on its usual backend. `pause()` is awaited
 * before each (the page waits for the visitor to be idle).
 */
export async function measureBackends(gen, generator, { queue, pause = async () => {} }) {
  const before = gen.currentBackend();
  const rates = {};
  const batches = {};
  let bestQuick = 0;
  const measure = (name, batch, budgetMs) =>
    queue.run(async () => {
      const home = gen.currentBackend();
      try {
        return (await gen.useBackend(name)) ? await gen.measureRate(generator, batch, budgetMs) : null;
      } finally {
        await gen.useBackend(home);
      }
    });
  for (const name of gen.registeredBackends()) {
    await pause();
    const quick = await measure(name, QUICK_BATCH, QUICK_MS);
    if (quick === null) continue;
    const full = quick >= bestQuick / 3;
    if (full) await pause();
    rates[name] = Math.round(full ? await measure(name, TUNE_BATCH) : quick);
    batches[name] = full ? TUNE_BATCH : QUICK_BATCH;
    bestQuick = Math.max(bestQuick, quick);
  }
  const backend = fastest(rates, before);
  await queue.run(() => gen.useBackend(backend));
  return { backend, rates, batches };
}

/** localStorage, or null where the browser refuses it (the functions above then remember nothing). */
export function pageStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
