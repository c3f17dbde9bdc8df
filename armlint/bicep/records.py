"""Walking one root evaluation: every live resource instance, and the VM records they make.

Besides the VM/VMSS facts, two facts look at other resources: ``health_extension`` (an
ApplicationHealth extension in the extension profile, nested in the VM, or a sibling extension
resource whose parent or name points at the VM, also across local modules by VM name) and
``maintenance_assignment`` (a Microsoft.Maintenance/configurationAssignments resource in the
same file scoped to the VM).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from armlint.bicep.extract import (
    ASSIGNMENT_TYPE,
    EXTENSION_TYPES,
    HEALTH_EXTENSIONS,
    KINDS,
    Reading,
    new_record,
    record_kind,
    vm_facts,
)
from armlint.bicep.fleet import fleet_facts
from armlint.bicep.template import Instance, Template
from armlint.bicep.values import ResourceRef, V
from armlint.compute.schema import INLINE_EXTENSIONS
from armlint.model import SOURCE_EVALUATED, Fact, Unknown, VmRecord


@dataclass
class Collected:
    vms: list[tuple[Template, Instance, str, str]] = field(default_factory=list)
    extensions: list[Instance] = field(default_factory=list)
    assignments: list[Instance] = field(default_factory=list)


def collect(root: Template) -> Collected:
    collected = Collected()
    _collect(root, collected)
    return collected


def _collect(template: Template, collected: Collected) -> None:
    for decl in template.program.resources.values():
        lowered = decl.full_type.lower()
        interesting = lowered in KINDS or lowered in EXTENSION_TYPES or lowered == ASSIGNMENT_TYPE
        if not interesting or decl.existing:
            continue
        for instance in template.instances(decl):
            kind = record_kind(instance)
            if kind is not None:
                collected.vms.append((template, instance, kind[0], kind[1]))
            elif lowered in EXTENSION_TYPES:
                collected.extensions.append(instance)
            else:
                collected.assignments.append(instance)
    for module_decl in template.program.modules.values():
        for module in template.module_instances(module_decl):
            callee = module.callee()
            if callee is not None:
                _collect(callee, collected)


# --- association ------------------------------------------------------------------------------


def _points_at(ref: Any, vm: Instance) -> bool | None:
    """Does a resource reference designate this VM instance? None when it cannot tell."""
    if not isinstance(ref, ResourceRef):
        return False
    if ref.decl is vm.decl and ref.template is vm.template:
        if ref.index is None or vm.index is None:
            return True
        return ref.index == vm.index
    if ref.decl.existing:
        target = ref.template.find_instance(ref.decl, ref.index)
        if target is None:
            return False
        return _same_name(target.name(), vm)
    return False


def _same_name(name: V, vm: Instance) -> bool | None:
    vm_name = vm.name().value
    if isinstance(name.value, Unknown) or isinstance(vm_name, Unknown):
        return None
    return isinstance(name.value, str) and name.value == vm_name


def _targets(candidate: Instance, vm: Instance, via_scope: bool, reading: Reading) -> bool | None:
    if candidate.parent is not None:
        parent = candidate.parent
        return (
            parent.decl is vm.decl and parent.template is vm.template and parent.index == vm.index
        )
    holder = candidate.property("scope" if via_scope else "parent")
    if holder is not None:
        return _points_at(holder.value, vm)
    if via_scope:
        resource_id = reading.value_at(candidate.property("properties"), "resourceId")
        if resource_id is not None:
            return _points_at(resource_id.ref, vm)
        return False
    name = candidate.name()
    if isinstance(name.value, str) and "/" in name.value:
        return _same_name(V(name.value.split("/", 1)[0]), vm)
    return False


def _verdict(candidates: list[tuple[Any, Fact | None]]) -> tuple[Any, Fact | None]:
    """True if some candidate surely applies, Unknown if one might, else False."""
    maybe = None
    for verdict, fact in candidates:
        if verdict is True:
            return True, fact
        if verdict is not False and maybe is None:
            maybe = (verdict, fact)
    if maybe is not None:
        return maybe
    return False, None


def _is_health(type_value: Any) -> Any:
    if isinstance(type_value, Unknown):
        return type_value
    return isinstance(type_value, str) and type_value.lower() in HEALTH_EXTENSIONS


def _combine(applies: Any, condition: Any, is_health: Any) -> Any:
    """Three-valued AND of 'targets this VM', 'is deployed' and 'is a health extension'."""
    values = [applies, condition, is_health]
    if any(value is False for value in values):
        return False
    if all(value is True for value in values):
        return True
    reasons = [value.reason for value in values if isinstance(value, Unknown)]
    return Unknown(reasons[0] if reasons else "cannot tell whether it applies to this VM")


def _profile_extensions(profile: V | None, reading: Reading) -> list[tuple[Any, Fact]]:
    """Each extension of the VM profile's extensionProfile: is it a health extension?"""
    found: list[tuple[Any, Fact]] = []
    extensions = reading.value_at(profile, *INLINE_EXTENSIONS)
    if extensions is None:
        return found
    if isinstance(extensions.value, Unknown):
        fact = reading.reach(extensions).fact()
        return [(fact.value, fact)]
    for item in extensions.value if isinstance(extensions.value, list) else []:
        kind = reading.reach(item, "properties", "type")
        if kind.present:
            fact = kind.fact()
            found.append((_is_health(fact.value), fact))
    return found


def _resource_extensions(vm: Instance, collected: Collected, reading: Reading):
    found: list[tuple[Any, Fact]] = []
    for candidate in collected.extensions:
        applies = _targets(candidate, vm, False, reading)
        if applies is False:
            continue
        kind = _extension_type(candidate, reading)
        if not kind.present:
            continue
        fact = kind.fact()
        verdict = _combine(_unknown_if_none(applies), candidate.condition, _is_health(fact.value))
        found.append((verdict, fact))
    return found


def _extension_type(candidate: Instance, reading: Reading):
    """``properties.type`` of an extension resource, cached by the extension with what it
    read (each VM of a file, and each combination that rebuilds a VM's record, asks every
    extension again): the reach is made with a reading of its own, whose dependencies are
    added to the VM's. Its other bookkeeping (where a null left a setting out) only serves
    the VM's own defaults, which are read before this."""
    where = reading.resource_location  # what an absent value is located at: the VM's record
    kind, deps = candidate.memo.get(
        ("extension type", where), lambda: _read_extension_type(candidate, Reading(where))
    )
    reading.deps.update(deps)
    return kind


def _read_extension_type(candidate: Instance, reading: Reading):
    """Without evaluating the settings when the properties are written out (the same reach,
    through the same cached member)."""
    member = candidate.literal_member("properties", "type")
    if member is None or member.value is None:  # a null has its own bookkeeping in reach
        reached = reading.reach(candidate.property("properties"), "type")
    else:
        reached = reading.reach(member)
        reached.key = "type"
    return reached, frozenset(reading.deps)


def _unknown_if_none(value: Any) -> Any:
    return Unknown("cannot tell which VM the resource belongs to") if value is None else value


def health_fact(vm: Instance, profile: V | None, collected: Collected, reading: Reading) -> Fact:
    candidates = _profile_extensions(profile, reading) + _resource_extensions(
        vm, collected, reading
    )
    verdict, fact = _verdict(candidates)
    return _fact(verdict, fact, reading, "no application health extension found")


def maintenance_fact(vm: Instance, collected: Collected, reading: Reading) -> Fact:
    candidates: list[tuple[Any, Fact | None]] = []
    for candidate in collected.assignments:
        if candidate.template is not vm.template:
            continue
        applies = _targets(candidate, vm, True, reading)
        if applies is False:
            continue
        location = candidate.template.source.location(candidate.decl.node)
        found = Fact(
            True,
            location,
            SOURCE_EVALUATED,
            (candidate.template.source.where(candidate.decl.node),),
        )
        verdict = _combine(_unknown_if_none(applies), candidate.condition, True)
        candidates.append((verdict, found))
    verdict, fact = _verdict(candidates)
    return _fact(verdict, fact, reading, "no maintenance assignment found")


def _assigned(vm: Instance, collected: Collected, reading: Reading) -> list[Instance]:
    """The assignments in the VM's own file that surely target it."""
    return [
        candidate
        for candidate in collected.assignments
        if candidate.template is vm.template and _targets(candidate, vm, True, reading) is True
    ]


def _fact(verdict: Any, fact: Fact | None, reading: Reading, none_found: str) -> Fact:
    if verdict is False or fact is None:
        # armlint looked and found none: a determined False, located at the resource
        return Fact(False, reading.resource_location, SOURCE_EVALUATED, (none_found,))
    if isinstance(verdict, Unknown):
        return Fact(Unknown(verdict.reason, fact.location), fact.location, "unknown", fact.trace)
    return Fact(True, fact.location, fact.source, fact.trace)


# --- records ----------------------------------------------------------------------------------


def _module_chain(template: Template):
    module = template.module
    while module is not None:
        yield module
        module = module.template.module


def build_records(root: Template) -> list[tuple[VmRecord, frozenset]]:
    """Every VM/VMSS record of one root evaluation, with the allowed parameters it depends on.

    Each record is cached by its resource instance with what it read (``bicep/reads.py``):
    an explored combination that changes nothing it read reuses it (a copy: the caller sets
    the scenario). What resources exist around it (``collect``) counts among its reads; it
    is cached too (walking every template's resources and modules again for a combination
    that changes none of them cost as much as the records)."""
    reads = root.engine.reads
    collected, around = reads.tracked(lambda: root.cached(("collected",), lambda: collect(root)))
    made: list[tuple[VmRecord, frozenset]] = []
    for template, instance, kind, resource_type in collected.vms:

        def build(template=template, instance=instance, kind=kind, resource_type=resource_type):
            reads.note(around)
            return _record(template, instance, kind, resource_type, collected)

        record, deps = instance.memo.get("record", build)
        copied = copy.copy(record)
        copied.facts = dict(record.facts)
        made.append((copied, deps))
    return made


def _record(
    template: Template, instance: Instance, kind: str, resource_type: str, collected: Collected
) -> tuple[VmRecord, frozenset]:
    record = new_record(instance, template, kind, resource_type)
    reading = Reading(record.location)
    facts, profile = vm_facts(instance, kind, reading)
    facts["health_extension"] = health_fact(instance, profile, collected, reading)
    facts["maintenance_assignment"] = maintenance_fact(instance, collected, reading)
    assigned = _assigned(instance, collected, reading)
    facts.update(fleet_facts(instance.body(), template, assigned, reading))
    record.facts = facts
    deps = set(reading.deps) | set(instance.deps)
    conditions = [instance.condition]
    loops = [instance.loop_unknown]
    for module in _module_chain(template):
        deps |= module.deps
        conditions.append(module.condition)
        loops.append(module.loop_unknown)
    record.symbolic_name = instance.decl.symbolic
    if any(isinstance(condition, Unknown) for condition in conditions):
        record.condition_unknown = True
    if any(loops):
        record.instances_unknown = True
    return record, frozenset(deps)


__all__ = ["build_records"]
