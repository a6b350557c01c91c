"""Atomic file writes: a reader (or a process killed mid-write) never sees half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def write_atomically(path: Path, content: bytes | str | Callable[[BinaryIO], object], fsync: bool = False) -> None:
    """Write `content` to a temporary file beside `path`, then rename it over `path`.

    `content` is bytes, text (UTF-8) or a function that writes into the open binary file (for
    savers such as `np.savez`, `PIL.Image.save` or `Figure.savefig`). With `fsync`, the data is on
    disk before the rename makes it visible, so a power cut cannot leave an empty file in place.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            if callable(content):
                content(file)
            else:
                file.write(content.encode() if isinstance(content, str) else content)
            if fsync:
                file.flush()
                os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
