"""web/example.html, the README's page built on web/gan.js: served with the committed export, it draws one of
each digit in a row, digits a classifier reads as the ones asked for, without a console error, and they are the
digits the demo shows for the same seed."""

from __future__ import annotations

import numpy as np
import pytest

from tests.judging import own_judge

from .digits import check_digits

pytestmark = pytest.mark.browser

# The example's caption once gan.draw has resolved; while loading it says "Loading…", on failure the error.
DRAWN = "One of each digit"
# The page and gan.js each hold the Keras output to within one grey level (tests/browser/test_parity.py).
MAX_GREY_DIFFERENCE = 2
# Poll inside the page: resolves with the caption once it no longer says it is loading.
CAPTION = """() => new Promise((resolve) => { const t = setInterval(() => {
    const text = document.getElementById('caption').textContent;
    if (!text.startsWith('Loading')) { clearInterval(t); resolve(text); } }, 50); })"""
ROW = """() => { const canvas = document.getElementById('digits');
    return {width: canvas.width, height: canvas.height,
            rgba: Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data)}; }"""


def example_digits(run) -> np.ndarray:
    """The example's drawn row -> grey levels uint8 [10, 28, 28] (255 = ink), once gan.draw has resolved."""
    caption = run.page.evaluate(CAPTION)
    assert caption.startswith(DRAWN), caption
    row = run.page.evaluate(ROW)
    assert (row["width"], row["height"]) == (10 * 28, 28)
    rgba = np.array(row["rgba"], np.uint8).reshape(28, 10, 28, 4)  # [y, digit, x, rgba]
    assert (rgba[..., 3] == 255).all() and (rgba[..., 0] == rgba[..., 1]).all(), "not opaque grey digits"
    return rgba[..., 0].transpose(1, 0, 2)  # [digit, y, x]


def test_example_page_draws_one_of_each_digit(open_page, servers, trained_export):
    run = open_page(servers.url(trained_export) + "/example.html")
    images = example_digits(run)
    report = check_digits(own_judge(), images, list(range(10)))
    print(f"example.html digits: {report}")
    assert run.console_errors == []


def test_example_digits_are_the_demos_for_the_same_seed(open_page, servers, trained_export):
    url = servers.url(trained_export)
    example = example_digits(open_page(url + "/example.html"))  # seed 7, count 10, one of each digit
    demo = open_page(url + "/?model=cgan&seed=7&count=10")
    demo.ready()
    images, labels = demo.digits()
    assert labels == list(range(10))
    difference = np.abs(images.astype(int) - example.astype(int)).max()
    print(f"example.html vs the demo at ?seed=7&count=10: max difference {difference} grey levels")
    assert difference <= MAX_GREY_DIFFERENCE
