"""The posture inventory: one row per record, unknown values named."""

from __future__ import annotations

from planner_fleet import supported, vm

from armlint.model import Finding, Location, Unknown
from armlint.planner import PlanSettings, inventory
from tests.schema_check import validate


def test_one_row_per_record_with_the_documented_columns():
    record = vm(
        "web",
        10,
        group="web",
        index=0,
        location="eastus",
        zones=["1"],
        api_version="2023-03-01",
        assessment_mode="AutomaticByPlatform",
        image_version="latest",
    )
    finding = Finding("AZP102", "x", "error", "m", Location("fleet.json", 3, 1), record.identity)
    [row] = inventory([record], [finding], settings=PlanSettings(image_supported=supported))
    assert row == {
        "name": "web",
        "path": "fleet.json",
        "line": 10,
        "kind": "vm",
        "os": "Linux",
        "patch_mode": "AutomaticByPlatform",
        "assessment_mode": "AutomaticByPlatform",
        "enable_automatic_updates": None,
        "provision_vm_agent": True,
        "hotpatching": None,
        "image": "Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2:latest",
        "api_version": "2023-03-01",
        "location": "eastus",
        "zones": ["1"],
        "availability_set": None,
        "participates": True,
        "reason": "",
        "unknown": [],
        "findings": ["AZP102"],
    }


def test_unknown_values_are_the_string_unknown_and_listed():
    record = vm(
        "a",
        patch_mode=Unknown("parameters('mode')"),
        location=Unknown("resourceGroup().location"),
        zones=[Unknown("parameters('zone')")],
        image_sku=Unknown("parameters('sku')"),
    )
    [row] = inventory([record], [])
    assert row["patch_mode"] == "unknown"
    assert row["location"] == "unknown"
    assert row["zones"] == ["unknown"]
    assert row["image"] == "Canonical:0001-com-ubuntu-server-jammy:unknown"
    assert row["participates"] == "unknown"
    assert row["reason"].startswith("unknown: patch mode (parameters('mode'))")
    assert row["unknown"] == ["patch_mode", "image", "location", "zones", "participates"]


def test_suppressed_findings_and_other_resources_are_not_listed():
    record = vm("a")
    here = Location("fleet.json", 1, 1)
    findings = [
        Finding("AZP501", "x", "warning", "m", here, record.identity, suppressed="baseline"),
        Finding("AZP102", "x", "error", "m", here, "Microsoft.Compute/virtualMachines/other"),
        Finding("AZP103", "x", "error", "m", here, record.identity),
        Finding("AZP103", "x", "error", "m2", here, record.identity),
    ]
    assert inventory([record], findings)[0]["findings"] == ["AZP103"]


def test_custom_image_and_excluded_reason():
    record = vm("c", image_id="/subscriptions/s/images/golden", patch_mode="Manual")
    [row] = inventory([record], [])
    assert row["image"] == "/subscriptions/s/images/golden"
    assert row["participates"] is False
    assert row["reason"] == "patch mode is 'Manual', not AutomaticByPlatform"


def test_rows_match_the_schema():
    records = [
        vm("a", 10, location="eastus"),
        vm("b", 50, kind="vmss", orchestration_mode="Flexible", zones=Unknown("p")),
        vm("c", 90, provision_vm_agent="true", os=None, patch_mode=None),
    ]
    validate({"vms": inventory(records, [])}, "inventory.schema.json")
