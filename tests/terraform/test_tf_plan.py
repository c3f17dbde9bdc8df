"""``terraform show -json`` plans: after / after_unknown / before, positions in the plan file."""

from __future__ import annotations

import json

import pytest
from tf_helpers import FIXTURES, at, record, text_at

import armlint.terraform as terraform
from armlint.model import SOURCE_DEFAULT, SOURCE_LITERAL, SOURCE_UNKNOWN, Unknown

PLAN = FIXTURES / "plan" / "plan.json"


@pytest.fixture(scope="module")
def plan():
    return terraform.load_plan(PLAN)


def test_is_plan():
    assert terraform.is_plan(json.loads(PLAN.read_text()))
    assert terraform.is_plan({"format_version": "1.2", "planned_values": {}})
    assert not terraform.is_plan({"$schema": "x", "resources": []})
    assert not terraform.is_plan({"resource_changes": []})


def test_file_report_and_records(plan):
    assert [(f.kind, f.status) for f in plan.files] == [("plan", "linted")]
    assert plan.findings == []
    assert sorted(rec.identity for rec in plan.records) == [
        "azapi_resource.vmss",
        "azurerm_windows_virtual_machine.win[0]",
        "module.app.azurerm_linux_virtual_machine.lin",
    ]  # the deleted VM and the data source give no record
    vm = record(plan, "azurerm_windows_virtual_machine.win[0]")
    assert (vm.address, vm.instance_key) == ("azurerm_windows_virtual_machine.win", 0)


def test_after_values_point_into_the_plan(plan):
    vm = record(plan, "azurerm_windows_virtual_machine.win[0]")
    assert (vm.format, vm.kind, vm.name) == ("plan", "vm", "win-0")
    assert (vm.group, vm.index) == ("azurerm_windows_virtual_machine.win", 0)
    assert vm.actions == ["create"]
    assert vm.before is None
    patch_mode = vm.fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("AutomaticByPlatform", SOURCE_LITERAL)
    assert at(patch_mode) == ("plan.json", 18, 25)
    assert text_at(patch_mode.location, 21) == '"AutomaticByPlatform"'
    assert at(vm.fact("image_sku")) == ("plan.json", 28, 22)
    assert vm.value("enable_automatic_updates") is True
    assert vm.automatic_updates_attr == "automatic_updates_enabled"
    assert vm.azurerm_constraint == "~> 4.0"
    assert vm.value("zones") == ["1"]


def test_after_unknown_is_unknown(plan):
    vm = record(plan, "azurerm_windows_virtual_machine.win[0]")
    fact = vm.fact("assessment_mode")
    assert fact.value == Unknown("known after apply")
    assert fact.source == SOURCE_UNKNOWN


def test_null_after_value_is_the_default(plan):
    vm = record(plan, "azurerm_windows_virtual_machine.win[0]")
    assert "reboot_setting" not in vm.facts
    bypass = vm.fact("bypass_platform_safety_checks")
    assert (bypass.value, bypass.source) == (False, SOURCE_DEFAULT)


def test_before_becomes_a_record(plan):
    vm = record(plan, "module.app.azurerm_linux_virtual_machine.lin")
    assert vm.actions == ["update"]
    assert vm.value("patch_mode") == "AutomaticByPlatform"
    before = vm.before
    assert before.value("patch_mode") == "ImageDefault"
    assert at(before.fact("patch_mode")) == ("plan.json", 53, 25)
    assert before.format == "plan"


def test_relations_by_id_and_by_configuration_reference(plan):
    lin = record(plan, "module.app.azurerm_linux_virtual_machine.lin")
    assert lin.value("health_extension") is True  # virtual_machine_id equals the VM's id
    assert at(lin.fact("health_extension")) == ("plan.json", 77, 19)
    win = record(plan, "azurerm_windows_virtual_machine.win[0]")
    assert win.value("maintenance_assignment") is True  # from configuration references
    assert win.value("health_extension") is False


def test_azapi_body_with_nested_after_unknown(plan):
    ss = record(plan, "azapi_resource.vmss")
    assert (ss.kind, ss.value("api_version"), ss.value("orchestration_mode")) == (
        "vmss",
        "2024-07-01",
        "Flexible",
    )
    assert ss.value("os") == "Linux"
    assert ss.value("patch_mode") == Unknown("known after apply")
    assert ss.value("assessment_mode") == "AutomaticByPlatform"
    assert at(ss.fact("assessment_mode")) == ("plan.json", 132, 57)
    assert ss.value("location") == "northeurope"


def test_plan_syntax_error_is_azp001(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text('{\n  "format_version": "1.2",\n  "resource_changes": [\n}\n')
    result = terraform.load_plan(path)
    (finding,) = result.findings
    assert (finding.rule, finding.location.line, finding.location.column) == ("AZP001", 4, 1)
    assert result.files[0].status == "error"


def test_not_a_plan(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"resources": []}')
    result = terraform.load_plan(path)
    assert result.files[0].status == "error" and result.records == []


def test_planned_values_only(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(
        json.dumps(
            {
                "format_version": "1.0",
                "planned_values": {
                    "root_module": {
                        "child_modules": [
                            {
                                "resources": [
                                    {
                                        "address": "module.m.azurerm_linux_virtual_machine.vm",
                                        "mode": "managed",
                                        "type": "azurerm_linux_virtual_machine",
                                        "name": "vm",
                                        "values": {
                                            "location": "West US 2",
                                            "patch_mode": "ImageDefault",
                                        },
                                    }
                                ]
                            }
                        ]
                    }
                },
            },
            indent=2,
        )
    )
    (vm,) = terraform.load_plan(path).records
    assert vm.value("location") == "westus2"
    assert vm.value("patch_mode") == "ImageDefault"


def test_replacement_keeps_actions_and_replace_paths(tmp_path):
    change = {
        "address": "azurerm_windows_virtual_machine.vm",
        "mode": "managed",
        "type": "azurerm_windows_virtual_machine",
        "name": "vm",
        "change": {
            "actions": ["delete", "create"],
            "before": {"name": "vm", "enable_automatic_updates": True},
            "after": {"name": "vm", "enable_automatic_updates": False},
            "after_unknown": {"id": True},
            "replace_paths": [["enable_automatic_updates"]],
        },
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": [change]}, indent=1))
    (vm,) = terraform.load_plan(path).records
    assert vm.actions == ["delete", "create"]
    assert vm.replace_paths == [["enable_automatic_updates"]]
    assert vm.value("enable_automatic_updates") is False
    assert vm.before.value("enable_automatic_updates") is True
