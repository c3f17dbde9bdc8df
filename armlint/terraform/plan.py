"""``terraform show -json`` plans to ``VmRecord`` s.

A plan holds the exact values Terraform will send: ``resource_changes[].change.after``, with
``after_unknown`` marking what is known only after apply. The same azurerm mapping as for
configuration files is used (``extract`` through ``views.PlanView``); positions come from
armlint's position-keeping JSON reader, so a finding points at the attribute in the plan file.
``change.before`` becomes ``record.before`` for before/after comparisons.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

from armlint.arm import jsonpos
from armlint.arm.kinds import is_plan
from armlint.fileio import DEFAULT_CAP, read_regular
from armlint.model import Fact, FileReport, LoadResult, Location, Unknown, VmRecord, pack_finding
from armlint.terraform.azapi import AzapiNode, build_azapi_record, compute_kind
from armlint.terraform.extract import VM_TYPES, RecordContext, build_record
from armlint.terraform.providers import resolve as resolve_pin
from armlint.terraform.relations import (
    DYNAMIC_SCOPE,
    EXTENSION_RESOURCES,
    MAINTENANCE_RESOURCES,
    MatchAll,
    Relation,
    Relations,
    is_health_type,
)
from armlint.terraform.views import PlanView

TRAILING_INDEX = re.compile(r"\[[^\[\]]*\]$")
ALL_INDEXES = re.compile(r"\[[^\[\]]*\]")


def load_plan(path: Path) -> LoadResult:
    result = LoadResult()
    data = _read(path, result)
    if data is None:
        return result
    if not is_plan(data):
        reason = "not a `terraform show -json` plan (no format_version with resource_changes)"
        result.files.append(FileReport(str(path), "plan", "error", reason))
        _parse_error(result, path, reason, 1, 1)
        return result
    changes = _changes(data)
    constraint = _azurerm_constraint(data)
    relations = Relations(_relations(changes, data))
    positions = _positions(changes)
    for change in changes:
        record = _change_record(change, positions, constraint, relations)
        if record is not None:
            result.records.append(record)
    result.files.append(FileReport(str(path), "plan"))
    return result


def _read(path: Path, result: LoadResult) -> Any:
    try:
        text = jsonpos.decode_bytes(read_regular(path, DEFAULT_CAP))
        data, _ = jsonpos.parse(text, str(path))
        return data
    except jsonpos.JsonError as error:
        src = jsonpos.SourceText(str(path), text)
        line, column = src.line_col(error.offset)
        reason = error.message
    except UnicodeDecodeError as error:
        line, column, reason = 1, 1, f"the file is not UTF-8 text (byte {error.start})"
    except OSError as error:
        line, column, reason = 1, 1, f"cannot read the file: {error.strerror or error}"
    result.files.append(FileReport(str(path), "plan", "error", reason))
    _parse_error(result, path, reason, line, column)
    return None


def _parse_error(result: LoadResult, path: Path, message: str, line: int, column: int) -> None:
    result.findings.append(
        pack_finding(
            "AZP001", f"cannot parse {path.name}: {message}", Location(str(path), line, column)
        )
    )


# --- changes -------------------------------------------------------------------------------


class _Change:
    """One managed resource of the plan, from ``resource_changes`` (or ``planned_values``)."""

    __slots__ = ("item", "address", "rtype", "index", "actions", "after", "after_unknown", "before")

    def __init__(
        self, item: dict, after: Any, after_unknown: Any, before: Any, actions: list
    ) -> None:
        self.item = item
        self.address = item.get("address", "")
        self.rtype = item.get("type", "")
        self.index = item.get("index")
        self.actions = actions
        self.after = after
        self.after_unknown = after_unknown if after_unknown is not None else {}
        self.before = before

    @property
    def group(self) -> str:
        return TRAILING_INDEX.sub("", self.address) if "index" in self.item else ""

    @property
    def module_address(self) -> str:
        return self.item.get("module_address", "")

    def view(self) -> PlanView | None:
        if not isinstance(self.after, dict):
            return None
        return PlanView(self.after, self.after_unknown, _loc(self.after, self.item))


def _changes(data: dict) -> list[_Change]:
    changes = []
    for item in data.get("resource_changes") or []:
        if not isinstance(item, dict) or item.get("mode", "managed") != "managed":
            continue
        change = item.get("change") or {}
        changes.append(
            _Change(
                item,
                change.get("after"),
                change.get("after_unknown"),
                change.get("before"),
                list(change.get("actions") or []),
            )
        )
    if changes or "resource_changes" in data:
        return changes
    return [_Change(item, item.get("values"), {}, None, []) for item in _planned_resources(data)]


def _planned_resources(data: dict) -> list[dict]:
    """``planned_values`` alone (no resource_changes): every module's resources, flattened."""
    found: list[dict] = []
    stack = [((data.get("planned_values") or {}).get("root_module") or {})]
    while stack:
        module = stack.pop()
        found.extend(
            r for r in module.get("resources") or [] if r.get("mode", "managed") == "managed"
        )
        stack.extend(module.get("child_modules") or [])
    return found


def _positions(changes: list[_Change]) -> dict[str, int]:
    """for_each instances get their position within the group as ``record.index``."""
    positions: dict[str, int] = {}
    counters: dict[str, int] = {}
    for change in changes:
        group = change.group
        if group:
            positions[change.address] = counters.get(group, 0)
            counters[group] = positions[change.address] + 1
    return positions


def _change_record(change: _Change, positions, constraint, relations) -> VmRecord | None:
    view = change.view()
    if view is None:
        return None  # deleted: nothing will exist after apply
    index = change.index if isinstance(change.index, int) else positions.get(change.address)
    # As for configuration records: the address without the instance key, index completes it.
    address = change.group or change.address
    context = RecordContext(
        "plan",
        address,
        change.group,
        index,
        _name(change.after),
        constraint,
        relations,
        _change_details(change),
        instance_address=change.address,
    )
    record = _record(view, change, context)
    if record is not None and record.resource_type in VM_TYPES:
        # The configuration's constraint chose the provider; plan JSON carries no lock version.
        resolve_pin(constraint, None).apply(record)
    if record is not None and isinstance(change.before, dict):
        before_view = PlanView(change.before, {}, _loc(change.before, change.item))
        before_context = RecordContext(
            "plan",
            address,
            change.group,
            index,
            _name(change.before),
            constraint,
            details=dict(_instance_key(change)),
            instance_address=change.address,
        )
        record.before = _record(before_view, change, before_context)
    return record


def _change_details(change: _Change) -> dict:
    details: dict = {"actions": list(change.actions), **_instance_key(change)}
    replace_paths = (change.item.get("change") or {}).get("replace_paths")
    if replace_paths:
        details["replace_paths"] = list(replace_paths)  # what forces the replacement
    return details


def _instance_key(change: _Change) -> dict:
    """The count index or for_each key, when the resource has one."""
    return {"instance_key": change.index} if change.group and change.index is not None else {}


def _record(view: PlanView, change: _Change, context: RecordContext) -> VmRecord | None:
    if change.rtype in VM_TYPES:
        return build_record(view, change.rtype, context)
    if change.rtype != "azapi_resource":
        return None
    type_read = view.attr("type")
    if type_read is None or compute_kind(type_read.value) is None:
        return None
    return build_azapi_record(view, type_read, _body_cursor(view), context)


def _body_cursor(view: PlanView) -> AzapiNode | None:
    read = view.attr("body")
    if read is None:
        return None
    value = read.value
    if isinstance(value, str):
        value = _decode(value)
    elif isinstance(value, dict) and isinstance(view.unknown, dict):
        value = _overlay_unknown(value, view.unknown.get("body"))
    return AzapiNode(value, read.location, read.source, read.trace)


def _decode(text: str) -> Any:
    try:
        data, _ = jsonpos.parse(text, "<body>")
        return data
    except jsonpos.JsonError:
        return Unknown("the body string is not JSON")


def _overlay_unknown(value: Any, unknown: Any) -> Any:
    """A copy of ``value`` with Unknown where ``after_unknown`` marks a value (known after apply)."""
    if unknown is True:
        return Unknown("known after apply")
    if isinstance(value, dict) and isinstance(unknown, dict):
        result = copy.copy(value)
        for key, marker in unknown.items():
            if marker is True or key in value:
                result[key] = _overlay_unknown(value.get(key), marker)
        return result
    if isinstance(value, list) and isinstance(unknown, list):
        items = copy.copy(value)
        for position, marker in enumerate(unknown[: len(value)]):
            items[position] = _overlay_unknown(value[position], marker)
        return items
    return value


def _name(values: Any) -> str:
    if isinstance(values, dict) and isinstance(values.get("name"), str):
        return values["name"]
    return ""


def _loc(values: Any, fallback: Any) -> Location:
    for candidate in (values, fallback):
        locate = getattr(candidate, "location", None)
        if callable(locate):
            return locate()
    return Location("<plan>", 1, 1)


def _azurerm_constraint(data: dict) -> str | None:
    providers = (data.get("configuration") or {}).get("provider_config") or {}
    for key, provider in providers.items():
        if key.split(".")[-1] == "azurerm" and isinstance(provider, dict):
            constraint = provider.get("version_constraint")
            if constraint:
                return constraint
    return None


# --- relations -----------------------------------------------------------------------------


def _relations(changes: list[_Change], data: dict) -> list[Relation]:
    vm_ids = _vm_ids(changes)
    references = _config_references(data)
    relations: list[Relation] = []
    for change in changes:
        view = change.view()
        if view is None:
            continue
        if change.rtype in EXTENSION_RESOURCES:
            target = _target(change, view, EXTENSION_RESOURCES[change.rtype], vm_ids, references)
            type_read = view.attr("type") or Fact(None, view.loc, "default")
            relations.append(
                Relation(
                    "health", target, is_health_type(type_read.value), type_read, change.address
                )
            )
        elif change.rtype in MAINTENANCE_RESOURCES:
            attribute = MAINTENANCE_RESOURCES[change.rtype]
            target = _target(change, view, attribute, vm_ids, references)
            read = view.attr(attribute) or Fact(None, view.loc, "default")
            relations.append(Relation("maintenance", target, True, read, change.address))
        elif change.rtype == DYNAMIC_SCOPE:
            filters = view.blocks("filter")
            scope = filters[0] if isinstance(filters, list) and filters else MatchAll(view.loc)
            relations.append(
                Relation(
                    "maintenance",
                    None,
                    True,
                    Fact(True, view.loc, "literal"),
                    change.address,
                    scope,
                )
            )
    return relations


def _vm_ids(changes: list[_Change]) -> dict[str, str]:
    """Known ids of existing VMs (updates), to match targets that are plain id strings."""
    ids = {}
    for change in changes:
        is_vm = change.rtype in VM_TYPES or change.rtype == "azapi_resource"
        if is_vm and isinstance(change.after, dict) and isinstance(change.after.get("id"), str):
            ids[change.after["id"].lower()] = change.address
    return ids


def _target(change: _Change, view: PlanView, attribute: str, vm_ids: dict, references: dict) -> Any:
    read = view.attr(attribute)
    if read is not None and isinstance(read.value, str):
        return vm_ids.get(read.value.lower(), read.value)
    refs = references.get(ALL_INDEXES.sub("", change.address), {}).get(attribute, [])
    for ref in refs:
        target = _reference_target(ref, change)
        if target is not None:
            return target
    return Unknown(f"{change.address}.{attribute} is known after apply")


def _reference_target(ref: str, change: _Change) -> str | None:
    """``azurerm_linux_virtual_machine.vm[0].id`` -> the VM's full address."""
    parts = ref.split(".")
    if len(parts) < 2 or (parts[0] not in VM_TYPES and parts[0] != "azapi_resource"):
        return None
    address = ".".join(parts[:2])
    prefix = change.module_address + "." if change.module_address else ""
    if "[" not in address and change.index is not None:
        # vm[count.index]: Terraform lists the resource and count.index; same index as the extension.
        address += f"[{change.index}]" if isinstance(change.index, int) else f'["{change.index}"]'
    return prefix + address


def _config_references(data: dict) -> dict[str, dict[str, list[str]]]:
    """Resource address (no instance keys) -> argument -> references, from ``configuration``."""
    found: dict = {}
    root = (data.get("configuration") or {}).get("root_module") or {}
    stack = [("", root)]
    while stack:
        module_address, module = stack.pop()
        prefix = module_address + "." if module_address else ""
        for resource in module.get("resources") or []:
            expressions = resource.get("expressions") or {}
            refs = {
                name: list(expr.get("references") or [])
                for name, expr in expressions.items()
                if isinstance(expr, dict)
            }
            found[prefix + resource.get("address", "")] = refs
        for name, call in (module.get("module_calls") or {}).items():
            stack.append((f"{prefix}module.{name}", call.get("module") or {}))
    return found
