"""The Bicep expression evaluator: operators, functions, unknown values."""

from __future__ import annotations

import pytest

from armlint.bicep.program import read_program
from armlint.bicep.syntax import parse_file
from armlint.bicep.template import Engine, Template
from armlint.bicep.values import plain
from armlint.model import Unknown


def _vars(tmp_path, text: str) -> dict:
    path = tmp_path / "expr.bicep"
    path.write_text(text, encoding="utf-8")
    source = parse_file(path, path.name, path.read_bytes())
    assert source.findings == [], [f.message for f in source.findings]
    program = read_program(source)
    template = Template(Engine(lambda path, display: None), program, None, "expr.bicep:")
    return {name: plain(template.var(name)) for name in program.vars}


def _value(tmp_path, expression: str, prelude: str = ""):
    return _vars(tmp_path, f"{prelude}\nvar result = {expression}\n")["result"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("'Manual' == 'manual'", False),
        ("'Manual' =~ 'manual'", True),
        ("'Manual' !~ 'MANUAL'", False),
        ("'a' != 'b'", True),
        ("true && !false", True),
        ("false || 1 < 2", True),
        ("7 / 2 + 7 % 2 * 10 - 1", 12),
        ("-3 + 1", -2),
        ("1 >= 1 && 'b' > 'a'", True),
        ("null ?? 'fallback'", "fallback"),
        ("'set' ?? 'fallback'", "set"),
        ("true ? 'yes' : 'no'", "yes"),
        ("{ a: { b: 'deep' } }.a.b", "deep"),
        ("{ a: 1 }.?missing", None),
        ("{ a: 1 }.?missing ?? 2", 2),
        ("{ Key: 1 }.key", 1),
        ("{ 'x-y': 1 }['x-y']", 1),
        ("[1, 2, 3][1]", 2),
        ("[1][?5]", None),
        ("'pre-${1 + 1}-${true}-post'", "pre-2-True-post"),  # ARM format(): True
        ("string(true)", "True"),
        ("'it\\'s \\${x}'", "it's ${x}"),
        ("toLower('ABC')", "abc"),
        ("toUpper('abc')", "ABC"),
        ("empty('')", True),
        ("empty({})", True),
        ("empty([1])", False),
        ("contains('abc', 'b')", True),
        ("contains({ Name: 1 }, 'name')", True),
        ("contains([1, 2], 3)", False),
        (
            "union({ a: 1, n: { x: 1 } }, { b: 2, n: { y: 2 } })",
            {"a": 1, "n": {"x": 1, "y": 2}, "b": 2},
        ),
        ("union([1, 2], [2, 3])", [1, 2, 3]),
        ("concat('a', 'b', 'c')", "abc"),
        ("concat([1], [2])", [1, 2]),
        ("coalesce(null, null, 'third')", "third"),
        ("length([1, 2, 3])", 3),
        ("length('four')", 4),
        ("json('{\"a\": [1, null]}')", {"a": [1, None]}),
        ("string(42)", "42"),
        ("join(['a', 'b'], ',')", "a,b"),
        ("indexOf('ABC', 'b')", 1),
        ("string({ a: true })", '{"a":true}'),
        ("int('17')", 17),
        ("bool('True')", True),
        ("range(2, 3)", [2, 3, 4]),
        ("split('a/b/c', '/')[2]", "c"),
        ("last(split('a/b/c', '/'))", "c"),
        ("first([7, 8])", 7),
        ("replace('a-b', '-', '_')", "a_b"),
        ("format('{0}-{1}', 'x', 2)", "x-2"),
        ("substring('abcdef', 1, 3)", "bcd"),
        ("padLeft(7, 3, '0')", "007"),
        ("startsWith('Windows', 'win')", True),
        ("take([1, 2, 3], 2)", [1, 2]),
        ("map([1, 2], x => x * 10)", [10, 20]),
        ("filter([1, 2, 3], x => x > 1)", [2, 3]),
        ("reduce([1, 2, 3], 0, (acc, x) => acc + x)", 6),
        ("toObject(['a', 'b'], x => x, x => true)", {"a": True, "b": True}),
        ("objectKeys({ b: 1, a: 2 })", ["b", "a"]),
        ("items({ b: 1, a: 2 })[0].key", "a"),
        ("[for i in range(0, 3): i * 2]", [0, 2, 4]),
        ("[for (x, i) in ['a', 'b']: '${x}${i}']", ["a0", "b1"]),
        ("sys.toLower('X')", "x"),
        ("any('x')", "x"),
    ],
)
def test_expressions(tmp_path, expression, expected):
    assert _value(tmp_path, expression) == expected


def test_multiline_strings_and_spread(tmp_path):
    values = _vars(
        tmp_path,
        "var base = { a: 1 }\n"
        "var merged = {\n  ...base\n  b: 2\n}\n"
        "var joined = [\n  ...[1, 2]\n  3\n]\n"
        "var text = '''\nline // not a comment\n'''\n"
        "var url = '//${'host'}/path'\n",
    )
    assert values["merged"] == {"a": 1, "b": 2}
    assert values["joined"] == [1, 2, 3]
    assert values["text"] == "line // not a comment\n"
    assert values["url"] == "//host/path"


@pytest.mark.parametrize(
    ("expression", "reason"),
    [
        ("resourceGroup().location", "resourceGroup() is known only at deployment"),
        ("newGuid()", "newGuid() is known only at deployment"),
        ("utcNow()", "utcNow() is known only at deployment"),
        ("reference('x').id", "reference() is known only at deployment"),
        ("someUndeclaredName", "'someUndeclaredName' is not declared in expr.bicep"),
        ("toLower(resourceGroup().name)", "resourceGroup() is known only at deployment"),
        ("frobnicate(1)", "function frobnicate() is not evaluated by armlint"),
    ],
)
def test_unknown_values_carry_a_reason(tmp_path, expression, reason):
    value = _value(tmp_path, expression)
    assert isinstance(value, Unknown)
    assert value.reason == reason


def test_unknown_operands_short_circuit(tmp_path):
    prelude = "param unknownFlag bool\n"
    assert _value(tmp_path, "false && unknownFlag", prelude) is False
    assert _value(tmp_path, "unknownFlag || true", prelude) is True
    assert isinstance(_value(tmp_path, "unknownFlag && true", prelude), Unknown)
    assert _value(tmp_path, "unknownFlag ? 'same' : 'same'", prelude) == "same"
    conditional = _value(tmp_path, "unknownFlag ? 'a' : 'b'", prelude)
    assert isinstance(conditional, Unknown)
    assert "depends on unknownFlag" in conditional.reason


def test_secure_and_nullable_parameters(tmp_path):
    values = _vars(
        tmp_path,
        "@secure()\nparam secret string\nparam optional string?\n"
        "var a = secret\nvar b = optional\nvar c = length({ k: secret })\n",
    )
    assert values["a"] == Unknown("secure parameter secret has no value")
    assert values["b"] is None
    assert values["c"] == 1  # the object's size is known even if a member is not


def test_resource_references(tmp_path):
    values = _vars(
        tmp_path,
        "resource vm 'Microsoft.Compute/virtualMachines@2022-11-01' = {\n  name: 'vm-a'\n}\n"
        "resource vms 'Microsoft.Compute/virtualMachines@2022-11-01' = [for i in range(0, 2): {\n"
        "  name: 'vm-${i}'\n}]\n"
        "var name = vm.name\nvar second = vms[1].name\nvar id = vm.id\nvar notEmpty = !empty(vm.id)\n"
        "var type = vm.type\n",
    )
    assert values["name"] == "vm-a"
    assert values["second"] == "vm-1"
    assert values["id"] == Unknown("vm.id is known only at deployment")
    assert values["notEmpty"] is True  # a resource id is never empty
    assert values["type"] == "Microsoft.Compute/virtualMachines"


def test_user_defined_function_and_imports_are_tolerated(tmp_path):
    values = _vars(
        tmp_path,
        "import { shared } from 'shared.bicep'\n"
        "type settings = {\n  @description('a decorated member')\n  mode: string?\n}?\n"
        "func prefixed(name string) string => 'vm-${name}'\n"
        "var a = prefixed('x')\n",
    )
    assert values["a"] == "vm-x"
