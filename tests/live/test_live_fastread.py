"""The fast reader of large exports gives the same records, facts and positions as jsonpos,
and leaves everything else (templates, plans, comments, duplicates, small files) to jsonpos."""

from __future__ import annotations

import json
import sys

import pytest
from live_helpers import FIXTURES, ROOT

from armlint.arm.jsonpos import SourceText, parse
from armlint.arm.loader import read_json
from armlint.live import fastread
from armlint.live.fastread import NotTaken, parse_selected, read_export_fast
from armlint.live.records import load_exports

sys.path.insert(0, str(ROOT / "bench"))


class _Document:
    def __init__(self, path, value) -> None:
        self.path, self.value = path, value


def _facts(records):
    return [
        (
            r.identity,
            r.location,
            sorted((n, repr(f.value), f.location, f.source) for n, f in r.facts.items()),
        )
        for r in records
    ]


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_same_records_as_the_position_keeping_reader(name):
    text = (FIXTURES / name).read_text(encoding="utf-8")
    full, _ = parse(text, name)
    fast = parse_selected(text, SourceText(name, text))
    assert fast == full  # the same values
    assert _facts(load_exports([_Document(name, fast)]).records) == _facts(
        load_exports([_Document(name, full)]).records
    )


def test_a_large_export_takes_the_fast_path(tmp_path, monkeypatch):
    from live import write_estate

    write_estate(tmp_path, 40)
    path = tmp_path / "az-vm-list.json"
    monkeypatch.setattr(fastread, "MIN_BYTES", 1)
    document = read_export_fast(path, 10**9)
    assert document is not None and len(document.value) == 40
    assert type(document.value[0]["networkProfile"]) is dict  # not positioned: nothing reads it
    assert _facts(load_exports([document]).records) == _facts(
        load_exports([read_json(path)]).records
    )


@pytest.mark.parametrize(
    "text",
    [
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#", "resources": []}',
        '{"format_version": "1.2", "resource_changes": []}',
        '[{"type": "Microsoft.Compute/virtualMachines", "name": "a"} // comment\n]',
        '[{"type": "Microsoft.Compute/virtualMachines", "name": "a", "name": "b"}]',
        '[{"type": "Microsoft.Compute/virtualMachines", "zones": NaN}]',
        '[{"id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/n"}]',
    ],
)
def test_other_files_are_left_to_the_full_reader(tmp_path, monkeypatch, text):
    monkeypatch.setattr(fastread, "MIN_BYTES", 1)
    path = tmp_path / "x.json"
    path.write_text(text)
    assert read_export_fast(path, 10**9) is None


def test_small_files_are_left_to_the_full_reader():
    assert read_export_fast(FIXTURES / "az-vm-list.json", 10**9) is None  # under 64 KB


def test_trailing_text_is_not_taken():
    text = json.dumps([]) + " x"
    with pytest.raises(NotTaken):
        parse_selected(text, SourceText("t", text))
