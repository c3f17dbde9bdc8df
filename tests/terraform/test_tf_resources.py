"""Each supported resource type becomes a record with exact facts and positions."""

from __future__ import annotations

import pytest
from tf_helpers import at, load_fixture, record, text_at

from armlint.model import SOURCE_DEFAULT, SOURCE_EVALUATED, SOURCE_LITERAL


@pytest.fixture(scope="module")
def result():
    return load_fixture("resources")


def test_every_file_is_reported_and_nothing_fails(result):
    assert [(f.kind, f.status) for f in result.files] == [("terraform", "linted")]
    assert result.findings == []
    assert result.notes == []


def test_windows_vm_with_new_automatic_updates_name(result):
    vm = record(result, "azurerm_windows_virtual_machine.win")
    assert (vm.kind, vm.format, vm.name) == ("vm", "terraform", "win-vm")
    assert at(vm.location) == ("main.tf", 10, 1)
    assert vm.value("os") == "Windows"
    patch_mode = vm.fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("AutomaticByPlatform", SOURCE_LITERAL)
    assert at(patch_mode) == ("main.tf", 13, 31)
    assert text_at(patch_mode.location, 21) == '"AutomaticByPlatform"'
    assert vm.value("enable_automatic_updates") is True
    assert at(vm.fact("enable_automatic_updates")) == ("main.tf", 14, 31)
    assert vm.automatic_updates_attr == "automatic_updates_enabled"
    assert vm.azurerm_constraint == ">= 4.42, < 5.0"
    assert vm.value("enable_hotpatching") is True
    assert vm.value("reboot_setting") == "IfRequired"
    assert vm.value("automatic_by_platform_settings") is True
    assert at(vm.fact("automatic_by_platform_settings")) == ("main.tf", 16, 31)
    assert vm.value("time_zone") == "W. Europe Standard Time"
    assert vm.value("location") == "westeurope"
    assert vm.value("zones") == ["2"]
    assert vm.value("availability_set") == "azurerm_availability_set.avset"
    assert vm.fact("availability_set").source == SOURCE_EVALUATED
    assert [vm.value(f"image_{p}") for p in ("publisher", "offer", "sku", "version")] == [
        "MicrosoftWindowsServer",
        "WindowsServer",
        "2022-datacenter-azure-edition",
        "latest",
    ]
    assert at(vm.fact("image_sku")) == ("main.tf", 24, 17)
    assert "api_version" not in vm.facts  # the provider picks it


def test_windows_defaults_point_at_the_resource(result):
    vm = record(result, "azurerm_windows_virtual_machine.win")
    for name, value in (("provision_vm_agent", True), ("assessment_mode", "ImageDefault")):
        fact = vm.fact(name)
        assert (fact.value, fact.source) == (value, SOURCE_DEFAULT)
        assert at(fact) == ("main.tf", 10, 1)


def test_old_automatic_updates_name_and_custom_image(result):
    vm = record(result, "azurerm_windows_virtual_machine.win_old_name")
    assert vm.value("enable_automatic_updates") is False
    assert at(vm.fact("enable_automatic_updates")) == ("main.tf", 37, 30)
    assert vm.automatic_updates_attr == "enable_automatic_updates"
    assert vm.value("patch_mode") == "Manual"
    assert vm.value("image_id") == "azurerm_shared_image.custom"
    assert "image_sku" not in vm.facts


def test_linux_vm_defaults_extension_and_maintenance(result):
    vm = record(result, "azurerm_linux_virtual_machine.lin")
    assert vm.value("os") == "Linux"
    assert (vm.value("patch_mode"), vm.fact("patch_mode").source) == (
        "ImageDefault",
        SOURCE_DEFAULT,
    )
    assert vm.value("assessment_mode") == "AutomaticByPlatform"
    assert vm.value("provision_vm_agent") is False
    assert at(vm.fact("provision_vm_agent")) == ("main.tf", 50, 27)
    assert "enable_automatic_updates" not in vm.facts
    health = vm.fact("health_extension")
    assert health.value is True
    assert at(health) == ("main.tf", 64, 26)
    maintenance = vm.fact("maintenance_assignment")
    assert maintenance.value is True
    assert at(maintenance) == ("main.tf", 71, 34)


def test_vm_without_relations_gets_false(result):
    vm = record(result, "azurerm_windows_virtual_machine.win")
    assert (vm.value("health_extension"), vm.fact("health_extension").source) == (
        False,
        SOURCE_DEFAULT,
    )
    assert vm.value("maintenance_assignment") is False


def test_uniform_windows_scale_set_infers_manual_like_a_template(result):
    # The resource has no patch_mode argument, so the body Azure gets has automatic updates
    # off and no patchMode: the same Manual inference as an ARM body (compute/schema.py).
    ss = record(result, "azurerm_windows_virtual_machine_scale_set.wss")
    assert ss.kind == "vmss"
    assert ss.value("orchestration_mode") == "Uniform"
    patch_mode = ss.fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("Manual", SOURCE_DEFAULT)
    assert patch_mode.trace == ("inferred from enableAutomaticUpdates false",)
    assert at(patch_mode) == ("main.tf", 74, 1)
    assert ss.value("enable_automatic_updates") is False
    assert ss.value("zones") == ["1", "2", "3"]
    assert ss.value("location") == "northeurope"


def test_uniform_linux_scale_set_inline_health_extension(result):
    ss = record(result, "azurerm_linux_virtual_machine_scale_set.lss")
    assert ss.value("patch_mode") == "ImageDefault"
    assert ss.value("health_extension") is True
    assert at(ss.fact("health_extension")) == ("main.tf", 95, 17)


def test_orchestrated_scale_set_nested_os_profile(result):
    ss = record(result, "azurerm_orchestrated_virtual_machine_scale_set.flex")
    assert ss.value("orchestration_mode") == "Flexible"
    assert ss.value("os") == "Windows"
    assert at(ss.fact("os")) == ("main.tf", 105, 5)
    assert ss.value("patch_mode") == "AutomaticByPlatform"
    assert at(ss.fact("patch_mode")) == ("main.tf", 106, 29)
    assert ss.value("enable_hotpatching") is True
    enable = ss.fact("enable_automatic_updates")
    assert (enable.value, enable.source) == (True, SOURCE_DEFAULT)
    assert at(enable) == ("main.tf", 105, 5)  # the windows_configuration block
    assert ss.value("zones") == ["1"]


def test_legacy_vm(result):
    vm = record(result, "azurerm_virtual_machine.legacy")
    assert vm.value("os") == "Windows"
    assert (vm.value("patch_mode"), vm.fact("patch_mode").source) == (
        "AutomaticByOS",
        SOURCE_DEFAULT,
    )
    assert vm.value("enable_automatic_updates") is True
    assert at(vm.fact("enable_automatic_updates")) == ("main.tf", 132, 33)
    assert vm.automatic_updates_attr == "enable_automatic_upgrades"
    agent = vm.fact("provision_vm_agent")
    assert (agent.value, agent.source) == (False, SOURCE_DEFAULT)  # legacy provider default
    assert vm.value("time_zone") == "UTC"
    assert vm.value("image_sku") == "2016-Datacenter"
    assert vm.value("zones") == ["1"]
    assert vm.value("location") == "westus"


def test_legacy_scale_set(result):
    ss = record(result, "azurerm_virtual_machine_scale_set.legacy_ss")
    assert (ss.kind, ss.value("os"), ss.value("orchestration_mode")) == ("vmss", "Linux", "Uniform")
    assert ss.value("patch_mode") == "ImageDefault"
    assert ss.value("image_offer") == "UbuntuServer"
    assert at(ss.fact("image_offer")) == ("main.tf", 143, 17)


def test_azapi_vm_with_arm_shaped_body(result):
    vm = record(result, "azapi_resource.arm_vm")
    assert (vm.kind, vm.resource_type) == ("vm", "azapi_resource")
    assert vm.arm_type == "Microsoft.Compute/virtualMachines"
    assert vm.value("api_version") == "2023-03-01"
    assert at(vm.fact("api_version")) == ("main.tf", 154, 15)
    assert vm.value("os") == "Windows"
    assert vm.value("patch_mode") == "Manual"
    assert at(vm.fact("patch_mode")) == ("main.tf", 165, 25)
    assert vm.value("enable_automatic_updates") is False
    assert at(vm.fact("enable_automatic_updates")) == ("main.tf", 163, 36)
    assert vm.value("automatic_by_platform_settings") is True
    assert vm.value("bypass_platform_safety_checks") is True
    assert at(vm.fact("bypass_platform_safety_checks")) == ("main.tf", 167, 58)
    assert vm.value("image_sku") == "2022-datacenter"
    assert vm.value("zones") == ["3"]
    assert vm.value("location") == "eastus"
    agent = vm.fact("provision_vm_agent")
    assert (agent.value, agent.source) == (True, SOURCE_DEFAULT)
    assert at(agent) == ("main.tf", 162, 32)  # windowsConfiguration, where it belongs
