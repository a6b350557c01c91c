"""The noise sliders and the keyboard-driven grid, in headless Chromium against the real server."""

from __future__ import annotations

import numpy as np
import pytest

from .test_page import read_canvases

pytestmark = pytest.mark.browser

LATENT_SHOWN = 16  # sliders.SLIDER_DIMENSIONS


def noise_of(run) -> np.ndarray:
    return np.array(run.page.evaluate("() => Array.from(ganDemo.lastBatch.noise)"), np.float32)


def idle(run) -> None:
    run.page.evaluate("() => ganDemo.idle()")


def test_the_grid_is_one_tab_stop_walked_with_arrows_and_picked_with_enter(open_page, base_url):
    run = open_page(base_url + "/?seed=3&digit=all&count=30&backend=wasm")  # 3 columns
    run.ready()
    cells = run.page.locator("canvas.digit")
    assert run.page.locator("canvas.digit[tabindex='0']").count() == 1
    assert cells.first.get_attribute("role") == "button"
    assert cells.nth(4).get_attribute("aria-label") == cells.nth(4).get_attribute("title")
    run.page.focus("canvas.digit[tabindex='0']")
    for key in ("ArrowRight", "ArrowDown", "ArrowDown", "ArrowLeft"):
        run.page.keyboard.press(key)
    assert run.page.evaluate("() => document.activeElement.dataset.index") == "6"
    run.page.keyboard.press("Enter")
    run.page.keyboard.press("ArrowRight")
    run.page.keyboard.press(" ")
    idle(run)
    assert run.page.evaluate("() => [ganDemo.morph.a.index, ganDemo.morph.b.index]") == [6, 7]
    assert run.page.locator("canvas.digit[tabindex='0']").count() == 1
    assert run.page.get_attribute("#generate", "aria-keyshortcuts") == "G"
    assert run.console_errors == []


def test_sliders_redraw_the_chosen_digit_and_only_it(open_page, base_url):
    run = open_page(base_url + "/?seed=11&digit=all&count=20&backend=wasm")
    run.ready()
    idle(run)
    run.page.locator("canvas.digit").nth(5).click()  # picked before the panel is open: the sliders take it
    run.page.focus("#sliders-panel > summary")
    run.page.keyboard.press("Enter")
    run.page.wait_for_selector("#sliders-list input")
    idle(run)
    latent = run.page.evaluate("() => ganDemo.metadata.latent_dim")
    label = run.page.evaluate("() => ganDemo.lastBatch.labels && ganDemo.lastBatch.labels[5]")
    subject = run.page.inner_text("#sliders-subject")
    assert subject.startswith("Sample 6") and subject.endswith(f"noise values 1 to {LATENT_SHOWN} of {latent}.")
    if label is not None:
        assert f"asked for a {label}" in subject
    sliders = run.page.get_by_role("slider")
    assert sliders.count() == LATENT_SHOWN
    assert run.page.get_by_role("slider", name="z1, noise value 1").count() == 1
    assert (sliders.first.get_attribute("min"), sliders.first.get_attribute("max")) == ("-3", "3")
    grid, noise = run.digits()[0], noise_of(run)
    assert np.array_equal(read_canvases(run, "#sliders-canvas")[0], grid[5])
    assert float(run.page.input_value("#z-2")) == pytest.approx(noise[5 * latent + 2], abs=0.03)

    # The keyboard moves a slider (End: its maximum, 3); the digit follows, alone.
    run.page.focus("#z-0")
    run.page.keyboard.press("End")
    idle(run)
    moved, moved_noise = run.digits()[0], noise_of(run)
    changed = [i for i in range(20) if not np.array_equal(moved[i], grid[i])]
    assert changed == [5], f"digits {changed} changed"
    expected = noise.copy()
    expected[5 * latent] = 3.0
    assert np.array_equal(moved_noise, expected), "only the chosen digit's first noise value moves"
    assert run.page.inner_text("#z-0 + output") == "3.00"
    assert np.array_equal(read_canvases(run, "#sliders-canvas")[0], moved[5])

    # Reset brings the digit back exactly.
    run.page.click("#sliders-reset")
    idle(run)
    assert np.array_equal(run.digits()[0], grid)
    assert np.array_equal(noise_of(run), noise)

    # Another digit picked by keyboard: the sliders follow it.
    run.page.focus("canvas.digit[tabindex='0']")
    run.page.keyboard.press("Home")
    run.page.keyboard.press("Enter")
    idle(run)
    assert run.page.inner_text("#sliders-subject").startswith("Sample 1")
    assert run.console_errors == []


def test_moving_a_slider_fifty_times_leaves_the_tensor_count_flat(open_page, base_url):
    run = open_page(base_url + "/?seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    run.page.click("#sliders-panel > summary")
    run.page.wait_for_selector("#sliders-list input")
    step = """(value) => { const input = document.getElementById('z-3');
                           input.value = String(value);
                           input.dispatchEvent(new Event('input', { bubbles: true })); }"""
    values = [round(-3 + 0.1 * i, 1) for i in range(50)]  # on the slider's 0.05 steps
    before, after = run.tensor_counts(step, values)
    assert after == [before] * 50
    assert noise_of(run)[3] == np.float32(values[-1])
    assert run.console_errors == []
