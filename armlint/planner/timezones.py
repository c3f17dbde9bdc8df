"""Off-peak windows: which time zone a VM's "off-peak hours" are in, and that window in UTC.

S1 only says patches are applied "during off-peak hours for IaaS VMs in the VM's time zone" and
"during all hours for VMSS Flex". No source defines the hours, nor says whether the guest's
configured time zone or the region's local time counts (domain spec 5.2, UNCONFIRMED). The model:
a Windows VM with ``timeZone`` set uses that zone, every other VM its region's zone from
rules/data/regions.yaml, and the window is a configurable pair of local hours.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from typing import Any

from armlint.model import Unknown
from armlint.planner.regions import Region

# Windows time zone id -> (IANA zone, standard-time UTC offset). The IANA zone is the "001"
# (golden) zone of the Unicode CLDR windowsZones mapping; the offset is only used when the
# machine has no tzdata, and then daylight saving time is ignored. Keys are compared without case.
WINDOWS_ZONES: dict[str, tuple[str, str]] = {
    "utc": ("Etc/UTC", "+00:00"),
    "gmt standard time": ("Europe/London", "+00:00"),
    "greenwich standard time": ("Atlantic/Reykjavik", "+00:00"),
    "w. europe standard time": ("Europe/Berlin", "+01:00"),
    "central europe standard time": ("Europe/Budapest", "+01:00"),
    "central european standard time": ("Europe/Warsaw", "+01:00"),
    "romance standard time": ("Europe/Paris", "+01:00"),
    "w. central africa standard time": ("Africa/Lagos", "+01:00"),
    "gtb standard time": ("Europe/Bucharest", "+02:00"),
    "fle standard time": ("Europe/Kiev", "+02:00"),
    "e. europe standard time": ("Europe/Chisinau", "+02:00"),
    "egypt standard time": ("Africa/Cairo", "+02:00"),
    "israel standard time": ("Asia/Jerusalem", "+02:00"),
    "south africa standard time": ("Africa/Johannesburg", "+02:00"),
    "turkey standard time": ("Europe/Istanbul", "+03:00"),
    "russian standard time": ("Europe/Moscow", "+03:00"),
    "arab standard time": ("Asia/Riyadh", "+03:00"),
    "arabian standard time": ("Asia/Dubai", "+04:00"),
    "india standard time": ("Asia/Kolkata", "+05:30"),
    "se asia standard time": ("Asia/Bangkok", "+07:00"),
    "china standard time": ("Asia/Shanghai", "+08:00"),
    "singapore standard time": ("Asia/Singapore", "+08:00"),
    "taipei standard time": ("Asia/Taipei", "+08:00"),
    "w. australia standard time": ("Australia/Perth", "+08:00"),
    "tokyo standard time": ("Asia/Tokyo", "+09:00"),
    "korea standard time": ("Asia/Seoul", "+09:00"),
    "cen. australia standard time": ("Australia/Adelaide", "+09:30"),
    "e. australia standard time": ("Australia/Brisbane", "+10:00"),
    "aus eastern standard time": ("Australia/Sydney", "+10:00"),
    "new zealand standard time": ("Pacific/Auckland", "+12:00"),
    "e. south america standard time": ("America/Sao_Paulo", "-03:00"),
    "pacific sa standard time": ("America/Santiago", "-04:00"),
    "atlantic standard time": ("America/Halifax", "-04:00"),
    "eastern standard time": ("America/New_York", "-05:00"),
    "sa pacific standard time": ("America/Bogota", "-05:00"),
    "central standard time": ("America/Chicago", "-06:00"),
    "central standard time (mexico)": ("America/Mexico_City", "-06:00"),
    "canada central standard time": ("America/Regina", "-06:00"),
    "mountain standard time": ("America/Denver", "-07:00"),
    "us mountain standard time": ("America/Phoenix", "-07:00"),
    "pacific standard time": ("America/Los_Angeles", "-08:00"),
    "alaskan standard time": ("America/Anchorage", "-09:00"),
    "hawaiian standard time": ("Pacific/Honolulu", "-10:00"),
}

# Two instants at which the UTC offset is read, so that both sides of daylight saving time show
# (January and July cover both hemispheres). Fixed dates keep the output deterministic.
REFERENCE_INSTANTS = (
    datetime(2025, 1, 15, 12, tzinfo=timezone.utc),
    datetime(2025, 7, 15, 12, tzinfo=timezone.utc),
)

ALL_HOURS = "00:00-24:00"


@dataclass(frozen=True, slots=True)
class ZoneChoice:
    """The time zone a VM's off-peak window is read in, and why."""

    time_zone: str | None  # IANA name; None when nothing is known (unknown region)
    fallback_offset: str  # '+01:00', used without tzdata
    basis: str
    note: str = ""  # an assumption to surface in the plan, '' when none


def windows_zone(time_zone_id: str) -> tuple[str, str] | None:
    return WINDOWS_ZONES.get(time_zone_id.strip().lower())


def choose_zone(
    vm_name: str, time_zone: Any, region: Region | None, region_name: str
) -> ZoneChoice:
    """Windows ``timeZone`` when set and known, otherwise the region's zone from the table."""
    fallback = _region_choice(region, region_name)
    if time_zone is None:
        return fallback
    if isinstance(time_zone, Unknown):
        note = f"{vm_name}: time zone is unknown ({time_zone.reason}); the region's zone is used"
        return _with_note(fallback, note)
    mapped = windows_zone(str(time_zone))
    if mapped is None:
        note = (
            f"{vm_name}: Windows time zone {str(time_zone)!r} is not in armlint's table; "
            "the region's zone is used"
        )
        return _with_note(fallback, note)
    iana, offset = mapped
    return ZoneChoice(iana, offset, f"Windows time zone {str(time_zone)!r}")


def _region_choice(region: Region | None, region_name: str) -> ZoneChoice:
    if region is None:
        return ZoneChoice(None, "+00:00", f"region {region_name}: time zone unknown")
    return ZoneChoice(region.time_zone, region.utc_offset, f"region {region.name} (armlint table)")


def _with_note(choice: ZoneChoice, note: str) -> ZoneChoice:
    return ZoneChoice(choice.time_zone, choice.fallback_offset, choice.basis, note)


def parse_offset(text: str) -> timedelta:
    match = re.fullmatch(r"([+-])(\d\d):(\d\d)", text)
    if not match:
        raise ValueError(f"bad UTC offset {text!r}, expected +HH:MM")
    sign = -1 if match.group(1) == "-" else 1
    return sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3)))


def format_offset(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def load_zone(name: str) -> tzinfo | None:
    """The zoneinfo zone, or None when the machine has no tzdata for it."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def local_window(hours: tuple[int, int]) -> str:
    start, end = hours
    return f"{start:02d}:00-{end:02d}:00"


def utc_windows(
    choice: ZoneChoice, hours: tuple[int, int], on_date: date | None = None
) -> tuple[list[str], bool]:
    """The local window in UTC at each reference instant (deduplicated), or at noon UTC of
    ``on_date`` when given, and whether a fixed offset stood in for missing tzdata."""
    if choice.time_zone is None:
        return [], False
    zone = load_zone(choice.time_zone)
    instants: tuple[datetime, ...] = REFERENCE_INSTANTS
    if on_date is not None:
        instants = (datetime(on_date.year, on_date.month, on_date.day, 12, tzinfo=timezone.utc),)
    if zone is None:
        offsets = [parse_offset(choice.fallback_offset)]
    else:
        # An aware datetime always has an offset; the fallback only satisfies the type.
        offsets = [instant.astimezone(zone).utcoffset() or timedelta(0) for instant in instants]
    windows = []
    for offset in offsets:
        text = _shift_window(hours, offset)
        if text not in windows:
            windows.append(text)
    return windows, zone is None


def _shift_window(hours: tuple[int, int], offset: timedelta) -> str:
    start, end = (_to_utc(hour, offset) for hour in hours)
    return f"{start}-{end}"


def _to_utc(hour: int, offset: timedelta) -> str:
    minutes = (hour * 60 - int(offset.total_seconds() // 60)) % (24 * 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
