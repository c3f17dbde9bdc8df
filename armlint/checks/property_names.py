"""What each patch fact is called in the file it came from, for messages.

Rules and conditions speak of facts (``patch_mode``); a message names the property as the
reader wrote it: ``patchMode`` in ARM JSON and Bicep (which uses the ARM names), ``patch_mode``
in an azurerm Terraform resource. Where the provider has two spellings of one argument
(``automatic_updates_enabled`` in azurerm 4, ``enable_automatic_updates`` before), the
extractor records the one written in ``record.automatic_updates_attr``, and that
one is used; an argument left out is named as the resource type spells it in the azurerm version in use
(``record.azurerm_version``; the newest when it is not pinned).

Sources for the Terraform names: rules/data/terraform.yaml and armlint/terraform/extract.py
(the arguments the extractor reads for each fact).
"""

from __future__ import annotations

from armlint.model import VmRecord

ARM_NAMES = {
    "patch_mode": "patchMode",
    "assessment_mode": "assessmentMode",
    "enable_automatic_updates": "enableAutomaticUpdates",
    "provision_vm_agent": "provisionVMAgent",
    "enable_hotpatching": "enableHotpatching",
    "reboot_setting": "rebootSetting",
    "bypass_platform_safety_checks": "bypassPlatformSafetyChecksOnUserSchedule",
    "automatic_by_platform_settings": "automaticByPlatformSettings",
    "api_version": "apiVersion",
}

# azurerm arguments, as armlint/terraform/extract.py reads them.
TERRAFORM_NAMES = {
    "patch_mode": "patch_mode",
    "assessment_mode": "patch_assessment_mode",
    "enable_automatic_updates": "automatic_updates_enabled",
    "provision_vm_agent": "provision_vm_agent",
    "enable_hotpatching": "hotpatching_enabled",
    "reboot_setting": "reboot_setting",
    "bypass_platform_safety_checks": "bypass_platform_safety_checks_on_user_schedule_enabled",
    "automatic_by_platform_settings": "automatic_by_platform_settings",
}

# The legacy resources (azurerm_virtual_machine, azurerm_virtual_machine_scale_set) spell the
# automatic-updates argument their own way inside os_profile_windows_config.
LEGACY_TERRAFORM_NAMES = {
    **TERRAFORM_NAMES,
    "enable_automatic_updates": "enable_automatic_upgrades",
}
LEGACY_TYPES = ("azurerm_virtual_machine", "azurerm_virtual_machine_scale_set")


def property_name(record: VmRecord, fact: str) -> str:
    """The property ``fact`` is read from, in the words of ``record``'s file."""
    if not record.resource_type.startswith("azurerm_"):
        return ARM_NAMES.get(fact, fact)  # ARM, Bicep, and azapi bodies (ARM JSON)
    if fact == "enable_automatic_updates":
        written = record.automatic_updates_attr
        if isinstance(written, str) and written:
            return written
    table = LEGACY_TERRAFORM_NAMES if record.resource_type in LEGACY_TYPES else TERRAFORM_NAMES
    name = table.get(fact, fact)
    if fact == "enable_automatic_updates" and name == "automatic_updates_enabled":
        # Left out: named as the provider version in use spells it (renamed in 4.42 / 5.0).
        from armlint.checks.tables import load_tables

        names = (name, "enable_automatic_updates")
        return load_tables().argument_in_version(
            record.resource_type, names, record.azurerm_version
        )
    return name
