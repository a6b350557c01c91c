"""Named crash points for the fault-injection tests: the process really dies (SIGKILL) there.

With PIPELINE_CRASH_AT=<name> (optionally <name>:<n> for the n-th time the point is reached),
`crash_point(name)` kills the process on the spot, as a power cut or `kill -9` would. Without
the variable it does nothing; nothing reads it at import.
"""

from __future__ import annotations

import os
import signal

_reached: dict[str, int] = {}


def crash_point(name: str) -> None:
    wanted = os.environ.get("PIPELINE_CRASH_AT")
    if not wanted:
        return
    target, _, count = wanted.partition(":")
    if target != name:
        return
    _reached[name] = _reached.get(name, 0) + 1
    if _reached[name] >= int(count or 1):
        os.kill(os.getpid(), signal.SIGKILL)
