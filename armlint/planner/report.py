"""What ``armlint plan`` and ``armlint inventory`` print, and the findings ``--fail-on`` weighs.

The findings are the plan rules AZP501-AZP503 plus the load-time findings of the run other than
unknown values: a file that could not be read (AZP001) means VMs missing from the plan, which a
plan gate must not pass silently. Unknown values (AZP002) are left out: the plan already shows
them as 'unknown: ...' exclusions and uncertain batches. They take the one findings path
(``armlint.run.findings``): names and severities from the rule pack, the configuration's
selection and overrides, inline suppressions and per-file configuration, as for ``check``.

This is the only planner module that reads the rule pack or the run, and only when called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from armlint.model import FileReport, Finding, RunResult, VmRecord
from armlint.planner.inventory import inventory
from armlint.planner.plan import Plan, PlanSettings, build_plan
from armlint.planner.rules import plan_findings

if TYPE_CHECKING:
    from armlint.run.options import Gates, RunOptions

UNKNOWN_RULE = "AZP002"


def table_report(
    command: str,
    fmt: str,
    options: RunOptions,
    plan_options: Mapping[str, Any] | None = None,
    loaded: RunResult | None = None,
    width: int | None = None,
) -> tuple[str, list[Finding]]:
    """``armlint plan`` or ``armlint inventory`` over ``options.paths``: the text in ``fmt`` and
    the findings ``--fail-on`` weighs; ``plan_options`` are further ``PlanSettings`` fields;
    ``loaded`` is the records already loaded (stdin copies renamed back), else they are loaded;
    ``width`` is the terminal width text tables fit (None: no limit).
    Raises ``MissingPaths``, ``PlanError``, ``GateError``."""
    from armlint.run.pipeline import image_support_checker, load_records

    if loaded is None:
        loaded = load_records(options)
    settings = PlanSettings(
        image_supported=image_support_checker(options.profile), **dict(plan_options or {})
    )
    report = plan_report if command == "plan" else inventory_report
    return report(
        loaded.records,
        loaded.findings,
        settings,
        fmt,
        profile=options.profile,
        enabled=options.enabled,
        severities=options.severities,
        gates=options.gates,
        files=loaded.files,
        width=width,
    )


def plan_report(
    records: list[VmRecord],
    load_findings: list[Finding],
    settings: PlanSettings | None = None,
    fmt: str = "text",
    *,
    profile: str = "current",
    enabled: Iterable[str] | None = None,
    severities: Mapping[str, str] | None = None,
    gates: Gates | None = None,
    files: Iterable[FileReport] = (),
    width: int | None = None,
) -> tuple[str, list[Finding]]:
    """The plan in ``fmt`` with its Findings section, and those findings.

    ``gates`` (suppressions, per-file configuration) are applied when given, reading the
    ``files`` the records came from. Raises ``PlanError`` for contradictory settings and
    ``ValueError`` for an unknown format.
    """
    from armlint.report.plan_formats import render_plan

    options = _options(profile, enabled, severities, gates)
    plan = build_plan(records, settings)
    findings, _ = report_findings(plan, records, load_findings, options, files)
    return render_plan(plan_data(plan, findings), fmt, width), findings


def inventory_report(
    records: list[VmRecord],
    load_findings: list[Finding],
    settings: PlanSettings | None = None,
    fmt: str = "text",
    *,
    profile: str = "current",
    enabled: Iterable[str] | None = None,
    severities: Mapping[str, str] | None = None,
    gates: Gates | None = None,
    files: Iterable[FileReport] = (),
    width: int | None = None,
) -> tuple[str, list[Finding]]:
    """The inventory in ``fmt``, its ``findings`` column including AZP501-AZP503, and the
    findings ``--fail-on`` weighs (the same list ``plan_report`` returns)."""
    from armlint.report.plan_formats import render_inventory

    options = _options(profile, enabled, severities, gates)
    plan = build_plan(records, settings)
    findings, unknowns = report_findings(plan, records, load_findings, options, files)
    # The column keeps the unknown values too: they are part of a VM's posture.
    rows = inventory(records, [*unknowns, *findings], settings=plan.settings)
    return render_inventory(rows, fmt, width), findings


def report_findings(
    plan: Plan,
    records: list[VmRecord],
    load_findings: list[Finding],
    options: RunOptions,
    files: Iterable[FileReport] = (),
) -> tuple[list[Finding], list[Finding]]:
    """The findings ``--fail-on`` weighs (load-time and plan findings that are reported and not
    suppressed, sorted) and the unknown values apart, both through the one findings path.

    The caller's findings are copied, never changed."""
    from armlint.run.findings import PLAN_ENGINES, finish

    copies = [finding.replace() for finding in load_findings]
    result = RunResult(files=list(files), findings=[*copies, *plan_findings(plan, records)])
    finish(result, options.replace(show_unknown=True), PLAN_ENGINES)
    active = result.active_findings()
    unknowns = [finding for finding in active if finding.rule == UNKNOWN_RULE]
    return [finding for finding in active if finding.rule != UNKNOWN_RULE], unknowns


def plan_data(plan: Plan, findings: list[Finding]) -> dict:
    """``Plan.to_dict()`` with a ``findings`` array before the assumptions (plan.schema.json)."""
    from armlint.report.json_report import finding_object

    data = plan.to_dict()
    assumptions = data.pop("assumptions")
    data["findings"] = [finding_object(finding, "") for finding in findings]
    data["assumptions"] = assumptions
    return data


def _options(
    profile: str,
    enabled: Iterable[str] | None,
    severities: Mapping[str, str] | None,
    gates: Gates | None,
) -> RunOptions:
    from armlint.run.options import RunOptions

    chosen = None if enabled is None else set(enabled)
    return RunOptions(
        profile=profile, enabled=chosen, severities=dict(severities or {}), gates=gates
    )
