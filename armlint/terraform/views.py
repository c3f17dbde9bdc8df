"""Uniform read access to one resource's arguments, from HCL or from a plan's JSON.

``extract`` turns a resource into facts through this small interface, so configuration files
and ``terraform show -json`` plans share one mapping from azurerm arguments to facts:
``attr(name)`` gives the value with its position, source and trace (None when the argument is
absent), ``blocks(name)`` gives the nested blocks (or Unknown when a dynamic block's
``for_each`` cannot be evaluated).
"""

from __future__ import annotations

from armlint.model import SOURCE_EVALUATED, SOURCE_LITERAL, SOURCE_UNKNOWN, Fact, Location, Unknown
from armlint.terraform import nodes as n
from armlint.terraform.values import ResourceId

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any


class HclView:
    """A resource or nested block of a configuration, evaluated in a module instance."""

    __slots__ = ("body", "loc", "instance", "scope", "steps")

    def __init__(self, body: n.Body, loc: Location, instance, scope: dict, steps=()) -> None:
        self.body = body
        self.loc = loc
        self.instance = instance
        self.scope = scope
        self.steps = tuple(steps)

    def attr(self, name: str) -> Fact | None:
        attribute = self.body.attributes.get(name)
        if attribute is None:
            return None
        value, steps = self.instance.evaluator.evaluate(attribute.expr, self.scope)
        trace = self.steps + steps
        if isinstance(value, Unknown):
            return Fact(value, attribute.expr.loc, SOURCE_UNKNOWN, trace)
        literal = n.is_literal(attribute.expr)
        return Fact(
            value, attribute.expr.loc, SOURCE_LITERAL if literal else SOURCE_EVALUATED, trace
        )

    def expr(self, name: str) -> n.Expr | None:
        attribute = self.body.attributes.get(name)
        return attribute.expr if attribute else None

    def blocks(self, name: str) -> list[HclView] | Unknown:
        views = [
            HclView(block.body, block.loc, self.instance, self.scope, self.steps)
            for block in self.body.blocks_of(name)
        ]
        for dynamic in self.body.blocks_of("dynamic"):
            if dynamic.labels and dynamic.labels[0] == name:
                expanded = self._dynamic(dynamic, name)
                if isinstance(expanded, Unknown):
                    return expanded
                views.extend(expanded)
        return views

    def _dynamic(self, dynamic: n.Block, name: str) -> list[HclView] | Unknown:
        from armlint.terraform.instance import where

        contents = dynamic.body.blocks_of("content")
        for_each = dynamic.body.attributes.get("for_each")
        if not contents or for_each is None:
            return []
        value, steps = self.instance.evaluator.evaluate(for_each.expr, self.scope)
        if isinstance(value, Unknown):
            return Unknown(
                f'dynamic "{name}" block: for_each is unknown ({value.reason})', dynamic.loc
            )
        pairs = _iteration_pairs(value)
        if isinstance(pairs, Unknown):
            return Unknown(f'dynamic "{name}" block: {pairs.reason}', dynamic.loc)
        iterator = _iterator_name(dynamic, name)
        head = (f'dynamic "{name}" ({where(dynamic.loc)})', *steps)
        content = contents[0]
        return [
            HclView(
                content.body,
                content.loc,
                self.instance,
                {**self.scope, iterator: {"key": key, "value": item}},
                self.steps + head,
            )
            for key, item in pairs
        ]


def _iteration_pairs(value: Any) -> list | Unknown:
    if value is None:
        return []
    if isinstance(value, dict):
        return [(key, value[key]) for key in sorted(value)]
    if isinstance(value, list):
        if any(isinstance(item, Unknown | ResourceId) for item in value):
            return Unknown("for_each has elements known only after apply")
        return list(enumerate(value))
    return Unknown(f"for_each is not a collection ({value!r})")


def _iterator_name(dynamic: n.Block, default: str) -> str:
    attribute = dynamic.body.attributes.get("iterator")
    if attribute is not None and isinstance(attribute.expr, n.Name):
        return attribute.expr.name
    return default


class PlanView:
    """A resource or nested block of ``terraform show -json``: ``after`` plus ``after_unknown``."""

    __slots__ = ("obj", "unknown", "loc")

    def __init__(self, obj: Any, unknown: Any, loc: Location) -> None:
        # obj: a plan's position-keeping JSON object (arm.jsonpos.JsonObject), or a plain dict
        self.obj = obj
        self.unknown = unknown
        self.loc = loc

    def _is_unknown(self, name: str) -> bool:
        return self.unknown is True or (
            isinstance(self.unknown, dict) and self.unknown.get(name) is True
        )

    def _value_loc(self, name: str) -> Location:
        try:
            return self.obj.value_location(name)
        except (AttributeError, KeyError):
            return self.loc

    def attr(self, name: str) -> Fact | None:
        if self._is_unknown(name):
            return Fact(Unknown("known after apply"), self._value_loc(name), SOURCE_UNKNOWN, ())
        if name not in self.obj:
            return None
        return Fact(self.obj[name], self._value_loc(name), SOURCE_LITERAL, ())

    def expr(self, name: str) -> None:
        return None

    def blocks(self, name: str) -> list[PlanView] | Unknown:
        if self._is_unknown(name):
            return Unknown(f"the {name} blocks are known after apply")
        items = self.obj.get(name)
        if not isinstance(items, list):
            return (
                []
                if items is None
                else [PlanView(items, self._child_unknown(name, None), self.loc)]
            )
        views = []
        for position, item in enumerate(items):
            if isinstance(item, dict):
                views.append(
                    PlanView(
                        item,
                        self._child_unknown(name, position),
                        _item_loc(items, position, self.loc),
                    )
                )
        return views

    def _child_unknown(self, name: str, position: int | None) -> Any:
        if not isinstance(self.unknown, dict):
            return {}
        child = self.unknown.get(name)
        if isinstance(child, list) and position is not None and position < len(child):
            return child[position]
        return child if isinstance(child, dict) else {}


def _item_loc(items: Any, position: int, fallback: Location) -> Location:
    try:
        return items.item_location(position)
    except (AttributeError, IndexError):
        return fallback
