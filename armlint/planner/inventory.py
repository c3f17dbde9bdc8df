"""The posture inventory: one row per record with its patch-relevant facts and participation."""

from __future__ import annotations

from typing import Any

from armlint.model import Finding, Unknown, VmRecord
from armlint.planner.participation import decide
from armlint.planner.placement import creation_key, record_names
from armlint.planner.plan import PlanSettings

UNKNOWN_TEXT = "unknown"

# Row columns in order; a string names the fact shown as is, None marks a computed column.
FACT_COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("os", "os"),
    ("patch_mode", "patch_mode"),
    ("assessment_mode", "assessment_mode"),
    ("enable_automatic_updates", "enable_automatic_updates"),
    ("provision_vm_agent", "provision_vm_agent"),
    ("hotpatching", "enable_hotpatching"),
    ("image", None),
    ("api_version", "api_version"),
    ("location", "location"),
    ("zones", "zones"),
    ("availability_set", "availability_set"),
)

IMAGE_FACTS = ("image_publisher", "image_offer", "image_sku", "image_version")


def inventory(
    records: list[VmRecord], findings: list[Finding], *, settings: PlanSettings | None = None
) -> list[dict]:
    """Rows in creation order. ``settings`` supplies ``image_supported`` for participation;
    without it every marketplace image is of unknown support."""
    settings = settings or PlanSettings()
    ordered = sorted(records, key=creation_key)
    rules_by_resource = _rules_by_resource(findings)
    return [
        _row(record, name, settings, rules_by_resource.get(record.identity, []))
        for record, name in zip(ordered, record_names(ordered), strict=True)
    ]


def _rules_by_resource(findings: list[Finding]) -> dict[str, list[str]]:
    found: dict[str, set[str]] = {}
    for finding in findings:
        if finding.resource and not finding.suppressed:
            found.setdefault(finding.resource, set()).add(finding.rule)
    return {resource: sorted(rules) for resource, rules in found.items()}


def _row(record: VmRecord, name: str, settings: PlanSettings, rules: list[str]) -> dict:
    unknown: list[str] = []
    row: dict[str, Any] = {
        "name": name,
        "path": record.path,
        "line": record.location.line,
        "kind": record.kind,
    }
    for column, fact in FACT_COLUMNS:
        value = (
            _image(record, unknown) if fact is None else _shown(record.value(fact), column, unknown)
        )
        row[column] = value
    decision = decide(record, settings.image_supported)
    row["participates"] = UNKNOWN_TEXT if decision.unknown else decision.participates
    if decision.unknown:
        unknown.append("participates")
    row["reason"] = decision.reason
    row["unknown"] = unknown
    row["findings"] = rules
    return row


def _shown(value: Any, column: str, unknown: list[str]) -> Any:
    """Unknown -> 'unknown' (and the column is listed); lists keep their known elements."""
    if isinstance(value, Unknown):
        unknown.append(column)
        return UNKNOWN_TEXT
    if isinstance(value, list):
        if any(isinstance(item, Unknown) for item in value):
            unknown.append(column)
        return [UNKNOWN_TEXT if isinstance(item, Unknown) else str(item) for item in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _image(record: VmRecord, unknown: list[str]) -> str | None:
    """'publisher:offer:sku:version' for a marketplace image, the id for a custom one."""
    image_id = record.value("image_id")
    if image_id is not None:
        return _shown(image_id, "image", unknown)
    values = [record.value(fact) for fact in IMAGE_FACTS]
    if all(value is None for value in values):
        return None
    if any(isinstance(value, Unknown) for value in values):
        unknown.append("image")
    if values[-1] is None:
        values = values[:-1]  # no version: publisher:offer:sku
    parts = [UNKNOWN_TEXT if isinstance(v, Unknown) else str(v or "") for v in values]
    return ":".join(parts)
