/** The morph's arithmetic: slerp weights between two noise vectors and which frame to show when; no DOM, no TF.js. */

/**
 * Per-step weights (wA, wB) of spherical interpolation between vectors a and b, for t = 0..1 in
 * `steps` even steps -> [Float32Array [steps], Float32Array [steps]]. Slerp keeps a Gaussian
 * vector at a typical norm, where a straight line would pass through the low-norm middle.
 * Parallel, antiparallel or zero vectors fall back to the straight line (1 - t, t).
 */
export function slerpWeights(a, b, steps) {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    normA += a[i] * a[i];
    normB += b[i] * b[i];
  }
  const lengths = Math.sqrt(normA * normB);
  // A zero vector has no direction: treat it as parallel, so the walk is the straight line.
  const cosine = lengths > 0 ? Math.min(1, Math.max(-1, dot / lengths)) : 1;
  const omega = Math.acos(cosine);
  const weightsA = new Float32Array(steps);
  const weightsB = new Float32Array(steps);
  for (let step = 0; step < steps; step++) {
    const t = steps === 1 ? 0 : step / (steps - 1);
    if (Math.sin(omega) < 1e-6) {
      weightsA[step] = 1 - t;
      weightsB[step] = t;
    } else {
      weightsA[step] = Math.sin((1 - t) * omega) / Math.sin(omega);
      weightsB[step] = Math.sin(t * omega) / Math.sin(omega);
    }
  }
  return [weightsA, weightsB];
}

/**
 * The frame (0..steps-1) to show `elapsedMs` after the morph started: A to B in `periodMs`, then
 * back, eased (smoothstep) at both ends.
 */
export function morphFrame(elapsedMs, periodMs, steps) {
  const phase = (Math.max(0, elapsedMs) / periodMs) % 2;
  const t = phase < 1 ? phase : 2 - phase;
  const eased = t * t * (3 - 2 * t);
  return Math.round(eased * (steps - 1));
}

/** The frames shown side by side: `shown` of `steps`, evenly spaced, first and last included. */
export function stripFrames(shown, steps) {
  if (shown === 1) return [0];
  return Array.from({ length: shown }, (_, k) => Math.round((k * (steps - 1)) / (shown - 1)));
}
