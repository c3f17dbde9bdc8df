"""The one path every command's findings take, in this order:

1. name and grade: a finding a loader or the planner made carries only its rule id; its name
   and severity come from the rule pack (``rules/*.yaml``), for the run's profile;
2. selection: rules the run does not report are dropped (unknown values, AZP002, are always
   counted);
3. severity overrides from the configuration;
4. unknown values counted, and listed only when asked (``show_unknown``);
5. de-duplication (copy-loop instances share their template lines) and a stable order;
6. the gates, when the run has them (``RunOptions.gates``): inline suppressions with their
   hygiene findings (AZP901/AZP902), the per-file configuration, then the baseline.

``check``, ``check --against``, ``diff``, ``plan`` and ``inventory`` all call ``finish``; a
library caller gets the same answer by calling it on what it loaded.
"""

from __future__ import annotations

from armlint.model import Finding, RunResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.checks.pack import RulePack
    from armlint.run.options import RunOptions

UNKNOWN_RULE = "AZP002"

# The engines (rules/*.yaml `engine:`) each command runs: a suppression of a rule the command
# never runs is not "unused" there (AZP902).
CHECK_ENGINES = frozenset({"record", "load", "transition", "hygiene"})
DIFF_ENGINES = frozenset({"transition", "hygiene"})
PLAN_ENGINES = frozenset({"load", "plan", "hygiene"})
# drift: load findings, the live comparison and the update checks of a template -> live change.
DRIFT_ENGINES = frozenset({"load", "live", "transition", "hygiene"})


class GateError(Exception):
    """A configuration or baseline problem found while applying the gates: one line, exit 2."""


def finish(result: RunResult, options: RunOptions, engines: frozenset[str]) -> RunResult:
    """Every step above, in place; returns ``result``."""
    from armlint.checks.pack import load_pack

    pack = load_pack()
    result.findings, unknown_count = select(result.findings, options, pack)
    result.unknown_count += unknown_count
    result.rules = pack.infos(docs=options.rule_docs)
    apply_gates(result, options, engines)
    return result


def select(
    findings: list[Finding], options: RunOptions, pack: RulePack
) -> tuple[list[Finding], int]:
    """Steps 1 to 5: the findings the run reports, sorted, and the number of unknown values."""
    named = [_named(finding, pack, options.profile) for finding in findings]
    kept = [finding for finding in named if _enabled(finding, options)]
    for finding in kept:
        finding.severity = options.severities.get(finding.rule, finding.severity)
    unknown_count = sum(1 for finding in kept if finding.rule == UNKNOWN_RULE)
    if not options.show_unknown:
        kept = [finding for finding in kept if finding.rule != UNKNOWN_RULE]
    return sorted(dedupe(kept), key=lambda finding: finding.sort_key), unknown_count


def _named(finding: Finding, pack: RulePack, profile: str) -> Finding:
    rule = pack.rules.get(finding.rule)
    if rule is not None:
        finding.name = finding.name or rule.name
        finding.severity = finding.severity or rule.severity_for(profile)
    return finding


def _enabled(finding: Finding, options: RunOptions) -> bool:
    if finding.rule == UNKNOWN_RULE:
        return True  # always counted; shown only with --show-unknown
    return options.enabled is None or finding.rule in options.enabled


def dedupe(findings: list[Finding]) -> list[Finding]:
    """Copy-loop instances share their template lines: one finding per line and message."""
    seen: set[tuple] = set()
    unique = []
    for finding in findings:
        key = (finding.rule, finding.location, finding.text)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def apply_gates(result: RunResult, options: RunOptions, engines: frozenset[str]) -> None:
    """Step 6, in place: inline suppressions, then per-file rules, then the baseline; each
    sees the previous. Nothing happens when ``options.gates`` is None."""
    gates = options.gates
    if gates is None:
        return
    from armlint.checks.pack import load_pack
    from armlint.config import ConfigError, apply_per_file
    from armlint.run.suppressions import apply_suppressions

    ran = load_pack().run_by(set(engines))
    enabled = ran if options.enabled is None else ran & options.enabled
    config = gates.config
    try:
        apply_suppressions(
            result,
            gates.today,  # None: today
            enabled=enabled,
            enabled_for=(lambda path: config.enabled_for(path, enabled)) if config else None,
            severities=options.severities,
        )
        if config is not None:
            apply_per_file(result, config)
    except ConfigError as error:
        raise GateError(str(error)) from None
    if gates.baseline:
        from armlint.run.baseline import BaselineError, apply_baseline

        try:
            result.notes.extend(apply_baseline(result, gates.baseline, enabled=options.enabled))
        except BaselineError as error:
            raise GateError(str(error)) from None


def without_gates(options: RunOptions) -> RunOptions:
    """The same run with nothing hidden yet: for the parts of a command whose findings are
    joined before the gates see them (``check --against``)."""
    return options.replace(gates=None)
