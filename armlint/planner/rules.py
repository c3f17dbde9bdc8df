"""The plan rules AZP501-AZP504: what the batching says about the redundancy the templates meant.

A redundancy group is the VMs one loop produced in one deployment (``record.group`` with more
than one instance), or the VMs whose names start with a configured prefix.

A finding carries its rule id only: its name and severity come from rules/AZP50x.yaml and the
configuration on the one findings path (``armlint.run.findings``), as every command's do.
"""

from __future__ import annotations

from dataclasses import dataclass

from armlint.model import Finding, Location, VmRecord, fingerprint, pack_finding
from armlint.planner.participation import decide
from armlint.planner.placement import (
    SetPlan,
    creation_key,
    deployment_key,
    plan_sets,
    record_names,
)
from armlint.planner.plan import Plan
from armlint.planner.regions import load_region_table

AZP501, AZP502, AZP503, AZP504 = "AZP501", "AZP502", "AZP503", "AZP504"
PLAN_RULES = (AZP501, AZP502, AZP503, AZP504)

# Group label (as messages show it) and the deployment it belongs to ('' for name prefixes).
GroupKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class _Context:
    """What every rule needs: display names and batches per record."""

    names: dict[int, str]  # id(record) -> display name
    batches_of: dict[int, set[int]]  # id(record) -> batch numbers (availability-first)
    scheduled: dict[int, tuple[str, int]]  # id(record) -> (schedule, step) when schedule-patched
    uncertain: set[int]  # numbers of the uncertain batches

    def patched(self, record: VmRecord) -> bool:
        """Patched by the platform: availability-first or by its maintenance schedule."""
        return id(record) in self.batches_of or id(record) in self.scheduled


def plan_findings(plan: Plan, records: list[VmRecord]) -> list[Finding]:
    """Findings about ``plan``, which must have been built from the same ``records`` (the
    very objects: batches point at them); named and graded later, by the findings path."""
    ordered = sorted(records, key=creation_key)
    context = _Context(
        names={id(r): name for r, name in zip(ordered, record_names(ordered), strict=True)},
        batches_of=_batches_by_record(plan),
        scheduled=_steps_by_record(plan),
        uncertain={batch.number for batch in plan.batches if batch.uncertain},
    )
    groups = redundancy_groups(ordered, plan.settings.redundancy_prefixes)
    findings = [
        *_same_batch(groups, context),
        *_single_update_domain(plan, ordered, context),
        *_excluded_siblings(plan, groups, context),
        *_same_schedule(groups, context),
    ]
    return sorted(findings, key=lambda finding: finding.sort_key)


def redundancy_groups(
    records: list[VmRecord], prefixes: list[str]
) -> dict[GroupKey, list[VmRecord]]:
    """(label, deployment) -> members (creation order); only groups of two or more."""
    groups: dict[GroupKey, list[VmRecord]] = {}
    for record in records:
        if record.group:
            key = (f"loop {record.group}", deployment_key(record))
            groups.setdefault(key, []).append(record)
    for prefix in prefixes:
        members = [record for record in records if str(record.name).startswith(prefix)]
        groups[(f"name prefix {prefix!r}", "")] = members
    return {
        key: members
        for key, members in groups.items()
        if len(members) > 1 and not _one_name(members)
    }


def _one_name(members: list[VmRecord]) -> bool:
    """One VM deployed again and again by a module loop (the AVM tests deploy each module
    twice, 'init' and 'idem'), not copies of a service: every member has the same name."""
    names = {member.name for member in members}
    through_module = "module" in members[0].group
    return through_module and len(names) == 1 and isinstance(next(iter(names)), str)


def _batches_by_record(plan: Plan) -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for batch in plan.batches:
        for record in batch.records:
            found.setdefault(id(record), set()).add(batch.number)
    return found


def _steps_by_record(plan: Plan) -> dict[int, tuple[str, int]]:
    found: dict[int, tuple[str, int]] = {}
    for group in plan.schedules:
        for batch in group.batches:
            for record in batch.records:
                found[id(record)] = (group.name, batch.step)
    return found


def _same_schedule(groups: dict[GroupKey, list[VmRecord]], context: _Context) -> list[Finding]:
    """AZP504: every member of a group is patched by one schedule in one step (MC: a schedule
    starts all its resources at once; only update domains keep them apart)."""
    findings = []
    for (label, _), members in groups.items():
        steps = {context.scheduled.get(id(member)) for member in members}
        step = next(iter(steps))
        if len(steps) != 1 or step is None:
            continue
        schedule, _step = step
        values = {**_group_values(label, members, context), "schedule": str(schedule)}
        fact = members[0].fact("maintenance_schedule")
        at = fact.location or members[0].location
        findings.append(_finding(AZP504, members[0], values, at, "schedule"))
    return findings


def _same_batch(groups: dict[GroupKey, list[VmRecord]], context: _Context) -> list[Finding]:
    """AZP501: every member of a group takes part, and all of them in one known batch."""
    findings = []
    for (label, _), members in groups.items():
        if any(id(member) not in context.batches_of for member in members):
            continue  # a member that is not auto-patched keeps serving
        batches = set().union(*(context.batches_of[id(member)] for member in members))
        if len(batches) != 1 or batches <= context.uncertain:
            continue  # an uncertain batch is a placeholder: the members may well be apart
        values = {**_group_values(label, members, context), "batch": str(next(iter(batches)))}
        findings.append(_finding(AZP501, members[0], values, members[0].location, "group"))
    return findings


def _group_values(label: str, members: list[VmRecord], context: _Context) -> dict[str, str]:
    """The placeholders naming a redundancy group: {count}, {group} and {members}."""
    shown = ", ".join(context.names[id(member)] for member in members)
    return {"count": str(len(members)), "group": label, "members": shown}


def _single_update_domain(plan: Plan, records: list[VmRecord], context: _Context) -> list[Finding]:
    """AZP502: an auto-patched set whose VMs cannot be spread over update domains."""
    settings = plan.settings
    sets = plan_sets(
        records,
        load_region_table(),
        settings.availability_set_update_domains,
        settings.availability_set_sizes,
        settings.update_domain_count_default,
    )
    findings = []
    for (_, (_, set_id)), set_plan in sorted(sets.items()):
        members = [r for r in records if id(r) in set_plan.domain_of]
        patched = [r for r in members if context.patched(r)]
        values = _single_domain_values(set_plan)
        if patched and values:
            at = patched[0].fact("availability_set").location or patched[0].location
            findings.append(_finding(AZP502, patched[0], values, at, f"set {set_id}"))
    return findings


def _single_domain_values(set_plan: SetPlan) -> dict[str, str]:
    """The AZP502 template (rules/AZP502.yaml messages) and its values; empty when none fits."""
    if set_plan.update_domains == 1 and set_plan.count_source in ("setting", "declared"):
        given = "declares" if set_plan.count_source == "declared" else "is configured with"
        return {"template": "one_domain", "set": set_plan.display, "given": given}
    if set_plan.size == 1:
        return {"template": "one_vm", "set": set_plan.display}
    return {}


def _excluded_siblings(
    plan: Plan, groups: dict[GroupKey, list[VmRecord]], context: _Context
) -> list[Finding]:
    """AZP503: one member of a group stays out of platform patching while others take part."""
    findings = []
    reported: set[int] = set()
    for (label, _), members in groups.items():
        patched = [member for member in members if context.patched(member)]
        if not patched:
            continue
        for member in members:
            if context.patched(member) or id(member) in reported:
                continue
            reported.add(id(member))
            findings.append(_excluded_finding(plan, member, label, len(patched), context))
    return findings


def _excluded_finding(
    plan: Plan, record: VmRecord, label: str, patched: int, context: _Context
) -> Finding:
    decision = decide(record, plan.settings.image_supported)
    values = {
        "vm": context.names[id(record)],
        "patched": str(patched),
        "group": label,
        "reason": decision.reason,
    }
    at = record.fact(decision.fact).location if decision.fact else None
    prop = decision.fact or "record"
    return _finding(AZP503, record, values, at or record.location, prop)


def _finding(rule_id: str, record: VmRecord, values: dict, at: Location, prop: str) -> Finding:
    """A planner finding: its text is the rule file's (``message``, or ``messages`` named by
    ``values['template']``) with ``values``; name and severity come on the findings path."""
    from armlint.checks.engine import render_message
    from armlint.checks.pack import load_pack

    rule = load_pack().rules[rule_id]
    key = values.get("template")
    template = rule.messages[key] if key else rule.message
    return pack_finding(
        rule_id,
        render_message(template, record, {}, values),
        at,
        resource=record.identity,
        fingerprint=fingerprint(record, rule_id, prop),
    )
