/** The page as a lesson: the introduction folded on phones, links to a step (#watch), the picked digits kept in sight, and what an empty step says. */

const PHONE = '(max-width: 600px)';

/** On a phone the introduction starts folded, so that the grid's first rows are on the first screen. */
export function arrangeLesson() {
  const intro = document.getElementById('intro');
  if (intro && window.matchMedia(PHONE).matches) intro.open = false;
}

/** A link to a step (index.html?seed=3#watch) scrolls there once the grid and panels are laid out. */
export function scrollToStep() {
  const id = decodeURIComponent(location.hash.slice(1));
  const step = id && document.getElementById(id);
  if (step) step.scrollIntoView({ block: 'start' });
}

/**
 * The morph's two ends, copied from the grid into the bar that stays in sight under it: the morph itself
 * is in step 5, and the person picking is looking at the grid. elements: ui.js's; grid, morph: the page's.
 */
export function showPicked(elements, grid, morph) {
  const { picked, pickedA, pickedB } = elements;
  const ends = [morph.a, morph.b];
  [pickedA, pickedB].forEach((target, k) => {
    const source = ends[k] && grid.canvases[ends[k].index];
    const context = target.getContext('2d');
    context.clearRect(0, 0, target.width, target.height);
    if (source) context.drawImage(source, 0, 0, target.width, target.height);
    target.hidden = !source;
  });
  picked.hidden = false;
}

/** Step 2 says why it is empty for a model exported without the snapshots of its training. */
export function showTimelineNote(elements, metadata) {
  const upscaler = metadata.task === 'upscale';
  elements.watchMissing.hidden = Boolean(metadata.timeline) && !upscaler;
  elements.watchMissing.textContent = upscaler
    ? `${metadata.name} upscales small digits rather than drawing from noise: pick a generator to watch it learn.`
    : `${metadata.name} was exported without its training timeline (snapshots of the generator taken while it ` +
      'trained), so this step has nothing to show for it.';
}
