/** The drawing pad: strokes from pointer events (mouse, touch, pen) on a canvas, undo and clear, and the strokes rendered large for mnistify.js. */

import { renderFrame } from './strokes.js';

const SCREEN_PEN = 0.07; // the pen on screen, a share of the pad's width: about what the 28x28 digit will show

export class Pad {
  /** canvas: the pad's <canvas> (square, CSS touch-action: none); onChange(strokes): after each stroke, undo and clear. */
  constructor(canvas, onChange) {
    Object.assign(this, { canvas, onChange });
    this.strokes = []; // finished strokes, each an array of points [x, y] in pad units (0..1)
    this.current = null; // the stroke being drawn: {pointer: pointerId, points}
    this.frame = 0; // the requested animation frame, 0 when none
    canvas.addEventListener('pointerdown', (event) => this.down(event));
    canvas.addEventListener('pointermove', (event) => this.move(event));
    canvas.addEventListener('pointerup', (event) => this.up(event));
    canvas.addEventListener('pointercancel', (event) => this.cancel(event)); // e.g. the system took the touch
    canvas.addEventListener('lostpointercapture', (event) => this.up(event));
    new ResizeObserver(() => this.paint()).observe(canvas);
  }

  down(event) {
    if (this.current || !event.isPrimary || event.button !== 0) return; // one pen at a time; no right clicks
    event.preventDefault(); // no text selection or focus change while drawing
    this.canvas.setPointerCapture(event.pointerId); // the stroke goes on outside the pad, until release
    this.current = { pointer: event.pointerId, points: [this.position(event)] };
    this.schedulePaint();
  }

  move(event) {
    if (!this.current || event.pointerId !== this.current.pointer) return;
    // Chromium delivers one pointermove per frame; the ones merged into it keep a fast stroke smooth.
    const merged = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    for (const each of merged.length ? merged : [event]) this.current.points.push(this.position(each));
    this.schedulePaint();
  }

  up(event) {
    if (!this.current || event.pointerId !== this.current.pointer) return;
    this.strokes.push(this.current.points);
    this.current = null;
    this.changed();
  }

  cancel(event) {
    if (!this.current || event.pointerId !== this.current.pointer) return;
    this.current = null;
    this.schedulePaint();
  }

  /** Remove the last stroke. */
  undo() {
    this.strokes.pop();
    this.changed();
  }

  clear() {
    this.strokes = [];
    this.changed();
  }

  changed() {
    this.paint();
    this.onChange(this.strokes);
  }

  /** A pointer event's position in pad units: 0..1 across, 0..1 down (beyond while captured outside). */
  position(event) {
    const box = this.canvas.getBoundingClientRect();
    return [(event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height];
  }

  schedulePaint() {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.paint());
  }

  /** Draw every stroke at the canvas's displayed size (device pixels: sharp on any screen). */
  paint() {
    cancelAnimationFrame(this.frame);
    this.frame = 0;
    const { canvas } = this;
    const box = canvas.getBoundingClientRect();
    const width = Math.max(1, Math.round(box.width * devicePixelRatio));
    const height = Math.max(1, Math.round(box.height * devicePixelRatio));
    if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
    const context = canvas.getContext('2d');
    context.fillStyle = '#000';
    context.fillRect(0, 0, width, height);
    const strokes = this.current ? [...this.strokes, this.current.points] : this.strokes;
    drawStrokes(context, strokes, SCREEN_PEN * width, ([x, y]) => [x * width, y * height]);
  }
}

/**
 * strokes -> {ink: Float32Array [height * width] in 0..1 (1 = ink), width, height}: white on black,
 * anti-aliased, framed by strokes.js renderFrame (one size and pen width for every drawing), or
 * null when there are no strokes.
 */
export function rasterize(strokes) {
  const frame = renderFrame(strokes);
  if (!frame) return null;
  const { width, height } = frame;
  const canvas = document.createElement('canvas');
  Object.assign(canvas, { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.fillStyle = '#000';
  context.fillRect(0, 0, width, height);
  drawStrokes(context, strokes, frame.pen, frame.point);
  const rgba = context.getImageData(0, 0, width, height).data;
  const ink = new Float32Array(width * height);
  for (let i = 0; i < ink.length; i++) ink[i] = rgba[i * 4] / 255; // the red channel: grey 0..255
  return { ink, width, height };
}

/** Each stroke as a white polyline `pen` pixels wide with round ends and joins; point() maps pad units to pixels. */
function drawStrokes(context, strokes, pen, point) {
  context.fillStyle = '#fff';
  context.strokeStyle = '#fff';
  context.lineWidth = pen;
  context.lineCap = 'round';
  context.lineJoin = 'round';
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.map(point);
    context.beginPath();
    if (rest.length === 0) {
      context.arc(first[0], first[1], pen / 2, 0, 2 * Math.PI); // a tap: a dot as wide as the pen
      context.fill();
      continue;
    }
    context.moveTo(...first);
    for (const next of rest) context.lineTo(...next);
    context.stroke();
  }
}
