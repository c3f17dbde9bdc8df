"""The fleet around a Bicep VM: its availability set's counts and its maintenance schedule.

The same properties as ARM (armlint/arm/fleet.py, which names the sources): the set's
``platformUpdateDomainCount`` / ``platformFaultDomainCount`` (no documented default: absent
stays absent) and the assigned configuration's ``maintenanceScope`` and ``maintenanceWindow``.
A reference (``avset.id``, ``config.id``) finds the resource instance directly; an id built
with ``resourceId()`` is matched by name among the resources of the same file.
"""

from __future__ import annotations

from typing import Any

from armlint.bicep.extract import FactBuilder, Step, location_of, walk
from armlint.bicep.template import Instance, Template
from armlint.bicep.values import ResourceRef
from armlint.compute.schema import SCHEDULE_PATHS, SET_COUNTS, WINDOW_FIELDS
from armlint.model import SOURCE_EVALUATED, SOURCE_UNKNOWN, Fact, MaintenanceSchedule, Unknown

SET_TYPE = "microsoft.compute/availabilitysets"
CONFIGURATION_TYPE = "microsoft.maintenance/maintenanceconfigurations"


def fleet_facts(
    vm_body: Any, template: Template, assignments: list[Instance], builder: FactBuilder
) -> dict[str, Fact]:
    """Set counts (when the set is declared in the input) and the schedule of the first
    assignment that targets the VM."""
    facts: dict[str, Fact] = {}
    avset = walk(vm_body, "properties", "availabilitySet", "id")
    target = _target(avset, template, SET_TYPE) if avset.present else None
    if target is not None:
        for name, prop in SET_COUNTS.items():
            step = walk(target.property("properties"), prop)
            if step.present:
                facts[name] = builder.from_step(step)
    for assignment in assignments:
        facts["maintenance_schedule"] = _schedule_fact(assignment, template, builder)
        break
    return facts


def _schedule_fact(assignment: Instance, template: Template, builder: FactBuilder) -> Fact:
    where = assignment.template.source.location(assignment.decl.node)
    step = walk(assignment.property("properties"), "maintenanceConfigurationId")
    target = _target(step, assignment.template, CONFIGURATION_TYPE) if step.present else None
    if target is None:
        reason = Unknown("the assigned maintenance configuration is not in the input", where)
        return Fact(reason, where, SOURCE_UNKNOWN)
    body = target.property("properties")
    paths: dict[str, tuple[str, ...]] = {
        field_name: ("maintenanceWindow", prop) for field_name, prop in WINDOW_FIELDS.items()
    }
    # SCHEDULE_PATHS start at the resource; the body here is already its `properties`.
    paths.update({field_name: path[1:] for field_name, path in SCHEDULE_PATHS.items()})
    steps = {field_name: walk(body, *path) for field_name, path in paths.items()}
    values = {field_name: _plain(step) for field_name, step in steps.items()}
    configuration = target.template.source.location(target.decl.node)
    positions = tuple(
        (field_name, _where(step) or configuration) for field_name, step in steps.items()
    )
    name = target.name().value
    schedule = MaintenanceSchedule(
        name=name if isinstance(name, str) else target.decl.symbolic,
        location=configuration,
        assignment=where,
        positions=positions,
        **values,
    )
    trace = (assignment.template.source.where(assignment.decl.node),)
    return Fact(schedule, where, SOURCE_EVALUATED, trace)


def _where(step: Step):
    """The property's own position, else that of the nearest object on its path."""
    if step.present:
        return location_of(step.value)
    return location_of(step.chain[-1]) if step.chain else None


def _plain(step: Step) -> Any:
    if not step.present:
        return None
    from armlint.bicep.values import plain

    return plain(step.value)


def _target(step: Step, template: Template, resource_type: str) -> Instance | None:
    """The resource instance an id designates: by reference, else by the id's last segment."""
    ref = step.value.ref
    if isinstance(ref, ResourceRef):
        if ref.decl.full_type.lower() != resource_type:
            return None
        return ref.template.find_instance(ref.decl, ref.index)
    text = ref if isinstance(ref, str) else step.value.value
    if not isinstance(text, str) or not text.strip():
        return None
    wanted = text.rstrip("/").rsplit("/", 1)[-1].lower()
    for decl in template.program.resources.values():
        if decl.full_type.lower() != resource_type or decl.existing:
            continue
        for instance in template.instances(decl):
            name = instance.name().value
            if isinstance(name, str) and name.lower() == wanted:
                return instance
    return None
