"""Which tool wrote an export file, and the resources in it, in the exact shapes the tools print.

Users export their estate without giving armlint credentials. The shapes (sources cited in
tests/fixtures/live/README.md):

- ``az vm list`` / ``az vmss list``: a JSON array; ``az vm show`` (``-d`` adds ``powerState``,
  ``publicIps``, ...): one object. The CLI flattens ``properties`` (``osProfile`` beside
  ``name``), prints every unset property as ``null`` and spells ``provisionVmAgent`` where the
  REST API says ``provisionVMAgent`` (property names are matched case-insensitively, as ARM does).
- Azure Resource Graph: ``az graph query`` prints ``{"count", "data", "skip_token",
  "total_records"}``; the REST ``QueryResponse`` has ``totalRecords``, ``$skipToken`` and
  ``resultTruncated``; older CLI versions print the rows as a plain array. Rows keep
  ``properties`` and a lower-case ``type``.
- A REST list: ``{"value": [...], "nextLink": ...}``.
- ``Get-AzVM | ConvertTo-Json``: PascalCase (``OSProfile``, ``StorageProfile``), the availability
  set under ``AvailabilitySetReference`` and ``OsType`` as the enum's number (0 Windows, 1 Linux)
  unless ``-EnumsAsStrings`` was given.
- ``az maintenance assignment list`` / ``configuration list``: flattened ``resourceId``,
  ``maintenanceConfigurationId``, ``maintenanceScope``.

Nothing here evaluates anything: it finds objects and names the shape.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from armlint.arm.jsonpos import JsonObject, get_ci

VM_TYPE = "microsoft.compute/virtualmachines"
VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
ASSIGNMENT_TYPE = "microsoft.maintenance/configurationassignments"
CONFIGURATION_TYPE = "microsoft.maintenance/maintenanceconfigurations"

SHAPE_CLI = "az vm list/show"
SHAPE_CLI_VMSS = "az vmss list/show"
SHAPE_GRAPH = "Azure Resource Graph"
SHAPE_REST = "REST list"
SHAPE_POWERSHELL = "Get-AzVM | ConvertTo-Json"
SHAPE_MAINTENANCE = "az maintenance list"

# Keys the PowerShell objects have and the CLI and REST shapes do not (PSVirtualMachine.cs).
POWERSHELL_KEYS = (
    "ResourceGroupName",
    "AvailabilitySetReference",
    "VmId",
    "FullyQualifiedDomainName",
)
GRAPH_PAGE_KEYS = ("skip_token", "$skipToken", "skipToken", "total_records", "totalRecords")


@dataclass
class Item:
    """One resource of an export: 'vm', 'vmss', 'assignment' or 'configuration'."""

    kind: str
    obj: dict


@dataclass
class Export:
    """What one export file holds."""

    shape: str
    items: list[Item] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def of_kind(self, *kinds: str) -> list[Item]:
        return [item for item in self.items if item.kind in kinds]


def read_shape(value: Any, shown: str) -> Export | None:
    """The export in ``value``, or None when it is not an export of VMs or maintenance."""
    container, rows, notes = _rows(value, shown)
    items = [item for item in (_item(row) for row in rows) if item is not None]
    if not items:
        return None
    return Export(_shape_name(container, items), items, notes)


def looks_like_live(value: Any) -> bool:
    """True when the JSON is an export of VMs, scale sets or maintenance resources."""
    _, rows, _ = _rows(value, "")
    return any(_item(row) is not None for row in rows)


def _rows(value: Any, shown: str) -> tuple[str, list, list[str]]:
    """('array'|'graph'|'rest'|'object', rows, paging notes)."""
    if isinstance(value, list):
        return "array", value, []
    if not isinstance(value, dict):
        return "none", [], []
    _, data = get_ci(value, "data")
    if isinstance(data, list) and get_ci(value, "id")[0] is None:
        return "graph", data, _graph_notes(value, len(data), shown)
    _, listed = get_ci(value, "value")
    if isinstance(listed, list) and get_ci(value, "id")[0] is None:
        _, next_link = get_ci(value, "nextLink")
        notes = [_more_pages(shown, "nextLink")] if isinstance(next_link, str) else []
        return "rest", listed, notes
    return "object", [value], []


def _graph_notes(value: dict, count: int, shown: str) -> list[str]:
    """A page of a longer Resource Graph result says so: its other pages are not in this file."""
    for key in GRAPH_PAGE_KEYS[:3]:
        _, token = get_ci(value, key)
        if isinstance(token, str) and token:
            return [_more_pages(shown, key)]
    for key in GRAPH_PAGE_KEYS[3:]:
        _, total = get_ci(value, key)
        if isinstance(total, int) and not isinstance(total, bool) and total > count:
            return [_more_pages(shown, f"{key} {total} > {count} rows")]
    return []


def _more_pages(shown: str, marker: str) -> str:
    return (
        f"{shown}: one page of a longer result ({marker}); resources on the other pages are"
        " not in this file, so give every page"
    )


def _item(row: Any) -> Item | None:
    if not isinstance(row, dict):
        return None
    kind = _kind_of(row)
    return Item(kind, row) if kind is not None else None


def _kind_of(row: dict) -> str | None:
    """From ``type`` (any case), else from the resource id (some CLI output has no type)."""
    _, declared = get_ci(row, "type")
    if isinstance(declared, str):
        return _KINDS.get(declared.lower())
    _, identifier = get_ci(row, "id")
    if not isinstance(identifier, str):
        return None
    lowered = identifier.lower()
    if "/providers/microsoft.compute/virtualmachinescalesets/" in lowered:
        tail = lowered.split("virtualmachinescalesets/", 1)[1]
        return None if "/" in tail.strip("/") else "vmss"
    if "/providers/microsoft.compute/virtualmachines/" in lowered:
        tail = lowered.split("virtualmachines/", 1)[1]
        return None if "/" in tail.strip("/") else "vm"
    return None


_KINDS = {
    VM_TYPE: "vm",
    VMSS_TYPE: "vmss",
    ASSIGNMENT_TYPE: "assignment",
    CONFIGURATION_TYPE: "configuration",
}


def _shape_name(container: str, items: list[Item]) -> str:
    if container == "graph":
        return SHAPE_GRAPH
    if container == "rest":
        return SHAPE_REST
    first = items[0]
    if first.kind in ("assignment", "configuration"):
        return SHAPE_MAINTENANCE
    if is_powershell(first.obj):
        return SHAPE_POWERSHELL
    if get_ci(first.obj, "properties")[0] is not None:
        # An ARM-shaped body: Resource Graph rows printed as an array, or a REST GET.
        return SHAPE_GRAPH if get_ci(first.obj, "resourceGroup")[0] else SHAPE_REST
    return SHAPE_CLI_VMSS if first.kind == "vmss" else SHAPE_CLI


def is_powershell(obj: dict) -> bool:
    """PascalCase keys only PowerShell's PSVirtualMachine prints (exact case)."""
    return any(key in obj for key in POWERSHELL_KEYS)


def iter_dicts(value: Any) -> Iterator[dict]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def text_of(obj: dict, key: str) -> str | None:
    _, value = get_ci(obj, key)
    return value if isinstance(value, str) else None


def resource_group_of(resource_id: str | None) -> str | None:
    """The resource group named in an ARM resource id (compared case-insensitively)."""
    if not resource_id:
        return None
    parts = resource_id.strip("/").split("/")
    for index, part in enumerate(parts[:-1]):
        if part.lower() == "resourcegroups":
            return parts[index + 1]
    return None


def is_positioned(obj: Any) -> bool:
    return isinstance(obj, JsonObject)


__all__ = [
    "Export",
    "Item",
    "is_powershell",
    "looks_like_live",
    "read_shape",
    "resource_group_of",
]
