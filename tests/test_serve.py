"""The development server: what it serves, what it refuses, its headers, and how it behaves under load."""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from pipeline import serve
from pipeline.config import ROOT

SECRET = b"TOP-SECRET-do-not-serve"
SHARD = bytes(range(256)) * 64  # 16 KiB of weights
OTHER_SHARD = bytes(range(255, -1, -1)) * 16  # the second model's 4 KiB


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    """A web/, exported/ and vendor/ tree, with a secret beside it and symlinks that point out of exported/.

    exported/ has the layout builds write: index.json listing two models, each in its folder.
    """
    (tmp_path / "secret.txt").write_bytes(SECRET)
    (tmp_path / "package.json").write_bytes(SECRET)
    web = tmp_path / "web"
    (web / "sub").mkdir(parents=True)
    (web / "index.html").write_text("<!doctype html><title>demo</title>")
    (web / "main.js").write_text("export const answer = 42;\n")
    (web / "style.css").write_text("body { color: white; }\n")
    (web / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (web / "data").mkdir()  # the real-digit sprite pipeline.sprite writes, as web/data/ holds it
    (web / "data" / "heldout-digits.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (web / "data" / "heldout-digits.json").write_text('{"count": 0}')
    (web / "notes.py").write_text("print('source is never served')\n")
    (web / ".env").write_text("TOKEN=x\n")
    exported = tmp_path / "exported"
    models = []
    for name, shard in [("cgan", SHARD), ("dcgan", OTHER_SHARD)]:
        (exported / name).mkdir(parents=True)
        metadata = {"format": "keras-gan-tfjs", "format_version": 2, "name": name, "model_file": "model.json"}
        (exported / name / "metadata.json").write_text(json.dumps(metadata))
        manifest = [{"paths": ["group1-shard1of1.bin"], "weights": []}]
        (exported / name / "model.json").write_text(json.dumps({"format": "layers-model", "weightsManifest": manifest}))
        (exported / name / "group1-shard1of1.bin").write_bytes(shard)
        models.append({"name": name, "metadata": f"{name}/metadata.json"})
    (exported / "index.json").write_text(
        json.dumps({"format": "keras-gan-tfjs", "format_version": 2, "models": models})
    )
    (exported / "link-out.json").symlink_to(tmp_path / "secret.txt")
    (exported / "linkdir").symlink_to(tmp_path, target_is_directory=True)
    (exported / "alias.json").symlink_to(exported / "cgan" / "metadata.json")  # inside: allowed
    vendor = tmp_path / "vendor"
    for package, name, body in [
        ("tfjs", "tf.es2017.min.js", b"var tf = {};\n"),
        ("tfjs-backend-wasm", "tfjs-backend-wasm-simd.wasm", b"\0asm\1\0\0\0"),
    ]:
        (vendor / package / "dist").mkdir(parents=True)
        (vendor / package / "dist" / name).write_bytes(body)
        (vendor / package / "package.json").write_bytes(SECRET)
    (vendor / "tfjs-core" / "dist").mkdir(parents=True)  # installed, but not a served package
    (vendor / "tfjs-core" / "dist" / "tf-core.js").write_bytes(SECRET)
    return {"root": tmp_path, "web": web, "exported": exported, "vendor": vendor}


@pytest.fixture
def app(site):
    return serve.create_app(site["web"], site["exported"], site["vendor"])


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def live_server(app):
    """The app on a real threaded server on a free loopback port -> (host, port)."""
    server, _ = serve.serve_in_thread(app)
    yield "127.0.0.1", server.server_port
    server.shutdown()
    server.server_close()


def raw_get(host: str, port: int, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """One request with the path sent exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection(host, port, timeout=30)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


# ---------------------------------------------------------------- what is served


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/main.js", "text/javascript; charset=utf-8"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml; charset=utf-8"),
        ("/data/heldout-digits.png", "image/png"),
        ("/data/heldout-digits.json", "application/json"),
        ("/exported/index.json", "application/json"),
        ("/exported/cgan/metadata.json", "application/json"),
        ("/exported/cgan/model.json", "application/json"),
        ("/exported/cgan/group1-shard1of1.bin", "application/octet-stream"),
        ("/exported/alias.json", "application/json"),
        ("/vendor/tfjs/tf.es2017.min.js", "text/javascript; charset=utf-8"),
        ("/vendor/tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm", "application/wasm"),
    ],
)
def test_serves_page_model_and_tfjs_with_their_content_types(client, path, content_type):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == content_type


def test_shard_bytes_arrive_unchanged(client):
    assert client.get("/exported/cgan/group1-shard1of1.bin").data == SHARD


def test_head_answers_headers_without_a_body(client):
    response = client.head("/exported/cgan/group1-shard1of1.bin")
    assert response.status_code == 200
    assert response.data == b""
    assert response.headers["Content-Length"] == str(len(SHARD))


# 29 forms: dot segments raw, percent-encoded (upper and lower case), double-encoded and overlong
# UTF-8; backslashes raw and encoded; absolute paths; NUL; a served package's parent folder; and
# symlinks inside exported/ that point out of it.
TRAVERSALS = [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/.%2e/secret.txt",
    "/%252e%252e/secret.txt",
    "/%252e%252e%252fsecret.txt",
    "/%c0%ae%c0%ae/secret.txt",
    "/..\\secret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/exported/../secret.txt",
    "/exported/..%2f..%2fsecret.txt",
    "/exported/%2e%2e/%2e%2e/secret.txt",
    "/exported/..\\..\\secret.txt",
    "/exported//etc/passwd",
    "/exported/%2fetc%2fpasswd",
    "/exported/%00../secret.txt",
    "/exported/link-out.json",
    "/exported/linkdir/secret.txt",
    "/vendor/tfjs/../package.json",
    "/vendor/tfjs/..%2fpackage.json",
    "/vendor/..%2f..%2fsecret.txt",
    "/vendor/tfjs-core/tf-core.js",
    "/vendor/%2e%2e/package.json",
]


def test_path_traversal_is_404_in_29_forms(client):
    """29 traversal forms (listed in TRAVERSALS) are all 404 and never leak the secret next door."""
    assert len(TRAVERSALS) == 29
    for path in TRAVERSALS:
        response = client.get(path)
        assert response.status_code == 404, path
        assert SECRET not in response.data, path


def test_path_traversal_is_404_on_a_real_server(live_server):
    """The same 29 forms, sent byte for byte over a socket so no client can normalise them first."""
    host, port = live_server
    for path in TRAVERSALS:
        status, _, body = raw_get(host, port, path)
        assert status == 404, path
        assert SECRET not in body, path


@pytest.mark.parametrize(
    "path", ["/notes.py", "/.env", "/sub/", "/exported/", "/exported", "/vendor/tfjs/", "/vendor/"]
)
def test_sources_dotfiles_and_folders_are_404_with_no_listing(client, path):
    response = client.get(path)
    assert response.status_code == 404
    assert b"index.html" not in response.data and b"metadata.json" not in response.data
    assert b"<a " not in response.data


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"])
@pytest.mark.parametrize("path", ["/", "/exported/cgan/metadata.json", "/no/such/file.js"])
def test_methods_other_than_get_and_head_are_405(client, method, path):
    response = client.open(path, method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD"


# ---------------------------------------------------------------- headers


@pytest.mark.parametrize(
    "path", ["/", "/main.js", "/exported/cgan/metadata.json", "/exported/cgan/group1-shard1of1.bin", "/nope"]
)
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    policy = headers["Content-Security-Policy"]
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src "))
    assert script_src == "script-src 'self' 'wasm-unsafe-eval'"
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "http:" not in policy and "https:" not in policy and "*" not in policy and "blob:" not in policy
    assert "default-src 'self'" in policy and "object-src 'none'" in policy
    assert "Cross-Origin-Embedder-Policy" not in headers  # isolation is opt-in


def test_isolation_sends_coop_and_coep_and_lets_wasm_threads_start(site):
    app = serve.create_app(site["web"], site["exported"], site["vendor"], cross_origin_isolation=True)
    headers = app.test_client().get("/").headers
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["Cross-Origin-Embedder-Policy"] == "require-corp"
    policy = headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval' blob:" in policy and "worker-src 'self' blob:" in policy
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/exported/cgan/model.json", "/exported/cgan/metadata.json", "/exported/cgan/group1-shard1of1.bin"]
)
def test_model_files_are_revalidated_so_a_rebuilt_model_never_mixes_with_a_cached_shard(client, path):
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-cache"
    etag = response.headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304


def preloaded(client, path: str = "/") -> list[str]:
    """The page's <link rel="preload"> hrefs, in order (pipeline.page writes them into the page)."""
    page = client.get(path).get_data(as_text=True)
    links = re.findall(r"<link rel=\"preload\" [^>]*>", page)
    assert all('as="fetch" crossorigin="anonymous"' in link for link in links)
    return [re.search(r'href="([^"]*)"', link).group(1) for link in links]


def test_page_preloads_the_index_the_default_model_and_the_wasm_binary(site):
    (site["exported"] / "cgan" / "model.json").write_text(
        json.dumps(
            {"weightsManifest": [{"paths": ["group1-shard1of1.bin", "../secret.txt", "../dcgan/x.bin", "missing.bin"]}]}
        )
    )
    client = serve.create_app(site["web"], site["exported"], site["vendor"]).test_client()
    wasm = "vendor/tfjs-backend-wasm/tfjs-backend-wasm-simd.wasm"
    assert preloaded(client) == [
        "exported/index.json",
        "exported/cgan/metadata.json",  # the index's first model: the one the page shows
        "exported/cgan/model.json",
        "exported/cgan/group1-shard1of1.bin",  # not the paths outside its folder, nor the missing one
        wasm,
    ]
    # ?model= names the model the page will show: its files are the ones preloaded.
    assert preloaded(client, "/?model=dcgan&seed=4") == [
        "exported/index.json",
        "exported/dcgan/metadata.json",
        "exported/dcgan/model.json",
        "exported/dcgan/group1-shard1of1.bin",
        wasm,
    ]
    assert preloaded(client, "/?model=no-such-model") == preloaded(client)  # the page shows the default
    assert preloaded(client, "/?model=../cgan") == preloaded(client)
    # Without a model, nothing of it is preloaded; the page then reports it missing.
    empty = serve.create_app(site["web"], site["root"] / "none", site["vendor"]).test_client()
    assert preloaded(empty) == [wasm]


@pytest.mark.parametrize(
    "index",
    ["{not json", "[]", '{"models": []}', '{"models": [{"name": "cgan"}]}', '{"models": [{"metadata": 5}]}'],
)
def test_a_broken_index_preloads_only_itself(site, index):
    """The page explains a broken index; the server neither fails nor guesses."""
    (site["exported"] / "index.json").write_text(index)
    client = serve.create_app(site["web"], site["exported"], site["vendor"]).test_client()
    assert client.get("/").status_code == 200
    assert [link for link in preloaded(client) if link.startswith("exported/")] == ["exported/index.json"]


# ---------------------------------------------------------------- failures stay quiet


def test_errors_never_show_a_stack_trace_or_the_debugger(site):
    app = serve.create_app(site["web"], site["exported"], site["vendor"])

    @app.get("/boom")
    def boom():
        raise RuntimeError("internal detail /home/secret/path")

    client = app.test_client()
    response = client.get("/boom")
    assert response.status_code == 500
    assert b"Traceback" not in response.data and b"internal detail" not in response.data
    assert not app.debug
    for path in ["/console", "/?__debugger__=yes&cmd=resource&f=debugger.js", "/no-such-page"]:
        response = client.get(path)
        assert b"Werkzeug" not in response.data and b"Traceback" not in response.data
        assert b"Debugger" not in response.data


def test_missing_exported_folder_still_serves_the_page(site):
    app = serve.create_app(site["web"], site["root"] / "no-such-folder", site["vendor"])
    client = app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/exported/cgan/metadata.json").status_code == 404


def test_apps_share_no_state(site, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.json").write_text("{}")
    first = serve.create_app(site["web"], site["exported"], site["vendor"]).test_client()
    second = serve.create_app(site["web"], other, site["vendor"]).test_client()
    assert first.get("/exported/index.json").data != second.get("/exported/index.json").data


# ---------------------------------------------------------------- a real server under load


def test_answers_2000_requests_50_at_a_time(live_server, site):
    """2,000 GETs of the page, index, model and shard, 50 in flight at once: every one correct."""
    host, port = live_server
    expected = {
        "/": hashlib.sha256(
            serve.create_app(site["web"], site["exported"], site["vendor"]).test_client().get("/").data
        ).hexdigest(),
        "/exported/index.json": hashlib.sha256((site["exported"] / "index.json").read_bytes()).hexdigest(),
        "/exported/cgan/model.json": hashlib.sha256(
            (site["exported"] / "cgan" / "model.json").read_bytes()
        ).hexdigest(),
        "/exported/cgan/group1-shard1of1.bin": hashlib.sha256(SHARD).hexdigest(),
    }
    paths = list(expected) * 500

    def fetch(path: str) -> tuple[str, int, str]:
        status, _, body = raw_get(host, port, path)
        return path, status, hashlib.sha256(body).hexdigest()

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(fetch, paths))
    elapsed = time.monotonic() - started
    assert len(results) == 2000
    wrong = [(path, status) for path, status, digest in results if status != 200 or digest != expected[path]]
    assert not wrong, f"{len(wrong)} wrong answers, e.g. {wrong[:3]}"
    assert raw_get(host, port, "/")[0] == 200, "server is still up"
    print(f"2000 requests in {elapsed:.1f} s ({2000 / elapsed:.0f}/s)")


# ---------------------------------------------------------------- binding and the command line


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.0.0.2", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("example.org", False),
    ],
)
def test_is_loopback(host, loopback):
    assert serve.is_loopback(host) is loopback


class FakeServer:
    server_port = 8123

    def serve_forever(self):
        return None

    def server_close(self):
        return None


def test_main_binds_loopback_by_default_and_prints_the_url(monkeypatch, capsys, site):
    bound = {}

    def fake_make_server(app, host, port):
        bound.update(host=host, port=port)
        return FakeServer()

    monkeypatch.setattr(serve, "make_server", fake_make_server)
    assert serve.main(["--exported", str(site["exported"])]) == 0
    assert bound == {"host": "127.0.0.1", "port": 8000}
    captured = capsys.readouterr()
    assert "http://127.0.0.1:8123/" in captured.out
    assert "warning" not in captured.err


def test_main_isolate_flag_turns_on_cross_origin_isolation(monkeypatch, site):
    apps = []

    def fake_make_server(app, host, port):
        apps.append(app)
        return FakeServer()

    monkeypatch.setattr(serve, "make_server", fake_make_server)
    serve.main(["--exported", str(site["exported"])])
    serve.main(["--isolate", "--exported", str(site["exported"])])
    plain, isolated = (app.test_client().get("/exported/cgan/metadata.json").headers for app in apps)
    assert "Cross-Origin-Embedder-Policy" not in plain
    assert isolated["Cross-Origin-Embedder-Policy"] == "require-corp"


def test_main_warns_when_listening_beyond_loopback(monkeypatch, capsys, site):
    monkeypatch.setattr(serve, "make_server", lambda app, host, port: FakeServer())
    assert serve.main(["--host", "0.0.0.0", "--port", "0", "--exported", str(site["exported"])]) == 0
    assert "beyond this machine's loopback" in capsys.readouterr().err


def test_main_says_when_the_model_is_missing(monkeypatch, capsys, tmp_path):
    monkeypatch.setattr(serve, "make_server", lambda app, host, port: FakeServer())
    assert serve.main(["--exported", str(tmp_path / "nothing")]) == 0
    assert "no model in" in capsys.readouterr().err


def test_python_m_pipeline_serve_listens_on_loopback_only(site):
    """The real command: it prints its URL, answers there, and its socket is bound to 127.0.0.1."""
    psutil = pytest.importorskip("psutil")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeline.serve", "--port", "0", "--exported", str(site["exported"])],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert "http://127.0.0.1:" in line, line + process.stderr.read()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        assert raw_get("127.0.0.1", port, "/exported/cgan/metadata.json")[0] == 200
        listening = [c for c in psutil.Process(process.pid).net_connections() if c.status == psutil.CONN_LISTEN]
        assert [c.laddr.ip for c in listening] == ["127.0.0.1"]
    finally:
        process.terminate()
        process.wait(timeout=10)
