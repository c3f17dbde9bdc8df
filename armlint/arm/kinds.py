"""What a JSON file is: the one place that tells ARM templates, parameter files, Terraform plan
JSON (``terraform show -json``) and exported VMs (``az vm show``, a REST GET body) apart."""

from __future__ import annotations

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any


TEMPLATE = "template"
PARAMETERS = "parameters"
PLAN = "plan"
VM_EXPORT = "vm-export"
OTHER = "other"


def json_kind(value: Any) -> str:
    """TEMPLATE, PARAMETERS, PLAN, VM_EXPORT or OTHER for a parsed JSON document."""
    if isinstance(value, list):
        return VM_EXPORT if _holds_exported_vms(value) else OTHER
    if not isinstance(value, dict):
        return OTHER
    schema = value.get("$schema")
    if schema is None:  # ARM reads names in any case: another spelling, or no schema at all
        # Imported here: a Terraform check imports this module for ``is_plan`` alone. Not on
        # every call: an import statement cost 9,000 instructions a file (README, s10-read2).
        from armlint.arm.jsonpos import get_ci

        _, schema = get_ci(value, "$schema")
    schema_text = schema.lower() if isinstance(schema, str) else ""
    if "deploymentparameters" in schema_text:
        return PARAMETERS
    if "deploymenttemplate" in schema_text:
        return TEMPLATE
    if is_plan(value):
        return PLAN
    if (
        not schema_text
        and "resources" in value
        and ("contentVersion" in value or "parameters" in value)
    ):
        return TEMPLATE
    if isinstance(value.get("id"), str) and isinstance(value.get("properties"), dict):
        return VM_EXPORT
    return VM_EXPORT if _holds_exported_vms(value) else OTHER


def is_plan(value: Any) -> bool:
    """True for ``terraform show -json`` output: ``format_version`` and resource changes/values."""
    return (
        isinstance(value, dict)
        and "format_version" in value
        and ("resource_changes" in value or "planned_values" in value)
    )


def _holds_exported_vms(value: Any) -> bool:
    """A list of exported VMs (``az vm list``) or a REST list (``{"value": [...]}``)."""
    from armlint.arm.export import looks_like_export

    return looks_like_export(value)
