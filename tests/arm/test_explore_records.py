"""Exploring: a VM record that read no changed choice is the earlier combination's (issue 16,
session 8).

``db`` reads no explored parameter in its body, so a new ``patchMode`` (read by ``web`` only)
gives it the same record content, facts dict and all, and the checks prove the two records
equal by identity. Whether ``db`` has a health extension depends on ``healthProbe`` through
the extension's condition, outside ``db``'s own resource: a new ``healthProbe`` must not reuse
its record.
"""

from __future__ import annotations

import json
from pathlib import Path

from armlint.arm import loader
from armlint.arm.combinations import CombinationMemo
from armlint.arm.template import Budget
from armlint.model import SOURCE_EVALUATED, Fact, Location, VmRecord
from armlint.run.pipeline import CheckedRecords, RunOptions, load_records
from tests.arm.test_combinations import _outcome

VM_TYPE = "Microsoft.Compute/virtualMachines"
IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "2022-datacenter",
    "version": "latest",
}


def _vm(name: str, patch_mode: str) -> dict:
    return {
        "type": VM_TYPE,
        "apiVersion": "2023-03-01",
        "name": name,
        "location": "westeurope",
        "properties": {
            "storageProfile": {"imageReference": IMAGE},
            "osProfile": {
                "computerName": name,
                "windowsConfiguration": {"patchSettings": {"patchMode": patch_mode}},
            },
        },
    }


TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "patchMode": {
            "type": "string",
            "defaultValue": "AutomaticByOS",
            "allowedValues": ["AutomaticByOS", "Manual"],
        },
        "healthProbe": {"type": "string", "defaultValue": "on", "allowedValues": ["on", "off"]},
    },
    "resources": [
        _vm("web", "[parameters('patchMode')]"),
        _vm("db", "AutomaticByOS"),
        {
            "type": f"{VM_TYPE}/extensions",
            "apiVersion": "2023-03-01",
            "name": "db/health",
            "condition": "[equals(parameters('healthProbe'), 'on')]",
            "location": "westeurope",
            "properties": {"type": "ApplicationHealthWindows"},
        },
    ],
}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "records.json"
    path.write_text(json.dumps(TEMPLATE, indent=2), encoding="utf-8")
    return path


def _records_by_name(path: Path) -> dict[str, dict[tuple, VmRecord]]:
    found: dict[str, dict[tuple, VmRecord]] = {}
    for record in load_records(RunOptions(paths=[str(path)])).records:
        found.setdefault(record.name, {})[record.scenario] = record
    return found


def _scenario(patch_mode: str, probe: str) -> tuple:
    return (("healthProbe", probe), ("patchMode", patch_mode))


def test_a_record_that_read_no_changed_choice_shares_the_earlier_ones_facts(tmp_path):
    records = _records_by_name(_write(tmp_path))
    db, web = records["db"], records["web"]
    assert len(db) == len(web) == 4
    for probe in ("on", "off"):
        auto, manual = _scenario("AutomaticByOS", probe), _scenario("Manual", probe)
        assert db[auto].facts is db[manual].facts  # only web read the patch mode
        assert db[auto] is not db[manual]  # each keeps its own scenario
        assert web[auto].facts["patch_mode"].value != web[manual].facts["patch_mode"].value


def test_a_choice_read_around_the_vm_is_a_read_of_its_record(tmp_path):
    db = _records_by_name(_write(tmp_path))["db"]
    with_probe = db[_scenario("Manual", "on")].facts
    without = db[_scenario("Manual", "off")].facts
    assert with_probe is not without
    assert with_probe["health_extension"].value is True
    assert without["health_extension"].value is False


def test_shared_records_give_the_records_and_findings_of_evaluating_each_combination(
    tmp_path, monkeypatch
):
    path = _write(tmp_path)
    shared = _outcome(path)
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)


def _record(facts: dict, scenario: tuple) -> VmRecord:
    where = Location("vm.json", 3, 5)
    return VmRecord("vm.json", "arm", "vm", VM_TYPE, "db", where, facts, scenario=scenario)


def test_records_sharing_a_facts_dict_are_proven_equal_without_their_fact_values():
    facts = {"patch_mode": Fact("AutomaticByOS", Location("vm.json", 9, 9), SOURCE_EVALUATED)}
    checked = CheckedRecords()
    first = _record(facts, (("patchMode", "Manual"),))
    assert checked.keys_of(first) is None
    checked.add(first, [("a finding's key",)])
    second = _record(facts, (("patchMode", "AutomaticByOS"),))
    assert checked.keys_of(second) == [("a finding's key",)]
    asked = checked._asked
    assert asked is not None and asked._values is None  # the identity sufficed
    # An equal dict that is another object still compares the values.
    third = _record(dict(facts), (("patchMode", "Other"),))
    assert checked.keys_of(third) == [("a finding's key",)]
    assert checked._asked is not None and checked._asked._values is not None


def test_results_that_read_the_same_parameters_share_their_choices():
    memo = CombinationMemo({}, ["size", "mode"])
    budget = Budget()
    subjects = [object(), object()]
    computed: list[object] = []

    def evaluate(subject: object, size: str) -> None:
        def compute() -> str:
            memo.read("size")
            computed.append(subject)
            return f"{size} for {id(subject)}"

        memo.shared(("key", id(subject)), subject, (), compute, budget)

    for size in ("A", "B", "A"):
        memo.choose([("size", size), ("mode", "x")])
        for subject in subjects:
            evaluate(subject, size)
    assert computed == subjects * 2  # the third combination found both
    assert list(memo._read_sets) == [("size",)]  # one set of reads for both subjects
