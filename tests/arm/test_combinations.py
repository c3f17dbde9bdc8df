"""Exploring allowedValues shares the evaluation of what does not depend on the choices
(armlint.arm.combinations): the records and findings must be those of evaluating every
combination from scratch, and the sharing must actually save evaluations."""

import json
from pathlib import Path

import pytest

from armlint.arm import expressions, loader
from armlint.run.pipeline import RunOptions, load_records, run_check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "arm"

# patchMode reaches the VMs through a parameter default and a variable (each read again once
# cached) and through a nested inner-scope deployment that receives it; the copy count depends on another explored parameter; the image does not
# depend on any choice (so it is shared).
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "patchMode": {
            "type": "string",
            "defaultValue": "AutomaticByOS",
            "allowedValues": ["AutomaticByOS", "Manual", "AutomaticByPlatform"],
        },
        "count": {"type": "int", "defaultValue": 1, "allowedValues": [1, 2]},
        "mode": {"type": "string", "defaultValue": "[parameters('patchMode')]"},
    },
    "variables": {
        "updates": "[not(equals(parameters('mode'), 'Manual'))]",
        "image": {
            "publisher": "MicrosoftWindowsServer",
            "offer": "WindowsServer",
            "sku": "[concat('2022-', 'datacenter-azure-edition')]",
            "version": "latest",
        },
    },
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-07-01",
            "name": "[concat('vm', copyIndex())]",
            "location": "westeurope",
            "copy": {"name": "vms", "count": "[parameters('count')]"},
            "properties": {
                "storageProfile": {"imageReference": "[variables('image')]"},
                # Each property is evaluated on its own: the second to read parameters('mode')
                # or variables('updates') gets the scope's cached value, which must still count
                # as reading patchMode.
                "osProfile": {
                    "windowsConfiguration": {
                        "enableAutomaticUpdates": "[variables('updates')]",
                        "patchSettings": {
                            "patchMode": "[parameters('mode')]",
                            "assessmentMode": "[if(variables('updates'), 'ImageDefault', 'AutomaticByPlatform')]",
                        },
                    }
                },
            },
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "inner",
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"passed": {"value": "[parameters('patchMode')]"}},
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "parameters": {"passed": {"type": "string"}},
                    "resources": [
                        {
                            "type": "Microsoft.Compute/virtualMachines",
                            "apiVersion": "2024-07-01",
                            "name": "innervm",
                            "location": "westeurope",
                            "properties": {
                                "storageProfile": {
                                    "imageReference": {
                                        "publisher": "Canonical",
                                        "offer": "ubuntu-24_04-lts",
                                        "sku": "server",
                                        "version": "latest",
                                    }
                                },
                                "osProfile": {
                                    "linuxConfiguration": {
                                        "patchSettings": {"patchMode": "[parameters('passed')]"}
                                    }
                                },
                            },
                        }
                    ],
                },
            },
        },
    ],
}


def _write(tmp_path: Path) -> Path:
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(TEMPLATE, indent=2), encoding="utf-8")
    return path


def _outcome(path: Path):
    records = load_records(RunOptions(paths=[str(path)])).records
    facts = [(r.identity, r.scenario, sorted(r.facts.items())) for r in records]
    findings = [
        (f.rule, f.text, f.location, f.provenance)
        for f in run_check(RunOptions(paths=[str(path)])).findings
    ]
    return facts, findings


def _both_ways(path: Path, monkeypatch):
    shared = _outcome(path)
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    return shared, _outcome(path)


def test_shared_evaluation_gives_the_records_and_findings_of_evaluating_each_combination(
    tmp_path, monkeypatch
):
    (shared_facts, shared_findings), (fresh_facts, fresh_findings) = _both_ways(
        _write(tmp_path), monkeypatch
    )
    assert shared_facts == fresh_facts
    assert shared_findings == fresh_findings
    # Each choice reached the VMs: patchMode differs between the scenarios of one VM.
    modes = {dict(scenario)["patchMode"] for _, scenario, _ in shared_facts}
    assert modes == {"AutomaticByOS", "Manual", "AutomaticByPlatform"}
    inner = [facts for identity, _, facts in shared_facts if "innervm" in identity]
    assert len({repr(dict(facts)["patch_mode"].value) for facts in inner}) == 3


@pytest.mark.parametrize("name", ["web-tier.json"])
def test_an_example_explored_the_same_shared_or_not(name, monkeypatch):
    shared, fresh = _both_ways(EXAMPLES / name, monkeypatch)
    assert shared == fresh


def _count_calls(monkeypatch, owner, name: str) -> list:
    """A list that gets one item per call of ``owner.name`` (which still runs)."""
    calls: list = []
    original = getattr(owner, name)

    def counting(*arguments):
        calls.append(arguments)
        return original(*arguments)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_sharing_evaluates_fewer_expressions(tmp_path, monkeypatch):
    path = _write(tmp_path)
    counted = _count_calls(monkeypatch, expressions, "evaluate")
    load_records(RunOptions(paths=[str(path)]))
    shared = len(counted)
    counted.clear()
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    load_records(RunOptions(paths=[str(path)]))
    assert shared < len(counted) * 0.8, (shared, len(counted))


def _checked_findings(path: Path):
    return [
        (f.rule, f.text, f.location, f.provenance, f.scenario)
        for f in run_check(RunOptions(paths=[str(path)])).findings
    ]


def test_records_equal_but_for_the_scenario_are_checked_once_with_the_same_findings(
    tmp_path, monkeypatch
):
    from armlint.checks.engine import Engine
    from armlint.run.pipeline import CheckedRecords

    path = _write(tmp_path)
    checked = _count_calls(monkeypatch, Engine, "check_record")
    once = _checked_findings(path)
    once_count = len(checked)
    checked.clear()
    monkeypatch.setattr(CheckedRecords, "keys_of", lambda self, record: None)
    every = _checked_findings(path)
    assert once == every
    # innervm's image does not depend on count; vm0 exists in both count choices.
    assert once_count < len(checked)


# Each way a choice or a copy-loop index can reach a VM, for the finer sharing: expressions
# inside a variable's object shared one by one, property paths and whole fact sets of a VM
# shared between combinations and between copy-loop instances that read no index, and the
# first evaluation (every parameter at its default) sharing with the combinations.
FINER = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        # null is an allowed value: the combination choosing it must not reuse what the first
        # evaluation (at the default, also null) made of it, whose trace says 'defaultValue'.
        "assessment": {
            "type": "string",
            "defaultValue": None,
            "allowedValues": [None, "AutomaticByPlatform"],
        },
        "mode": {
            "type": "string",
            "defaultValue": "AutomaticByOS",
            "allowedValues": ["AutomaticByOS", "Manual"],
        },
        "tier": {"type": "string", "defaultValue": "small", "allowedValues": ["small", "big"]},
    },
    "variables": {
        # One property reads a choice, the others do not.
        "settings": {
            "patchMode": "[parameters('mode')]",
            "assessmentMode": "[parameters('assessment')]",
            "rebootSetting": "[concat('If', 'Required')]",
        },
        "image": {
            "publisher": "MicrosoftWindowsServer",
            "offer": "WindowsServer",
            "sku": "[concat('2022-', 'datacenter-azure-edition')]",
            "version": "latest",
        },
    },
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-07-01",
            "name": "[concat('web', copyIndex())]",
            "location": "westeurope",
            "copy": {"name": "web", "count": 3},
            # Instance 0 alone: the zone and the automatic updates read the index.
            "zones": "[if(equals(copyIndex(), 0), createArray('1'), createArray('2'))]",
            "properties": {
                "storageProfile": {"imageReference": "[variables('image')]"},
                "osProfile": {
                    "windowsConfiguration": {
                        "enableAutomaticUpdates": "[not(equals(copyIndex('web'), 1))]",
                        "patchSettings": "[variables('settings')]",
                    }
                },
            },
        },
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-07-01",
            "name": "bigvm",
            "location": "westeurope",
            "condition": "[equals(parameters('tier'), 'big')]",
            "properties": {
                "storageProfile": {"imageReference": "[variables('image')]"},
                "osProfile": {"windowsConfiguration": {"enableAutomaticUpdates": False}},
            },
        },
        {
            # Outer scope: its VMs are the root template's, in the deployment's copy loop.
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "[concat('outer', copyIndex())]",
            "copy": {"name": "outer", "count": 2},
            "properties": {
                "mode": "Incremental",
                "template": {
                    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
                    "contentVersion": "1.0.0.0",
                    "resources": [
                        {
                            "type": "Microsoft.Compute/virtualMachines",
                            "apiVersion": "2024-07-01",
                            "name": "[concat('app', copyIndex('outer'))]",
                            "location": "westeurope",
                            "properties": {
                                "storageProfile": {"imageReference": "[variables('image')]"},
                                "osProfile": {
                                    "windowsConfiguration": {
                                        "patchSettings": {
                                            "patchMode": "[if(equals(copyIndex('outer'), 1), 'Manual', parameters('mode'))]",
                                            "assessmentMode": "[parameters('assessment')]",
                                        }
                                    }
                                },
                            },
                        }
                    ],
                },
            },
        },
    ],
}


def test_finer_sharing_gives_the_records_and_findings_of_evaluating_each_combination(
    tmp_path, monkeypatch
):
    path = tmp_path / "finer.json"
    path.write_text(json.dumps(FINER, indent=2), encoding="utf-8")
    (shared_facts, shared_findings), (fresh_facts, fresh_findings) = _both_ways(path, monkeypatch)
    assert shared_facts == fresh_facts
    assert shared_findings == fresh_findings
    by_vm: dict[str, list] = {}
    for identity, scenario, facts in shared_facts:
        name = identity.rsplit("/", 1)[-1].split("[")[0]
        by_vm.setdefault(name, []).append((dict(scenario), dict(facts)))
    # The index reached each instance: the zone of web0, the updates of web1, app1's mode.
    assert {repr(f["zones"].value) for _, f in by_vm["web0"]} == {"['1']"}
    assert {repr(f["zones"].value) for _, f in by_vm["web2"]} == {"['2']"}
    assert {f["enable_automatic_updates"].value for _, f in by_vm["web1"]} == {False}
    assert {f["patch_mode"].value for _, f in by_vm["app1"]} == {"Manual"}
    assert {f["patch_mode"].value for _, f in by_vm["app0"]} == {"AutomaticByOS", "Manual"}
    # The choices reached the VMs: through the variable's object, and the condition.
    assert {s["mode"] for s, f in by_vm["web2"] if f["patch_mode"].value == "Manual"} == {"Manual"}
    assert {s["tier"] for s, _ in by_vm["bigvm"]} == {"big"}
    chosen_null = [f for s, f in by_vm["app0"] if s["assessment"] is None]
    assert chosen_null
    assert all("one of its allowedValues" in f["assessment_mode"].trace for f in chosen_null)
