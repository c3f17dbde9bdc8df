"""An exported live VM (``az vm show`` JSON or a REST GET body) as the "before" of a diff.

The body has the shape of a template resource with every value already literal, so the ARM
record builder reads it unchanged, over the scope of an empty template. Three shapes occur:
one VM object, a list of them (``az vm list``), and ``{"value": [...]}`` (a REST list). The
Azure CLI flattens ``properties`` (``osProfile`` sits beside ``name``); the REST API does not.
Both are accepted. The record's identity is the template's: canonical type + name.
"""

from __future__ import annotations

from pathlib import Path

from armlint.arm.extract import RecordBuilder, SiblingIndex, is_vm_type, new_record
from armlint.arm.jsonpos import JsonArray, JsonObject, SourceText, get_ci
from armlint.arm.loader import JsonDocument
from armlint.arm.template import FileContext, TemplateScope
from armlint.model import Location, VmRecord

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

# Properties that only the flattened CLI output has at the top level of a VM object.
FLATTENED_KEYS = ("osProfile", "storageProfile", "virtualMachineProfile", "hardwareProfile")
CANONICAL_TYPES = {
    "vm": "Microsoft.Compute/virtualMachines",
    "vmss": "Microsoft.Compute/virtualMachineScaleSets",
}


def looks_like_export(value: Any) -> bool:
    """True when the JSON holds at least one exported VM or scale set."""
    return any(True for _ in _vm_objects(value))


def records_from_export(document: JsonDocument | Any, path: str = "") -> list[VmRecord]:
    """One record per exported VM or scale set in the document.

    ``document`` is a ``JsonDocument`` (positions kept, so findings and messages can point at
    lines of the export) or an already parsed value, then ``path`` names it.
    """
    if isinstance(document, JsonDocument):
        if document.src is None:
            return []  # not read: the loader reports why
        value, src, shown = document.value, document.src, str(document.path)
    else:
        shown = path or "<export>"
        value, src = document, _source_of(document, shown)
    records = []
    for obj, kind in _vm_objects(value):
        records.append(_record(obj, kind, src, shown))
    return records


def _source_of(value: Any, shown: str) -> SourceText:
    if isinstance(value, JsonObject | JsonArray) and getattr(value, "src", None) is not None:
        return value.src
    return SourceText(shown, "")


def _vm_objects(value: Any):
    """(object, 'vm'|'vmss') for each exported VM: one object, a list, or a ``value`` list."""
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        _, listed = get_ci(value, "value")
        items = listed if isinstance(listed, list) and "id" not in value else [value]
    else:
        return
    for item in items:
        kind = _kind_of(item) if isinstance(item, dict) else None
        if kind is not None:
            yield item, kind


def _kind_of(obj: dict) -> str | None:
    """'vm' or 'vmss' from ``type``, or from the id when ``type`` is missing (some CLI output)."""
    _, declared = get_ci(obj, "type")
    if isinstance(declared, str):
        return is_vm_type(declared)
    _, identifier = get_ci(obj, "id")
    if not isinstance(identifier, str):
        return None
    lowered = identifier.lower()
    if "/providers/microsoft.compute/virtualmachinescalesets/" in lowered:
        return None if "/virtualmachines/" in lowered.split("scalesets/", 1)[1] else "vmss"
    if "/providers/microsoft.compute/virtualmachines/" in lowered:
        return "vm"
    return None


def _record(obj: dict, kind: str, src: SourceText, shown: str) -> VmRecord:
    resource = _with_properties(obj)
    start = obj.location() if isinstance(obj, JsonObject) else Location(shown, 1, 1)
    # The values are literal; the scope only answers for strings that look like expressions.
    scope = TemplateScope(template={}, src=src, given={}, context=FileContext())
    builder = RecordBuilder(resource, scope, kind, start)
    name = _name_of(obj)
    record = new_record(builder, shown, name, CANONICAL_TYPES[kind])
    # No sibling resources: an export lists neither extensions nor maintenance assignments
    # reliably, and the transition rules do not use them.
    record.facts = builder.facts(SiblingIndex())
    record.address = f"{record.resource_type}/{record.name}"
    _, identifier = get_ci(obj, "id")
    record.exported = True
    if isinstance(identifier, str):
        record.resource_id = identifier
    return record


def _name_of(obj: dict) -> Any:
    _, name = get_ci(obj, "name")
    if isinstance(name, str):
        return name
    _, identifier = get_ci(obj, "id")
    if isinstance(identifier, str):
        return identifier.rstrip("/").rsplit("/", 1)[-1]
    return None


def _with_properties(obj: dict) -> dict:
    """The flattened CLI shape seen as a resource with ``properties`` (positions kept)."""
    _, properties = get_ci(obj, "properties")
    if isinstance(properties, dict) or not any(get_ci(obj, k)[0] for k in FLATTENED_KEYS):
        return obj
    if not isinstance(obj, JsonObject):
        return {**obj, "properties": obj}
    wrapper = JsonObject(obj)
    wrapper["properties"] = obj
    wrapper.src, wrapper.span, wrapper.key_spans = obj.src, obj.span, obj.key_spans
    wrapper.value_spans = {**obj.value_spans, "properties": obj.span}
    return wrapper


def load_export(path: Path) -> list[VmRecord]:
    """Read one export file; an unreadable file gives no records (the loader reports it)."""
    from armlint.arm.loader import read_json

    document = read_json(path)
    return records_from_export(document) if document.ok else []


__all__ = ["load_export", "looks_like_export", "records_from_export"]
