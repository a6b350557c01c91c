/** The base of the model views (features.js loads them): opening one, or a new grid, draws it; kept apart so a view never imports its loader. */

/** What every view shares: opening it, or a new grid, draws it (subclasses define draw()); view() is what the test hook shows. */
export class View {
  opened() {
    return this.draw();
  }

  drawn() {
    return this.draw();
  }

  view() {
    return this.result;
  }
}
