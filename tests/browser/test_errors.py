"""Every way loading can fail ends in a visible explanation, never a blank page or an endless spinner."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from pipeline.contract import validate_index, validate_metadata
from pipeline.export import ExportError

from .conftest import CloseConnections, HangUp, default_model

pytestmark = pytest.mark.browser


def shard_of(export: Path) -> Path:
    """The first weight file of the model the page shows by default."""
    return sorted(default_model(export).glob("*.bin"))[0]


def assert_shows_error(run, title: str, *phrases: str) -> str:
    text = run.error_text()
    assert title.lower() in text.lower(), text
    for phrase in phrases:
        assert phrase.lower() in text.lower(), text
    assert run.page.get_attribute("#status", "data-state") == "error"
    assert run.page.locator("canvas.digit").count() == 0
    assert run.page.evaluate("() => ganDemo.ready.then(() => 'resolved', () => 'rejected')") == "rejected"
    return text


def edit_json(path: Path, edit) -> dict:
    """Apply `edit` to the JSON file at `path` in place; returns the new content."""
    content = json.loads(path.read_text())
    edit(content)
    path.write_text(json.dumps(content, indent=2))
    return content


def edit_metadata(export: Path, edit) -> dict:
    """Apply `edit` to the default model's metadata.json in place; returns the new content."""
    return edit_json(default_model(export) / "metadata.json", edit)


def edit_index(export: Path, edit) -> dict:
    return edit_json(export / "index.json", edit)


def truncate(path: Path) -> None:
    """Keep the first half of the file at `path`."""
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


NOT_JSON = '{"format": "keras-gan-tfjs", "format_version": 2,'

# How the copy of the exports is broken -> the error the page must show: its title, then phrases in its text.
BROKEN = {
    "an index without models is a missing model": (
        lambda export: edit_index(export, lambda index: index.update(models=[])),
        ("Model missing", "lists no model"),
    ),
    "index of an unknown format version": (
        lambda export: edit_index(export, lambda index: index.update(format_version=3)),
        ("Unknown model index format version", "format_version 3", "version 2"),
    ),
    "index that is not JSON": (
        lambda export: (export / "index.json").write_text(NOT_JSON),
        ("Unreadable model index", "not valid JSON"),
    ),
    "a model the index lists but that is gone": (
        lambda export: shutil.rmtree(default_model(export)),
        ("Model missing", "index.json lists a model in"),
    ),
    "metadata missing": (
        lambda export: (default_model(export) / "metadata.json").unlink(),
        ("Metadata missing", "metadata.json"),
    ),
    "metadata of an unknown format version": (
        lambda export: edit_metadata(export, lambda metadata: metadata.update(format_version=3)),
        ("Unknown metadata format version", "format_version 3", "version 2"),
    ),
    "metadata that is not JSON": (
        lambda export: (default_model(export) / "metadata.json").write_text(NOT_JSON),
        ("Unreadable metadata", "not valid JSON"),
    ),
    "corrupt model.json": (
        lambda export: truncate(default_model(export) / "model.json"),
        ("Corrupt model", "model.json", "not valid JSON"),
    ),
    "missing shard": (lambda export: shard_of(export).unlink(), ("Model weights missing",)),
}


@pytest.mark.parametrize("case", BROKEN)
def test_a_broken_export_shows_what_is_wrong(open_page, servers, broken_export, case):
    breaks, (title, *phrases) = BROKEN[case]
    breaks(broken_export)
    assert_shows_error(open_page(servers.url(broken_export) + "/"), title, *phrases)


def test_model_missing(open_page, servers, tmp_path):
    run = open_page(servers.url(tmp_path / "no-export-here") + "/")
    assert_shows_error(run, "Model missing", "No exported model")


def test_exports_without_an_index_are_a_missing_model(open_page, servers, tmp_path):
    """The format 1 layout (exported/metadata.json and the model, no index.json) names what is missing."""
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "metadata.json").write_text(json.dumps({"format": "keras-gan-tfjs", "format_version": 1}))
    run = open_page(servers.url(tmp_path / "old") + "/")
    assert_shows_error(run, "Model missing", "index.json is missing")


def test_index_that_breaks_the_schema_is_refused_naming_the_field(open_page, servers, broken_export):
    index = edit_index(broken_export, lambda index: index["models"][0].update(name="../cgan"))
    with pytest.raises(ExportError, match=re.escape("models[0].name")):  # update_index would not write it
        validate_index(index)
    run = open_page(servers.url(broken_export) + "/")
    assert_shows_error(run, "Unreadable model index", "index.json: models[0].name must be")


def test_schema_valid_metadata_that_differs_from_the_build_loads(open_page, servers, broken_export):
    """Not evaluated, and a training summary with a key the page does not know: valid, so the page draws."""

    def edit(metadata):
        metadata["evaluation"] = None
        metadata["training"]["note"] = "a key added after format_version 2 was written"

    validate_metadata(edit_metadata(broken_export, edit))
    run = open_page(servers.url(broken_export) + "/")
    run.ready()
    images, _ = run.digits()
    assert len(images) > 0 and images.std() > 0
    assert "not evaluated" in run.page.inner_text("#evaluation-info")
    assert run.console_errors == []


INVALID_METADATA = {
    "missing required key": (lambda m: m.pop("latent_dim"), "latent_dim is missing"),
    "wrong type": (lambda m: m.update(latent_dim="64"), 'latent_dim must be an integer >= 0 (got "64")'),
    "latent_dim out of range": (
        lambda m: m.update(latent_dim=0),
        "latent_dim must be >= 1 (got 0), since a generator takes noise",
    ),
    "unknown variant": (
        lambda m: m.update(variant="wgan"),
        'variant must be one of "cgan", "dcgan", "mlp", "lapgan", "srgan" (got "wgan")',
    ),
    "noise width not latent_dim": (
        lambda m: m["inputs"][0]["shape"].__setitem__(1, m["latent_dim"] + 1),
        "inputs[0].shape[1] must be latent_dim",
    ),
}


@pytest.mark.parametrize("case", INVALID_METADATA, ids=list(INVALID_METADATA))
def test_metadata_that_breaks_the_schema_is_refused_naming_the_field(open_page, servers, broken_export, case):
    edit, phrase = INVALID_METADATA[case]
    metadata = edit_metadata(broken_export, edit)
    field = phrase.split(" ")[0]
    with pytest.raises(ExportError, match=re.escape(field)):  # the export would refuse to write it too
        validate_metadata(metadata)
    run = open_page(servers.url(broken_export) + "/")
    text = assert_shows_error(run, "Unreadable metadata", f"metadata.json: {phrase}")
    assert "Re-run the export" in text


def test_model_json_whose_layers_tfjs_cannot_build(open_page, servers, broken_export):
    model_json = default_model(broken_export) / "model.json"
    model = json.loads(model_json.read_text())
    model["modelTopology"]["model_config"]["config"]["layers"][-1]["class_name"] = "NoSuchLayer"
    model_json.write_text(json.dumps(model))
    # The digest would (rightly) catch the edit first: record the edited file's.
    digest = hashlib.sha256(model_json.read_bytes()).hexdigest()
    edit_metadata(broken_export, lambda metadata: metadata["sha256"].update({"model.json": digest}))
    run = open_page(servers.url(broken_export) + "/")
    assert_shows_error(run, "Corrupt model", "could not build")


def test_truncated_shard(open_page, servers, broken_export):
    shard = shard_of(broken_export)
    truncate(shard)
    run = open_page(servers.url(broken_export) + "/")
    assert_shows_error(run, "Corrupt model weights", shard.name, "truncated")


def test_shard_corrupted_without_changing_its_size(open_page, servers, broken_export):
    """Caught by the sha256 that metadata.json records for each file (required), before any tensor work."""
    shard = shard_of(broken_export)
    data = bytearray(shard.read_bytes())
    data[100:108] = b"\xff" * 8  # eight bytes of NaN-ish garbage
    shard.write_bytes(bytes(data))
    run = open_page(servers.url(broken_export) + "/")
    assert_shows_error(run, "Corrupt model weights", shard.name, "sha256")


@pytest.mark.parametrize("mode", ["hangup", "truncate"])
def test_server_that_hangs_up_mid_load(open_page, servers, model_export, mode):
    """The shard's connection is cut: before any byte, or after 100 of the promised bytes."""
    url = servers.url(model_export, wrap=lambda app: HangUp(app, ".bin", mode))
    run = open_page(url + "/")
    assert_shows_error(run, "Server stopped responding", ".bin", "pipeline.serve")


def test_server_shut_down_between_metadata_and_shards(open_page, servers, model_export):
    """The real server stops while the page waits for its first shard; the request then finds nobody.

    The shard requests (the server's preload and the page's fetch) are held until the page has its
    scripts and metadata, then the server shuts down and the requests go on to a closed port.
    """
    server, url = servers.start(model_export, wrap=CloseConnections)
    run = open_page(url + "/", goto=False)
    held = []

    def is_shard(url: str) -> bool:  # shards are fetched as <file>.bin?v=<hash>
        return urlsplit(url).path.endswith(".bin")

    run.page.route(is_shard, lambda route: held.append(route))
    run.page.goto(url + "/", wait_until="domcontentloaded")
    for _ in range(300):
        if held and run.page.evaluate("() => Boolean(window.ganDemo && ganDemo.metadata)"):
            break
        run.page.wait_for_timeout(50)
    assert held, "the page never asked for a shard"
    servers.stop(server)
    for route in held:
        route.continue_()
    run.page.unroute(is_shard)  # any later shard request goes straight to the closed port
    assert_shows_error(run, "Server stopped responding")


def test_unsupported_browser(open_page, base_url):
    run = open_page(base_url + "/", init_script="window.fetch = undefined;")
    assert_shows_error(run, "Unsupported browser", "fetch")


def test_tfjs_not_installed(open_page, servers, model_export, tmp_path):
    run = open_page(servers.url(model_export, vendor=tmp_path) + "/")
    assert_shows_error(run, "TensorFlow.js missing", "npm ci")
