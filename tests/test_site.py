"""`python -m pipeline.site`: what a static site holds, its report, refusals of bad input, and atomic rewrites.

The site in the browser (under a sub-path, offline, after a rebuild) is tests/browser/test_site.py.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from pipeline import site
from pipeline.config import INDEX_FILE, ROOT
from pipeline.page import HEAD_MARKER

EXPORTED = ROOT / "exported"

pytestmark = pytest.mark.skipif(
    not (site.VENDOR_DIR / "tfjs" / "dist" / "tf.es2017.min.js").is_file() or not (EXPORTED / INDEX_FILE).is_file(),
    reason="needs node_modules (npm ci) and the committed exports",
)


def shipped_names() -> list[str]:
    return [entry["name"] for entry in json.loads((EXPORTED / INDEX_FILE).read_text())["models"]]


def run_site(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.site", *argv], capture_output=True, text=True, cwd=ROOT, timeout=120
    )


def test_a_site_holds_the_page_tfjs_wasm_and_the_chosen_models_and_reports_their_sizes(tmp_path, capsys):
    out = tmp_path / "site"
    second = shipped_names()[1]
    assert site.main([str(out), "--models", f"{second},cgan"]) == 0
    report = capsys.readouterr().out
    for part in ("TF.js", "WASM backend", f"model {second}", "model cgan", "total"):
        assert re.search(rf"^  {re.escape(part)} +\d+\.\d\d MB$", report, re.M), (part, report)

    index = json.loads((out / "exported" / INDEX_FILE).read_text())
    assert [entry["name"] for entry in index["models"]] == [second, "cgan"]  # the first named is the default
    assert not (out / "exported" / "dcgan").exists() or second == "dcgan"
    assert not (out / "exported" / "cgan" / "report").exists()
    for name in ("index.html", "main.js", "gan.js", "sw.js", "data/heldout-digits.png", ".nojekyll"):
        assert (out / name).is_file(), name
    assert (out / "vendor" / "tfjs" / "tf.es2017.min.js").read_bytes() == (
        site.VENDOR_DIR / "tfjs" / "dist" / "tf.es2017.min.js"
    ).read_bytes()

    page = (out / "index.html").read_text()
    manifest = json.loads((out / site.SITE_FILE).read_text())
    assert HEAD_MARKER not in page and 'http-equiv="Content-Security-Policy"' in page
    assert f'<meta name="gan-site-version" content="{manifest["version"]}" />' in page
    assert not re.search(r'(href|src)="/', page), "an absolute URL in the page"
    # The preloads are the default model's, with the ?v= its loader asks for.
    assert f'href="exported/{second}/metadata.json"' in page
    # Every file the service worker precaches is in the site (the query names a version, not a file).
    for file in manifest["files"]:
        assert (out / file.split("?")[0]).exists(), file
    assert "sw.js" not in manifest["files"] and site.SITE_FILE not in manifest["files"]
    assert any(file.startswith(f"exported/{second}/") and "?v=" in file for file in manifest["files"])


def test_the_same_inputs_write_the_same_version_and_other_models_another(tmp_path):
    assert site.main([str(tmp_path / "a"), "--models", "cgan"]) == 0
    assert site.main([str(tmp_path / "b"), "--models", "cgan"]) == 0
    assert site.main([str(tmp_path / "a"), "--models", "cgan,dcgan"]) == 0  # rebuilt into the same folder
    version = {name: json.loads((tmp_path / name / site.SITE_FILE).read_text())["version"] for name in "ab"}
    assert version["a"] != version["b"]
    assert site.main([str(tmp_path / "a"), "--models", "cgan"]) == 0
    assert json.loads((tmp_path / "a" / site.SITE_FILE).read_text())["version"] == version["b"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--models", "cgan,no-such-model"], "unknown model no-such-model"),
        (["--models", ","], "--models names no model"),
    ],
)
def test_unknown_models_are_refused_with_one_line_and_exit_2(tmp_path, argv, message):
    result = run_site(str(tmp_path / "site"), *argv)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert not (tmp_path / "site").exists()


def test_out_under_a_file_or_a_foreign_folder_is_refused(tmp_path):
    (tmp_path / "file").write_text("x")
    result = run_site(str(tmp_path / "file" / "site"))
    assert result.returncode == 2 and "is a file" in result.stderr and result.stderr.count("\n") == 1
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    result = run_site(str(foreign))
    assert result.returncode == 2 and "not a site this command wrote" in result.stderr
    assert [path.name for path in foreign.iterdir()] == ["thesis.tex"]


def test_a_write_killed_before_the_swap_leaves_the_earlier_site_whole(tmp_path):
    out = tmp_path / "site"
    assert site.main([str(out), "--models", "cgan"]) == 0
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    env = {**os.environ, "PIPELINE_CRASH_AT": "site-staged"}
    killed = subprocess.run(
        [sys.executable, "-m", "pipeline.site", str(out), "--models", "cgan,dcgan"], env=env, cwd=ROOT, timeout=120
    )
    assert killed.returncode == -9
    assert {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    # The next write clears the killed one's staging folder and succeeds.
    assert site.main([str(out), "--models", "cgan,dcgan"]) == 0
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_missing_tfjs_is_refused(tmp_path):
    result = run_site(str(tmp_path / "site"), "--vendor", str(tmp_path / "none"))
    assert result.returncode == 2 and "npm ci" in result.stderr


def test_the_readme_shows_the_example_page_the_site_ships():
    readme = (ROOT / "README.md").read_text()
    shown = re.search(r"```html\n(.*?)```", readme, re.S).group(1)
    assert shown == (ROOT / "web" / "example.html").read_text()
