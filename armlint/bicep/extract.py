"""From evaluated Bicep resources to ``VmRecord`` facts, through ``compute.arm_body``.

Bicep compiles to ARM, so a resource body is an ARM-shaped body: ``BicepNode`` hands the
evaluated values (``values.V``) to the one extractor of Compute facts (``compute.arm_body``),
which decides which property holds which fact, the defaults, the OS and the Manual inference.
Bicep's part is what an evaluated value knows: where it was written (inside a variable when the
resource takes the object from a variable), the steps that produced it (joined along the path,
outermost first), and the @allowed parameters it depends on (for scenario exploration, gathered
by ``Reading`` as the extractor walks).
"""

from __future__ import annotations

import re
from typing import Any

from armlint.bicep.template import Instance, Template
from armlint.bicep.values import HANDLE_TYPES, ResourceRef, Site, V, first_unknown, lookup, plain
from armlint.compute.arm_body import BodyExtractor, Reached, reach
from armlint.compute.schema import HEALTH_EXTENSION_TYPES
from armlint.model import (
    SOURCE_ABSENT,
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    Fact,
    Location,
    Unknown,
    VmRecord,
)

_LOOP_INDEX = re.compile(r"\[\d+\]")
VM_TYPE = "Microsoft.Compute/virtualMachines"
VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
KINDS = {VM_TYPE.lower(): ("vm", VM_TYPE), VMSS_TYPE.lower(): ("vmss", VMSS_TYPE)}
EXTENSION_TYPES = frozenset(f"{t.lower()}/extensions" for t in (VM_TYPE, VMSS_TYPE))
ASSIGNMENT_TYPE = "microsoft.maintenance/configurationassignments"
HEALTH_EXTENSIONS = HEALTH_EXTENSION_TYPES
# A null (``cond ? {...} : null``) in place of one of these objects decides the OS or the
# defaults, so the record depends on the condition's parameters (scenario exploration).
DECIDING_OBJECTS = frozenset(
    {
        "osprofile",
        "windowsconfiguration",
        "linuxconfiguration",
        "patchsettings",
        "automaticbyplatformsettings",
    }
)


def location_of(v: V | None) -> Location | None:
    if v is None:
        return None
    return v.loc.resolve() if isinstance(v.loc, Site) else v.loc


def _joined(outer: tuple[str, ...], inner: tuple[str, ...]) -> tuple[str, ...]:
    """The steps of a value reached through ``outer``: each step once, outermost first."""
    if not inner:
        return outer
    return outer + tuple(step for step in inner if step not in outer)


class Reading:
    """The reads of one record's facts: where the resource is written (the location of what
    has no position of its own) and the @allowed parameters the values read depend on."""

    def __init__(self, resource_location: Location) -> None:
        self.resource_location = resource_location
        self.deps: set = set()
        # What a null elsewhere depends on, by the location of the object it is null in: a
        # default located there follows the condition's parameters.
        self.null_deps: dict[Location, frozenset] = {}

    def defaults_read(self, facts: dict[str, Fact]) -> None:
        """A default given where a null left a setting out depends on what the null does."""
        for fact in facts.values():
            if fact.source == SOURCE_DEFAULT and fact.location in self.null_deps:
                self.deps.update(self.null_deps[fact.location])

    def node(self, v: V) -> BicepNode:
        self.deps.update(v.deps)
        return BicepNode(v, self, v.trace)

    def reach(self, v: V | None, *path: str) -> Reached:
        """Follow a property path from an evaluated value (None: the property is not written)."""
        if v is None or v.value is None:
            if v is not None:
                self.deps.update(v.deps)
            return Reached(None, self.resource_location, False, SOURCE_ABSENT, ())
        return reach(self.node(v), path)

    def value_at(self, v: V | None, *path: str) -> V | None:
        """The evaluated value at a path (for what only Bicep knows: resource references); an
        unknown value on the way stands for everything under it; None when not written."""
        node = self.node(v) if v is not None else None
        for key in path:
            if node is None or isinstance(node.value, Unknown):
                break
            node = node.child(key)
        return node.v if node is not None else None


class BicepNode:
    """An evaluated Bicep value as ``compute.arm_body`` walks it (a ``BodyNode``)."""

    __slots__ = ("children", "v", "value", "reading", "trace")

    def __init__(self, v: V, reading: Reading, trace: tuple[str, ...], value: Any = None) -> None:
        self.v = v
        self.value = v.value if value is None else value
        self.reading = reading
        self.trace = trace
        # The facts walk many paths from one root ('properties', 'osProfile', ... again for
        # each setting): each step is taken once. Taking it again would only repeat what it
        # added to ``reading`` (sets: the same again), so the answer is kept by key.
        self.children: dict[str, BicepNode | None] | None = None

    @property
    def location(self) -> Location:
        return location_of(self.v) or self.reading.resource_location

    @property
    def source(self) -> str:
        return SOURCE_LITERAL if self.v.literal and not self.trace else SOURCE_EVALUATED

    def object_location(self) -> Location:
        return self.location

    def child(self, key: str) -> BicepNode | None:
        children = self.children
        if children is None:
            children = self.children = {}
        elif key in children:
            return children[key]
        found = children[key] = self._child(key)
        return found

    def _child(self, key: str) -> BicepNode | None:
        members = self.v.value
        if not isinstance(members, dict):
            return None
        found = lookup(members, key)
        if found is None:
            return None
        if found.value is None:
            if found.deps and key.casefold() in DECIDING_OBJECTS:
                self.reading.deps.update(found.deps)
            elif found.deps:
                where = self.object_location()
                known = self.reading.null_deps.get(where, frozenset())
                self.reading.null_deps[where] = known | found.deps
            return None
        self.reading.deps.update(found.deps)
        return BicepNode(found, self.reading, _joined(self.trace, found.trace))

    def item(self, index: int) -> BicepNode:
        found = self.v.value[index]
        self.reading.deps.update(found.deps)
        return BicepNode(found, self.reading, _joined(self.trace, found.trace))

    def settle(self) -> BicepNode:
        """The plain value; an array or a reference with an unknown part is unknown as a whole
        (an object keeps its members, so a written windowsConfiguration still names the OS)."""
        value = self.v.value
        if not isinstance(value, (dict, list, HANDLE_TYPES)):
            return self
        raw = plain(self.v)
        unknown = None if isinstance(value, dict) else first_unknown(raw)
        if unknown is not None:
            raw = Unknown(unknown.reason, self.location)
        return BicepNode(self.v, self.reading, self.trace, raw)


def vm_facts(instance: Instance, kind: str, reading: Reading) -> tuple[dict[str, Fact], V | None]:
    """The body's facts (``compute.arm_body``), the api-version of the declaration and the
    availability set's name; also the VM profile, where Bicep looks for inline extensions."""
    body = instance.body()
    extractor = BodyExtractor(reading.node(body), kind, reading.resource_location)
    facts = {name: fact for name, fact in extractor.facts().items() if fact.source != SOURCE_ABSENT}
    reading.defaults_read(facts)
    type_node = instance.decl.type_node
    facts["api_version"] = Fact(
        instance.decl.api_version,
        instance.template.source.location(type_node) if type_node is not None else None,
        SOURCE_LITERAL,
    )
    availability_set = facts.get("availability_set")
    if availability_set is not None and isinstance(availability_set.value, Unknown):
        identity = reading.value_at(body, "properties", "availabilitySet", "id")
        if identity is not None:
            facts["availability_set"] = _identity_fact(availability_set, identity, instance)
    return facts, reading.value_at(body, *extractor.base)


def _identity_fact(fact: Fact, identity: V, instance: Instance) -> Fact:
    """availabilitySet.id: the id is a deployment value, but the set it names is known."""
    ref = identity.ref
    if isinstance(ref, ResourceRef):
        ref = _resource_identity(ref)
    if not ref:
        node = identity.loc.node if isinstance(identity.loc, Site) else None
        ref = instance.template.source.text(node) if node is not None else ""
    return Fact(ref, fact.location, SOURCE_EVALUATED, fact.trace)


def _resource_identity(ref: ResourceRef) -> str:
    instance = ref.template.find_instance(ref.decl, ref.index)
    name = instance.name().value if instance is not None else None
    return f"{ref.decl.full_type}/{name if isinstance(name, str) else ref.decl.symbolic}"


def record_kind(instance: Instance) -> tuple[str, str] | None:
    if instance.decl.existing:
        return None
    return KINDS.get(instance.decl.full_type.lower())


def new_record(instance: Instance, template: Template, kind: str, resource_type: str) -> VmRecord:
    decl = instance.decl
    body_node = decl.shape.body if decl.shape.body is not None else decl.node
    name = instance.name().value
    path = f"resource {decl.symbolic}"
    parent = decl.parent
    while parent is not None:
        path = f"resource {parent.symbolic}/{path}"
        parent = parent.parent
    address = f"{template.address}{path}"
    group, index = "", instance.index
    if decl.shape.loop is not None:
        group = decl.symbolic
    elif template.module is not None and template.module.index is not None:
        # one instance per iteration of a module loop: the loop is the redundancy group
        group, index = _LOOP_INDEX.sub("", address), template.module.index
    return VmRecord(
        path=template.source.display,
        format="bicep",
        kind=kind,
        resource_type=resource_type,
        name=name if isinstance(name, str) else decl.symbolic,
        name_known=isinstance(name, str),
        location=template.source.location(body_node),
        address=address,
        group=group,
        index=index,
    )


__all__ = ["BicepNode", "Reading", "location_of", "new_record", "record_kind", "vm_facts"]
