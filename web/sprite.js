/** Real held-out digits for the page's panels: data/heldout-digits.{json,png} (written by pipeline.sprite), loaded once. */

const MANIFEST_URL = new URL('data/heldout-digits.json', import.meta.url).href;

let cached = null; // the promise of the first loadSprite(); dropped when it fails, so a later call retries

/**
 * The sprite -> {images, labels, count, tile, dataset, source}. Fetched on the first call only (the
 * page loads it when a feature first needs it, never before the grid is drawn); later calls share it.
 * images: Float32Array [count * tile * tile], digit k's pixels at k * tile * tile, row by row, in
 * 0..1 with 1 = ink (MNIST's grey level / 255: bright ink on a dark background, as generated digits).
 * labels: the class of each digit; dataset: 'mnist'; source: which test set they come from.
 */
export function loadSprite() {
  if (!cached) {
    cached = readSprite();
    cached.catch(() => {
      cached = null;
    });
  }
  return cached;
}

async function readSprite() {
  const response = await fetch(MANIFEST_URL);
  if (!response.ok) throw new Error(`${MANIFEST_URL} could not be loaded: HTTP ${response.status}`);
  const manifest = await response.json();
  const { count, columns, tile, labels } = manifest;
  if (!(count > 0 && columns > 0 && tile > 0 && Array.isArray(labels) && labels.length === count)) {
    throw new Error(`${MANIFEST_URL} does not describe a sprite (count, columns, tile, labels)`);
  }
  const imageUrl = new URL(manifest.image, new URL(MANIFEST_URL, location.href));
  const picture = await fetch(imageUrl);
  if (!picture.ok) throw new Error(`${imageUrl.pathname} could not be loaded: HTTP ${picture.status}`);
  // No colour conversion: the grey levels must arrive exactly as pipeline.sprite wrote them.
  const bitmap = await createImageBitmap(await picture.blob(), {
    colorSpaceConversion: 'none',
    premultiplyAlpha: 'none',
  });
  const rows = Math.ceil(count / columns);
  if (bitmap.width !== columns * tile || bitmap.height < rows * tile) {
    throw new Error(
      `${imageUrl.pathname} is ${bitmap.width}x${bitmap.height}, not ${columns}x${rows} tiles of ${tile}`,
    );
  }
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(bitmap, 0, 0);
  bitmap.close();
  const rgba = context.getImageData(0, 0, canvas.width, canvas.height).data; // grey PNG: R = G = B
  const images = cutTiles(rgba, canvas.width, count, columns, tile);
  return { images, labels, count, tile, dataset: manifest.dataset, source: manifest.source };
}

/** RGBA bytes of the whole sprite (width px wide) -> Float32Array [count * tile * tile] of red / 255. */
function cutTiles(rgba, width, count, columns, tile) {
  const images = new Float32Array(count * tile * tile);
  for (let k = 0; k < count; k++) {
    const top = Math.floor(k / columns) * tile;
    const left = (k % columns) * tile;
    for (let y = 0; y < tile; y++) {
      for (let x = 0; x < tile; x++) {
        images[(k * tile + y) * tile + x] = rgba[((top + y) * width + left + x) * 4] / 255;
      }
    }
  }
  return images;
}
