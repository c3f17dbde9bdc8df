"""A three-valued JSON Schema subset for rule conditions over a record's facts view.

A rule's ``when`` is JSON Schema (the keywords listed in ``KEYWORDS``). With every fact known
the answer is exactly what jsonschema would say (a test checks that); where a fact is unknown
the answer may be ``MAYBE``, together with the unknown facts that made it so. That is how a rule
reports AZP002 instead of silently passing. This is not jsonschema itself because that import
alone costs more than armlint's whole start-up budget.
"""

from __future__ import annotations

import re
from functools import cache
from itertools import repeat
from operator import attrgetter

from armlint.model import FrozenValue, Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

KEYWORDS = frozenset(
    {
        "type",
        "const",
        "enum",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "properties",
        "required",
        "pattern",
        "minLength",
        "description",
        "$comment",
    }
)

YES, NO, MAYBE = True, False, None


class Verdict(FrozenValue):
    """YES, NO or MAYBE, and the unknown fact names behind a MAYBE."""

    __slots__ = ("value", "unknown")
    _values = attrgetter(*__slots__)

    def __init__(self, value: bool | None, unknown: frozenset[str] = frozenset()) -> None:
        self.value = value
        self.unknown = unknown


_YES = Verdict(YES)
_NO = Verdict(NO)


def evaluate(schema: Any, instance: Any) -> Verdict:
    """Does the instance match the schema? Unknown values inside it can make the answer MAYBE."""
    return _check(schema, instance, "")


def view_keys(schema: Any) -> frozenset[str] | None:
    """The properties of an object instance that the verdict on it depends on, or None when it
    may depend on more (``const`` or ``enum`` over the whole object): ``properties`` and
    ``required`` name them, and the other keywords see an object only as an object."""
    keys: set[str] = set()
    pending = [schema]
    while pending:
        current = pending.pop()
        if isinstance(current, bool):
            continue
        if not isinstance(current, dict):
            return None
        for keyword, argument in current.items():
            if keyword in ("properties", "required"):
                keys.update(argument)
            elif keyword in ("allOf", "anyOf", "oneOf"):
                pending.extend(argument)
            elif keyword == "not":
                pending.append(argument)
            elif keyword in ("const", "enum"):
                return None
    return frozenset(keys)


class _Absent:
    """A key's place in a values key when the instance lacks it (not the same as a None)."""

    __slots__ = ()


_ABSENT = _Absent()
# The exact types a values key takes: scalars, and the mark of an absent key.
_KEY_TYPES = frozenset({str, int, float, bool, type(None), Unknown, _Absent})


def values_key(instance: dict, keys: tuple[str, ...]) -> tuple | None:
    """The values of ``keys`` in ``instance`` as a key: the values and their types (``1 ==
    True``, which a condition tells apart), None when one is a container (unhashable, and
    ``[1] == [True]``). Built with ``map``, at C speed: a new facts view asks it once per
    condition."""
    values = tuple(map(instance.get, keys, repeat(_ABSENT)))
    types = tuple(map(type, values))
    if not _KEY_TYPES.issuperset(types):
        return None
    return (values, types)


def _check(schema: Any, instance: Any, name: str) -> Verdict:
    if schema is True:
        return _YES
    if schema is False:
        return _NO
    if isinstance(instance, Unknown):
        return Verdict(MAYBE, frozenset({name}) if name else frozenset())
    parts = []
    for keyword, argument in schema.items():
        check = _KEYWORD_CHECKS.get(keyword)
        if check is None:
            continue
        parts.append(check(argument, instance, name))
        if parts[-1].value is NO:
            return _NO
    return _all(parts)


def _all(parts: list[Verdict]) -> Verdict:
    unknown = frozenset().union(*(part.unknown for part in parts)) if parts else frozenset()
    if any(part.value is NO for part in parts):
        return _NO
    if any(part.value is MAYBE for part in parts):
        return Verdict(MAYBE, unknown)
    return _YES


def _any(parts: list[Verdict]) -> Verdict:
    if any(part.value is YES for part in parts):
        return _YES
    maybes = [part for part in parts if part.value is MAYBE]
    if maybes:
        return Verdict(MAYBE, frozenset().union(*(part.unknown for part in maybes)))
    return _NO


def _type(argument, instance, name) -> Verdict:
    kinds = argument if isinstance(argument, list) else [argument]
    return _YES if any(_is_type(instance, kind) for kind in kinds) else _NO


def _is_type(value: Any, kind: str) -> bool:
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool)
    if kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if kind == "array":
        return isinstance(value, list)
    if kind == "object":
        return isinstance(value, dict)
    if kind == "null":
        return value is None
    return False


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema means it: true is not 1, and containers compare deeply."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(json_equal, left, right))
    return left == right


def _const(argument, instance, name) -> Verdict:
    return _YES if json_equal(instance, argument) else _NO


def _enum(argument, instance, name) -> Verdict:
    return _YES if any(json_equal(instance, item) for item in argument) else _NO


def _not(argument, instance, name) -> Verdict:
    inner = _check(argument, instance, name)
    if inner.value is MAYBE:
        return inner
    return _NO if inner.value else _YES


def _all_of(argument, instance, name) -> Verdict:
    return _all([_check(sub, instance, name) for sub in argument])


def _any_of(argument, instance, name) -> Verdict:
    return _any([_check(sub, instance, name) for sub in argument])


def _one_of(argument, instance, name) -> Verdict:
    parts = [_check(sub, instance, name) for sub in argument]
    yes = sum(1 for part in parts if part.value is YES)
    maybes = [part for part in parts if part.value is MAYBE]
    if yes > 1:
        return _NO
    if not maybes:
        return _YES if yes == 1 else _NO
    return Verdict(MAYBE, frozenset().union(*(part.unknown for part in maybes)))


def _properties(argument, instance, name) -> Verdict:
    if not isinstance(instance, dict):
        return _YES
    parts = []
    for key, sub in argument.items():
        if key in instance:
            parts.append(_check(sub, instance[key], key if not name else f"{name}.{key}"))
            if parts[-1].value is NO:
                return _NO
    return _all(parts)


def _required(argument, instance, name) -> Verdict:
    if not isinstance(instance, dict):
        return _YES
    return _YES if all(key in instance for key in argument) else _NO


def _pattern(argument, instance, name) -> Verdict:
    if not isinstance(instance, str):
        return _YES
    return _YES if _compiled(argument).search(instance) else _NO


def _min_length(argument, instance, name) -> Verdict:
    if not isinstance(instance, str):
        return _YES
    return _YES if len(instance) >= argument else _NO


@cache
def _compiled(pattern: str) -> re.Pattern:
    return re.compile(pattern)


_KEYWORD_CHECKS = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "not": _not,
    "allOf": _all_of,
    "anyOf": _any_of,
    "oneOf": _one_of,
    "properties": _properties,
    "required": _required,
    "pattern": _pattern,
    "minLength": _min_length,
}


def unsupported_keywords(schema: Any) -> set[str]:
    """Keywords a condition uses that this evaluator does not know (the pack test rejects them)."""
    found: set[str] = set()
    if not isinstance(schema, dict):
        return found
    for keyword, argument in schema.items():
        if keyword not in KEYWORDS:
            found.add(keyword)
        if keyword in ("allOf", "anyOf", "oneOf"):
            for sub in argument:
                found |= unsupported_keywords(sub)
        elif keyword == "not":
            found |= unsupported_keywords(argument)
        elif keyword == "properties":
            for sub in argument.values():
                found |= unsupported_keywords(sub)
    return found
