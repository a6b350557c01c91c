"""The static site (`python -m pipeline.site`) served by `python -m http.server` under a two-level sub-path.

Not our Flask server: a plain static server, as a course website or GitHub Pages would serve it. The
site lives at http://127.0.0.1:<port>/course/gan/ with a secret beside it; the server's own access log
proves that no request leaves the site's folder. After one visit the site works with the server
gone, and a site rebuilt into the same folder is what the next online visit shows.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from pipeline import site
from pipeline.config import INDEX_FILE
from tests.judging import own_judge

from .conftest import build_standin
from .digits import check_digits
from .test_api import example_digits

pytestmark = pytest.mark.browser

SUB_PATH = "/course/gan/"
PANELS = ("critic", "sliders", "game", "draw")
VIEWS = ("models", "pyramid", "superres")
GRID = "?seed=11&digit=all&count=100&backend=wasm"


class StaticServer:
    """`python -m http.server` on a free loopback port serving `root`; its access log, one path per request."""

    def __init__(self, root: Path):
        self.root = root
        self.paths: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", str(root)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first = self.process.stdout.readline()  # "Serving HTTP on 127.0.0.1 port 41234 (http://...) ..."
        self.port = int(re.search(r"port (\d+)", first).group(1))
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        for line in self.process.stderr:  # 127.0.0.1 - - [date] "GET /course/gan/ HTTP/1.1" 200 -
            match = re.search(r'"[A-Z]+ (\S+) HTTP', line)
            if match:
                self.paths.append(match.group(1))

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{SUB_PATH}"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


@pytest.fixture
def static_server():
    started = []

    def start(root: Path) -> StaticServer:
        server = StaticServer(root)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def write(root: Path, exported: Path, models: list[str] | None = None) -> Path:
    """The site of `exported` (those models, else all) at root/course/gan/, with a secret beside it."""
    (root / "secret.txt").parent.mkdir(parents=True, exist_ok=True)
    (root / "secret.txt").write_text("not part of the site")
    out = root / SUB_PATH.strip("/")
    argv = [str(out), "--exported", str(exported)] + (["--models", ",".join(models)] if models else [])
    assert site.main(argv) == 0
    return out


@pytest.fixture(scope="module")
def shipped_site(tmp_path_factory, trained_export) -> Path:
    return write(tmp_path_factory.mktemp("site"), trained_export)


def assert_stays_inside(server: StaticServer, run) -> None:
    """Every request the server saw, and every one the page made, is inside the site's folder."""
    assert server.paths, "the server saw no request"
    outside = [path for path in server.paths if not path.startswith(SUB_PATH)]
    assert outside == [], f"requests outside {SUB_PATH}: {outside}"
    page_outside = [url for url in run.requests if not url.startswith(server.url)]
    assert page_outside == [], f"the page asked for {page_outside}"


def grid_of(run) -> tuple[np.ndarray, list[int] | None]:
    run.ready()
    return run.digits()


def test_the_site_draws_digits_under_a_sub_path_and_asks_for_nothing_outside_it(open_page, static_server, shipped_site):
    server = static_server(shipped_site.parents[1])
    run = open_page(server.url + GRID)
    images, labels = grid_of(run)
    assert labels == [i // 10 for i in range(100)]
    check_digits(own_judge(), images, labels)
    assert (
        run.page.evaluate("() => ganDemo.metadata.name")
        == json.loads((shipped_site / "exported" / INDEX_FILE).read_text())["models"][0]["name"]
    )
    assert run.console_errors == []
    assert_stays_inside(server, run)
    # Nothing in the site names an absolute path: no href or src starts with "/".
    page = (shipped_site / "index.html").read_text()
    assert not re.search(r'(href|src)="/', page)
    assert 'http-equiv="Content-Security-Policy"' in page


def test_the_sites_example_page_draws_with_the_public_api(open_page, static_server, shipped_site):
    server = static_server(shipped_site.parents[1])
    run = open_page(server.url + "example.html")
    check_digits(own_judge(), example_digits(run), list(range(10)))
    assert run.console_errors == []
    assert_stays_inside(server, run)


def test_every_model_panel_and_view_opens_on_the_site_with_no_console_error(open_page, static_server, shipped_site):
    server = static_server(shipped_site.parents[1])
    models = json.loads((shipped_site / "exported" / INDEX_FILE).read_text())["models"]
    for entry in models:
        run = open_page(server.url + f"?model={entry['name']}&seed=3&count=20")
        run.ready()
        assert run.page.evaluate("() => ganDemo.metadata.name") == entry["name"]
        # Every panel and view this model offers, opened as a user does: its <summary>, from the keyboard.
        for name in PANELS + VIEWS:
            summary = f"#{name}-panel > summary"
            if not run.page.is_visible(f"#{name}-panel"):
                continue
            run.page.focus(summary)
            run.page.keyboard.press("Enter")
            if name == "sliders":  # its hook view stays null until a digit is picked: its sliders say it is open
                run.page.wait_for_selector("#sliders-list input")
            else:
                run.page.wait_for_function(f"() => ganDemo.features.{name} !== null")
            run.page.evaluate("() => ganDemo.idle()")
        assert run.page.is_hidden("#error"), run.page.inner_text("#error")
        assert run.console_errors == [], f"{entry['name']}: {run.console_errors}"
        assert_stays_inside(server, run)


def test_after_one_visit_the_site_works_with_the_server_gone(browser, static_server, shipped_site):
    server = static_server(shipped_site.parents[1])
    context = browser.new_context()
    try:
        page = context.new_page()
        online = visit(page, server.url + GRID)
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        server.stop()  # the network is really cut: nothing answers on that port any more
        context.set_offline(True)
        again = context.new_page()
        errors = []
        again.on("console", lambda message: message.type == "error" and errors.append(message.text))
        offline = visit(again, server.url + GRID)
        np.testing.assert_array_equal(offline, online)  # the same seed, the same model: the same digits
        check_digits(own_judge(), offline, [i // 10 for i in range(100)])
        assert errors == []
    finally:
        context.close()


def visit(page, url: str) -> np.ndarray:
    """Open `url` in `page` and wait for the grid -> its digits, grey levels uint8 [N, 28, 28]."""
    page.goto(url)
    page.evaluate("() => window.ganDemo.ready")
    data = page.evaluate(
        """() => Array.from(document.querySelectorAll('canvas.digit'),
             (c) => Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data))"""
    )
    return np.array([np.array(pixels, np.uint8).reshape(28, 28, 4)[..., 0] for pixels in data])


def test_a_rebuilt_model_is_what_the_next_online_visit_draws(browser, static_server, tmp_path, trained_export):
    """Site 1 ships the trained cgan; the same folder is rebuilt with other cgan weights (an untrained
    stand-in): the visit after the rebuild draws exactly what a fresh browser draws from the new site."""
    root = tmp_path / "root"
    out = write(root, trained_export, ["cgan"])
    server = static_server(root)
    url = server.url + "?seed=5&digit=all&count=20&backend=wasm"
    context = browser.new_context()
    try:
        page = context.new_page()
        before = visit(page, url)
        page.evaluate("() => navigator.serviceWorker.ready.then(() => true)")
        page.close()

        old_version = json.loads((out / site.SITE_FILE).read_text())["version"]
        write(root, build_standin(tmp_path / "standin"), ["cgan"])
        assert json.loads((out / site.SITE_FILE).read_text())["version"] != old_version

        after = visit(context.new_page(), url)
    finally:
        context.close()
    fresh_context = browser.new_context()
    try:
        expected = visit(fresh_context.new_page(), url)
    finally:
        fresh_context.close()
    assert not np.array_equal(before, expected), "the two models draw the same digits: nothing to tell apart"
    np.testing.assert_array_equal(after, expected)


def test_a_corrupt_shard_in_the_site_shows_the_pages_error(open_page, static_server, tmp_path, trained_export):
    out = write(tmp_path / "root", trained_export, ["cgan"])
    shard = out / "exported" / "cgan" / "group1-shard1of1.bin"
    data = bytearray(shard.read_bytes())
    data[1000:1100] = bytes(100)  # same size, other bytes: only the sha256 can tell
    shard.write_bytes(bytes(data))
    server = static_server(tmp_path / "root")
    run = open_page(server.url)
    text = run.error_text()
    assert "group1-shard1of1.bin" in text and "corrupt" in text, text
    assert run.page.locator("canvas.digit").count() == 0
