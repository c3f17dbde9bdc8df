"""Property tests of the ARM expression language (armlint/arm/expressions.py, functions.py):
whatever the expression, evaluating it gives a value or raises ExpressionError (syntax) or
EvaluationError (meaning), nothing else.

Expressions are generated from the grammar with every function armlint knows, wrong names,
wrong arities and argument types, 64-bit edge values, deep nesting, property and index access,
and evaluated in a real template scope (parameters with and without values, variables that
refer to themselves, copy loops), so the generated calls reach the functions' insides.
About 1,000 examples in the test suite (see fuzz_settings); bench/fuzz.py runs more.
"""

from __future__ import annotations

import pytest
from hardening_helpers import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from armlint.arm.expressions import EvaluationError, ExpressionError, evaluate
from armlint.arm.functions import FUNCTIONS
from armlint.arm.jsonpos import parse
from armlint.arm.template import FileContext, TemplateScope

pytestmark = pytest.mark.slow  # fuzzers

TEMPLATE_TEXT = """{
  "parameters": {
    "name": {"type": "string", "defaultValue": "vm"},
    "count": {"type": "int", "defaultValue": 3},
    "mode": {"type": "string", "allowedValues": ["Manual", "AutomaticByOS"]},
    "secret": {"type": "secureString"},
    "settings": {"type": "object", "defaultValue": {"a": [1, 2, {"b": null}], "c": true}},
    "list": {"type": "array", "defaultValue": ["x", 1, 2.5, [], {}]}
  },
  "variables": {
    "self": "[variables('self')]",
    "text": "[concat(parameters('name'), '-', string(parameters('count')))]",
    "object": {"k": "[parameters('mode')]", "n": [1, "[variables('text')]"]},
    "copy": [{"name": "items", "count": 3, "input": "[copyIndex('items')]"}]
  },
  "resources": []
}"""
TEMPLATE, SOURCE = parse(TEMPLATE_TEXT, "fuzz.json")

NAMES = [*sorted(FUNCTIONS), "if", "and", "or", "coalesce", "lambda", "notAFunction", "IF"]
# Names the template declares, and some it does not.
IDENTIFIERS = ["name", "count", "mode", "secret", "settings", "list", "self", "text", "object"]
IDENTIFIERS += ["items", "missing", "x", "", "NAME"]
INTEGERS = st.sampled_from([0, 1, -1, 2, 800, 10_000, 2**31, 2**63 - 1, -(2**63), 2**64]) | (
    st.integers(min_value=-1000, max_value=1000)
)


def string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


LITERALS = (
    INTEGERS.map(str)
    | st.sampled_from(IDENTIFIERS).map(string_literal)
    | st.text(max_size=12).map(string_literal)
    | st.sampled_from(["'{0}-{1:N2}'", "'a,b,,c'", "'eyJhIjogMX0='", "'[1, {\"a\": 2}]'"])
    | st.sampled_from(["'2024-01-01T00:00:00Z'", "'PT1H'", "'10.0.0.0/16'", "'null'"])
)


# Values of every type, so that calls often get arguments of the type they want.
VALUES = st.sampled_from(
    [
        "true()",
        "false()",
        "null()",
        "createArray(1, 'a', createArray())",
        "createObject('a', 1, 'B', createArray(2, 3))",
        """json('{"a": [1, {"b": null}], "c": 1.5}')""",
        "range(0, 5)",
        "parameters('settings')",
        "parameters('list')",
        "variables('object')",
        "variables('items')",
        "resourceGroup()",
        "lambda('x', lambdaVariables('x'))",
        "lambda('a', 'b', concat(string(lambdaVariables('a')), string(lambdaVariables('b'))))",
    ]
)


def call(name: str, arguments: list[str]) -> str:
    return f"{name}({', '.join(arguments)})"


def calls(inner):
    """A call of a known function with a number of arguments it accepts (most of the time)."""

    def with_arguments(name: str):
        spec = FUNCTIONS.get(name.lower())
        low = spec.min_args if spec else 0
        high = (spec.max_args if spec and spec.max_args is not None else low + 3) + 1
        return st.lists(inner, min_size=max(0, low - 1), max_size=min(high, low + 4)).map(
            lambda arguments: call(name, arguments)
        )

    return st.sampled_from(NAMES).flatmap(with_arguments)


def accessed(target: str, steps: list[str]) -> str:
    return target + "".join(steps)


EXPRESSIONS = st.recursive(
    LITERALS | VALUES,
    lambda inner: (
        calls(inner)
        | st.builds(
            accessed,
            calls(inner) | VALUES,
            st.lists(
                st.sampled_from([*IDENTIFIERS, "a", "B", "c"])
                .filter(str.isidentifier)
                .map(lambda n: "." + n)
                | inner.map(lambda index: f"[{index}]"),
                min_size=1,
                max_size=2,
            ),
        )
    ),
    max_leaves=12,
)


def fresh_scope(copy_index: int | None) -> TemplateScope:
    scope = TemplateScope(TEMPLATE, SOURCE, {}, FileContext())
    return scope if copy_index is None else scope.with_copy_index("loop", copy_index)


def evaluates_or_refuses(text: str, scope: TemplateScope) -> None:
    try:
        evaluate(text, scope)
    except (ExpressionError, EvaluationError) as error:
        assert error.message  # reports put it on one line (report.common.one_line)
        # A Python exception inside a function is wrapped as "(armlint bug)": still a bug.
        assert "armlint bug" not in error.message, error.message


@fuzz_settings(200)
@given(EXPRESSIONS, st.sampled_from([None, 0, 5]))
def test_generated_expressions_give_a_value_or_an_armlint_error(expression, copy_index):
    evaluates_or_refuses(f"[{expression}]", fresh_scope(copy_index))


@fuzz_settings(150)
@given(calls(LITERALS | VALUES), st.sampled_from([None, 2]))
def test_every_function_on_values_of_every_type(expression, copy_index):
    # Flat calls: an error in one nested argument cannot hide the function's own handling.
    evaluates_or_refuses(f"[{expression}]", fresh_scope(copy_index))


@fuzz_settings(150)
@given(st.text(alphabet="()[],.' abcdefgiklmnoprstuvwxyz0123456789-_$\\\"\n", max_size=40))
def test_random_text_gives_a_value_or_an_armlint_error(text):
    evaluates_or_refuses(f"[{text}]", fresh_scope(None))


@fuzz_settings(30)
@given(st.integers(min_value=150, max_value=400), st.sampled_from(NAMES))
def test_deep_nesting_gives_a_value_or_an_armlint_error(depth, name):
    evaluates_or_refuses("[" + f"{name}(" * depth + "1" + ")" * depth + "]", fresh_scope(None))
