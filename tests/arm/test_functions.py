"""The ARM template functions, one table row or test per behaviour."""

from __future__ import annotations

import copy
import pickle

import pytest

from armlint.arm.expressions import EvaluationError, Scope, evaluate
from armlint.arm.functions import (
    FUNCTIONS,
    PartialObject,
    ResourceId,
    deep_equal,
    lookup,
)
from armlint.model import Unknown


class ValuesScope(Scope):
    """Known parameters and variables; a copy loop at index 2 (loop 'disks': 5)."""

    PARAMS = {
        "str": "OneTwoThree",
        "n": 5,
        "flag": True,
        "list": ["one", "two", "three"],
        "obj": {"One": "a", "two": "b", "nested": {"x": 1}},
        "img": {"publisher": "MicrosoftWindowsServer", "sku": "2022-datacenter"},
        "null": None,
        "empty": "",
    }

    def parameter(self, name):
        if name in self.PARAMS:
            return self.PARAMS[name]
        return Unknown(f"parameter {name} has no value")

    def variable(self, name):
        return {"list": ["a", "b"]}.get(name, Unknown(f"variable {name} has no value"))

    def copy_index(self, loop):
        return {None: 2, "disks": 5}.get(loop, Unknown(f"no loop {loop}"))


def run(text):
    return evaluate(text, ValuesScope())


def assert_same(result, expected):
    # bool is an int in Python; ARM keeps them apart, and so must these checks.
    assert result == expected
    assert type(result) is type(expected) or (isinstance(expected, str) and isinstance(result, str))


KNOWN = [
    # deployment
    ("[parameters('str')]", "OneTwoThree"),
    ("[variables('list')]", ["a", "b"]),
    ("[copyIndex()]", 2),
    ("[copyIndex(1)]", 3),
    ("[copyIndex('disks')]", 5),
    ("[copyIndex('disks', 10)]", 15),
    # logical
    ("[not(true())]", False),
    ("[true()]", True),
    ("[false()]", False),
    ("[null()]", None),
    ("[bool('TRUE')]", True),
    ("[bool('false')]", False),
    ("[bool(0)]", False),
    ("[bool(7)]", True),
    ("[bool(true())]", True),
    # comparison
    ("[equals('a', 'a')]", True),
    ("[equals('a', 'A')]", False),
    ("[equals(1, 1)]", True),
    ("[equals(1, '1')]", False),
    ("[equals(1, true())]", False),
    ("[equals(null(), null())]", True),
    ("[equals(createArray(1, 'a'), createArray(1, 'a'))]", True),
    ("[equals(createArray(1, 'a'), createArray('a', 1))]", False),
    ("[equals(createObject('a', createArray(1)), json('{\"a\": [1]}'))]", True),
    ("[equals(parameters('obj'), createObject('One', 'a'))]", False),
    ("[less(1, 2)]", True),
    ("[less('A', 'a')]", False),  # ARM documents this: invariant culture, not ordinal
    ("[greater('A', 'a')]", True),
    ("[greater('b', 'A')]", True),
    ("[lessOrEquals(2, 2)]", True),
    ("[greaterOrEquals(1, 2)]", False),
    # numbers
    ("[add(2, 3)]", 5),
    ("[sub(2, 3)]", -1),
    ("[mul(4, -3)]", -12),
    ("[div(7, 2)]", 3),
    ("[div(-7, 2)]", -3),  # truncates toward zero like .NET
    ("[mod(7, 3)]", 1),
    ("[mod(-7, 3)]", -1),  # sign of the dividend like .NET
    ("[min(3, 1, 2)]", 1),
    ("[min(createArray(4, 0, 9))]", 0),
    ("[max(3, createArray(9, 1))]", 9),
    ("[int('42')]", 42),
    ("[int(' -7 ')]", -7),
    ("[int(5)]", 5),
    ("[range(2, 3)]", [2, 3, 4]),
    ("[range(0, 0)]", []),
    # strings
    ("[concat('vm', '-', 'web')]", "vm-web"),
    ("[concat('vm', copyIndex())]", "vm2"),
    ("[concat('is', true())]", "isTrue"),
    ("[concat(createArray(1), createArray(2, 3))]", [1, 2, 3]),
    ("[format('{0}-{1}', 'a', 7)]", "a-7"),
    ("[format('vm{0:D3}', 7)]", "vm007"),
    ("[format('{0:d2}', -5)]", "-05"),
    ("[format('{0:N0}', 8175133)]", "8,175,133"),  # the ARM documentation example
    ("[format('{0:N}', 1234)]", "1,234.00"),
    ("[format('{0:X}', 255)]", "FF"),
    ("[format('{0:x4}', 255)]", "00ff"),
    ("[format('{0:F1}', 3)]", "3.0"),
    ("[format('{0:000}', 4)]", "004"),
    ("[format('{0,5}|{1,-3}|', 'ab', 'c')]", "   ab|c  |"),
    ("[format('{{0}} is {0}', 'x')]", "{0} is x"),
    ("[format('{0:D3}', 'text')]", "text"),  # .NET ignores numeric formats for strings
    ("[format('{0}', true())]", "True"),
    ("[format('no args')]", "no args"),
    ("[string(true())]", "True"),
    ("[string(false())]", "False"),
    ("[string(5)]", "5"),
    ("[string('s')]", "s"),
    ("[string(null())]", ""),
    (
        "[string(createObject('valueA', 10, 'valueB', 'Example Text'))]",
        '{"valueA":10,"valueB":"Example Text"}',
    ),
    ("[string(createArray('a', 'b', 'c'))]", '["a","b","c"]'),
    ("[toLower('AutomaticByPlatform')]", "automaticbyplatform"),
    ("[toUpper('abc')]", "ABC"),
    ("[trim('  one two  ')]", "one two"),
    ("[split('one,two,three', ',')]", ["one", "two", "three"]),
    ("[split('one;two,three', createArray(',', ';'))]", ["one", "two", "three"]),
    ("[split('', ',')]", [""]),
    ("[replace('123-123-1234', '-', '')]", "1231231234"),
    ("[substring('one two three', 4, 3)]", "two"),
    ("[substring('one two', 4)]", "two"),
    ("[indexOf('test', 'T')]", 0),  # case-insensitive
    ("[lastIndexOf('test', 't')]", 3),
    ("[indexOf('abcdef', 'CD')]", 2),
    ("[indexOf('abc', 'z')]", -1),
    ("[indexOf(createArray('a', 'b'), 'b')]", 1),
    ("[lastIndexOf(createArray(1, 2, 1), 1)]", 2),
    ("[startsWith('abcdef', 'AB')]", True),
    ("[endsWith('abcdef', 'EF')]", True),
    ("[endsWith('abcdef', 'e')]", False),
    ("[padLeft('123', 10, '0')]", "0000000123"),
    ("[padLeft(7, 3)]", "  7"),
    ("[padLeft('toolong', 3, '0')]", "toolong"),
    ("[base64('one, two, three')]", "b25lLCB0d28sIHRocmVl"),
    ("[base64ToString('b25lLCB0d28sIHRocmVl')]", "one, two, three"),
    ("[base64ToJson(base64('{\"a\": 1}'))]", {"a": 1}),
    # arrays and objects
    ("[empty('')]", True),
    ("[empty(createArray())]", True),
    ("[empty(createObject())]", True),
    ("[empty(null())]", True),
    ("[empty('x')]", False),
    ("[length('OneTwoThree')]", 11),
    ("[length(parameters('list'))]", 3),
    ("[length(parameters('obj'))]", 3),
    ("[contains('OneTwoThree', 'e')]", True),
    ("[contains('OneTwoThree', 'one')]", False),  # strings: case-sensitive
    ("[contains(parameters('obj'), 'ONE')]", True),  # object keys: case-insensitive
    ("[contains(parameters('obj'), 'a')]", False),
    ("[contains(parameters('list'), 'three')]", True),
    ("[contains(parameters('list'), 'Three')]", False),
    ("[contains('a1', 1)]", True),
    ("[createObject('a', 1, 'b', createArray(true()))]", {"a": 1, "b": [True]}),
    ("[createObject()]", {}),
    ("[createArray('a', 1, null())]", ["a", 1, None]),
    ("[createArray()]", []),
    ("[array('efgh')]", ["efgh"]),
    ("[array(createArray(1))]", [1]),
    ("[array(createObject('a', 'b'))]", [{"a": "b"}]),
    ("[json('null')]", None),
    ("[json('{\"a\": [1, true, null]}')]", {"a": [1, True, None]}),
    ("[json('1')]", 1),
    ("[first(parameters('list'))]", "one"),
    ("[first('One Two')]", "O"),
    ("[last(parameters('list'))]", "three"),
    ("[last('One')]", "e"),
    ("[first(createArray())]", None),
    ("[take(parameters('list'), 2)]", ["one", "two"]),
    ("[take('one two', 3)]", "one"),
    ("[take(parameters('list'), -1)]", []),
    ("[skip(parameters('list'), 2)]", ["three"]),
    ("[skip('one two three', 4)]", "two three"),
    ("[skip(parameters('list'), 9)]", []),
    ("[union(createArray('one', 'two'), createArray('two', 'three'))]", ["one", "two", "three"]),
    ("[union(createArray(1, 1), createArray(true(), '1'))]", [1, True, "1"]),
    (
        "[union(createObject('a', 1, 'b', 2), createObject('b', 3, 'c', 4))]",
        {"a": 1, "b": 3, "c": 4},
    ),
    (
        "[intersection(createArray('one', 'two', 'three'), createArray('two', 'three'))]",
        ["two", "three"],
    ),
    (
        "[intersection(createObject('one', 'a', 'two', 'b'), "
        "createObject('one', 'a', 'two', 'z'))]",
        {"one": "a"},
    ),
    ("[items(createObject('b', 2, 'a', 1))]", [{"key": "a", "value": 1}, {"key": "b", "value": 2}]),
    ("[objectKeys(createObject('b', 2, 'a', 1))]", ["b", "a"]),
    (
        "[shallowMerge(createArray(createObject('a', createObject('x', 1)), "
        "createObject('a', createObject('y', 2))))]",
        {"a": {"y": 2}},
    ),
    ("[tryGet(parameters('img'), 'SKU')]", "2022-datacenter"),
    ("[tryGet(parameters('img'), 'offer')]", None),
    ("[tryGet(parameters('obj'), 'nested', 'x')]", 1),
    ("[tryGet(parameters('obj'), 'missing', 'x')]", None),
    ("[tryGet(parameters('list'), 1)]", "two"),
    ("[tryGet(parameters('list'), 7)]", None),
    ("[tryGet(parameters('null'), 'a')]", None),
]


@pytest.mark.parametrize(("text", "expected"), KNOWN)
def test_known_values(text, expected):
    assert_same(run(text), expected)


def test_union_merges_nested_objects_and_replaces_arrays():
    # The deep merge example of the ARM documentation (template-functions-object.md, union).
    text = (
        '[union(json(\'{"property": {"one": "a", "two": "b", "three": "c1"}, '
        '"nestedArray": [1, 2]}\'), json(\'{"property": {"three": "c2", "four": "d", '
        '"five": "e"}, "nestedArray": [3, 4]}\'))]'
    )
    assert run(text) == {
        "property": {"one": "a", "two": "b", "three": "c2", "four": "d", "five": "e"},
        "nestedArray": [3, 4],
    }


def test_union_of_arrays_does_not_merge_nested_arrays():
    text = (
        "[union(createArray(createArray('one', 'two')), "
        "createArray(createArray('one', 'two'), createArray('x')))]"
    )
    assert run(text) == [["one", "two"], ["x"]]


def test_string_keeps_non_ascii_and_is_compact():
    assert run("[string(createObject('name', 'café', 'n', createArray()))]") == (
        '{"name":"café","n":[]}'
    )


def test_functions_do_not_mutate_their_inputs():
    before = copy.deepcopy(ValuesScope.PARAMS)
    run("[union(parameters('obj'), createObject('nested', createObject('y', 2)))]")
    run("[take(parameters('list'), 1)]")
    run("[concat(parameters('list'), createArray('four'))]")
    assert before == ValuesScope.PARAMS


# ---------------------------------------------------------------------------------------------
# Unknown values

UNKNOWN_CASES = [
    "[toLower(parameters('u'))]",
    "[concat('vm-', parameters('u'))]",
    "[format('{0}-{1}', 'a', parameters('u'))]",
    "[equals(parameters('u'), 'x')]",
    "[equals(createArray(parameters('u')), createArray('x'))]",
    "[contains(createArray('a', parameters('u')), 'b')]",
    "[string(createObject('a', parameters('u')))]",
    "[union(createArray('a'), createArray(parameters('u')))]",
    "[length(parameters('u'))]",
    "[parameters('u').sku]",
    "[min(createArray(1, parameters('u')))]",
    "[split('a,b', createArray(',', parameters('u')))]",
    "[indexOf(createArray(parameters('u'), 'x'), 'x')]",
    "[createObject(parameters('u'), 1)]",
    "[add(copyIndex('nope'), 1)]",
    "[tryGet(parameters('u'), 'a')]",
    "[tryGet(parameters('obj'), parameters('u'))]",
    "[resourceId('Microsoft.Compute/virtualMachines', parameters('u'))]",
    "[filter(createArray(1), lambda('x', equals(lambdaVariables('x'), parameters('u'))))]",
]


@pytest.mark.parametrize("text", UNKNOWN_CASES)
def test_unknown_inputs_give_unknown(text):
    result = run(text)
    assert isinstance(result, Unknown)
    assert "has no value" in result.reason or "no loop" in result.reason


def test_unknown_reason_is_the_most_specific_one():
    assert run("[toUpper(concat('a', parameters('patchMode')))]") == Unknown(
        "parameter patchMode has no value"
    )


def test_known_differences_beat_unknown_members():
    assert run("[equals(createArray(parameters('u'), 1), createArray('x', 2))]") is False
    assert run("[contains(createArray(parameters('u'), 'b'), 'b')]") is True


def test_containers_keep_unknown_members():
    u = Unknown("parameter u has no value")
    assert run("[createArray(1, parameters('u'))]") == [1, u]
    assert run("[concat(createArray(1), createArray(parameters('u')))]") == [1, u]
    assert run("[union(createObject('a', 1), createObject('b', parameters('u')))]") == {
        "a": 1,
        "b": u,
    }
    assert run("[first(createArray(parameters('u')))]") == u
    merged = "[union(createObject('a', createObject('x', 1)), createObject('a', parameters('u')))]"
    assert run(merged) == {"a": u}  # it may or may not be an object to merge with


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[uniqueString(resourceGroup().id)]", "uniqueString() is computed at deployment"),
        ("[guid('a')]", "guid() is computed at deployment"),
        ("[newGuid()]", "newGuid() is computed at deployment"),
        ("[utcNow('u')]", "utcNow() is computed at deployment"),
    ],
)
def test_deployment_time_functions_are_unknown(text, reason):
    assert run(text) == Unknown(reason)


def test_reference_and_list_functions_go_to_the_scope():
    class Referencing(Scope):
        def reference(self, args):
            return {"seen": args}

    assert evaluate("[reference('vm1', '2023-03-01').seen]", Referencing()) == ["vm1", "2023-03-01"]
    assert evaluate("[listKeys('sa', '2023-01-01').seen[0]]", Referencing()) == "sa"
    assert evaluate("[listSecrets('kv')]", Scope()) == Unknown(
        "reference() and list*() values are only known at deployment"
    )


# ---------------------------------------------------------------------------------------------
# Resource ids


def test_resource_id_with_unknown_subscription_and_group():
    result = run("[resourceId('Microsoft.Compute/availabilitySets', 'as1')]")
    assert isinstance(result, ResourceId)
    assert result == (
        "/subscriptions/{subscriptionId}/resourceGroups/{resourceGroup}"
        "/providers/Microsoft.Compute/availabilitySets/as1"
    )
    assert result.resource_type == "Microsoft.Compute/availabilitySets"
    assert result.name == "as1"


def test_resource_id_of_a_child_interleaves_types_and_names():
    result = run(
        "[resourceId('rg1', 'Microsoft.Network/virtualNetworks/subnets', 'vnet', 'default')]"
    )
    assert result == (
        "/subscriptions/{subscriptionId}/resourceGroups/rg1"
        "/providers/Microsoft.Network/virtualNetworks/vnet/subnets/default"
    )
    assert result.name == "vnet/default"


def test_resource_id_with_explicit_subscription_and_unknown_group():
    result = run("[resourceId('sub1', parameters('rg'), 'Microsoft.Compute/disks', 'd1')]")
    assert result.startswith("/subscriptions/sub1/resourceGroups/{resourceGroup}/")


def test_resource_id_uses_a_known_scope():
    class Known(Scope):
        def subscription(self):
            return {"subscriptionId": "0000"}

        def resource_group(self):
            return {"name": "prod-rg", "location": "westeurope"}

    result = evaluate("[resourceId('Microsoft.Compute/virtualMachines/', 'vm1')]", Known())
    assert result == (
        "/subscriptions/0000/resourceGroups/prod-rg/providers/Microsoft.Compute/virtualMachines/vm1"
    )


def test_other_resource_id_functions():
    assert run("[subscriptionResourceId('Microsoft.Resources/resourceGroups', 'rg')]") == (
        "/subscriptions/{subscriptionId}/providers/Microsoft.Resources/resourceGroups/rg"
    )
    assert run("[tenantResourceId('Microsoft.Management/managementGroups', 'mg')]") == (
        "/providers/Microsoft.Management/managementGroups/mg"
    )
    extension = run(
        "[extensionResourceId(resourceId('Microsoft.Compute/virtualMachines', 'vm1'), "
        "'Microsoft.Maintenance/configurationAssignments', 'ca1')]"
    )
    assert extension.endswith(
        "/virtualMachines/vm1/providers/Microsoft.Maintenance/configurationAssignments/ca1"
    )
    assert extension.name == "ca1"


def test_resource_id_survives_copy_and_pickle():
    result = run("[resourceId('Microsoft.Compute/availabilitySets', 'as1')]")
    for clone in (copy.deepcopy(result), pickle.loads(pickle.dumps(result))):
        assert clone == result
        assert clone.resource_type == "Microsoft.Compute/availabilitySets"
        assert clone.name == "as1"


def test_string_functions_on_a_resource_id_give_plain_strings():
    result = run("[toLower(resourceId('Microsoft.Compute/availabilitySets', 'AS1'))]")
    assert result.endswith("/as1")
    assert not isinstance(result, ResourceId)


# ---------------------------------------------------------------------------------------------
# Errors

ERRORS = [
    ("[parameters(1)]", "to be a string"),
    ("[concat('a', createArray(1))]", "expects every argument"),
    ("[concat(createObject())]", "cannot use a object as text"),
    ("[format('{1}', 'a')]", "refers to {1}"),
    ("[format('{0', 'a')]", "unmatched"),
    ("[format('{0:C}', 1)]", "not supported"),
    ("[format('{0:E2}', 1)]", "not supported"),
    ("[format('{0}', createArray())]", "cannot format"),
    ("[format('{0,1000000}', 'a')]", "too wide"),
    ("[int('abc')]", "cannot convert"),
    ("[int('99999999999999999999')]", "cannot convert"),
    ("[bool('yes')]", "cannot convert"),
    ("[not('true')]", "expects a bool"),
    ("[less(1, 'a')]", "two ints or two strings"),
    ("[add(9223372036854775807, 1)]", "overflows"),
    ("[div(1, 0)]", "divides by zero"),
    ("[mod(1, 0)]", "divides by zero"),
    ("[min(createArray())]", "at least one"),
    ("[range(0, 10001)]", "count must be"),
    ("[json('{bad')]", "not valid JSON"),
    ("[json('NaN')]", "not valid JSON"),
    ("[json(1)]", "to be a string"),
    ("[substring('abc', 2, 5)]", "within the string"),
    ("[substring('abc', -1)]", "within the string"),
    ("[replace('abc', '', 'x')]", "empty string"),
    ("[padLeft('a', 3, 'xy')]", "single character"),
    ("[padLeft('a', 100000000)]", "limit"),
    ("[empty(1)]", "expects a string, array or object"),
    ("[length(true())]", "expects a string, array or object"),
    ("[contains(1, 1)]", "cannot search"),
    ("[createObject('a')]", "key/value pairs"),
    ("[createObject('a', 1, 'a', 2)]", "repeats the key"),
    ("[union(createArray(), createObject())]", "all arrays or all objects"),
    ("[union(createArray())]", "at least 2"),
    ("[take(1, 1)]", "array or string"),
    ("[tryGet('text', 'a')]", "cannot look into"),
    ("[base64ToString('***')]", "not valid base64"),
    # Non-ASCII text: b64decode's ValueError (found by tests/hardening/test_fuzz_expressions.py).
    ("[base64ToJson('\u0080')]", "not valid base64"),
    ("[copyIndex('loop', 'x')]", "to be an int"),
    ("[resourceId('vm1', 'x')]", "needs a resource type"),
    ("[resourceId('Microsoft.Network/virtualNetworks/subnets', 'vnet')]", "needs 2 name"),
    ("[toLower(1)]", "to be a string"),
    ("[items(createArray())]", "to be an object"),
    ("[split('a', 1)]", "every delimiter"),
]


@pytest.mark.parametrize(("text", "fragment"), ERRORS)
def test_wrong_arguments_are_evaluation_errors(text, fragment):
    with pytest.raises(EvaluationError) as caught:
        run(text)
    assert fragment in caught.value.message
    assert "armlint bug" not in caught.value.message


# ---------------------------------------------------------------------------------------------
# The table itself


def test_function_table_keys_are_lower_case():
    assert all(key == key.lower() for key in FUNCTIONS)


def test_list_star_functions_share_one_spec():
    assert lookup("listkeys") is lookup("listaccountsas") is not None
    assert lookup("nosuchfunction") is None


def test_deep_equal_is_unknown_only_when_undecided():
    unknown = Unknown("u")
    assert deep_equal([unknown], [1]) == unknown
    assert deep_equal({"a": unknown, "b": 1}, {"a": 0, "b": 2}) is False
    assert deep_equal({"a": 1}, {"b": 1}) is False
    assert deep_equal(PartialObject({"a": 1}, "partial"), {"a": 1}) == Unknown("partial")
