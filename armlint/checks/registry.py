"""Every rule code and what implements it: the one table to read to find a rule's code.

Each ``rules/AZPxxx.yaml`` declares the engine that runs it (``engine:``); this table says, for
the same code, where the findings are made (``module:function``), so that a rule without code
or code without a rule file cannot go unnoticed (tests/rules/test_registry.py resolves every
entry and holds it against the pack). It is data, not a dispatcher: each engine calls its own
functions, and nothing here is imported by them.

Engines:

- ``record``: the check engine over one VmRecord (``checks/engine.py``): a ``when`` condition
  in the rule file (``CONDITION``) or a function of ``checks/code_rules.py``;
- ``transition``: two versions of one VM (``checks/transition_rules.py``);
- ``plan``: the patch planner's batches (``planner/rules.py``);
- ``load``: the format loaders, while reading files;
- ``hygiene``: the inline suppressions themselves (``run/suppressions.py``);
- ``live``: ``armlint drift``, live exports against the templates (``live/drift.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

ENGINES = ("record", "transition", "plan", "load", "hygiene", "live")

# The rule file's own ``when`` condition, evaluated by the record engine.
CONDITION = "armlint.checks.conditions:evaluate"


@dataclass(frozen=True, slots=True)
class Implementation:
    engine: str
    places: tuple[str, ...]  # 'module:function' that make its findings


def _condition() -> Implementation:
    return Implementation("record", (CONDITION,))


def _code(function: str) -> Implementation:
    return Implementation("record", (f"armlint.checks.code_rules:{function}",))


def _transition(*functions: str) -> Implementation:
    places = tuple(f"armlint.checks.transition_rules:{name}" for name in functions)
    return Implementation("transition", places)


REGISTRY: dict[str, Implementation] = {
    "AZP001": Implementation(
        "load",
        (
            "armlint.arm.loader:parse_error",
            "armlint.bicep.syntax:parse_error",
            "armlint.terraform.loader:_parse_error",
            "armlint.terraform.plan:_parse_error",
        ),
    ),
    "AZP002": Implementation(
        "record",
        ("armlint.checks.hits:unknown_finding", "armlint.arm.walk:_unknown_link"),
    ),
    "AZP003": Implementation("load", ("armlint.arm.loader:_duplicate_findings",)),
    "AZP101": _code("azp101"),
    "AZP102": _condition(),
    "AZP103": _condition(),
    "AZP104": _condition(),
    "AZP105": _condition(),
    "AZP106": _condition(),
    "AZP107": _condition(),
    "AZP108": _code("azp108"),
    "AZP109": _condition(),
    "AZP110": _condition(),
    "AZP111": _code("azp111"),
    "AZP112": _condition(),
    "AZP113": _condition(),
    "AZP114": _condition(),
    "AZP115": _condition(),
    "AZP116": _condition(),
    "AZP117": _condition(),
    "AZP118": _condition(),
    "AZP119": _condition(),
    "AZP120": _code("azp120"),
    "AZP121": _code("azp121"),
    "AZP201": _condition(),
    "AZP202": _condition(),
    "AZP203": _condition(),
    "AZP204": _condition(),
    "AZP301": _code("azp301"),
    "AZP302": _code("azp302"),
    "AZP303": _condition(),
    "AZP401": _transition("check_automatic_updates"),
    "AZP402": _transition("check_mode_switch", "switch_verdict"),
    "AZP403": _transition("check_mode_switch", "switch_verdict"),
    "AZP404": _transition("check_agent", "check_replacement"),
    "AZP501": Implementation("plan", ("armlint.planner.rules:_same_batch",)),
    "AZP502": Implementation("plan", ("armlint.planner.rules:_single_update_domain",)),
    "AZP503": Implementation("plan", ("armlint.planner.rules:_excluded_finding",)),
    "AZP504": Implementation("plan", ("armlint.planner.rules:_same_schedule",)),
    "AZP601": Implementation("live", ("armlint.live.drift:_changed_finding",)),
    "AZP602": Implementation("live", ("armlint.live.drift:_findings",)),
    "AZP603": Implementation("live", ("armlint.live.drift:_findings",)),
    "AZP604": Implementation("live", ("armlint.live.drift:_findings",)),
    "AZP901": Implementation("hygiene", ("armlint.run.suppressions:_problems",)),
    "AZP902": Implementation("hygiene", ("armlint.run.suppressions:_problems",)),
}


def describe(rule_id: str) -> str:
    """How a rule is implemented, in words for the docs."""
    implementation = REGISTRY.get(rule_id)
    if implementation is None:
        return "not implemented"
    if implementation.places == (CONDITION,):
        return "condition (rules data)"
    places = ", ".join(f"`{place}`" for place in implementation.places)
    return f"{implementation.engine} engine: {places}"
