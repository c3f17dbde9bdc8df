"""azapi_resource VMs and scale sets: facts from an ARM-shaped ``body`` (domain 2.1 paths).

The body is an evaluated object whose attributes remember where they were written
(``values.ObjectValue``) or, in a plan, a position-keeping JSON object; either way each fact
points at the property's own value, or at the deepest object that exists when it is absent.
"""

from __future__ import annotations

import re
from typing import Any

from armlint.arm.jsonpos import get_ci
from armlint.compute.arm_body import BodyExtractor
from armlint.model import SOURCE_EVALUATED, SOURCE_UNKNOWN, Fact, Location, Unknown, VmRecord
from armlint.terraform import nodes as n
from armlint.terraform.extract import RecordContext
from armlint.terraform.facts import (
    Facts,
    as_zones,
    normalise_location,
    resolve_id,
)
from armlint.terraform.values import meta_of

AZAPI_TYPE = re.compile(
    r"^Microsoft\.Compute/(virtualMachines|virtualMachineScaleSets)@(.+)$", re.I
)
KINDS = {"virtualmachines": "vm", "virtualmachinescalesets": "vmss"}


def compute_kind(type_value: Any) -> tuple[str, str] | None:
    """('vm' | 'vmss', api version) for a Compute VM / VMSS azapi type string."""
    if not isinstance(type_value, str):
        return None
    match = AZAPI_TYPE.match(type_value.strip())
    if match is None:
        return None
    return KINDS[match.group(1).lower()], match.group(2)


class AzapiNode(Fact):
    """A value of the body as ``compute.arm_body`` walks it (a ``BodyNode``): a ``Fact`` (the
    value, where it was written, how it was resolved) that can give its children. An azapi
    body is already evaluated, so a child is a lookup."""

    __slots__ = ()

    def child(self, key: str) -> AzapiNode | None:
        if isinstance(self.value, Unknown):
            return AzapiNode(self.value, self.location, SOURCE_UNKNOWN, self.trace)
        if not isinstance(self.value, dict):
            return None
        actual, item = get_ci(self.value, key)
        if actual is None or item is None:
            return None
        loc, source, trace = self._where(actual)
        if isinstance(item, Unknown):
            source = SOURCE_UNKNOWN
        return AzapiNode(item, loc, source, trace)

    def _where(self, key: str) -> tuple[Location, str, tuple[str, ...]]:
        meta = meta_of(self.value, key)
        if meta is not None:
            # The element's own steps: the enclosing object's steps cover its siblings too.
            return meta.loc, ("literal" if meta.literal else SOURCE_EVALUATED), meta.trace
        locate = getattr(self.value, "value_location", None)
        if locate is not None:
            try:
                return locate(key), self.source, self.trace
            except (KeyError, AttributeError):
                pass  # a value added for after_unknown has no position of its own
        return self.where, self.source, self.trace

    @property
    def where(self) -> Location:
        assert self.location is not None  # every cursor is made with its position
        return self.location

    def object_location(self) -> Location:
        return self.where

    def item(self, index: int) -> AzapiNode:
        return AzapiNode(self.value[index], _item_loc(self, index), self.source, self.trace)

    def settle(self) -> AzapiNode:
        return self

    def path(self, *keys: str) -> AzapiNode | None:
        cursor: AzapiNode | None = self
        for key in keys:
            cursor = cursor.child(key) if cursor is not None else None
        return cursor


def build_azapi_record(
    view, type_read: Fact, body: AzapiNode | None, context: RecordContext
) -> VmRecord:
    """The body's facts come from ``compute.arm_body`` as for an ARM template; Terraform adds
    the api-version of ``type``, the ``location`` argument, ids known only after apply and the
    health extensions and maintenance assignments of other resources."""
    found = compute_kind(type_read.value)
    assert found is not None  # the loader builds azapi records for Compute types only
    kind, api_version = found
    root = body or AzapiNode({}, view.loc, "literal")
    extractor = BodyExtractor(root, kind, view.loc)
    facts = Facts(view.loc)
    facts.facts["api_version"] = Fact(
        api_version, type_read.location, type_read.source, type_read.trace
    )
    facts.facts.update(extractor.facts())
    _terraform_values(view, facts)
    inline = extractor.inline_health_extension()
    if context.relations is not None:
        context.relations.add_facts(facts, context.full_address, kind, _NoBlocks(view))
        if inline is not None and (
            inline.value is True or facts.facts["health_extension"].value is False
        ):
            facts.facts["health_extension"] = inline
    elif inline is not None:
        facts.facts["health_extension"] = inline
    arm_type = type_read.value.split("@", 1)[0]
    return VmRecord(
        path=view.loc.path,
        format=context.format,
        kind=kind,
        resource_type="azapi_resource",
        name=context.name or context.full_address,
        name_known=bool(context.name),
        location=view.loc,
        facts=facts.result(),
        address=context.address,
        group=context.group,
        index=context.index,
        **context.details,
        arm_type=arm_type,
    )


def _terraform_values(view, facts: Facts) -> None:
    """What Terraform itself changes in the body's facts: the ``location`` argument wins over
    the body's, zones are strings, and resource ids stand in by address (``resolve_id``)."""
    location = view.attr("location")
    if location is not None and location.value is not None:
        facts.put("location", location, normalise_location)
    zones = facts.facts.get("zones")
    if zones is not None and zones.value is not None and not isinstance(zones.value, Unknown):
        zones.value = as_zones(zones.value)
    for name in ("image_id", "availability_set"):
        fact = facts.facts.get(name)
        if fact is not None:
            fact.value = resolve_id(name, fact.value)
            if isinstance(fact.value, Unknown):
                fact.source = SOURCE_UNKNOWN


def body_cursor(view) -> AzapiNode | None:
    """The ``body`` argument as a cursor; ``jsonencode({...})`` is read through (azapi v1)."""
    expr = view.expr("body")
    if isinstance(expr, n.Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        value, steps = view.instance.evaluator.evaluate(expr.args[0], view.scope)
        return AzapiNode(value, expr.args[0].loc, SOURCE_EVALUATED, steps)
    read = view.attr("body")
    if read is None:
        return None
    value = read.value
    if isinstance(value, str):
        value = _decode_json_body(value)
    return AzapiNode(value, read.location, read.source, read.trace)


def _decode_json_body(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return Unknown("the body string is not JSON")


def _item_loc(cursor: AzapiNode, position: int) -> Location:
    locate = getattr(cursor.value, "item_location", None)
    return locate(position) if locate is not None else cursor.where


class _NoBlocks:
    """Relations look for inline extension blocks; an azapi body has none (read above)."""

    def __init__(self, view) -> None:
        self.view = view
        self.loc = view.loc

    def blocks(self, name: str) -> list:
        return []

    def attr(self, name: str):
        if name == "tags":
            return self.view.attr("tags")
        return None
