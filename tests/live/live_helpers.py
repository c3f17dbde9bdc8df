"""Shared helpers of the live-export tests: fixture paths and positions found by text search."""

from __future__ import annotations

from pathlib import Path

from armlint.arm.loader import read_json
from armlint.live.records import load_exports

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "live"
EXAMPLES = ROOT / "examples"


def value_position(path: Path, key: str, value: str, occurrence: int = 0) -> tuple[int, int]:
    """Line and column of ``value`` written after ``"key": `` (the n-th time), by plain search."""
    text = path.read_text(encoding="utf-8")
    needle = f'"{key}": {value}'
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    offset = start + len(f'"{key}": ')
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, column


def line_of(path: Path, text_in_line: str, occurrence: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, 1) if text_in_line in line]
    return found[occurrence]


def records_of(*names: str):
    documents = [read_json(FIXTURES / name) for name in names]
    return load_exports(documents)


def by_name(records, name: str):
    [record] = [r for r in records if r.name == name]
    return record
