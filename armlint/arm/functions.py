"""The ARM template functions and the world they see.

``FUNCTIONS`` maps each lower-case function name to a ``FunctionSpec``; the evaluator in
``expressions.py`` looks names up there (``lookup``) and calls ``call_function``. The control-flow
functions (``if``, ``and``, ``or``, ``coalesce``, ``lambda``) need unevaluated arguments and live
in the evaluator instead.

A function receives evaluated arguments: plain JSON-shaped Python values, ``Unknown`` (a value
only known at deployment), ``PartialObject`` (an object of which only some properties are known)
or a ``LambdaValue``. Unless its spec says ``handles_unknown``, a function is never called with an
``Unknown`` argument: the evaluator returns that argument instead, so the most specific reason
travels up. Functions still meet unknowns nested inside arrays and objects and must not guess.

Semantics follow the Azure Resource Manager documentation ("Template functions" pages); where it
is silent, the behaviour of the deployment engine as reported in public issues (e.g.
``string(true())`` is ``'True'``, Azure/PSRule.Rules.Azure#793) is used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cmp_to_key

from armlint.model import Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

# ARM integers are 64-bit signed.
INT_MIN = -(2**63)
INT_MAX = 2**63 - 1
# range() accepts at most this many elements (ARM documentation of range()).
MAX_RANGE_COUNT = 10_000
# No string may grow past this; it protects memory from padLeft('', 10000000000) and friends.
MAX_STRING_LENGTH = 10_000_000
# .NET composite formatting rejects wider alignments.
MAX_FORMAT_WIDTH = 1_000_000
# Big results cost extra budget (one step per this many characters or elements), so that a
# template cannot build huge values with few calls.
CHARGE_UNIT = 1024


class EvaluationError(ValueError):
    """A function applied to wrong arguments, a missing property, an exhausted budget..."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BudgetExhaustedError(EvaluationError):
    """The evaluation budget is used up; never swallowed by lazy functions."""


class Budget:
    """A number of evaluation steps shared by every expression of one template run."""

    __slots__ = ("remaining", "steps")

    def __init__(self, steps: int = 100_000) -> None:
        self.steps = steps
        self.remaining = steps

    def spend(self, n: int = 1) -> None:
        self.remaining -= n
        if self.remaining < 0:
            raise BudgetExhaustedError(f"evaluation budget exhausted ({self.steps} steps)")


class PartialObject(dict):
    """An object of which only the present properties are known.

    Reading an absent property gives ``Unknown(reason)`` instead of an error; functions that look
    at the object as a whole (length, equals, union...) treat it as unknown.
    """

    def __init__(self, known: dict[str, Any], reason: str) -> None:
        super().__init__(known)
        self.reason = reason

    def unknown(self) -> Unknown:
        return Unknown(self.reason)


class ResourceId(str):
    """A resource id built by resourceId() and friends; unknown parts are ``{placeholders}``."""

    resource_type: str
    name: str

    def __new__(cls, text: str, resource_type: str, name: str) -> ResourceId:
        instance = super().__new__(cls, text)
        instance.resource_type = resource_type
        instance.name = name
        return instance

    def __reduce__(self) -> tuple[type[ResourceId], tuple[str, str, str]]:
        # Copies and pickles (records cross to --jobs workers) rebuild it through __new__.
        return (ResourceId, (str(self), self.resource_type, self.name))


class LambdaValue:
    """What lambda() evaluates to; only map, filter, reduce, sort and toObject accept it."""

    params: tuple[str, ...] = ()

    def __call__(self, *values: Any) -> Any:
        raise NotImplementedError


def _deployment_unknown(function: str, prop: str) -> Unknown:
    return Unknown(f"{function}().{prop} is only known at deployment")


# The members of resourceGroup(), subscription(), deployment() and environment(), each
# unknown until deployment; made once per function (nothing changes an Unknown once made),
# not six texts and Unknowns for each of the corpus's 317 resourceGroup() calls.
_SCOPE_OBJECT_MEMBERS = {
    "resourceGroup": ("id", "name", "location", "managedBy", "tags", "properties"),
    "subscription": ("id", "subscriptionId", "tenantId", "displayName"),
    "deployment": ("name", "properties", "location"),
    "environment": ("name", "gallery", "graph", "portal", "resourceManager", "suffixes"),
}
_scope_object_unknowns: dict[str, dict[str, Unknown]] = {}


def _scope_object(function: str) -> PartialObject:
    """What ``function()`` returns by default: an object whose members are all unknown. A new
    object each time (a scope may set a member: ``--location``), of the same Unknowns."""
    members = _scope_object_unknowns.get(function)
    if members is None:
        members = _scope_object_unknowns[function] = {
            name: _deployment_unknown(function, name) for name in _SCOPE_OBJECT_MEMBERS[function]
        }
    return PartialObject(members, f"{function}() is only known at deployment")


class Scope:
    """What an expression can see. Subclasses override the hooks; every default is unknown."""

    def __init__(self, budget: Budget | None = None) -> None:
        self._budget = budget

    @property
    def budget(self) -> Budget:
        # A subclass may not call __init__; it still gets a budget.
        budget = getattr(self, "_budget", None)
        if budget is None:
            budget = self._budget = Budget()
        return budget

    @budget.setter
    def budget(self, value: Budget) -> None:
        self._budget = value

    def parameter(self, name: str) -> Any:
        return Unknown(f"parameters('{name}') is not known")

    def variable(self, name: str) -> Any:
        return Unknown(f"variables('{name}') is not known")

    def variable_member(self, call: Any, member: str, evaluate: Callable[[Any, Scope], Any]) -> Any:
        """``evaluate(call, self)``, a ``variables('v')`` call of which only the property
        ``member`` is read: a scope that tracks what values read may count less (arm.template)."""
        return evaluate(call, self)

    def copy_index(self, loop: str | None) -> int | Unknown:
        if loop is None:
            return Unknown("copyIndex() is only known inside a copy loop")
        return Unknown(f"copyIndex('{loop}') is only known inside that copy loop")

    def resource_group(self) -> dict:
        known = _scope_object("resourceGroup")
        known["type"] = "Microsoft.Resources/resourceGroups"
        return known

    def subscription(self) -> dict:
        return _scope_object("subscription")

    def deployment(self) -> dict:
        return _scope_object("deployment")

    def environment(self) -> dict:
        return _scope_object("environment")

    def reference(self, args: list) -> Any:
        return Unknown("reference() and list*() values are only known at deployment")

    def user_function(self, name: str, args: list) -> Any:
        """A user-defined function ``namespace.member(...)`` of the template."""
        return Unknown(f"user-defined function '{name}()' is not evaluated by armlint")

    def lambda_variable(self, name: str) -> Any:
        raise EvaluationError(f"lambdaVariables('{name}') is used outside a lambda")


# ---------------------------------------------------------------------------------------------
# Value helpers


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, LambdaValue):
        return "lambda"
    return type(value).__name__


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _expect_str(function: str, value: Any, what: str = "argument") -> str:
    if not isinstance(value, str):
        raise EvaluationError(f"{function}() expects {what} to be a string, got {type_name(value)}")
    return value


def _expect_int(function: str, value: Any, what: str = "argument") -> int:
    if not is_int(value):
        raise EvaluationError(f"{function}() expects {what} to be an int, got {type_name(value)}")
    return value


def _expect_list(function: str, value: Any, what: str = "argument") -> list:
    if not isinstance(value, list):
        raise EvaluationError(f"{function}() expects {what} to be an array, got {type_name(value)}")
    return value


def _expect_dict(function: str, value: Any, what: str = "argument") -> dict:
    if not isinstance(value, dict):
        raise EvaluationError(
            f"{function}() expects {what} to be an object, got {type_name(value)}"
        )
    return value


def _checked_int(function: str, value: int) -> int:
    if not INT_MIN <= value <= INT_MAX:
        raise EvaluationError(f"{function}() overflows a 64-bit integer")
    return value


def _checked_length(function: str, length: int) -> None:
    if length > MAX_STRING_LENGTH:
        raise EvaluationError(
            f"{function}() would build a string of {length} characters, "
            f"more than armlint's limit of {MAX_STRING_LENGTH}"
        )


def find_unknown(value: Any) -> Unknown | None:
    """The first unknown inside a value (a partial object counts as unknown), or None."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unknown):
            return item
        if isinstance(item, PartialObject):
            return item.unknown()
        if isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, list):
            stack.extend(reversed(item))
    return None


_MISSING = object()


def lookup_key(obj: dict, name: str) -> Any:
    """ARM property lookup: exact key first, then case-insensitive; ``_MISSING`` when absent."""
    if name in obj:
        return obj[name]
    lowered = name.lower()
    for key, value in obj.items():
        if isinstance(key, str) and key.lower() == lowered:
            return value
    return _MISSING


def get_property(value: Any, name: str) -> Any:
    """``value.name`` or ``value['name']``."""
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, dict):
        raise EvaluationError(f"cannot read property '{name}' of a {type_name(value)}")
    found = lookup_key(value, name)
    if found is not _MISSING:
        return found
    if isinstance(value, PartialObject):
        return value.unknown()
    available = ", ".join(str(k) for k in list(value)[:20])
    raise EvaluationError(f"property '{name}' does not exist; available: {available or 'none'}")


def get_index(value: Any, index: Any) -> Any:
    """``value[index]``: an array element or, with a string, an object property."""
    if isinstance(value, Unknown):
        return value
    if isinstance(index, Unknown):
        return index
    if isinstance(index, str):
        return get_property(value, index)
    if not isinstance(value, list):
        raise EvaluationError(f"cannot index a {type_name(value)} with {type_name(index)}")
    if not is_int(index):
        raise EvaluationError(f"an array index must be an int, got {type_name(index)}")
    if not 0 <= index < len(value):
        raise EvaluationError(f"index {index} is out of range for an array of {len(value)}")
    return value[index]


def deep_equal(left: Any, right: Any) -> bool | Unknown:
    """ARM equality: strings case-sensitive, arrays and objects deep; Unknown when undecided."""
    for side in (left, right):
        if isinstance(side, Unknown):
            return side
        if isinstance(side, PartialObject):
            return side.unknown()
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, (int, float)) and isinstance(right, (int, float)):
        return left == right
    if isinstance(left, str) and isinstance(right, str):
        return left == right
    if isinstance(left, list) and isinstance(right, list):
        if len(left) != len(right):
            return False
        return _all_equal(zip(left, right, strict=True))
    if isinstance(left, dict) and isinstance(right, dict):
        if left.keys() != right.keys():
            return False
        return _all_equal((left[key], right[key]) for key in left)
    return left is None and right is None


def _all_equal(pairs: Any) -> bool | Unknown:
    undecided: Unknown | None = None
    for left, right in pairs:
        result = deep_equal(left, right)
        if result is False:
            return False  # one known difference settles it, whatever the unknowns
        if isinstance(result, Unknown) and undecided is None:
            undecided = result
    return undecided if undecided is not None else True


def _identity(value: Any) -> tuple:
    """A hashable key with ARM equality, for distinct/intersect; the value must be known."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, str):
        return ("string", value)
    if value is None:
        return ("null",)
    return ("json", json.dumps(value, sort_keys=True, ensure_ascii=False))


def collation_key(text: str) -> tuple[str, str]:
    """Approximates .NET invariant-culture order: case-insensitive, lower case first on ties.

    ARM documents greater('A', 'a') as true, which an ordinal comparison would get wrong.
    """
    return (text.casefold(), text.swapcase())


def to_text(value: Any, function: str) -> str:
    """A scalar as ARM prints it: ``True``/``False`` for booleans, '' for null."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if value is None:
        return ""
    raise EvaluationError(f"{function}() cannot use a {type_name(value)} as text")


def to_compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------
# Deployment: parameters, variables, copyIndex, scope objects, references


def _fn_parameters(args: list, scope: Scope) -> Any:
    return scope.parameter(_expect_str("parameters", args[0], "the parameter name"))


def _fn_variables(args: list, scope: Scope) -> Any:
    return scope.variable(_expect_str("variables", args[0], "the variable name"))


def _fn_copy_index(args: list, scope: Scope) -> Any:
    loop: str | None = None
    offset = 0
    if args and isinstance(args[0], str):
        loop = args[0]
        rest = args[1:]
    else:
        rest = args
    if len(rest) > 1:
        raise EvaluationError("copyIndex() expects (loopName, offset) or (offset)")
    if rest:
        offset = _expect_int("copyIndex", rest[0], "the offset")
    index = scope.copy_index(loop)
    if isinstance(index, Unknown):
        return index
    return _checked_int("copyIndex", _expect_int("copyIndex", index, "the loop index") + offset)


def _fn_resource_group(args: list, scope: Scope) -> Any:
    return scope.resource_group()


def _fn_subscription(args: list, scope: Scope) -> Any:
    return scope.subscription()


def _fn_deployment(args: list, scope: Scope) -> Any:
    return scope.deployment()


def _fn_environment(args: list, scope: Scope) -> Any:
    return scope.environment()


def _fn_reference(args: list, scope: Scope) -> Any:
    return scope.reference(args)


def _fn_lambda_variables(args: list, scope: Scope) -> Any:
    return scope.lambda_variable(_expect_str("lambdaVariables", args[0], "the variable name"))


def _computed_at_deployment(name: str) -> Callable[[list, Scope], Any]:
    def impl(args: list, scope: Scope) -> Any:
        return Unknown(f"{name}() is computed at deployment")

    return impl


# ---------------------------------------------------------------------------------------------
# Resource ids


def _known_text(value: Any, placeholder: str) -> str:
    return value if isinstance(value, str) else placeholder


def _default_subscription(scope: Scope) -> str:
    subscription = scope.subscription()
    found = lookup_key(subscription, "subscriptionId") if isinstance(subscription, dict) else None
    return _known_text(found, "{subscriptionId}")


def _default_resource_group(scope: Scope) -> str:
    group = scope.resource_group()
    found = lookup_key(group, "name") if isinstance(group, dict) else None
    return _known_text(found, "{resourceGroup}")


def _split_type_and_names(
    function: str, args: list, prefix_max: int
) -> tuple[list, str | Unknown, list]:
    """Finds the resource type: the first of the leading arguments that contains a '/' (or the
    first unknown argument, when none does: the type may be that one)."""
    for position, arg in enumerate(args[: prefix_max + 1]):
        if isinstance(arg, str) and "/" in arg:
            return args[:position], arg, args[position + 1 :]
    unknown = next((a for a in args if isinstance(a, Unknown)), None)
    if unknown is not None:
        return [], unknown, []
    raise EvaluationError(f"{function}() needs a resource type such as 'Microsoft.Compute/x'")


def _resource_path(function: str, resource_type: str, names: list) -> str:
    segments = resource_type.split("/")
    parts: list[str] = []
    for name in names:
        if is_int(name):
            name = str(name)
        parts.extend(_expect_str(function, name, "a resource name").split("/"))
    if len(parts) != len(segments) - 1:
        raise EvaluationError(
            f"{function}(): type '{resource_type}' needs {len(segments) - 1} name segment(s), "
            f"got {len(parts)}"
        )
    path = [segments[0]]
    for type_segment, name in zip(segments[1:], parts, strict=True):
        path += [type_segment, name]
    return "/".join(path)


def _build_resource_id(
    function: str, args: list, prefix_max: int, make_base: Callable[[list], str]
) -> Any:
    prefix, resource_type, names = _split_type_and_names(function, args, prefix_max)
    if isinstance(resource_type, Unknown):
        return resource_type
    for name in names:
        found = find_unknown(name)
        if found is not None:
            return found
    resource_type = resource_type.strip("/")  # ARM accepts 'Microsoft.Compute/virtualMachines/'
    path = _resource_path(function, resource_type, names)
    text = f"{make_base(prefix)}/providers/{path}"
    return ResourceId(text, resource_type, "/".join(to_text(n, function) for n in names))


def _fn_resource_id(args: list, scope: Scope) -> Any:
    def base(prefix: list) -> str:
        subscription = _default_subscription(scope)
        group = _default_resource_group(scope)
        if len(prefix) == 2:
            subscription = _known_text(prefix[0], "{subscriptionId}")
        if prefix:
            group = _known_text(prefix[-1], "{resourceGroup}")
        return f"/subscriptions/{subscription}/resourceGroups/{group}"

    return _build_resource_id("resourceId", args, 2, base)


def _fn_subscription_resource_id(args: list, scope: Scope) -> Any:
    def base(prefix: list) -> str:
        subscription = _default_subscription(scope)
        if prefix:
            subscription = _known_text(prefix[0], "{subscriptionId}")
        return f"/subscriptions/{subscription}"

    return _build_resource_id("subscriptionResourceId", args, 1, base)


def _fn_tenant_resource_id(args: list, scope: Scope) -> Any:
    return _build_resource_id("tenantResourceId", args, 0, lambda prefix: "")


def _fn_extension_resource_id(args: list, scope: Scope) -> Any:
    parent = _known_text(args[0], "{resourceId}")
    rest = _build_resource_id("extensionResourceId", args[1:], 0, lambda prefix: "")
    if isinstance(rest, Unknown):
        return rest
    return ResourceId(parent.rstrip("/") + rest, rest.resource_type, rest.name)


# ---------------------------------------------------------------------------------------------
# Logical and comparison


def _fn_not(args: list, scope: Scope) -> Any:
    if not isinstance(args[0], bool):
        raise EvaluationError(f"not() expects a bool, got {type_name(args[0])}")
    return not args[0]


def _fn_bool(args: list, scope: Scope) -> Any:
    value = args[0]
    if isinstance(value, bool):
        return value
    if is_int(value):
        return value != 0
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise EvaluationError(f"bool() cannot convert {type_name(value)} {value!r}")


def _fn_true(args: list, scope: Scope) -> Any:
    return True


def _fn_false(args: list, scope: Scope) -> Any:
    return False


def _fn_null(args: list, scope: Scope) -> Any:
    return None


def _fn_equals(args: list, scope: Scope) -> Any:
    return deep_equal(args[0], args[1])


def _comparable(function: str, left: Any, right: Any) -> tuple[Any, Any]:
    if is_int(left) and is_int(right):
        return left, right
    if isinstance(left, str) and isinstance(right, str):
        return collation_key(left), collation_key(right)
    raise EvaluationError(
        f"{function}() compares two ints or two strings, got {type_name(left)} "
        f"and {type_name(right)}"
    )


def _fn_less(args: list, scope: Scope) -> Any:
    left, right = _comparable("less", args[0], args[1])
    return left < right


def _fn_less_or_equals(args: list, scope: Scope) -> Any:
    left, right = _comparable("lessOrEquals", args[0], args[1])
    return left <= right


def _fn_greater(args: list, scope: Scope) -> Any:
    left, right = _comparable("greater", args[0], args[1])
    return left > right


def _fn_greater_or_equals(args: list, scope: Scope) -> Any:
    left, right = _comparable("greaterOrEquals", args[0], args[1])
    return left >= right


# ---------------------------------------------------------------------------------------------
# Numbers


def _two_ints(function: str, args: list) -> tuple[int, int]:
    return _expect_int(function, args[0], "operand 1"), _expect_int(function, args[1], "operand 2")


def _fn_add(args: list, scope: Scope) -> Any:
    left, right = _two_ints("add", args)
    return _checked_int("add", left + right)


def _fn_sub(args: list, scope: Scope) -> Any:
    left, right = _two_ints("sub", args)
    return _checked_int("sub", left - right)


def _fn_mul(args: list, scope: Scope) -> Any:
    left, right = _two_ints("mul", args)
    return _checked_int("mul", left * right)


def _truncated_quotient(function: str, left: int, right: int) -> int:
    if right == 0:
        raise EvaluationError(f"{function}() divides by zero")
    quotient = abs(left) // abs(right)  # .NET division truncates toward zero
    return quotient if (left < 0) == (right < 0) else -quotient


def _fn_div(args: list, scope: Scope) -> Any:
    left, right = _two_ints("div", args)
    return _checked_int("div", _truncated_quotient("div", left, right))


def _fn_mod(args: list, scope: Scope) -> Any:
    left, right = _two_ints("mod", args)
    return left - right * _truncated_quotient("mod", left, right)  # sign follows the dividend


def _int_candidates(function: str, args: list) -> Any:
    values: list[int] = []
    for arg in args:
        items = arg if isinstance(arg, list) else [arg]
        for item in items:
            if isinstance(item, Unknown):
                return item
            values.append(_expect_int(function, item, "every value"))
    if not values:
        raise EvaluationError(f"{function}() needs at least one value")
    return values


def _fn_min(args: list, scope: Scope) -> Any:
    values = _int_candidates("min", args)
    return values if isinstance(values, Unknown) else min(values)


def _fn_max(args: list, scope: Scope) -> Any:
    values = _int_candidates("max", args)
    return values if isinstance(values, Unknown) else max(values)


def _fn_int(args: list, scope: Scope) -> Any:
    value = args[0]
    if is_int(value):
        return value
    if isinstance(value, str):
        text = value.strip()
        if re.fullmatch(r"[+-]?[0-9]{1,19}", text):
            return _checked_int("int", int(text))
    raise EvaluationError(f"int() cannot convert {type_name(value)} {value!r:.80}")


def _fn_range(args: list, scope: Scope) -> Any:
    start = _expect_int("range", args[0], "the start index")
    count = _expect_int("range", args[1], "the count")
    if not 0 <= count <= MAX_RANGE_COUNT:
        raise EvaluationError(f"range() count must be between 0 and {MAX_RANGE_COUNT}")
    if start + count > 2**31 - 1:
        raise EvaluationError("range() start + count must not exceed 2147483647")
    return list(range(start, start + count))


# ---------------------------------------------------------------------------------------------
# Strings


def _fn_concat(args: list, scope: Scope) -> Any:
    if any(isinstance(arg, list) for arg in args):
        result: list = []
        for arg in args:
            if arg is None:
                continue
            result.extend(_expect_list("concat", arg, "every argument (arrays mode)"))
        return result
    parts = [to_text(arg, "concat") for arg in args]
    _checked_length("concat", sum(len(part) for part in parts))
    return "".join(parts)


# Patterns, not compiled at import: compiling them cost about 2 million instructions (a
# millisecond) of every ARM check's start-up, and few templates call format(); the re module
# compiles them at the first call and keeps them.
_FORMAT_ITEM = (
    r"\{\{|\}\}"
    r"|\{(?P<index>[0-9]{1,7}) *(?:, *(?P<align>-?[0-9]{1,7}) *)?(?::(?P<spec>[^{}]*))?\}"
    r"|[{}]"
)
_STANDARD_NUMERIC = r"(?P<letter>[DdNnXxFfGg])(?P<precision>[0-9]{0,2})"


def _format_int(value: int, spec: str) -> str:
    standard = re.fullmatch(_STANDARD_NUMERIC, spec)
    if standard:
        letter = standard["letter"].upper()
        precision = int(standard["precision"]) if standard["precision"] else None
        return _standard_int_format(value, letter, precision, standard["letter"] == "x")
    if re.fullmatch(r"[0#]+", spec):
        digits = str(abs(value)).lstrip("0")
        digits = digits.zfill(spec.count("0"))
        return ("-" if value < 0 and digits else "") + digits
    raise EvaluationError(f"format() specifier '{spec}' is not supported by armlint")


def _standard_int_format(value: int, letter: str, precision: int | None, lower: bool) -> str:
    sign = "-" if value < 0 else ""
    if letter == "D":
        return sign + str(abs(value)).zfill(precision or 0)
    if letter == "X":
        unsigned = value & 0xFFFF_FFFF_FFFF_FFFF  # .NET prints the two's complement
        text = format(unsigned, "x" if lower else "X")
        return text.zfill(precision or 0)
    decimals = 2 if precision is None else precision
    fraction = "." + "0" * decimals if decimals else ""
    if letter == "N":
        return f"{value:,}" + fraction
    if letter == "F":
        return str(value) + fraction
    if precision is not None and 0 < precision < len(str(abs(value))):  # G with few digits
        raise EvaluationError(f"format() specifier 'G{precision}' is not supported by armlint")
    return str(value)


def _format_value(value: Any, spec: str | None) -> str:
    if isinstance(value, (dict, list)):
        raise EvaluationError(f"format() cannot format a {type_name(value)}")
    if spec is None or spec == "" or not is_int(value):
        # .NET ignores format specifiers for values that are not numbers.
        if spec and isinstance(value, float):
            raise EvaluationError("format() specifiers on non-integer numbers are not supported")
        return to_text(value, "format")
    return _format_int(value, spec)


def _fn_format(args: list, scope: Scope) -> Any:
    template = _expect_str("format", args[0], "the format string")
    values = args[1:]
    for value in values:
        found = find_unknown(value)
        if found is not None:
            return found

    def render(match: re.Match) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        if match["index"] is None:
            raise EvaluationError(f"format() string has an unmatched '{token}'")
        index = int(match["index"])
        if index >= len(values):
            raise EvaluationError(f"format() refers to {{{index}}} but has {len(values)} value(s)")
        text = _format_value(values[index], match["spec"])
        return _align(text, match["align"])

    result = re.sub(_FORMAT_ITEM, render, template)
    _checked_length("format", len(result))
    return result


def _align(text: str, align: str | None) -> str:
    if align is None:
        return text
    width = int(align)
    if abs(width) >= MAX_FORMAT_WIDTH:
        raise EvaluationError("format() alignment is too wide")
    return text.ljust(-width) if width < 0 else text.rjust(width)


def _fn_string(args: list, scope: Scope) -> Any:
    value = args[0]
    if isinstance(value, (dict, list)):
        found = find_unknown(value)
        if found is not None:
            return found
        return to_compact_json(value)
    return to_text(value, "string")


def _fn_to_lower(args: list, scope: Scope) -> Any:
    return _expect_str("toLower", args[0]).lower()


def _fn_to_upper(args: list, scope: Scope) -> Any:
    return _expect_str("toUpper", args[0]).upper()


def _fn_trim(args: list, scope: Scope) -> Any:
    return _expect_str("trim", args[0]).strip()


def _fn_split(args: list, scope: Scope) -> Any:
    text = _expect_str("split", args[0], "the input")
    delimiters = args[1] if isinstance(args[1], list) else [args[1]]
    found = find_unknown(delimiters)
    if found is not None:
        return found
    usable = [_expect_str("split", d, "every delimiter") for d in delimiters]
    usable = [d for d in usable if d]
    if not usable:
        return [text]
    # .NET tries the delimiters in the given order at each position, as regex alternation does.
    return re.split("|".join(re.escape(d) for d in usable), text)


def _fn_replace(args: list, scope: Scope) -> Any:
    text = _expect_str("replace", args[0], "the original string")
    old = _expect_str("replace", args[1], "the old string")
    new = _expect_str("replace", args[2], "the new string")
    if not old:
        raise EvaluationError("replace() cannot replace an empty string")
    _checked_length("replace", len(text) + text.count(old) * (len(new) - len(old)))
    return text.replace(old, new)


def _fn_substring(args: list, scope: Scope) -> Any:
    text = _expect_str("substring", args[0], "the string")
    start = _expect_int("substring", args[1], "the start index") if len(args) > 1 else 0
    if len(args) > 2 and args[2] is not None:
        length = _expect_int("substring", args[2], "the length")
    else:
        length = len(text) - start
    if start < 0 or length < 0 or start + length > len(text):
        raise EvaluationError(
            f"substring(): index {start} and length {length} must lie within the string "
            f"of length {len(text)}"
        )
    return text[start : start + length]


def _fn_index_of(args: list, scope: Scope) -> Any:
    if isinstance(args[0], list):
        return _array_index(args[0], args[1], reversed_search=False)
    text = _expect_str("indexOf", args[0], "the string to search")
    return text.lower().find(_expect_str("indexOf", args[1], "the string to find").lower())


def _fn_last_index_of(args: list, scope: Scope) -> Any:
    if isinstance(args[0], list):
        return _array_index(args[0], args[1], reversed_search=True)
    text = _expect_str("lastIndexOf", args[0], "the string to search")
    wanted = _expect_str("lastIndexOf", args[1], "the string to find")
    return text.lower().rfind(wanted.lower())


def _array_index(items: list, wanted: Any, reversed_search: bool) -> Any:
    positions = range(len(items) - 1, -1, -1) if reversed_search else range(len(items))
    undecided: Unknown | None = None
    for position in positions:
        result = deep_equal(items[position], wanted)
        if result is True:
            return undecided if undecided is not None else position
        if isinstance(result, Unknown) and undecided is None:
            undecided = result
    return undecided if undecided is not None else -1


def _array_contains(items: list, wanted: Any) -> bool | Unknown:
    undecided: Unknown | None = None
    for item in items:
        result = deep_equal(item, wanted)
        if result is True:
            return True  # a known match settles it, whatever the unknown items
        if isinstance(result, Unknown) and undecided is None:
            undecided = result
    return undecided if undecided is not None else False


def _fn_starts_with(args: list, scope: Scope) -> Any:
    text = _expect_str("startsWith", args[0]).lower()
    return text.startswith(_expect_str("startsWith", args[1]).lower())


def _fn_ends_with(args: list, scope: Scope) -> Any:
    text = _expect_str("endsWith", args[0]).lower()
    return text.endswith(_expect_str("endsWith", args[1]).lower())


def _fn_pad_left(args: list, scope: Scope) -> Any:
    value = args[0]
    text = str(value) if is_int(value) else _expect_str("padLeft", value, "the value to pad")
    width = _expect_int("padLeft", args[1], "the total length")
    padding = _expect_str("padLeft", args[2], "the padding character") if len(args) > 2 else " "
    if len(padding) != 1:
        raise EvaluationError("padLeft() padding must be a single character")
    _checked_length("padLeft", width)
    return text.rjust(width, padding)


def _fn_base64(args: list, scope: Scope) -> Any:
    import base64  # rare in templates: not on every run's start-up path

    return base64.b64encode(_expect_str("base64", args[0]).encode("utf-8")).decode("ascii")


def _decode_base64(function: str, value: Any) -> str:
    import base64

    try:
        return base64.b64decode(_expect_str(function, value), validate=True).decode("utf-8")
    except ValueError as exc:  # binascii.Error, UnicodeDecodeError, or non-ASCII input
        raise EvaluationError(f"{function}() input is not valid base64 text") from exc


def _fn_base64_to_string(args: list, scope: Scope) -> Any:
    return _decode_base64("base64ToString", args[0])


def _fn_base64_to_json(args: list, scope: Scope) -> Any:
    return _parse_json("base64ToJson", _decode_base64("base64ToJson", args[0]))


# ---------------------------------------------------------------------------------------------
# Arrays and objects


def _fn_empty(args: list, scope: Scope) -> Any:
    value = args[0]
    if value is None:
        return True
    if isinstance(value, (str, list, dict)):
        return len(value) == 0
    raise EvaluationError(f"empty() expects a string, array or object, got {type_name(value)}")


def _fn_length(args: list, scope: Scope) -> Any:
    value = args[0]
    if isinstance(value, (str, list, dict)):
        return len(value)
    raise EvaluationError(f"length() expects a string, array or object, got {type_name(value)}")


def _fn_contains(args: list, scope: Scope) -> Any:
    container, wanted = args
    if isinstance(container, str):
        if is_int(wanted):
            wanted = str(wanted)
        return _expect_str("contains", wanted, "the value to find") in container
    if isinstance(container, dict):
        key = _expect_str("contains", wanted, "the key to find")
        return lookup_key(container, key) is not _MISSING
    if isinstance(container, list):
        return _array_contains(container, wanted)
    raise EvaluationError(f"contains() cannot search a {type_name(container)}")


def _fn_create_object(args: list, scope: Scope) -> Any:
    if len(args) % 2:
        raise EvaluationError("createObject() expects key/value pairs")
    result: dict = {}
    for position in range(0, len(args), 2):
        key = args[position]
        if isinstance(key, Unknown):
            return key
        key = _expect_str("createObject", key, "every key")
        if key in result:
            raise EvaluationError(f"createObject() repeats the key '{key}'")
        result[key] = args[position + 1]
    return result


def _fn_create_array(args: list, scope: Scope) -> Any:
    return list(args)


def _fn_array(args: list, scope: Scope) -> Any:
    return args[0] if isinstance(args[0], list) else [args[0]]


def _fn_json(args: list, scope: Scope) -> Any:
    return _parse_json("json", _expect_str("json", args[0]))


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(function: str, text: str) -> Any:
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except RecursionError as exc:
        raise EvaluationError(f"{function}() input nests too deeply") from exc
    except ValueError as exc:  # JSONDecodeError and oversized integers
        raise EvaluationError(f"{function}() input is not valid JSON: {exc}") from exc


def _fn_first(args: list, scope: Scope) -> Any:
    value = args[0]
    if isinstance(value, list):
        return value[0] if value else None
    return _expect_str("first", value, "an array or string")[:1]


def _fn_last(args: list, scope: Scope) -> Any:
    value = args[0]
    if isinstance(value, list):
        return value[-1] if value else None
    return _expect_str("last", value, "an array or string")[-1:]


def _sequence(function: str, value: Any) -> list | str:
    if isinstance(value, (list, str)):
        return value
    raise EvaluationError(f"{function}() expects an array or string, got {type_name(value)}")


def _fn_take(args: list, scope: Scope) -> Any:
    sequence = _sequence("take", args[0])
    return sequence[: max(0, _expect_int("take", args[1], "the count"))]


def _fn_skip(args: list, scope: Scope) -> Any:
    sequence = _sequence("skip", args[0])
    return sequence[max(0, _expect_int("skip", args[1], "the count")) :]


def _same_kind(function: str, args: list) -> type:
    if all(isinstance(arg, dict) for arg in args):
        return dict
    if all(isinstance(arg, list) for arg in args):
        return list
    kinds = ", ".join(type_name(arg) for arg in args)
    raise EvaluationError(f"{function}() expects all arrays or all objects, got {kinds}")


def _merge_objects(base: dict, extra: dict) -> dict:
    """ARM union of objects: later values win, nested objects merge, arrays are replaced."""
    result = dict(base)
    for key, value in extra.items():
        old = result.get(key, _MISSING)
        old_could_merge = isinstance(old, (dict, Unknown))
        new_could_merge = isinstance(value, (dict, Unknown))
        if old_could_merge and new_could_merge:
            result[key] = _merge_member(old, value)
        else:
            result[key] = value
    return result


def _merge_member(old: Any, new: Any) -> Any:
    for side in (new, old):
        if isinstance(side, Unknown):
            return side
        if isinstance(side, PartialObject):
            return side.unknown()
    return _merge_objects(old, new)


def _distinct_items(arrays: list[list]) -> Any:
    seen: set = set()
    result: list = []
    for array in arrays:
        for item in array:
            found = find_unknown(item)
            if found is not None:
                return found  # whether it repeats an earlier item cannot be known
            key = _identity(item)
            if key not in seen:
                seen.add(key)
                result.append(item)
    return result


def _fn_union(args: list, scope: Scope) -> Any:
    if _same_kind("union", args) is list:
        return _distinct_items(args)
    result: dict = {}
    for arg in args:
        result = _merge_objects(result, arg)
    return result


def _fn_intersection(args: list, scope: Scope) -> Any:
    if _same_kind("intersection", args) is list:
        return _intersect_arrays(args)
    result = dict(args[0])
    for other in args[1:]:
        for key in list(result):
            if key not in other:
                del result[key]
                continue
            same = deep_equal(result[key], other[key])
            if isinstance(same, Unknown):
                return same
            if not same:
                del result[key]
    return result


def _intersect_arrays(arrays: list[list]) -> Any:
    for array in arrays:
        found = find_unknown(array)
        if found is not None:
            return found
    others = [{_identity(item) for item in array} for array in arrays[1:]]
    first = _distinct_items([arrays[0]])
    return [item for item in first if all(_identity(item) in keys for keys in others)]


def _fn_items(args: list, scope: Scope) -> Any:
    obj = _expect_dict("items", args[0])
    keys = sorted((k for k in obj if isinstance(k, str)), key=collation_key)
    return [{"key": key, "value": obj[key]} for key in keys]


def _fn_object_keys(args: list, scope: Scope) -> Any:
    return list(_expect_dict("objectKeys", args[0]))


def _fn_shallow_merge(args: list, scope: Scope) -> Any:
    result: dict = {}
    for item in _expect_list("shallowMerge", args[0]):
        if isinstance(item, Unknown):
            return item
        if isinstance(item, PartialObject):
            return item.unknown()
        result.update(_expect_dict("shallowMerge", item, "every element"))
    return result


def _fn_try_get(args: list, scope: Scope) -> Any:
    value = args[0]
    for key in args[1:]:
        if value is None or isinstance(value, Unknown):
            return value
        if isinstance(key, Unknown):
            return key
        value = _try_get_step(value, key)
        if value is _MISSING:
            return None
    return value


def _try_get_step(value: Any, key: Any) -> Any:
    if isinstance(value, dict):
        found = lookup_key(value, _expect_str("tryGet", key, "an object key"))
        if found is _MISSING and isinstance(value, PartialObject):
            return value.unknown()
        return found
    if isinstance(value, list):
        index = _expect_int("tryGet", key, "an array index")
        return value[index] if 0 <= index < len(value) else _MISSING
    raise EvaluationError(f"tryGet() cannot look into a {type_name(value)}")


# ---------------------------------------------------------------------------------------------
# Lambda functions


class _UndecidedOrder(Exception):
    """Raised inside sort() when a comparison is unknown; carries the unknown."""

    def __init__(self, unknown: Unknown) -> None:
        super().__init__(unknown.reason)
        self.unknown = unknown


def _expect_lambda(function: str, value: Any, offered: int) -> LambdaValue:
    if not isinstance(value, LambdaValue):
        raise EvaluationError(f"{function}() expects a lambda, got {type_name(value)}")
    if len(value.params) > offered:
        raise EvaluationError(
            f"{function}() gives its lambda {offered} value(s), "
            f"but the lambda declares {len(value.params)}"
        )
    return value


def _invoke(function: str, lam: LambdaValue, *values: Any) -> Any:
    result = lam(*values[: len(lam.params)])
    if isinstance(result, LambdaValue):
        raise EvaluationError(f"the lambda of {function}() returns a lambda")
    return result


def _fn_map(args: list, scope: Scope) -> Any:
    items = _expect_list("map", args[0])
    lam = _expect_lambda("map", args[1], 2)
    return [_invoke("map", lam, item, index) for index, item in enumerate(items)]


def _fn_filter(args: list, scope: Scope) -> Any:
    items = _expect_list("filter", args[0])
    lam = _expect_lambda("filter", args[1], 2)
    kept = []
    for index, item in enumerate(items):
        keep = _invoke("filter", lam, item, index)
        if isinstance(keep, Unknown):
            return keep
        if not isinstance(keep, bool):
            raise EvaluationError(f"the lambda of filter() must return a bool, not {keep!r:.40}")
        if keep:
            kept.append(item)
    return kept


def _fn_reduce(args: list, scope: Scope) -> Any:
    items = _expect_list("reduce", args[0])
    lam = _expect_lambda("reduce", args[2], 3)
    accumulated = args[1]
    for index, item in enumerate(items):
        accumulated = _invoke("reduce", lam, accumulated, item, index)
    return accumulated


def _fn_sort(args: list, scope: Scope) -> Any:
    items = _expect_list("sort", args[0])
    lam = _expect_lambda("sort", args[1], 2)

    def before(left: Any, right: Any) -> bool:
        result = _invoke("sort", lam, left, right)
        if isinstance(result, Unknown):
            raise _UndecidedOrder(result)
        if not isinstance(result, bool):
            raise EvaluationError("the lambda of sort() must return a bool")
        return result

    def compare(left: Any, right: Any) -> int:
        if before(left, right):
            return -1
        return 1 if before(right, left) else 0

    try:
        return sorted(items, key=cmp_to_key(compare))
    except _UndecidedOrder as undecided:
        return undecided.unknown


def _fn_to_object(args: list, scope: Scope) -> Any:
    items = _expect_list("toObject", args[0])
    key_lambda = _expect_lambda("toObject", args[1], 1)
    value_lambda = _expect_lambda("toObject", args[2], 1) if len(args) > 2 else None
    result: dict = {}
    for item in items:
        key = _invoke("toObject", key_lambda, item)
        if isinstance(key, Unknown):
            return key
        key = _expect_str("toObject", key, "every key")
        result[key] = _invoke("toObject", value_lambda, item) if value_lambda else item
    return result


# ---------------------------------------------------------------------------------------------
# The table and the call protocol


class FunctionSpec:
    """A plain class, not a dataclass: creating a frozen dataclass cost about 4 million
    instructions of every ARM check's start-up. A spec is never changed."""

    __slots__ = ("impl", "min_args", "max_args", "handles_unknown", "takes_lambda")

    def __init__(
        self,
        impl: Callable[[list, Scope], Any],
        min_args: int,
        max_args: int | None,  # None: any number
        handles_unknown: bool = False,  # receives Unknown arguments instead of returning them
        takes_lambda: bool = False,
    ) -> None:
        self.impl = impl
        self.min_args = min_args
        self.max_args = max_args
        self.handles_unknown = handles_unknown
        self.takes_lambda = takes_lambda


def _spec(
    impl: Callable[[list, Scope], Any], low: int, high: int | None, **flags: bool
) -> FunctionSpec:
    return FunctionSpec(impl, low, high, **flags)


FUNCTIONS: dict[str, FunctionSpec] = {
    # deployment
    "parameters": _spec(_fn_parameters, 1, 1),
    "variables": _spec(_fn_variables, 1, 1),
    "copyindex": _spec(_fn_copy_index, 0, 2),
    "resourcegroup": _spec(_fn_resource_group, 0, 0),
    "subscription": _spec(_fn_subscription, 0, 0),
    "deployment": _spec(_fn_deployment, 0, 0),
    "environment": _spec(_fn_environment, 0, 0),
    "reference": _spec(_fn_reference, 1, 3),
    "lambdavariables": _spec(_fn_lambda_variables, 1, 1),
    # unknown whatever the arguments, so their own reason is the useful one
    "uniquestring": _spec(_computed_at_deployment("uniqueString"), 1, None, handles_unknown=True),
    "guid": _spec(_computed_at_deployment("guid"), 1, None, handles_unknown=True),
    "newguid": _spec(_computed_at_deployment("newGuid"), 0, 0),
    "utcnow": _spec(_computed_at_deployment("utcNow"), 0, 1, handles_unknown=True),
    # resource ids
    "resourceid": _spec(_fn_resource_id, 2, None, handles_unknown=True),
    "subscriptionresourceid": _spec(_fn_subscription_resource_id, 2, None, handles_unknown=True),
    "tenantresourceid": _spec(_fn_tenant_resource_id, 2, None, handles_unknown=True),
    "extensionresourceid": _spec(_fn_extension_resource_id, 3, None, handles_unknown=True),
    # logical and comparison
    "not": _spec(_fn_not, 1, 1),
    "bool": _spec(_fn_bool, 1, 1),
    "true": _spec(_fn_true, 0, 0),
    "false": _spec(_fn_false, 0, 0),
    "null": _spec(_fn_null, 0, 0),
    "equals": _spec(_fn_equals, 2, 2),
    "less": _spec(_fn_less, 2, 2),
    "lessorequals": _spec(_fn_less_or_equals, 2, 2),
    "greater": _spec(_fn_greater, 2, 2),
    "greaterorequals": _spec(_fn_greater_or_equals, 2, 2),
    # numbers
    "add": _spec(_fn_add, 2, 2),
    "sub": _spec(_fn_sub, 2, 2),
    "mul": _spec(_fn_mul, 2, 2),
    "div": _spec(_fn_div, 2, 2),
    "mod": _spec(_fn_mod, 2, 2),
    "min": _spec(_fn_min, 1, None),
    "max": _spec(_fn_max, 1, None),
    "int": _spec(_fn_int, 1, 1),
    "range": _spec(_fn_range, 2, 2),
    # strings
    "concat": _spec(_fn_concat, 1, None),
    "format": _spec(_fn_format, 1, None),
    "string": _spec(_fn_string, 1, 1),
    "tolower": _spec(_fn_to_lower, 1, 1),
    "toupper": _spec(_fn_to_upper, 1, 1),
    "trim": _spec(_fn_trim, 1, 1),
    "split": _spec(_fn_split, 2, 2),
    "replace": _spec(_fn_replace, 3, 3),
    "substring": _spec(_fn_substring, 1, 3),
    "indexof": _spec(_fn_index_of, 2, 2),
    "lastindexof": _spec(_fn_last_index_of, 2, 2),
    "startswith": _spec(_fn_starts_with, 2, 2),
    "endswith": _spec(_fn_ends_with, 2, 2),
    "padleft": _spec(_fn_pad_left, 2, 3),
    "base64": _spec(_fn_base64, 1, 1),
    "base64tostring": _spec(_fn_base64_to_string, 1, 1),
    "base64tojson": _spec(_fn_base64_to_json, 1, 1),
    # arrays and objects
    "empty": _spec(_fn_empty, 1, 1),
    "length": _spec(_fn_length, 1, 1),
    "contains": _spec(_fn_contains, 2, 2),
    "createobject": _spec(_fn_create_object, 0, None, handles_unknown=True),
    "createarray": _spec(_fn_create_array, 0, None, handles_unknown=True),
    "array": _spec(_fn_array, 1, 1),
    "json": _spec(_fn_json, 1, 1),
    "first": _spec(_fn_first, 1, 1),
    "last": _spec(_fn_last, 1, 1),
    "take": _spec(_fn_take, 2, 2),
    "skip": _spec(_fn_skip, 2, 2),
    "union": _spec(_fn_union, 2, None),
    "intersection": _spec(_fn_intersection, 2, None),
    "items": _spec(_fn_items, 1, 1),
    "objectkeys": _spec(_fn_object_keys, 1, 1),
    "shallowmerge": _spec(_fn_shallow_merge, 1, 1),
    "tryget": _spec(_fn_try_get, 2, None, handles_unknown=True),
    # lambdas
    "map": _spec(_fn_map, 2, 2, takes_lambda=True),
    "filter": _spec(_fn_filter, 2, 2, takes_lambda=True),
    "reduce": _spec(_fn_reduce, 3, 3, takes_lambda=True),
    "sort": _spec(_fn_sort, 2, 2, takes_lambda=True),
    "toobject": _spec(_fn_to_object, 2, 3, takes_lambda=True),
}

# list(), listKeys(), listSecrets(), listAccountSas()...: every list* function reads the
# deployed resource, like reference().
_LIST_FUNCTION = _spec(_fn_reference, 1, 3)


def lookup(key: str) -> FunctionSpec | None:
    """The spec of a lower-case function name, or None when armlint does not evaluate it."""
    spec = FUNCTIONS.get(key)
    if spec is None and key.startswith("list"):
        return _LIST_FUNCTION
    return spec


def check_arity(spec: FunctionSpec, name: str, count: int) -> None:
    if count < spec.min_args or (spec.max_args is not None and count > spec.max_args):
        if spec.max_args is None:
            expected = f"at least {spec.min_args}"
        elif spec.min_args == spec.max_args:
            expected = str(spec.min_args)
        else:
            expected = f"{spec.min_args} to {spec.max_args}"
        raise EvaluationError(f"{name}() expects {expected} argument(s), got {count}")


_NOT_PLAIN = (Unknown, PartialObject, LambdaValue)


def _unknown_instead(spec: FunctionSpec, name: str, args: list) -> Unknown | None:
    """What a call returns instead of applying the function: its first unknown argument
    (unless the function handles unknowns); a lambda where none is accepted raises."""
    for arg in args:
        if not spec.handles_unknown:
            if isinstance(arg, Unknown):
                return arg
            if isinstance(arg, PartialObject):
                return arg.unknown()
        if isinstance(arg, LambdaValue) and not spec.takes_lambda:
            raise EvaluationError(f"{name}() does not accept a lambda")
    return None


def call_function(spec: FunctionSpec, name: str, args: list, scope: Scope) -> Any:
    """Applies a function to evaluated arguments, with the unknown and lambda rules."""
    for arg in args:
        # One test per argument: most are plain values (the rules below took up to three
        # tests and two attribute reads each).
        if isinstance(arg, _NOT_PLAIN):
            instead = _unknown_instead(spec, name, args)
            if instead is not None:
                return instead
            break
    try:
        result = spec.impl(args, scope)
    except EvaluationError:
        raise
    except (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError) as exc:
        # Values come from templates of any shape; a gap in a function's type checks must
        # fail this one expression, not the whole lint run.
        raise EvaluationError(f"{name}() failed on its arguments (armlint bug): {exc!r}") from exc
    if isinstance(result, (str, list)) and len(result) > CHARGE_UNIT:
        scope.budget.spend(len(result) // CHARGE_UNIT)
    return result
