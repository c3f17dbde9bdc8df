"""CheckedRecords (pipeline): explored records equal but for their scenario are checked once;
records whose fact values differ are told apart without comparing them in full (issue 16)."""

from __future__ import annotations

from armlint.model import Fact, Location, VmRecord
from armlint.run import pipeline


def explored(mode: str, choice: str) -> VmRecord:
    here = Location("vm.json", 1, 1)
    facts = {"os": Fact("Windows", here), "patch_mode": Fact(mode, Location("vm.json", 7, 9))}
    record = VmRecord(
        "vm.json", "arm", "vm", "Microsoft.Compute/virtualMachines", "vm1", here, facts
    )
    record.scenario = (("choice", choice),)
    return record


def test_a_record_equal_but_for_its_scenario_shares_the_keys():
    checked = pipeline.CheckedRecords()
    checked.add(explored("Manual", "a"), ["key"])
    assert checked.keys_of(explored("Manual", "b")) == ["key"]


def test_records_with_other_fact_values_are_not_compared_in_full(monkeypatch):
    compared = []
    real = pipeline._equal_but_scenario
    monkeypatch.setattr(
        pipeline, "_equal_but_scenario", lambda one, other: compared.append(1) or real(one, other)
    )
    checked = pipeline.CheckedRecords()
    checked.add(explored("Manual", "a"), ["manual"])
    assert checked.keys_of(explored("AutomaticByOS", "b")) is None
    assert compared == []


def test_records_with_other_fact_values_are_found_without_comparing_each(monkeypatch):
    compared = []
    real = pipeline._Content.equals
    monkeypatch.setattr(
        pipeline._Content, "equals", lambda one, other: compared.append(1) or real(one, other)
    )
    checked = pipeline.CheckedRecords()
    for mode in ("Manual", "AutomaticByOS", "AutomaticByPlatform"):
        checked.add(explored(mode, mode), [mode])
    assert checked.keys_of(explored("ImageDefault", "d")) is None
    assert checked.keys_of(explored("AutomaticByOS", "e")) == ["AutomaticByOS"]
    assert compared == [1]  # only with the record of equal values


def test_records_with_a_list_among_their_values_are_still_shared():
    def with_zones(choice: str) -> VmRecord:
        record = explored("Manual", choice)
        record.facts["zones"] = Fact(["1", "2"], Location("vm.json", 9, 5))
        return record

    checked = pipeline.CheckedRecords()
    checked.add(with_zones("a"), ["zoned"])
    assert checked.keys_of(with_zones("b")) == ["zoned"]
