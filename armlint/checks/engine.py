"""Runs the rule pack over VM records: conditions, code rules, unknowns, messages.

The pack is data (``rules/*.yaml``). A rule either has a ``when`` condition over the facts view
or names a code rule in ``code_rules.CODE_RULES``. A rule that cannot decide because a fact is
unknown does not pass silently: the engine reports AZP002 for that fact, naming the rules it
blocked.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from armlint.checks import conditions

# At module level, not in the functions run per record: an import statement costs about
# 8,000 instructions even when its module is loaded (two per record were 5.3 M of an ARM
# corpus run; issue 16), and the first engine imported both anyway.
from armlint.checks.derive import DERIVE_INPUTS, derive
from armlint.checks.hits import (
    UNKNOWN_RULE,
    Blocked,
    Hit,
    UnlistedUnknown,
    hit_finding,
    unknown_finding,
    unknown_reason,
)
from armlint.checks.pack import Rule, RulePack
from armlint.checks.property_names import ARM_NAMES, property_name
from armlint.checks.tables import load_tables
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

    def __init__(
        self,
        profile: str = "current",
        enabled: set[str] | None = None,
        unknowns_listed: bool = True,
    ) -> None:
        self.profile = profile
        self.enabled = enabled  # rule ids to run; None = all
        # False: the run only counts unknown values, so AZP002 comes as ``UnlistedUnknown``s.
        self.unknowns_listed = unknowns_listed


def facts_view(record: VmRecord) -> dict[str, Any]:
    """The record as conditions see it: fact name -> value; absent facts left out."""
    view: dict[str, Any] = {"kind": record.kind, "format": record.format}
    view.update({name: f.value for name, f in record.facts.items() if f.source != SOURCE_ABSENT})
    return view


def view_key(view: dict) -> tuple | None:
    """A facts view as a dict key: its names, each value's type (``1 == True``, and a message
    renders them differently) and the values, containers as typed tuples; None when a value is
    unhashable all the same."""
    values = tuple(view.values())
    types = tuple(map(type, values))
    if list in types or dict in types or tuple in types:
        values = tuple(map(_typed, values))  # 1 and True inside them told apart too
    key = (tuple(view), types, values)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def _typed(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return (type(value), tuple(map(_typed, value)))
    if isinstance(value, dict):
        return (dict, tuple((name, _typed(item)) for name, item in value.items()))
    return (type(value), value)


def _runs_here(rule: Rule) -> bool:
    """A record rule; AZP002 is every engine's report of an unknown, not a rule run here."""
    return rule.engine == "record" and rule.id != UNKNOWN_RULE


class _RuleStep:
    """One rule as the engine runs it on records of one kind, looked up once: its
    condition under the profile (None for a code rule) and its code rule's function."""

    __slots__ = ("rule", "condition", "code")

    def __init__(self, rule: Rule, profile: str) -> None:
        from armlint.checks.code_rules import CODE_RULES

        self.rule = rule
        self.condition = rule.condition(profile)
        self.code = CODE_RULES.get(rule.check or "") if self.condition is None else None


class _ViewOutcome:
    """What a facts view alone decides: its derived facts, and the rules left to run on a
    record with that view. A condition rule is left with its verdict (YES or MAYBE; NO is left
    out), or with the error it raised; a code rule with None, since it reads the record too."""

    __slots__ = ("derived", "steps")

    def __init__(self, derived: dict, steps: list[tuple[_RuleStep, Any]]) -> None:
        self.derived = derived
        self.steps = steps


class _SharedMemo:
    """What every engine of a process shares for one pack, profile and rule selection (the
    pipeline makes one engine per work unit, mostly of one or two records): the rules, their
    steps by record kind, and what conditions and facts views decided. Sound because the
    rules read nothing but the view, the record and the tables, which are read once a process."""

    __slots__ = (
        "rules",
        "read_names",
        "steps_by_kind",
        "condition_keys",
        "verdicts",
        "by_view",
    )

    def __init__(self, rules: list[Rule], read_names: frozenset[str] | None) -> None:
        self.rules = rules
        self.read_names = read_names
        self.steps_by_kind: dict[str, list[_RuleStep]] = {}
        # A condition's verdict by the values it reads: a new view often differs from the
        # ones seen only in facts a condition does not read (see Engine._verdict).
        self.condition_keys: dict[int, tuple[Any, tuple[str, ...] | None]] = {}
        self.verdicts: dict[tuple, conditions.Verdict] = {}
        # Derived facts and verdicts by the view's entries they read: copies, allowedValues
        # choices that do not reach the VM and templates written alike share one of a few.
        self.by_view: dict[tuple, _ViewOutcome] = {}


@cache
def _shared_memo(pack: RulePack, profile: str, enabled: frozenset[str] | None) -> _SharedMemo:
    rules = [
        rule
        for rule in pack.rules.values()
        if _runs_here(rule) and profile in rule.profiles and (enabled is None or rule.id in enabled)
    ]
    return _SharedMemo(rules, _read_names(rules, profile))


def _read_names(rules: list[Rule], profile: str) -> frozenset[str] | None:
    """The view entries that derived facts and the rules' conditions read, and the record kind
    (it picks the rules); None when a condition reads the whole view (``const`` over it)."""
    names = {"kind", "format", *DERIVE_INPUTS}
    for rule in rules:
        condition = rule.condition(profile)
        if condition is None:
            continue
        keys = conditions.view_keys(condition)
        if keys is None:
            return None
        names |= keys
    return frozenset(names)


class Engine:
    def __init__(self, pack: RulePack, options: CheckOptions) -> None:
        self.pack = pack
        self.options = options
        self.errors: list[str] = []  # rule failures, reported as notes instead of crashing
        enabled = frozenset(options.enabled) if options.enabled is not None else None
        memo = _shared_memo(pack, options.profile, enabled)
        self.rules = memo.rules
        self._steps_by_kind = memo.steps_by_kind
        self._condition_keys = memo.condition_keys
        self._verdicts = memo.verdicts
        self._by_view = memo.by_view
        self._read_names = memo.read_names

    def check(self, records: Iterable[VmRecord]) -> list[Finding | UnlistedUnknown]:
        findings: list[Finding | UnlistedUnknown] = []
        for record in records:
            findings.extend(self.check_record(record))
        return findings

    def check_record(self, record: VmRecord) -> list[Finding | UnlistedUnknown]:
        """The record's findings; its unknown values as ``UnlistedUnknown``s when the options
        say the run does not list them."""
        tables = load_tables()
        view = facts_view(record)
        outcome = self._view_outcome(view, record.kind, tables)
        findings: list[Finding | UnlistedUnknown] = []
        blocked: dict[str, list[str]] = {}
        for step, verdict in outcome.steps:
            rule = step.rule
            for result in self._step_results(step, verdict, record, view, tables):
                if isinstance(result, Blocked):
                    blocked.setdefault(result.fact, []).append(rule.id)
                else:
                    findings.append(self._finding(rule, record, result, view))
        findings.extend(self._unknown_findings(record, view, blocked))
        return findings

    def _view_outcome(self, view: dict, kind: str, tables) -> _ViewOutcome:
        """Adds the derived facts to ``view`` and says which rules are left to run: as for a
        view seen before with equal entries where they read, since derived facts and conditions
        read nothing but the view (the record's kind is in it)."""
        names = self._read_names
        key = view_key(view if names is None else {n: v for n, v in view.items() if n in names})
        outcome = self._by_view.get(key) if key is not None else None
        if outcome is not None:
            view.update(outcome.derived)
            return outcome
        derived = derive(view, self.options.profile, tables)
        view.update(derived)
        outcome = _ViewOutcome(derived, self._live_steps(self._steps(kind), view))
        if key is not None:
            self._by_view[key] = outcome
        return outcome

    def _steps(self, kind: str) -> list[_RuleStep]:
        """The rules that apply to records of this kind, in pack order."""
        steps = self._steps_by_kind.get(kind)
        if steps is None:
            profile = self.options.profile
            steps = [_RuleStep(rule, profile) for rule in self.rules if kind in rule.applies_to]
            self._steps_by_kind[kind] = steps
        return steps

    def _live_steps(self, steps: list[_RuleStep], view: dict) -> list[tuple[_RuleStep, Any]]:
        """The steps a view leaves to run, each with its condition's verdict or error."""
        live: list[tuple[_RuleStep, Any]] = []
        for step in steps:
            if step.condition is None:
                if step.code is not None:
                    live.append((step, None))
                continue
            try:
                verdict = self._verdict(step.condition, view)
            except Exception as error:  # reported for each record, as the rule runs on it
                live.append((step, error))
                continue
            if verdict.value is not conditions.NO:
                live.append((step, verdict))
        return live

    def _step_results(
        self, step: _RuleStep, verdict: Any, record: VmRecord, view: dict, tables
    ) -> list[Hit | Blocked]:
        if isinstance(verdict, Exception):
            return self._failed(step.rule, record, verdict)
        try:
            if verdict is not None:
                return _condition_results(step.rule, verdict, record, view)
            code = step.code
            assert code is not None  # _live_steps leaves no step without a rule to run
            return list(code(record, view, self.options.profile, tables))
        except Exception as error:
            return self._failed(step.rule, record, error)

    def _failed(self, rule: Rule, record: VmRecord, error: Exception) -> list:
        """A rule's failure on a record becomes a note; the other rules still run."""
        self.errors.append(
            f"internal error in rule {rule.id} on {record.identity} ({record.location}):"
            f" {type(error).__name__}: {error}"
        )
        return []

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
        findings: list[Finding | UnlistedUnknown] = []
        listed = self.options.unknowns_listed
        for name, (fact, rule_ids) in sorted(by_fact.items()):
            reason = unknown_reason(fact, view.get(name))
            rules = ", ".join(sorted(set(rule_ids)))
            message = f"{_label(name, record)} is unknown: {reason}; not checked: {rules}"
            if not listed:
                findings.append(UnlistedUnknown(record, name, message))
                continue
            provenance = fact.trace if fact is not None else ()
            findings.append(
                unknown_finding(self.pack, self.options.profile, record, name, message, provenance)
            )
        return findings


def _condition_results(
    rule: Rule, verdict: conditions.Verdict, record: VmRecord, view: dict
) -> list[Hit | Blocked]:
    """A condition rule's hit (YES), or the unknown facts that kept it from deciding (MAYBE)."""
    if verdict.value is conditions.YES:
        return [Hit(rule.at, render_message(rule.message, record, view))]
    return [Blocked(name) for name in sorted(verdict.unknown)]


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
    property's name in the file's own words, see checks/property_names.py) render to. The
    source, location and property name are worked out when a template reads them: a message
    reads one or two of the thirty-odd entries of a view, and a location worked out costs
    reading the JSON around it."""

    __slots__ = ("value", "_fact", "_record", "_name")

    def __init__(
        self, value: Any, fact: Fact | None, record: VmRecord | None = None, name: str = ""
    ) -> None:
        self.value = value
        self._fact = fact
        self._record = record
        self._name = name

    def __format__(self, spec: str) -> str:
        return render_value(self.value)

    def __str__(self) -> str:
        return render_value(self.value)

    def _source(self) -> str:
        try:
            return self._fact.describe_source() if self._fact is not None else "derived"
        except Exception as error:
            raise PlaceholderFault(self._name, "source") from error

    def _location(self) -> str:
        try:
            where = self._fact.location if self._fact is not None else None
            return where.short() if isinstance(where, Location) else "?"
        except Exception as error:
            raise PlaceholderFault(self._name, "location") from error

    def _property_name(self) -> str:
        try:
            return property_name(self._record, self._name) if self._record is not None else "?"
        except Exception as error:
            raise PlaceholderFault(self._name, "property") from error

    source = property(_source)
    location = property(_location)
    property = property(_property_name)  # last: the name hides the builtin in the class body


class PlaceholderFault(RuntimeError):
    """A fault while working out ``{name.part}``. Not one of the errors that ``render_message``
    reads as a template mistake (unknown field or attribute, bad format), so it reaches the
    rule engine's fault handling as it did when these were worked out before formatting."""

    def __init__(self, name: str, part: str) -> None:
        super().__init__(f"working out {{{name}.{part}}} failed")


class _Fields(dict):
    """A fact missing from the view (absent) still has a property name for its message."""

    def __init__(self, record: VmRecord) -> None:
        super().__init__()
        self.record = record

    def __missing__(self, key: str) -> _Placeholder:
        return _Placeholder("?", None, self.record, key)


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
        fields[name] = _Placeholder(value, record.facts.get(name), record, name)
    fields["name"] = _Placeholder(record.name, None)
    fields.update(values or {})
    import string  # only when there is a finding to word: not on every run's start-up path

    try:
        return string.Formatter().vformat(template, (), fields)
    except (ValueError, AttributeError, IndexError, KeyError):
        return template
