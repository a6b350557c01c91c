/** The "Real or fake?" panel: one digit at a time, real (the sprite) or generated, shown briefly, then the player's verdict; scored per model. */

import { drawOne } from './canvas.js';
import { normalNoise } from './random.js';
import {
  DEFAULT_ROUNDS,
  DEFAULT_SHOW_MS,
  ROUND_CHOICES,
  SHOW_MS_CHOICES,
  gameSeed,
  percent,
  scheduleRounds,
  summarize,
  unplayable,
} from './realfake.js';
import { loadSprite } from './sprite.js';

const GAP_MS = 400; // a blank between two digits, so that one never seems to turn into the next
const ANSWER_KEYS = { r: 'real', f: 'fake' };

/**
 * The panel's feature (features.js calls it when the panel first opens). panel: its <details>;
 * page: features.js's FeaturePage.
 */
export function create(panel, page) {
  return new Game(panel, page);
}

class Game {
  constructor(panel, page) {
    this.page = page;
    const $ = (id) => panel.querySelector(`#${id}`);
    this.elements = {
      root: $('game'),
      time: $('game-time'),
      rounds: $('game-rounds'),
      start: $('game-start'),
      canvas: $('game-canvas'),
      prompt: $('game-prompt'),
      real: $('game-real'),
      fake: $('game-fake'),
      results: $('game-results'),
      heading: $('game-results-heading'),
      table: $('game-results-body'),
    };
    this.sprite = null;
    this.games = 0; // games started in this visit: each has its own seed (realfake.gameSeed)
    this.answers = []; // the answers of every finished game: {model, showMs, real, answer}
    this.current = null; // the game being played: {seed, showMs, rounds, answers, index, model, accepting, timer}
    this.last = null; // the game played before, finished or stopped
    this.wire();
    this.setPhase('loading', 'Loading the real digits…');
    this.loaded = loadSprite().then(
      (sprite) => {
        this.sprite = sprite;
        this.refresh();
      },
      (error) => this.setPhase('unavailable', `The real digits could not be loaded: ${error.message}`),
    );
  }

  wire() {
    const { time, rounds, start, real, fake } = this.elements;
    time.replaceChildren(...SHOW_MS_CHOICES.map((ms) => new Option(`${ms} ms`, String(ms))));
    time.value = String(DEFAULT_SHOW_MS);
    rounds.replaceChildren(...ROUND_CHOICES.map((count) => new Option(String(count), String(count))));
    rounds.value = String(DEFAULT_ROUNDS);
    start.addEventListener('click', () => this.start());
    real.addEventListener('click', () => this.answer('real'));
    fake.addEventListener('click', () => this.answer('fake'));
    document.addEventListener('keydown', (event) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
      const modified = event.ctrlKey || event.metaKey || event.altKey;
      const answer = ANSWER_KEYS[event.key.toLowerCase()];
      if (!this.current || typing || modified || !answer) return;
      event.preventDefault();
      this.answer(answer);
    });
  }

  /** The panel was opened again: the model may have changed meanwhile. */
  opened() {
    if (!this.current) this.refresh();
  }

  /** The panel was closed: a game under way stops (its answers are dropped). */
  closed() {
    if (this.current) this.stop('The game stopped when its panel was closed; press Start to play again.');
  }

  /** A new grid is on screen (perhaps of another model): say whether that model can play. */
  drawn() {
    if (!this.current) this.refresh();
  }

  refresh() {
    if (!this.sprite) return;
    const reason = unplayable(this.page.metadata, this.sprite);
    this.elements.start.disabled = reason !== null;
    if (reason) this.setPhase('unavailable', reason);
    else if (this.elements.root.dataset.phase !== 'done') this.setPhase('idle', 'Press Start to play.');
  }

  start() {
    if (this.current || !this.sprite || unplayable(this.page.metadata, this.sprite)) return;
    const { elements } = this;
    const seed = gameSeed(this.page.state.seed, this.games++);
    const count = Number(elements.rounds.value);
    const numClasses = this.page.generator.numClasses;
    const rounds = scheduleRounds(seed, count, { spriteCount: this.sprite.count, numClasses });
    this.current = { seed, showMs: Number(elements.time.value), rounds, answers: [], index: -1, accepting: false };
    elements.start.disabled = true;
    elements.results.hidden = true;
    for (const button of [elements.real, elements.fake]) button.disabled = false;
    elements.real.focus(); // the answer buttons keep the focus for the whole game (never disabled during it)
    this.page.track(this.next());
  }

  /** Show the next round's digit after a blank, or end the game after the last one. */
  async next() {
    const game = this.current;
    game.index += 1;
    this.blank();
    if (game.index === game.rounds.length) return this.finish();
    const reason = unplayable(this.page.metadata, this.sprite);
    if (reason) return this.stop(`The game stopped: ${reason}`);
    this.setPhase('wait');
    const round = game.rounds[game.index];
    const [digit] = await Promise.all([this.pixels(round), delay(GAP_MS)]);
    if (this.current !== game) return; // stopped meanwhile
    const tile = this.sprite.tile;
    drawOne(this.elements.canvas, digit.values, 0, [tile, tile, 1]);
    game.model = digit.model;
    game.accepting = true;
    this.setPhase('show', `Round ${game.index + 1} of ${game.rounds.length}: real or fake? (R or F)`);
    game.timer = setTimeout(() => {
      if (this.current !== game || !game.accepting) return;
      this.blank();
      this.setPhase('answer');
    }, game.showMs);
  }

  /** One round's digit -> {values: grey levels 0..255 [tile * tile], model: the name of the model on screen}. */
  async pixels(round) {
    if (round.real) {
      const size = this.sprite.tile * this.sprite.tile;
      const values = this.sprite.images.slice(round.tile * size, (round.tile + 1) * size).map((value) => value * 255);
      return { values, model: this.page.metadata.name };
    }
    return this.page.queue.run(async () => {
      const generator = this.page.generator; // the model on screen when the round is drawn
      const label = generator.conditional ? (round.label ?? 0) % generator.numClasses : null;
      const noise = normalNoise(round.noiseSeed, generator.latentDim);
      const values = await generator.pixels(noise, label === null ? null : [label]);
      return { values, model: this.page.metadata.name };
    });
  }

  answer(verdict) {
    const game = this.current;
    if (!game || !game.accepting) return; // between rounds: the next digit is not shown yet
    clearTimeout(game.timer);
    game.accepting = false;
    const round = game.rounds[game.index];
    game.answers.push({ model: game.model, showMs: game.showMs, real: round.real, answer: verdict });
    this.page.track(this.next());
  }

  finish() {
    const game = this.current;
    this.answers.push(...game.answers);
    this.last = game;
    this.current = null;
    this.showResults();
    const { elements } = this;
    elements.start.textContent = 'Play again';
    elements.start.disabled = false;
    this.setPhase('done', `Done: ${game.answers.length} answers. Your results are below.`);
    elements.heading.focus(); // before the answer buttons are disabled, so the focus is never lost
    for (const button of [elements.real, elements.fake]) button.disabled = true;
  }

  stop(message) {
    clearTimeout(this.current.timer);
    this.last = this.current;
    this.current = null;
    this.blank();
    const { elements } = this;
    const inside = elements.root.contains(document.activeElement);
    const reason = unplayable(this.page.metadata, this.sprite);
    elements.start.disabled = reason !== null;
    // Before the answer buttons are disabled, so the focus is never lost.
    if (inside) (reason ? elements.root.closest('details').querySelector('summary') : elements.start).focus();
    for (const button of [elements.real, elements.fake]) button.disabled = true;
    this.setPhase(reason ? 'unavailable' : 'idle', message);
  }

  /** The results table: one row per model and display time, over every finished game of this visit. */
  showResults() {
    const cell = (judged) => {
      const td = document.createElement('td');
      td.textContent =
        `${percent(judged.share)} (${judged.judgedReal} of ${judged.total}; ` +
        `${percent(judged.low)}–${percent(judged.high)})`;
      return td;
    };
    this.elements.table.replaceChildren(
      ...summarize(this.answers).map((row) => {
        const tr = document.createElement('tr');
        const name = document.createElement('th');
        name.scope = 'row';
        name.textContent = `${row.model} · ${row.showMs} ms`;
        tr.append(name, cell(row.fake), cell(row.real));
        return tr;
      }),
    );
    this.elements.results.hidden = false;
  }

  blank() {
    const { canvas } = this.elements;
    const context = canvas.getContext('2d');
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
  }

  /** phase: loading | unavailable | idle | wait | show | answer | done (the panel's data-phase, for CSS and tests). */
  setPhase(phase, prompt) {
    const { root } = this.elements;
    root.dataset.phase = phase;
    root.dataset.round = this.current ? String(this.current.index + 1) : '';
    if (prompt !== undefined) this.elements.prompt.textContent = prompt;
  }

  /** What the page's test hook may see: the game under way (or the last one) and the results so far. */
  view() {
    const game = this.current || this.last;
    return {
      phase: this.elements.root.dataset.phase,
      games: this.games,
      seed: game ? game.seed : null,
      rounds: game ? game.rounds.map((round, i) => ({ ...round, answer: game.answers[i]?.answer ?? null })) : [],
      results: summarize(this.answers),
    };
  }
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
