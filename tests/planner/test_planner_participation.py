"""Who takes part in availability-first platform patching, and the reasons of the others."""

from __future__ import annotations

import pytest
from planner_fleet import supported, vm

from armlint.model import Unknown
from armlint.planner import PlanSettings, build_plan, decide
from armlint.planner.participation import default_image_supported


def excluded_reasons(records, image_supported=supported) -> dict[str, str]:
    plan = build_plan(records, PlanSettings(image_supported=image_supported)).to_dict()
    return {item["vm"]: item["reason"] for item in plan["excluded"]}


def test_a_patched_vm_participates():
    assert decide(vm("a", location="eastus"), supported).participates
    assert excluded_reasons([vm("a", location="eastus")]) == {}


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        ({"patch_mode": "Manual"}, "patch mode is 'Manual', not AutomaticByPlatform"),
        ({"patch_mode": "ImageDefault"}, "patch mode is 'ImageDefault', not AutomaticByPlatform"),
        ({"patch_mode": None}, "patch mode is not set, not AutomaticByPlatform"),
        (
            {"bypass_platform_safety_checks": True},
            "bypassPlatformSafetyChecksOnUserSchedule is true: only a maintenance "
            "configuration schedule patches the VM (S7), and none is assigned in the input",
        ),
        (
            {"provision_vm_agent": False},
            "provisionVMAgent is false: AutomaticByPlatform needs the VM agent (S1, S4)",
        ),
    ],
)
def test_definite_exclusions(facts, reason):
    assert excluded_reasons([vm("a", location="eastus", **facts)]) == {"a": reason}


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        (
            {"patch_mode": Unknown("parameters('mode')")},
            "unknown: patch mode (parameters('mode'))",
        ),
        (
            {"provision_vm_agent": Unknown("parameters('agent')")},
            "unknown: provisionVMAgent (parameters('agent'))",
        ),
        (
            {"bypass_platform_safety_checks": "true"},
            "unknown: bypass flag has the non-boolean value 'true'",
        ),
        (
            {"patch_mode": "automaticbyplatform"},
            "unknown: patch mode is written 'automaticbyplatform'",
        ),
    ],
)
def test_unknown_facts_exclude_with_an_unknown_reason(facts, reason):
    assert excluded_reasons([vm("a", location="eastus", **facts)]) == {"a": reason}


def test_a_definite_exclusion_wins_over_an_unknown_fact():
    record = vm("a", patch_mode="Manual", provision_vm_agent=Unknown("parameters('agent')"))
    decision = decide(record, supported)
    assert decision.reason == "patch mode is 'Manual', not AutomaticByPlatform"
    assert not decision.unknown
    assert decision.fact == "patch_mode"


def test_several_unknown_facts_are_all_named():
    record = vm(
        "a",
        provision_vm_agent=Unknown("parameters('agent')"),
        bypass_platform_safety_checks=Unknown("parameters('bypass')"),
    )
    decision = decide(record, supported)
    assert decision.unknown
    assert decision.reason == (
        "unknown: bypass flag (parameters('bypass')); provisionVMAgent (parameters('agent'))"
    )


def test_unsupported_image_is_excluded():
    reasons = excluded_reasons([vm("a", location="eastus")], image_supported=lambda r: False)
    assert reasons == {
        "a": "image Canonical:0001-com-ubuntu-server-jammy:22_04-lts-gen2 is not supported for "
        "automatic guest patching (S1)"
    }


def test_image_support_unknown_from_the_callable_is_unknown():
    reasons = excluded_reasons(
        [vm("a", location="eastus")], image_supported=lambda r: Unknown("sku is a parameter")
    )
    assert reasons == {"a": "unknown: sku is a parameter"}


def test_default_image_support_marketplace_is_unknown_custom_is_unsupported():
    marketplace = vm("m", location="eastus")
    custom = vm("c", location="eastus", image_id="/subscriptions/s/images/golden")
    assert isinstance(default_image_supported(marketplace), Unknown)
    assert default_image_supported(custom) is False
    plan = build_plan([marketplace, custom], PlanSettings()).to_dict()
    reasons = {item["vm"]: item["reason"] for item in plan["excluded"]}
    assert reasons == {
        "c": "custom image /subscriptions/s/images/golden is not supported for automatic "
        "guest patching (S1)",
        "m": "unknown: image support was not checked (no image table given to the planner)",
    }
    assert plan["batches"] == []


def test_scale_sets_flexible_take_part_uniform_and_unset_are_unknown():
    flexible = vm("flex", kind="vmss", location="eastus", orchestration_mode="Flexible")
    uniform = vm("uni", kind="vmss", location="eastus", orchestration_mode="Uniform")
    unset = vm("unset", kind="vmss", location="eastus")
    reasons = excluded_reasons([flexible, uniform, unset])
    assert reasons == {
        "uni": "unknown: Uniform scale sets are not listed by S1 (preview feature, UNCONFIRMED)",
        "unset": "unknown: scale set orchestration mode is not set",
    }


def test_excluded_vms_are_listed_by_name():
    records = [vm("b", 1, patch_mode="Manual"), vm("a", 50, patch_mode="Manual")]
    plan = build_plan(records, PlanSettings(image_supported=supported)).to_dict()
    assert [item["vm"] for item in plan["excluded"]] == ["a", "b"]
