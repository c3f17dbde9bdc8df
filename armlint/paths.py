"""Where the rule pack and schemas live (beside the package in a source tree, inside it when
installed), and the user's cache folder.

The folders are text, not ``Path``s: a one-template check builds no other path object, and
pathlib with what it imports (urllib.parse, ipaddress, ntpath, fnmatch) was 16 M instructions,
a tenth of that check's fresh process (issue 16)."""

from __future__ import annotations

import os

# No functools: the replay of an unchanged run (armlint/run/replay.py) imports this module,
# and functools with collections, keyword, operator and reprlib was a millisecond of it.
_PACKAGE = os.path.dirname(os.path.realpath(__file__))
_FOUND: dict[str, str] = {}  # rules_dir's and schemas_dir's answers: one isdir each


def rules_dir() -> str:
    return _data_dir("_rules", "rules")


def schemas_dir() -> str:
    return _data_dir("_schemas", "schemas")


def package_dir() -> str:
    """The folder of the armlint package (its modules, and the rule pack once installed)."""
    return _PACKAGE


def cache_dir() -> str:
    """The user's armlint cache folder: ARMLINT_CACHE_DIR, else armlint/ in XDG_CACHE_HOME or
    ~/.cache."""
    explicit = os.environ.get("ARMLINT_CACHE_DIR")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "armlint")


def _data_dir(installed: str, source: str) -> str:
    found = _FOUND.get(installed)
    if found is None:
        inside = os.path.join(_PACKAGE, installed)
        found = inside if os.path.isdir(inside) else os.path.join(os.path.dirname(_PACKAGE), source)
        _FOUND[installed] = found
    return found


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
