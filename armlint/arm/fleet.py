"""The fleet around the VMs of one template: availability sets and maintenance configurations.

A VM names its availability set by id and a maintenance assignment names its configuration by
id; both are matched to a resource of the same template by the id's last segment, the name
(ids of other resource groups are only known at deployment, as are names computed there).

- Availability sets (``Microsoft.Compute/availabilitySets``): ``platformUpdateDomainCount``
  and ``platformFaultDomainCount``, evaluated like any value. The Compute schema gives no
  default (domain.md S11: the 5 of its example is UNCONFIRMED as a default), so an absent count
  stays absent and the planner's setting applies.
- Maintenance configurations (``Microsoft.Maintenance/maintenanceConfigurations``): scope and
  ``maintenanceWindow`` (startDateTime, duration, timeZone, recurEvery), the fields of the
  maintenance-configurations doc (domain.md 8.2, MC), assigned by
  ``Microsoft.Maintenance/configurationAssignments`` (``properties.maintenanceConfigurationId``).
"""

from __future__ import annotations

from typing import Any

from armlint.arm.extract import SiblingResource, _targets, follow
from armlint.arm.jsonpos import get_ci
from armlint.compute.schema import SCHEDULE_PATHS, SET_COUNTS, WINDOW_FIELDS
from armlint.model import (
    SOURCE_UNKNOWN,
    Fact,
    Location,
    MaintenanceSchedule,
    Unknown,
)

AVAILABILITY_SET_TYPE = "microsoft.compute/availabilitysets"
CONFIGURATION_TYPE = "microsoft.maintenance/maintenanceconfigurations"
ASSIGNMENT_MARK = "configurationassignments"
FLEET_TYPES = (AVAILABILITY_SET_TYPE, CONFIGURATION_TYPE)


# Plain classes, not dataclasses: every ARM check imports this module, and creating a
# dataclass costs about a millisecond of start-up.
class _Assignment:
    __slots__ = ("name", "target", "configuration", "location")

    def __init__(self, name: Any, target: Any, configuration: Any, location: Location) -> None:
        self.name = name
        self.target = target
        self.configuration = configuration  # the configuration id (text, or Unknown)
        self.location = location


class Fleet:
    """Availability sets and maintenance configurations of one template, by lower-case name."""

    def __init__(self) -> None:
        self.sets: dict[str, dict[str, Fact]] = {}
        self.configurations: dict[str, MaintenanceSchedule] = {}
        self.assignments: list[_Assignment] = []

    def index(self, resource: dict, scope: Any, where: Location) -> None:
        resource_type = str(get_ci(resource, "type")[1] or "").lower()
        if resource_type == AVAILABILITY_SET_TYPE:
            name = _name(resource, scope)
            if name:
                self.sets[name] = _set_counts(resource, scope, where)
        elif resource_type == CONFIGURATION_TYPE:
            name = _name(resource, scope)
            if name:
                self.configurations[name] = _schedule(resource, scope, where, name)
        elif ASSIGNMENT_MARK in resource_type:
            self.assignments.append(_assignment(resource, scope, where))

    def index_child(self, child: dict, parent_name: Any, scope: Any, where: Location) -> None:
        """An assignment declared as a child resource of its VM targets that VM."""
        if ASSIGNMENT_MARK in str(get_ci(child, "type")[1] or "").lower():
            assignment = _assignment(child, scope, where)
            assignment.target = parent_name
            self.assignments.append(assignment)

    def facts_for(self, facts: dict[str, Fact], vm_name: Any) -> dict[str, Fact]:
        """The set counts and the assigned schedule of one VM, given its other facts."""
        found: dict[str, Fact] = {}
        set_fact = facts.get("availability_set")
        set_name = last_segment(set_fact.value) if set_fact else None
        if set_name in self.sets:
            found.update(self.sets[set_name])
        schedule = self._schedule_fact(vm_name)
        if schedule is not None:
            found["maintenance_schedule"] = schedule
        return found

    def _schedule_fact(self, vm_name: Any) -> Fact | None:
        for item in self.assignments:
            sibling = SiblingResource("maintenance", item.name, item.target, item.location)
            if _targets(sibling, vm_name) is not True:
                continue
            name = last_segment(item.configuration)
            schedule = self.configurations.get(name or "")
            if schedule is None:
                reason = Unknown(
                    f"maintenance configuration {item.configuration} is not in this template"
                    if isinstance(item.configuration, str)
                    else "the assigned maintenance configuration is not known"
                )
                return Fact(reason, item.location, SOURCE_UNKNOWN)
            schedule = _with_assignment(schedule, item.location)
            return Fact(schedule, item.location, "evaluated", (f"assignment {item.name}",))
        return None


def last_segment(value: Any) -> str | None:
    """The resource name an id or name ends with, in lower case; None when unknown."""
    if not isinstance(value, str) or not value.strip() or "{" in value.rsplit("/", 1)[-1]:
        return None
    return value.strip().rstrip("/").rsplit("/", 1)[-1].lower()


def _name(resource: dict, scope: Any) -> str | None:
    return last_segment(scope.resolve(get_ci(resource, "name")[1]).value)


def _set_counts(resource: dict, scope: Any, where: Location) -> dict[str, Fact]:
    counts = {}
    for fact_name, prop in SET_COUNTS.items():
        fact = follow(resource, ("properties", prop), scope, where).fact()
        if fact.value is not None:
            counts[fact_name] = fact
    return counts


def _schedule(resource: dict, scope: Any, where: Location, name: str) -> MaintenanceSchedule:
    paths: dict[str, tuple[str, ...]] = {
        field_name: ("properties", "maintenanceWindow", prop)
        for field_name, prop in WINDOW_FIELDS.items()
    }
    paths.update(SCHEDULE_PATHS)
    reached = {
        field_name: follow(resource, path, scope, where) for field_name, path in paths.items()
    }
    values = {field_name: found.value for field_name, found in reached.items()}
    positions = tuple(
        (field_name, found.location or where) for field_name, found in reached.items()
    )
    return MaintenanceSchedule(name=name, location=where, positions=positions, **values)


def _assignment(resource: dict, scope: Any, where: Location) -> _Assignment:
    name = scope.resolve(get_ci(resource, "name")[1]).value
    target = scope.resolve(get_ci(resource, "scope")[1]).value
    if target is None:
        target = follow(resource, ("properties", "resourceId"), scope, where).value
    configuration = follow(resource, ("properties", "maintenanceConfigurationId"), scope, where)
    return _Assignment(name, target, configuration.value, where)


def _with_assignment(schedule: MaintenanceSchedule, where: Location) -> MaintenanceSchedule:
    return schedule.replace(assignment=where)
