"""The region table (rules/data/regions.yaml) and the assignment of regions to phases.

S1 says geo-paired regions "aren't updated concurrently and can't be in the same regional phase";
which regions Azure really puts in which phase, and in what order, is not documented. The model
here is only the constraint: a greedy colouring of the pair graph (edges in both directions,
asymmetric pairs of S9 included), so that no two regions joined by a pair edge share a phase.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from armlint.paths import rules_dir

UNKNOWN_REGION = "unknown"


class PlanError(ValueError):
    """The plan settings contradict the model (e.g. an override puts a pair in one phase)."""


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    display_name: str
    time_zone: str
    utc_offset: str  # standard-time offset, used only when tzdata is missing
    pair: str | None = None
    availability_zones: bool | None = None
    geography: str = ""


@dataclass(frozen=True, slots=True)
class RegionTable:
    regions: dict[str, Region]
    edges: frozenset[frozenset[str]] = field(default_factory=frozenset)

    def neighbours(self, name: str) -> set[str]:
        """Regions joined to ``name`` by a pair edge, in either direction."""
        return {other for edge in self.edges if name in edge for other in edge if other != name}

    def paired(self, first: str, second: str) -> bool:
        return frozenset((first, second)) in self.edges


def normalise_region(name: str) -> str:
    """Same rule as the azurerm provider's location.Normalize (domain spec 3.4)."""
    return name.replace(" ", "").lower()


@cache
def load_region_table(path: Path | None = None) -> RegionTable:
    import yaml  # lazily: only the planner needs the table

    source = path or os.path.join(rules_dir(), "data", "regions.yaml")
    with open(source, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    rows = data["regions"] + data.get("unlisted_regions", []) + data.get("sovereign_regions", [])
    regions = {row["name"]: _region_from_row(row) for row in rows}
    return RegionTable(regions=regions, edges=frozenset(_pair_edges(data)))


def _region_from_row(row: dict) -> Region:
    return Region(
        name=row["name"],
        display_name=row["display_name"],
        time_zone=row["time_zone"],
        utc_offset=row["utc_offset"],
        pair=row.get("pair"),
        availability_zones=row.get("availability_zones"),
        geography=row.get("geography", ""),
    )


def _pair_edges(data: dict) -> set[frozenset[str]]:
    """Undirected edges: every region's pair, the asymmetric pairs, the sovereign pairs."""
    edges: set[frozenset[str]] = set()
    for row in data["regions"] + data.get("unlisted_regions", []):
        if row.get("pair"):
            edges.add(frozenset((row["name"], row["pair"])))
    for row in data.get("asymmetric_pairs", []):
        edges.add(frozenset((row["region"], row["pair"])))
    for row in data.get("sovereign_pairs", []):
        edges.add(frozenset(row["regions"]))
    return edges


def override_errors(overrides: dict[str, int], table: RegionTable) -> list[str]:
    """Messages for overrides that are not positive integers or put a pair in one phase."""
    errors = []
    normalised = {normalise_region(region): phase for region, phase in overrides.items()}
    for region, phase in sorted(normalised.items()):
        if isinstance(phase, bool) or not isinstance(phase, int) or phase < 1:
            errors.append(f"phase override for {region} must be a positive integer, not {phase!r}")
    for edge in sorted(sorted(edge) for edge in table.edges):
        first, second = edge
        if first in normalised and normalised.get(first) == normalised.get(second):
            errors.append(
                f"phase override puts paired regions {first} and {second} in the same phase "
                f"{normalised[first]}; geo-paired regions can't be in the same regional phase (S1)"
            )
    return errors


def assign_phases(
    regions: set[str], table: RegionTable, overrides: dict[str, int] | None = None
) -> dict[str, int]:
    """Phase number (1-based) of every region in ``regions``.

    Overrides are fixed first. The rest of the regions the table knows are coloured greedily in
    Welsh-Powell order (most pair edges among the planned regions first, then by name): each
    takes the lowest phase no neighbour holds. Regions outside the table have unknown pairs,
    so each gets a phase of its own after the coloured ones, and the 'unknown' region comes last.
    """
    fixed = {normalise_region(r): p for r, p in (overrides or {}).items()}
    errors = override_errors(fixed, table)
    if errors:
        raise PlanError("; ".join(errors))
    phases = {region: fixed[region] for region in regions if region in fixed}
    known = sorted(r for r in regions if r in table.regions and r not in phases)
    for region in sorted(known, key=lambda r: (-_degree(r, regions, table), r)):
        taken = {phases[n] for n in table.neighbours(region) if n in phases}
        taken |= {fixed[n] for n in table.neighbours(region) if n in fixed}
        phases[region] = _lowest_free(taken)
    _append_unpaired_regions(regions, table, phases)
    return phases


def _append_unpaired_regions(regions: set[str], table: RegionTable, phases: dict[str, int]) -> None:
    """Regions with unknown pairs follow the coloured phases, one phase each, 'unknown' last."""
    outside = sorted(r for r in regions if r not in table.regions and r not in phases)
    outside.sort(key=lambda r: r == UNKNOWN_REGION)
    for region in outside:
        phases[region] = max(phases.values(), default=0) + 1


def _degree(region: str, planned: set[str], table: RegionTable) -> int:
    return len(table.neighbours(region) & planned)


def _lowest_free(taken: set[int]) -> int:
    phase = 1
    while phase in taken:
        phase += 1
    return phase
