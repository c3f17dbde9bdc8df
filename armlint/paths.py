"""Where the rule pack and schemas live: beside the package in a source tree, inside it when installed.

The folders are text, not ``Path``s: a one-template check builds no other path object, and
pathlib with what it imports (urllib.parse, ipaddress, ntpath, fnmatch) was 16 M instructions,
a tenth of that check's fresh process (issue 16)."""

from __future__ import annotations

import os
from functools import cache

_PACKAGE = os.path.dirname(os.path.realpath(__file__))


@cache
def rules_dir() -> str:
    return _data_dir("_rules", "rules")


@cache
def schemas_dir() -> str:
    return _data_dir("_schemas", "schemas")


def _data_dir(installed: str, source: str) -> str:
    inside = os.path.join(_PACKAGE, installed)
    if os.path.isdir(inside):
        return inside
    return os.path.join(os.path.dirname(_PACKAGE), source)


def path_text(given: str | os.PathLike[str]) -> str:
    """``str(Path(given))`` without pathlib on POSIX, so that paths are named in reports as
    when they were ``Path``s: repeated slashes, "." components and a trailing slash dropped,
    "" is ".", a leading "//" kept (POSIX leaves it to the system), ".." kept (it may cross a
    link). Paths are text on a one-template check: pathlib's import was a tenth of it (issue 16)."""
    given = os.fspath(given)
    if os.sep != "/":
        from pathlib import Path

        return str(Path(given))
    root = "/" if given.startswith("/") else ""
    if given.startswith("//") and not given.startswith("///"):
        root = "//"
    parts = [part for part in given.split("/") if part and part != "."]
    return root + "/".join(parts) or "."
