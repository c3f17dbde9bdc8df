"""Inline suppressions and the unused-suppression judgement hold for every command, not only
``check``: ``diff``, ``plan`` and ``inventory`` take the same findings path
(armlint/run/findings.py)."""

from __future__ import annotations

import json

import pytest

from armlint.cli import main

# Three Windows VMs from one copy loop in one region, without zones or a set: AZP501 (the
# planner patches the whole redundancy group in one batch) at the resource's opening brace.
LOOP = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {%s
      "type": "Microsoft.Compute/virtualMachines",
      "apiVersion": "2024-07-01",
      "name": "[concat('web', copyIndex())]",
      "location": "eastus",
      "copy": {"name": "web", "count": 3},
      "properties": {
        "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer",
          "offer": "WindowsServer", "sku": "2022-datacenter-azure-edition", "version": "latest"}},
        "osProfile": {
          "computerName": "web",
          "windowsConfiguration": {
            "patchSettings": {"patchMode": "%s"}%s
          }
        }
      }
    }
  ]
}
"""
IGNORE_501 = " // armlint: ignore AZP501 spread over zones next quarter"
IGNORE_402 = " // armlint: ignore AZP402 the VM is recreated by the release"


def write(path, patch_mode="AutomaticByPlatform", on_resource="", on_mode=""):
    path.write_text(LOOP % (on_resource, patch_mode, on_mode), encoding="utf-8")
    return str(path)


def run(capsys, *arguments) -> tuple[int, str]:
    code = main(list(arguments))
    return code, capsys.readouterr().out


@pytest.mark.parametrize("command", ["plan", "inventory"])
def test_plan_and_inventory_honour_an_inline_suppression(tmp_path, capsys, command):
    bare = write(tmp_path / "bare.json")
    code, out = run(capsys, command, bare, "--format", "json", "--fail-on", "warning")
    assert code == 1 and "AZP501" in out
    quiet = write(tmp_path / "quiet.json", on_resource=IGNORE_501)
    code, out = run(capsys, command, quiet, "--format", "json", "--fail-on", "warning")
    assert code == 0
    assert "AZP501" not in out  # neither in the findings nor in an inventory row


def test_plan_does_not_call_a_suppression_of_a_check_rule_unused(tmp_path, capsys):
    """AZP102 is not run by plan, so finding none there says nothing about its suppression."""
    path = write(tmp_path / "vm.json", on_resource=" // armlint: ignore AZP102 vendor wants it")
    code, out = run(capsys, "plan", path, "--format", "json", "--fail-on", "info")
    rules = [finding["rule"] for finding in json.loads(out)["findings"]]
    assert rules == ["AZP501"] and code == 1


def test_check_does_not_call_a_suppression_of_a_plan_rule_unused(tmp_path, capsys):
    path = write(tmp_path / "vm.json", on_resource=IGNORE_501)
    code, out = run(capsys, "check", path, "--format", "json", "--no-cache")
    assert json.loads(out)["findings"] == [] and code == 0


def test_diff_honours_an_inline_suppression(tmp_path, capsys):
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = write(tmp_path / "before" / "vm.json", "Manual")
    bare = write(tmp_path / "after" / "vm.json", "AutomaticByOS")
    code, out = run(capsys, "diff", before, bare, "--format", "json")
    assert code == 1
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["AZP402"]
    quiet = write(tmp_path / "after" / "vm.json", "AutomaticByOS", on_mode=IGNORE_402)
    code, out = run(capsys, "diff", before, quiet, "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert [(f["rule"], f["suppressed"]) for f in data["findings"]] == [
        ("AZP402", "the VM is recreated by the release")
    ]


def test_diff_reports_an_unused_suppression_of_a_transition_rule(tmp_path, capsys):
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    before = write(tmp_path / "before" / "vm.json", "AutomaticByOS")
    after = write(tmp_path / "after" / "vm.json", "AutomaticByOS", on_mode=IGNORE_402)
    _, out = run(capsys, "diff", before, after, "--format", "json")
    assert [f["rule"] for f in json.loads(out)["findings"]] == ["AZP902"]
