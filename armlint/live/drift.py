"""``armlint drift TEMPLATES EXPORT``: what runs, against what the templates will deploy.

Template VMs are paired with exported live VMs: by resource id when the template's is known,
else by name and kind (and resource group when the template or ``--resource-group`` gives
one). A name that fits several live VMs is reported as ambiguous and not compared. For each
pair, every patch setting whose effective value differs is one of:

- ``changes``: the next deployment sets the template's value (AZP601);
- ``cannot change``: fixed at creation, so the deployment fails or needs a new VM (AZP401,
  AZP404, the transition checks of ``armlint diff`` with the live VM as the before);
- ``refused``: Azure refuses the patchMode switch (AZP402, AZP403);
- ``unknown``: the template's value is only known at deployment (AZP002 when a rule needed it);
- ``not in the template``: set on the live VM, not written in the template and without a
  platform default (no finding: what a deployment does with it is not documented).

Live VMs that no template declares are AZP602, template VMs not in the exports AZP603, and an
ambiguous pairing AZP604.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from armlint.live.records import LIVE_FORMAT
from armlint.model import (
    SOURCE_DEFAULT,
    Fact,
    Finding,
    RunResult,
    Unknown,
    VmRecord,
)

# The patch settings compared (the facts the transition rules and the patch rules read).
DRIFT_FACTS = (
    "patch_mode",
    "assessment_mode",
    "enable_automatic_updates",
    "provision_vm_agent",
    "enable_hotpatching",
    "reboot_setting",
    "bypass_platform_safety_checks",
    "automatic_by_platform_settings",
    "time_zone",
)
STATUS_CHANGES = "changes"
STATUS_FIXED = "cannot change"
STATUS_REFUSED = "refused"
STATUS_UNKNOWN = "unknown"
STATUS_UNSET = "not in the template"
# Flags Azure returns as false when they were never set (the CLI prints the API's response:
# "enableHotpatching": false on VMs created without it), so unset and false are one state.
UNSET_IS_FALSE = ("enable_hotpatching", "bypass_platform_safety_checks")
FIXED_RULES = ("AZP401", "AZP404")
REFUSED_RULES = ("AZP402", "AZP403")


class DriftError(Exception):
    """Nothing to compare (no exported VMs): a usage error for the command line."""


@dataclass
class Difference:
    fact: str
    live: Fact
    template: Fact
    status: str
    rule: str = ""  # the finding's rule, '' when none

    @property
    def live_value(self) -> Any:
        return _effective(self.fact, self.live.value)

    @property
    def template_value(self) -> Any:
        return _effective(self.fact, self.template.value)


@dataclass
class Pair:
    template: VmRecord
    live: VmRecord
    matched_by: str  # 'resource id' | 'name, kind and resource group' | 'name and kind'
    differences: list[Difference] = field(default_factory=list)


@dataclass
class Ambiguous:
    template: VmRecord
    candidates: list[VmRecord]


@dataclass
class Drift:
    pairs: list[Pair] = field(default_factory=list)
    undeclared: list[VmRecord] = field(default_factory=list)
    undeployed: list[tuple[VmRecord, str]] = field(default_factory=list)  # (record, why)
    ambiguous: list[Ambiguous] = field(default_factory=list)
    result: RunResult = field(default_factory=RunResult)  # files, records, findings, notes

    def counts(self) -> dict[str, int]:
        return {
            "template_vms": len(self.pairs) + len(self.undeployed) + len(self.ambiguous),
            "live_vms": len({r.identity.lower() for r in self.live_records()}),
            "paired": len(self.pairs),
            "drifted": sum(1 for pair in self.pairs if pair.differences),
            "undeployed": len(self.undeployed),
            "undeclared": len(self.undeclared),
            "ambiguous": len(self.ambiguous),
        }

    def live_records(self) -> list[VmRecord]:
        return [record for record in self.result.records if record.format == LIVE_FORMAT]


# -- the run ----------------------------------------------------------------------------------


def run_drift(templates: list[str], exports: list[str], options, resource_group: str = "") -> Drift:
    """Load both sides (no allowed-value exploration: one deployment each), pair, compare."""
    from armlint.run.pipeline import load_records

    template_side = load_records(
        options.replace(paths=list(templates), explore=False, progress=None)
    )
    live_side = load_records(options.replace(paths=list(exports), explore=False, progress=None))
    template_records = [r for r in template_side.records if r.format != LIVE_FORMAT]
    live_records = _unique_live(live_side, template_side)
    if not live_records:
        raise DriftError(f"no exported VMs or scale sets found in {', '.join(exports)}")
    drift = Drift()
    drift.result.files = template_side.files + live_side.files
    drift.result.records = template_records + live_records
    drift.result.notes = list(dict.fromkeys(template_side.notes + live_side.notes))
    _pair_all(drift, template_records, live_records, resource_group)
    findings = [f for f in template_side.findings + live_side.findings if f.rule == "AZP001"]
    findings.extend(_findings(drift, options.profile))
    drift.result.findings = findings
    # The one findings path, as for every command: names, selection, severity overrides,
    # unknown values, order, then the suppressions, per-file configuration and baseline.
    from armlint.run.findings import DRIFT_ENGINES, finish

    finish(drift.result, options, DRIFT_ENGINES)
    return drift


def _unique_live(live_side: RunResult, template_side: RunResult) -> list[VmRecord]:
    """Live records once per resource id (the same VM may be in two exports, say a VM list and
    a Resource Graph page); exports found among the templates count too."""
    seen: dict[str, VmRecord] = {}
    for record in live_side.records + template_side.records:
        if record.format != LIVE_FORMAT:
            continue
        key = record.identity.lower()
        if key in seen:
            first = seen[key]
            if first.location != record.location:
                live_side.notes.append(
                    f"{record.identity} is in two exports; {first.location.short()} is used,"
                    f" {record.location.short()} is not"
                )
            continue
        seen[key] = record
    return list(seen.values())


# -- pairing ----------------------------------------------------------------------------------


def _pair_all(drift: Drift, templates: list[VmRecord], lives: list[VmRecord], group: str) -> None:
    by_name: dict[tuple[str, str], list[VmRecord]] = {}
    by_id: dict[str, VmRecord] = {}
    for record in lives:
        by_name.setdefault((record.kind, record.name.lower()), []).append(record)
        by_id[record.identity.lower()] = record
    claimed: set[str] = set()
    for template in templates:
        found = _match(template, by_id, by_name, group)
        if isinstance(found, Pair):
            found.differences = _differences(found)
            drift.pairs.append(found)
            claimed.add(found.live.identity.lower())
        elif isinstance(found, Ambiguous):
            drift.ambiguous.append(found)
            claimed.update(c.identity.lower() for c in found.candidates)
        else:
            drift.undeployed.append((template, found))
    drift.undeclared = [r for r in lives if r.identity.lower() not in claimed]


def _match(template: VmRecord, by_id, by_name, group: str) -> Pair | Ambiguous | str:
    """A pair, the ambiguous candidates, or why there is no live VM for the template."""
    identifier = template.resource_id or None
    if isinstance(identifier, str) and identifier.lower() in by_id:
        return Pair(template, by_id[identifier.lower()], "resource id")
    name = template.name
    if template.name == "<unknown name>" or not isinstance(name, str):
        return "its name is only known at deployment, so it cannot be paired"
    candidates = by_name.get((template.kind, name.lower()), [])
    wanted = str(template.resource_group or group or "")
    how = "name and kind"
    if wanted and candidates:
        candidates = [c for c in candidates if str(c.resource_group).lower() == wanted.lower()]
        how = "name, kind and resource group"
    if len(candidates) == 1:
        return Pair(template, candidates[0], how)
    if candidates:
        return Ambiguous(template, candidates)
    where = f" in resource group '{wanted}'" if wanted else ""
    kind = "scale set" if template.kind == "vmss" else "VM"
    return f"no live {kind} named '{name}'{where} in the exports"


# -- differences ------------------------------------------------------------------------------


def _effective(name: str, value: Any) -> Any:
    from armlint.checks.transition_rules import effective

    if value is None and name in UNSET_IS_FALSE:
        return False
    return effective(name, value)


def _differences(pair: Pair) -> list[Difference]:
    from armlint.checks.transition_rules import UPDATE_CHECKS, Change, Hit

    change = Change(pair.live, pair.template, _describe_live)
    verdicts: dict[str, str] = {}
    for check in UPDATE_CHECKS:
        for outcome in check(change, "current"):
            if isinstance(outcome, Hit):
                verdicts.setdefault(outcome.at, outcome.rule)
    found = []
    for name in DRIFT_FACTS:
        live, template = pair.live.fact(name), pair.template.fact(name)
        if isinstance(template.value, Unknown) or isinstance(live.value, Unknown):
            if live.value is not None or template.value is not None:
                found.append(Difference(name, live, template, STATUS_UNKNOWN))
            continue
        if _effective(name, live.value) == _effective(name, template.value):
            continue
        if _effective(name, template.value) is None:
            # The template does not write it and it has no platform default: what a
            # deployment does with a live value the body leaves out is not documented.
            found.append(Difference(name, live, template, STATUS_UNSET))
            continue
        rule = verdicts.get(name, "AZP601")
        status = STATUS_CHANGES
        if rule in FIXED_RULES:
            status = STATUS_FIXED
        elif rule in REFUSED_RULES:
            status = STATUS_REFUSED
        found.append(Difference(name, live, template, status, rule))
    return found


def _describe_live(fact: Fact) -> str:
    where = fact.location
    return f"live at {where.short()}" if where is not None else "on the live VM"


# -- findings ---------------------------------------------------------------------------------


def _findings(drift: Drift, profile: str) -> list[Finding]:
    from armlint.checks.transition_rules import UPDATE_CHECKS, Change, change_findings

    findings: list[Finding] = []
    for pair in drift.pairs:
        change = Change(pair.live, pair.template, _describe_live)
        findings.extend(change_findings(change, UPDATE_CHECKS, profile))
        findings.extend(_changed_finding(pair, d) for d in pair.differences if d.rule == "AZP601")
    for template, why in drift.undeployed:
        values = {"kind": _kind_word(template), "why": why}
        findings.append(_finding("AZP603", values, template, template.location))
    for live in drift.undeclared:
        values = {"kind": _kind_word(live).lower(), "group": live.resource_group or "?"}
        findings.append(_finding("AZP602", values, live, live.location))
    for entry in drift.ambiguous:
        listed = "; ".join(f"{c.identity} ({c.location.short()})" for c in entry.candidates)
        values = {"count": str(len(entry.candidates)), "candidates": listed}
        findings.append(_finding("AZP604", values, entry.template, entry.template.location))
    return findings


def _kind_word(record: VmRecord) -> str:
    return "Scale set" if record.kind == "vmss" else "VM"


def _changed_finding(pair: Pair, difference: Difference) -> Finding:
    from armlint.checks.engine import render_value
    from armlint.checks.transition_rules import label_of

    template = difference.template
    values = {
        "setting": label_of(difference.fact),
        "live_value": render_value(difference.live_value),
        "live_source": _describe_live(difference.live),
        "template_value": render_value(difference.template_value),
        "default": " (platform default)" if template.source == SOURCE_DEFAULT else "",
    }
    where = template.location or pair.template.location
    return _finding("AZP601", values, pair.template, where, difference.fact)


def _finding(rule: str, values: dict, record: VmRecord, where, at: str = "") -> Finding:
    """A drift finding: its text is the rule file's message with ``values`` (and {name}, the
    VM's); its name and severity come from the pack on the findings path."""
    from armlint.checks.engine import render_message
    from armlint.checks.pack import load_pack
    from armlint.model import fingerprint, pack_finding

    message = render_message(load_pack().rules[rule].message, record, {}, values)
    return pack_finding(
        rule,
        message,
        where,
        resource=record.identity,
        fingerprint=fingerprint(record, rule, at or "resource"),
    )


__all__ = ["Drift", "DriftError", "Pair", "run_drift"]
