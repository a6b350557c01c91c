"""Atomic writes of files and whole folders: a reader (or a process killed mid-write) never sees half of one."""

from __future__ import annotations

import ctypes
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from pipeline.faults import crash_point


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


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


class StagedFolder:
    """A temporary folder beside `out` that becomes `out` in one step on commit().

    Until commit(), `out` is untouched; on commit() the two folders are exchanged atomically
    (renameat2), so a reader or a kill at any moment sees either the old complete export or the
    new one (an export, a static site). Leaving the `with` block without commit() removes the staging folder.
    """

    def __init__(self, out: Path, name: str = "export"):
        self.out = Path(out)
        self.name = name  # names its crash points: <name>-staged, <name>-exchanged
        self.path = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"

    def __enter__(self) -> StagedFolder:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        for leftover in self.out.parent.glob(f".{self.out.name}.staging-*"):  # from killed builds
            shutil.rmtree(leftover, ignore_errors=True)
        self.path.mkdir()
        return self

    def commit(self) -> None:
        for file in self.path.rglob("*"):
            if file.is_file():
                with open(file, "rb") as handle:
                    os.fsync(handle.fileno())
        crash_point(f"{self.name}-staged")
        if self.out.exists() and _exchange(self.path, self.out):
            crash_point(f"{self.name}-exchanged")
            shutil.rmtree(self.path)  # now holds the previous export
        else:
            if self.out.exists():  # no renameat2: a short window without `out`, never a mix
                old = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
                os.rename(self.out, old)
                os.rename(self.path, self.out)
                shutil.rmtree(old)
            else:
                os.rename(self.path, self.out)

    def __exit__(self, *exc) -> None:
        shutil.rmtree(self.path, ignore_errors=True)
