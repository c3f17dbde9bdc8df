"""Exported live VMs as records, checked by the same rules as template VMs.

Each VM object goes through the ARM record builder unchanged (``arm.export``), after the
PowerShell spellings that differ by more than case are put back to the REST API's. The record's
identity is the resource id; its position is the object's line and column in the export file.
What an export cannot say is unknown, never a guess: a VM list does not say whether a
maintenance assignment targets a VM unless an ``az maintenance assignment list`` export is
read with it, and ``az vm list`` does not list extensions.
"""

from __future__ import annotations

from typing import Any

from armlint.arm.export import records_from_export
from armlint.arm.jsonpos import JsonObject, get_ci
from armlint.compute.schema import HEALTH_EXTENSION_TYPES
from armlint.live.shapes import (
    SHAPE_POWERSHELL,
    Export,
    Item,
    is_powershell,
    read_shape,
    resource_group_of,
    text_of,
)
from armlint.model import (
    SOURCE_EVALUATED,
    SOURCE_UNKNOWN,
    Fact,
    FileReport,
    LoadResult,
    Location,
    Unknown,
    VmRecord,
)

LIVE_FORMAT = "live"
# Rules that read the template's apiVersion: a live VM has none (Azure answers with the
# api-version the client asked for, which says nothing about the template).
TEMPLATE_RULES = ("AZP301", "AZP302", "AZP303")
TEMPLATE_RULES_NOTE = (
    "live exports: AZP301, AZP302 and AZP303 need a template's apiVersion and allowedValues"
    " exploration needs its parameters; neither applies to exported VMs, so they were skipped"
)
IN_GUEST_PATCH = "inguestpatch"
# ConvertTo-Json writes enums as numbers unless -EnumsAsStrings (OperatingSystemTypes order).
POWERSHELL_OS_TYPES = {0: "Windows", 1: "Linux"}


def load_exports(documents: list) -> LoadResult:
    """Records for every VM and scale set in the export documents read together (one folder).

    Maintenance assignments and configurations in any of them apply to the VMs of all of them.
    """
    result = LoadResult()
    exports: list[tuple[Any, Export]] = []
    for document in documents:
        shown = str(document.path)
        export = read_shape(document.value, shown)
        if export is None:
            result.files.append(FileReport(shown, "live-export", "skipped", "no VMs found"))
            continue
        exports.append((document, export))
        result.notes.extend(export.notes)
    maintenance = MaintenanceIndex(exports)
    for document, export in exports:
        records = [_record(item, export, str(document.path), maintenance) for item in export.items]
        records = [record for record in records if record is not None]
        result.records.extend(records)
        result.files.append(
            FileReport(str(document.path), "live-export", "linted", _summary(export))
        )
    if result.records:
        result.notes.append(TEMPLATE_RULES_NOTE)
    return result


def _summary(export: Export) -> str:
    counts = []
    for kind, label in (
        ("vm", "VMs"),
        ("vmss", "scale sets"),
        ("assignment", "maintenance assignments"),
        ("configuration", "maintenance configurations"),
    ):
        number = len(export.of_kind(kind))
        if number:
            counts.append(f"{number} {label}")
    return f"{export.shape}: {', '.join(counts)}"


def _record(item: Item, export: Export, shown: str, maintenance: MaintenanceIndex):
    if item.kind not in ("vm", "vmss"):
        return None
    body = (
        rest_spelling(item.obj)
        if export.shape == SHAPE_POWERSHELL or is_powershell(item.obj)
        else item.obj
    )
    found = records_from_export(body, shown)
    if not found:
        return None
    record = found[0]
    identifier = text_of(item.obj, "id")
    record.format = LIVE_FORMAT
    record.live_shape = export.shape
    if identifier:
        record.address = identifier
        group = text_of(item.obj, "resourceGroup") or text_of(item.obj, "ResourceGroupName")
        record.resource_group = group or resource_group_of(identifier) or ""
        record.resource_id = record.resource_id or identifier
    record.facts["maintenance_assignment"] = maintenance.fact_for(record)
    health = record.facts.get("health_extension")
    if health is None or health.value is not True:
        record.facts["health_extension"] = _health_fact(item, record)
    return record


# -- PowerShell spellings ---------------------------------------------------------------------


def rest_spelling(obj: dict) -> dict:
    """A Get-AzVM object with the REST API's property names where they differ by more than case.

    ``AvailabilitySetReference`` is ``availabilitySet``; ``OsType`` 0/1 is 'Windows'/'Linux'.
    Positions are kept, so findings still point into the export file.
    """
    renamed = _with_key(obj, "AvailabilitySetReference", "availabilitySet")
    _, storage = get_ci(renamed, "StorageProfile")
    _, os_disk = get_ci(storage, "OsDisk") if isinstance(storage, dict) else (None, None)
    if isinstance(os_disk, dict):
        key, os_type = get_ci(os_disk, "OsType")
        if isinstance(os_type, int) and os_type in POWERSHELL_OS_TYPES:
            disk = _replaced(os_disk, key, POWERSHELL_OS_TYPES[os_type])
            storage = _replaced(storage, get_ci(storage, "OsDisk")[0], disk)
            renamed = _replaced(renamed, get_ci(renamed, "StorageProfile")[0], storage)
    return renamed


def _with_key(obj: dict, old: str, new: str) -> dict:
    if old not in obj:
        return obj
    copy = _replaced(obj, new, obj[old])
    if isinstance(obj, JsonObject) and isinstance(copy, JsonObject):
        copy.key_spans = {**obj.key_spans, new: obj.key_spans[old]}
        copy.value_spans = {**obj.value_spans, new: obj.value_spans[old]}
    return copy


def _replaced(obj: dict, key: str, value: Any) -> dict:
    """A shallow copy with one value replaced; the copy keeps the original's positions."""
    if not isinstance(obj, JsonObject):
        return {**obj, key: value}
    copy = JsonObject(obj)
    copy[key] = value
    copy.src, copy.span = obj.src, obj.span
    copy.key_spans, copy.value_spans = obj.key_spans, obj.value_spans
    return copy


# -- what the export says beside the VM -------------------------------------------------------


class MaintenanceIndex:
    """Maintenance assignments (by target resource id) and configurations (by id) of the exports."""

    def __init__(self, exports: list[tuple[Any, Export]]) -> None:
        self.listed = False  # an assignment export was read at all
        self.assignments: dict[str, tuple[dict, str]] = {}
        self.configurations: dict[str, dict] = {}
        for document, export in exports:
            for item in export.of_kind("assignment"):
                self.listed = True
                target = _property_text(item.obj, "resourceId")
                if target:
                    self.assignments.setdefault(target.lower(), (item.obj, str(document.path)))
            for item in export.of_kind("configuration"):
                identifier = text_of(item.obj, "id")
                if identifier:
                    self.configurations[identifier.lower()] = item.obj

    def fact_for(self, record: VmRecord) -> Fact:
        identifier = record.resource_id or None
        if not self.listed:
            reason = Unknown(
                "the exports list no maintenance assignments (add the output of"
                " `az maintenance assignment list`)"
            )
            return Fact(reason, record.location, SOURCE_UNKNOWN)
        found = self.assignments.get(str(identifier).lower()) if identifier else None
        if found is None:
            return Fact(
                False,
                record.location,
                SOURCE_EVALUATED,
                ("no maintenance assignment in the exports",),
            )
        assignment, path = found
        where = _located(assignment, "resourceId", path)
        configuration_id = _property_text(assignment, "maintenanceConfigurationId") or ""
        configuration = self.configurations.get(configuration_id.lower())
        scope = _property_text(configuration, "maintenanceScope") if configuration else None
        if scope is not None and scope.lower() != IN_GUEST_PATCH:
            trace = (
                f"assigned to {configuration_id.rsplit('/', 1)[-1]}, scope {scope}, not InGuestPatch",
            )
            return Fact(False, where, SOURCE_EVALUATED, trace)
        name = configuration_id.rsplit("/", 1)[-1] or "a maintenance configuration"
        return Fact(True, where, SOURCE_EVALUATED, (f"assigned to {name} at {where.short()}",))


def _property_text(obj: dict | None, key: str) -> str | None:
    """A property flattened by the CLI, or under ``properties`` (REST, Resource Graph)."""
    if not isinstance(obj, dict):
        return None
    found = text_of(obj, key)
    if found is not None:
        return found
    _, properties = get_ci(obj, "properties")
    return text_of(properties, key) if isinstance(properties, dict) else None


def _located(obj: dict, key: str, path: str) -> Location:
    if isinstance(obj, JsonObject):
        actual, _ = get_ci(obj, key)
        if actual is not None and actual in obj.value_spans:
            return obj.value_location(actual)
        return obj.location()
    return Location(path, 1, 1)


def _health_fact(item: Item, record: VmRecord) -> Fact:
    """An application health extension among the extensions the export lists, when it lists them.

    The CLI flattens an extension's ``properties.type`` to ``typePropertiesType``; PowerShell
    prints ``VirtualMachineExtensionType`` under ``Extensions``; REST keeps ``properties.type``.
    """
    extensions = _extension_list(item)
    if not isinstance(extensions, list):
        reason = Unknown("the export does not list the VM's extensions")
        return Fact(reason, record.location, SOURCE_UNKNOWN)
    for extension in extensions:
        if isinstance(extension, dict) and _extension_type(extension) in HEALTH_EXTENSION_TYPES:
            where = extension.location() if isinstance(extension, JsonObject) else record.location
            return Fact(
                True, where, SOURCE_EVALUATED, ("application health extension in the export",)
            )
    return Fact(
        False, record.location, SOURCE_EVALUATED, ("no application health extension in the export",)
    )


def _extension_list(item: Item) -> Any:
    if item.kind == "vmss":
        profile = _profile(item.obj, "virtualMachineProfile")
        extension_profile = _child(profile, "extensionProfile")
        return _child(extension_profile, "extensions")
    for key in ("resources", "Extensions"):
        actual, value = get_ci(item.obj, key)
        if actual is not None and value is not None:
            return value
    return None


def _profile(obj: dict, key: str) -> Any:
    found = _child(obj, key)
    return found if found is not None else _child(_child(obj, "properties"), key)


def _child(obj: Any, key: str) -> Any:
    return get_ci(obj, key)[1] if isinstance(obj, dict) else None


def _extension_type(extension: dict) -> str:
    for key in ("typePropertiesType", "VirtualMachineExtensionType"):
        found = text_of(extension, key)
        if found:
            return found.lower()
    found = _child(_child(extension, "properties"), "type")
    return found.lower() if isinstance(found, str) else ""


def without_template_rules(findings: list, records: list[VmRecord]) -> list:
    """Drop the template-context rules' findings on live records (see TEMPLATE_RULES)."""
    live = {(record.path, record.identity) for record in records if record.format == LIVE_FORMAT}
    if not live:
        return findings
    return [
        finding
        for finding in findings
        if not (
            finding.rule in TEMPLATE_RULES and (finding.location.path, finding.resource) in live
        )
    ]


__all__ = [
    "LIVE_FORMAT",
    "TEMPLATE_RULES",
    "load_exports",
    "rest_spelling",
    "without_template_rules",
]
