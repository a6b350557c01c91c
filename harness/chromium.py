"""How the browser tests and the page benchmarks start Debian's headless Chromium: one path, one set of flags."""

from __future__ import annotations

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
# Without the background-networking flags Chromium keeps trying to reach Google services.
# --disable-gpu: WebGL then runs on SwiftShader, the same on every machine.
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)


def chromium_missing() -> str | None:
    """Why Chromium cannot be started here, or None when it can."""
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (set CHROMIUM_PATH)"
    return None


def launch_chromium(playwright):
    """A headless Chromium browser from a `sync_playwright()` (or async) Playwright object."""
    return playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_ARGS))
