"""Schedule-patched VMs: grouped by maintenance configuration, not batched availability-first.

A VM with patchMode AutomaticByPlatform, ``bypassPlatformSafetyChecksOnUserSchedule: true`` and
a maintenance configuration assigned is patched by that schedule only (domain.md 8.2, S7). The
maintenance-configurations doc says a schedule "will initiate updates on all resources
associated with it simultaneously"; inside an availability set the update-domain rule still
applies (S7, scheduled patching). So a schedule group is one step for the VMs outside sets and
for update domain 0 of each set, then one step per further update domain.

The window is the configuration's own: its start time, duration and time zone, shown in local
time and in UTC on the plan's date (the configuration's start date unless a date is given).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from armlint.model import MaintenanceSchedule, Unknown, VmRecord
from armlint.planner.placement import SetKey, SetPlan, Unit
from armlint.planner.timezones import load_zone, windows_zone

_START = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})")
_DURATION = re.compile(r"^(\d{1,2}):(\d{2})$")


def schedule_of(record: VmRecord) -> MaintenanceSchedule | None:
    """The schedule that patches the VM, or None when it is not schedule-patched."""
    if record.value("bypass_platform_safety_checks") is not True:
        return None
    schedule = record.value("maintenance_schedule")
    return schedule if isinstance(schedule, MaintenanceSchedule) else None


@dataclass
class ScheduleBatch:
    number: int
    step: int  # 1-based: VMs of one step start together
    availability_set: str | None
    update_domain: int | None
    vms: list[str]
    records: list[VmRecord] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "batch": self.number,
            "step": self.step,
            "availability_set": self.availability_set,
            "update_domain": self.update_domain,
            "vms": list(self.vms),
        }


@dataclass
class ScheduleGroup:
    name: str
    schedule: MaintenanceSchedule
    window: dict
    batches: list[ScheduleBatch]

    def to_dict(self) -> dict:
        return {
            "schedule": self.name,
            "scope": _shown(self.schedule.scope),
            "recurrence": _shown(self.schedule.recurrence),
            "window": self.window,
            "batches": [batch.to_dict() for batch in self.batches],
        }


def schedule_groups(
    units: list[Unit],
    sets: dict[tuple[str, SetKey], SetPlan],
    first_number: int,
    on_date: date | None,
) -> list[ScheduleGroup]:
    """One group per maintenance configuration, in the order the configurations were met."""
    by_schedule: dict[tuple, list[Unit]] = {}
    for unit in units:
        schedule = schedule_of(unit.record)
        if schedule is not None:
            by_schedule.setdefault(_key(schedule), []).append(unit)
    groups = []
    number = first_number
    for members in by_schedule.values():
        schedule = schedule_of(members[0].record)
        assert schedule is not None  # grouped above by it
        batches = _batches(members, sets, number)
        number += len(batches)
        groups.append(
            ScheduleGroup(schedule.name, schedule, schedule_window(schedule, on_date), batches)
        )
    return groups


def _key(schedule: MaintenanceSchedule) -> tuple:
    where = schedule.location
    return (schedule.name.lower(), where.path if where else "", where.line if where else 0)


def _batches(
    members: list[Unit], sets: dict[tuple[str, SetKey], SetPlan], first: int
) -> list[ScheduleBatch]:
    """Every VM outside a set and update domain 0 of each set first, then domain by domain."""
    slots: dict[tuple[int, str | None, int | None], list[Unit]] = {}
    for unit in members:
        plan = sets.get((unit.region, unit.set_key)) if unit.set_key else None
        if plan is None or "availability set" in unit.doubts:
            slots.setdefault((1, None, None), []).append(unit)
            continue
        domain = plan.domain_of[id(unit.record)]
        slots.setdefault((domain + 1, plan.display, domain), []).append(unit)
    ordered = sorted(
        slots.items(), key=lambda item: (item[0][0], item[0][1] or "", item[0][2] or 0)
    )
    # steps counted within the group: a schedule whose VMs all sit in domain 1 starts with them
    dense = {step: rank for rank, step in enumerate(sorted({key[0] for key in slots}), 1)}
    ordered = [((dense[step], name, domain), units) for (step, name, domain), units in ordered]
    return [
        ScheduleBatch(
            first + position,
            step,
            set_display,
            domain,
            [unit.name for unit in units],
            [unit.record for unit in units],
        )
        for position, ((step, set_display, domain), units) in enumerate(ordered)
    ]


# --- the window -------------------------------------------------------------------------------


def schedule_window(schedule: MaintenanceSchedule, on_date: date | None) -> dict:
    """Local start-end in the configuration's time zone, and the same in UTC on the date."""
    start = _START.match(schedule.start) if isinstance(schedule.start, str) else None
    duration = _DURATION.match(schedule.duration) if isinstance(schedule.duration, str) else None
    zone_name = _iana(schedule.time_zone)
    window = {
        "start": _shown(schedule.start),
        "duration": _shown(schedule.duration),
        "time_zone": _shown(schedule.time_zone),
        "local": None,
        "utc": None,
        "date": None,
    }
    if start is None or duration is None:
        return window
    year, month, day_of_month, hour, minute = (int(part) for part in start.groups())
    begin = datetime(year, month, day_of_month, hour, minute)
    length = timedelta(hours=int(duration.group(1)), minutes=int(duration.group(2)))
    window["local"] = f"{begin:%H:%M}-{begin + length:%H:%M}"
    day = on_date or begin.date()
    local_begin = datetime.combine(day, begin.time())
    zone = load_zone(zone_name) if zone_name else None
    if zone is not None:
        utc_begin = local_begin.replace(tzinfo=zone).utcoffset()
        assert utc_begin is not None
        shifted = local_begin - utc_begin
        window["utc"] = f"{shifted:%H:%M}-{shifted + length:%H:%M}"
        window["date"] = day.isoformat()
    return window


def _iana(time_zone: Any) -> str | None:
    """A Windows time zone id through armlint's table, or an IANA name as written."""
    if not isinstance(time_zone, str) or not time_zone.strip():
        return None
    mapped = windows_zone(time_zone)
    if mapped is not None:
        return mapped[0]
    return time_zone.strip() if "/" in time_zone else None


def _shown(value: Any) -> str | None:
    if isinstance(value, Unknown):
        return f"unknown ({value.reason})"
    return None if value is None else str(value)
