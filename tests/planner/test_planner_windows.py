"""Off-peak windows: time zone basis, UTC conversion, Flexible scale sets, missing tzdata."""

from __future__ import annotations

import zoneinfo

from planner_fleet import supported, vm

from armlint.model import Unknown
from armlint.planner import PlanSettings, build_plan


def window_of(record, **options) -> dict:
    plan = build_plan([record], PlanSettings(image_supported=supported, **options)).to_dict()
    return plan["batches"][0]["window"]


def only_entry(window: dict) -> dict:
    [entry] = window["by_time_zone"]
    return entry


def test_region_time_zone_with_both_sides_of_daylight_saving():
    entry = only_entry(window_of(vm("a", location="westeurope")))
    assert entry == {
        "time_zone": "Europe/Amsterdam",
        "basis": "region westeurope (armlint table)",
        "local": "22:00-06:00",
        "utc": ["21:00-05:00", "20:00-04:00"],
        "any_hour": False,
        "fixed_offset": False,
        "vms": ["a"],
    }


def test_half_hour_offsets_and_a_custom_window():
    entry = only_entry(window_of(vm("a", location="centralindia"), off_peak_window=(1, 5)))
    assert entry["local"] == "01:00-05:00"
    assert entry["utc"] == ["19:30-23:30"]


def test_windows_time_zone_wins_over_the_region():
    record = vm("a", location="westeurope", os="Windows", time_zone="Pacific Standard Time")
    entry = only_entry(window_of(record))
    assert entry["time_zone"] == "America/Los_Angeles"
    assert entry["basis"] == "Windows time zone 'Pacific Standard Time'"
    assert entry["utc"] == ["06:00-14:00", "05:00-13:00"]


def test_windows_utc_zone():
    entry = only_entry(window_of(vm("a", location="eastus", time_zone="UTC")))
    assert entry["time_zone"] == "Etc/UTC"
    assert entry["utc"] == ["22:00-06:00"]


def test_unknown_windows_zone_id_falls_back_to_the_region_with_a_note():
    record = vm("a", location="uksouth", time_zone="Mars Standard Time")
    plan = build_plan([record], PlanSettings(image_supported=supported)).to_dict()
    entry = only_entry(plan["batches"][0]["window"])
    assert entry["time_zone"] == "Europe/London"
    assert (
        "a: Windows time zone 'Mars Standard Time' is not in armlint's table; the region's "
        "zone is used" in plan["assumptions"]
    )


def test_unknown_time_zone_value_falls_back_to_the_region_with_a_note():
    record = vm("a", location="uksouth", time_zone=Unknown("parameters('tz')"))
    plan = build_plan([record], PlanSettings(image_supported=supported)).to_dict()
    assert only_entry(plan["batches"][0]["window"])["time_zone"] == "Europe/London"
    assert any("time zone is unknown" in item for item in plan["assumptions"])


def test_flexible_scale_sets_are_patched_at_any_hour():
    flexible = vm("flex", kind="vmss", location="eastus", orchestration_mode="Flexible")
    plain = vm("plain", 50, location="eastus")
    plan = build_plan([flexible, plain], PlanSettings(image_supported=supported)).to_dict()
    window = plan["batches"][0]["window"]
    assert window["any_hour"] is False  # the plain VM still waits for off-peak hours
    flex_entry = next(e for e in window["by_time_zone"] if e["vms"] == ["flex"])
    assert flex_entry["any_hour"] is True
    assert flex_entry["local"] == "00:00-24:00"
    assert window_of(flexible)["any_hour"] is True


def test_unknown_region_has_no_utc_window():
    entry = only_entry(window_of(vm("a", location=Unknown("x"))))
    assert entry["time_zone"] is None
    assert entry["utc"] == []


def test_missing_tzdata_falls_back_to_the_fixed_offset(monkeypatch):
    def no_tzdata(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    monkeypatch.setattr(zoneinfo, "ZoneInfo", no_tzdata)
    record = vm("a", location="westeurope")
    plan = build_plan([record], PlanSettings(image_supported=supported)).to_dict()
    entry = only_entry(plan["batches"][0]["window"])
    assert entry["utc"] == ["21:00-05:00"]
    assert entry["fixed_offset"] is True
    assert (
        "tzdata has no Europe/Amsterdam: fixed offset +01:00 used, daylight saving ignored"
        in plan["assumptions"]
    )
