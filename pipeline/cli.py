"""What every command line shares: one-line errors with exit status 2, and range-checked numbers."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import NoReturn, TypeVar

Number = TypeVar("Number", int, float)

USAGE_STATUS = 2  # bad input: one line on stderr, nothing done


class UsageError(Exception):
    """Bad input found before any work started; the message is one line."""


class Parser(argparse.ArgumentParser):
    """argparse that raises UsageError (one line) instead of printing usage and exiting.

    Flags are matched whole: an abbreviation that one new flag would make ambiguous never breaks
    a command that worked before.
    """

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def error(self, message: str) -> NoReturn:
        raise UsageError(message)


def in_range(kind: Callable[[str], Number], low: Number, high: Number) -> Callable[[str], Number]:
    """An argparse `type` that parses `kind` and refuses values outside low..high (inclusive)."""

    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text} is outside {low}..{high}")
        return value

    return parse


def one_line(message: object) -> str:
    """Collapse any message to a single line for stderr."""
    return " ".join(str(message).split())
