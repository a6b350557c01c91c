"""The demo page as served: web/index.html with what a static host cannot send as headers written into its head.

One page serves both the dev server (`pipeline.serve`) and a static site (`pipeline.site`): every URL
in it is relative to the page, and `render` writes into the head, at HEAD_MARKER, the
Content-Security-Policy as a <meta> and the preload hints as <link rel="preload"> elements (and, for
a site, its version, which makes the page install the offline service worker).
"""

from __future__ import annotations

import html
import json
import posixpath
from pathlib import Path

# Where render() writes; web/index.html holds it once, in its <head>.
HEAD_MARKER = "<!-- pipeline/page.py writes the CSP <meta> and the preload <link>s here -->"
# <meta name=...> naming a static site's version (pipeline.site); its presence makes the page
# register sw.js, which the dev server never does.
SITE_VERSION_META = "gan-site-version"
EXPORTED = "exported"  # the page's relative URL of the exported/ folder
WASM_URL = "vendor/tfjs-backend-wasm"  # ... and of the WASM backend's files
# The WASM build TF.js picks: threaded only when the page is cross-origin isolated (both need SIMD).
WASM_BINARY = "tfjs-backend-wasm-simd.wasm"
WASM_THREADED_BINARY = "tfjs-backend-wasm-threaded-simd.wasm"
# Hashed model files are requested as <file>?v=<first VERSION_CHARS hex digits of its sha256>: a
# rebuilt model has new URLs, so no cache (HTTP or the site's service worker) can pair it with an
# old shard. web/loader.js writes the same query.
VERSION_CHARS = 16


def content_security_policy(isolated: bool, meta: bool = False) -> str:
    """Scripts from this origin only, no inline code and no eval.

    'wasm-unsafe-eval' lets the WASM backend compile its module. When isolated, its threaded build
    starts workers from blob: URLs that importScripts() a blob: copy of the backend, so blob: is
    allowed for scripts and workers then, and only then. `meta`: the policy as a <meta> carries it,
    without frame-ancestors, which browsers ignore (and warn about) there.
    """
    blob = " blob:" if isolated else ""
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'wasm-unsafe-eval'{blob}",
        f"worker-src 'self'{blob}",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
    if not meta:
        directives.append("frame-ancestors 'none'")
    return "; ".join(directives)


def inside(root: Path, subpath: str) -> Path | None:
    """`subpath` (as routed, already URL-decoded once) inside `root`, or None when it must be a 404.

    Refuses empty, absolute, backslash, NUL, dot and dotfile segments outright, then resolves
    symlinks and checks that the real path still lies inside the real root.
    """
    if not subpath or "\\" in subpath or "\x00" in subpath or subpath.startswith("/"):
        return None
    parts = subpath.split("/")
    if any(part in ("", ".", "..") or part.startswith(".") or ":" in part for part in parts):
        return None
    try:
        real_root = root.resolve(strict=True)
        candidate = real_root.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, or a name the OS refuses
        return None
    if not candidate.is_relative_to(real_root) or not candidate.is_file():
        return None
    return candidate


def versioned(url: str, digest: object) -> str:
    """`url` with ?v=<its sha256's first VERSION_CHARS hex digits>, or as it is when there is no digest."""
    return f"{url}?v={digest[:VERSION_CHARS].lower()}" if isinstance(digest, str) and digest else url


def model_files(exported_root: Path | None, model: str | None = None) -> list[str]:
    """The files the page fetches to show a model, relative to `exported_root`, hashed ones ?v=-versioned.

    That model is the index's entry named `model` (the page's ?model=), else its first, the default:
    index.json, its metadata.json, model.json and shards. Only files that exist inside
    `exported_root` are named; a broken index or model names what was readable (the page reports it).
    """

    def read_json(subpath: object):
        path = inside(exported_root, subpath) if isinstance(subpath, str) else None
        try:
            return json.loads(path.read_text()) if path is not None else None
        except (OSError, ValueError):
            return None

    if exported_root is None:
        return []
    files: list[object] = ["index.json"]
    digests: dict = {}
    try:
        entries = read_json("index.json")["models"]
        entry = next((e for e in entries if isinstance(e, dict) and e.get("name") == model), None) or entries[0]
        files.append(entry["metadata"])  # "cgan/metadata.json"
        metadata = read_json(entry["metadata"]) or {}
        digests = metadata.get("sha256") or {}
        folder = posixpath.dirname(entry["metadata"])
        model_file = posixpath.join(folder, metadata.get("model_file", "model.json"))
        files.append(model_file)
        manifest = read_json(model_file)["weightsManifest"]
        files += [posixpath.join(posixpath.dirname(model_file), p) for group in manifest for p in group["paths"]]
    except (KeyError, TypeError, IndexError, AttributeError):
        pass  # a broken index or model: the page reports it; nothing more to preload
    named = [name for name in files if isinstance(name, str) and inside(exported_root, name)]
    folder = posixpath.dirname(named[1]) if len(named) > 1 else ""
    return [versioned(name, digests.get(posixpath.relpath(name, folder)) if folder else None) for name in named]


def preloads(exported_root: Path | None, vendor_root: Path, isolated: bool, model: str | None = None) -> list[str]:
    """Page-relative URLs to preload: index.json, the files of the model it will show, the WASM binary.

    With these the browser downloads the model while it is still parsing TF.js, instead of after
    the page's scripts have read index.json, metadata.json and model.json in turn.
    """
    urls = [f"{EXPORTED}/{name}" for name in model_files(exported_root, model)]
    wasm = WASM_THREADED_BINARY if isolated else WASM_BINARY
    if inside(vendor_root, wasm):
        urls.append(f"{WASM_URL}/{wasm}")
    return urls


def render(page: str, *, isolated: bool, preload_urls: list[str], site_version: str | None = None) -> str:
    """web/index.html's text -> the page as served, with the CSP <meta>, the preload <link>s and a
    site's version written at HEAD_MARKER (else just before </head>, else at the start)."""
    policy = html.escape(content_security_policy(isolated, meta=True), quote=False).replace('"', "&quot;")
    lines = [f'<meta http-equiv="Content-Security-Policy" content="{policy}" />']
    if site_version is not None:
        lines.append(f'<meta name="{SITE_VERSION_META}" content="{html.escape(site_version)}" />')
    link = '<link rel="preload" href="{}" as="fetch" crossorigin="anonymous" />'
    lines += [link.format(html.escape(url)) for url in preload_urls]
    head = "\n    ".join(lines)
    for anchor in (HEAD_MARKER, "</head>"):
        if anchor in page:
            return page.replace(anchor, head if anchor == HEAD_MARKER else f"{head}\n  {anchor}", 1)
    return head + "\n" + page
