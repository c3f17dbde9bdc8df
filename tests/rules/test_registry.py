"""The rule registry (armlint/checks/registry.py) against the pack: every code has an
implementation, every implementation a rule file, and both say the same engine."""

from __future__ import annotations

import importlib
import inspect

import pytest

from armlint.checks.code_rules import CODE_RULES
from armlint.checks.pack import load_pack
from armlint.checks.registry import CONDITION, ENGINES, REGISTRY

PACK = load_pack().rules


def _resolve(place: str):
    module_name, _, function = place.partition(":")
    module = importlib.import_module(module_name)
    return module, getattr(module, function)


def test_every_rule_file_has_an_implementation():
    assert sorted(set(PACK) - set(REGISTRY)) == []


def test_every_implementation_has_a_rule_file():
    assert sorted(set(REGISTRY) - set(PACK)) == []


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_the_rule_file_names_the_engine_the_registry_says(rule_id):
    assert REGISTRY[rule_id].engine in ENGINES
    assert PACK[rule_id].engine == REGISTRY[rule_id].engine


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_every_place_exists_and_names_the_rule(rule_id):
    for place in REGISTRY[rule_id].places:
        module, function = _resolve(place)
        assert callable(function), place
        if place != CONDITION:
            # The id (or the constant holding it) is written in the module that makes it.
            assert rule_id in inspect.getsource(module), place


@pytest.mark.parametrize("rule_id", sorted(REGISTRY))
def test_condition_rules_have_a_condition_and_code_rules_their_function(rule_id):
    rule, places = PACK[rule_id], REGISTRY[rule_id].places
    if places == (CONDITION,):
        assert rule.when is not None and rule.check is None
    elif rule.engine == "record" and rule.check in CODE_RULES:
        assert places == (f"armlint.checks.code_rules:{rule.check}",)
        assert _resolve(places[0])[1] is CODE_RULES[rule.check]
    else:
        assert rule.when is None


def test_the_record_engine_runs_exactly_the_record_rules():
    """A rule whose file says `engine: record` runs in the engine; no other rule does."""
    from armlint.checks.engine import CheckOptions, Engine

    running = {rule.id for rule in Engine(load_pack(), CheckOptions("current")).rules}
    record = {
        rule_id
        for rule_id, rule in PACK.items()
        if rule.engine == "record" and rule_id != "AZP002" and "current" in rule.profiles
    }
    assert running == record
