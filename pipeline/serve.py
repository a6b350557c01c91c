"""Development server for the demo page: `web/`, the exported generator and TF.js from node_modules, nothing else."""

from __future__ import annotations

import argparse
import ipaddress
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from flask import Flask, Response, abort, request, send_file
from werkzeug.exceptions import HTTPException
from werkzeug.serving import BaseWSGIServer
from werkzeug.serving import make_server as werkzeug_make_server

from pipeline.cli import USAGE_STATUS, Parser, UsageError, in_range, one_line
from pipeline.config import ROOT
from pipeline.page import content_security_policy, inside, preloads, render

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

# The npm packages whose dist/ folders are served under /vendor/<package>/; the page loads the UMD
# builds as classic same-origin scripts and the WASM backend fetches its .wasm files from here.
VENDOR_PACKAGES = ("tfjs", "tfjs-backend-wasm")
DEFAULT_VENDOR_DIR = ROOT / "node_modules" / "@tensorflow"

# Only these file types are served; anything else (sources, configs, dotfiles) is a 404.
# Flask appends "; charset=utf-8" to the text/* types.
CONTENT_TYPES = {
    ".html": "text/html",
    ".css": "text/css",
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".bin": "application/octet-stream",
    ".wasm": "application/wasm",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".txt": "text/plain",
}

# Cross-origin isolation (COOP + COEP) enables SharedArrayBuffer, which the WASM backend needs to
# run threaded. Off by default: benchmarks/page_bench.py measured no gain on a 2-core machine (TF.js
# sizes its pool at half the cores, so one thread) and a slower first draw; `--isolate` turns it on.
ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}

# Revalidate every time (ETag/Last-Modified make that a cheap 304), so a rebuilt model.json is never
# paired with a cached shard of the previous model.
CACHE_CONTROL = "no-cache"


def _send(root: Path | None, subpath: str) -> Response:
    path = inside(root, subpath) if root is not None else None
    if path is None or path.suffix.lower() not in CONTENT_TYPES:
        abort(404)
    response = send_file(path, mimetype=CONTENT_TYPES[path.suffix.lower()], conditional=True, etag=True)
    response.headers["Cache-Control"] = CACHE_CONTROL
    return response


def create_app(
    web_dir: Path | str = ROOT / "web",
    exported_dir: Path | str | None = ROOT / "exported",
    vendor_dir: Path | str = DEFAULT_VENDOR_DIR,
    *,
    cross_origin_isolation: bool = False,
) -> Flask:
    """The Flask app serving `/` (web_dir), `/exported/` and `/vendor/<tfjs package>/`.

    A missing exported_dir is not an error: its URLs answer 404 and the page says the model is missing.
    """
    web_root = Path(web_dir)
    exported_root = Path(exported_dir) if exported_dir is not None else None
    vendor_roots = {name: Path(vendor_dir) / name / "dist" for name in VENDOR_PACKAGES}

    # static_folder=None: the only routes are the ones below, each checked by resolve_inside.
    app = Flask(__name__, static_folder=None)
    # No redirect from "//" to "/": every URL either names a served file or is a 404.
    app.url_map.merge_slashes = False
    app.config.update(DEBUG=False, PROPAGATE_EXCEPTIONS=False, TRAP_HTTP_EXCEPTIONS=False)
    extra_headers = {**SECURITY_HEADERS, **(ISOLATION_HEADERS if cross_origin_isolation else {})}
    # The demo's policy, on every response but other HTML pages: web/example.html stands for a user's
    # own page, whose inline module script is its own business.
    policy = content_security_policy(cross_origin_isolation)
    # GET only (Flask adds HEAD); no automatic OPTIONS, so every other method is a 405.
    route = {"methods": ["GET"], "provide_automatic_options": False}

    @app.get("/", provide_automatic_options=False)
    def index() -> Response:
        # The page as a static site serves it (pipeline.page.render), plus the headers below; its
        # preload hints follow ?model=, which a static site cannot.
        path = inside(web_root, "index.html")
        if path is None:
            abort(404)
        wasm_root = vendor_roots["tfjs-backend-wasm"]
        urls = preloads(exported_root, wasm_root, cross_origin_isolation, request.args.get("model"))
        text = render(path.read_text(encoding="utf-8"), isolated=cross_origin_isolation, preload_urls=urls)
        response = Response(text, mimetype=CONTENT_TYPES[".html"])
        return response

    @app.route("/exported/<path:subpath>", **route)
    def exported(subpath: str) -> Response:
        return _send(exported_root, subpath)

    @app.route("/vendor/<package>/<path:subpath>", **route)
    def vendor(package: str, subpath: str) -> Response:
        return _send(vendor_roots.get(package), subpath)

    @app.route("/<path:subpath>", **route)
    def web(subpath: str) -> Response:
        return index() if subpath == "index.html" else _send(web_root, subpath)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Response:
        # A one-line plain-text body: no HTML error page, no request details echoed back.
        response = Response(f"{error.code} {error.name}\n", status=error.code, mimetype="text/plain")
        if error.code == 405:
            response.headers["Allow"] = "GET, HEAD"
        return response

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Response:
        # The traceback goes to the server's log only, never into the response.
        app.logger.error("error serving %s", request.path, exc_info=error)
        return Response("500 Internal Server Error\n", status=500, mimetype="text/plain")

    @app.after_request
    def add_headers(response: Response) -> Response:
        response.headers.update(extra_headers)
        if response.mimetype != "text/html" or request.path in ("/", "/index.html"):
            response.headers["Content-Security-Policy"] = policy
        response.headers.setdefault("Cache-Control", CACHE_CONTROL)
        return response

    return app


def is_loopback(host: str) -> bool:
    """True for localhost and 127.0.0.0/8 or ::1; False for 0.0.0.0, :: and any other address."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def make_server(app: Flask, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> BaseWSGIServer:
    """A threaded Werkzeug server (one thread per request, never the debugger); port 0 picks a free port."""
    return werkzeug_make_server(host, port, app, threaded=True)


def serve_in_thread(app: Flask, host: str = DEFAULT_HOST, port: int = 0) -> tuple[BaseWSGIServer, str]:
    """Start `app` on a daemon thread -> (server, base URL). Stop it with server.shutdown()."""
    server = make_server(app, host, port)
    threading.Thread(target=server.serve_forever, name="gan-demo-server", daemon=True).start()
    return server, f"http://{host}:{server.server_port}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python -m pipeline.serve", description=__doc__)
    parser.add_argument("--host", default=DEFAULT_HOST, help="address to bind (default %(default)s)")
    parser.add_argument(
        "--port", type=in_range(int, 0, 65535), default=DEFAULT_PORT, help="port (default %(default)s; 0 = any free)"
    )
    parser.add_argument("--exported", type=Path, default=ROOT / "exported", help="exported model folder")
    parser.add_argument("--web", type=Path, default=ROOT / "web", help=argparse.SUPPRESS)
    parser.add_argument("--vendor", type=Path, default=DEFAULT_VENDOR_DIR, help=argparse.SUPPRESS)
    parser.add_argument(
        "--isolate",
        action="store_true",
        help="send COOP/COEP so the WASM backend may run threaded (no gain measured on 2 cores)",
    )
    try:
        args = parser.parse_args(argv)
    except UsageError as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return USAGE_STATUS

    if not (args.vendor / "tfjs" / "dist" / "tf.min.js").is_file():
        print(f"warning: {args.vendor}/tfjs is missing; run `npm ci` so the page can load TF.js", file=sys.stderr)
    if not (args.exported / "index.json").is_file():
        print(f"warning: no model in {args.exported}; the page will say the model is missing", file=sys.stderr)
    if not is_loopback(args.host):
        print(
            f"warning: listening on {args.host}, beyond this machine's loopback; this is a development "
            "server, do not expose it to a network you do not trust",
            file=sys.stderr,
        )
    app = create_app(args.web, args.exported, args.vendor, cross_origin_isolation=args.isolate)
    try:
        server = make_server(app, args.host, args.port)
    except OSError as error:
        print(f"error: cannot listen on {args.host}:{args.port}: {error.strerror or error}", file=sys.stderr)
        return 1
    shown_host = "127.0.0.1" if args.host in ("0.0.0.0", "::", "") else args.host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    print(f"Serving the GAN demo at http://{shown_host}:{server.server_port}/  (Ctrl+C to stop)", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
