"""The fleet around a Terraform VM: its availability set's counts and its maintenance schedule.

- ``azurerm_availability_set``: ``platform_update_domain_count`` (provider default 5, range
  1-20) and ``platform_fault_domain_count`` (default 3), domain.md 8.1 from the provider source
  (S6, internal/services/compute/availability_set_resource.go). The defaults apply only when the
  argument is absent; an unknown value stays unknown.
- ``azurerm_maintenance_configuration``: ``scope`` and the ``window`` block (start_date_time,
  duration, time_zone, recur_every), assigned by ``azurerm_maintenance_assignment_*`` through
  ``maintenance_configuration_id`` (maintenance-configurations doc, domain.md 8.2). The
  assignment that ties a VM to a schedule is the one its ``maintenance_assignment`` fact names
  ("assigned by <address>"), so direct and dynamic-scope assignments are matched exactly as
  that fact matches them.

Both resources are looked up in the module instance that refers to them (a reference in
Terraform names a resource of its own module).
"""

from __future__ import annotations

import json
import re

from armlint.model import (
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_UNKNOWN,
    Fact,
    MaintenanceSchedule,
    Unknown,
    VmRecord,
)
from armlint.terraform.evaluator import index_suffix
from armlint.terraform.relations import DYNAMIC_SCOPE, MAINTENANCE_RESOURCES
from armlint.terraform.views import HclView

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

SET_TYPE = "azurerm_availability_set"
CONFIGURATION_TYPE = "azurerm_maintenance_configuration"
# fact -> (argument, provider default)
SET_COUNTS = {
    "update_domain_count": ("platform_update_domain_count", 5),
    "fault_domain_count": ("platform_fault_domain_count", 3),
}
WINDOW_FIELDS = {
    "start": "start_date_time",
    "duration": "duration",
    "time_zone": "time_zone",
    "recurrence": "recur_every",
}
ASSIGNED_BY = "assigned by "
# [module.a.module.b.]type.name[key]: a module prefix when the address came through outputs
# Compiled on first use (re's cache), not at import.
_ADDRESS = r"^(?:(module\..+)\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[(.+)\])?$"


def schedule_facts(instances: list) -> dict[str, Fact]:
    """The schedule of every maintenance assignment, by the assignment's address."""
    found: dict[str, Fact] = {}
    for instance in instances:
        prefix = instance.address + "." if instance.address else ""
        for (rtype, rname), block in instance.config.resources.items():
            if rtype not in MAINTENANCE_RESOURCES and rtype != DYNAMIC_SCOPE:
                continue
            expansion = instance.resource_expansion(rtype, rname)
            for key in expansion.instance_keys():
                view = HclView(block.body, block.loc, instance, expansion.scope(key))
                address = f"{prefix}{rtype}.{rname}{index_suffix(key)}"
                found[address] = _schedule(view, instance, rtype == DYNAMIC_SCOPE, instances)
    return found


def add_fleet_facts(
    records: list[VmRecord], instance, schedules: dict[str, Fact], instances: list
) -> None:
    for record in records:
        record.facts.update(_set_facts(record, instance, instances))
        assigned = _assignment_address(record)
        if assigned in schedules:
            record.facts["maintenance_schedule"] = schedules[assigned]


def _assignment_address(record: VmRecord) -> str | None:
    fact = record.facts.get("maintenance_assignment")
    if fact is None or fact.value is not True:
        return None
    for step in reversed(fact.trace):
        if step.startswith(ASSIGNED_BY):
            return step[len(ASSIGNED_BY) :]
    return None


def _set_facts(record: VmRecord, instance, instances: list) -> dict[str, Fact]:
    fact = record.facts.get("availability_set")
    view = _resource_view(instance, fact.value if fact else None, SET_TYPE, instances)
    if view is None:
        return {}
    facts = {}
    for name, (argument, default) in SET_COUNTS.items():
        read = view.attr(argument)
        if read is None:
            trace = (f"the {SET_TYPE} default",)
            facts[name] = Fact(default, view.loc, SOURCE_DEFAULT, trace)
        else:
            facts[name] = Fact(read.value, read.location, read.source, read.trace)
    return facts


def _schedule(view: HclView, instance, dynamic: bool, instances: list) -> Fact:
    read = view.attr("maintenance_configuration_id")
    where = read.location if read is not None else view.loc
    identity = read.value if read is not None else None
    configuration = _resource_view(instance, identity, CONFIGURATION_TYPE, instances)
    if configuration is None:
        reason = Unknown("the assigned maintenance configuration is not in the input", where)
        return Fact(reason, where, SOURCE_UNKNOWN)
    windows = configuration.blocks("window")
    window = windows[0] if isinstance(windows, list) and windows else None
    values = {name: _value(window, argument) for name, argument in WINDOW_FIELDS.items()}
    if isinstance(windows, Unknown):
        values = dict.fromkeys(WINDOW_FIELDS, windows)
    positions = [(name, _where(window, argument)) for name, argument in WINDOW_FIELDS.items()]
    positions += [(name, _where(configuration, name)) for name in ("scope", "patch_mode")]
    name = _value(configuration, "name")
    schedule = MaintenanceSchedule(
        name=name if isinstance(name, str) else str(identity),
        scope=_value(configuration, "scope"),
        location=configuration.loc,
        assignment=view.loc,
        dynamic=dynamic,
        patch_mode=_patch_mode(configuration),
        positions=tuple((field, where) for field, where in positions if where is not None),
        **values,
    )
    return Fact(schedule, where, SOURCE_EVALUATED, (str(identity),))


def _patch_mode(configuration: HclView) -> Any:
    """``in_guest_user_patch_mode``, else the ``properties`` map's InGuestPatchMode: the
    provider sends either as extensionProperties.InGuestPatchMode
    (internal/services/maintenance/maintenance_configuration_resource.go)."""
    mode = _value(configuration, "in_guest_user_patch_mode")
    if mode is not None:
        return mode
    properties = _value(configuration, "properties")
    if isinstance(properties, dict):
        return properties.get("InGuestPatchMode")
    return properties  # Unknown, or None when absent


def _where(view: HclView | None, argument: str):
    """The argument's position; the block's when the argument is absent."""
    if view is None:
        return None
    if argument == "patch_mode":
        argument = "in_guest_user_patch_mode"
    read = view.attr(argument)
    return view.loc if read is None else read.location


def _value(view: HclView | None, argument: str) -> Any:
    if view is None:
        return None
    read = view.attr(argument)
    return None if read is None else read.value


def _resource_view(instance, address: Any, resource_type: str, instances: list) -> HclView | None:
    """The view of the resource instance an id (its address, as evaluated) designates: in the
    module the address names, else in the referring module or the nearest caller that declares
    it (an id passed down into a module through a variable)."""
    if not isinstance(address, str):
        return None
    match = re.match(_ADDRESS, address.removesuffix(".id"))
    if match is None or match.group(2) != resource_type:
        return None
    module, name, key = match.group(1), match.group(3), _key(match.group(4))
    if module is not None:
        holders = [other for other in instances if other.address == module]
    else:
        holders = list(_callers(instance))
    for holder in holders:
        block = holder.config.resources.get((resource_type, name))
        if block is None:
            continue
        expansion = holder.resource_expansion(resource_type, name)
        if (key is None) != (expansion.kind == "single"):
            return None
        return HclView(block.body, block.loc, holder, expansion.scope(key))
    return None


def _callers(instance):
    while instance is not None:
        yield instance
        instance = instance.parent


def _key(text: str | None) -> Any:
    if text is None:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None
