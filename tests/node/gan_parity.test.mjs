// web/gan.js's predict against the export check's reference, for tests/test_gan_js.py. The environment
// variable GAN_PARITY_JSON names {"folder": an export folder, "inputs": [[...flat values] per model input],
// "reference": [...flat first output]}: the export check's inputs and what the tensorflowjs package's reload
// of that folder computes from them. Skipped without it (pytest writes it).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';

import * as tf from '@tensorflow/tfjs';

import { loadGAN } from '../../web/gan.js';

const payloadFile = process.env.GAN_PARITY_JSON;

/** fetch for file:// URLs (Node's own refuses them): the file's bytes, or a 404 when it is not there. */
async function readsFiles(url) {
  try {
    return new Response(await readFile(fileURLToPath(url)));
  } catch {
    return new Response(null, { status: 404 });
  }
}

test(
  "gan.predict gives the tensorflowjs reload's outputs within the export's float32 tolerance",
  { skip: payloadFile ? false : 'GAN_PARITY_JSON is not set: run tests/test_gan_js.py' },
  async (t) => {
    const { folder, inputs, reference } = JSON.parse(await readFile(payloadFile, 'utf8'));
    const gan = await loadGAN(pathToFileURL(`${folder}/`), { tf, fetch: readsFiles });
    try {
      const outputs = await gan.predict(inputs.map((values) => Float32Array.from(values)));
      assert.equal(outputs.length, reference.length);
      let worst = 0;
      outputs.forEach((value, i) => (worst = Math.max(worst, Math.abs(value - reference[i]))));
      // Both sides dequantize the same stored weights, so only float32 arithmetic separates them.
      const tolerance = gan.metadata.export_check.tolerance.float32;
      t.diagnostic(`max |diff| = ${worst} (tolerance ${tolerance}, ${outputs.length} values)`);
      assert.ok(worst <= tolerance, `max |diff| ${worst} > ${tolerance}`);
    } finally {
      gan.dispose();
    }
  },
);
