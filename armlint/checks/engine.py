"""Runs the rule pack over VM records: conditions, code rules, unknowns, messages.

The pack is data (``rules/*.yaml``). A rule either has a ``when`` condition over the facts view
or names a code rule in ``code_rules.CODE_RULES``. A rule that cannot decide because a fact is
unknown does not pass silently: the engine reports AZP002 for that fact, naming the rules it
blocked.
"""

from __future__ import annotations

from collections.abc import Iterable

from armlint.checks import conditions
from armlint.checks.hits import (
    UNKNOWN_RULE,
    Blocked,
    Hit,
    hit_finding,
    unknown_finding,
    unknown_reason,
)
from armlint.checks.pack import Rule, RulePack
from armlint.checks.property_names import ARM_NAMES, property_name
from armlint.model import (
    SOURCE_ABSENT,
    Fact,
    Finding,
    Location,
    Unknown,
    VmRecord,
    fingerprint,
    stable_path,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

__all__ = ["CheckOptions", "Engine", "fingerprint", "render_value", "stable_path"]


class CheckOptions:
    """Which rules run; severity overrides and selection of what is shown are applied later,
    for every command alike, by ``armlint.run.findings``. (A plain class: creating a dataclass
    costs about a millisecond of every run's start-up.)"""

    def __init__(self, profile: str = "current", enabled: set[str] | None = None) -> None:
        self.profile = profile
        self.enabled = enabled  # rule ids to run; None = all


def facts_view(record: VmRecord) -> dict[str, Any]:
    """The record as conditions see it: fact name -> value; absent facts left out."""
    view: dict[str, Any] = {"kind": record.kind, "format": record.format}
    for name, fact in record.facts.items():
        if fact.source != SOURCE_ABSENT:
            view[name] = fact.value
    return view


def _runs_here(rule: Rule) -> bool:
    """A record rule; AZP002 is every engine's report of an unknown, not a rule run here."""
    return rule.engine == "record" and rule.id != UNKNOWN_RULE


class Engine:
    def __init__(self, pack: RulePack, options: CheckOptions) -> None:
        self.pack = pack
        self.options = options
        self.errors: list[str] = []  # rule failures, reported as notes instead of crashing
        # A condition's verdict by the values it reads: exploring checks one VM once per
        # allowedValues combination, and copy loops make equal VMs (see _verdict).
        self._condition_keys: dict[int, tuple[Any, tuple[str, ...] | None]] = {}
        self._verdicts: dict[tuple, conditions.Verdict] = {}
        self.rules = [
            rule
            for rule in pack.rules.values()
            if _runs_here(rule) and options.profile in rule.profiles and self._enabled(rule)
        ]

    def _enabled(self, rule: Rule) -> bool:
        return self.options.enabled is None or rule.id in self.options.enabled

    def check(self, records: Iterable[VmRecord]) -> list[Finding]:
        findings: list[Finding] = []
        for record in records:
            findings.extend(self.check_record(record))
        return findings

    def check_record(self, record: VmRecord) -> list[Finding]:
        from armlint.checks.derive import derive
        from armlint.checks.tables import load_tables

        tables = load_tables()
        view = facts_view(record)
        view.update(derive(view, self.options.profile, tables))
        findings: list[Finding] = []
        blocked: dict[str, list[str]] = {}
        for rule in self.rules:
            if record.kind not in rule.applies_to:
                continue
            for outcome in self._guarded_outcomes(rule, record, view, tables):
                if isinstance(outcome, Blocked):
                    blocked.setdefault(outcome.fact, []).append(rule.id)
                else:
                    findings.append(self._finding(rule, record, outcome, view))
        findings.extend(self._unknown_findings(record, view, blocked))
        return findings

    def _guarded_outcomes(self, rule: Rule, record: VmRecord, view: dict, tables):
        try:
            return self._outcomes(rule, record, view, tables)
        except Exception as error:
            self.errors.append(
                f"internal error in rule {rule.id} on {record.identity} ({record.location}):"
                f" {type(error).__name__}: {error}"
            )
            return []

    def _outcomes(
        self, rule: Rule, record: VmRecord, view: dict, tables
    ) -> Iterable[Hit | Blocked]:
        condition = rule.condition(self.options.profile)
        if condition is not None:
            verdict = self._verdict(condition, view)
            if verdict.value is conditions.YES:
                return [Hit(rule.at, render_message(rule.message, record, view))]
            if verdict.value is conditions.MAYBE:
                return [Blocked(name) for name in sorted(verdict.unknown)]
            return []
        from armlint.checks.code_rules import CODE_RULES

        function = CODE_RULES.get(rule.check or "")
        if function is None:
            return []
        return list(function(record, view, self.options.profile, tables))

    def _verdict(self, condition: Any, view: dict) -> conditions.Verdict:
        """``conditions.evaluate``, once per condition and values of the facts it reads (a
        condition is a pure function of them; the pack keeps each condition alive)."""
        known = self._condition_keys.get(id(condition))
        if known is None or known[0] is not condition:
            found = conditions.view_keys(condition)
            keys = tuple(sorted(found)) if found is not None else None
            known = self._condition_keys[id(condition)] = (condition, keys)
        keys = known[1]
        values = conditions.values_key(view, keys) if keys is not None else None
        if values is None:
            return conditions.evaluate(condition, view)
        memo_key = (id(condition), values)
        verdict = self._verdicts.get(memo_key)
        if verdict is None:
            verdict = self._verdicts[memo_key] = conditions.evaluate(condition, view)
        return verdict

    def _finding(self, rule: Rule, record: VmRecord, hit: Hit, view: dict) -> Finding:
        provenance = _provenance(record, hit.at)
        message = hit_message(rule, record, view, hit)
        return hit_finding(
            self.pack, self.options.profile, rule.id, record, hit, provenance, message
        )

    def _unknown_findings(self, record: VmRecord, view: dict, blocked: dict[str, list[str]]):
        if not blocked:
            return []
        by_fact: dict[str, tuple[Fact | None, list[str]]] = {}
        for name, rule_ids in blocked.items():
            source_name, fact = _source_fact(record, view, name)
            entry = by_fact.setdefault(source_name, (fact, []))
            entry[1].extend(rule_ids)
        findings = []
        for name, (fact, rule_ids) in sorted(by_fact.items()):
            reason = unknown_reason(fact, view.get(name))
            rules = ", ".join(sorted(set(rule_ids)))
            message = f"{_label(name, record)} is unknown: {reason}; not checked: {rules}"
            provenance = fact.trace if fact is not None else ()
            findings.append(
                unknown_finding(self.pack, self.options.profile, record, name, message, provenance)
            )
        return findings


def _source_fact(record: VmRecord, view: dict, name: str) -> tuple[str, Fact | None]:
    """The recorded fact behind a (possibly derived) unknown view entry."""
    if name in record.facts:
        return name, record.facts[name]
    value = view.get(name)
    if isinstance(value, Unknown):
        for fact_name, fact in record.facts.items():
            if isinstance(fact.value, Unknown) and fact.value.reason == value.reason:
                return fact_name, fact
    return name, None


def _label(name: str, record: VmRecord) -> str:
    """A patch property by its name in the record's file; other facts described."""
    if name in ARM_NAMES:
        return property_name(record, name)
    return FACT_LABELS.get(name, name)


# ARM names for the patch properties (transitions.py uses them too), descriptions for the rest.
FACT_LABELS = {
    **ARM_NAMES,
    "os": "the operating system",
    "image_publisher": "the image publisher",
    "image_offer": "the image offer",
    "image_sku": "the image SKU",
    "image_id": "the image id",
    "location": "location",
    "health_extension": "the application health extension",
    "maintenance_assignment": "the maintenance configuration assignment",
    "orchestration_mode": "orchestrationMode",
}


def _provenance(record: VmRecord, at: str) -> tuple[str, ...]:
    fact = record.facts.get(at)
    steps = [f"{record.identity} ({record.location})"]
    if fact is not None:
        label = _label(at, record)
        steps.append(f"{label} = {render_value(fact.value)} ({fact.describe_source()})")
    if record.scenario:
        steps.append("when " + scenario_text(record.scenario))
    return tuple(steps)


def scenario_text(scenario: tuple) -> str:
    return ", ".join(f"{name}={render_value(value)}" for name, value in scenario)


# -- messages ---------------------------------------------------------------------------


def render_value(value: Any) -> str:
    if isinstance(value, Unknown):
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"'{_clip(value)}'"
    return _clip(str(value))


MESSAGE_VALUE_LIMIT = 120


def _clip(text: str) -> str:
    """A value in a message stays readable however long it is in the template."""
    if len(text) <= MESSAGE_VALUE_LIMIT:
        return text
    return f"{text[: MESSAGE_VALUE_LIMIT - 20]}... ({len(text)} characters)"


class _Placeholder:
    """What ``{patch_mode}``, ``{patch_mode.source}`` and ``{patch_mode.property}`` (the
    property's name in the file's own words, see checks/property_names.py) render to."""

    __slots__ = ("location", "property", "source", "value")

    def __init__(self, value: Any, fact: Fact | None, property_name: str = "?") -> None:
        self.value = value
        self.property = property_name
        self.source = fact.describe_source() if fact is not None else "derived"
        where = fact.location if fact is not None else None
        self.location = where.short() if isinstance(where, Location) else "?"

    def __format__(self, spec: str) -> str:
        return render_value(self.value)

    def __str__(self) -> str:
        return render_value(self.value)


class _Fields(dict):
    """A fact missing from the view (absent) still has a property name for its message."""

    def __init__(self, record: VmRecord) -> None:
        super().__init__()
        self.record = record

    def __missing__(self, key: str) -> _Placeholder:
        return _Placeholder("?", None, property_name(self.record, key))


def hit_message(rule: Rule, record: VmRecord, view: dict, hit: Hit) -> str:
    """The text of a hit: a condition rule's is rendered already; a code rule's is its rule
    file's template (``messages[hit.template]``, or ``message``) with the facts and the values
    the code found."""
    if not hit.template:
        return hit.message
    text = rule.message if hit.template == "message" else rule.messages[hit.template]
    return render_message(text, record, view, dict(hit.values))


def render_message(
    template: str, record: VmRecord, view: dict, values: dict[str, str] | None = None
) -> str:
    fields = _Fields(record)
    for name, value in view.items():
        fields[name] = _Placeholder(value, record.facts.get(name), property_name(record, name))
    fields["name"] = _Placeholder(record.name, None)
    fields.update(values or {})
    import string  # only when there is a finding to word: not on every run's start-up path

    try:
        return string.Formatter().vformat(template, (), fields)
    except (ValueError, AttributeError, IndexError, KeyError):
        return template
