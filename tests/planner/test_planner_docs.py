"""docs/plan.md's time zone tables are generated from the planner's own tables, so they cannot
drift. After a change to rules/data/regions.yaml or WINDOWS_ZONES, regenerate them with
``ARMLINT_REGENERATE=1 pytest tests/planner/test_planner_docs.py`` and review the diff."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from armlint.planner.regions import load_region_table
from armlint.planner.timezones import WINDOWS_ZONES, ZoneChoice, load_zone, utc_windows

DOC = Path(__file__).resolve().parents[2] / "docs" / "plan.md"
DEFAULT_WINDOW = (22, 6)


def region_table() -> str:
    table = load_region_table()
    lines = [
        "| Region | Paired with | Time zone (armlint's choice) | 22:00-06:00 local in UTC, mid-January / mid-July |",
        "| --- | --- | --- | --- |",
    ]
    for name in sorted(table.regions):
        region = table.regions[name]
        pairs = ", ".join(sorted(table.neighbours(name))) or "-"
        utc, _ = utc_windows(ZoneChoice(region.time_zone, region.utc_offset, ""), DEFAULT_WINDOW)
        lines.append(f"| {name} | {pairs} | {region.time_zone} | {' / '.join(utc)} |")
    return "\n".join(lines)


def windows_table() -> str:
    lines = ["| Windows `timeZone` | Time zone used |", "| --- | --- |"]
    for key, (iana, _) in sorted(WINDOWS_ZONES.items()):
        lines.append(f"| {key} | {iana} |")
    return "\n".join(lines)


GENERATED = {"region-time-zones": region_table, "windows-time-zones": windows_table}


def section(name: str) -> re.Pattern:
    """The lines between the markers; blank lines keep the table a block of its own."""
    return re.compile(rf"<!-- generated: {name} -->\n(.*?)<!-- end: {name} -->", re.DOTALL)


@pytest.mark.skipif(load_zone("Europe/London") is None, reason="this machine has no tzdata")
@pytest.mark.parametrize("name", sorted(GENERATED))
def test_generated_tables_match_the_planner(name):
    text = DOC.read_text(encoding="utf-8")
    match = section(name).search(text)
    assert match, f"docs/plan.md has no generated section {name}"
    produced = f"\n{GENERATED[name]()}\n\n"
    if os.environ.get("ARMLINT_REGENERATE") and match.group(1) != produced:
        DOC.write_text(text[: match.start(1)] + produced + text[match.end(1) :], encoding="utf-8")
        return
    assert match.group(1) == produced
