// Runs web/upscale.js for tests/test_upscale_js.py. stdin: {"low_res": [[...49 values] per image], "images":
// [[...784 values in 0..1] per image]}; stdout: {"bicubic": [[...784] per image], "downsampled": [[...49] per image]}.
import { readFileSync } from 'node:fs';

import { areaDownsample, bicubicUpscale } from '../../web/upscale.js';

const { low_res: lowRes, images } = JSON.parse(readFileSync(0, 'utf8'));
const split = (values, size) =>
  Array.from({ length: values.length / size }, (_, k) => Array.from(values.slice(k * size, (k + 1) * size)));
const bicubic = bicubicUpscale(Float32Array.from(lowRes.flat()), 7, 7);
const downsampled = areaDownsample(Float32Array.from(images.flat()), 28, 28);
process.stdout.write(JSON.stringify({ bicubic: split(bicubic, 784), downsampled: split(downsampled, 49) }));
