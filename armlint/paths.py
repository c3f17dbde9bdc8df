"""Where the rule pack and schemas live: beside the package in a source tree, inside it when installed."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def rules_dir() -> Path:
    return _data_dir("_rules", "rules")


@cache
def schemas_dir() -> Path:
    return _data_dir("_schemas", "schemas")


def _data_dir(installed: str, source: str) -> Path:
    inside = _PACKAGE / installed
    if inside.is_dir():
        return inside
    return _PACKAGE.parent / source
