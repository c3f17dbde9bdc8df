"""Exploration through conditions: the AVM virtual-machine module case (issue 11).

Azure/bicep-registry-modules avm/res/compute/virtual-machine/main.bicep (and its ARM build
main.json, commit 9f9ea1a182) offers `patchMode: 'Manual'` (@allowed / allowedValues) while
`enableAutomaticUpdates` defaults to true. The patch mode reaches the body only through
conditions: a ternary / if() on the patch mode picks `patchSettings`, `osType == 'Windows'`
picks `windowsConfiguration`, and `empty(osDisk.managedDisk.?resourceId)` (osDisk is required,
so unknown here) picks the whole `osProfile`. tests/fixtures/avm/ holds minimal copies of that
shape in Bicep and ARM. An object-or-null on an unknown condition is checked as the object
(compute/arm_body.sent_branch), so the Manual choice reports AZP102.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from armlint import cli
from armlint.compute.arm_body import sent_branch

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "avm"
# (file, line, column of enableAutomaticUpdates inside the windowsConfiguration variable)
CASES = [("virtual-machine.bicep", 27, 27), ("virtual-machine.json", 32, 33)]


def check(path: Path) -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--no-cache", "--jobs", "1", "--format", "json", str(path)])
    assert code in (0, 1), err.getvalue()
    return json.loads(out.getvalue())["findings"]


@pytest.mark.parametrize(("name", "line", "column"), CASES)
def test_the_manual_choice_reports_azp102(name, line, column):
    errors = [f for f in check(FIXTURES / name) if f["severity"] == "error"]
    assert [(f["rule"], f["line"], f["column"]) for f in errors] == [("AZP102", line, column)]
    assert "patchMode='Manual'" in errors[0]["message"]


@pytest.mark.parametrize(("name", "line", "column"), CASES)
def test_no_finding_when_automatic_updates_default_to_false(name, line, column, tmp_path):
    """The finding comes from the Manual choice meeting the true default, nothing else."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    if name.endswith(".bicep"):
        text = text.replace(
            "param enableAutomaticUpdates bool = true", "param enableAutomaticUpdates bool = false"
        )
    else:
        old = '"enableAutomaticUpdates": {\n      "type": "bool",\n      "defaultValue": true'
        assert old in text
        text = text.replace(old, old.replace("true", "false"))
    (tmp_path / name).write_text(text, encoding="utf-8")
    assert [f for f in check(tmp_path / name) if f["rule"] == "AZP102"] == []


def test_bicep_trace_says_the_object_was_checked_as_sent():
    finding = next(f for f in check(FIXTURES / "virtual-machine.bicep") if f["rule"] == "AZP102")
    assert (
        "sent if empty(osDisk.managedDisk.?resourceId) (parameter osDisk has no value"
        in (finding["message"])
    )


def test_only_an_object_or_null_choice_is_taken():
    assert sent_branch({"a": 1}, None) == {"a": 1}
    assert sent_branch(None, {"a": 1}) == {"a": 1}
    assert sent_branch("Manual", None) is None  # a value, not an object: stays unknown
    assert sent_branch({"a": 1}, {"a": 2}) is None  # two objects: stays unknown


# The patch mode reaching patchSettings only through a condition, in each form the issue names.
ARM_CONDITIONS = {
    "equals": "if(equals(parameters('patchMode'), 'Manual'), {obj}, null())",
    "empty": "if(empty(parameters('patchMode')), null(), {obj})",
    "not-empty": "if(not(empty(parameters('patchMode'))), {obj}, null())",
}
BICEP_CONDITIONS = {
    "equals": "patchMode == 'Manual' ? {obj} : null",
    "empty": "empty(patchMode) ? null : {obj}",
    "case-insensitive": "patchMode =~ 'manual' ? {obj} : null",
}


def arm_with(condition: str) -> str:
    patch_settings = condition.format(obj="createObject('patchMode', parameters('patchMode'))")
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {
            "patchMode": {"type": "string", "defaultValue": "", "allowedValues": ["", "Manual"]}
        },
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2024-07-01",
                "name": "vm",
                "location": "westeurope",
                "properties": {
                    "osProfile": {
                        "computerName": "vm",
                        "adminUsername": "azureuser",
                        "windowsConfiguration": {"patchSettings": f"[{patch_settings}]"},
                    }
                },
            }
        ],
    }
    return json.dumps(template, indent=2)


def bicep_with(condition: str) -> str:
    patch_settings = condition.format(obj="{ patchMode: patchMode }")
    return (
        "@allowed([\n  ''\n  'Manual'\n])\nparam patchMode string = ''\n\n"
        "resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' = {\n"
        "  name: 'vm'\n  location: 'westeurope'\n  properties: {\n    osProfile: {\n"
        "      computerName: 'vm'\n      adminUsername: 'azureuser'\n"
        f"      windowsConfiguration: {{\n        patchSettings: {patch_settings}\n      }}\n"
        "    }\n  }\n}\n"
    )


@pytest.mark.parametrize(
    ("name", "text"),
    [(f"{key}.json", arm_with(value)) for key, value in ARM_CONDITIONS.items()]
    + [(f"{key}.bicep", bicep_with(value)) for key, value in BICEP_CONDITIONS.items()],
)
def test_each_condition_form_is_explored(name, text, tmp_path):
    (tmp_path / name).write_text(text, encoding="utf-8")
    (finding,) = [f for f in check(tmp_path / name) if f["rule"] == "AZP102"]
    assert finding["message"].endswith("(when patchMode='Manual')")
