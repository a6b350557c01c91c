/** Rendering metadata.json's model card, training summary and evaluation as DOM (text only, never HTML). */
// Every field read here is defined in metadata.schema.json, which loader.js has checked the file against.

const VARIANTS = {
  cgan: 'conditional GAN: you choose the digit',
  dcgan: 'DCGAN (unconditional)',
  mlp: 'MLP GAN (unconditional)',
};

// Evaluation rows: key in evaluation.generated / .real, label, how to read it, digits after the point.
const METRICS = [
  ['fid', 'FID (judge features)', 'lower is better', 2],
  ['inception_score', 'Inception score (judge)', 'higher is better, 10 at most', 2],
  ['confident_fraction', 'Judged with confidence', 'share of images the judge is sure about', 3],
  ['classes_over_5pct', 'Classes over 5 %', 'mode coverage, 10 is all', 0],
  ['precision', 'Precision', 'realism: share inside the real manifold', 3],
  ['recall', 'Recall', 'diversity: share of the real manifold covered', 3],
  ['label_accuracy', 'Label accuracy', 'digit asked for = digit the judge sees', 3],
];

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '—';
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

function formatNumber(value, digits = 0) {
  if (typeof value !== 'number' || !Number.isFinite(value)) return '—';
  return value.toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function formatDuration(seconds) {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '—';
  if (seconds < 90) return `${seconds.toFixed(0)} s`;
  if (seconds < 5400) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

function text(value) {
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

/** Fill a <dl> with [term, description] rows. */
function fillList(list, rows) {
  list.replaceChildren();
  for (const [term, description] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = term;
    const dd = document.createElement('dd');
    dd.textContent = description;
    list.append(dt, dd);
  }
}

export function renderModel(list, metadata) {
  const quantized = metadata.quantization && metadata.quantization !== 'none';
  fillList(list, [
    ['Variant', VARIANTS[metadata.variant] || text(metadata.variant)],
    ['Latent size', `${metadata.latent_dim} standard-normal values`],
    ['Classes', metadata.num_classes > 0 ? metadata.class_names.join(' ') : 'none (unconditional)'],
    ['Image', `${metadata.image_shape.join(' × ')}, output in [${metadata.output_range.join(', ')}]`],
    ['Parameters', formatNumber(metadata.parameters)],
    ['Download', formatBytes(metadata.model_bytes) + (quantized ? ` (${metadata.quantization} weights)` : '')],
  ]);
}

export function renderTraining(list, training) {
  if (!training || typeof training !== 'object') {
    fillList(list, [['Training', 'not recorded in metadata.json']]);
    return;
  }
  const losses = training.final_losses || {};
  fillList(list, [
    ['Epochs', formatNumber(training.epochs)],
    ['Images seen', formatNumber(training.images_seen)],
    ['Training images', formatNumber(training.train_images)],
    ['Data', text(training.data_source)],
    ['Wall time', formatDuration(training.wall_time_s)],
    ['Final losses', `D ${formatNumber(losses.d_loss, 3)} · G ${formatNumber(losses.g_loss, 3)}`],
    ['Seed', text(training.seed)],
    ['Exported', text(training.created)],
  ]);
}

/** The evaluation table: generated digits beside the same metrics on real held-out digits. */
export function renderEvaluation(container, evaluation) {
  container.replaceChildren();
  if (!evaluation || typeof evaluation !== 'object') {
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = 'This export was not evaluated (metadata.json has no evaluation).';
    container.append(note);
    return;
  }
  const generated = evaluation.generated || {};
  const real = evaluation.real || {};
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['Metric', 'Generated', 'Real digits']) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [key, label, hint, digits] of METRICS) {
    if (!(key in generated) && !(key in real)) continue;
    const row = body.insertRow();
    const name = row.insertCell();
    name.textContent = label;
    name.title = hint;
    row.insertCell().textContent = formatNumber(generated[key], digits);
    row.insertCell().textContent = formatNumber(real[key], digits);
  }
  const note = document.createElement('p');
  note.className = 'muted';
  const judge = evaluation.judge && evaluation.judge.heldout_accuracy;
  note.textContent =
    `${formatNumber(evaluation.samples)} samples, judged by a classifier with ` +
    `${formatNumber(judge * 100, 1)} % held-out accuracy on ${text(evaluation.heldout_source)}.`;
  container.append(table, note);
  if (Array.isArray(generated.class_histogram)) {
    container.append(histogram(generated.class_histogram));
  }
}

/** Bars of how often the judge saw each class among the generated digits. */
function histogram(shares) {
  const figure = document.createElement('figure');
  figure.className = 'histogram';
  const bars = document.createElement('div');
  bars.className = 'bars';
  const top = Math.max(...shares, 1e-9);
  shares.forEach((share, digit) => {
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.setProperty('--share', String(share / top));
    bar.title = `${digit}: ${(share * 100).toFixed(1)} %`;
    const label = document.createElement('span');
    label.textContent = String(digit);
    bar.append(label);
    bars.append(bar);
  });
  const caption = document.createElement('figcaption');
  caption.textContent = 'Digits the judge sees in generated samples';
  figure.append(bars, caption);
  return figure;
}
