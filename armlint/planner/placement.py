"""Where each participating VM sits (region, zone, availability set, update domain) and how the
VMs of one region are cut into batches.

Model of S1 "within a region" and "within an availability set" (domain spec 1.10):
- VMs in different availability zones are never in one batch; zones go one at a time, in order.
- An availability set is patched update domain by update domain. VM i of the set, in creation
  order, is in update domain i mod platformUpdateDomainCount (S11 round robin). Inside one update
  domain at most 20% of the set's VMs go at a time, and one at a time when the set has fewer
  than 10 VMs.
- Other VMs are batched "on a best effort basis"; the batch size is a setting.
- A VM whose region, zone or set is unknown is put in a batch marked uncertain, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from armlint.model import Unknown, VmRecord
from armlint.planner.regions import UNKNOWN_REGION, RegionTable, normalise_region

UNKNOWN = "unknown"
MAX_UPDATE_DOMAINS = 20  # S11: an availability set has at most 20 update domains

# An availability set as the planner groups it: (deployment_key, set id in lower case).
SetKey = tuple[str, str]


@dataclass(slots=True)
class Unit:
    """One thing the platform patches: a VM, or a scale set's instances in one zone."""

    name: str
    record: VmRecord
    region: str
    zone: str | None
    availability_set: str | None  # as written by the first VM of the set
    set_key: SetKey | None  # the set's identity for grouping: (deployment, lower-case id)
    doubts: tuple[str, ...] = ()  # 'region', 'zone', 'availability set': why it is uncertain


@dataclass(slots=True)
class SetPlan:
    """What the planner assumes about one availability set."""

    display: str
    update_domains: int
    size: int
    per_batch: int
    domain_of: dict[int, int] = field(default_factory=dict)  # id(record) -> update domain
    # where update_domains came from: 'setting', 'declared', 'provider default', 'assumed', or
    # 'unknown: <reason>' (the declared count is unknown, the default stands in)
    count_source: str = "assumed"


@dataclass(slots=True)
class Draft:
    """A batch before it is numbered and given a window."""

    region: str
    zone: str | None
    availability_set: str | None
    update_domain: int | None
    units: list[Unit]
    uncertain: bool


# --- naming ---------------------------------------------------------------------------------


def creation_key(record: VmRecord) -> tuple:
    """Document order, then loop index: the planner's stand-in for deployment order."""
    loc = record.location
    index = -1 if record.index is None else record.index
    return (loc.path, loc.line, loc.column, index, str(record.name))


def record_names(records: list[VmRecord]) -> list[str]:
    """Display names, parallel to ``records``: the record name, plus the loop index when the
    name alone is not distinct, then the scenario, the path and a counter while still not."""
    names = [str(record.name) for record in records]
    names = _disambiguate(names, records, _with_index)
    names = _disambiguate(names, records, _with_scenario)
    names = _disambiguate(names, records, _with_path)
    return _number_duplicates(names, records)


def _disambiguate(names: list[str], records: list[VmRecord], extend) -> list[str]:
    counts = Counter(names)
    return [
        extend(name, record) if counts[name] > 1 else name
        for name, record in zip(names, records, strict=True)
    ]


def _with_index(name: str, record: VmRecord) -> str:
    return name if record.index is None else f"{name}[{record.index}]"


def _with_scenario(name: str, record: VmRecord) -> str:
    if not record.scenario:
        return name
    return name + " {" + ", ".join(f"{key}={value}" for key, value in record.scenario) + "}"


def _with_path(name: str, record: VmRecord) -> str:
    """The Terraform root module names the deployment better than the module's file, which
    every caller of one module shares."""
    return f"{name} ({record.root_module or record.path})"


def _number_duplicates(names: list[str], records: list[VmRecord]) -> list[str]:
    counts = Counter(names)
    seen: Counter[str] = Counter()
    result = list(names)
    order = sorted(range(len(records)), key=lambda i: creation_key(records[i]))
    for position in order:
        name = names[position]
        if counts[name] > 1:
            seen[name] += 1
            result[position] = f"{name} #{seen[name]}"
    return result


# --- units ----------------------------------------------------------------------------------


def units_of(record: VmRecord, name: str, table: RegionTable) -> list[Unit]:
    region, region_doubt = region_of(record, table)
    zones, zone_doubt = zones_of(record)
    set_id, set_doubt = availability_set_of(record)
    doubts = tuple(d for d in (region_doubt, zone_doubt, set_doubt) if d)
    set_key = None if set_id is None else (deployment_key(record), set_id.strip().lower())
    return [
        Unit(
            name=f"{name} (zone {zone})" if len(zones) > 1 else name,
            record=record,
            region=region,
            zone=zone,
            availability_set=set_id,
            set_key=set_key,
            doubts=doubts,
        )
        for zone in zones
    ]


def deployment_key(record: VmRecord) -> str:
    """The deployment a record belongs to: its Terraform root module (else its file), its
    parameter file and its allowed-value choices.

    Availability sets and loops never span two deployments: two templates that name a set
    alike deploy two sets (in their own resource groups, as far as anyone can tell from the
    files), and two allowed-value scenarios are alternatives, not siblings.
    """
    root = record.root_module or record.path
    parameters = record.parameter_file
    scenario = ", ".join(f"{name}={value!r}" for name, value in record.scenario)
    return f"{root}|{parameters}|{scenario}"


def region_of(record: VmRecord, table: RegionTable) -> tuple[str, str]:
    value = record.value("location")
    if not isinstance(value, str) or not value.strip():
        return UNKNOWN_REGION, "region"
    region = normalise_region(value)
    return region, "" if region in table.regions else "region"


def zones_of(record: VmRecord) -> tuple[list[str | None], str]:
    value = record.value("zones")
    if value is None or value == [] or value == "":
        return [None], ""
    if isinstance(value, Unknown) or (
        isinstance(value, list) and any(_is_unknown(z) for z in value)
    ):
        return [UNKNOWN], "zone"
    zones = value if isinstance(value, list) else [value]
    return sorted({str(zone) for zone in zones}, key=zone_sort_key), ""


def availability_set_of(record: VmRecord) -> tuple[str | None, str]:
    value = record.value("availability_set")
    if value is None or value == "":
        return None, ""
    if isinstance(value, Unknown):
        return UNKNOWN, "availability set"
    return str(value), ""


def _is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def zone_sort_key(zone: str | None) -> tuple:
    """Numbered zones in number order, then other names, then non-zonal, then unknown."""
    if zone is None:
        return (2, 0, "")
    if zone == UNKNOWN:
        return (3, 0, "")
    if zone.isdigit():
        return (0, int(zone), zone)
    return (1, 0, zone)


# --- availability sets ----------------------------------------------------------------------


def plan_sets(
    records: Iterable[VmRecord],
    table: RegionTable,
    update_domains: dict[str, int],
    sizes: dict[str, int],
    default_update_domains: int,
) -> dict[tuple[str, SetKey], SetPlan]:
    """Every known availability set, keyed by (region, set key), with its update domain map.

    All VMs of the set count, participating or not: update domains are handed out at placement,
    whatever the patch mode.
    """
    members: dict[tuple[str, SetKey], list[VmRecord]] = {}
    for record in sorted(records, key=creation_key):
        set_id, doubt = availability_set_of(record)
        if set_id is None or doubt:
            continue
        region, _ = region_of(record, table)
        set_key = (deployment_key(record), set_id.strip().lower())
        members.setdefault((region, set_key), []).append(record)
    return {
        key: _set_plan(group, update_domains, sizes, default_update_domains)
        for key, group in members.items()
    }


def _set_plan(
    members: list[VmRecord],
    update_domains: dict[str, int],
    sizes: dict[str, int],
    default_update_domains: int,
) -> SetPlan:
    display = str(members[0].value("availability_set"))
    count, source = _update_domain_count(members, update_domains, display, default_update_domains)
    size = max(lookup_set_setting(sizes, display) or 0, len(members))
    domain_of = {id(record): position % count for position, record in enumerate(members)}
    return SetPlan(display, count, size, per_batch_limit(size), domain_of, source)


def _update_domain_count(
    members: list[VmRecord], settings: dict[str, int], display: str, default: int
) -> tuple[int, str]:
    """A count from the settings wins; then the one the set declares (read from the set
    resource, the provider's default included); then the default setting."""
    overridden = lookup_set_setting(settings, display)
    if overridden is not None:
        return overridden, "setting"
    for record in members:
        fact = record.facts.get("update_domain_count")
        if fact is None or fact.value is None:
            continue
        if isinstance(fact.value, Unknown):
            return default, f"unknown: {fact.value.reason}"
        if isinstance(fact.value, int) and not isinstance(fact.value, bool):
            if 1 <= fact.value <= MAX_UPDATE_DOMAINS:
                return fact.value, "provider default" if fact.source == "default" else "declared"
            return default, f"unknown: the declared count {fact.value} is outside 1..20"
        return default, f"unknown: the declared count {fact.value!r} is not a number"
    return default, "assumed"


def per_batch_limit(set_size: int) -> int:
    """S1: at most 20% of the set per update domain at a time; one at a time below 10 VMs."""
    if set_size < 10:
        return 1
    return max(1, set_size * 20 // 100)


def lookup_set_setting(mapping: dict[str, int], set_id: str) -> int | None:
    """A per-set setting by full id or by set name (last path segment), case-insensitively."""
    normalised = {key.strip().lower(): value for key, value in mapping.items()}
    key = set_id.strip().lower()
    if key in normalised:
        return normalised[key]
    return normalised.get(key.rstrip("/").rsplit("/", 1)[-1])


# --- batches --------------------------------------------------------------------------------


def region_drafts(
    units: list[Unit], sets: dict[tuple[str, SetKey], SetPlan], best_effort_size: int
) -> list[Draft]:
    """Batches of one region: zone by zone; inside a zone the sets by update domain, then the
    best-effort VMs, then the VMs of unknown sets."""
    drafts: list[Draft] = []
    for zone in sorted({unit.zone for unit in units}, key=zone_sort_key):
        in_zone = [unit for unit in units if unit.zone == zone]
        drafts += _set_drafts(in_zone, sets)
        plain = [unit for unit in in_zone if unit.set_key is None]
        drafts += _chunk_drafts(plain, best_effort_size, None)
        unknown_set = [unit for unit in in_zone if "availability set" in unit.doubts]
        drafts += _chunk_drafts(unknown_set, best_effort_size, UNKNOWN)
    return drafts


def _set_drafts(units: list[Unit], sets: dict[tuple[str, SetKey], SetPlan]) -> list[Draft]:
    drafts = []
    known = sorted({u.set_key for u in units if u.set_key and "availability set" not in u.doubts})
    for set_key in known:
        members = [unit for unit in units if unit.set_key == set_key]
        plan = sets[(members[0].region, set_key)]
        for domain in range(plan.update_domains):
            in_domain = [u for u in members if plan.domain_of[id(u.record)] == domain]
            for chunk in _chunks(in_domain, plan.per_batch):
                drafts.append(_draft(chunk, plan.display, domain))
    return drafts


def _chunk_drafts(units: list[Unit], size: int, set_label: str | None) -> list[Draft]:
    return [_draft(chunk, set_label, None) for chunk in _chunks(units, size)]


def _draft(units: list[Unit], set_label: str | None, domain: int | None) -> Draft:
    first = units[0]
    return Draft(
        region=first.region,
        zone=first.zone,
        availability_set=set_label,
        update_domain=domain,
        units=units,
        uncertain=any(unit.doubts for unit in units),
    )


def _chunks(units: list[Unit], size: int) -> list[list[Unit]]:
    return [units[start : start + size] for start in range(0, len(units), size)]
