"""Batches inside a region: zones, availability sets and update domains, best effort, doubt."""

from __future__ import annotations

import pytest
from planner_fleet import batch_of, supported, vm

from armlint.model import Unknown
from armlint.planner import PlanError, PlanSettings, build_plan


def plan_dict(records, **options) -> dict:
    return build_plan(records, PlanSettings(image_supported=supported, **options)).to_dict()


def shape(plan: dict) -> list[tuple]:
    return [
        (b["zone"], b["availability_set"], b["update_domain"], b["vms"], b["uncertain"])
        for b in plan["batches"]
    ]


def set_members(count: int, set_id: str = "as-web", region: str = "westeurope"):
    return [
        vm("web", 10, group="web", index=i, location=region, availability_set=set_id)
        for i in range(count)
    ]


def test_zones_go_one_at_a_time_in_order_then_non_zonal():
    records = [
        vm("z3", 100, location="westeurope", zones=["3"]),
        vm("plain", 200, location="westeurope"),
        vm("z1", 300, location="westeurope", zones=["1"]),
        vm("z10", 400, location="westeurope", zones=["10"]),
        vm("z1b", 500, location="westeurope", zones=["1"]),
    ]
    assert shape(plan_dict(records)) == [
        ("1", None, None, ["z1", "z1b"], False),
        ("3", None, None, ["z3"], False),
        ("10", None, None, ["z10"], False),
        (None, None, None, ["plain"], False),
    ]


def test_small_set_goes_one_vm_at_a_time_per_update_domain():
    plan = plan_dict(set_members(7))
    assert shape(plan) == [
        (None, "as-web", 0, ["web[0]"], False),
        (None, "as-web", 0, ["web[5]"], False),
        (None, "as-web", 1, ["web[1]"], False),
        (None, "as-web", 1, ["web[6]"], False),
        (None, "as-web", 2, ["web[2]"], False),
        (None, "as-web", 3, ["web[3]"], False),
        (None, "as-web", 4, ["web[4]"], False),
    ]


def test_large_set_patches_at_most_20_percent_per_update_domain():
    plan = plan_dict(set_members(12), availability_set_update_domains={"as-web": 2})
    assert shape(plan) == [
        (None, "as-web", 0, ["web[0]", "web[2]"], False),
        (None, "as-web", 0, ["web[4]", "web[6]"], False),
        (None, "as-web", 0, ["web[8]", "web[10]"], False),
        (None, "as-web", 1, ["web[1]", "web[3]"], False),
        (None, "as-web", 1, ["web[5]", "web[7]"], False),
        (None, "as-web", 1, ["web[9]", "web[11]"], False),
    ]


def test_declared_set_size_counts_vms_outside_the_templates():
    plan = plan_dict(
        set_members(8),
        availability_set_update_domains={"as-web": 1},
        availability_set_sizes={"as-web": 30},
    )
    assert [len(b["vms"]) for b in plan["batches"]] == [6, 2]


def test_excluded_vms_still_hold_their_update_domain():
    records = set_members(3)
    records[0].facts["patch_mode"].value = "Manual"
    plan = plan_dict(records)
    assert [(b["update_domain"], b["vms"]) for b in plan["batches"]] == [
        (1, ["web[1]"]),
        (2, ["web[2]"]),
    ]


def test_set_settings_match_by_id_or_by_name_case_insensitively():
    set_id = (
        "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/availabilitySets/AS-Web"
    )
    plan = plan_dict(set_members(4, set_id), availability_set_update_domains={"as-web": 1})
    assert {b["update_domain"] for b in plan["batches"]} == {0}
    assert not any("platformUpdateDomainCount not given" in a for a in plan["assumptions"])


def test_default_update_domain_count_is_an_assumption():
    plan = plan_dict(set_members(2))
    assert (
        "availability set as-web: platformUpdateDomainCount not given, 5 assumed"
        in plan["assumptions"]
    )


def test_best_effort_batches_have_the_configured_size():
    records = [vm(f"vm{i}", 10 * i + 10, location="eastus") for i in range(7)]
    plan = plan_dict(records, best_effort_batch_size=3)
    assert [b["vms"] for b in plan["batches"]] == [
        ["vm0", "vm1", "vm2"],
        ["vm3", "vm4", "vm5"],
        ["vm6"],
    ]


def test_unknown_region_zone_and_set_make_uncertain_batches():
    records = [
        vm("where", 10, location=Unknown("resourceGroup().location")),
        vm("zone", 50, location="eastus", zones=Unknown("parameters('zones')")),
        vm("zone2", 90, location="eastus", zones=[Unknown("parameters('zone')")]),
        vm("set", 130, location="eastus", availability_set=Unknown("parameters('set')")),
        vm("fine", 170, location="eastus"),
    ]
    plan = plan_dict(records)
    assert batch_of(plan, "where")["region"] == "unknown"
    assert batch_of(plan, "where")["uncertain"] is True
    assert batch_of(plan, "zone")["zone"] == "unknown"
    assert batch_of(plan, "zone")["vms"] == ["zone", "zone2"]
    assert batch_of(plan, "set")["availability_set"] == "unknown"
    assert batch_of(plan, "set")["uncertain"] is True
    assert batch_of(plan, "fine")["uncertain"] is False
    assert plan["phases"][-1] == {"phase": 2, "regions": ["unknown"]}


def test_scale_set_over_several_zones_is_one_unit_per_zone():
    scale_set = vm(
        "ss", kind="vmss", location="eastus", zones=["2", "1"], orchestration_mode="Flexible"
    )
    plan = plan_dict([scale_set])
    assert [(b["zone"], b["vms"]) for b in plan["batches"]] == [
        ("1", ["ss (zone 1)"]),
        ("2", ["ss (zone 2)"]),
    ]


def test_names_get_the_loop_index_only_when_not_distinct():
    records = [
        vm("web-0", 10, group="web", index=0, location="eastus"),
        vm("web-1", 10, group="web", index=1, location="eastus"),
        vm("db", 50, group="db", index=0, location="eastus"),
        vm("db", 50, group="db", index=1, location="eastus"),
        vm("dup", 90, location="eastus", path="a.json"),
        vm("dup", 90, location="eastus", path="b.json"),
    ]
    names = plan_dict(records)["batches"][0]["vms"]
    assert names == ["dup (a.json)", "dup (b.json)", "web-0", "web-1", "db[0]", "db[1]"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"best_effort_batch_size": 0}, "best_effort_batch_size must be at least 1"),
        ({"off_peak_window": (5, 5)}, "off_peak_window (5, 5) must be two different hours"),
        ({"update_domain_count_default": 21}, "update domain count of (default) must be 1..20"),
        ({"availability_set_update_domains": {"as": 0}}, "update domain count of as must be"),
    ],
)
def test_invalid_settings_are_errors(options, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan_dict([vm("a", location="eastus")], **options)
