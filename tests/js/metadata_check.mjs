// Runs the page's metadata and index checks under node for tests/test_metadata_schema.py.
// stdin: {"schema": {...}, "documents": [...], "check": "metadata" | "index"}; stdout: one result per document:
// {"errors": [{"path": "latent_dim", "text": "latent_dim must be ..."}], "page": message or null} where
// `errors` is web/schema.js's verdict and `page` what loader.js's checkMetadata (or catalog.js's checkIndex) would
// show; or {"throws": message} when schema.js cannot validate against the schema at all.

import { readFileSync } from 'node:fs';

import { checkIndex } from '../../web/catalog.js';
import { checkMetadata } from '../../web/loader.js';
import { formatError, formatPath, validate } from '../../web/schema.js';

const { schema, documents, check = 'metadata' } = JSON.parse(readFileSync(0, 'utf8'));
const pageCheck = { metadata: checkMetadata, index: checkIndex }[check];
const results = documents.map((document) => {
  let errors;
  try {
    errors = validate(schema, document).map((error) => ({ path: formatPath(error.path), text: formatError(error) }));
  } catch (error) {
    return { throws: error.message };
  }
  let page = null;
  try {
    pageCheck(structuredClone(document), schema);
  } catch (error) {
    page = `${error.kind}: ${error.message}`;
  }
  return { errors, page };
});
process.stdout.write(JSON.stringify(results));
