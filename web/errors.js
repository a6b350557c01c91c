/** The kinds of failure the page explains, and the title shown for each. */

export const ERROR_KINDS = Object.freeze({
  MODEL_MISSING: 'model-missing',
  INDEX_INVALID: 'index-invalid',
  INDEX_FORMAT_VERSION: 'index-format-version',
  METADATA_MISSING: 'metadata-missing',
  METADATA_INVALID: 'metadata-invalid',
  FORMAT_VERSION: 'format-version',
  MODEL_CORRUPT: 'model-corrupt',
  SHARD_MISSING: 'shard-missing',
  SHARD_CORRUPT: 'shard-corrupt',
  NETWORK: 'network',
  UNSUPPORTED: 'unsupported',
  TFJS_MISSING: 'tfjs-missing',
  BACKEND: 'backend',
  RUNTIME: 'runtime',
});

export const ERROR_TITLES = Object.freeze({
  [ERROR_KINDS.MODEL_MISSING]: 'Model missing',
  [ERROR_KINDS.INDEX_INVALID]: 'Unreadable model index',
  [ERROR_KINDS.INDEX_FORMAT_VERSION]: 'Unknown model index format version',
  [ERROR_KINDS.METADATA_MISSING]: 'Metadata missing',
  [ERROR_KINDS.METADATA_INVALID]: 'Unreadable metadata',
  [ERROR_KINDS.FORMAT_VERSION]: 'Unknown metadata format version',
  [ERROR_KINDS.MODEL_CORRUPT]: 'Corrupt model',
  [ERROR_KINDS.SHARD_MISSING]: 'Model weights missing',
  [ERROR_KINDS.SHARD_CORRUPT]: 'Corrupt model weights',
  [ERROR_KINDS.NETWORK]: 'Server stopped responding',
  [ERROR_KINDS.UNSUPPORTED]: 'Unsupported browser',
  [ERROR_KINDS.TFJS_MISSING]: 'TensorFlow.js missing',
  [ERROR_KINDS.BACKEND]: 'No TensorFlow.js backend',
  [ERROR_KINDS.RUNTIME]: 'Something went wrong',
});

/**
 * Anything thrown -> {kind, title, message}. A LoadError carries its kind; anything else (or an
 * unknown kind) is a runtime failure, shown with the generic title.
 */
export function describeError(error) {
  const known = error !== null && typeof error === 'object' && Object.hasOwn(ERROR_TITLES, error.kind);
  const kind = known ? error.kind : ERROR_KINDS.RUNTIME;
  const message = (error && error.message) || String(error);
  return { kind, title: ERROR_TITLES[kind], message };
}

/**
 * A failure inside a panel -> one plain sentence for a learner (the page's own errors are already plain;
 * TF.js's are not). backend: the TF.js backend in use, if known.
 */
export function plainError(error, backend) {
  const message = (error && error.message) || String(error);
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (kernel) {
    return (
      `The ${kernel[2]} backend cannot compute a step this panel needs (${kernel[1]}). ` +
      'Choose another backend at the top of the page and try again.'
    );
  }
  if (/memory|allocat/i.test(message)) {
    return `The browser ran out of memory${backend ? ` on the ${backend} backend` : ''}. Close other tabs, or try fewer digits.`;
  }
  if (error instanceof TypeError && /fetch/i.test(message)) {
    return 'A file this panel needs could not be downloaded: is the server still running? Reload the page to try again.';
  }
  return `This panel stopped: ${message}`;
}
