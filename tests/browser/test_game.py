"""The "Real or fake?" game and its sprite of real digits, in headless Chromium against the real server."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

from pipeline.config import ROOT

from .conftest import default_model

pytestmark = pytest.mark.browser

SPRITE = ROOT / "web" / "data"
# What only the feature panels load: none of it may be asked for before its panel opens.
LAZY = ("/game.js", "/realfake.js", "/sprite.js", "/sliders.js", "/heldout-digits.json", "/heldout-digits.png")
Z_95 = 1.959963984540054


def sprite_tiles() -> tuple[np.ndarray, list[int]]:
    """The committed sprite -> (uint8 [count, 28, 28], labels)."""
    manifest = json.loads((SPRITE / "heldout-digits.json").read_text())
    pixels = np.asarray(Image.open(SPRITE / manifest["image"]))
    columns = manifest["columns"]
    tiles = [
        pixels[(k // columns) * 28 : (k // columns + 1) * 28, (k % columns) * 28 : (k % columns + 1) * 28]
        for k in range(manifest["count"])
    ]
    return np.array(tiles), manifest["labels"]


def open_game(run, rounds: int, show_ms: int) -> None:
    """Open the game's panel (by keyboard) and choose its settings."""
    run.page.focus("#game-panel > summary")
    run.page.keyboard.press("Enter")
    run.page.wait_for_selector("#game[data-phase='idle']")
    run.page.select_option("#game-rounds", str(rounds))
    run.page.select_option("#game-time", str(show_ms))


def wait_round(run, number: int, phases: tuple[str, ...]) -> None:
    either = ", ".join(f"#game[data-round='{number}'][data-phase='{phase}']" for phase in phases)
    run.page.wait_for_selector(either, state="attached")


def game_canvas(run) -> np.ndarray:
    data = run.page.evaluate(
        "() => { const c = document.getElementById('game-canvas');"
        " return Array.from(c.getContext('2d').getImageData(0, 0, 28, 28).data); }"
    )
    return np.array(data, np.uint8).reshape(28, 28, 4)[..., 0]


def focused(run) -> str:
    return run.page.evaluate("() => document.activeElement && document.activeElement.id")


def test_nothing_of_the_game_loads_before_its_panel_opens(open_page, base_url):
    run = open_page(base_url + "/?seed=1&digit=all&count=100&backend=wasm")
    run.ready()
    run.page.evaluate("() => ganDemo.idle()")
    assert not [url for url in run.requests if url.endswith(LAZY)], "loaded before any panel was opened"
    panels = run.page.evaluate("() => ganDemo.features")
    assert {"game", "sliders"} <= set(panels) and set(panels.values()) == {None}, panels
    first_draw = run.page.evaluate("() => ganDemo.timings.firstDraw")
    print(f"first 100 digits drawn {first_draw:.0f} ms after navigation")
    run.page.click("#game-panel > summary")
    run.page.wait_for_selector("#game[data-phase='idle']")
    game_files = [url for url in run.requests if url.endswith(LAZY) and "sliders" not in url]
    assert len(game_files) == 5, game_files
    assert run.console_errors == []


def test_the_page_decodes_the_sprite_to_the_exact_test_digits(open_page, base_url):
    """loadSprite(): images in 0..1 (1 = ink) that are the PNG's grey levels / 255, labels as committed."""
    run = open_page(base_url + "/?seed=1&digit=all&count=10&backend=wasm")
    run.ready()
    decoded = run.page.evaluate(
        """async () => { const { loadSprite } = await import('/sprite.js');
             const sprite = await loadSprite();
             const again = await loadSprite();
             return { same: sprite === again, count: sprite.count, tile: sprite.tile, labels: sprite.labels,
                      dataset: sprite.dataset, length: sprite.images.length,
                      levels: Array.from(sprite.images, (value) => Math.round(value * 255)),
                      exact: sprite.images.every((value) => Number.isInteger(value * 255) ||
                                                 Math.abs(value * 255 - Math.round(value * 255)) < 1e-4) }; }"""
    )
    tiles, labels = sprite_tiles()
    assert decoded["same"], "loadSprite() is not cached"
    assert (decoded["count"], decoded["tile"], decoded["dataset"]) == (200, 28, "mnist")
    assert decoded["labels"] == labels and decoded["exact"]
    assert np.array_equal(np.array(decoded["levels"], np.uint8).reshape(-1, 28, 28), tiles)


def test_a_player_who_always_says_real_scores_one_on_both_rows(open_page, base_url, model_export):
    model = default_model(model_export).name
    run = open_page(base_url + "/?seed=42&digit=all&count=20&backend=wasm")
    run.ready()
    open_game(run, rounds=20, show_ms=250)
    assert run.page.get_attribute("#game-prompt", "aria-live") == "polite"
    run.page.focus("#game-start")
    run.page.keyboard.press("Enter")
    assert focused(run) == "game-real", "the focus goes to the answer buttons when a game starts"
    tiles, _ = sprite_tiles()
    for number in range(1, 21):
        wait_round(run, number, ("answer",))
        if number == 1:
            assert game_canvas(run).max() == 0, "the digit is hidden once its time is up"
        assert run.page.inner_text("#game-prompt") == f"Round {number} of 20: real or fake? (R or F)"
        run.page.keyboard.press("r" if number % 2 else "R")
        if number < 20:
            assert focused(run) == "game-real", f"round {number}: the focus left the answer buttons"
    run.page.wait_for_selector("#game[data-phase='done']")
    assert focused(run) == "game-results-heading"
    assert run.page.is_disabled("#game-real") and run.page.inner_text("#game-start") == "Play again"

    game = run.page.evaluate("() => ganDemo.features.game")
    assert [r["answer"] for r in game["rounds"]] == ["real"] * 20
    assert sum(r["real"] for r in game["rounds"]) == 10
    [row] = game["results"]
    lower = 10 / (10 + Z_95**2)  # Wilson's lower bound at 10 of 10
    assert (row["model"], row["showMs"]) == (model, 250)
    for kind in ("fake", "real"):
        assert (row[kind]["judgedReal"], row[kind]["total"], row[kind]["share"], row[kind]["high"]) == (10, 10, 1, 1)
        assert row[kind]["low"] == pytest.approx(lower, abs=1e-12)
    cells = run.page.locator("#game-results-body td").all_inner_texts()
    assert cells == ["100% (10 of 10; 72%–100%)"] * 2
    assert run.page.inner_text("#game-results-body th") == f"{model} · 250 ms"
    assert "Wilson score interval" in run.page.inner_text("#game-results")

    # The rounds are realfake.scheduleRounds for this page seed and the visit's first game.
    expected = run.page.evaluate(
        """async () => { const { gameSeed, scheduleRounds } = await import('/realfake.js');
             const seed = gameSeed(42, 0);
             return { seed, rounds: scheduleRounds(seed, 20, { spriteCount: 200,
                      numClasses: ganDemo.metadata.num_classes }) }; }"""
    )
    assert game["seed"] == expected["seed"]
    assert [{k: v for k, v in r.items() if k != "answer"} for r in game["rounds"]] == expected["rounds"]

    # Again: a new game of the visit has its own rounds, and its answers add to the same row.
    run.page.focus("#game-start")
    run.page.keyboard.press("Enter")
    for number in range(1, 21):
        wait_round(run, number, ("show", "answer"))
        run.page.keyboard.press("f")
    run.page.wait_for_selector("#game[data-phase='done']")
    again = run.page.evaluate("() => ganDemo.features.game")
    assert again["games"] == 2 and again["seed"] != game["seed"]
    [row] = again["results"]
    assert (row["fake"]["judgedReal"], row["fake"]["total"], row["real"]["judgedReal"], row["real"]["total"]) == (
        10,
        20,
        10,
        20,
    )
    assert run.console_errors == []


def test_the_same_seed_plays_the_same_rounds_and_real_rounds_show_sprite_digits(open_page, base_url):
    tiles, _ = sprite_tiles()
    played = []
    for _ in range(2):
        run = open_page(base_url + "/?seed=7&digit=all&count=10&backend=wasm")
        run.ready()
        open_game(run, rounds=10, show_ms=2000)
        run.page.click("#game-start")
        shown = []
        for number in range(1, 5):
            wait_round(run, number, ("show",))
            shown.append(game_canvas(run))
            run.page.click("#game-real")
        # Closing the panel stops the game; its answers are dropped.
        run.page.click("#game-panel > summary")
        run.page.wait_for_selector("#game[data-phase='idle']", state="attached")
        game = run.page.evaluate("() => ganDemo.features.game")
        assert game["results"] == [] and "stopped" in run.page.text_content("#game-prompt")
        for image, round_ in zip(shown, game["rounds"], strict=False):
            if round_["real"]:
                assert np.array_equal(image, tiles[round_["tile"]]), "a real round did not show its test digit"
            else:
                assert image.max() > 0 and not any(np.array_equal(image, tile) for tile in tiles)
        played.append(game["rounds"])
        assert run.console_errors == [], run.console
    assert played[0] == played[1]


def test_fifty_rounds_leave_the_tensor_count_flat(open_page, base_url):
    run = open_page(base_url + "/?seed=3&digit=all&count=20&backend=wasm")
    run.ready()
    open_game(run, rounds=50, show_ms=250)
    run.page.evaluate("() => ganDemo.idle()")
    before = run.page.evaluate("() => tf.memory().numTensors")
    run.page.click("#game-start")
    counts = []
    for number in range(1, 51):
        wait_round(run, number, ("show", "answer"))
        run.page.keyboard.press("f" if number % 3 else "r")
        if number % 10 == 0:
            counts.append(run.page.evaluate("() => ganDemo.idle().then(() => tf.memory().numTensors)"))
    run.page.wait_for_selector("#game[data-phase='done']")
    after = run.page.evaluate("() => ganDemo.idle().then(() => tf.memory().numTensors)")
    assert counts == [before] * 5 and after == before, (before, counts, after)
    [row] = run.page.evaluate("() => ganDemo.features.game.results")
    assert row["fake"]["total"] + row["real"]["total"] == 50
    assert run.console_errors == []


def test_a_model_of_another_dataset_cannot_play(open_page, servers, multi_export):
    run = open_page(servers.url(multi_export) + "/?seed=2&digit=all&count=10&backend=wasm")
    run.ready()
    open_game(run, rounds=10, show_ms=250)
    assert run.page.is_enabled("#game-start")
    run.page.evaluate("() => ganDemo.setModel('fashion-mnist-cgan')")
    run.page.evaluate("() => ganDemo.idle()")
    run.page.wait_for_selector("#game[data-phase='unavailable']", state="attached")
    assert run.page.is_disabled("#game-start")
    assert "fashion-mnist" in run.page.inner_text("#game-prompt")
    run.page.evaluate("() => ganDemo.setModel('cgan')")
    run.page.wait_for_selector("#game[data-phase='idle']", state="attached")
    assert run.page.is_enabled("#game-start")
    assert run.console_errors == []
