"""The fleet around a Bicep VM: its availability set's counts and its maintenance schedule.

The same properties as ARM (armlint/arm/fleet.py, which names the sources): the set's
``platformUpdateDomainCount`` / ``platformFaultDomainCount`` (no documented default: absent
stays absent) and the assigned configuration's ``maintenanceScope`` and ``maintenanceWindow``.
A reference (``avset.id``, ``config.id``) finds the resource instance directly; an id built
with ``resourceId()`` is matched by name among the resources of the same file.
"""

from __future__ import annotations

from typing import Any

from armlint.bicep.extract import Reading
from armlint.bicep.template import Instance, Template
from armlint.bicep.values import ResourceRef, V, plain
from armlint.compute.schema import SCHEDULE_PATHS, SET_COUNTS, WINDOW_FIELDS
from armlint.model import (
    SOURCE_EVALUATED,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    MaintenanceSchedule,
    Unknown,
)

SET_TYPE = "microsoft.compute/availabilitysets"
CONFIGURATION_TYPE = "microsoft.maintenance/maintenanceconfigurations"


def fleet_facts(
    vm_body: V, template: Template, assignments: list[Instance], reading: Reading
) -> dict[str, Fact]:
    """Set counts (when the set is declared in the input) and the schedule of the first
    assignment that targets the VM."""
    facts: dict[str, Fact] = {}
    avset = reading.value_at(vm_body, "properties", "availabilitySet", "id")
    target = _target(avset, template, SET_TYPE) if avset is not None else None
    if target is not None:
        for name, prop in SET_COUNTS.items():
            count = reading.reach(target.property("properties"), prop)
            if count.present:
                facts[name] = count.fact()
    for assignment in assignments:
        facts["maintenance_schedule"] = _schedule_fact(assignment, reading)
        break
    return facts


def _schedule_fact(assignment: Instance, reading: Reading) -> Fact:
    where = assignment.template.source.location(assignment.decl.node)
    config_id = reading.value_at(assignment.property("properties"), "maintenanceConfigurationId")
    target = None
    if config_id is not None:
        target = _target(config_id, assignment.template, CONFIGURATION_TYPE)
    if target is None:
        reason = Unknown("the assigned maintenance configuration is not in the input", where)
        return Fact(reason, where, SOURCE_UNKNOWN)
    body = target.property("properties")
    paths: dict[str, tuple[str, ...]] = {
        field_name: ("maintenanceWindow", prop) for field_name, prop in WINDOW_FIELDS.items()
    }
    # SCHEDULE_PATHS start at the resource; the body here is already its `properties`.
    paths.update({field_name: path[1:] for field_name, path in SCHEDULE_PATHS.items()})
    values = {
        field_name: _plain(reading.value_at(body, *path)) for field_name, path in paths.items()
    }
    configuration = target.template.source.location(target.decl.node)
    positions = tuple(
        (field_name, _where(body, path, configuration)) for field_name, path in paths.items()
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


def _plain(value: V | None) -> Any:
    return plain(value) if value is not None else None


def _where(body: V | None, path: tuple[str, ...], configuration: Location) -> Location:
    """The property's own position, else that of the nearest object on its path (a reading
    of its own: where the configuration is written stands in for a value with no position)."""
    return Reading(configuration).reach(body, *path).location or configuration


def _target(identity: V, template: Template, resource_type: str) -> Instance | None:
    """The resource instance an id designates: by reference, else by the id's last segment."""
    ref = identity.ref
    if isinstance(ref, ResourceRef):
        if ref.decl.full_type.lower() != resource_type:
            return None
        return ref.template.find_instance(ref.decl, ref.index)
    text = ref if isinstance(ref, str) else identity.value
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
