"""The page in headless Chromium: it loads cleanly and locally, keeps its state in the URL, morphs and does not leak."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from .conftest import default_model, host_of

pytestmark = pytest.mark.browser


def test_page_loads_without_errors_draws_digits_and_stays_on_loopback(open_page, base_url):
    run = open_page(base_url + "/")
    run.ready()
    # The automatic backend choice measures every backend after the first grid: wait for it too.
    # (page.wait_for_function evaluates strings, which the page's CSP forbids: poll inside the page)
    run.page.evaluate(
        "() => new Promise((resolve) => { const t = setInterval(() => {"
        " if (ganDemo.tuning) { clearInterval(t); resolve(); } }, 50); })"
    )
    run.page.evaluate("() => ganDemo.idle()")
    canvases = run.page.locator("canvas.digit")
    assert canvases.count() == 100
    images, _ = run.digits()
    assert images.shape == (100, 28, 28)
    assert images.std() > 0, "canvases are blank"
    assert run.console_errors == []
    assert run.requests, "no requests recorded"
    assert {host_of(url) for url in run.requests} == {"127.0.0.1"}, run.requests
    tuning = run.page.evaluate("() => ganDemo.tuning")
    assert tuning["backend"] in tuning["rates"] and tuning["backend"] == run.page.evaluate("() => ganDemo.backend")
    assert tuning["rates"][tuning["backend"]] == max(tuning["rates"].values())
    # The line names the running backend and what each one measured (the page starts with "backend —").
    backend_line = run.page.inner_text("#backend-info")
    assert backend_line.startswith(f"backend {tuning['backend']}") and "fastest of" in backend_line, backend_line
    assert all(name in backend_line for name in tuning["rates"]), backend_line
    assert run.page.inner_text("#timing").startswith("100 digits in "), run.page.inner_text("#timing")
    # Each digit is a 28x28 canvas scaled up crisply by CSS.
    width, height, rendering, shown_width = run.page.evaluate(
        "() => { const c = document.querySelector('canvas.digit');"
        " return [c.width, c.height, getComputedStyle(c).imageRendering, c.getBoundingClientRect().width]; }"
    )
    assert (width, height, rendering) == (28, 28, "pixelated")
    assert shown_width > 28, f"canvases are not scaled up ({shown_width} px wide)"


def test_the_page_works_without_its_test_hook(open_page, base_url):
    """No page code reads window.ganDemo: with the hook made unwritable the page still draws, generates and morphs."""
    hide_hook = "Object.defineProperty(window, 'ganDemo', {get() { return undefined; }, set() {}});"
    run = open_page(base_url + "/?seed=4&digit=all&count=20&backend=wasm", init_script=hide_hook)
    run.page.wait_for_selector("body[data-state='ready']")
    assert run.page.evaluate("() => window.ganDemo") is None
    assert run.page.locator("canvas.digit").count() == 20
    first = run.digits()[0]
    assert first.std() > 0
    run.page.click("#generate")
    run.page.wait_for_url(lambda url: "seed=4&" not in url)
    for _ in range(100):  # the CSP forbids wait_for_function's evaluated strings: poll from here
        if not np.array_equal(run.digits()[0], first):
            break
        run.page.wait_for_timeout(50)
    assert not np.array_equal(run.digits()[0], first), "Generate drew nothing new"
    run.page.wait_for_selector("#morph-strip canvas")
    assert run.page.locator("#morph-strip canvas").count() == 8
    assert run.page.get_attribute("#status", "data-state") == "ready"
    assert run.console_errors == []


def test_conditional_canvases_carry_the_digit_asked_for(open_page, base_url, model_export):
    run = open_page(base_url + "/?seed=5&digit=all&count=30&backend=wasm")
    run.ready()
    _, labels = run.digits()
    if run.page.evaluate("() => ganDemo.metadata.num_classes") == 0:
        assert labels is None
        return
    assert labels == [digit for digit in range(10) for _ in range(3)]
    run.page.goto(base_url + "/?seed=5&digit=7&count=12&backend=wasm")
    run.ready()
    assert run.digits()[1] == [7] * 12


def test_the_same_seed_gives_the_same_digits(open_page, base_url):
    url = base_url + "/?seed=1234&digit=all&count=20&backend=wasm"
    first = open_page(url)
    first.ready()
    second = open_page(url)
    second.ready()
    images_a, _ = first.digits()
    images_b, _ = second.digits()
    assert np.array_equal(images_a, images_b)
    assert first.last_batch()["noise"] == second.last_batch()["noise"]
    other = open_page(base_url + "/?seed=1235&digit=all&count=20&backend=wasm")
    other.ready()
    assert not np.array_equal(images_a, other.digits()[0])


def test_the_url_round_trips_the_state(open_page, base_url, model_export):
    model = default_model(model_export).name  # shown when the URL names none, and then named in it
    run = open_page(base_url + "/?seed=77&digit=3&count=12&backend=cpu")
    run.ready()
    assert urlsplit(run.page.url).query == f"model={model}&seed=77&digit=3&count=12&backend=cpu"
    assert run.page.evaluate("() => ganDemo.state") == {
        "model": model,
        "seed": 77,
        "digit": 3,
        "count": 12,
        "backend": "cpu",
    }
    assert run.page.input_value("#seed") == "77" and run.page.input_value("#count") == "12"

    # Generate: new noise, and the URL names it; opening that URL gives the same digits.
    run.page.click("#generate")
    run.page.evaluate("() => ganDemo.idle()")
    query = parse_qs(urlsplit(run.page.url).query)
    assert query["seed"] != ["77"] and query["digit"] == ["3"] and query["count"] == ["12"]
    assert query["model"] == [model]
    images, _ = run.digits()
    again = open_page(run.page.url)
    again.ready()
    assert np.array_equal(images, again.digits()[0])

    # The controls write the URL too.
    run.page.fill("#count", "5")
    run.page.press("#count", "Enter")
    run.page.fill("#seed", "99")
    run.page.press("#seed", "Enter")
    run.page.click("label.pill:has(input[value='8'])")
    run.page.evaluate("() => ganDemo.idle()")
    assert parse_qs(urlsplit(run.page.url).query) == {
        "model": [model],
        "seed": ["99"],
        "digit": ["8"],
        "count": ["5"],
        "backend": ["cpu"],
    }
    assert run.page.locator("canvas.digit").count() == 5


@pytest.mark.parametrize(
    ("query", "notice", "count"),
    [
        ("count=0&digit=3", "count", 1),
        ("count=1000000&digit=3", "count", 400),
        ("count=abc&digit=3", "count", 100),
        ("digit=12&count=20", "digit", 20),
        ("seed=abc&digit=3&count=4", "seed", 4),
        ("seed=-5&digit=3&count=4", "seed", 4),
        ("backend=quantum&digit=3&count=4", "backend", 4),
    ],
)
def test_bad_url_values_are_clamped_or_replaced_with_a_visible_notice(open_page, base_url, query, notice, count):
    run = open_page(f"{base_url}/?{query}")
    run.ready()
    notices = run.page.inner_text("#notices")
    assert notice in notices, notices
    assert run.page.locator("canvas.digit").count() == count
    state = parse_qs(urlsplit(run.page.url).query)
    assert state["count"] == [str(count)]
    assert state["seed"][0].isdigit()
    assert run.console_errors == []


def read_canvases(run, selector: str) -> np.ndarray:
    """The grey levels of the canvases matching `selector` -> uint8 [N, 28, 28]."""
    data = run.page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector),
             (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data))""",
        selector,
    )
    return np.array([np.array(d, np.uint8).reshape(28, 28, 4)[..., 0] for d in data])


def assert_same_digit(a: np.ndarray, b: np.ndarray, what: str) -> None:
    difference = np.abs(a.astype(int) - b.astype(int)).max()
    assert difference <= 1, f"{what}: differs by up to {difference} grey levels"


def test_morph_animates_between_two_samples_and_two_digits(open_page, base_url):
    run = open_page(base_url + "/?seed=3&digit=all&count=20&backend=wasm")
    run.ready()
    run.page.evaluate("() => ganDemo.idle()")
    assert run.page.is_visible("#morph-panel")
    frames = []
    for _ in range(4):
        frames.append(read_canvases(run, "#morph-canvas")[0])
        run.page.wait_for_timeout(350)
    assert any(not np.array_equal(frames[0], frame) for frame in frames[1:]), "the morph does not move"
    # It starts between the grid's first and last digit: the strip's ends are those digits.
    grid, labels = run.digits()
    strip = read_canvases(run, "#morph-strip canvas")
    assert len(strip) == 8
    assert_same_digit(strip[0], grid[0], "first morph step vs first digit")
    assert_same_digit(strip[-1], grid[-1], "last morph step vs last digit")
    assert not np.array_equal(strip[0], strip[-1])
    conditional = run.page.evaluate("() => ganDemo.metadata.num_classes") > 0
    if conditional:
        assert run.page.evaluate("() => ganDemo.morph") == {
            "a": {"index": 0, "label": labels[0]},
            "b": {"index": 19, "label": labels[-1]},
        }
        run.page.select_option("#morph-from", "1")
        run.page.select_option("#morph-to", "7")
        run.page.evaluate("() => ganDemo.idle()")
        assert run.page.evaluate("() => [ganDemo.morph.a.label, ganDemo.morph.b.label]") == [1, 7]
        relabelled = read_canvases(run, "#morph-strip canvas")
        assert not np.array_equal(relabelled[0], strip[0]), "changing the labels did not change the morph"
    # Clicking two grid digits makes them the ends of the morph, labels included.
    run.page.locator("canvas.digit").nth(4).click()
    run.page.locator("canvas.digit").nth(9).click()
    run.page.evaluate("() => ganDemo.idle()")
    picked = run.page.evaluate(
        "() => Array.from(document.querySelectorAll('canvas.digit.picked'), c => Number(c.dataset.index))"
    )
    assert picked == [4, 9]
    strip = read_canvases(run, "#morph-strip canvas")
    assert_same_digit(strip[0], grid[4], "first morph step vs clicked digit 4")
    assert_same_digit(strip[-1], grid[9], "last morph step vs clicked digit 9")
    if conditional:
        assert run.page.input_value("#morph-from") == str(labels[4])
        assert run.page.input_value("#morph-to") == str(labels[9])
    assert run.console_errors == []


def test_generating_a_hundred_times_does_not_grow_the_tensor_count(open_page, base_url):
    run = open_page(base_url + "/?seed=1&digit=all&count=100&backend=wasm")
    run.ready()
    before, after = run.tensor_counts("(seed) => ganDemo.generate({seed})", list(range(100)))
    assert after[-1] == before
    assert run.page.evaluate("() => ganDemo.lastBatch.seed") == 99


def test_an_unconditional_model_has_no_digit_picker(open_page, servers, unconditional_export):
    run = open_page(servers.url(unconditional_export) + "/?seed=8&count=16&digit=4&backend=wasm")
    run.ready()
    assert run.page.is_hidden("#digit-field")
    assert run.page.locator("canvas.digit").count() == 16
    assert run.digits()[1] is None
    assert "unconditional" in run.page.inner_text("#notices")
    assert "digit" not in parse_qs(urlsplit(run.page.url).query)


def test_page_shows_the_model_training_and_evaluation_summary(open_page, base_url, model_export):
    run = open_page(base_url + "/?backend=wasm&count=10&digit=all")
    run.ready()
    metadata = run.page.evaluate("() => ganDemo.metadata")
    model = run.page.inner_text("#model-info")
    assert f"Model\n{metadata['name']}: {metadata['description']}" in model, model
    assert f"Dataset\n{metadata['dataset']}" in model, model
    assert f"Parameters\n{metadata['parameters']:,}" in model, model
    assert f"Latent size\n{metadata['latent_dim']} standard-normal values" in model, model
    assert run.page.inner_text("#model-size").startswith("model ")
    training = run.page.inner_text("#training-info")
    assert f"Epochs\n{metadata['training']['epochs']:,}" in training, training
    evaluation = run.page.inner_text("#evaluation-info")
    if metadata["evaluation"]:
        fid = metadata["evaluation"]["generated"]["fid"]
        # Each metric says what it means where it stands, not only on hover.
        assert re.search(rf"FID \(judge features\)\n[^\t]*lower is closer\t{fid:.2f}", evaluation), evaluation
        assert "Real digits" in evaluation
    else:
        assert "not evaluated" in evaluation


def test_cross_origin_isolated_page_runs_the_threaded_wasm_build_cleanly(open_page, servers, model_export, base_url):
    query = "/?seed=21&digit=all&count=20&backend=wasm"
    run = open_page(servers.url(model_export, isolation=True) + query)
    run.ready()
    assert run.page.evaluate("() => crossOriginIsolated")
    assert any(url.endswith("tfjs-backend-wasm-threaded-simd.wasm") for url in run.requests)
    assert run.console_errors == []
    plain = open_page(base_url + query)
    plain.ready()
    assert not plain.page.evaluate("() => crossOriginIsolated")
    difference = np.abs(run.digits()[0].astype(int) - plain.digits()[0].astype(int))
    assert difference.max() <= 1
