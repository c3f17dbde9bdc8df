"""Bicep operators and built-in functions, with ARM template-function semantics.

Bicep compiles its functions to the ARM functions of the same name, so the plain ones are
``armlint.arm.functions`` itself: when any argument holds an Unknown part, the result is
Unknown (with the first reason); the few Bicep-only ones (join, flatten...) are here. A few work on ``V`` values directly, because they can answer
with partly unknown input (``length`` of an array with unknown items) or because they must keep
the positions of object members (``union``, ``coalesce``). Functions that only the deployment
can answer (``resourceGroup``, ``reference``, ``newGuid``, ``utcNow``...) return Unknown.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from armlint.arm import functions as arm_functions
from armlint.bicep.values import (
    Lambda,
    V,
    deep_origin,
    first_unknown,
    lookup,
    merge_origin,
    plain,
    type_name,
    wrap,
)
from armlint.budgets import within_value_budget
from armlint.model import Unknown


@dataclass(slots=True)
class CallSite:
    template: Any
    node: Any
    site: Any


class _Fail(Exception):
    """Raised inside a plain function when the input makes no sense: the result is Unknown."""


def describe(value: Any) -> str:
    return type_name(value)


def to_text(value: Any) -> str:
    """How a value appears inside an interpolated string: Bicep compiles '${x}' to ARM's
    format('{0}', x), which prints booleans as True/False and objects as compact JSON."""
    if isinstance(value, dict | list):
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    try:
        return arm_functions.to_text(value, "format")
    except arm_functions.EvaluationError:
        return str(value)


# --- operators --------------------------------------------------------------------------------


def _equal(left: Any, right: Any) -> bool:
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    return left == right


def _fold(value: Any) -> Any:
    if isinstance(value, str):
        return value.casefold()
    return value


def unary(op: str, value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    if op == "!":
        return (not value) if isinstance(value, bool) else Unknown("'!' needs a boolean")
    if op == "-" and isinstance(value, int) and not isinstance(value, bool):
        return -value
    return Unknown(f"operator {op} is not defined for {describe(value)}")


def binary(op: str, left: Any, right: Any) -> Any:
    missing = first_unknown(left) or first_unknown(right)
    if missing is not None:
        return missing
    try:
        return _BINARY[op](left, right)
    except KeyError:
        return Unknown(f"operator {op} is not supported")
    except (TypeError, ZeroDivisionError, _Fail):
        return Unknown(f"operator {op} is not defined for {describe(left)} and {describe(right)}")


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Fail
    return value


def _compare(left: Any, right: Any) -> tuple[Any, Any]:
    if isinstance(left, str) and isinstance(right, str):
        return left, right
    return _int(left), _int(right)


def _divide(left: Any, right: Any) -> int:
    left, right = _int(left), _int(right)
    quotient = abs(left) // abs(right)
    return quotient if (left >= 0) == (right >= 0) else -quotient


def _modulo(left: Any, right: Any) -> int:
    left, right = _int(left), _int(right)
    return int(math.fmod(left, right))


_BINARY = {
    "==": _equal,
    "!=": lambda a, b: not _equal(a, b),
    "=~": lambda a, b: _equal(_fold(a), _fold(b)),
    "!~": lambda a, b: not _equal(_fold(a), _fold(b)),
    "<": lambda a, b: _compare(a, b)[0] < _compare(a, b)[1],
    "<=": lambda a, b: _compare(a, b)[0] <= _compare(a, b)[1],
    ">": lambda a, b: _compare(a, b)[0] > _compare(a, b)[1],
    ">=": lambda a, b: _compare(a, b)[0] >= _compare(a, b)[1],
    "+": lambda a, b: _int(a) + _int(b),
    "-": lambda a, b: _int(a) - _int(b),
    "*": lambda a, b: _int(a) * _int(b),
    "/": _divide,
    "%": _modulo,
}


# --- plain functions (Unknown in, Unknown out) ------------------------------------------------


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise _Fail
    return value


def _join(items: Any, delimiter: Any) -> str:
    if not isinstance(items, list):
        raise _Fail
    return _str(delimiter).join(to_text(item) for item in items)


def _flatten(value: Any) -> list:
    if not isinstance(value, list):
        raise _Fail
    return [item for inner in value for item in (inner if isinstance(inner, list) else [inner])]


def _distinct(value: Any) -> list:
    if not isinstance(value, list):
        raise _Fail
    result: list = []
    for item in value:
        if item not in result:
            result.append(item)
    return result


# Bicep functions that ARM does not have (ARM's own are used for everything else).
BICEP_ONLY_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "join": _join,
    "flatten": _flatten,
    "distinct": _distinct,
}

# Answered only by the deployment; the reason names the function.
DEPLOYMENT_FUNCTIONS = frozenset(
    {
        "resourcegroup",
        "subscription",
        "tenant",
        "managementgroup",
        "deployment",
        "environment",
        "reference",
        "list",
        "listkeys",
        "listsecrets",
        "getsecret",
        "newguid",
        "utcnow",
        "uniquestring",
        "guid",
        "datetimeadd",
        "datetimefromepoch",
        "datetimetoepoch",
        "pickzones",
        "providers",
        "readenvironmentvariable",
        "externalinput",
        "loadtextcontent",
        "loadjsoncontent",
        "loadyamlcontent",
        "loadfileasbase64",
        "managementgroupresourceid",
        "deployer",
    }
)
# What ``--location`` binds: the location of the resource group and of the deployment.
LOCATED_FUNCTIONS = {
    "resourcegroup": ("id", "name", "type", "managedBy", "tags", "properties"),
    "deployment": ("name", "properties"),
}
RESOURCE_ID_FUNCTIONS = frozenset(
    {"resourceid", "subscriptionresourceid", "extensionresourceid", "tenantresourceid"}
)


# --- V-aware functions ------------------------------------------------------------------------


def _v_empty(args: list[V], here: CallSite) -> Any:
    value = args[0].value
    if isinstance(value, Unknown):
        # a resource id is unknown until deployment, but it is never empty
        return False if args[0].ref is not None else value
    if value is None:
        return True
    if isinstance(value, str | list | dict):
        return len(value) == 0
    raise _Fail


def _v_length(args: list[V], here: CallSite) -> Any:
    value = args[0].value
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str | list | dict):
        return len(value)
    raise _Fail


def _v_contains(args: list[V], here: CallSite) -> Any:
    container, item = args[0].value, plain(args[1])
    if isinstance(container, Unknown):
        return container
    missing = first_unknown(item)
    if missing is not None:
        return missing
    if isinstance(container, dict):
        return lookup(container, _str(item)) is not None
    if isinstance(container, str):
        return _str(item) in container
    if isinstance(container, list):
        values = [plain(entry) for entry in container]
        if any(_equal(value, item) for value in values):
            return True
        unknown_entry = first_unknown(values)
        return unknown_entry if unknown_entry is not None else False
    raise _Fail


def _v_union(args: list[V], here: CallSite) -> Any:
    for arg in args:
        if isinstance(arg.value, Unknown):
            return arg.value
    if all(isinstance(arg.value, dict) for arg in args):
        merged: dict[str, V] = {}
        for arg in args:
            for key, member in arg.value.items():
                merged[key] = _merge_member(merged.get(key), member.through(arg.trace, arg.deps))
        return V(merged, here.site)
    if all(isinstance(arg.value, list) for arg in args):
        result: list[V] = []
        seen: list[Any] = []
        for arg in args:
            for item in arg.value:
                key = plain(item)
                if key not in seen:
                    seen.append(key)
                    result.append(item)
        return V(result, here.site)
    raise _Fail


def _merge_member(previous: V | None, member: V) -> V:
    """union() merges nested objects (ARM deep merge since 2020); other values are replaced."""
    if previous is not None and isinstance(previous.value, dict) and isinstance(member.value, dict):
        merged = dict(previous.value)
        for key, item in member.value.items():
            merged[key] = _merge_member(merged.get(key), item)
        return V(merged, member.loc, member.trace, False, member.deps)
    return member


def _v_shallow_merge(args: list[V], here: CallSite) -> Any:
    items = args[0].value
    if isinstance(items, Unknown):
        return items
    if not isinstance(items, list):
        raise _Fail
    merged: dict[str, V] = {}
    for item in items:
        if isinstance(item.value, Unknown):
            return item.value
        if isinstance(item.value, dict):
            merged.update(item.value)
    return V(merged, here.site)


def _v_coalesce(args: list[V], here: CallSite) -> Any:
    for arg in args:
        if isinstance(arg.value, Unknown):
            return arg.value
        if arg.value is not None:
            return arg
    return None


def _v_first(args: list[V], here: CallSite) -> Any:
    value = args[0].value
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return value[0].through(args[0].trace, args[0].deps) if value else None
    if isinstance(value, str):
        return value[:1]
    raise _Fail


def _v_last(args: list[V], here: CallSite) -> Any:
    value = args[0].value
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return value[-1].through(args[0].trace, args[0].deps) if value else None
    if isinstance(value, str):
        return value[-1:]
    raise _Fail


def _v_create_array(args: list[V], here: CallSite) -> Any:
    return V(list(args), here.site)


def _v_create_object(args: list[V], here: CallSite) -> Any:
    members: dict[str, V] = {}
    for key, value in zip(args[::2], args[1::2], strict=False):
        if not isinstance(key.value, str):
            return Unknown("createObject() needs string keys")
        members[key.value] = value
    return V(members, here.site)


def _v_any(args: list[V], here: CallSite) -> Any:
    return args[0]


def _v_items(args: list[V], here: CallSite) -> Any:
    value = args[0].value
    if isinstance(value, Unknown):
        return value
    if not isinstance(value, dict):
        raise _Fail
    return V(
        [
            V({"key": V(key, here.site), "value": value[key]}, here.site)
            for key in sorted(value, key=str.casefold)
        ],
        here.site,
    )


def _v_try_get(args: list[V], here: CallSite) -> Any:
    current = args[0]
    for key in args[1:]:
        if isinstance(current.value, Unknown):
            return current.value
        if isinstance(key.value, Unknown):
            return key.value
        if isinstance(current.value, dict) and isinstance(key.value, str):
            found = lookup(current.value, key.value)
        elif isinstance(current.value, list) and isinstance(key.value, int):
            inside = 0 <= key.value < len(current.value)
            found = current.value[key.value] if inside else None
        else:
            found = None
        if found is None:
            return None
        current = found
    return current


def _lambda_of(arg: V) -> Lambda:
    if not isinstance(arg.value, Lambda):
        raise _Fail
    return arg.value


def _items_of(arg: V) -> list[V]:
    if not isinstance(arg.value, list):
        raise _Fail
    return arg.value


def _v_map(args: list[V], here: CallSite) -> Any:
    from armlint.bicep.evaluate import call_lambda

    if isinstance(args[0].value, Unknown):
        return args[0].value
    function = _lambda_of(args[1])
    items = _items_of(args[0])
    return V([call_lambda(function, [item, V(i)]) for i, item in enumerate(items)], here.site)


def _v_filter(args: list[V], here: CallSite) -> Any:
    from armlint.bicep.evaluate import call_lambda

    if isinstance(args[0].value, Unknown):
        return args[0].value
    function = _lambda_of(args[1])
    kept: list[V] = []
    for index, item in enumerate(_items_of(args[0])):
        verdict = call_lambda(function, [item, V(index)]).value
        if isinstance(verdict, Unknown):
            return verdict
        if verdict is True:
            kept.append(item)
    return V(kept, here.site)


def _v_reduce(args: list[V], here: CallSite) -> Any:
    from armlint.bicep.evaluate import call_lambda

    if isinstance(args[0].value, Unknown):
        return args[0].value
    function = _lambda_of(args[2])
    current = args[1]
    for index, item in enumerate(_items_of(args[0])):
        current = call_lambda(function, [current, item, V(index)])
    return current


def _v_to_object(args: list[V], here: CallSite) -> Any:
    from armlint.bicep.evaluate import call_lambda

    if isinstance(args[0].value, Unknown):
        return args[0].value
    key_function = _lambda_of(args[1])
    value_function = _lambda_of(args[2]) if len(args) > 2 else None
    members: dict[str, V] = {}
    for item in _items_of(args[0]):
        key = call_lambda(key_function, [item]).value
        if not isinstance(key, str):
            return Unknown("toObject() key is not a known string")
        members[key] = call_lambda(value_function, [item]) if value_function else item
    return V(members, here.site)


V_FUNCTIONS = {
    "empty": _v_empty,
    "length": _v_length,
    "contains": _v_contains,
    "union": _v_union,
    "shallowmerge": _v_shallow_merge,
    "coalesce": _v_coalesce,
    "first": _v_first,
    "last": _v_last,
    "createarray": _v_create_array,
    "createobject": _v_create_object,
    "any": _v_any,
    "items": _v_items,
    "tryget": _v_try_get,
    "map": _v_map,
    "filter": _v_filter,
    "reduce": _v_reduce,
    "toobject": _v_to_object,
}


# --- dispatch ---------------------------------------------------------------------------------


def _resource_id(name: str, args: list[V], here: CallSite) -> V:
    """The id is only known at deployment, but its type and name identify the resource."""
    texts = [arg.value for arg in args]
    identity = None
    if texts and all(isinstance(text, str) for text in texts):
        type_index = next((i for i, text in enumerate(texts) if "/" in text and "." in text), None)
        if type_index is not None:
            identity = "/".join([texts[type_index], *texts[type_index + 1 :]])
    trace, deps = merge_origin(args)
    reason = f"{name}() is known only at deployment"
    return V(Unknown(reason), here.site, trace, False, deps, identity)


def _given_location(name: str, here: CallSite) -> V | None:
    """``resourceGroup()`` / ``deployment()`` with the location the user gave; None without."""
    from armlint.model import LOCATION_ORIGIN

    location = here.template.engine.deployment.location
    if not location:
        return None
    members = {
        prop: V(Unknown(f"{name}().{prop} is known only at deployment"), here.site)
        for prop in LOCATED_FUNCTIONS[name.lower()]
    }
    members["location"] = V(location, here.site, (LOCATION_ORIGIN,))
    return V(members, here.site)


def call(name: str, args: list[V], here: CallSite) -> V:
    key = name.lower()
    trace, deps = merge_origin(args)
    if key in V_FUNCTIONS:
        try:
            result = V_FUNCTIONS[key](args, here)
        except (_Fail, ArithmeticError, IndexError, TypeError, ValueError):
            result = Unknown(f"{name}() cannot be applied to these arguments")
        if isinstance(result, V):
            return result.through(trace, deps) if result.loc is here.site else result
        return V(result, here.site, trace, False, deps)
    if key in RESOURCE_ID_FUNCTIONS:
        return _resource_id(name, args, here)
    if key in LOCATED_FUNCTIONS and not args:
        given = _given_location(name, here)
        if given is not None:
            return given
    if key in DEPLOYMENT_FUNCTIONS or key.startswith("list"):
        return V(Unknown(f"{name}() is known only at deployment"), here.site, trace, False, deps)
    trace, deps = deep_origin(args)  # the plain value loses its members' own trace
    values = [plain(arg) for arg in args]
    missing = first_unknown(values)
    if missing is not None:
        return V(Unknown(missing.reason), here.site, trace, False, deps)
    result = within_value_budget(_call_plain(name, key, values), f"{name}()")
    return wrap(result, here.site, trace, deps)


def _call_plain(name: str, key: str, values: list[Any]) -> Any:
    """ARM's implementation of the function, or the Bicep-only one; Unknown when neither."""
    bicep_only = BICEP_ONLY_FUNCTIONS.get(key)
    spec = arm_functions.FUNCTIONS.get(key)
    try:
        if bicep_only is not None:
            return bicep_only(*values)
        if spec is None or spec.takes_lambda:
            return Unknown(f"function {name}() is not evaluated by armlint")
        if len(values) < spec.min_args or (
            spec.max_args is not None and len(values) > spec.max_args
        ):
            return Unknown(f"{name}() has the wrong number of arguments")
        return spec.impl(values, arm_functions.Scope())
    except arm_functions.EvaluationError as error:
        return Unknown(error.message)
    except (_Fail, ArithmeticError, IndexError, TypeError, ValueError, KeyError):
        return Unknown(f"{name}() cannot be applied to these arguments")


__all__ = ["CallSite", "binary", "call", "to_text", "unary"]
