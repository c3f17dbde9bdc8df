"""Properties of build_plan over generated fleets: the availability-first constraints hold for
every fleet, every participant is batched once, and the output is deterministic."""

from __future__ import annotations

import itertools
import json
import random
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from planner_fleet import supported, vm

from armlint.model import Unknown, VmRecord
from armlint.planner import PlanSettings, build_plan, load_region_table
from tests.schema_check import validate

# Paired chains and stars (symmetric and asymmetric), sovereign pairs and unpaired regions.
REGIONS = [
    "eastus",
    "westus",
    "westus3",
    "brazilsouth",
    "brazilsoutheast",
    "southcentralus",
    "northcentralus",
    "westeurope",
    "northeurope",
    "southindia",
    "westindia",
    "centralindia",
    "swedencentral",
    "swedensouth",
    "austriaeast",
    "usgovtexas",
    "usgovvirginia",
    "usgovarizona",
]


@dataclass
class Fleet:
    records: list[VmRecord] = field(default_factory=list)
    participants: set[str] = field(default_factory=set)
    zone_of: dict[str, str | None] = field(default_factory=dict)
    set_of: dict[str, str] = field(default_factory=dict)
    set_members: dict[str, list[str]] = field(default_factory=dict)  # creation order
    update_domains: dict[str, int] = field(default_factory=dict)


participation = st.sampled_from(
    ["yes"] * 6 + ["manual", "bypass", "no-agent", "unknown-mode", "unknown-agent"]
)

PARTICIPATION_FACTS = {
    "yes": {},
    "manual": {"patch_mode": "ImageDefault"},
    "bypass": {"bypass_platform_safety_checks": True},
    "no-agent": {"provision_vm_agent": False},
    "unknown-mode": {"patch_mode": Unknown("parameters('mode')")},
    "unknown-agent": {"provision_vm_agent": Unknown("parameters('agent')")},
}

zonal = st.tuples(
    st.just("zonal"),
    st.sampled_from(REGIONS),
    st.sampled_from(["1", "2", "3"]),
    st.lists(participation, min_size=1, max_size=4),
)
in_set = st.tuples(
    st.just("set"),
    st.sampled_from(REGIONS),
    st.sampled_from([None, 1, 2, 3, 5, 20]),
    st.lists(participation, min_size=1, max_size=25),
)
plain = st.tuples(
    st.just("plain"),
    st.sampled_from(REGIONS),
    st.just(None),
    st.lists(participation, min_size=1, max_size=15),
)
fleet_specs = st.lists(st.one_of(zonal, in_set, plain), min_size=1, max_size=8)


def build_fleet(specs) -> Fleet:
    fleet = Fleet()
    counter = itertools.count()
    for spec_number, (shape, region, extra, statuses) in enumerate(specs):
        set_id = f"as-{spec_number}" if shape == "set" else None
        if set_id and extra is not None:
            fleet.update_domains[set_id] = extra
        for status in statuses:
            number = next(counter)
            name = f"vm{number:03d}"
            zone = extra if shape == "zonal" else None
            facts = {"location": region, **PARTICIPATION_FACTS[status]}
            if zone:
                facts["zones"] = [zone]
            if set_id:
                facts["availability_set"] = set_id
                fleet.set_of[name] = set_id
                fleet.set_members.setdefault(set_id, []).append(name)
            fleet.records.append(vm(name, line=100 * (number + 1), **facts))
            fleet.zone_of[name] = zone
            if status == "yes":
                fleet.participants.add(name)
    return fleet


def plan_for(fleet: Fleet, batch_size: int) -> dict:
    options = PlanSettings(
        best_effort_batch_size=batch_size,
        availability_set_update_domains=dict(fleet.update_domains),
        image_supported=supported,
    )
    return build_plan(fleet.records, options).to_dict()


common = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
batch_sizes = st.integers(min_value=1, max_value=12)


@common
@given(fleet_specs, batch_sizes)
def test_paired_regions_never_share_a_phase(specs, batch_size):
    table = load_region_table()
    plan = plan_for(build_fleet(specs), batch_size)
    for phase in plan["phases"]:
        for first, second in itertools.combinations(phase["regions"], 2):
            assert not table.paired(first, second), (phase, first, second)


@common
@given(fleet_specs, batch_sizes)
def test_batches_follow_phases_and_regions(specs, batch_size):
    plan = plan_for(build_fleet(specs), batch_size)
    region_phase = {r: p["phase"] for p in plan["phases"] for r in p["regions"]}
    assert [b["batch"] for b in plan["batches"]] == list(range(1, len(plan["batches"]) + 1))
    phases = [b["phase"] for b in plan["batches"]]
    assert phases == sorted(phases)
    for batch in plan["batches"]:
        assert region_phase[batch["region"]] == batch["phase"]


@common
@given(fleet_specs, batch_sizes)
def test_two_zones_never_share_a_batch(specs, batch_size):
    fleet = build_fleet(specs)
    for batch in plan_for(fleet, batch_size)["batches"]:
        zones = {fleet.zone_of[name] for name in batch["vms"]}
        assert zones == {batch["zone"]}


@common
@given(fleet_specs, batch_sizes)
def test_update_domains_of_a_set_never_share_a_batch(specs, batch_size):
    fleet = build_fleet(specs)
    for batch in plan_for(fleet, batch_size)["batches"]:
        sets = {fleet.set_of.get(name) for name in batch["vms"]}
        assert sets == {batch["availability_set"]}
        if batch["availability_set"] is None:
            assert batch["update_domain"] is None
            continue
        domains = {expected_domain(fleet, name) for name in batch["vms"]}
        assert domains == {batch["update_domain"]}


def expected_domain(fleet: Fleet, name: str) -> int:
    """S11 round robin over every VM of the set, participating or not, in creation order."""
    set_id = fleet.set_of[name]
    count = fleet.update_domains.get(set_id, 5)
    return fleet.set_members[set_id].index(name) % count


@common
@given(fleet_specs, batch_sizes)
def test_per_set_limits_hold(specs, batch_size):
    fleet = build_fleet(specs)
    for batch in plan_for(fleet, batch_size)["batches"]:
        set_id = batch["availability_set"]
        if set_id is None:
            assert len(batch["vms"]) <= batch_size
            continue
        size = len(fleet.set_members[set_id])
        limit = 1 if size < 10 else size // 5
        assert len(batch["vms"]) <= limit
        assert len(batch["vms"]) <= max(1, 0.2 * size)


@common
@given(fleet_specs, batch_sizes)
def test_every_participant_is_in_exactly_one_batch(specs, batch_size):
    fleet = build_fleet(specs)
    plan = plan_for(fleet, batch_size)
    batched = Counter(name for batch in plan["batches"] for name in batch["vms"])
    assert set(batched) == fleet.participants
    assert all(count == 1 for count in batched.values())
    excluded = {item["vm"] for item in plan["excluded"]}
    assert excluded == {record.name for record in fleet.records} - fleet.participants


@common
@given(fleet_specs, batch_sizes, st.randoms(use_true_random=False))
def test_output_is_deterministic_and_order_independent(specs, batch_size, rnd: random.Random):
    fleet = build_fleet(specs)
    first = plan_for(fleet, batch_size)
    assert plan_for(fleet, batch_size) == first
    rnd.shuffle(fleet.records)
    shuffled = plan_for(fleet, batch_size)
    assert json.dumps(shuffled, sort_keys=True) == json.dumps(first, sort_keys=True)


@settings(max_examples=25, deadline=None)
@given(fleet_specs, batch_sizes)
def test_generated_plans_match_the_schema(specs, batch_size):
    validate(plan_for(build_fleet(specs), batch_size), "plan.schema.json")
