/** Fetching and checking one exported model: its metadata.json, model.json and weight shards; no tensors here. */

import { inputProblems } from './inputs.js';
import { formatError, validate } from './schema.js';

// Beside the page's modules and index.html: the page works at a host's root or under any sub-path.
export const EXPORT_URL = new URL('exported/', import.meta.url).href;
// Hashed files are fetched as <file>?v=<sha256 prefix>: a rebuilt model's new URLs never meet an old cached shard.
export const VERSION_CHARS = 16;
export const METADATA_FORMAT = 'keras-gan-tfjs';
export const METADATA_FORMAT_VERSION = 2;
// The contract metadata.json follows, served beside this module; pipeline/contract.py writes against it too.
export const SCHEMA_URL = new URL('metadata.schema.json', import.meta.url).href;
// Failures named in the page's message; the rest are summarised by their count.
const SHOWN_PROBLEMS = 3;
const REQUEST_TIMEOUT_MS = 30000;

// Bytes per stored value, by dtype (or by quantization dtype when the weights are quantized).
const DTYPE_BYTES = { float32: 4, int32: 4, bool: 1, complex64: 8 };
const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 };

/** A load failure the page explains: `kind` picks the title, `message` says what and what to do. */
export class LoadError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = 'LoadError';
    this.kind = kind;
  }
}

/** fetch with a timeout; a network failure becomes a LoadError naming the file. */
export async function request(url, what, options = {}) {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    return await fetch(url, { ...options, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) {
      const seconds = REQUEST_TIMEOUT_MS / 1000;
      throw new LoadError('network', `The server did not answer within ${seconds} s while loading ${what}.`);
    }
    throw lostConnection(what, error);
  } finally {
    clearTimeout(timer);
  }
}

function lostConnection(what, error) {
  return new LoadError(
    'network',
    `The connection to the server broke while loading ${what} (${error.message}). ` +
      'Is the server (`python -m pipeline.serve`, or the host of the site) still running? Reload the page once it is.',
  );
}

/** A whole response body; a connection cut mid-body is a LoadError too. */
export async function readBody(response, what, kind) {
  try {
    return await (kind === 'json' ? response.text() : response.arrayBuffer());
  } catch (error) {
    throw lostConnection(what, error);
  }
}

/**
 * A model's metadata.json (its URL, e.g. exported/cgan/metadata.json, as the index names it) -> the
 * checked metadata object, with modelUrl added. A 404 there is told apart: no model in that folder
 * ("model missing") or a model without its metadata.
 */
export async function loadMetadata(metadataUrl) {
  const url = new URL(metadataUrl, location.href);
  const folder = shownFolder(url); // exported/cgan/
  const schema = loadSchema(SCHEMA_URL, 'metadata.schema.json'); // in parallel with metadata.json
  schema.catch(() => {}); // reported where it is awaited, unless an earlier failure is
  const response = await request(url, 'metadata.json');
  if (response.status === 404) {
    const probe = await request(new URL('model.json', url), 'model.json', { method: 'HEAD' });
    if (probe.ok) {
      throw new LoadError(
        'metadata-missing',
        `${folder}model.json is there but ${folder}metadata.json is not, so the page cannot tell how to ` +
          'drive the generator. Re-run the export to write both.',
      );
    }
    throw new LoadError(
      'model-missing',
      `exported/index.json lists a model in ${folder}, but nothing is there. Train and export it again ` +
        '(see the README), then reload this page.',
    );
  }
  if (!response.ok) {
    throw new LoadError('metadata-invalid', `metadata.json could not be loaded: HTTP ${response.status}.`);
  }
  const text = await readBody(response, 'metadata.json', 'json');
  let metadata;
  try {
    metadata = JSON.parse(text);
  } catch (error) {
    throw new LoadError('metadata-invalid', `metadata.json is not valid JSON (${error.message}).`);
  }
  checkMetadata(metadata, await schema);
  metadata.modelUrl = new URL(metadata.model_file, url).href;
  return metadata;
}

/** The page's copy of a schema (`name`, at `url`); a page without it is incomplete, not the export. */
export async function loadSchema(url, name) {
  const response = await request(url, name);
  if (!response.ok) {
    throw new LoadError(
      'runtime',
      `The page's own ${name} could not be loaded (HTTP ${response.status}), so it cannot check ` +
        'the export. Serve the whole page: `python -m pipeline.serve`, or a site from `python -m pipeline.site`.',
    );
  }
  const text = await readBody(response, name, 'json');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LoadError('runtime', `The page's ${name} is not valid JSON (${error.message}).`);
  }
}

/**
 * Throws a LoadError unless `document` is an object of this format and `version` that follows `schema`
 * and in which `moreProblems(document)`, what the schema cannot say, finds nothing. `name` is the file
 * as the page's messages name it, `models` what to re-export; a bad field is a LoadError of `kind`
 * listing the first SHOWN_PROBLEMS found in `file`, then `advice`.
 */
export function checkDocument(
  document,
  schema,
  { name, kind, versionKind, version, models, moreProblems, file, advice },
) {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) {
    throw new LoadError(kind, `${name} does not hold a JSON object.`);
  }
  // Format and version first: a document of another version is told as such, not as broken fields.
  if (document.format !== METADATA_FORMAT) {
    throw new LoadError(
      kind,
      `${name} has format ${JSON.stringify(document.format)}; this page reads ${JSON.stringify(METADATA_FORMAT)}.`,
    );
  }
  if (document.format_version !== version) {
    throw new LoadError(
      versionKind,
      `${name} has format_version ${JSON.stringify(document.format_version)}; this page understands ` +
        `version ${version} only. Re-export ${models} with this version of the project, or update the page.`,
    );
  }
  const problems = validate(schema, document).map(formatError);
  if (!problems.length) problems.push(...moreProblems(document));
  if (problems.length) {
    const more = problems.length > SHOWN_PROBLEMS ? ` (and ${problems.length - SHOWN_PROBLEMS} more)` : '';
    throw new LoadError(kind, `${file}: ${problems.slice(0, SHOWN_PROBLEMS).join('; ')}${more}. ${advice}`);
  }
}

/**
 * Throws a LoadError unless `metadata` is a format_version 2 document that follows `schema`
 * (metadata.schema.json) and whose fields agree with each other. The message names the bad fields.
 */
export function checkMetadata(metadata, schema) {
  checkDocument(metadata, schema, {
    name: 'metadata.json',
    kind: 'metadata-invalid',
    versionKind: 'format-version',
    version: METADATA_FORMAT_VERSION,
    models: 'the model',
    moreProblems: consistencyProblems,
    file: 'metadata.json',
    advice: 'Re-run the export to write a metadata.json this page can use.',
  });
}

/** What the schema cannot say: fields that must agree (see its $comment). `metadata` follows the schema. */
export function consistencyProblems(metadata) {
  const problems = [];
  if (metadata.class_names.length !== metadata.num_classes) {
    const count = metadata.class_names.length;
    problems.push(`class_names must name each of the ${metadata.num_classes} classes (got ${count})`);
  }
  problems.push(...inputProblems(metadata)); // noise, label when conditional, noise planes; or [low_res]
  const [low, high] = metadata.output_range;
  if (!(low < high)) problems.push(`output_range must be [low, high] with low < high (got [${low}, ${high}])`);
  return problems;
}

/**
 * Compare each file with the sha256 that metadata.json recorded for it at export time, which
 * catches a shard from another export or one corrupted without changing its size (the schema
 * requires the digests). Skipped when the page is not a secure context (crypto.subtle is then absent).
 * files: [name, ArrayBuffer] pairs.
 */
async function checkDigests(metadata, files) {
  const digests = metadata.sha256;
  if (!digests || typeof digests !== 'object' || !(globalThis.crypto && crypto.subtle)) return;
  for (const [name, buffer] of files) {
    if (typeof digests[name] !== 'string') continue;
    const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', buffer));
    const hex = Array.from(hash, (byte) => byte.toString(16).padStart(2, '0')).join('');
    if (hex !== digests[name].toLowerCase()) {
      const kind = name.endsWith('.json') ? 'model-corrupt' : 'shard-corrupt';
      throw new LoadError(
        kind,
        `${name} is not the file metadata.json was exported with (its sha256 differs): it is corrupt or ` +
          'from another export. Re-run the export.',
      );
    }
  }
}

/** `url` (URL or string) with ?v=<the first VERSION_CHARS hex digits of `digest`>; unchanged without one. */
export function versioned(url, digest) {
  const out = new URL(url);
  if (typeof digest === 'string' && digest) out.searchParams.set('v', digest.slice(0, VERSION_CHARS).toLowerCase());
  return out;
}

/** A model's folder as messages name it: relative to the page's folder (exported/cgan/), else in full. */
function shownFolder(url) {
  const [folder, base] = [new URL('.', url).href, new URL('..', EXPORT_URL).href];
  return folder.startsWith(base) ? folder.slice(base.length) : folder;
}

/** The bytes a weight entry of the manifest takes in its shard. */
function weightBytes(spec) {
  const count = (spec.shape || []).reduce((product, size) => product * size, 1);
  const bytes = spec.quantization ? QUANTIZED_BYTES[spec.quantization.dtype] : DTYPE_BYTES[spec.dtype];
  if (!bytes) throw new LoadError('model-corrupt', `model.json: weight ${spec.name} has an unsupported dtype.`);
  return count * bytes;
}

/**
 * model.json and its shards -> {modelTopology, weightSpecs, weightData, ...} for tf.io.fromMemory.
 * Every shard group is checked against the byte count its manifest implies, so a truncated or
 * padded shard is reported by name instead of silently producing a broken generator.
 * onProgress(loadedBytes) is called as files arrive.
 */
export async function loadModelArtifacts(metadata, onProgress = () => {}) {
  const modelUrl = new URL(metadata.modelUrl);
  const modelName = metadata.model_file.split('/').pop();
  const response = await request(versioned(modelUrl, metadata.sha256?.[modelName]), 'model.json');
  if (response.status === 404) {
    throw new LoadError(
      'model-missing',
      `metadata.json names ${metadata.model_file}, but it is not in ${shownFolder(modelUrl)}. ` + 'Re-run the export.',
    );
  }
  if (!response.ok) throw new LoadError('model-corrupt', `model.json could not be loaded: HTTP ${response.status}.`);
  const modelBytes = await readBody(response, 'model.json', 'binary');
  let loaded = modelBytes.byteLength;
  onProgress(loaded);
  let model;
  try {
    model = JSON.parse(new TextDecoder().decode(modelBytes));
  } catch (error) {
    throw new LoadError(
      'model-corrupt',
      `model.json is corrupt: it is not valid JSON (${error.message}). Re-run the export.`,
    );
  }
  if (!model || typeof model !== 'object' || !model.modelTopology || !Array.isArray(model.weightsManifest)) {
    throw new LoadError(
      'model-corrupt',
      'model.json is corrupt: it has no modelTopology or weightsManifest. Re-run the export.',
    );
  }
  if (model.format && model.format !== 'layers-model') {
    throw new LoadError('model-corrupt', `model.json is a ${model.format}; this page needs a TF.js layers-model.`);
  }

  const groups = model.weightsManifest.map((group) => {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights)) {
      throw new LoadError('model-corrupt', 'model.json is corrupt: a weightsManifest entry has no paths or weights.');
    }
    const folder = new URL('.', modelUrl).href; // the model's own folder, .../exported/<name>/
    const urls = group.paths.map((path) => {
      const url = new URL(path, modelUrl);
      if (url.search || url.hash || !url.href.startsWith(folder) || !folder.startsWith(EXPORT_URL)) {
        const shown = shownFolder(modelUrl);
        throw new LoadError('model-corrupt', `model.json names a shard outside ${shown}: ${JSON.stringify(path)}.`);
      }
      return versioned(url, metadata.sha256?.[path]);
    });
    const expected = group.weights.reduce((sum, spec) => sum + weightBytes(spec), 0);
    return { group, urls, expected };
  });

  // Fetch every shard at once; each group's shards are concatenated in manifest order.
  const buffers = await Promise.all(
    groups.map(({ group, urls }) =>
      Promise.all(
        urls.map(async (url, index) => {
          const name = group.paths[index];
          const shard = await request(url, name);
          if (shard.status === 404) {
            throw new LoadError(
              'shard-missing',
              `The weight file ${name} named by model.json is missing. Re-run the export.`,
            );
          }
          if (!shard.ok) {
            throw new LoadError('shard-corrupt', `The weight file ${name} could not be loaded: HTTP ${shard.status}.`);
          }
          const body = await readBody(shard, name, 'binary');
          loaded += body.byteLength;
          onProgress(loaded);
          return body;
        }),
      ),
    ),
  );

  const sizes = groups.map((entry, index) => {
    const got = buffers[index].reduce((sum, buffer) => sum + buffer.byteLength, 0);
    if (got !== entry.expected) {
      throw new LoadError(
        'shard-corrupt',
        `The weights in ${entry.group.paths.join(', ')} are ${got.toLocaleString('en')} bytes but model.json ` +
          `describes ${entry.expected.toLocaleString('en')}: the file is truncated or corrupt. Re-run the export.`,
      );
    }
    return got;
  });
  await checkDigests(
    metadata,
    [[modelName, modelBytes]].concat(
      groups.flatMap(({ group }, g) => group.paths.map((path, i) => [path, buffers[g][i]])),
    ),
  );
  const weightData = new Uint8Array(sizes.reduce((sum, size) => sum + size, 0));
  let offset = 0;
  for (const parts of buffers) {
    for (const buffer of parts) {
      weightData.set(new Uint8Array(buffer), offset);
      offset += buffer.byteLength;
    }
  }
  return {
    modelTopology: model.modelTopology,
    format: model.format,
    generatedBy: model.generatedBy,
    convertedBy: model.convertedBy,
    weightSpecs: model.weightsManifest.flatMap((group) => group.weights),
    weightData: weightData.buffer,
    bytes: loaded,
  };
}
