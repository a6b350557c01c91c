"""Several exported models: the page lists them, model= picks one, a switch keeps the view, classes show by name."""

from __future__ import annotations

import json
import shutil
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from pipeline.config import DATASETS

from .conftest import SHAPES

pytestmark = pytest.mark.browser

FASHION = list(DATASETS["fashion-mnist"]["class_names"])


@pytest.fixture(scope="session")
def multi_url(servers, multi_export) -> str:
    return servers.url(multi_export)


def query(run) -> dict[str, list[str]]:
    return parse_qs(urlsplit(run.page.url).query)


def picker(run) -> list[tuple[str, str]]:
    """The model picker's options: (value, text)."""
    return run.page.evaluate("() => Array.from(document.querySelector('#model').options, (o) => [o.value, o.text])")


def pills(run) -> list[str]:
    return run.page.locator("#digit-picker label.pill span").all_inner_texts()


def test_the_picker_lists_every_model_and_model_selects_one_keeping_the_seed(open_page, multi_url, multi_export):
    index = json.loads((multi_export / "index.json").read_text())
    run = open_page(multi_url + "/?model=dcgan&seed=42&count=20&backend=wasm")
    run.ready()
    assert picker(run) == [[m["name"], f"{m['name']} — {m['description']}"] for m in index["models"]]
    assert [name for name, _ in picker(run)][0] == "cgan"  # the default first
    assert run.page.input_value("#model") == "dcgan"
    assert run.page.get_by_role("combobox", name="Model").evaluate("(select) => select.id") == "model"
    assert run.page.evaluate("() => ganDemo.metadata.name") == "dcgan"
    assert run.page.is_hidden("#digit-field") and run.digits()[1] is None
    assert urlsplit(run.page.url).query == "model=dcgan&seed=42&count=20&backend=wasm"
    dcgan_images = run.digits()[0]

    # Keyboard: Tab from Generate reaches the picker; choosing a model there switches to it.
    run.page.focus("#generate")
    run.page.keyboard.press("Tab")
    assert run.page.evaluate("() => document.activeElement.id") == "model"
    run.page.select_option("#model", "cgan")
    run.page.wait_for_url(lambda url: "model=cgan" in url)
    run.page.evaluate("() => ganDemo.idle()")
    assert run.page.evaluate("() => ganDemo.state") == {
        "model": "cgan",
        "seed": 42,
        "digit": "all",
        "count": 20,
        "backend": "wasm",
    }
    assert query(run) == {"model": ["cgan"], "seed": ["42"], "digit": ["all"], "count": ["20"], "backend": ["wasm"]}
    assert run.page.evaluate("() => ganDemo.metadata.name") == "cgan"
    assert pills(run) == ["All", *map(str, range(10))] and run.page.is_visible("#digit-field")
    images, labels = run.digits()
    assert len(images) == 20 and labels == [digit for digit in range(10) for _ in range(2)]
    # The same view opened from its URL draws the same digits.
    again = open_page(run.page.url)
    again.ready()
    assert np.array_equal(again.digits()[0], images)
    run.page.select_option("#model", "dcgan")
    run.page.wait_for_url(lambda url: "model=dcgan" in url)
    run.page.evaluate("() => ganDemo.idle()")
    assert np.array_equal(run.digits()[0], dcgan_images), "the same seed gave other images"
    assert run.console_errors == []


def test_switching_models_frees_the_previous_models_tensors(open_page, multi_url):
    run = open_page(multi_url + "/?seed=5&digit=all&count=20&backend=wasm")
    run.ready()
    models = ["dcgan", "cgan", "fashion-mnist-cgan", "cgan", "dcgan", "cgan"]
    before, during = run.tensor_counts("(name) => ganDemo.setModel(name)", models)
    assert during[1] == during[3] == during[5] == before, (before, during)
    assert during[0] == during[4], during
    assert run.console_errors == []


def test_a_switch_keeps_the_class_where_the_new_model_has_it(open_page, multi_url):
    run = open_page(multi_url + "/?seed=9&digit=7&count=6&backend=wasm")
    run.ready()
    run.page.evaluate("() => ganDemo.setModel('fashion-mnist-cgan')")
    run.page.evaluate("() => ganDemo.idle()")
    assert run.digits()[1] == [7] * 6
    assert run.page.locator("#digit-picker input:checked + span").inner_text() == "Sneaker"
    assert run.page.inner_text("#notices") == ""
    # Three classes: there is no class 7, so the grid shows all three, one row each.
    run.page.evaluate("() => ganDemo.setModel('shapes')")
    run.page.evaluate("() => ganDemo.idle()")
    state = run.page.evaluate("() => ganDemo.state")
    assert (state["digit"], state["count"], state["seed"]) == ("all", 6, 9)
    assert run.digits()[1] == [0, 0, 1, 1, 2, 2]
    assert "no class 7" in run.page.inner_text("#notices")
    assert pills(run) == ["All", *SHAPES]
    assert query(run)["model"] == ["shapes"] and query(run)["digit"] == ["all"]


def test_an_unknown_model_name_shows_a_notice_and_the_default(open_page, multi_url):
    run = open_page(multi_url + "/?model=no-such-model&seed=3&count=10&backend=wasm")
    run.ready()
    notices = run.page.inner_text("#notices")
    assert 'model="no-such-model"' in notices and "showing cgan" in notices, notices
    assert run.page.evaluate("() => ganDemo.metadata.name") == "cgan"
    assert run.page.input_value("#model") == "cgan"
    assert query(run)["model"] == ["cgan"] and query(run)["seed"] == ["3"]
    assert run.page.locator("canvas.digit").count() == 10


def test_fashion_mnist_classes_are_shown_by_name(open_page, multi_url):
    run = open_page(multi_url + "/?model=fashion-mnist-cgan&seed=1&digit=1&count=4&backend=wasm")
    run.ready()
    run.page.evaluate("() => ganDemo.idle()")
    assert pills(run) == ["All", *FASHION]
    assert run.page.text_content("#digit-label") == "Class"
    assert run.page.locator("#digit-picker input:checked + span").inner_text() == "Trouser"
    options = run.page.evaluate("() => Array.from(document.querySelector('#morph-from').options, (o) => o.text)")
    assert options == FASHION
    assert run.page.locator("#morph-from option:checked").inner_text() == "Trouser"
    assert "Trouser" in run.page.get_attribute("canvas.digit >> nth=0", "title")
    assert "T-shirt/top, Trouser, Pullover" in run.page.inner_text("#model-info")
    assert run.console_errors == []


def test_a_model_that_cannot_be_loaded_leaves_the_one_on_screen(open_page, servers, multi_export, tmp_path):
    root = shutil.copytree(multi_export, tmp_path / "exported")
    (root / "dcgan" / "group1-shard1of1.bin").unlink()
    run = open_page(servers.url(root) + "/?seed=2&digit=all&count=10&backend=wasm")
    run.ready()
    images = run.digits()[0]
    run.page.select_option("#model", "dcgan")
    run.page.wait_for_selector("#notices li")
    run.page.evaluate("() => ganDemo.idle()")
    assert "dcgan could not be loaded" in run.page.inner_text("#notices")
    assert run.page.input_value("#model") == "cgan"
    assert run.page.evaluate("() => [ganDemo.metadata.name, ganDemo.state.model, ganDemo.error]") == [
        "cgan",
        "cgan",
        None,
    ]
    assert query(run)["model"] == ["cgan"]
    assert np.array_equal(run.digits()[0], images)
    assert run.page.is_enabled("#generate")
