"""The rules a function call applies to its evaluated arguments, as ``call_function`` checks
them after its one-test-per-argument fast path (issue 16, session 10): the first argument that
is not a plain value decides, in order, and only when it is there."""

import pytest

from armlint.arm.expressions import EvaluationError, Scope, evaluate
from armlint.arm.template import FileContext, TemplateScope
from armlint.model import Unknown

UNKNOWN = Unknown("parameters('p') is not known")


def test_an_unknown_argument_before_a_lambda_is_returned():
    assert evaluate("[concat(parameters('p'), lambda('x', 1))]", Scope()) == UNKNOWN


def test_a_lambda_before_an_unknown_argument_raises():
    with pytest.raises(EvaluationError, match="concat\\(\\) does not accept a lambda"):
        evaluate("[concat(lambda('x', 1), parameters('p'))]", Scope())


def test_a_function_that_handles_unknowns_still_refuses_a_later_lambda():
    with pytest.raises(EvaluationError, match="createArray\\(\\) does not accept a lambda"):
        evaluate("[createArray(parameters('p'), lambda('x', 1))]", Scope())
    assert evaluate("[createArray(parameters('p'), 1)]", Scope()) == [UNKNOWN, 1]


def test_a_partial_object_argument_gives_its_reason():
    assert evaluate("[string(resourceGroup())]", Scope()) == Unknown(
        "resourceGroup() is only known at deployment"
    )


def test_plain_arguments_reach_the_function():
    assert evaluate("[concat('a', 'b', string(1))]", Scope()) == "ab1"


def test_an_object_or_array_with_nothing_to_evaluate_is_itself_and_one_changed_item_copies():
    template = {"parameters": {"size": {"type": "string", "defaultValue": "small"}}}
    scope = TemplateScope(template, None, {}, FileContext())
    literal = {"a": 1, "b": ["x", {"c": True}]}
    assert scope.resolve(literal).value is literal
    changed = ["x", "[parameters('size')]", "y"]
    resolved = scope.resolve(changed)
    assert resolved.value == ["x", "small", "y"] and resolved.value is not changed
    assert resolved.trace == ("parameters('size')", "defaultValue")


def test_a_trace_names_each_step_once_in_order():
    template = {
        "parameters": {"size": {"type": "string", "defaultValue": "small"}},
        "variables": {"tier": "[parameters('size')]"},
    }
    scope = TemplateScope(template, None, {}, FileContext())
    twice = scope.resolve("[concat(parameters('size'), variables('tier'), parameters('size'))]")
    assert twice.value == "smallsmallsmall"
    assert twice.trace == ("parameters('size')", "defaultValue", "variables('tier')")
