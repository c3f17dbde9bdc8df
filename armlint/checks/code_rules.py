"""The few rules that a condition on the facts view cannot express.

Each needs something a condition cannot see: whether a property is written at all (defaults do
not count) or one finding per offending property. A rule file names its function with
``check: azpNNN``; the engine looks it up in ``CODE_RULES``. Each function takes
``(record, view, profile, tables)`` and yields ``Hit`` (report, pointing at a fact) or
``Blocked`` (an unknown fact keeps it from deciding; reported as AZP002).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

from armlint.checks.hits import Blocked, Hit
from armlint.checks.tables import (
    OS_NAMES,
    Tables,
    api_version_key,
    in_version_range,
    listed_api_version_key,
    provider_version_key,
)
from armlint.model import (
    SOURCE_DEFAULT,
    SOURCE_MAYBE_SET,
    Fact,
    MaintenanceSchedule,
    VmRecord,
    is_unknown,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

Result = Iterator[Hit | Blocked]

# Patch properties by fact name, in the order findings are reported.
PATCH_PROPERTIES = {
    "patch_mode": "patchMode",
    "enable_hotpatching": "enableHotpatching",
    "assessment_mode": "assessmentMode",
    "reboot_setting": "rebootSetting",
    "bypass_platform_safety_checks": "bypassPlatformSafetyChecksOnUserSchedule",
}

_ENUM_FACTS = {"assessment_mode": "assessmentMode", "reboot_setting": "rebootSetting"}

# Boolean patch settings by fact name; a string such as "true" is kept by the formats as written.
_BOOLEAN_FACTS = {
    "enable_automatic_updates": "enableAutomaticUpdates",
    "provision_vm_agent": "provisionVMAgent",
    "enable_hotpatching": "enableHotpatching",
    "bypass_platform_safety_checks": "bypassPlatformSafetyChecksOnUserSchedule",
}


def _written(record: VmRecord, name: str) -> Fact | None:
    """The fact when the template writes the property; None for defaults and absent ones."""
    fact = record.facts.get(name)
    return fact if fact is not None and fact.present else None


def _maybe_written(record: VmRecord, name: str) -> bool:
    fact = record.facts.get(name)
    return fact is not None and fact.source == SOURCE_MAYBE_SET


def _render(value: Any) -> str:
    """A value as a message shows it: 'Manual', true, 3, unknown."""
    if is_unknown(value):
        return "unknown"
    if isinstance(value, str):
        return f"'{value}'"
    # default=str: a container may hold values JSON cannot write (an Unknown inside a list).
    return json.dumps(value, default=str)


def _quoted_list(values: tuple) -> str:
    return ", ".join(_render(v) for v in values)


def _known_os(view: dict) -> str | None:
    os = view.get("os")
    return os if os in OS_NAMES else None


# --- AZP101 automatic-by-os-without-automatic-updates ----------------------------------------


def azp101(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """patchMode AutomaticByOS sent to Azure with enableAutomaticUpdates false (error I1).

    A default patchMode is not sent: Azure then chooses the mode itself, as it must for
    api-versions older than patchMode (I8 shows it records Manual for such VMs). It is sent when
    the template writes it, or when the Terraform provider fills in its own default.
    """
    if not _sends_patch_mode(record, tables):
        return
    wanted = {"os": "Windows", "patch_mode": "AutomaticByOS", "enable_automatic_updates": False}
    unknown = []
    for name, value in wanted.items():
        if name not in view:
            return
        if is_unknown(view[name]):
            unknown.append(name)
        elif not _same(view[name], value):
            return  # one known mismatch decides, whatever the unknowns are
    if unknown:
        yield from (Blocked(fact=name) for name in unknown)
        return
    sent_by = (("sent_by", _patch_mode_sender(record)),)
    yield Hit(at="enable_automatic_updates", template="message", values=sent_by)


def _same(value: Any, wanted: Any) -> bool:
    # As JSON compares: false is not 0 and "false" is not false.
    return type(value) is type(wanted) and value == wanted


def _sends_patch_mode(record: VmRecord, tables: Tables) -> bool:
    if _written(record, "patch_mode") is not None:
        return True
    return _provider_default_row(record, tables) is not None


def _provider_default_row(record: VmRecord, tables: Tables) -> dict | None:
    """The azurerm row that sends a patch mode for an unset patch_mode at the record's provider
    version (rules/data/terraform.yaml); None when the provider sends nothing."""
    if record.format not in ("terraform", "plan"):
        return None
    version = record.azurerm_version
    row = tables.provider_patch_mode_default(record.resource_type, version)
    return row if row is not None and row.get("sends") else None


def _patch_mode_sender(record: VmRecord) -> str:
    """Where the patch mode comes from: written, or the provider's default (and its version)."""
    mode = record.fact("patch_mode")
    if mode.source != SOURCE_DEFAULT:
        return mode.describe_source()
    sent_by = f"the {record.resource_type} default"
    pinned = record.azurerm_version_source
    return f"{sent_by} in {pinned}" if pinned else sent_by


# --- AZP108 invalid-patch-setting-value -------------------------------------------------------


def azp108(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """One hit per written assessmentMode/rebootSetting outside its enum, and per boolean patch
    setting written as something other than a boolean."""
    for name, prop in _ENUM_FACTS.items():
        yield from _check_enum(record, view, tables, name, prop)
    for name, prop in _BOOLEAN_FACTS.items():
        yield from _check_boolean(record, name, prop)


def _check_enum(record: VmRecord, view: dict, tables: Tables, name: str, prop: str) -> Result:
    fact = _written(record, name)
    if fact is None:
        return
    if is_unknown(fact.value):
        yield Blocked(fact=name)
        return
    # The enums are the same in every api-version that has the property; whether the
    # api-version has it at all is AZP301's question.
    allowed = tables.enum_values(prop, os=_known_os(view))
    if name == "reboot_setting" and record.format in ("terraform", "plan"):
        # The provider validates reboot_setting itself and refuses the ARM enum's Unknown.
        allowed = tuple(tables.terraform["reboot_setting_values"])
    if fact.value not in allowed:
        values = (
            *_described(prop, fact),
            ("nearest", _render(_nearest(fact.value, allowed))),
            ("allowed", _quoted_list(allowed)),
        )
        yield Hit(at=name, template="invalid_value", values=values)


def _nearest(value: Any, allowed: tuple) -> str:
    import difflib  # only for a typo: not on every run's start-up path

    by_lower = {v.lower(): v for v in allowed}
    # Only the first characters matter for a typo, and difflib is quadratic in length.
    closest = difflib.get_close_matches(str(value)[:64].lower(), list(by_lower), n=1, cutoff=0.0)
    return by_lower[closest[0]]


def _check_boolean(record: VmRecord, name: str, prop: str) -> Result:
    fact = _written(record, name)
    if fact is None or is_unknown(fact.value) or isinstance(fact.value, bool):
        return
    yield Hit(at=name, template="not_boolean", values=_described(prop, fact))


def _described(prop: str, fact: Fact) -> tuple[tuple[str, str], ...]:
    """The placeholders naming a written property: {property}, {value} and {source}."""
    return (("property", prop), ("value", _render(fact.value)), ("source", fact.describe_source()))


# --- AZP301 property-newer-than-api-version ---------------------------------------------------


def azp301(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """One hit per written patch property that the resource's apiVersion does not define yet."""
    written = [name for name in PATCH_PROPERTIES if _written(record, name) is not None]
    maybe = [name for name in PATCH_PROPERTIES if _maybe_written(record, name)]
    if written and maybe:
        yield from (Blocked(fact=name) for name in maybe)
    elif maybe:
        # Whether the property is sent at all is unknown: say so rather than pass.
        yield Blocked(fact=maybe[0])
    if not written or "api_version" not in view:
        return
    version = view["api_version"]
    if is_unknown(version):
        yield Blocked(fact="api_version")
        return
    have = api_version_key(version)
    if have is None:
        return  # not an api-version at all: AZP303
    for name in written:
        yield from _check_first_version(record, view, tables, name, version, have)


def _check_first_version(
    record: VmRecord,
    view: dict,
    tables: Tables,
    name: str,
    version: str,
    have: tuple[int, int, int, int],  # the version's api_version_key
) -> Result:
    prop = PATCH_PROPERTIES[name]
    needed = _first_version_needed(view, tables, prop, have)
    if needed is None:
        return
    if needed == "os":
        yield Blocked(fact="os")
        return
    values = (*_described(prop, record.fact(name)), ("needed", needed), ("version", version))
    yield Hit(at=name, template="message", values=values)


def _first_version_needed(
    view: dict, tables: Tables, prop: str, have: tuple[int, int, int, int]
) -> str | None:
    """The first api-version the property needs when the version (its key: `have`) is older;
    'os' when only the unknown OS decides; None when the version is fine (or the property is
    not for this OS)."""
    os = _known_os(view)
    if os is not None:
        first = tables.first_api_version(prop, os)
        return first if first is not None and have < listed_api_version_key(first) else None
    firsts = [v for v in (tables.first_api_version(prop, name) for name in OS_NAMES) if v]
    keys = [listed_api_version_key(v) for v in firsts]
    if have < min(keys):
        return firsts[keys.index(min(keys))]
    if have >= max(keys):
        return None
    return "os"


# --- AZP302 api-version-below-recommended -----------------------------------------------------


def azp302(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """Info when a record that writes patch settings uses an api-version below the one the
    docs recommend for all patch features."""
    written = [PATCH_PROPERTIES[n] for n in PATCH_PROPERTIES if _written(record, n) is not None]
    if _written(record, "automatic_by_platform_settings") is not None:
        written.append("automaticByPlatformSettings")
    if not written or "api_version" not in view:
        return
    version = view["api_version"]
    if is_unknown(version):
        yield Blocked(fact="api_version")
        return
    have = api_version_key(version)
    recommended = tables.recommended_api_version(profile)
    if have is None or have >= listed_api_version_key(recommended):
        return
    values = (("version", version), ("recommended", recommended), ("written", ", ".join(written)))
    yield Hit(at="api_version", template="message", values=values)


# --- AZP111 argument-not-in-provider-version --------------------------------------------------


def azp111(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """One hit per written azurerm argument that the chosen provider version does not have."""
    written = record.provider_arguments or {}
    version_text = record.azurerm_version
    version = provider_version_key(version_text)
    if record.format not in ("terraform", "plan") or not written or version is None:
        return
    for row in tables.provider_argument_rows(record.resource_type):
        where = written.get(row["path"])
        if where is None or in_version_range(row, version):
            continue
        template = "added" if row.get("from") else "removed"
        yield Hit(
            at=row["path"], location=where, template=template, values=_azp111_values(record, row)
        )


def _azp111_values(record: VmRecord, row: dict) -> tuple[tuple[str, str], ...]:
    return (
        ("resource_type", record.resource_type),
        ("argument", row["path"].rsplit(".", 1)[-1]),
        ("version", str(row.get("from") or row.get("until"))),
        ("pinned", str(record.azurerm_version_source)),
        ("instead", f"; use {row['instead']}" if row.get("instead") else ""),
    )


# --- AZP120 / AZP121 InGuestPatch maintenance configurations ---------------------------------
# The guest scope's limits (S21, maintenance-configurations doc): a window of 1:30 to 3:55, a
# recurrence of at least 6 hours, VMs and Arc servers only. The start "at least 15 minutes after
# the schedule's creation" is not checked: the creation time is the deployment's, unknown here.

IN_GUEST_PATCH = "inguestpatch"
WINDOW_MINUTES = (90, 235)  # 1 h 30 min .. 3 h 55 min
SHORTEST_RECURRENCE_HOURS = 6
# Compiled on first use (re caches them): only a VM with a maintenance schedule needs them.
_DURATION = r"^\s*(\d{1,2}):([0-5]\d)\s*$"
# recurEvery in hours: '6Hours', 'Hour', '2hours' (the other units are a day or longer).
_HOURLY = r"(?i)^\s*(\d*)\s*hours?\s*$"


def _guest_schedule(view: dict) -> MaintenanceSchedule | None:
    """The assigned configuration when its scope is known to be InGuestPatch."""
    schedule = view.get("maintenance_schedule")
    if not isinstance(schedule, MaintenanceSchedule):
        return None
    scope = schedule.scope
    return schedule if isinstance(scope, str) and scope.lower() == IN_GUEST_PATCH else None


def azp120(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """An InGuestPatch configuration without its patch mode: refused (provider and API)."""
    schedule = _guest_schedule(view)
    if schedule is None or schedule.patch_mode is not None:
        return
    yield Hit(
        at="maintenance_schedule.patch_mode",
        location=schedule.position("patch_mode"),
        template="terraform" if record.format in ("terraform", "plan") else "template",
        values=(("configuration", str(schedule.name)),),
    )


def azp121(record: VmRecord, view: dict, profile: str, tables: Tables) -> Result:
    """The guest scope's documented limits: window length, recurrence, scale sets."""
    schedule = _guest_schedule(view)
    if schedule is None:
        return
    name = (("configuration", str(schedule.name)),)
    minutes = _window_minutes(schedule.duration)
    low, high = WINDOW_MINUTES
    if minutes is not None and not low <= minutes <= high:
        yield Hit(
            at="maintenance_schedule.duration",
            location=schedule.position("duration"),
            template="window",
            values=(*name, ("duration", str(schedule.duration))),
        )
    hours = _recurrence_hours(schedule.recurrence)
    if hours is not None and hours < SHORTEST_RECURRENCE_HOURS:
        yield Hit(
            at="maintenance_schedule.recurrence",
            location=schedule.position("recurrence"),
            template="recurrence",
            values=(
                *name,
                ("recurrence", str(schedule.recurrence)),
                ("hours", str(SHORTEST_RECURRENCE_HOURS)),
            ),
        )
    if record.kind == "vmss":
        yield Hit(
            at="maintenance_schedule",
            location=schedule.assignment or schedule.location,
            template="scale_set",
            values=(*name, ("scale_set", record.name)),
        )


def _window_minutes(duration: Any) -> int | None:
    match = re.match(_DURATION, duration) if isinstance(duration, str) else None
    return int(match.group(1)) * 60 + int(match.group(2)) if match else None


def _recurrence_hours(recurrence: Any) -> int | None:
    match = re.match(_HOURLY, recurrence) if isinstance(recurrence, str) else None
    if match is None:
        return None
    return int(match.group(1) or 1)


CODE_RULES: dict[str, Callable[[VmRecord, dict, str, Tables], Result]] = {
    "azp101": azp101,
    "azp108": azp108,
    "azp111": azp111,
    "azp120": azp120,
    "azp121": azp121,
    "azp301": azp301,
    "azp302": azp302,
}
