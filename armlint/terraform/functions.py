"""The Terraform built-in functions armlint evaluates; any other function gives Unknown.

Each function gets already evaluated arguments. ``try`` and ``can`` need their arguments
unevaluated and live in the evaluator. Unknown arguments make the result Unknown: "deep"
functions look inside lists and objects (they compute with the values), "shallow" ones only
at the arguments themselves (they move values around, like ``merge`` or ``lookup``).
"""

from __future__ import annotations

import json
import math
import re

from armlint.budgets import MAX_STRING_CHARS, within_value_budget
from armlint.model import Unknown
from armlint.terraform.values import (
    EvalError,
    ObjectValue,
    ResourceId,
    deep_unknown,
    first_unknown,
    to_bool,
    to_number,
    to_string,
    type_name,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def call(name: str, args: list) -> Any:
    entry = FUNCTIONS.get(name)
    if entry is None:
        return Unknown(f"function {name}() is not evaluated")
    function, depth = entry
    blocker = _blocking_unknown(args, depth)
    if blocker is not None:
        return blocker
    try:
        return within_value_budget(function(*args), f"{name}()")
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        # Wrong argument counts or types are configuration errors, like Terraform's.
        raise EvalError(f"{name}(): {error}") from None


def _blocking_unknown(args: list, depth: str) -> Unknown | None:
    if depth == "none":
        return None
    if depth == "deep":
        for arg in args:
            found = deep_unknown(arg)
            if found is not None:
                return found
        return None
    found = first_unknown(args)
    if found is None and any(isinstance(arg, ResourceId) for arg in args):
        return next(arg for arg in args if isinstance(arg, ResourceId)).unknown
    return found


def _need(value: Any, kind: type | tuple, function: str) -> Any:
    if not isinstance(value, kind):
        raise EvalError(f"{function}() does not accept a {type_name(value)} argument")
    return value


# --- collections ---------------------------------------------------------------------------


def _coalesce(*args):
    # Handled specially: an unknown argument only matters when it comes before the result.
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if isinstance(arg, ResourceId):
            return arg
        if arg is not None and arg != "":
            return arg
    raise EvalError("coalesce() got no non-null, non-empty argument")


def _coalescelist(*args):
    for arg in args:
        if isinstance(arg, Unknown):
            return arg
        if isinstance(arg, list) and arg:
            return arg
    raise EvalError("coalescelist() got no non-empty list")


def _lookup(mapping, key, *default):
    _need(mapping, dict, "lookup")
    key = to_string(key)
    if key in mapping:
        return mapping[key]
    if default:
        return default[0]
    raise EvalError(f"lookup() found no key {key!r} and has no default")


def _merge(*args):
    result = ObjectValue()
    for arg in args:
        if arg is None:
            continue
        _need(arg, dict, "merge")
        for key, value in arg.items():
            result[key] = value
            result.meta.pop(key, None)
            if isinstance(arg, ObjectValue) and key in arg.meta:
                result.meta[key] = arg.meta[key]
    return result


def _length(value):
    if isinstance(value, str | list | dict):
        return len(value)
    raise EvalError(f"length() does not accept a {type_name(value)} argument")


def _concat(*args):
    result: list = []
    for arg in args:
        result.extend(_need(arg, list, "concat"))
    return result


def _element(items, index):
    _need(items, list, "element")
    if not items:
        raise EvalError("element() on an empty list")
    return items[int(to_number(index)) % len(items)]


def _contains(items, value):
    if isinstance(items, dict):
        raise EvalError("contains() needs a list or set")
    return any(_same(item, value) for item in _need(items, list, "contains"))


def _same(left, right) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    return left == right


def _keys(mapping):
    return sorted(_need(mapping, dict, "keys"))


def _values(mapping):
    _need(mapping, dict, "values")
    return [mapping[key] for key in sorted(mapping)]


def _flatten(items):
    result: list = []
    for item in _need(items, list, "flatten"):
        if isinstance(item, Unknown):
            return item
        if isinstance(item, list):
            inner = _flatten(item)
            if isinstance(inner, Unknown):
                return inner
            result.extend(inner)
        else:
            result.append(item)
    return result


def _distinct(items):
    result: list = []
    for item in _need(items, list, "distinct"):
        if not any(_same(item, seen) for seen in result):
            result.append(item)
    return result


def _toset(items):
    unique = _distinct(items)
    if all(isinstance(item, str) for item in unique):
        unique.sort()
    return unique


def _tolist(items):
    return list(_need(items, list, "tolist"))


def _tomap(mapping):
    return mapping if isinstance(_need(mapping, dict, "tomap"), ObjectValue) else dict(mapping)


def _compact(items):
    return [item for item in _need(items, list, "compact") if item not in (None, "")]


def _one(items):
    _need(items, list, "one")
    if len(items) > 1:
        raise EvalError("one() got more than one element")
    return items[0] if items else None


def _slice(items, start, end):
    return _need(items, list, "slice")[int(to_number(start)) : int(to_number(end))]


def _reverse(items):
    return list(reversed(_need(items, list, "reverse")))


def _sort(items):
    return sorted(to_string(item) for item in _need(items, list, "sort"))


def _zipmap(keys, values):
    _need(keys, list, "zipmap")
    _need(values, list, "zipmap")
    if len(keys) != len(values):
        raise EvalError("zipmap() needs lists of the same length")
    return dict(zip((to_string(key) for key in keys), values, strict=True))


def _range(*args):
    numbers = [to_number(arg) for arg in args]
    if len(numbers) == 1:
        numbers = [0, numbers[0], 1]
    elif len(numbers) == 2:
        numbers.append(1)
    start, stop, step = numbers
    if step == 0 or abs((stop - start) / step) > 1024:
        raise EvalError("range() would produce too many numbers")
    result, value = [], start
    while (step > 0 and value < stop) or (step < 0 and value > stop):
        result.append(value)
        value += step
    return result


def _index(items, value):
    for position, item in enumerate(_need(items, list, "index")):
        if _same(item, value):
            return position
    raise EvalError("index() did not find the value")


# --- strings and numbers ---------------------------------------------------------------------


def _lower(text):
    return to_string(text).lower()


def _upper(text):
    return to_string(text).upper()


def _tostring(value):
    return None if value is None else to_string(value)


def _tonumber(value):
    return None if value is None else to_number(value)


def _tobool(value):
    return None if value is None else to_bool(value)


def _join(separator, *lists):
    items: list = []
    for items_list in lists:
        items.extend(to_string(item) for item in _need(items_list, list, "join"))
    return to_string(separator).join(items)


def _split(separator, text):
    return to_string(text).split(to_string(separator))


def _replace(text, search, replacement):
    text, search, replacement = to_string(text), to_string(search), to_string(replacement)
    if len(search) > 1 and search.startswith("/") and search.endswith("/"):
        python_replacement = re.sub(r"\$\{?(\d+)\}?", r"\\\1", replacement)
        try:
            return re.sub(search[1:-1], python_replacement, text)
        except re.error as error:
            raise EvalError(f"replace() regular expression: {error}") from None
    return text.replace(search, replacement)


def _startswith(text, prefix):
    return to_string(text).startswith(to_string(prefix))


def _endswith(text, suffix):
    return to_string(text).endswith(to_string(suffix))


def _substr(text, offset, length):
    text, offset, length = to_string(text), int(to_number(offset)), int(to_number(length))
    if offset < 0:
        offset += len(text)
    return text[offset:] if length < 0 else text[offset : offset + length]


def _trimspace(text):
    return to_string(text).strip()


def _trimprefix(text, prefix):
    text, prefix = to_string(text), to_string(prefix)
    return text[len(prefix) :] if prefix and text.startswith(prefix) else text


def _trimsuffix(text, suffix):
    text, suffix = to_string(text), to_string(suffix)
    return text[: -len(suffix)] if suffix and text.endswith(suffix) else text


def _title(text):
    return re.sub(r"\b[a-z]", lambda match: match.group(0).upper(), to_string(text))


_FORMAT_VERB = re.compile(r"%(?:(%)|([-+ #0]*\d*(?:\.\d+)?)([svdfqt]))")


def _format(spec, *args):
    spec, remaining = to_string(spec), list(args)

    def replace(match: re.Match) -> str:
        if match.group(1):
            return "%"
        if not remaining:
            raise EvalError("format() has more verbs than arguments")
        value, flags, verb = remaining.pop(0), match.group(2), match.group(3)
        width = re.search(r"\d+", flags)
        if width and int(width.group()) > MAX_STRING_CHARS:  # "%2000000000s": 2 GB of spaces
            raise EvalError(f"format(): width {width.group()} is above the value budget")
        if verb == "d":
            return ("%" + flags + "d") % int(to_number(value))
        if verb == "f":
            return ("%" + flags + "f") % float(to_number(value))
        if verb == "q":
            return json.dumps(to_string(value))
        if verb == "v" and not isinstance(value, bool | int | float | str):
            return _jsonencode(value)
        return ("%" + flags + "s") % to_string(value)

    return _FORMAT_VERB.sub(replace, spec)


def _jsondecode(text):
    try:
        return json.loads(to_string(text))
    except ValueError as error:
        raise EvalError(f"jsondecode(): {error}") from None


def _jsonencode(value):
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _min(*numbers):
    return min(to_number(number) for number in numbers)


def _max(*numbers):
    return max(to_number(number) for number in numbers)


def _abs(number):
    return abs(to_number(number))


def _ceil(number):
    return math.ceil(to_number(number))


def _floor(number):
    return math.floor(to_number(number))


def _sum(items):
    return sum(to_number(item) for item in _need(items, list, "sum"))


def _alltrue(items):
    return all(to_bool(item) for item in _need(items, list, "alltrue"))


def _anytrue(items):
    return any(to_bool(item) for item in _need(items, list, "anytrue"))


FUNCTIONS: dict[str, tuple[Callable, str]] = {
    "coalesce": (_coalesce, "none"),
    "coalescelist": (_coalescelist, "none"),
    "lookup": (_lookup, "shallow"),
    "merge": (_merge, "shallow"),
    "length": (_length, "shallow"),
    "concat": (_concat, "shallow"),
    "element": (_element, "shallow"),
    "contains": (_contains, "deep"),
    "keys": (_keys, "shallow"),
    "values": (_values, "shallow"),
    "flatten": (_flatten, "shallow"),
    "distinct": (_distinct, "deep"),
    "toset": (_toset, "deep"),
    "tolist": (_tolist, "shallow"),
    "tomap": (_tomap, "shallow"),
    "compact": (_compact, "deep"),
    "one": (_one, "shallow"),
    "slice": (_slice, "shallow"),
    "reverse": (_reverse, "shallow"),
    "sort": (_sort, "deep"),
    "zipmap": (_zipmap, "shallow"),
    "range": (_range, "deep"),
    "index": (_index, "deep"),
    "lower": (_lower, "deep"),
    "upper": (_upper, "deep"),
    "tostring": (_tostring, "deep"),
    "tonumber": (_tonumber, "deep"),
    "tobool": (_tobool, "deep"),
    "join": (_join, "deep"),
    "split": (_split, "deep"),
    "replace": (_replace, "deep"),
    "startswith": (_startswith, "deep"),
    "endswith": (_endswith, "deep"),
    "substr": (_substr, "deep"),
    "trimspace": (_trimspace, "deep"),
    "trimprefix": (_trimprefix, "deep"),
    "trimsuffix": (_trimsuffix, "deep"),
    "title": (_title, "deep"),
    "format": (_format, "deep"),
    "jsondecode": (_jsondecode, "deep"),
    "jsonencode": (_jsonencode, "deep"),
    "min": (_min, "deep"),
    "max": (_max, "deep"),
    "abs": (_abs, "deep"),
    "ceil": (_ceil, "deep"),
    "floor": (_floor, "deep"),
    "sum": (_sum, "deep"),
    "alltrue": (_alltrue, "deep"),
    "anytrue": (_anytrue, "deep"),
}
