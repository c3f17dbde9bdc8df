"""The expression language: recognising, parsing, the evaluator core and its lazy functions."""

from __future__ import annotations

import pytest

from armlint.arm.expressions import (
    MAX_DEPTH,
    Access,
    Budget,
    Call,
    EvaluationError,
    ExpressionError,
    Index,
    Literal,
    Property,
    Scope,
    evaluate,
    is_expression,
    parse_expression,
    unescape,
)
from armlint.model import Unknown


class DictScope(Scope):
    """Parameters and variables from dicts; anything missing is unknown."""

    def __init__(self, params=None, variables=None, copy_index=None, budget=None):
        super().__init__(budget)
        self.params = params or {}
        self.variables = variables or {}
        self.index = copy_index

    def parameter(self, name):
        if name in self.params:
            return self.params[name]
        return Unknown(f"parameter {name} has no value")

    def variable(self, name):
        if name in self.variables:
            return self.variables[name]
        return Unknown(f"variable {name} has no value")

    def copy_index(self, loop):
        return Unknown("not in a loop") if self.index is None else self.index


# ---------------------------------------------------------------------------------------------
# Recognising and escaping


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[parameters('x')]", True),
        ("[[literal]", False),
        ("[]", True),
        ("plain", False),
        ("[not closed", False),
        ("not opened]", False),
        (" [parameters('x')]", False),
        (42, False),
        (None, False),
    ],
)
def test_is_expression(value, expected):
    assert is_expression(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("[[literal]", "[literal]"),
        ("[[parameters('x')]", "[parameters('x')]"),
        ("[parameters('x')]", "[parameters('x')]"),
        ("plain", "plain"),
        ("", ""),
    ],
)
def test_unescape(value, expected):
    assert unescape(value) == expected


# ---------------------------------------------------------------------------------------------
# Parsing


def test_parse_builds_calls_with_lower_case_keys_and_offsets():
    node = parse_expression("[concat('a', 12)]")
    assert node == Call("concat", "concat", (Literal("a", 8), Literal(12, 13)), 1)


def test_parse_accepts_text_without_brackets():
    assert parse_expression("concat('a')") == Call("concat", "concat", (Literal("a", 7),), 0)


def test_parse_unescapes_doubled_quotes():
    assert parse_expression("['it''s']").value == "it's"  # a literal on its own is accepted
    assert evaluate("[concat('''', 'x''')]", Scope()) == "'x'"


def test_parse_negative_integers_and_whitespace():
    node = parse_expression("[ add( -3 ,\t4 ) ]")
    assert [arg.value for arg in node.args] == [-3, 4]


def test_parse_property_and_index_chain_is_flat():
    node = parse_expression("[parameters('img').sku[0].name]")
    assert isinstance(node, Access)
    assert [type(step) for step in node.steps] == [Property, Index, Property]
    assert node.steps[0].name == "sku"
    assert node.steps[1].index == Literal(0, 23)


def test_parse_namespaced_user_function():
    node = parse_expression("[contoso.uniqueName('x')]")
    assert (node.namespace, node.name, node.key) == ("contoso", "uniqueName", "uniquename")


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        # an escaped quote and an empty string: each literal placed at its opening quote
        (
            "[ concat( 'a''b' ,'' ) ]",
            Call("concat", "concat", (Literal("a'b", 10), Literal("", 18)), 2),
        ),
        ("[ns.f(1)]", Call("f", "f", (Literal(1, 6),), 1, "ns")),
        (
            "[f()[0].p]",
            Access(Call("f", "f", (), 1), (Index(Literal(0, 5), 4), Property("p", 8)), 1),
        ),
        # Unicode whitespace between tokens and before the end
        ("[\u2003f(\u00a0'x'\t)\n]", Call("f", "f", (Literal("x", 5),), 2)),
    ],
)
def test_parse_tokens_at_the_edges(text, tree):
    """The tokenizer reads the tokens in one pass and the parser takes them by index (s11-eval):
    offsets, namespaces, empty strings and whitespace come out as the token-by-token parser
    made them."""
    assert parse_expression(text) == tree


def test_parse_is_cached():
    text = "[concat(parameters('cached'), 'x')]"
    assert parse_expression(text) is parse_expression(text)


@pytest.mark.parametrize(
    ("text", "offset", "fragment"),
    [
        ("[concat('a]", 8, "unterminated string"),
        ("[concat('a', #)]", 13, "unexpected character"),
        ("[concat('a']", 11, "expected ',' or ')'"),
        ("[concat('a',)]", 12, "expected a value"),
        ("[parameters]", 11, "expected '('"),
        ("[true]", 5, "expected '('"),
        ("[concat('a') 'b']", 13, "after the expression"),
        ("[]", 1, "expected a value"),
        ("[parameters('x').]", 17, "expected a property name"),
        ("[parameters('x')[0]", 18, "expected ']'"),
        ("[add(99999999999999999999, 1)]", 5, "64-bit"),
        ("[add(9223372036854775808, 1)]", 5, "64-bit"),
        ("[add(1.5, 1)]", 7, "expected a property name"),
        # the token found at the end named as the token-by-token parser named it (s11-eval)
        ("[ns.]", 3, "expected '(' after the function name 'ns', found '.'"),
        ("[ns.f]", 3, "expected '(' after the function name 'ns', found '.'"),
        ("[f('a' 'b')]", 7, "expected ',' or ')' in the arguments of 'f', found a string"),
        ("[f(1)[0]", 7, "expected ']' to close the index, found the end of the expression"),
        ("[f(1).]", 6, "expected a property name, found the end of the expression"),
        ("[f(]", 3, "expected a value, found the end of the expression"),
    ],
)
def test_syntax_errors_carry_offsets(text, offset, fragment):
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert fragment in caught.value.message
    assert caught.value.offset == offset


def test_syntax_error_is_a_value_error():
    with pytest.raises(ValueError):
        parse_expression("[(")


def test_deep_call_nesting_is_a_syntax_error_not_a_recursion_error():
    text = "[" + "not(" * 5000 + "true()" + ")" * 5000 + "]"
    with pytest.raises(ExpressionError) as caught:
        parse_expression(text)
    assert "nests deeper" in caught.value.message


def test_deep_index_nesting_is_a_syntax_error():
    text = "[variables('a')" + "[variables('a')" * 300 + "]" * 300 + "]"
    with pytest.raises(ExpressionError):
        parse_expression(text)


def test_nesting_up_to_the_limit_parses_and_evaluates():
    depth = MAX_DEPTH - 1
    text = "[" + "not(" * depth + "true()" + ")" * depth + "]"
    assert evaluate(text, Scope()) is (depth % 2 == 0)


def test_long_property_chains_need_no_recursion():
    text = "[parameters('o')" + ".a" * 5000 + "]"
    nested: dict = {}
    inner = nested
    for _ in range(4999):
        inner["a"] = {}
        inner = inner["a"]
    inner["a"] = "bottom"
    assert evaluate(text, DictScope({"o": nested})) == "bottom"


# ---------------------------------------------------------------------------------------------
# Evaluation core


def test_function_names_are_case_insensitive():
    scope = DictScope({"x": "value"})
    assert evaluate("[PARAMETERS('x')]", scope) == "value"
    assert evaluate("[ToLower(Parameters('x'))]", scope) == "value"


def test_property_access_after_a_call():
    scope = DictScope({"img": {"publisher": "Canonical", "sku": "22_04-lts"}})
    assert evaluate("[parameters('img').sku]", scope) == "22_04-lts"


def test_property_lookup_is_case_insensitive():
    scope = DictScope({"img": {"Sku": "2022-datacenter"}})
    assert evaluate("[parameters('img').sKU]", scope) == "2022-datacenter"
    assert evaluate("[parameters('img')['SKU']]", scope) == "2022-datacenter"


def test_index_access_on_arrays():
    scope = DictScope(variables={"list": ["zero", "one", "two"]})
    assert evaluate("[variables('list')[1]]", scope) == "one"
    assert evaluate("[variables('list')[add(1, 1)]]", scope) == "two"


def test_chains_mix_properties_and_indexes():
    scope = DictScope({"vms": [{"os": {"patch": "Manual"}}]})
    assert evaluate("[parameters('vms')[0].os['patch']]", scope) == "Manual"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("[parameters('img').offer]", "property 'offer' does not exist"),
        ("[variables('list')[3]]", "out of range"),
        ("[variables('list')[-1]]", "out of range"),
        ("[variables('list').name]", "cannot read property"),
        ("[variables('list')[true()]]", "must be an int"),
        ("[parameters('img')[0]]", "cannot index"),
    ],
)
def test_bad_access_is_an_evaluation_error(text, fragment):
    scope = DictScope({"img": {"sku": "x"}}, {"list": ["a", "b", "c"]})
    with pytest.raises(EvaluationError) as caught:
        evaluate(text, scope)
    assert fragment in caught.value.message


def test_access_on_unknown_keeps_the_reason():
    result = evaluate("[parameters('img').sku[0]]", DictScope())
    assert result == Unknown("parameter img has no value")


def test_unknown_index_gives_unknown():
    scope = DictScope({"list": ["a"]})
    assert evaluate("[parameters('list')[parameters('i')]]", scope) == Unknown(
        "parameter i has no value"
    )


def test_unknown_function_is_unknown_not_an_error():
    result = evaluate("[pickZones('Microsoft.Compute', 'virtualMachines', 'westus2')]", Scope())
    assert result == Unknown("function 'pickZones()' is not evaluated by armlint")


def test_unknown_function_does_not_evaluate_its_arguments():
    result = evaluate("[someFutureFunction(parameters('x').missing)]", DictScope({"x": {}}))
    assert isinstance(result, Unknown)


def test_user_defined_functions_go_to_the_scope():
    class Udf(Scope):
        def user_function(self, name, args):
            return f"{name}:{args}"

    assert evaluate("[contoso.prefix('a', 1)]", Udf()) == "contoso.prefix:['a', 1]"
    assert evaluate("[contoso.prefix('a')]", Scope()) == Unknown(
        "user-defined function 'contoso.prefix()' is not evaluated by armlint"
    )


def test_wrong_argument_count_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match=r"equals\(\) expects 2 argument"):
        evaluate("[equals('a')]", Scope())


def test_evaluate_of_non_string_is_an_expression_error():
    with pytest.raises(ExpressionError):
        evaluate(12, Scope())


# ---------------------------------------------------------------------------------------------
# if, and, or, coalesce


def test_if_evaluates_only_the_chosen_branch():
    scope = DictScope({"list": []})
    assert evaluate("[if(true(), 'yes', parameters('list')[0])]", scope) == "yes"
    assert evaluate("[if(false(), parameters('list')[0], 'no')]", scope) == "no"


def test_if_with_unknown_condition_and_equal_branches_is_known():
    assert evaluate("[if(parameters('c'), 'same', 'same')]", DictScope()) == "same"
    assert evaluate("[if(parameters('c'), createArray(1), createArray(1))]", DictScope()) == [1]


def test_if_with_unknown_condition_and_different_branches_keeps_the_condition_reason():
    result = evaluate("[if(parameters('c'), 'a', 'b')]", DictScope())
    assert result == Unknown("parameter c has no value")


def test_if_with_unknown_condition_tolerates_a_failing_branch():
    scope = DictScope({"list": []})
    result = evaluate("[if(parameters('c'), parameters('list')[0], 'b')]", scope)
    assert result == Unknown("parameter c has no value")


def test_if_with_unknown_condition_and_unknown_branches_is_unknown():
    result = evaluate("[if(parameters('c'), parameters('x'), parameters('x'))]", DictScope())
    assert isinstance(result, Unknown)


def test_if_needs_a_bool_condition():
    with pytest.raises(EvaluationError, match="condition must be a bool"):
        evaluate("[if('true', 1, 2)]", Scope())


def test_if_needs_three_arguments():
    with pytest.raises(EvaluationError, match="expects 3"):
        evaluate("[if(true(), 1)]", Scope())


U = "parameters('u')"  # unknown in DictScope()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[and(true(), true())]", True),
        ("[and(true(), false())]", False),
        (f"[and(false(), {U})]", False),
        (f"[and({U}, false())]", False),
        (f"[and(true(), {U})]", "unknown"),
        (f"[and({U}, true(), true())]", "unknown"),
        ("[or(false(), false())]", False),
        ("[or(false(), true())]", True),
        (f"[or(true(), {U})]", True),
        (f"[or({U}, true())]", True),
        (f"[or(false(), {U})]", "unknown"),
        (f"[not({U})]", "unknown"),
        ("[not(false())]", True),
    ],
)
def test_and_or_follow_kleene_logic(text, expected):
    result = evaluate(text, DictScope())
    if expected == "unknown":
        assert result == Unknown("parameter u has no value")
    else:
        assert result is expected


def test_and_or_short_circuit():
    scope = DictScope({"list": []})
    assert evaluate("[and(false(), parameters('list')[0])]", scope) is False
    assert evaluate("[or(true(), parameters('list')[0])]", scope) is True


def test_and_after_an_unknown_tolerates_a_failing_argument():
    scope = DictScope({"list": []})
    result = evaluate(f"[and({U}, parameters('list')[0])]", scope)
    assert result == Unknown("parameter u has no value")


def test_and_or_need_bools():
    with pytest.raises(EvaluationError, match="expects bools"):
        evaluate("[and(true(), 'true')]", Scope())
    with pytest.raises(EvaluationError, match="at least 2"):
        evaluate("[or(true())]", Scope())


def test_coalesce_returns_the_first_non_null():
    scope = DictScope({"n": None, "s": "set"})
    assert evaluate("[coalesce(parameters('n'), parameters('s'), 'later')]", scope) == "set"
    assert evaluate("[coalesce(null(), null())]", scope) is None
    assert evaluate("[coalesce(parameters('n'), '')]", scope) == ""


def test_coalesce_with_unknown_before_the_value_is_unknown():
    scope = DictScope({"s": "set"})
    result = evaluate("[coalesce(parameters('u'), parameters('s'))]", scope)
    assert result == Unknown("parameter u has no value")


def test_coalesce_is_lazy_after_the_first_non_null():
    assert (
        evaluate("[coalesce('first', parameters('list')[0])]", DictScope({"list": []})) == "first"
    )


def test_create_object_keeps_unknown_members():
    result = evaluate("[createObject('a', parameters('x'), 'b', 1)]", DictScope())
    assert result == {"a": Unknown("parameter x has no value"), "b": 1}


# ---------------------------------------------------------------------------------------------
# The Azure Verified Modules patch-settings pattern

AVM_PATCH_SETTINGS = (
    "[if(and(parameters('provisionVMAgent'), or(equals(toLower(parameters('patchMode')), "
    "toLower('AutomaticByPlatform')), equals(toLower(parameters('patchMode')), "
    "toLower('AutomaticByOS')))), createObject('patchMode', parameters('patchMode'), "
    "'assessmentMode', parameters('assessmentMode')), null())]"
)


def test_avm_pattern_with_known_parameters():
    scope = DictScope(
        {
            "provisionVMAgent": True,
            "patchMode": "AutomaticByPlatform",
            "assessmentMode": "ImageDefault",
        }
    )
    assert evaluate(AVM_PATCH_SETTINGS, scope) == {
        "patchMode": "AutomaticByPlatform",
        "assessmentMode": "ImageDefault",
    }


def test_avm_pattern_with_other_modes_gives_null():
    scope = DictScope({"provisionVMAgent": True, "patchMode": "Manual"})
    assert evaluate(AVM_PATCH_SETTINGS, scope) is None


def test_avm_pattern_without_agent_gives_null_even_with_unknown_mode():
    scope = DictScope({"provisionVMAgent": False})
    assert evaluate(AVM_PATCH_SETTINGS, scope) is None


def test_avm_pattern_with_unknown_mode_is_the_object_with_the_mode_unknown():
    # An object or null on an unknown condition is checked as the object (as a resource with
    # an unknown condition is checked as deployed); the mode inside it stays unknown.
    scope = DictScope({"provisionVMAgent": True, "assessmentMode": "ImageDefault"})
    assert evaluate(AVM_PATCH_SETTINGS, scope) == {
        "patchMode": Unknown("parameter patchMode has no value"),
        "assessmentMode": "ImageDefault",
    }


def test_avm_pattern_with_unknown_assessment_mode_nests_the_unknown():
    scope = DictScope({"provisionVMAgent": True, "patchMode": "AutomaticByOS"})
    assert evaluate(AVM_PATCH_SETTINGS, scope) == {
        "patchMode": "AutomaticByOS",
        "assessmentMode": Unknown("parameter assessmentMode has no value"),
    }


# ---------------------------------------------------------------------------------------------
# Scope defaults and budget


def test_default_scope_objects_are_unknown_at_lint_time():
    scope = Scope()
    location = evaluate("[resourceGroup().location]", scope)
    assert location == Unknown("resourceGroup().location is only known at deployment")
    assert isinstance(evaluate("[subscription().subscriptionId]", scope), Unknown)
    assert isinstance(evaluate("[deployment().name]", scope), Unknown)
    assert isinstance(evaluate("[environment().suffixes.storage]", scope), Unknown)


def test_default_scope_objects_share_their_unknowns_not_the_object():
    """Each call gets its own object (``--location`` sets a member of one), holding the
    Unknowns made once per function (s11-eval)."""
    first = Scope().resource_group()
    first["location"] = "westeurope"
    second = Scope().resource_group()
    assert second["location"] == Unknown("resourceGroup().location is only known at deployment")
    assert list(second) == ["id", "name", "location", "managedBy", "tags", "properties", "type"]
    assert second["id"] is Scope().resource_group()["id"]
    assert evaluate("[deployment().location]", Scope()) == Unknown(
        "deployment().location is only known at deployment"
    )


def test_default_scope_objects_have_unknown_unlisted_properties():
    assert evaluate("[resourceGroup().somethingElse]", Scope()) == Unknown(
        "resourceGroup() is only known at deployment"
    )
    assert evaluate("[length(resourceGroup())]", Scope()) == Unknown(
        "resourceGroup() is only known at deployment"
    )


def test_default_parameters_variables_and_copy_index_are_unknown():
    scope = Scope()
    assert evaluate("[parameters('p')]", scope) == Unknown("parameters('p') is not known")
    assert evaluate("[variables('v')]", scope) == Unknown("variables('v') is not known")
    assert isinstance(evaluate("[copyIndex()]", scope), Unknown)
    assert isinstance(evaluate("[reference('x').outputs]", scope), Unknown)
    assert isinstance(evaluate("[listKeys('id', '2020-01-01').keys[0]]", scope), Unknown)


def test_budget_spend_raises_when_used_up():
    budget = Budget(steps=2)
    budget.spend()
    budget.spend()
    with pytest.raises(EvaluationError, match="evaluation budget exhausted"):
        budget.spend()


def test_every_call_spends_budget():
    scope = Scope(Budget(steps=100))
    evaluate("[concat('a', toLower('B'), string(1))]", scope)
    assert scope.budget.remaining == 97


def test_exhausted_budget_is_an_evaluation_error():
    scope = DictScope(budget=Budget(steps=3))  # four calls below
    with pytest.raises(EvaluationError, match="evaluation budget exhausted"):
        evaluate("[concat('a', toLower('b'), toLower('c'), toUpper('d'))]", scope)


def test_exhausted_budget_is_not_swallowed_by_an_unknown_condition():
    scope = DictScope(budget=Budget(steps=3))  # the true branch needs a 4th call
    with pytest.raises(EvaluationError, match="evaluation budget exhausted"):
        evaluate("[if(parameters('c'), concat('a', concat('b', 'c')), 'x')]", scope)


def test_a_callers_own_budget_class_is_not_swallowed_either():
    class CountingBudget:  # duck-typed: raises a plain EvaluationError
        def __init__(self, steps):
            self.steps = steps

        def spend(self, n=1):
            self.steps -= n
            if self.steps < 0:
                raise EvaluationError("evaluation budget exhausted (custom)")

    scope = DictScope()
    scope.budget = CountingBudget(3)
    with pytest.raises(EvaluationError, match="custom"):
        evaluate("[or(parameters('c'), equals(concat('a', 'b'), 'ab'))]", scope)


def test_big_results_cost_extra_budget():
    scope = Scope(Budget(steps=1000))
    evaluate("[padLeft('', 100000, 'x')]", scope)
    assert scope.budget.remaining < 1000 - 90


def test_scope_subclass_without_init_still_has_a_budget():
    class Bare(Scope):
        def __init__(self):
            pass

    assert evaluate("[concat('a', 'b')]", Bare()) == "ab"
    assert Bare().budget.steps == 100_000


# ---------------------------------------------------------------------------------------------
# Lambdas


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[map(parameters('items'), lambda('x', mul(lambdaVariables('x'), 10)))]", [30, 10, 20]),
        ("[filter(parameters('items'), lambda('x', greater(lambdaVariables('x'), 1)))]", [3, 2]),
        (
            "[reduce(parameters('items'), 0, lambda('acc', 'x', "
            "add(lambdaVariables('acc'), lambdaVariables('x'))))]",
            6,
        ),
        (
            "[sort(parameters('items'), lambda('a', 'b', "
            "less(lambdaVariables('a'), lambdaVariables('b'))))]",
            [1, 2, 3],
        ),
        (
            "[toObject(parameters('items'), lambda('x', string(lambdaVariables('x'))))]",
            {"3": 3, "1": 1, "2": 2},
        ),
    ],
)
def test_lambda_functions(text, expected):
    assert evaluate(text, DictScope({"items": [3, 1, 2]})) == expected


def test_map_passes_the_index_when_asked():
    text = (
        "[map(createArray('a', 'b'), lambda('x', 'i', "
        "concat(lambdaVariables('x'), string(lambdaVariables('i')))))]"
    )
    assert evaluate(text, Scope()) == ["a0", "b1"]


def test_nested_lambdas_see_outer_variables_and_parameters():
    text = (
        "[map(createArray(1, 2), lambda('x', map(createArray(10), lambda('y', "
        "add(add(lambdaVariables('x'), lambdaVariables('y')), parameters('n'))))))]"
    )
    assert evaluate(text, DictScope({"n": 100})) == [[111], [112]]


def test_filter_with_unknown_predicate_is_unknown():
    text = "[filter(createArray(1, 2), lambda('x', parameters('keep')))]"
    assert evaluate(text, DictScope()) == Unknown("parameter keep has no value")


def test_lambda_misuse_is_an_evaluation_error():
    with pytest.raises(EvaluationError, match="outside a lambda"):
        evaluate("[lambdaVariables('x')]", Scope())
    with pytest.raises(EvaluationError, match="only allowed as an argument"):
        evaluate("[lambda('x', 1)]", Scope())
    with pytest.raises(EvaluationError, match="does not accept a lambda"):
        evaluate("[createArray(lambda('x', 1))]", Scope())
    with pytest.raises(EvaluationError, match="declares 3"):
        evaluate("[map(createArray(1), lambda('a', 'b', 'c', 1))]", Scope())


# Whatever the text, only ExpressionError or EvaluationError: tests/hardening/test_fuzz_expressions.py
