"""Transitions inside a Terraform plan: records carry before and actions.

The records are made by hand, in the shape armlint.terraform.load_plan documents, so these
tests do not depend on the plan loader.
"""

from __future__ import annotations

from transition_helpers import FIXTURES, default_fact, fact, record

from armlint.checks.transition_rules import plan_transition_findings
from armlint.model import SOURCE_UNKNOWN, Fact, Location, Unknown

WINDOWS = "azurerm_windows_virtual_machine"


def _plan_pair(before: dict, after: dict, actions, replace_paths=None, kind="vm"):
    common = {"fmt": "plan", "path": "plan.json", "name": "app1", "kind": kind}
    common |= {"address": f"{WINDOWS}.app", "resource_type": WINDOWS}
    old = record(**common, **before) if before is not None else None
    new = record(**common, **after)
    new.before = old
    new.actions = actions
    if replace_paths is not None:
        new.replace_paths = replace_paths
    return new


def test_update_is_checked_like_a_template_pair():
    plan = _plan_pair(
        {"os": "Windows", "patch_mode": "Manual", "enable_automatic_updates": False},
        {"os": "Windows", "patch_mode": "AutomaticByOS", "enable_automatic_updates": False},
        ["update"],
    )
    [finding] = plan_transition_findings([plan], "current")
    assert (finding.rule, finding.location) == ("AZP402", plan.facts["patch_mode"].location)
    assert finding.message == (
        "patchMode changes from 'Manual' to 'AutomaticByOS' (was 'Manual' in the state the plan"
        " starts from); Azure does not support switching between AutomaticByOS and Manual"
    )
    assert finding.resource == f"{WINDOWS}.app"


def test_update_of_the_flag_says_terraform_replaces_the_vm():
    plan = _plan_pair(
        {"os": "Windows", "enable_automatic_updates": default_fact(True)},
        {"os": "Windows", "enable_automatic_updates": False},
        ["update"],
    )
    [finding] = plan_transition_findings([plan], "current")
    assert finding.rule == "AZP401"
    assert finding.message == (
        "enableAutomaticUpdates changes from true (platform default) to false (was true, the"
        " platform default, in the state the plan starts from); it can only be set when the VM"
        " is created, so Terraform replaces the VM (ForceNew)"
    )


def test_replace_reports_the_recreation_not_the_mode_switch():
    plan = _plan_pair(
        {"os": "Windows", "patch_mode": "Manual", "provision_vm_agent": True},
        {"os": "Windows", "patch_mode": "AutomaticByOS", "provision_vm_agent": False},
        ["delete", "create"],
        replace_paths=[["provision_vm_agent"], ["os_disk", 0, "name"]],
    )
    findings = plan_transition_findings([plan], "current")
    assert [(f.rule, f.severity) for f in findings] == [
        ("AZP404", "warning"),
        ("AZP404", "warning"),
    ]
    by_line = {f.location.line: f.message for f in findings}
    patch_line = plan.facts["patch_mode"].location.line
    agent_line = plan.facts["provision_vm_agent"].location.line
    assert by_line[agent_line] == (
        "provisionVMAgent changes from true to false (was true in the state the plan starts"
        " from); the plan replaces the VM: it will be destroyed and recreated"
    )
    assert by_line[patch_line] == (
        "the plan replaces the VM (forced by provision_vm_agent, os_disk[0].name), so it will be"
        " destroyed and recreated with changed patch settings: patchMode changes from 'Manual' to"
        " 'AutomaticByOS' (was 'Manual' in the state the plan starts from)"
    )
    assert len({f.fingerprint for f in findings}) == 2


def test_create_before_destroy_is_a_replacement_too():
    plan = _plan_pair(
        {"os": "Windows", "enable_automatic_updates": True},
        {"os": "Windows", "enable_automatic_updates": False},
        ["create", "delete"],
    )
    [finding] = plan_transition_findings([plan], "current")
    assert finding.rule == "AZP401"
    assert finding.message == (
        "enableAutomaticUpdates changes from true to false (was true in the state the plan starts"
        " from); the plan replaces the VM: it will be destroyed and recreated"
    )


def test_replacement_without_patch_changes_is_not_reported():
    plan = _plan_pair(
        {"os": "Windows", "patch_mode": "Manual", "image_sku": "2019-datacenter"},
        {"os": "Windows", "patch_mode": "Manual", "image_sku": "2022-datacenter"},
        ["delete", "create"],
    )
    assert plan_transition_findings([plan], "current") == []


def test_created_resources_and_no_ops_have_no_findings():
    created = _plan_pair(None, {"os": "Windows", "patch_mode": "Manual"}, ["create"])
    unchanged = _plan_pair(
        {"os": "Windows", "patch_mode": "Manual"},
        {"os": "Windows", "patch_mode": "AutomaticByOS"},
        ["no-op"],
    )
    assert plan_transition_findings([created, unchanged], "current") == []


def test_known_after_apply_gives_azp002():
    later = Fact(
        Unknown("patch_mode is known after apply"), Location("plan.json", 40, 3), SOURCE_UNKNOWN
    )
    plan = _plan_pair(
        {"os": "Windows", "patch_mode": "Manual"},
        {"os": "Windows", "patch_mode": later},
        ["update"],
    )
    [finding] = plan_transition_findings([plan], "current")
    assert (finding.rule, finding.location.line) == ("AZP002", 40)
    assert finding.message == (
        "patchMode is unknown in the new version: patch_mode is known after apply;"
        " not checked: AZP402, AZP403"
    )


def test_preview_profile_applies_to_plans():
    plan = _plan_pair(
        {
            "os": "Windows",
            "patch_mode": "AutomaticByPlatform",
            "enable_automatic_updates": fact(True),
        },
        {"os": "Windows", "patch_mode": "AutomaticByOS", "enable_automatic_updates": fact(True)},
        ["update"],
    )
    assert plan_transition_findings([plan], "current") == []
    [finding] = plan_transition_findings([plan], "preview-2020")
    assert finding.rule == "AZP403"
    assert finding.message == (
        "patchMode changes from 'AutomaticByPlatform' to 'AutomaticByOS' (was"
        " 'AutomaticByPlatform' in the state the plan starts from); the 2020 preview only"
        " supports switching from AutomaticByOS to AutomaticByPlatform"
    )


def test_a_real_plan_file_through_the_terraform_plan_loader():
    import armlint.terraform

    loaded = armlint.terraform.load_plan(FIXTURES / "plan" / "replace.json")
    findings = plan_transition_findings(loaded.records, "current")
    got = [(f.rule, f.resource.rsplit(".", 1)[-1], f.location.line) for f in findings]
    # app: replaced (forced by automatic_updates_enabled), mode changes too; web: updated in
    # place from Manual to AutomaticByOS.
    assert got == [("AZP401", "app", 31), ("AZP404", "app", 33), ("AZP402", "web", 73)]
    assert findings[1].message.startswith(
        "the plan replaces the VM (forced by automatic_updates_enabled), so it will be destroyed"
    )
    assert all(f.location.path.endswith("replace.json") for f in findings)
