"""The region table and the phase model."""

from __future__ import annotations

import itertools

import pytest
from planner_fleet import supported, vm

from armlint.planner import PlanError, PlanSettings, build_plan, load_region_table
from armlint.planner.regions import assign_phases, normalise_region, override_errors


@pytest.fixture(scope="module")
def table():
    return load_region_table()


def test_table_holds_every_s8_row_the_unlisted_pair_and_the_sovereign_regions(table):
    assert len(table.regions) == 56 + 1 + 11
    west_europe = table.regions["westeurope"]
    assert west_europe.display_name == "West Europe"
    assert west_europe.pair == "northeurope"
    assert west_europe.availability_zones is True
    assert west_europe.geography == "Europe"
    assert table.regions["swedensouth"].pair == "swedencentral"


def test_every_region_has_a_time_zone_and_a_fallback_offset(table):
    from armlint.planner.timezones import load_zone, parse_offset

    for region in table.regions.values():
        parse_offset(region.utc_offset)
        assert load_zone(region.time_zone) is not None, region.name


def test_asymmetric_pairs_are_edges_in_both_directions(table):
    assert table.neighbours("eastus") == {"westus", "westus3"}
    assert table.neighbours("westus3") == {"eastus"}
    assert table.neighbours("southindia") == {"centralindia", "westindia"}
    assert table.neighbours("southcentralus") == {"northcentralus", "brazilsouth"}
    assert table.paired("brazilsouth", "southcentralus")
    assert table.paired("southcentralus", "brazilsouth")


def test_sovereign_pairs_are_edges(table):
    assert table.neighbours("usgovtexas") == {"usgovarizona", "usgovvirginia"}
    assert table.paired("chinanorth3", "chinaeast3")


def test_all_regions_colour_without_a_pair_in_one_phase(table):
    phases = assign_phases(set(table.regions), table)
    for first, second in itertools.combinations(table.regions, 2):
        if table.paired(first, second):
            assert phases[first] != phases[second]
    assert max(phases.values()) == 2  # the pair graph is a forest


def test_colouring_is_welsh_powell_most_edges_first(table):
    phases = assign_phases({"eastus", "westus", "westus3", "westeurope", "northeurope"}, table)
    assert phases == {
        "eastus": 1,
        "northeurope": 1,
        "westeurope": 2,
        "westus": 2,
        "westus3": 2,
    }


def test_overrides_are_kept_and_the_rest_avoids_them(table):
    phases = assign_phases({"eastus", "westus", "westus3"}, table, {"East US": 2})
    assert phases == {"eastus": 2, "westus": 1, "westus3": 1}


def test_override_putting_a_pair_together_is_an_error(table):
    errors = override_errors({"westus3": 1, "eastus": 1}, table)
    assert errors == [
        "phase override puts paired regions eastus and westus3 in the same phase 1; "
        "geo-paired regions can't be in the same regional phase (S1)"
    ]
    with pytest.raises(PlanError, match="eastus and westus3"):
        build_plan(
            [vm("a", location="eastus")],
            PlanSettings(phase_overrides={"westus3": 1, "eastus": 1}, image_supported=supported),
        )


def test_override_must_be_a_positive_integer(table):
    assert override_errors({"eastus": 0}, table) == [
        "phase override for eastus must be a positive integer, not 0"
    ]
    assert override_errors({"eastus": "1"}, table)


def test_regions_outside_the_table_get_their_own_phase_and_unknown_comes_last(table):
    phases = assign_phases({"eastus", "jioindiawest", "unknown", "atlantis"}, table)
    assert phases == {"eastus": 1, "atlantis": 2, "jioindiawest": 3, "unknown": 4}


def test_region_names_are_normalised_like_the_azurerm_provider():
    assert normalise_region("West Europe") == "westeurope"
    plan = build_plan(
        [vm("a", location="West Europe")], PlanSettings(image_supported=supported)
    ).to_dict()
    assert plan["phases"] == [{"phase": 1, "regions": ["westeurope"]}]


def test_region_outside_the_table_is_uncertain_with_an_assumption():
    plan = build_plan(
        [vm("a", location="jioindiawest")], PlanSettings(image_supported=supported)
    ).to_dict()
    assert plan["batches"][0]["uncertain"] is True
    assert (
        "region jioindiawest is not in armlint's table: its pair is unknown" in plan["assumptions"]
    )
