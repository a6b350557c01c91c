/** Rendering metadata.json's model card, training summary and evaluation as DOM (text only, never HTML). */
// Every field read here is defined in metadata.schema.json, which loader.js has checked the file against.

const VARIANTS = {
  cgan: 'conditional GAN: you choose the class',
  dcgan: 'DCGAN (unconditional)',
  mlp: 'MLP GAN (unconditional)',
  lapgan: 'Laplacian pyramid GAN, 7 → 14 → 28: you choose the class',
  srgan: 'super-resolution GAN: a 7×7 digit in, a 28×28 one out',
};

// An upscaler's evaluation rows: key in evaluation.upscaled / .bicubic / .original, label, how to read it, digits.
const UPSCALE_METRICS = [
  ['psnr', 'PSNR (dB)', 'peak signal-to-noise ratio against the originals: higher is closer', 2],
  ['ssim', 'SSIM', 'structural similarity to the originals: 1 is identical', 3],
  ['judge_accuracy', 'Judged as the original digit', 'share the judge reads as the digit it was', 3],
];

// Evaluation rows: key in evaluation.generated / .real, label, how to read it, digits after the point.
const METRICS = [
  [
    'fid',
    'FID (judge features)',
    'Fréchet distance between generated and real images as the judge sees them: lower is closer',
    2,
  ],
  ['inception_score', 'Inception score (judge)', 'how clearly and how evenly the judge sees classes: 10 at most', 2],
  ['confident_fraction', 'Judged with confidence', 'share of images the judge is sure about', 3],
  ['classes_over_5pct', 'Classes over 5 %', 'classes making up at least 5 % of the images: 10 is all', 0],
  ['precision', 'Precision', 'realism: share of generated images that look like some real one', 3],
  ['recall', 'Recall', 'variety: share of the real styles the generator also draws', 3],
  ['label_accuracy', 'Label accuracy', 'share drawn as the class asked for', 3],
];

/** MNIST's classes are the digits "0".."9"; other datasets name theirs ("T-shirt/top", ...). */
function digitClasses(classNames) {
  return classNames.every((name) => /^\d$/.test(name));
}

/** The model card, training summary, evaluation and download size of the model on screen. */
export function renderInfo(elements, metadata, { parameters, bytes }) {
  renderModel(elements.modelInfo, { ...metadata, parameters: metadata.parameters ?? parameters });
  renderTraining(elements.trainingInfo, metadata.training);
  renderEvaluation(elements.evaluationInfo, metadata.evaluation, metadata.class_names);
  elements.modelSize.textContent = `model ${formatBytes(metadata.model_bytes ?? bytes)}`;
}

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
  const names = metadata.class_names;
  fillList(list, [
    ['Model', `${text(metadata.name)}: ${text(metadata.description)}`],
    ['Dataset', text(metadata.dataset)],
    ['Variant', VARIANTS[metadata.variant] || text(metadata.variant)],
    [
      'Latent size',
      metadata.latent_dim > 0 ? `${metadata.latent_dim} standard-normal values` : 'none (it takes a 7×7 digit)',
    ],
    ['Classes', metadata.num_classes > 0 ? names.join(digitClasses(names) ? ' ' : ', ') : 'none (unconditional)'],
    ['Image', `${metadata.image_shape.join(' × ')}, output in [${metadata.output_range.join(', ')}]`],
    ['Parameters', formatNumber(metadata.parameters)],
    ['Download', formatBytes(metadata.model_bytes) + (quantized ? ` (${metadata.quantization} weights)` : '')],
  ]);
}

/** "IDX files /usr/share/datasets/x/train.gz (60,000 images)" -> "IDX files train.gz (60,000 images)": the
build machine's folders mean nothing to a visitor. */
export function withoutFolders(source) {
  return typeof source === 'string'
    ? source.replace(/(?:[A-Za-z]:)?[\\/]?(?:[^\s\\/()]+[\\/])+([^\s\\/()]+)/g, '$1')
    : source;
}

/** "2026-11-30T12:56:45Z" -> "30 Nov 2026" (the day in UTC, as the build wrote it); anything else as given. */
export function formatDate(iso) {
  const date = typeof iso === 'string' ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return text(iso);
  return date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
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
    ['Data', text(withoutFolders(training.data_source))],
    ['Wall time', formatDuration(training.wall_time_s)],
    ['Final losses', `D ${formatNumber(losses.d_loss, 3)} · G ${formatNumber(losses.g_loss, 3)}`],
    ['Seed', text(training.seed)],
    ['Exported', formatDate(training.created)],
  ]);
}

/** The evaluation table: generated images beside the same metrics on real held-out ones; classes by name. */
export function renderEvaluation(container, evaluation, classNames = []) {
  container.replaceChildren();
  if (!evaluation || typeof evaluation !== 'object') {
    const note = document.createElement('p');
    note.className = 'muted';
    note.textContent = 'This export was not evaluated (metadata.json has no evaluation).';
    container.append(note);
    return;
  }
  if (evaluation.upscaled) {
    container.append(upscaleTable(evaluation), samplesNote(evaluation));
    return;
  }
  const generated = evaluation.generated || {};
  const real = evaluation.real || {};
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  const realTitle = digitClasses(classNames) ? 'Real digits' : 'Real images';
  for (const title of ['Metric', 'Generated', realTitle]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [key, label, hint, digits] of METRICS) {
    if (!(key in generated) && !(key in real)) continue;
    const row = body.insertRow();
    labelCell(row, label, hint);
    row.insertCell().textContent = formatNumber(generated[key], digits);
    row.insertCell().textContent = formatNumber(real[key], digits);
  }
  container.append(table, samplesNote(evaluation));
  if (Array.isArray(generated.class_histogram)) {
    container.append(histogram(generated.class_histogram, classNames));
  }
}

/** A metric's name with what it means under it, in words (not only on hover). */
function labelCell(row, label, hint) {
  const cell = row.insertCell();
  const meaning = document.createElement('small');
  meaning.className = 'hint';
  meaning.textContent = hint;
  cell.append(label, document.createElement('br'), meaning);
}

function samplesNote(evaluation) {
  const note = document.createElement('p');
  note.className = 'muted';
  const judge = evaluation.judge && evaluation.judge.heldout_accuracy;
  note.textContent =
    `${formatNumber(evaluation.samples)} samples, judged by a classifier with ` +
    `${formatNumber(judge * 100, 1)} % held-out accuracy on ${text(withoutFolders(evaluation.heldout_source))}. ` +
    'The judge, a small network trained on the training images, stands in for a human eye: its features are ' +
    'what the distances above compare.';
  return note;
}

/** An upscaler's scores beside bicubic upscaling of the same 7x7 digits, and the originals' judge accuracy. */
function upscaleTable(evaluation) {
  const columns = [
    ['Upscaled', evaluation.upscaled],
    ['Bicubic', evaluation.bicubic || {}],
    ['Originals', evaluation.original || {}],
  ];
  const table = document.createElement('table');
  const head = table.createTHead().insertRow();
  for (const title of ['Metric', ...columns.map(([name]) => name)]) {
    const th = document.createElement('th');
    th.textContent = title;
    head.append(th);
  }
  const body = table.createTBody();
  for (const [key, label, hint, digits] of UPSCALE_METRICS) {
    const row = body.insertRow();
    labelCell(row, label, hint);
    for (const [, metrics] of columns) row.insertCell().textContent = formatNumber(metrics[key], digits);
  }
  return table;
}

/** Bars of how often the judge saw each class among the generated images, labelled by class name. */
function histogram(shares, classNames) {
  const figure = document.createElement('figure');
  figure.className = 'histogram';
  const bars = document.createElement('div');
  bars.className = 'bars';
  const top = Math.max(...shares, 1e-9);
  shares.forEach((share, index) => {
    const name = classNames[index] ?? String(index);
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.style.setProperty('--share', String(share / top));
    bar.title = `${name}: ${(share * 100).toFixed(1)} %`;
    const label = document.createElement('span');
    label.textContent = name;
    bar.append(label);
    bars.append(bar);
  });
  const caption = document.createElement('figcaption');
  caption.textContent = `${digitClasses(classNames) ? 'Digits' : 'Classes'} the judge sees in generated samples`;
  figure.append(bars, caption);
  return figure;
}
