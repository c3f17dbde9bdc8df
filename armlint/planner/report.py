"""What ``armlint plan`` and ``armlint inventory`` print, and the findings ``--fail-on`` weighs.

The findings are the plan rules AZP501-AZP503, named and graded by the rule pack
(rules/AZP50x.yaml, then the configuration's severity overrides), plus the load-time findings
of the run other than unknown values: a file that could not be read (AZP001) means VMs missing
from the plan, which a plan gate must not pass silently. Unknown values (AZP002) are left out:
the plan already shows them as 'unknown: ...' exclusions and uncertain batches.

This is the only planner module that reads the rule pack, and only when called.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

from armlint.model import Finding, VmRecord
from armlint.planner.inventory import inventory
from armlint.planner.plan import Plan, PlanSettings, build_plan
from armlint.planner.rules import PLAN_RULES, RuleMeta, plan_findings

UNKNOWN_RULE = "AZP002"


@dataclasses.dataclass(frozen=True, slots=True)
class RuleChoices:
    """The run's rule configuration, as ``armlint.pipeline.RunOptions`` carries it."""

    profile: str = "current"
    enabled: frozenset[str] | None = None  # None: every rule
    severities: Mapping[str, str] = dataclasses.field(default_factory=dict)

    def wants(self, rule_id: str) -> bool:
        return self.enabled is None or rule_id in self.enabled


def plan_report(
    records: list[VmRecord],
    load_findings: list[Finding],
    settings: PlanSettings | None = None,
    fmt: str = "text",
    *,
    profile: str = "current",
    enabled: Iterable[str] | None = None,
    severities: Mapping[str, str] | None = None,
) -> tuple[str, list[Finding]]:
    """The plan in ``fmt`` with its Findings section, and those findings.

    Raises ``PlanError`` for contradictory settings and ``ValueError`` for an unknown format.
    """
    from armlint.report.plan_formats import render_plan

    choices = _choices(profile, enabled, severities)
    plan = build_plan(records, settings)
    findings = report_findings(plan, records, load_findings, choices)
    return render_plan(plan_data(plan, findings), fmt), findings


def inventory_report(
    records: list[VmRecord],
    load_findings: list[Finding],
    settings: PlanSettings | None = None,
    fmt: str = "text",
    *,
    profile: str = "current",
    enabled: Iterable[str] | None = None,
    severities: Mapping[str, str] | None = None,
) -> tuple[str, list[Finding]]:
    """The inventory in ``fmt``, its ``findings`` column including AZP501-AZP503, and the
    findings ``--fail-on`` weighs (the same list ``plan_report`` returns)."""
    from armlint.report.plan_formats import render_inventory

    choices = _choices(profile, enabled, severities)
    plan = build_plan(records, settings)
    findings = report_findings(plan, records, load_findings, choices)
    # The column keeps the unknown values too: they are part of a VM's posture.
    unknowns = [f for f in _configured(load_findings, choices) if f.rule == UNKNOWN_RULE]
    rows = inventory(records, [*unknowns, *findings], settings=plan.settings)
    return render_inventory(rows, fmt), findings


def report_findings(
    plan: Plan, records: list[VmRecord], load_findings: list[Finding], choices: RuleChoices
) -> list[Finding]:
    """Load-time findings (not AZP002, not suppressed) and plan findings, enabled ones only,
    sorted."""
    loaded = [
        finding
        for finding in _configured(load_findings, choices)
        if finding.rule != UNKNOWN_RULE and not finding.suppressed
    ]
    planned = plan_findings(plan, records, pack_rules(choices))
    planned = [finding for finding in planned if choices.wants(finding.rule)]
    return sorted([*loaded, *planned], key=lambda finding: finding.sort_key)


def pack_rules(choices: RuleChoices) -> dict[str, RuleMeta]:
    """AZP501-AZP503 as the rule pack names and grades them, overrides applied."""
    from armlint.checks.pack import load_pack

    rules = load_pack().rules
    metas = {}
    for default in PLAN_RULES:
        rule = rules.get(default.id)
        name = rule.name if rule else default.name
        severity = rule.severity_for(choices.profile) if rule else default.severity
        metas[default.id] = RuleMeta(default.id, name, choices.severities.get(default.id, severity))
    return metas


def plan_data(plan: Plan, findings: list[Finding]) -> dict:
    """``Plan.to_dict()`` with a ``findings`` array before the assumptions (plan.schema.json)."""
    from armlint.report.json_report import finding_object

    data = plan.to_dict()
    assumptions = data.pop("assumptions")
    data["findings"] = [finding_object(finding, "") for finding in findings]
    data["assumptions"] = assumptions
    return data


def _choices(
    profile: str, enabled: Iterable[str] | None, severities: Mapping[str, str] | None
) -> RuleChoices:
    chosen = None if enabled is None else frozenset(enabled)
    return RuleChoices(profile, chosen, dict(severities or {}))


def _configured(findings: list[Finding], choices: RuleChoices) -> list[Finding]:
    """Enabled findings (AZP002 always, as the pipeline does) with severity overrides, as
    copies: the caller's findings are left as they were."""
    kept = []
    for finding in findings:
        if finding.rule != UNKNOWN_RULE and not choices.wants(finding.rule):
            continue
        severity = choices.severities.get(finding.rule, finding.severity)
        kept.append(dataclasses.replace(finding, severity=severity))
    return kept
