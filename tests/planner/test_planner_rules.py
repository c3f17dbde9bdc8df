"""AZP501-AZP503: what the batching says about the redundancy the templates meant."""

from __future__ import annotations

from planner_fleet import supported, vm

from armlint.checks.pack import load_pack
from armlint.model import Finding, Location
from armlint.planner import PlanSettings, build_plan, plan_findings
from armlint.run.findings import select
from armlint.run.options import RunOptions


def findings_for(records, **options) -> list[Finding]:
    plan = build_plan(records, PlanSettings(image_supported=supported, **options))
    # Named and graded by the rule pack on the findings path, as every command's findings are.
    findings, _ = select(plan_findings(plan, records), RunOptions(), load_pack())
    return findings


def test_plan_findings_carry_no_copy_of_the_rule_names():
    records = [vm("web", 10, group="web", index=i, location="eastus") for i in range(3)]
    plan = build_plan(records, PlanSettings(image_supported=supported))
    [finding] = plan_findings(plan, records)
    assert (finding.rule, finding.name, finding.severity) == ("AZP501", "", "")


def loop(count: int, line: int = 10, **facts):
    return [vm("web", line, group="web", index=i, **facts) for i in range(count)]


def test_azp501_loop_instances_in_one_best_effort_batch():
    records = loop(3, location="eastus")
    [finding] = findings_for(records)
    assert (finding.rule, finding.name, finding.severity) == (
        "AZP501",
        "redundancy-group-same-batch",
        "warning",
    )
    assert finding.message == (
        "all 3 VMs of redundancy group loop web (web[0], web[1], web[2]) would be patched in "
        "the same batch 1; spread them over availability zones or an availability set so the "
        "platform patches them apart"
    )
    assert finding.location == Location("fleet.json", 10, 5)
    assert finding.resource == "Microsoft.Compute/virtualMachines/web[0]"
    assert finding.fingerprint


def test_azp501_not_when_zones_or_batches_split_the_group():
    zonal = [
        vm("web", 10, group="web", index=i, location="eastus", zones=[str(i + 1)]) for i in range(3)
    ]
    assert findings_for(zonal) == []
    assert findings_for(loop(3, location="eastus"), best_effort_batch_size=2) == []


def test_azp501_name_prefix_groups():
    records = [vm("sql-a", 10, location="eastus"), vm("sql-b", 40, location="eastus")]
    assert findings_for(records) == []
    [finding] = findings_for(records, redundancy_prefixes=["sql-"])
    assert finding.rule == "AZP501"
    assert "redundancy group name prefix 'sql-' (sql-a, sql-b)" in finding.message


def test_azp501_single_instance_loop_is_not_a_group():
    assert findings_for(loop(1, location="eastus")) == []


def test_azp502_set_with_one_update_domain():
    records = loop(3, location="eastus", availability_set="as-web")
    [finding] = findings_for(records, availability_set_update_domains={"as-web": 1})
    assert (finding.rule, finding.name, finding.severity) == (
        "AZP502",
        "single-update-domain",
        "warning",
    )
    assert "platformUpdateDomainCount 1" in finding.message
    assert finding.location == records[0].fact("availability_set").location


def test_azp502_auto_patched_set_with_a_single_vm():
    record = vm("lonely", location="eastus", availability_set="as-1")
    [finding] = findings_for([record])
    assert finding.rule == "AZP502"
    assert finding.message == (
        "availability set as-1 holds a single auto-patched VM: nothing else serves while the "
        "platform patches and reboots it"
    )


def test_azp502_not_for_sets_that_are_not_auto_patched_or_have_several_vms():
    manual = vm("lonely", location="eastus", availability_set="as-1", patch_mode="Manual")
    assert findings_for([manual]) == []
    assert findings_for(loop(2, location="eastus", availability_set="as-2")) == []
    declared = vm("one", location="eastus", availability_set="as-3")
    assert findings_for([declared], availability_set_sizes={"as-3": 4}) == []


def test_azp503_excluded_sibling_points_at_the_deciding_fact():
    records = [
        vm("web", 10, group="web", index=i, location="eastus", zones=[str(i + 1)]) for i in range(3)
    ]
    records[2].facts["patch_mode"].value = "Manual"
    [finding] = findings_for(records)
    assert (finding.rule, finding.name, finding.severity) == (
        "AZP503",
        "excluded-from-platform-patching",
        "info",
    )
    assert finding.message == (
        "web[2] is not patched by the platform although 2 other VM(s) of redundancy group "
        "loop web are: patch mode is 'Manual', not AutomaticByPlatform"
    )
    assert finding.location == records[2].fact("patch_mode").location
    assert finding.resource == "Microsoft.Compute/virtualMachines/web[2]"


def test_azp503_not_when_no_sibling_takes_part():
    assert findings_for(loop(2, location="eastus", patch_mode="Manual")) == []


def test_azp503_with_an_unknown_reason_and_no_azp501_when_a_member_stays_out():
    from armlint.model import Unknown

    records = loop(3, location="eastus")
    records[0].facts["provision_vm_agent"].value = Unknown("parameters('agent')")
    findings = findings_for(records)
    assert [f.rule for f in findings] == ["AZP503"]
    assert findings[0].message == (
        "web[0] is not patched by the platform although 2 other VM(s) of redundancy group loop"
        " web are: unknown: provisionVMAgent (parameters('agent'))"
    )


def test_findings_are_sorted_and_stable():
    records = [
        *loop(2, location="eastus"),
        vm("lonely", 100, location="westus", availability_set="as-1"),
    ]
    first = findings_for(records)
    second = findings_for(list(reversed(records)))
    assert [(f.rule, f.message, f.fingerprint) for f in first] == [
        (f.rule, f.message, f.fingerprint) for f in second
    ]
    assert [f.rule for f in first] == ["AZP501", "AZP502"]


def test_plan_texts_come_from_the_rule_files(monkeypatch):
    """AZP501 and AZP502 render their rule files' templates (rules/AZP501.yaml message,
    rules/AZP502.yaml messages.one_vm), like the record rules."""
    rules = load_pack().rules
    monkeypatch.setattr(rules["AZP501"], "message", "edited: {count} in {group}")
    monkeypatch.setitem(rules["AZP502"].messages, "one_vm", "edited: set {set}")
    [same_batch] = findings_for(loop(3, location="eastus"))
    assert same_batch.message == "edited: 3 in loop web"
    [single] = findings_for([vm("lonely", location="eastus", availability_set="as-1")])
    assert single.message == "edited: set as-1"
