"""Issue 12, "Budgets that do not bound": each level calls the next ten times (ARM linked
templates and Terraform modules six deep, Bicep modules seven deep) took over 60 s and up to
3.5 GB; a Terraform ``count`` of 10^9 or 1e999 took the VM out of the check.

The fan-out tests run with a small budget (patched) so they stay fast while proving the bound:
the work done is limited by the budget, not by 10^6 instances. The README gives the default
budgets' figures (bench: the same trees with the defaults)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from armlint.pipeline import RunOptions, run_check

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
SMALL = 20_000  # steps: a few hundred module instances at most
FAST = 5.0  # seconds; each run takes well under one with the small budget


def arm_tree(folder: Path, depth: int = 6) -> None:
    vm = {
        "type": "Microsoft.Compute/virtualMachines",
        "apiVersion": "2024-07-01",
        "name": "vm",
        "location": "westeurope",
        "properties": {
            "osProfile": {"windowsConfiguration": {"patchSettings": {"patchMode": "Manual"}}}
        },
    }
    for level in range(depth):
        resources = [vm]
        if level < depth - 1:
            resources = [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "2022-09-01",
                    "name": f"d{i}",
                    "properties": {
                        "mode": "Incremental",
                        "templateLink": {"relativePath": f"l{level + 1}.json"},
                    },
                }
                for i in range(10)
            ]
        document = {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": resources}
        (folder / f"l{level}.json").write_text(json.dumps(document), encoding="utf-8")


def terraform_tree(folder: Path, depth: int = 6) -> None:
    for level in range(depth):
        module = folder / f"m{level}"
        module.mkdir()
        if level < depth - 1:
            text = "".join(
                f'module "c{i}" {{\n  source = "../m{level + 1}"\n}}\n' for i in range(10)
            )
        else:
            text = TF_VM.replace("COUNT", "1")
        (module / "main.tf").write_text(text, encoding="utf-8")


def bicep_tree(folder: Path, depth: int = 7) -> None:
    leaf = (
        "resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' = {\n  name: 'vm'\n"
        "  location: 'westeurope'\n  properties: {\n    osProfile: {\n"
        "      windowsConfiguration: {\n        patchSettings: {\n          patchMode: 'Manual'\n"
        "        }\n      }\n    }\n  }\n}\n"
    )
    for level in range(depth):
        if level < depth - 1:
            text = "".join(
                f"module c{i} 'l{level + 1}.bicep' = {{\n  name: 'c{i}'\n}}\n" for i in range(10)
            )
        else:
            text = leaf
        (folder / f"l{level}.bicep").write_text(text, encoding="utf-8")


def timed_check(folder: Path, root: str):
    start = time.perf_counter()
    result = run_check(RunOptions(paths=[str(folder / root)], explore=False))
    return result, time.perf_counter() - start


def test_arm_linked_templates_fanning_out_six_deep_stop_at_the_budget(tmp_path, monkeypatch):
    from armlint.arm import template

    monkeypatch.setattr(template, "STEP_BUDGET", SMALL)
    arm_tree(tmp_path)
    result, seconds = timed_check(tmp_path, ".")
    assert seconds < FAST
    assert any("deployment not followed: evaluation budget exhausted" in n for n in result.notes)
    assert any("evaluation budget exhausted" in n for n in result.notes)


def test_terraform_modules_fanning_out_six_deep_stop_at_the_tree_budget(tmp_path, monkeypatch):
    from armlint.terraform import instance, loader

    monkeypatch.setattr(loader, "TREE_STEP_BUDGET", SMALL)
    terraform_tree(tmp_path)
    result, seconds = timed_check(tmp_path, ".")
    assert seconds < FAST
    assert any("module tree budget (20000 steps) exhausted" in n for n in result.notes)
    # the bound: each module instance costs MODULE_INSTANCE_STEPS of the tree budget
    vms = [r for r in result.resource_keys]
    assert 0 < len(vms) <= SMALL // instance.MODULE_INSTANCE_STEPS


def test_bicep_modules_fanning_out_seven_deep_stop_at_the_budget(tmp_path, monkeypatch):
    from armlint.bicep import loader, template

    monkeypatch.setattr(loader, "STEP_BUDGET", SMALL)
    bicep_tree(tmp_path)
    result, seconds = timed_check(tmp_path, ".")
    assert seconds < FAST
    assert any(f"evaluation stopped after {SMALL} steps" in n for n in result.notes)
    assert 0 < len(result.resource_keys) <= SMALL // template.MODULE_STEPS


TF_VM = """
resource "azurerm_windows_virtual_machine" "vm" {
  count                    = COUNT
  name                     = "vm"
  location                 = "westeurope"
  patch_mode               = "Manual"
  enable_automatic_updates = true
  source_image_reference {
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2022-datacenter-azure-edition"
    version   = "latest"
  }
}
"""


@pytest.mark.parametrize("count", ["1e9", "1e999", "1000000000"])
def test_a_huge_terraform_count_checks_one_representative_instance(tmp_path, count):
    (tmp_path / "main.tf").write_text(TF_VM.replace("COUNT", count), encoding="utf-8")
    result, seconds = timed_check(tmp_path, "main.tf")
    assert seconds < FAST
    assert [(f.rule, f.location.line) for f in result.findings] == [("AZP102", 7)]
    assert any("above armlint's limit of 800 instances" in n for n in result.notes), result.notes


def test_a_huge_for_each_is_capped_too(tmp_path):
    text = TF_VM.replace(
        "count                    = COUNT", "for_each = toset([for i in range(1000) : tostring(i)])"
    )
    (tmp_path / "main.tf").write_text(text, encoding="utf-8")
    result, _ = timed_check(tmp_path, "main.tf")
    assert [f.rule for f in result.findings] == ["AZP102"]
    assert any("for_each of 1000 keys is above" in n for n in result.notes), result.notes


def test_a_count_below_the_cap_builds_every_instance(tmp_path):
    from armlint.pipeline import load_records

    (tmp_path / "main.tf").write_text(TF_VM.replace("COUNT", "800"), encoding="utf-8")
    records = load_records(RunOptions(paths=[str(tmp_path)])).records
    assert len(records) == 800
