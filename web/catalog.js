/** The model index, exported/index.json: fetching and checking it, choosing the model the URL names, downloading it and the models beside it. */

import {
  EXPORT_URL,
  LoadError,
  checkDocument,
  loadMetadata,
  loadModelArtifacts,
  loadSchema,
  readBody,
  request,
  versioned,
} from './loader.js';

export const INDEX_FORMAT_VERSION = 2;
// The contract index.json follows, served beside this module; pipeline/contract.py update_index writes against it.
export const INDEX_SCHEMA_URL = new URL('index.schema.json', import.meta.url).href;
export const MODEL_PARAM = 'model'; // ?model=<name> picks a model of the index
const NO_MODEL = 'Train and export one (see the README), then reload this page.';

/**
 * exported/index.json -> {index, url}: the checked index (at least one model) and its address, which
 * each model's metadata path is relative to.
 */
export async function loadIndex(baseUrl = EXPORT_URL) {
  const url = new URL('index.json', new URL(baseUrl, location.href));
  const schema = loadSchema(INDEX_SCHEMA_URL, 'index.schema.json'); // in parallel with index.json
  schema.catch(() => {}); // reported where it is awaited, unless an earlier failure is
  const response = await request(url, 'index.json');
  if (response.status === 404) {
    throw new LoadError(
      'model-missing',
      `No exported model was found: exported/index.json is missing (exports older than format ${INDEX_FORMAT_VERSION} ` +
        `have none). ${NO_MODEL}`,
    );
  }
  if (!response.ok) {
    throw new LoadError('index-invalid', `exported/index.json could not be loaded: HTTP ${response.status}.`);
  }
  const text = await readBody(response, 'index.json', 'json');
  let index;
  try {
    index = JSON.parse(text);
  } catch (error) {
    throw new LoadError('index-invalid', `exported/index.json is not valid JSON (${error.message}).`);
  }
  checkIndex(index, await schema);
  if (index.models.length === 0)
    throw new LoadError('model-missing', `exported/index.json lists no model. ${NO_MODEL}`);
  return { index, url: url.href };
}

/**
 * Throws a LoadError unless `index` is a format_version 2 index that follows `schema` (index.schema.json)
 * and names each model once, in its own folder. The message names the bad fields.
 */
export function checkIndex(index, schema) {
  checkDocument(index, schema, {
    name: 'exported/index.json',
    kind: 'index-invalid',
    versionKind: 'index-format-version',
    version: INDEX_FORMAT_VERSION,
    models: 'the models',
    moreProblems: indexProblems,
    file: 'index.json',
    advice: 'Re-run an export to rewrite exported/index.json.',
  });
}

/** What index.schema.json cannot say (see its $comment); `index` follows the schema. */
export function indexProblems(index) {
  const problems = [];
  const seen = new Set();
  index.models.forEach((model, position) => {
    if (seen.has(model.name)) problems.push(`models[${position}].name ${JSON.stringify(model.name)} is listed twice`);
    seen.add(model.name);
    const expected = `${model.name}/metadata.json`;
    if (model.metadata !== expected) {
      problems.push(`models[${position}].metadata must be ${expected}, not ${JSON.stringify(model.metadata)}`);
    }
  });
  return problems;
}

/**
 * The model that URL parameters name -> {entry, notices}: the index's entry for ?model=<name>, else
 * its first (the default) one; an unknown name gives the default with a notice saying so.
 */
export function chooseModel(index, params) {
  const [first] = index.models;
  const name = params.get(MODEL_PARAM);
  if (name === null || name === '') return { entry: first, notices: [] };
  const entry = index.models.find((model) => model.name === name);
  if (entry) return { entry, notices: [] };
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  const known = index.models.map((model) => model.name).join(', ');
  return {
    entry: first,
    notices: [`model=${JSON.stringify(shown)} is not an exported model (${known}); showing ${first.name}.`],
  };
}

/** The model picker's text for an index entry: "cgan — MNIST · conditional GAN (ask for any class)". */
export function modelLabel(entry) {
  return `${entry.name} — ${entry.description}`;
}

/** An entry's metadata.json as an absolute URL (its path is relative to index.json at `indexUrl`). */
export function metadataUrl(entry, indexUrl) {
  return new URL(entry.metadata, indexUrl).href;
}

/**
 * An index entry -> {entry, metadata, artifacts}: its metadata.json, then model.json and the shards
 * (loader.js checks them all). onMetadata(metadata) once the metadata is checked; onProgress(percent).
 */
export async function downloadModel(entry, indexUrl, { onMetadata = () => {}, onProgress = () => {} } = {}) {
  const metadata = await loadMetadata(metadataUrl(entry, indexUrl));
  onMetadata(metadata);
  const total = metadata.model_bytes;
  const artifacts = await loadModelArtifacts(metadata, (loaded) => {
    onProgress(Math.min(100, Math.round((100 * loaded) / total)));
  });
  return { entry, metadata, artifacts };
}

/**
 * A TF.js layers model in a file beside `baseUrl` (a metadata.json or timeline.json): modelFile relative to
 * it, each file fetched as <file>?v=<its hash> from `digests` (paths relative to baseUrl -> sha256), so a
 * rebuilt model's files never mix with cached ones. Needs the global tf (call it once TF.js is there).
 */
export function loadBeside(baseUrl, modelFile, digests = {}) {
  const base = new URL(baseUrl, location.href);
  const folder = modelFile.split('/').slice(0, -1).join('/');
  const fileUrl = (name) => versioned(new URL(name, base), digests[name]).href;
  return globalThis.tf.loadLayersModel(
    globalThis.tf.io.http(fileUrl(modelFile), {
      weightUrlConverter: async (path) => fileUrl(folder ? `${folder}/${path}` : path),
    }),
  );
}
