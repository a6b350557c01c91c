/** The digit grid from the keyboard: one tab stop, arrow keys move between digits, Enter or Space picks one. */

/**
 * Make `grid`'s canvas.digit cells reachable by keyboard (a roving tabindex: the last focused cell
 * is the grid's one tab stop) and call pick(index) on Enter or Space, as a click does.
 */
export function keyboardGrid(grid, pick) {
  grid.addEventListener('keydown', (event) => {
    const cell = event.target.closest('canvas.digit');
    if (!cell || event.ctrlKey || event.metaKey || event.altKey) return;
    const cells = Array.from(grid.querySelectorAll('canvas.digit'));
    const index = cells.indexOf(cell);
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      pick(index);
      return;
    }
    const columns = Number(getComputedStyle(grid).getPropertyValue('--columns')) || 1;
    const target = moveTo(event.key, index, columns, cells.length);
    if (target === null) return;
    event.preventDefault();
    focusCell(cells, target);
  });
  // A click gives the clicked cell the tab stop too, so Tab comes back to it.
  grid.addEventListener('focusin', (event) => {
    const cell = event.target.closest('canvas.digit');
    if (cell) focusCell(Array.from(grid.querySelectorAll('canvas.digit')), Number(cell.dataset.index), false);
  });
}

/** The cell `key` moves to from `index` in a grid of `count` cells, `columns` wide -> its index, or null for other keys. */
export function moveTo(key, index, columns, count) {
  const moves = {
    ArrowLeft: index - 1,
    ArrowRight: index + 1,
    ArrowUp: index - columns,
    ArrowDown: index + columns,
    Home: 0,
    End: count - 1,
  };
  if (!(key in moves)) return null;
  return moves[key] >= 0 && moves[key] < count ? moves[key] : index; // past an edge: stay
}

function focusCell(cells, target, focus = true) {
  for (const [i, cell] of cells.entries()) cell.tabIndex = i === target ? 0 : -1;
  if (focus) cells[target].focus();
}
