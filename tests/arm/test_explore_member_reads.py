"""Exploring: ``variables('v').member`` reads what that member read (issue 16, session 6).

A VM's name taken from a variable's object (``variables('vm').name``) no longer counts as
reading the object's other members (its size, its patch mode): combinations that change only
those share the name, the paths that pass through it and the fact groups above them. The trace
of ``variables('vm').name`` is the whole object's, so this holds only when that trace is the
same for every choice; the ``unstable`` object below shows a trace that is not.
"""

from __future__ import annotations

import json
from pathlib import Path

from armlint.arm import expressions, loader
from armlint.arm.combinations import CombinationMemo, chosen_read
from armlint.arm.template import Budget
from armlint.run.pipeline import RunOptions, load_records
from tests.arm.test_combinations import _count_calls, _outcome

VM_TYPE = "Microsoft.Compute/virtualMachines"
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "vmSize": {"type": "string", "defaultValue": "A", "allowedValues": ["A", "B", "C"]},
        "patchMode": {
            "type": "string",
            "defaultValue": "AutomaticByOS",
            "allowedValues": ["AutomaticByOS", "Manual"],
        },
        "location": {"type": "string", "defaultValue": "westeurope"},
    },
    "variables": {
        # Each member that reads a choice is a plain parameters(): the object's trace names
        # the same parameters whatever is chosen.
        "vm": {
            "name": "[concat('web-', 'vm')]",
            "size": "[parameters('vmSize')]",
            "mode": "[parameters('patchMode')]",
        },
        # Whether the trace names parameters('location') depends on the size chosen: reading
        # ``where`` must count as reading vmSize.
        "unstable": {
            "where": "eastus",
            "pick": "[if(equals(parameters('vmSize'), 'B'), parameters('location'), 'none')]",
        },
    },
    "resources": [
        {
            "type": VM_TYPE,
            "apiVersion": "2023-03-01",
            "name": "[variables('vm').name]",
            "location": "[variables('unstable').where]",
            "properties": {
                "hardwareProfile": {"vmSize": "[variables('vm').size]"},
                "storageProfile": {
                    "imageReference": {
                        "publisher": "MicrosoftWindowsServer",
                        "offer": "WindowsServer",
                        "sku": "2022-datacenter",
                        "version": "latest",
                    }
                },
                "osProfile": {
                    "computerName": "web",
                    "windowsConfiguration": {
                        "patchSettings": {"patchMode": "[variables('vm').mode]"}
                    },
                },
            },
        }
    ],
}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "members.json"
    path.write_text(json.dumps(TEMPLATE, indent=2), encoding="utf-8")
    return path


def _evaluations_of(text: str, path: Path, monkeypatch) -> int:
    calls = _count_calls(monkeypatch, expressions, "evaluate")
    load_records(RunOptions(paths=[str(path)]))
    return sum(1 for arguments in calls if arguments[0] == text)


def test_member_reads_give_the_records_and_findings_of_evaluating_each_combination(
    tmp_path, monkeypatch
):
    path = _write(tmp_path)
    shared = _outcome(path)
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)
    facts = shared[0]
    assert len(facts) == 6  # 3 sizes x 2 patch modes
    # The unstable object's trace reached the location fact for the size that names it.
    traces = {dict(s)["vmSize"]: dict(f)["location"].trace for _, s, f in facts}
    assert any("parameters('location')" in step for step in traces["B"][0:1])
    assert not any("parameters('location')" in step for step in traces["A"])


def test_a_member_that_read_no_choice_is_evaluated_once_for_every_combination(
    tmp_path, monkeypatch
):
    path = _write(tmp_path)
    # Once for the first evaluation, whose default values are chosen already (as the
    # combination of the defaults chooses them): the six combinations share it.
    assert _evaluations_of("[variables('vm').name]", path, monkeypatch) == 1
    # The unstable object's member: once per size (its trace depends on the size), the
    # default size's in the first evaluation.
    assert _evaluations_of("[variables('unstable').where]", path, monkeypatch) == 3


def test_a_result_that_read_whether_a_parameter_is_chosen_holds_only_while_it_is():
    memo = CombinationMemo({}, ["size"], Budget())
    subject = object()
    computed: list[str] = []

    def compute() -> str:
        memo.read_all([chosen_read("size")])
        computed.append("again")
        return "the trace of a chosen size"

    def evaluate(combination) -> str:
        memo.choose(combination)
        return memo.shared(("key",), subject, None, compute)

    evaluate([("size", "A")])
    evaluate([("size", "B")])  # another choice: the same result
    assert len(computed) == 1
    evaluate([])  # not chosen: the trace would name its default
    assert len(computed) == 2


def test_a_combination_whose_reads_are_those_of_an_earlier_one_is_not_walked_again(
    tmp_path, monkeypatch
):
    # Without the unstable object, the VM reads the size only through the plain member of
    # the stable one: combinations that change only the size find the same records.
    template = json.loads(json.dumps(TEMPLATE))
    template["resources"][0]["location"] = "westeurope"
    path = tmp_path / "same.json"
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    walks = _count_calls(monkeypatch, loader, "walk_template")
    shared = _outcome(path)
    # load_records and run_check each: the defaults (which stand for the combinations of
    # the default patch mode), then one walk for the other patch mode.
    assert len(walks) == 2 * 2, len(walks)
    facts = shared[0]
    assert {tuple(sorted(dict(s).items())) for _, s, _ in facts} == {
        (("patchMode", mode), ("vmSize", size))
        for mode in ("AutomaticByOS", "Manual")
        for size in "ABC"
    }
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)
