"""Exploring: the first evaluation chooses the default values already (issue 16, session 9).

The first evaluation of a template finds which parameters its VMs read. A parameter whose
defaultValue is a plain value among its allowedValues is given that very item there, as the
combination of the defaults gives it: the evaluation reads the same and finds the same, and its
walk then stands for that combination, which is not walked again. A default written as an
expression is left to the evaluation (its value is only known once evaluated).
"""

from __future__ import annotations

import json
from pathlib import Path

from armlint.arm import loader
from armlint.arm.loader import _default_choices, _default_of
from tests.arm.test_combinations import _count_calls, _outcome

VM_TYPE = "Microsoft.Compute/virtualMachines"


def _template(mode_default: str) -> dict:
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "fallbackMode": {"type": "string", "defaultValue": "Manual"},
            "patchMode": {
                "type": "string",
                "defaultValue": mode_default,
                "allowedValues": ["AutomaticByOS", "Manual", "AutomaticByPlatform"],
            },
        },
        "resources": [
            {
                "type": VM_TYPE,
                "apiVersion": "2023-03-01",
                "name": "web",
                "location": "westeurope",
                "properties": {
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
                            "patchSettings": {"patchMode": "[parameters('patchMode')]"}
                        },
                    },
                },
            }
        ],
    }


def _write(tmp_path: Path, mode_default: str) -> Path:
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(_template(mode_default), indent=2), encoding="utf-8")
    return path


def _walks_and_outcome(path: Path, monkeypatch):
    walks = _count_calls(monkeypatch, loader, "walk_template")
    outcome = _outcome(path)  # load_records, then run_check
    return len(walks), outcome


def test_the_first_walk_stands_for_the_combination_of_the_defaults(tmp_path, monkeypatch):
    path = _write(tmp_path, "Manual")
    walks, shared = _walks_and_outcome(path, monkeypatch)
    # Per run: the first evaluation (patchMode='Manual'), then the two other modes.
    assert walks == 2 * 3
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)
    assert [dict(scenario) for _, scenario, _ in shared[0]] == [
        {"patchMode": mode} for mode in ("AutomaticByOS", "Manual", "AutomaticByPlatform")
    ]


def test_a_default_written_as_an_expression_is_not_chosen_first(tmp_path, monkeypatch):
    path = _write(tmp_path, "[parameters('fallbackMode')]")
    walks, shared = _walks_and_outcome(path, monkeypatch)
    # Per run: the first evaluation with the default evaluated, then every mode.
    assert walks == 2 * 4
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)


def test_default_choices_are_the_allowed_items_of_plain_defaults():
    allowed_size = ["1000", 1000, True]
    template = {
        "parameters": {
            "Size": {"defaultValue": int("1000"), "allowedValues": allowed_size},
            "mode": {"defaultValue": "[parameters('x')]", "allowedValues": ["a", "b"]},
            "tags": {"defaultValue": ["a"], "allowedValues": [["a"], ["b"]]},
            "zone": {"defaultValue": "3", "allowedValues": ["1", "2"]},
            "kind": {"allowedValues": ["x", "y"]},
        }
    }
    candidates = [
        (name, template["parameters"][name].get("allowedValues"))
        for name in ("kind", "mode", "Size", "tags", "zone")
    ]
    choices = _default_choices(template, candidates)
    # The int item, not the string, and that very object (not the equal default).
    assert choices == [("Size", 1000)]
    assert choices[0][1] is allowed_size[1]


def test_a_parameter_kept_at_its_default_keeps_the_allowed_item():
    # Above 64 combinations each parameter varies on its own while the others keep their
    # defaults: as the very allowedValues item, the combination of the defaults is one choice
    # (the memo tells choices apart by identity) and is walked once.
    allowed = ["Standard_" + "D2s", "Standard_" + "D4s"]
    template = {"parameters": {"size": {"defaultValue": "Standard_D4s", "allowedValues": allowed}}}
    assert _default_of(template, "size", allowed) is allowed[1]
