/** Saving what the page drew as PNG files: canvases composed and scaled up crisply, then canvas.toBlob -> object URL -> <a download>. */

export const PNG_SCALE = 4; // each image pixel becomes 4x4 file pixels: crisp in any image viewer
const GAP = 1; // image pixels between two grid cells

/** Save `canvas` as `filename`, each pixel `scale` x `scale`; resolves once the download has started. */
export async function downloadCanvas(canvas, filename, scale = PNG_SCALE) {
  const scaled = document.createElement('canvas');
  scaled.width = canvas.width * scale;
  scaled.height = canvas.height * scale;
  const context = scaled.getContext('2d');
  context.imageSmoothingEnabled = false; // nearest neighbour: square pixels, not a blur
  context.drawImage(canvas, 0, 0, scaled.width, scaled.height);
  const blob = await new Promise((resolve, reject) =>
    scaled.toBlob(
      (png) => (png ? resolve(png) : reject(new Error('The browser could not encode the PNG.'))),
      'image/png',
    ),
  );
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0); // the download holds its own reference by now
}

/** canvases (all the size of the first) on one black canvas, `columns` per row, GAP pixels apart. */
export function sheet(canvases, columns) {
  const [width, height] = canvases.length ? [canvases[0].width, canvases[0].height] : [1, 1];
  const rows = Math.max(1, Math.ceil(canvases.length / columns));
  const out = document.createElement('canvas');
  out.width = columns * width + (columns - 1) * GAP;
  out.height = rows * height + (rows - 1) * GAP;
  const context = out.getContext('2d');
  context.fillStyle = '#000';
  context.fillRect(0, 0, out.width, out.height);
  canvases.forEach((canvas, i) => {
    context.drawImage(canvas, (i % columns) * (width + GAP), Math.floor(i / columns) * (height + GAP));
  });
  return out;
}

/** Save the digits of `grid` (its element, laid out by canvas.js layoutDigits) as `filename`, row by row as shown. */
export function downloadGrid(grid, filename) {
  const cells = Array.from(grid.querySelectorAll('canvas'));
  const columns = Number(grid.style.getPropertyValue('--columns')) || cells.length || 1;
  return downloadCanvas(sheet(cells, columns), filename);
}

/** The grid's file name, from the view the address bar names (`search`: location.search): "cgan-seed-42-digit-7-count-12.png". */
export function gridFilename(search) {
  const params = new URLSearchParams(search);
  const parts = ['seed', 'digit', 'count'].filter((key) => params.has(key)).map((key) => `${key}-${params.get(key)}`);
  return [params.get('model') || 'digits', ...parts].join('-').replace(/[^A-Za-z0-9._-]/g, '_') + '.png';
}
