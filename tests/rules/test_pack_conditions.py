"""The data rules' conditions on facts views, with derived facts, as the engine evaluates them.

Each case is a view as a format would produce it (defaults included); the expected verdict is
YES (reported), NO (passes) or MAYBE (an unknown fact blocks it: AZP002).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from armlint.checks import conditions
from armlint.checks.derive import derive
from armlint.checks.tables import load_tables
from armlint.model import Unknown
from armlint.paths import rules_dir

YES, NO, MAYBE = conditions.YES, conditions.NO, conditions.MAYBE
UNKNOWN = Unknown("parameters('x') has no value")

WIN_IMAGE = {
    "image_publisher": "MicrosoftWindowsServer",
    "image_offer": "WindowsServer",
    "image_sku": "2022-datacenter-azure-edition",
}
HOTPATCH_IMAGE = {**WIN_IMAGE, "image_sku": "2022-datacenter-azure-edition-core"}
UBUNTU = {"image_publisher": "Canonical", "image_offer": "ubuntu-24_04-lts", "image_sku": "server"}


PREVIEW_HOTPATCH_IMAGE = {
    "image_publisher": "MicrosoftWindowsServer",
    "image_offer": "WindowsServerHotpatch-previews",
    "image_sku": "windows-server-2022-azure-edition-hotpatch",
}


def scale_set(**facts) -> dict:
    """A Windows scale set view with the platform defaults (Flexible unless given)."""
    view = windows(kind="vmss", orchestration_mode="Flexible")
    view.update(facts)
    return view


def windows(**facts) -> dict:
    """A Windows VM view with the platform defaults."""
    view = {
        "kind": "vm",
        "os": "Windows",
        "patch_mode": "AutomaticByOS",
        "enable_automatic_updates": True,
        "provision_vm_agent": True,
        "api_version": "2024-07-01",
        **WIN_IMAGE,
    }
    view.update(facts)
    return view


def linux(**facts) -> dict:
    view = {
        "kind": "vm",
        "os": "Linux",
        "patch_mode": "ImageDefault",
        "provision_vm_agent": True,
        "api_version": "2024-07-01",
        **UBUNTU,
    }
    view.update(facts)
    return view


CASES = [
    # AZP112 maintenance schedule prerequisites (S7 scenarios 1, 3, 5, 7)
    ("AZP112", windows(maintenance_assignment=True), YES),
    ("AZP112", windows(maintenance_assignment=True, patch_mode="AutomaticByPlatform"), YES),
    (
        "AZP112",
        windows(
            maintenance_assignment=True,
            patch_mode="AutomaticByPlatform",
            bypass_platform_safety_checks=False,
        ),
        YES,
    ),
    (
        "AZP112",
        windows(
            maintenance_assignment=True,
            patch_mode="AutomaticByPlatform",
            bypass_platform_safety_checks=True,
        ),
        NO,
    ),
    ("AZP112", windows(maintenance_assignment=False), NO),
    ("AZP112", windows(maintenance_assignment=UNKNOWN), MAYBE),
    # AZP113 automatic OS image upgrade with guest patching
    ("AZP113", scale_set(automatic_os_upgrade=True), YES),  # Windows updates default true
    (
        "AZP113",
        scale_set(
            automatic_os_upgrade=True,
            enable_automatic_updates=False,
            image_version="latest",
            health_probe=True,
        ),
        NO,
    ),
    (
        "AZP113",
        scale_set(
            automatic_os_upgrade=True,
            enable_automatic_updates=False,
            image_version="20348.1.1",
            health_probe=True,
        ),
        YES,
    ),
    (
        "AZP113",
        scale_set(
            automatic_os_upgrade=True,
            enable_automatic_updates=False,
            image_version="latest",
            health_extension=False,
        ),
        YES,
    ),
    ("AZP113", scale_set(automatic_os_upgrade=False), NO),
    # AZP114 hotpatch image on a scale set without enableHotpatching
    ("AZP114", scale_set(**HOTPATCH_IMAGE, patch_mode="AutomaticByPlatform"), YES),
    (
        "AZP114",
        scale_set(**HOTPATCH_IMAGE, patch_mode="AutomaticByPlatform", enable_hotpatching=True),
        NO,
    ),
    ("AZP114", scale_set(**PREVIEW_HOTPATCH_IMAGE, patch_mode="AutomaticByPlatform"), NO),
    ("AZP114", scale_set(patch_mode="AutomaticByPlatform"), NO),
    # AZP115 / AZP116 Uniform scale sets
    ("AZP115", scale_set(orchestration_mode="Uniform", patch_mode="AutomaticByPlatform"), YES),
    ("AZP115", scale_set(orchestration_mode="Flexible", patch_mode="AutomaticByPlatform"), NO),
    ("AZP115", scale_set(orchestration_mode=UNKNOWN, patch_mode="AutomaticByPlatform"), MAYBE),
    ("AZP116", scale_set(orchestration_mode="Uniform", **HOTPATCH_IMAGE), YES),
    ("AZP116", scale_set(orchestration_mode="Flexible", **HOTPATCH_IMAGE), NO),
    ("AZP116", scale_set(orchestration_mode="Uniform"), NO),
    # AZP117 Arm64 with AutomaticByPlatform
    ("AZP117", linux(patch_mode="AutomaticByPlatform", image_sku="22_04-lts-arm64"), YES),
    ("AZP117", linux(patch_mode="AutomaticByPlatform", image_sku="22_04-lts-gen2"), NO),
    ("AZP117", linux(image_sku="22_04-lts-arm64"), NO),
    # AZP118 Linux enableHotpatching
    ("AZP118", linux(linux_enable_hotpatching=True), YES),
    ("AZP118", linux(linux_enable_hotpatching=False), YES),
    ("AZP118", linux(), NO),
    # AZP119 hotpatching on a custom image
    ("AZP119", windows(enable_hotpatching=True, image_id="/subscriptions/x/images/golden"), YES),
    ("AZP119", windows(enable_hotpatching=False, image_id="/subscriptions/x/images/golden"), NO),
    ("AZP119", windows(enable_hotpatching=True, **HOTPATCH_IMAGE), NO),
    # AZP203 never errors on the hotpatch preview offers (issue 11)
    ("AZP203", windows(**PREVIEW_HOTPATCH_IMAGE), NO),
    ("AZP203", windows(**PREVIEW_HOTPATCH_IMAGE, enable_hotpatching=True), NO),
    # AZP102 Manual with automatic updates, the default included
    ("AZP102", windows(patch_mode="Manual"), YES),
    ("AZP102", windows(patch_mode="Manual", enable_automatic_updates=False), NO),
    ("AZP102", windows(patch_mode=UNKNOWN), MAYBE),
    # AZP103 AutomaticByPlatform without automatic updates
    ("AZP103", windows(patch_mode="AutomaticByPlatform", enable_automatic_updates=False), YES),
    ("AZP103", windows(patch_mode="AutomaticByPlatform"), NO),
    ("AZP103", linux(patch_mode="AutomaticByPlatform"), NO),
    # AZP104 agent off
    ("AZP104", linux(patch_mode="AutomaticByPlatform", provision_vm_agent=False), YES),
    ("AZP104", windows(assessment_mode="AutomaticByPlatform", provision_vm_agent=False), YES),
    ("AZP104", windows(enable_hotpatching=True, provision_vm_agent=False), YES),
    ("AZP104", windows(provision_vm_agent=False), NO),
    ("AZP104", linux(patch_mode="AutomaticByPlatform"), NO),
    ("AZP104", windows(patch_mode=UNKNOWN, provision_vm_agent=False), MAYBE),
    # AZP105 patch mode validity (derived)
    ("AZP105", windows(patch_mode="AutomaticByPlatfom"), YES),
    ("AZP105", linux(patch_mode="AutomaticByOS"), YES),
    ("AZP105", linux(patch_mode="AutomaticByPlatform"), NO),
    ("AZP105", windows(patch_mode=UNKNOWN), MAYBE),
    ("AZP105", windows(os=UNKNOWN, patch_mode="AutomaticByPlatform"), NO),
    # AZP106 automaticByPlatformSettings without AutomaticByPlatform
    ("AZP106", linux(automatic_by_platform_settings=True, reboot_setting="IfRequired"), YES),
    ("AZP106", windows(bypass_platform_safety_checks=True), YES),
    ("AZP106", linux(patch_mode="AutomaticByPlatform", automatic_by_platform_settings=True), NO),
    ("AZP106", linux(), NO),
    # Terraform records the provider's default bypass false: that is no setting
    ("AZP106", windows(bypass_platform_safety_checks=False), NO),
    ("AZP106", linux(reboot_setting="IfRequired"), YES),
    ("AZP106", linux(patch_mode=UNKNOWN, automatic_by_platform_settings=True), MAYBE),
    # AZP107 hotpatching
    ("AZP107", windows(enable_hotpatching=True), YES),
    (
        "AZP107",
        windows(
            patch_mode="AutomaticByPlatform",
            enable_hotpatching=True,
            bypass_platform_safety_checks=True,
        ),
        YES,
    ),
    ("AZP107", windows(patch_mode="AutomaticByPlatform", enable_hotpatching=True), NO),
    ("AZP107", windows(enable_hotpatching=False), NO),
    ("AZP107", windows(enable_hotpatching=UNKNOWN), MAYBE),
    # AZP109 bypass without a maintenance assignment
    (
        "AZP109",
        linux(patch_mode="AutomaticByPlatform", bypass_platform_safety_checks=True),
        YES,
    ),
    (
        "AZP109",
        linux(
            patch_mode="AutomaticByPlatform",
            bypass_platform_safety_checks=True,
            maintenance_assignment=False,
        ),
        YES,
    ),
    (
        "AZP109",
        linux(
            patch_mode="AutomaticByPlatform",
            bypass_platform_safety_checks=True,
            maintenance_assignment=True,
        ),
        NO,
    ),
    ("AZP109", linux(patch_mode="AutomaticByPlatform"), NO),
    (
        "AZP109",
        linux(
            patch_mode="AutomaticByPlatform",
            bypass_platform_safety_checks=True,
            maintenance_assignment=UNKNOWN,
        ),
        MAYBE,
    ),
    # AZP110 Flexible scale set health extension
    (
        "AZP110",
        linux(kind="vmss", orchestration_mode="Flexible", patch_mode="AutomaticByPlatform"),
        YES,
    ),
    (
        "AZP110",
        linux(
            kind="vmss",
            orchestration_mode="Flexible",
            patch_mode="AutomaticByPlatform",
            health_extension=True,
        ),
        NO,
    ),
    (
        "AZP110",
        linux(kind="vmss", orchestration_mode="Uniform", patch_mode="AutomaticByPlatform"),
        NO,
    ),
    # AZP201 unsupported marketplace image
    (
        "AZP201",
        windows(patch_mode="AutomaticByPlatform", image_sku="2019-datacenter-core-smalldisk"),
        YES,
    ),
    (
        "AZP201",
        linux(patch_mode="AutomaticByPlatform", image_publisher="Debian", image_offer="debian-12"),
        YES,
    ),
    ("AZP201", windows(patch_mode="AutomaticByPlatform"), NO),
    ("AZP201", windows(image_sku="2019-datacenter-core-smalldisk"), NO),
    (
        "AZP201",
        linux(
            patch_mode="AutomaticByPlatform",
            image_publisher="OpenLogic",
            image_offer="CentOS",
            image_sku="7_9",
        ),
        NO,  # removed: AZP204 reports it instead
    ),
    ("AZP201", windows(patch_mode="AutomaticByPlatform", image_sku=UNKNOWN), MAYBE),
    # AZP202 custom image
    (
        "AZP202",
        windows(patch_mode="AutomaticByPlatform", image_id="/subscriptions/x/images/y"),
        YES,
    ),
    ("AZP202", windows(image_id="/subscriptions/x/images/y"), NO),
    # AZP203 hotpatch image mismatch
    ("AZP203", windows(patch_mode="AutomaticByPlatform", enable_hotpatching=True), YES),
    ("AZP203", windows(**HOTPATCH_IMAGE), YES),
    (
        "AZP203",
        windows(patch_mode="AutomaticByPlatform", enable_hotpatching=True, **HOTPATCH_IMAGE),
        NO,
    ),
    ("AZP203", windows(), NO),
    ("AZP203", linux(), NO),
    ("AZP203", windows(patch_mode=UNKNOWN, **HOTPATCH_IMAGE), MAYBE),
    # AZP204 removed image
    (
        "AZP204",
        linux(
            patch_mode="AutomaticByPlatform",
            image_publisher="OpenLogic",
            image_offer="CentOS",
            image_sku="7_9",
        ),
        YES,
    ),
    ("AZP204", linux(image_publisher="OpenLogic", image_offer="CentOS", image_sku="7_9"), NO),
    ("AZP204", linux(patch_mode="AutomaticByPlatform"), NO),
    # AZP303 api-version
    ("AZP303", windows(api_version="2021-08-01"), YES),
    ("AZP303", windows(api_version="2024-07-01"), NO),
    ("AZP303", windows(api_version=UNKNOWN), MAYBE),
]

PREVIEW_2020_CASES = [
    ("AZP103", windows(patch_mode="AutomaticByPlatform", enable_automatic_updates=False), YES),
    ("AZP105", linux(patch_mode="AutomaticByPlatform"), YES),
    ("AZP105", linux(), NO),
    (
        "AZP201",
        windows(patch_mode="AutomaticByPlatform", image_sku="2022-datacenter-azure-edition"),
        YES,
    ),
    ("AZP201", windows(patch_mode="AutomaticByPlatform", image_sku="2019-Datacenter"), NO),
]


def rule(rule_id: str) -> dict:
    return yaml.safe_load((Path(rules_dir()) / f"{rule_id}.yaml").read_text(encoding="utf-8"))


def verdict(rule_id: str, view: dict, profile: str):
    data = rule(rule_id)
    assert profile in data["profiles"]
    assert view["kind"] in data["applies_to"]
    condition = (data.get("profile_overrides") or {}).get(profile, {}).get("when", data["when"])
    full = {**view, **derive(view, profile, load_tables())}
    return conditions.evaluate(condition, full).value


@pytest.mark.parametrize(("rule_id", "view", "expected"), CASES)
def test_current_profile(rule_id, view, expected):
    assert verdict(rule_id, view, "current") is expected


@pytest.mark.parametrize(("rule_id", "view", "expected"), PREVIEW_2020_CASES)
def test_preview_2020_profile(rule_id, view, expected):
    assert verdict(rule_id, view, "preview-2020") is expected


def test_azp103_is_an_error_in_preview_2020():
    assert rule("AZP103")["profile_overrides"]["preview-2020"]["severity"] == "error"


def test_every_data_rule_has_cases():
    data_rules = {
        path.stem for path in Path(rules_dir()).glob("AZP*.yaml") if "when" in rule(path.stem)
    }
    assert data_rules <= {case[0] for case in CASES}
