"""Resources that say something about a VM from outside it.

* Application health extensions (``ApplicationHealthLinux`` / ``ApplicationHealthWindows``):
  ``extension`` blocks of a scale set, ``azurerm_virtual_machine_extension`` /
  ``azurerm_virtual_machine_scale_set_extension`` resources, azapi ``.../extensions``.
* Maintenance configuration assignments: ``azurerm_maintenance_assignment_virtual_machine``
  (``_scale_set``), ``azurerm_maintenance_assignment_dynamic_scope`` (matched by its filter),
  azapi ``Microsoft.Maintenance/configurationAssignments``.

A relation names its target by the target's id; in configuration that is the resource address
standing in for the id (``values.ResourceId``), in a plan the address found by ``plan``.
"""

from __future__ import annotations

from armlint.model import SOURCE_DEFAULT, Fact, Unknown, Value
from armlint.terraform.facts import Facts, normalise_location

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

HEALTH_TYPES = {"applicationhealthlinux", "applicationhealthwindows"}
EXTENSION_RESOURCES = {
    "azurerm_virtual_machine_extension": "virtual_machine_id",
    "azurerm_virtual_machine_scale_set_extension": "virtual_machine_scale_set_id",
}
MAINTENANCE_RESOURCES = {
    "azurerm_maintenance_assignment_virtual_machine": "virtual_machine_id",
    "azurerm_maintenance_assignment_virtual_machine_scale_set": "virtual_machine_scale_set_id",
}
DYNAMIC_SCOPE = "azurerm_maintenance_assignment_dynamic_scope"
VM_ARM_TYPES = {
    "vm": "microsoft.compute/virtualmachines",
    "vmss": "microsoft.compute/virtualmachinescalesets",
}


class Relation(Value):
    __slots__ = ("kind", "target", "applies", "read", "address", "scope_filter")

    def __init__(
        self,
        kind: str,  # 'health' | 'maintenance'
        target: Any,  # the target id (address), Unknown, or None for a dynamic scope
        applies: Any,  # health: a health extension type (True/False/Unknown); maintenance: True
        read: Fact,  # where it is written (location, source, trace of the deciding value)
        address: str,
        scope_filter: Any = None,  # a dynamic scope's filter view
    ) -> None:
        self.kind = kind
        self.target = target
        self.applies = applies
        self.read = read
        self.address = address
        self.scope_filter = scope_filter


class MatchAll:
    """The filter of a dynamic scope that has no filter block: every VM it can reach."""

    def __init__(self, loc) -> None:
        self.loc = loc

    def attr(self, name: str):
        return None

    def blocks(self, name: str) -> list:
        return []


def is_health_type(value: Any) -> Any:
    if isinstance(value, Unknown):
        return value
    return isinstance(value, str) and value.lower() in HEALTH_TYPES


class Relations:
    """All relations found in one root module tree (or one plan)."""

    def __init__(self, relations: list[Relation]) -> None:
        self.health = [r for r in relations if r.kind == "health"]
        self.maintenance = [r for r in relations if r.kind == "maintenance"]

    def add_facts(self, facts: Facts, address: str, kind: str, view) -> None:
        facts.facts["health_extension"] = self._health_fact(facts, address, kind, view)
        facts.facts["maintenance_assignment"] = self._maintenance_fact(facts, address, kind, view)

    # --- health extension ---------------------------------------------------------------

    def _health_fact(self, facts: Facts, address: str, kind: str, view) -> Fact:
        inline = _inline_health(view) if kind == "vmss" else None
        if isinstance(inline, Fact) and inline.value is True:
            return inline
        targeted = [r for r in self.health if _same_target(r.target, address)]
        found = _decide(targeted, lambda r: r.applies)
        if isinstance(found, Fact) and found.value is True:
            return found
        unresolved = [
            r for r in self.health if isinstance(r.target, Unknown) and r.applies is not False
        ]
        for candidate in (inline, found):
            if isinstance(candidate, Fact):
                return candidate
        if unresolved:
            reason = (
                f"health extension {unresolved[0].address} targets a VM that cannot be resolved"
            )
            return Fact(
                Unknown(reason), unresolved[0].read.location, "unknown", unresolved[0].read.trace
            )
        return Fact(False, facts.loc, SOURCE_DEFAULT, ("no application health extension found",))

    # --- maintenance assignment ---------------------------------------------------------

    def _maintenance_fact(self, facts: Facts, address: str, kind: str, view) -> Fact:
        unknown: Fact | None = None
        for relation in self.maintenance:
            if relation.scope_filter is not None:
                applies = _dynamic_scope_matches(relation.scope_filter, facts, kind, view)
            elif isinstance(relation.target, Unknown):
                applies = Unknown(f"{relation.address} targets a resource that cannot be resolved")
            else:
                applies = _same_target(relation.target, address)
            if applies is True:
                trace = (*relation.read.trace, f"assigned by {relation.address}")
                return Fact(True, relation.read.location, _source(relation.read), trace)
            if isinstance(applies, Unknown) and unknown is None:
                unknown = Fact(applies, relation.read.location, "unknown", relation.read.trace)
        if unknown is not None:
            return unknown
        return Fact(
            False, facts.loc, SOURCE_DEFAULT, ("no maintenance configuration assignment found",)
        )


def _source(read: Fact) -> str:
    # The relation itself is certain even when the value that names it (an id) is not.
    return "evaluated" if isinstance(read.value, Unknown) else read.source


def _same_target(target: Any, address: str) -> bool:
    return isinstance(target, str) and target == address


def _decide(relations: list[Relation], flag) -> Fact | None:
    """True if any relation applies, else Unknown if any might, else None."""
    unknown = None
    for relation in relations:
        applies = flag(relation)
        if applies is True:
            trace = (*relation.read.trace, f"extension {relation.address}")
            return Fact(True, relation.read.location, _source(relation.read), trace)
        if isinstance(applies, Unknown) and unknown is None:
            unknown = Fact(applies, relation.read.location, "unknown", relation.read.trace)
    return unknown


def _inline_health(view) -> Fact | None:
    blocks = view.blocks("extension")
    if isinstance(blocks, Unknown):
        return Fact(blocks, view.loc, "unknown", ())
    unknown = None
    for block in blocks:
        read = block.attr("type")
        if read is None:
            continue
        applies = is_health_type(read.value)
        if applies is True:
            return Fact(True, read.location, read.source, read.trace)
        if isinstance(applies, Unknown) and unknown is None:
            unknown = Fact(applies, read.location, "unknown", read.trace)
    return unknown


def _dynamic_scope_matches(filter_view, facts: Facts, kind: str, view) -> Any:
    """Whether every dimension of a dynamic scope's filter includes this VM."""
    checks = (
        ("locations", facts.get_value("location"), normalise_location),
        ("os_types", facts.get_value("os"), str.lower),
        ("resource_types", VM_ARM_TYPES[kind], str.lower),
        ("resource_groups", _attr_value(view, "resource_group_name"), str.lower),
    )
    for attribute, actual, fold in checks:
        wanted = _attr_value(filter_view, attribute)
        if wanted is None or wanted == []:
            continue
        if isinstance(wanted, Unknown):
            return wanted
        if isinstance(actual, Unknown) or actual is None:
            return Unknown(
                f"the dynamic scope filters on {attribute}, which is unknown for this VM"
            )
        if not isinstance(wanted, list) or not isinstance(actual, str):
            return Unknown(f"the dynamic scope's {attribute} filter cannot be compared")
        if fold(actual) not in {fold(item) for item in wanted if isinstance(item, str)}:
            return False
    return _tags_match(filter_view, view)


def _tags_match(filter_view, view) -> Any:
    tag_blocks = filter_view.blocks("tags")
    if isinstance(tag_blocks, Unknown):
        return tag_blocks
    if not tag_blocks:
        return True
    vm_tags = _attr_value(view, "tags") or {}
    if isinstance(vm_tags, Unknown) or not isinstance(vm_tags, dict):
        return Unknown("the dynamic scope filters on tags, which are unknown for this VM")
    results = [_tag_matches(block, vm_tags) for block in tag_blocks]
    mode = _attr_value(filter_view, "tag_filter") or "Any"
    if any(isinstance(result, Unknown) for result in results):
        return next(result for result in results if isinstance(result, Unknown))
    return all(results) if mode == "All" else any(results)


def _tag_matches(block, vm_tags: dict) -> Any:
    tag, values = _attr_value(block, "tag"), _attr_value(block, "values")
    if isinstance(tag, Unknown) or isinstance(values, Unknown):
        return tag if isinstance(tag, Unknown) else values
    if tag not in vm_tags:
        return False
    return not values or (isinstance(values, list) and vm_tags[tag] in values)


def _attr_value(view, name: str) -> Any:
    read = view.attr(name)
    return None if read is None else read.value
