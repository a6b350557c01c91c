"""The page's module graph: index.html preloads exactly what main.js loads at start; the test hook stays apart."""

from __future__ import annotations

import posixpath
import re
from html.parser import HTMLParser

import pytest

from pipeline.config import ROOT

WEB = ROOT / "web"
MAX_MODULE_LINES = 350  # past this a module is usually doing two jobs: split it along the data flow

# `import x from './a.js'`, `import './a.js'`, `export { x } from './a.js'` and `import('./a.js')`.
IMPORT = re.compile(
    r"""(?:\bimport|\bexport)\s[^'";]*?\bfrom\s*['"]([^'"]+)['"]"""
    r"""|\bimport\s*['"]([^'"]+)['"]"""
    r"""|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)"""
)
COMMENT = re.compile(r"/\*.*?\*/|^\s*//.*?$", re.S | re.M)


class PageScripts(HTMLParser):
    """Collects index.html's module entry points and modulepreload hrefs, as site paths (/main.js).

    The page names them relative to itself (main.js): web/ is the site's root folder, wherever it is served.
    """

    def __init__(self) -> None:
        super().__init__()
        self.modules: list[str] = []
        self.preloads: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script" and attributes.get("type") == "module" and attributes.get("src"):
            self.modules.append(posixpath.join("/", attributes["src"]))
        if tag == "link" and attributes.get("rel") == "modulepreload":
            self.preloads.append(posixpath.join("/", attributes["href"]))


def page_scripts() -> PageScripts:
    parser = PageScripts()
    parser.feed((WEB / "index.html").read_text())
    return parser


def imports_of(url: str, dynamic: bool = True) -> list[str]:
    """The module URLs (site paths such as /grid.js) that the module at `url` imports: statically, and
    with `dynamic` also through import(...)."""
    source = COMMENT.sub("", (WEB / url.lstrip("/")).read_text())
    matches = [match for match in IMPORT.finditer(source) if dynamic or match.group(3) is None]
    found = [next(group for group in match.groups() if group) for match in matches]
    return [posixpath.normpath(posixpath.join(posixpath.dirname(url), name)) for name in found]


def module_graph(entry: str, at_start: bool = False) -> dict[str, list[str]]:
    """Every module reachable from `entry` -> the modules it imports.

    at_start: only what loads before the first grid: main.js's own dynamic import (generator.js,
    once TF.js is there) is taken, other modules' import(...) are not: those load a feature when
    the visitor opens it (features.js), and must not be preloaded.
    """
    graph: dict[str, list[str]] = {}
    pending = [entry]
    while pending:
        url = pending.pop()
        if url in graph:
            continue
        graph[url] = imports_of(url, dynamic=not at_start or url == entry)
        pending.extend(graph[url])
    return graph


def test_import_parser_reads_every_form():
    source = """
        import { a } from './a.js';
        import b, { c as d } from "./b.js";
        import {
          e,
          f,
        } from './nested/e.js';
        import './side.js';
        export { g } from './g.js';
        // import { no } from './commented.js';
        /* import { no } from './block.js'; */
        const lazy = await import('./lazy.js');
        const text = 'import nothing';
    """
    found = [next(group for group in match.groups() if group) for match in IMPORT.finditer(COMMENT.sub("", source))]
    assert found == ["./a.js", "./b.js", "./nested/e.js", "./side.js", "./g.js", "./lazy.js"]


def test_modulepreload_lists_exactly_the_modules_main_js_imports():
    scripts = page_scripts()
    assert scripts.modules == ["/main.js"], "one module entry point"
    graph = module_graph("/main.js", at_start=True)
    imported = set(graph) - {"/main.js"}
    preloaded = set(scripts.preloads)
    assert len(scripts.preloads) == len(preloaded), "a module is preloaded twice"
    assert not imported - preloaded, f"imported but not preloaded in index.html: {sorted(imported - preloaded)}"
    assert not preloaded - imported, f"preloaded but never imported: {sorted(preloaded - imported)}"


def test_feature_modules_load_only_when_their_panel_opens():
    """The game, the sliders and the real-digit sprite are imported lazily: not preloaded, not before the grid."""
    lazy = set(module_graph("/main.js")) - set(module_graph("/main.js", at_start=True))
    assert {"/game.js", "/realfake.js", "/sprite.js", "/sliders.js"} <= lazy
    # The model views (features.js): all models, the pyramid, super-resolution and their arithmetic.
    assert {"/allmodels.js", "/pyramid.js", "/laplacian.js", "/superres.js", "/upscale.js"} <= lazy
    # The drawing pad and its search; the PNG download, imported on the first click.
    assert {"/draw.js", "/pad.js", "/strokes.js", "/mnistify.js", "/invert.js", "/discriminator.js"} <= lazy
    assert "/download.js" in lazy
    assert not lazy & set(page_scripts().preloads)


def test_every_import_names_a_module_that_exists():
    for url, imports in module_graph("/main.js").items():
        for target in imports:
            assert (WEB / target.lstrip("/")).is_file(), f"{url} imports {target}, which is not in web/"


def test_every_page_module_is_reachable_from_main_js():
    """A module in web/ that nothing imports is dead code. boot.js is a classic script, loaded by its own tag;
    gan.js is the public API (web/example.html imports it), sw.js the site's service worker (offline.js
    registers it)."""
    reachable = {url.lstrip("/") for url in module_graph("/main.js") | module_graph("/gan.js")}
    modules = {path.name for path in WEB.glob("*.js")} - {"boot.js", "sw.js"}
    assert modules - reachable == set()


def test_the_test_hook_is_installed_by_main_js_and_read_by_no_page_code():
    """window.ganDemo lives in hook.js; only main.js imports it, and no other module (nor boot.js) names it."""
    importers = {url for url, imports in module_graph("/main.js").items() if "/hook.js" in imports}
    assert importers == {"/main.js"}
    naming = {path.name for path in WEB.glob("*.js") if "ganDemo" in COMMENT.sub("", path.read_text())}
    assert naming == {"hook.js"}


@pytest.mark.parametrize("path", sorted(WEB.glob("*.js")), ids=lambda path: path.name)
def test_no_page_module_does_two_jobs(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines: split it along the data flow"
