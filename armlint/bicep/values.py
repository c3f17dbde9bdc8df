"""Evaluated Bicep values that remember where they were written and how they were reached.

Every evaluated value is a ``V``: the plain value (str, int, bool, None, ``dict[str, V]``,
``list[V]``, ``Unknown`` or a handle), the location of the expression that produced it, the
trace steps (parameters, variables, bindings) it went through, whether it was written as a plain
literal, and the allowed-value parameters it depends on (for scenario exploration). Objects keep
their members as ``V`` so that a property nested deep inside a variable still knows its own line.
"""

from __future__ import annotations

from typing import Any

from armlint.model import Location, Unknown

NO_DEPS: frozenset = frozenset()


class Site:
    """Where a value was written: resolved to a Location only when a fact needs it."""

    __slots__ = ("node", "source")

    def __init__(self, source: Any, node: Any) -> None:
        self.source = source
        self.node = node

    def resolve(self) -> Location:
        return self.source.location(self.node)


class V:
    __slots__ = ("deps", "literal", "loc", "ref", "trace", "value")

    def __init__(
        self,
        value: Any,
        loc: Location | Site | None = None,
        trace: tuple[str, ...] = (),
        literal: bool = False,
        deps: frozenset = NO_DEPS,
        ref: Any = None,
    ) -> None:
        self.value = value
        self.loc = loc
        self.trace = trace
        self.literal = literal
        self.deps = deps
        self.ref = ref  # identity of the resource an id/reference points at, when known

    def _copy(self) -> V:
        return V(self.value, self.loc, self.trace, self.literal, self.deps, self.ref)

    def at(self, loc: Location | Site | None) -> V:
        copy = self._copy()
        copy.loc = loc
        return copy

    def through(self, steps: tuple[str, ...], deps: frozenset = NO_DEPS) -> V:
        """The same value reached through more steps (a parameter, a variable, a condition)."""
        copy = self._copy()
        copy.trace = steps + self.trace
        copy.deps = self.deps | deps if deps else self.deps
        copy.literal = self.literal and not steps
        return copy

    def computed(self) -> V:
        copy = self._copy()
        copy.literal = False
        return copy

    @property
    def unknown(self) -> bool:
        return isinstance(self.value, Unknown)

    def __repr__(self) -> str:
        return f"V({self.value!r})"


class ResourceRef:
    """A symbolic resource reference (``vm``, ``vms[i]``, ``vm::child``)."""

    __slots__ = ("decl", "index", "template")

    def __init__(self, template: Any, decl: Any, index: Any = None) -> None:
        self.template = template
        self.decl = decl
        self.index = index  # None: the resource (or the whole collection when looped)

    def identity(self) -> tuple[int, str]:
        return (id(self.template), self.decl.symbolic)

    def __repr__(self) -> str:
        return f"ResourceRef({self.decl.symbolic}[{self.index}])"


class ModuleRef:
    __slots__ = ("decl", "index", "template")

    def __init__(self, template: Any, decl: Any, index: Any = None) -> None:
        self.template = template
        self.decl = decl
        self.index = index


class Lambda:
    __slots__ = ("body", "env", "params", "template")

    def __init__(self, params: list[str], body: Any, env: dict, template: Any) -> None:
        self.params = params
        self.body = body
        self.env = env
        self.template = template


HANDLE_TYPES = (ResourceRef, ModuleRef, Lambda)


def plain(v: V) -> Any:
    """The plain Python value (dicts and lists unwrapped); unknown parts stay ``Unknown``."""
    value = v.value
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def first_unknown(value: Any) -> Unknown | None:
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        for item in value.values():
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = first_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, HANDLE_TYPES):
        return Unknown("a resource or module reference is not a plain value")
    return None


def wrap(value: Any, loc: Location | None, trace: tuple[str, ...] = (), deps=NO_DEPS) -> V:
    """Turn a plain Python value (a function result) into a ``V`` tree at one location."""
    if isinstance(value, V):
        return value
    if isinstance(value, dict):
        value = {key: wrap(item, loc) for key, item in value.items()}
    elif isinstance(value, list):
        value = [wrap(item, loc) for item in value]
    return V(value, loc, trace, False, deps)


def merge_origin(args: list[V]) -> tuple[tuple[str, ...], frozenset]:
    """Trace steps and dependencies of a value computed from ``args``."""
    trace: list[str] = []
    deps = NO_DEPS
    for arg in args:
        for step in arg.trace:
            if step not in trace:
                trace.append(step)
        if arg.deps:
            deps = deps | arg.deps
    return tuple(trace), deps


def deep_origin(args: list[V]) -> tuple[tuple[str, ...], frozenset]:
    """Like ``merge_origin``, but also through the members of objects and arrays: for results
    computed from the whole plain value, where the members' own trace would be lost."""
    collected: list[V] = []
    for arg in args:
        _visit(arg, collected)
    return merge_origin(collected)


def _visit(value: V, collected: list[V]) -> None:
    # not a closure: a nested function that calls itself is a cycle the collector must find
    collected.append(value)
    inner = value.value
    if isinstance(inner, dict):
        for member in inner.values():
            _visit(member, collected)
    elif isinstance(inner, list):
        for member in inner:
            _visit(member, collected)


def lookup(obj: dict[str, V], key: str) -> V | None:
    """ARM property names are case-insensitive: exact match first, then any casing."""
    found = obj.get(key)
    if found is not None:
        return found
    folded = key.casefold()
    for name, item in obj.items():
        if name.casefold() == folded:
            return item
    return None


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    return type(value).__name__
