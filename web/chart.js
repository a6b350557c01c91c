/** Small SVG line charts (the training timeline's losses): no library, elements only, styled by style.css. */

const SVG = 'http://www.w3.org/2000/svg';
const [WIDTH, HEIGHT] = [600, 200];
const PAD = { left: 40, right: 10, top: 10, bottom: 24 };

function element(name, attributes = {}, text = null) {
  const node = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

/** A round step for an axis of `span` units: 1, 2 or 5 times a power of ten, about `ticks` of them. */
export function tickStep(span, ticks = 4) {
  const raw = span / ticks;
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw);
}

/**
 * Draw into `svg` (emptied first) the `series`: [{label, className, points: [[x, y], ...]}] over x in
 * [xMin, xMax] and y in yRange ([low, high]; default: the points' own), with a vertical `marker` at x
 * (or none); x is labelled under the axis. -> the chart's x -> pixel function, for tests and the marker.
 */
export function lineChart(svg, { series, xMin, xMax, yRange = null, marker = null }) {
  svg.setAttribute('viewBox', `0 0 ${WIDTH} ${HEIGHT}`);
  const values = series.flatMap((s) => s.points.map(([, y]) => y)).filter(Number.isFinite);
  const [low, top] = yRange || [Math.min(0, ...values), Math.max(...values, 1e-6)];
  const high = top > low ? top : low + 1;
  const x = (value) => PAD.left + ((value - xMin) / Math.max(xMax - xMin, 1e-9)) * (WIDTH - PAD.left - PAD.right);
  const y = (value) => HEIGHT - PAD.bottom - ((value - low) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);
  const nodes = [];
  const step = tickStep(high - low);
  for (let tick = Math.ceil(low / step) * step; tick <= high + 1e-9; tick += step) {
    nodes.push(element('line', { class: 'grid-line', x1: PAD.left, x2: WIDTH - PAD.right, y1: y(tick), y2: y(tick) }));
    const label = Number(tick.toPrecision(3)).toString();
    nodes.push(element('text', { class: 'tick', x: PAD.left - 6, y: y(tick) + 4, 'text-anchor': 'end' }, label));
  }
  const xStep = tickStep(xMax - xMin, 6);
  for (let tick = Math.ceil(xMin / xStep) * xStep; tick <= xMax; tick += xStep) {
    nodes.push(element('text', { class: 'tick', x: x(tick), y: HEIGHT - 8, 'text-anchor': 'middle' }, String(tick)));
  }
  for (const { points, className } of series) {
    const path = points
      .filter(([, value]) => Number.isFinite(value))
      .map(([px, py], i) => `${i ? 'L' : 'M'}${x(px).toFixed(1)},${y(py).toFixed(1)}`)
      .join('');
    if (path) nodes.push(element('path', { class: `series ${className}`, d: path }));
  }
  if (marker !== null) {
    nodes.push(
      element('line', { class: 'marker', x1: x(marker), x2: x(marker), y1: PAD.top, y2: HEIGHT - PAD.bottom }),
    );
  }
  svg.replaceChildren(...nodes);
  return x;
}
