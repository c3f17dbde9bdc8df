"""Issue 12, "Budgets that do not bound": each level calls the next ten times (ARM linked
templates and Terraform modules six deep, Bicep modules seven deep) took over 60 s and up to
3.5 GB; a Terraform ``count`` of 10^9 or 1e999 took the VM out of the check.

The fan-out tests run with a small budget (patched) so they stay fast while proving the bound:
the work done is limited by the budget, not by 10^6 instances. The README gives the default
budgets' figures (bench: the same trees with the defaults)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from armlint.run.pipeline import RunOptions, run_check

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
  automatic_updates_enabled = true
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
    from armlint.run.pipeline import load_records

    (tmp_path / "main.tf").write_text(TF_VM.replace("COUNT", "800"), encoding="utf-8")
    records = load_records(RunOptions(paths=[str(tmp_path)])).records
    assert len(records) == 800


# -- the value budget ---------------------------------------------------------------------


def doubling_terraform(steps: int = 40) -> str:
    lines = ["locals {", '  s0 = "xx"', '  l0 = ["a", "b"]']
    for i in range(1, steps):
        lines.append(f'  s{i} = "${{local.s{i - 1}}}${{local.s{i - 1}}}"')
        lines.append(f"  l{i} = concat(local.l{i - 1}, local.l{i - 1})")
    lines.append('  f = format("%2000000000s", "x")')
    lines.append("}")
    last = steps - 1
    vm = TF_VM.replace("count                    = COUNT\n", "").replace(
        'name                     = "vm"', f"name = substr(local.s{last}, 0, 3)"
    )
    vm = vm.replace('patch_mode               = "Manual"', "patch_mode = local.f")
    second = TF_VM.replace("count                    = COUNT\n", "").replace('"vm"', '"vm2"')
    second = second.replace('"Manual"', f'length(local.l{last}) > 0 ? "Manual" : "x"')
    second = second.replace(
        'resource "azurerm_windows_virtual_machine" "vm"',
        'resource "azurerm_windows_virtual_machine" "vm2"',
    )
    return "\n".join(lines) + "\n" + vm + second


def doubling_bicep(steps: int = 40) -> str:
    lines = ["var s0 = 'xx'", "var l0 = ['a', 'b']"]
    for i in range(1, steps):
        lines.append(f"var s{i} = concat(s{i - 1}, s{i - 1})")
        lines.append(f"var l{i} = concat(l{i - 1}, l{i - 1})")
    last = steps - 1
    lines.append(
        "resource vm 'Microsoft.Compute/virtualMachines@2024-07-01' = {\n"
        f"  name: substring(s{last}, 0, 3)\n  location: 'westeurope'\n  properties: {{\n"
        "    osProfile: {\n      windowsConfiguration: {\n        patchSettings: {\n"
        f"          patchMode: length(l{last}) > 0 ? 'Manual' : 'x'\n"
        "        }\n      }\n    }\n  }\n}"
    )
    return "\n".join(lines) + "\n"


def limited_run(folder: Path) -> subprocess.CompletedProcess:
    """A separate process with 1.5 GB of address space: without the budget these values reach
    3 to 6 GB, which must fail the test, not the machine."""
    import resource

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1536 * 1024 * 1024, 1536 * 1024 * 1024))

    return subprocess.run(
        [
            sys.executable,
            "-m",
            "armlint",
            "check",
            ".",
            "--no-cache",
            "--show-unknown",
            "--format",
            "json",
        ],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "text"), [("main.tf", doubling_terraform()), ("main.bicep", doubling_bicep())]
)
def test_values_that_double_stop_at_the_value_budget(tmp_path, name, text):
    (tmp_path / ".git").mkdir()
    (tmp_path / name).write_text(text, encoding="utf-8")
    done = limited_run(tmp_path)
    assert done.returncode in (0, 1), done.stderr
    messages = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert any("above the value budget of" in m for m in messages), messages


def test_a_19_mb_tfvars_file_is_refused_by_the_value_budget(tmp_path):
    """19 MB of tfvars (under the 20 MB file limit) took 3.7 GB to parse."""
    from armlint.terraform.loader import MAX_TFVARS_BYTES

    (tmp_path / "main.tf").write_text(TF_VM.replace("COUNT", "1"), encoding="utf-8")
    padding = "# " + "x" * 1000 + "\n"
    big = 'mode = "Manual"\n' + padding * (19 * 1024)
    (tmp_path / "big.tfvars").write_text(big, encoding="utf-8")
    assert len(big) > MAX_TFVARS_BYTES
    result, seconds = timed_check(tmp_path, ".")
    assert seconds < FAST
    (finding,) = [f for f in result.findings if f.location.path.endswith("big.tfvars")]
    assert finding.rule == "AZP001" and "above the value budget" in finding.message
    assert ("AZP102", 7) in [(f.rule, f.location.line) for f in result.findings]


def test_many_decorator_lines_on_a_bicep_parameter_are_linear(tmp_path):
    """20,000 decorator lines took 26 s (each new line re-read every earlier one)."""
    lines = ["@description('d')"] * 10_000
    (tmp_path / "main.bicep").write_text("\n".join(lines) + "\nparam p string\n", encoding="utf-8")
    result, seconds = timed_check(tmp_path, ".")
    assert seconds < FAST
    assert [report.status for report in result.files] == ["linted"]


def test_a_nested_value_is_measured_whole_not_level_by_level(tmp_path):
    """Issue 12, "bytes of memory for one value": 100 distinct strings of about a million
    characters each pass the string limit one by one and the item limit as a list (100 items),
    yet the list holds 100 MB. The value budget counts the whole value."""
    from armlint.budgets import MAX_VALUE_BYTES

    locals_block = (
        "locals {\n"
        '  s   = format("%999990s", "x")\n'
        '  big = concat([for i in range(100) : "${local.s}${i}"])\n'
        "}\n"
    )
    vm = TF_VM.replace("count                    = COUNT\n", "").replace(
        '"Manual"', 'length(local.big) > 0 ? "Manual" : "x"'
    )
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(locals_block + vm, encoding="utf-8")
    assert MAX_VALUE_BYTES < 100 * 999_990
    done = limited_run(tmp_path)
    assert done.returncode in (0, 1), done.stderr
    messages = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert any(f"more than {MAX_VALUE_BYTES} bytes" in m for m in messages), messages
