"""What a rule yields (a hit to report, or the fact that blocked it from deciding), and the one
way either becomes a ``Finding``.

Every engine that judges records uses these: the record rules (``engine``, ``code_rules``) and
the transition rules (``transition_rules``). Rule names and severities come from the pack
(``rules/*.yaml``); the unknown-value finding (AZP002) is built here and nowhere else.
"""

from __future__ import annotations

from operator import attrgetter

from armlint.model import Finding, FrozenValue, Location, Unknown, VmRecord, fingerprint

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

    from armlint.checks.pack import RulePack
    from armlint.model import Fact

UNKNOWN_RULE = "AZP002"


class Hit(FrozenValue):
    """The rule fails; ``at`` names the fact whose location the finding points at.

    ``rule`` is set when one check decides several rules (the transition checks decide
    AZP402 or AZP403 from one matrix); '' means the rule being run."""

    __slots__ = (
        "at",
        "message",  # a condition rule's rendered text; code rules leave it to `template`
        "rule",
        # Where to point when the finding is about something that is not a fact (a Terraform
        # argument the provider version does not have); None points at the fact `at`.
        "location",
        # A code rule's text comes from its rule file: `template` names one of the file's
        # `messages` ('message' for its `message`), `values` fills the placeholders the facts
        # cannot (already rendered: a nearest valid value, a provider version).
        "template",
        "values",
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        at: str,
        message: str = "",
        rule: str = "",
        location: Location | None = None,
        template: str = "",
        values: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.at = at
        self.message = message
        self.rule = rule
        self.location = location
        self.template = template
        self.values = values


class Blocked(FrozenValue):
    """The rule cannot decide because this fact is unknown (reported as AZP002).

    ``rules`` names the rules blocked when one check decides several ('' = the rule being
    run); ``side`` is 'before', 'after' or 'both' when two versions of a VM are compared."""

    __slots__ = ("fact", "rules", "side")
    _values = attrgetter(*__slots__)

    def __init__(self, fact: str, rules: tuple[str, ...] = (), side: str = "") -> None:
        self.fact = fact
        self.rules = rules
        self.side = side


def hit_finding(
    pack: RulePack,
    profile: str,
    rule_id: str,
    record: VmRecord,
    hit: Hit,
    provenance: tuple[str, ...],
    message: str | None = None,
) -> Finding:
    """A hit of ``rule_id`` on ``record``, named and graded by the pack."""
    return _finding(
        pack,
        profile,
        rule_id,
        record,
        hit.at,
        hit.message if message is None else message,
        provenance,
        fingerprint(record, rule_id, hit.at),
        hit.location,
    )


def unknown_finding(
    pack: RulePack,
    profile: str,
    record: VmRecord,
    at: str,
    message: str,
    provenance: tuple[str, ...],
    key: str = "",
) -> Finding:
    """AZP002 for the fact ``at``; ``key`` (default ``at``) keeps fingerprints of different
    kinds of unknown apart (a transition unknown is not the single-version one)."""
    return _finding(
        pack,
        profile,
        UNKNOWN_RULE,
        record,
        at,
        message,
        provenance,
        fingerprint(record, UNKNOWN_RULE, key or at),
    )


def _finding(
    pack: RulePack,
    profile: str,
    rule_id: str,
    record: VmRecord,
    at: str,
    message: str,
    provenance: tuple[str, ...],
    print_: str,
    location: Location | None = None,
) -> Finding:
    rule = pack.rules.get(rule_id)
    return Finding(
        rule=rule_id,
        # A pack without this rule file (a test's own folder) leaves both for the findings path.
        name=rule.name if rule else "",
        severity=rule.severity_for(profile, validated_as(record)) if rule else "",
        message=message,
        location=location or fact_location(record, at),
        resource=record.identity,
        provenance=provenance,
        fingerprint=print_,
    )


class UnlistedUnknown:
    """AZP002 as a run that counts unknown values but neither lists nor stores them needs it
    (no ``--show-unknown``, no result cache): its rule and message and the fact it is about.
    No name, severity, provenance or fingerprint is made, and its place (``place``) is worked
    out only to tell it from another of the same resource and message: working out the places
    of the corpus's AZP002 findings was a sixth of the rule engine, for findings that such a
    run only counts (issue 16, s11-rest)."""

    __slots__ = ("record", "at", "message")
    rule = UNKNOWN_RULE

    def __init__(self, record: VmRecord, at: str, message: str) -> None:
        self.record = record
        self.at = at
        self.message = message

    def place(self) -> Location:
        """Where ``unknown_finding`` would point."""
        return fact_location(self.record, self.at)

    # In a group key (``pipeline._group_key``) it stands for its place: one hash for all, so a
    # place is worked out only when the rest of two keys is alike; equal when at one place.
    def __hash__(self) -> int:
        return 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, UnlistedUnknown):
            return NotImplemented
        return self.place() == other.place()


def validated_as(record: VmRecord) -> str:
    """Whose validation a record meets first: an azapi_resource body goes to the ARM API as it
    is, past the azurerm provider's checks, so ARM's severities apply to it."""
    return "arm" if record.arm_type else record.format


def fact_location(record: VmRecord, name: str) -> Location:
    """Where a finding about fact ``name`` points: the fact's own place, else the resource."""
    fact = record.facts.get(name)
    return fact.location if fact is not None and fact.location else record.location


def unknown_reason(fact: Fact | None, value: Any = None) -> str:
    """Why a value is unknown, as the AZP002 message says it."""
    if fact is not None and isinstance(fact.value, Unknown):
        return fact.value.reason
    if isinstance(value, Unknown):
        return value.reason
    return "its value cannot be known before deployment"
