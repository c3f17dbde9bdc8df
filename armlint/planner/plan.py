"""build_plan: records -> participation -> phases -> batches -> off-peak windows.

The result is an illustration of one batching Azure's availability-first orchestration *could*
choose (S1: "a specific VM may be picked up in a different batch between monthly patching
cycles"), never a schedule. Everything the sources leave open is a setting or an assumption
listed in ``Plan.assumptions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from armlint.model import VmRecord
from armlint.planner.participation import ImageSupport, decide, default_image_supported
from armlint.planner.placement import (
    MAX_UPDATE_DOMAINS,
    Draft,
    SetKey,
    SetPlan,
    Unit,
    creation_key,
    lookup_set_setting,
    plan_sets,
    record_names,
    region_drafts,
    units_of,
)
from armlint.planner.regions import (
    UNKNOWN_REGION,
    PlanError,
    RegionTable,
    assign_phases,
    load_region_table,
)
from armlint.planner.schedules import ScheduleGroup, schedule_groups, schedule_of
from armlint.planner.timezones import ALL_HOURS, choose_zone, local_window, utc_windows

GENERAL_ASSUMPTIONS = (
    "Illustrative only: one batching the availability-first orchestration could choose; the "
    "platform may pick a different batch every month (S1).",
    "Phases: no source says which regions share a phase or in which order phases run; armlint "
    "only keeps geo-paired regions (both directions, asymmetric pairs included) apart, by greedy "
    "colouring in Welsh-Powell order (most pair edges first, then by name).",
    "Off-peak hours are not defined by any source; the local window is a setting (default "
    "22:00-06:00).",
    "Time zones: a Windows VM's timeZone is used when set and known, otherwise the region's "
    "zone from armlint's non-authoritative table (rules/data/regions.yaml); whether Azure uses "
    "the guest or the region time zone is UNCONFIRMED.",
    "Update domains: VM i of an availability set, in creation order (file order, then loop "
    "index), is in update domain i mod platformUpdateDomainCount; the real order depends on "
    "deployment.",
    "VMs outside availability sets are batched best effort in batches of the configured size "
    "(armlint's assumption; the platform's batch size is not documented). S1 batches them "
    "'to avoid concurrent updates for all VMs in a subscription'; templates do not say which "
    "subscription they deploy to, so armlint batches per region as if each region's VMs were in "
    "one subscription.",
    "VMs patched on a maintenance schedule (bypassPlatformSafetyChecksOnUserSchedule true and a "
    "configuration assigned) are not batched availability-first: a schedule starts updates on all "
    "its resources simultaneously (maintenance-configurations doc), update domain by update "
    "domain inside an availability set (S7).",
    "Zones are patched one at a time in zone order; how zones and availability sets interact "
    "is not documented.",
    "Scale sets in Flexible orchestration are patched during all hours (S1); a scale set spread "
    "over several zones is one unit per zone.",
)


@dataclass
class PlanSettings:
    """What the planner cannot know from the templates.

    best_effort_batch_size: VMs per best-effort batch (no source gives the size; 10 is armlint's
    choice). off_peak_window: local (start hour, end hour), an assumption (22:00-06:00).
    update_domain_count_default: platformUpdateDomainCount when a set's count is not given
    (5, as in the S11 example; UNCONFIRMED as the platform default).
    """

    phase_overrides: dict[str, int] = field(default_factory=dict)
    best_effort_batch_size: int = 10
    off_peak_window: tuple[int, int] = (22, 6)
    update_domain_count_default: int = 5
    availability_set_update_domains: dict[str, int] = field(default_factory=dict)
    availability_set_sizes: dict[str, int] = field(default_factory=dict)
    redundancy_prefixes: list[str] = field(default_factory=list)
    image_supported: ImageSupport = default_image_supported
    date: date | None = None  # the day the UTC windows are shown for; None: January and July


@dataclass
class Phase:
    number: int
    regions: list[str]

    def to_dict(self) -> dict:
        return {"phase": self.number, "regions": list(self.regions)}


@dataclass
class Batch:
    number: int
    phase: int
    region: str
    zone: str | None
    availability_set: str | None
    update_domain: int | None
    vms: list[str]
    window: dict
    uncertain: bool
    resources: list[str] = field(default_factory=list)  # record identities, parallel to vms
    # The records themselves, parallel to vms: identities can repeat across deployments (one
    # Terraform module used by several root modules), object identity cannot.
    records: list[VmRecord] = field(default_factory=list, repr=False, compare=False)

    def to_dict(self) -> dict:
        return {
            "batch": self.number,
            "phase": self.phase,
            "region": self.region,
            "zone": self.zone,
            "availability_set": self.availability_set,
            "update_domain": self.update_domain,
            "vms": list(self.vms),
            "window": self.window,
            "uncertain": self.uncertain,
        }


@dataclass
class Exclusion:
    vm: str
    reason: str
    resource: str = ""  # record identity
    fact: str = ""  # the fact that excluded it
    unknown: bool = False
    name: str | None = None  # the evaluated resource name; None when the template leaves it unknown
    path: str = ""
    line: int = 0

    def to_dict(self) -> dict:
        return {
            "vm": self.vm,
            "reason": self.reason,
            "name": self.name,
            "path": self.path,
            "line": self.line,
        }


@dataclass
class Plan:
    phases: list[Phase]
    batches: list[Batch]
    excluded: list[Exclusion]
    assumptions: list[str]
    settings: PlanSettings = field(default_factory=PlanSettings, repr=False, compare=False)
    schedules: list[ScheduleGroup] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "phases": [phase.to_dict() for phase in self.phases],
            "batches": [batch.to_dict() for batch in self.batches],
            "schedules": [group.to_dict() for group in self.schedules],
            "excluded": [exclusion.to_dict() for exclusion in self.excluded],
            "assumptions": list(self.assumptions),
        }


def build_plan(records: list[VmRecord], settings: PlanSettings | None = None) -> Plan:
    settings = settings or PlanSettings()
    check_settings(settings)
    table = load_region_table()
    ordered = sorted(records, key=creation_key)
    names = record_names(ordered)
    notes = _Notes()
    excluded, every_unit = _participation(ordered, names, settings, table)
    units = [unit for unit in every_unit if schedule_of(unit.record) is None]
    scheduled = [unit for unit in every_unit if schedule_of(unit.record) is not None]
    sets = plan_sets(
        ordered,
        table,
        settings.availability_set_update_domains,
        settings.availability_set_sizes,
        settings.update_domain_count_default,
    )
    _note_set_assumptions(sets, settings, notes)
    phases = assign_phases({unit.region for unit in units}, table, settings.phase_overrides)
    _note_region_assumptions(phases, table, notes)
    batches = _number_batches(phases, units, sets, settings, table, notes)
    groups = schedule_groups(scheduled, sets, len(batches) + 1, settings.date)
    return Plan(
        phases=_phase_list(phases),
        batches=batches,
        excluded=excluded,
        assumptions=[*GENERAL_ASSUMPTIONS, _date_note(settings), *notes.items],
        settings=settings,
        schedules=groups,
    )


def _date_note(settings: PlanSettings) -> str:
    if settings.date is None:
        return (
            "UTC windows are shown for mid-January and mid-July 2025 so both sides of daylight "
            "saving time appear; a maintenance schedule's UTC window is shown on its start date."
        )
    return f"UTC windows are shown for {settings.date.isoformat()} (the plan's date setting)."


def check_settings(settings: PlanSettings) -> None:
    errors = []
    if settings.best_effort_batch_size < 1:
        errors.append("best_effort_batch_size must be at least 1")
    start, end = settings.off_peak_window
    if not (0 <= start <= 23 and 0 <= end <= 24 and start != end):
        errors.append(f"off_peak_window {settings.off_peak_window!r} must be two different hours")
    counts = {"(default)": settings.update_domain_count_default}
    counts.update(settings.availability_set_update_domains)
    for set_id, count in sorted(counts.items()):
        if not 1 <= count <= MAX_UPDATE_DOMAINS:
            errors.append(f"update domain count of {set_id} must be 1..20 (S11), not {count}")
    if errors:
        raise PlanError("; ".join(errors))


class _Notes:
    """Assumptions met while planning, in first-seen order, each once."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, note: str) -> None:
        if note and note not in self.items:
            self.items.append(note)


def _participation(
    ordered: list[VmRecord], names: list[str], settings: PlanSettings, table: RegionTable
) -> tuple[list[Exclusion], list[Unit]]:
    excluded: list[Exclusion] = []
    units: list[Unit] = []
    for record, name in zip(ordered, names, strict=True):
        decision = decide(record, settings.image_supported)
        if decision.participates:
            units += units_of(record, name, table)
        else:
            excluded.append(
                Exclusion(
                    name,
                    decision.reason,
                    record.identity,
                    decision.fact,
                    decision.unknown,
                    name=record.name if record.name_known else None,
                    path=record.path,
                    line=record.location.line,
                )
            )
    excluded.sort(key=lambda exclusion: exclusion.vm)
    return excluded, units


def _note_set_assumptions(
    sets: dict[tuple[str, SetKey], SetPlan], settings: PlanSettings, notes: _Notes
) -> None:
    _note_sets_split_by_deployment(sets, notes)
    for key in sorted(sets):
        set_plan = sets[key]
        note = _count_note(set_plan)
        if note:
            notes.add(note)
        if lookup_set_setting(settings.availability_set_sizes, set_plan.display) is None:
            notes.add(
                f"availability set {set_plan.display}: size taken as the {set_plan.size} VM(s) "
                "found in the input"
            )


def _count_note(set_plan: SetPlan) -> str:
    """Say where a set's update domain count came from unless the set declares it."""
    source, count = set_plan.count_source, set_plan.update_domains
    if source == "assumed":
        return (
            f"availability set {set_plan.display}: platformUpdateDomainCount not given, "
            f"{count} assumed"
        )
    if source.startswith("unknown: "):
        return (
            f"availability set {set_plan.display}: platformUpdateDomainCount is unknown "
            f"({source.removeprefix('unknown: ')}), {count} assumed"
        )
    if source == "provider default":
        return (
            f"availability set {set_plan.display}: platform_update_domain_count not set, the "
            f"azurerm provider's default {count} used"
        )
    return ""


def _note_sets_split_by_deployment(sets: dict[tuple[str, SetKey], SetPlan], notes: _Notes) -> None:
    """Say so when a set name recurs in one region in several deployments: it is planned as
    several sets, never merged (merging would change update domains and the 20% limit)."""
    deployments: dict[tuple[str, str], set[str]] = {}
    for region, (deployment, set_id) in sets:
        deployments.setdefault((region, set_id), set()).add(deployment)
    for key in sorted(sets):
        region, (_, set_id) = key
        count = len(deployments[(region, set_id)])
        if count > 1:
            notes.add(
                f"availability set {sets[key].display} ({region}) is named in {count} "
                "deployments (files, Terraform root modules, parameter files or allowed-value "
                f"choices): planned as {count} separate sets"
            )


def _note_region_assumptions(phases: dict[str, int], table: RegionTable, notes: _Notes) -> None:
    for region in sorted(phases):
        if region == UNKNOWN_REGION:
            notes.add(
                "region 'unknown': VMs whose location is unknown are planned apart, uncertain"
            )
        elif region not in table.regions:
            notes.add(f"region {region} is not in armlint's table: its pair is unknown")


def _phase_list(phases: dict[str, int]) -> list[Phase]:
    numbers = sorted(set(phases.values()))
    return [Phase(n, sorted(r for r, p in phases.items() if p == n)) for n in numbers]


def _number_batches(
    phases: dict[str, int],
    units: list[Unit],
    sets: dict[tuple[str, SetKey], SetPlan],
    settings: PlanSettings,
    table: RegionTable,
    notes: _Notes,
) -> list[Batch]:
    batches: list[Batch] = []
    for region in sorted(phases, key=lambda r: (phases[r], r == UNKNOWN_REGION, r)):
        in_region = [unit for unit in units if unit.region == region]
        for draft in region_drafts(in_region, sets, settings.best_effort_batch_size):
            window = batch_window(draft, settings, table, notes)
            batches.append(_batch(len(batches) + 1, phases[region], draft, window))
    return batches


def _batch(number: int, phase: int, draft: Draft, window: dict) -> Batch:
    return Batch(
        number=number,
        phase=phase,
        region=draft.region,
        zone=draft.zone,
        availability_set=draft.availability_set,
        update_domain=draft.update_domain,
        vms=[unit.name for unit in draft.units],
        window=window,
        uncertain=draft.uncertain,
        resources=[unit.record.identity for unit in draft.units],
        records=[unit.record for unit in draft.units],
    )


# --- off-peak windows -----------------------------------------------------------------------


def batch_window(draft: Draft, settings: PlanSettings, table: RegionTable, notes: _Notes) -> dict:
    """The batch's off-peak window, one entry per time zone basis among its VMs."""
    entries: dict[tuple, dict[str, Any]] = {}
    for unit in draft.units:
        key, make_entry = _window_entry(unit, settings, table, notes)
        if key not in entries:
            entries[key] = make_entry()
        entries[key]["vms"].append(unit.name)
    listed = list(entries.values())
    return {"any_hour": all(entry["any_hour"] for entry in listed), "by_time_zone": listed}


def _window_entry(unit: Unit, settings: PlanSettings, table: RegionTable, notes: _Notes):
    if is_flexible_scale_set(unit.record):
        return ("any-hour",), _any_hour_entry
    region = table.regions.get(unit.region)
    choice = choose_zone(unit.name, unit.record.value("time_zone"), region, unit.region)
    notes.add(choice.note)
    hours = settings.off_peak_window

    def make_entry() -> dict[str, Any]:
        utc, fixed = utc_windows(choice, hours, settings.date)
        if fixed:
            notes.add(
                f"tzdata has no {choice.time_zone}: fixed offset {choice.fallback_offset} used, "
                "daylight saving ignored"
            )
        return {
            "time_zone": choice.time_zone,
            "basis": choice.basis,
            "local": local_window(hours),
            "utc": utc,
            "any_hour": False,
            "fixed_offset": fixed,
            "vms": [],
        }

    return (choice.time_zone, choice.basis), make_entry


def _any_hour_entry() -> dict[str, Any]:
    return {
        "time_zone": None,
        "basis": "scale set in Flexible orchestration: patched during all hours (S1)",
        "local": ALL_HOURS,
        "utc": [ALL_HOURS],
        "any_hour": True,
        "fixed_offset": False,
        "vms": [],
    }


def is_flexible_scale_set(record: VmRecord) -> bool:
    return record.kind == "vmss" and record.value("orchestration_mode") == "Flexible"
