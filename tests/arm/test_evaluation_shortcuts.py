"""Bookkeeping ARM evaluation skips where it cannot change a value (issue 16, session 9): a
literal string resolves to itself without a trace, a function is looked up and its argument
count checked once per name and count, and a scope's budget is a plain attribute."""

import json

import pytest

from armlint.arm import expressions
from armlint.arm.jsonpos import parse
from armlint.arm.template import FileContext, TemplateScope

TEMPLATE = {
    "parameters": {"prefix": {"type": "string", "defaultValue": "web"}},
    "variables": {"name": "[concat(parameters('prefix'), '-vm')]"},
    "resources": [],
}


def _scope() -> TemplateScope:
    template, src = parse(json.dumps(TEMPLATE, indent=2), "vm.json")
    return TemplateScope(template, src, {}, FileContext())


def test_a_literal_string_resolves_without_the_evaluation_bookkeeping(monkeypatch):
    scope = _scope()

    def bookkeeping(value):
        raise AssertionError(f"{value!r} went through _resolve_here")

    monkeypatch.setattr(scope, "_resolve_here", bookkeeping)
    plain = scope.resolve("Standard_D2s_v3")
    escaped = scope.resolve("[[not an expression]")
    assert (plain.value, plain.trace) == ("Standard_D2s_v3", ())
    assert (escaped.value, escaped.trace) == ("[not an expression]", ())
    with pytest.raises(AssertionError, match="went through"):
        scope.resolve("[variables('name')]")  # an expression still takes the full path


def test_an_expression_is_tested_once_and_strings_inside_containers_as_before(monkeypatch):
    """A top-level expression is evaluated without a second is_expression (s11-eval); inside an
    object, an expression is still evaluated and a plain or ``[[``-escaped string kept."""
    scope = _scope()
    tested = []
    is_expression = expressions.is_expression

    def counting(value):
        tested.append(value)
        return is_expression(value)

    expressions.parse_expression("[concat('a', 'b')]")  # parsed (and tested) already
    monkeypatch.setattr(expressions, "is_expression", counting)
    assert scope.resolve("[concat('a', 'b')]").value == "ab"
    assert tested == ["[concat('a', 'b')]"]
    inside = {"name": "[variables('name')]", "size": "small", "note": "[[kept]"}
    resolved = scope.resolve(inside)
    assert resolved.value == {"name": "web-vm", "size": "small", "note": "[kept]"}
    assert resolved.trace[0].startswith("variables('name') (vm.json:")


def test_a_function_is_looked_up_once_per_name_and_argument_count(monkeypatch):
    monkeypatch.setattr(expressions, "_CHECKED_SPECS", {})
    looked_up = []
    lookup = expressions.lookup

    def counting(key):
        looked_up.append(key)
        return lookup(key)

    monkeypatch.setattr(expressions, "lookup", counting)
    scope = _scope()
    for _ in range(3):
        assert expressions.evaluate("[toUpper('a')]", scope) == "A"
    assert expressions.evaluate("[concat('a', 'b')]", scope) == "ab"
    assert expressions.evaluate("[concat('a', 'b', 'c')]", scope) == "abc"
    assert looked_up == ["toupper", "concat", "concat"]


def test_a_wrong_argument_count_is_reported_every_time(monkeypatch):
    monkeypatch.setattr(expressions, "_CHECKED_SPECS", {}, raising=False)
    scope = _scope()
    assert expressions.evaluate("[toUpper('a')]", scope) == "A"
    for _ in range(2):
        with pytest.raises(expressions.EvaluationError, match="expects 1 argument"):
            expressions.evaluate("[toUpper('a', 'b')]", scope)


def test_the_budget_is_a_plain_attribute_of_the_scope():
    context = FileContext()
    scope = TemplateScope({}, None, {}, context)
    assert not isinstance(TemplateScope.__dict__["budget"], property)
    assert vars(scope)["budget"] is context.budget
    scope.budget.spend(5)
    assert context.budget.steps == scope.budget.steps
