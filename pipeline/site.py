"""Write the demo as a self-contained static site: any static host serves it, under any path, offline after one visit.

    python -m pipeline.site OUT [--models cgan,dcgan]

OUT gets the page and its modules (web/), the pinned TF.js and WASM files (from node_modules), the
index filtered to the chosen models (the first named is the site's default) with their model
folders (without report/), the service worker's file list (site.json) and .nojekyll. Every URL in
the page is relative, so the folder works at https://host/ and at https://host/any/sub/path/.
The folder is written beside OUT and swapped in at once, so a failed write leaves no half site.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from pipeline.cli import USAGE_STATUS, Parser, UsageError, one_line
from pipeline.config import INDEX_FILE, ROOT
from pipeline.files import StagedFolder
from pipeline.page import EXPORTED, WASM_BINARY, WASM_URL, model_files, preloads, render

SITE_FILE = "site.json"  # the service worker's list; also how a rebuild recognises an earlier site
SITE_FORMAT = "gan-demo-site"
VENDOR_DIR = ROOT / "node_modules" / "@tensorflow"
# What the page loads from each TF.js package: the es2017 UMD builds, and the backend's binaries
# (plain, SIMD, and threaded SIMD for hosts that can send COOP/COEP headers).
VENDOR_FILES = {
    "tfjs": ["tf.es2017.min.js"],
    "tfjs-backend-wasm": [
        "tf-backend-wasm.es2017.min.js",
        "tfjs-backend-wasm.wasm",
        WASM_BINARY,
        "tfjs-backend-wasm-threaded-simd.wasm",
    ],
}
SKIPPED_IN_MODELS = {"report"}  # training grids, curves and GIF: for people reading the build, not the page
UNCACHED = {"sw.js", SITE_FILE}  # the worker itself and its list are never precached


class SiteError(Exception):
    """Bad input (OUT, a model name, a missing part); one line, exit 2."""


def choose_models(index: dict, names: list[str] | None) -> list[dict]:
    """The index's entries for `names` (in that order: the first is the site's default), or all of them."""
    entries = {entry["name"]: entry for entry in index["models"]}
    if names is None:
        return list(index["models"])
    unknown = [name for name in names if name not in entries]
    if unknown:
        raise SiteError(f"unknown model {', '.join(unknown)} (the index has {', '.join(entries)})")
    return [entries[name] for name in dict.fromkeys(names)]


def check_out(out: Path) -> None:
    """OUT must be a folder (or nothing yet) under folders, and either empty or an earlier site."""
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            raise SiteError(f"{out}: {parent} is a file, not a folder")
    if out.is_dir() and any(out.iterdir()):
        try:
            earlier = json.loads((out / SITE_FILE).read_text()).get("format") == SITE_FORMAT
        except (OSError, ValueError, AttributeError):
            earlier = False
        if not earlier:
            raise SiteError(f"{out} is not empty and not a site this command wrote; choose an empty or new folder")


def copy_file(source: Path, target: Path) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target.stat().st_size


def copy_tree(source: Path, target: Path, skip: set[str] = frozenset()) -> int:
    """Every file under `source` but dotfiles and the top-level names in `skip` -> bytes copied."""
    total = 0
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_file() and relative.parts[0] not in skip and not any(p.startswith(".") for p in relative.parts):
            total += copy_file(path, target / relative)
    return total


def site_version(folder: Path) -> str:
    """A digest of every file's name and bytes: the same site, the same version."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:20]


def write_site(out: Path, web: Path, exported: Path, vendor: Path, names: list[str] | None) -> dict[str, int]:
    """Write the site into OUT, atomically -> bytes per part (page, TF.js, WASM, each model)."""
    try:
        index = json.loads((exported / INDEX_FILE).read_text())
        index["models"]  # noqa: B018 - a KeyError here is a broken index
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise SiteError(f"{exported / INDEX_FILE}: no model index ({one_line(error)}); build a model first") from None
    chosen = choose_models(index, names)
    if not chosen:
        raise SiteError(f"{exported / INDEX_FILE} lists no model; build one first")
    missing = [f"{package}/dist/{name}" for package, files in VENDOR_FILES.items() for name in files]
    missing = [name for name in missing if not (vendor / name).is_file()]
    if missing:
        raise SiteError(f"{vendor / missing[0]} is missing; run `npm ci` (or ./scripts/setup) first")
    check_out(out)

    sizes: dict[str, int] = {}
    with StagedFolder(out, "site") as stage:
        site = stage.path
        sizes["page (HTML, modules, styles, sprite)"] = copy_tree(web, site)
        for package, files in VENDOR_FILES.items():
            part = "TF.js" if package == "tfjs" else "WASM backend"
            for name in files:
                sizes[part] = sizes.get(part, 0) + copy_file(
                    vendor / package / "dist" / name, site / "vendor" / package / name
                )
        for entry in chosen:
            folder = Path(entry["metadata"]).parent
            sizes[f"model {entry['name']}"] = copy_tree(exported / folder, site / EXPORTED / folder, SKIPPED_IN_MODELS)
        site_index = {**index, "models": chosen}
        (site / EXPORTED / INDEX_FILE).write_text(json.dumps(site_index, indent=2) + "\n")
        (site / ".nojekyll").write_text("")  # GitHub Pages: serve the folder as it is

        version = site_version(site)  # before index.html gets the version written into it
        page = render(
            (web / "index.html").read_text(encoding="utf-8"),
            isolated=False,  # a static host cannot send COOP/COEP: WASM runs on one thread
            preload_urls=preloads(site / EXPORTED, site / WASM_URL, isolated=False),
            site_version=version,
        )
        (site / "index.html").write_text(page, encoding="utf-8")
        page_files = [
            path.relative_to(site).as_posix()
            for path in sorted(site.glob("*"))
            if path.is_file() and path.name not in UNCACHED and not path.name.startswith(".")
        ] + [p.relative_to(site).as_posix() for p in sorted((site / "data").rglob("*")) if p.is_file()]
        vendor_files = [f"vendor/{package}/{name}" for package, files in VENDOR_FILES.items() for name in files]
        precached = (
            ["./"]
            + page_files
            + [name for name in vendor_files if name.endswith(".js") or name.endswith(WASM_BINARY)]
            + [f"{EXPORTED}/{name}" for name in model_files(site / EXPORTED)]
        )
        manifest = {
            "format": SITE_FORMAT,
            "version": version,
            "models": [entry["name"] for entry in chosen],
            "files": precached,  # what sw.js caches at install: the page, TF.js, WASM, the default model
        }
        (site / SITE_FILE).write_text(json.dumps(manifest, indent=2) + "\n")
        stage.commit()
    return sizes


def megabytes(size: int) -> str:
    return f"{size / 1e6:.2f} MB"


def main(argv: Sequence[str] | None = None) -> int:
    parser = Parser(prog="python -m pipeline.site", description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write (new, empty, or an earlier site)")
    parser.add_argument(
        "--models",
        type=lambda text: [name.strip() for name in text.split(",") if name.strip()],
        help="comma-separated model names of the index, the first being the site's default (default: all)",
    )
    parser.add_argument("--exported", type=Path, default=ROOT / "exported", help="the exported models (index.json)")
    parser.add_argument("--web", type=Path, default=ROOT / "web", help=argparse.SUPPRESS)
    parser.add_argument("--vendor", type=Path, default=VENDOR_DIR, help=argparse.SUPPRESS)
    try:
        args = parser.parse_args(argv)
        if args.models is not None and not args.models:
            raise UsageError("--models names no model")
        sizes = write_site(args.out, args.web, args.exported, args.vendor, args.models)
    except (UsageError, SiteError) as error:
        print(f"error: {one_line(error)}", file=sys.stderr)
        return USAGE_STATUS
    width = max(len(part) for part in sizes)
    print(f"Wrote the static site to {args.out}/")
    for part, size in sizes.items():
        print(f"  {part:<{width}}  {megabytes(size):>9}")
    print(f"  {'total':<{width}}  {megabytes(sum(sizes.values())):>9}")
    print(
        f"Serve it with any static server, e.g. `python -m http.server -d {args.out} 8000`, and open "
        "http://127.0.0.1:8000/ (publishing it: docs/deploy.md)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
