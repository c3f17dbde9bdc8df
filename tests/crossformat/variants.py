"""One table of VM variants, written out as ARM, Bicep, Terraform azurerm and azapi fixtures.

``python tests/crossformat/variants.py`` rewrites
tests/fixtures/crossformat/; test_crossformat.py checks that the files on disk are what this
table produces, then loads them with the real loaders. Each variant is one VM or scale set as
ARM properties; the azurerm form is derived by the mapping at the bottom, which follows the
provider's argument names (domain.md section 3, S6).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

API_VERSION = "2024-07-01"
LOCATION = "westeurope"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "crossformat"
FORMATS = ("arm", "bicep", "azurerm", "azapi")

WS2022_HOTPATCH = (
    "MicrosoftWindowsServer",
    "WindowsServer",
    "2022-datacenter-azure-edition-hotpatch",
)
WS2019 = ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter")
WS2012 = ("MicrosoftWindowsServer", "WindowsServer", "2012-Datacenter")
UBUNTU = ("Canonical", "ubuntu-24_04-lts", "server")
UBUNTU_OLD = ("Canonical", "UbuntuServer", "14.04.5-LTS")
RHEL = ("RedHat", "RHEL", "8-lvm-gen2")
SQL_UBUNTU = ("MicrosoftSQLServer", "sql2019-ubuntu2004", "standard")
SQL_WINDOWS = ("MicrosoftSQLServer", "sql2019-ws2019", "standard")
VISUAL_STUDIO = ("MicrosoftVisualStudio", "visualstudio2022", "vs-2022-ent-latest-ws2022")


@dataclass(frozen=True)
class Variant:
    name: str
    image: tuple[str, str, str]
    os: str | None  # the OS configuration block written; None: none (OS from the image)
    kind: str = "vm"  # 'vm' | 'uniform' | 'flexible'
    settings: dict[str, Any] = field(default_factory=dict)  # ARM names under the OS config
    skip: dict[str, str] = field(default_factory=dict)  # format -> why it cannot say this


def _v(name, image, os_name, kind="vm", skip=None, **settings) -> Variant:
    return Variant(name, image, os_name, kind, settings, skip or {})


PROVIDER_SENDS_PATCH_MODE = (
    "azurerm_windows_virtual_machine always sends its patch_mode default AutomaticByOS "
    "(rules/data/terraform.yaml, domain.md I8), so 'no patchMode' cannot be written"
)
NO_UNIFORM_PATCH_MODE = "the azurerm Uniform scale set resources have no patch_mode (domain.md 3.1)"

VARIANTS = (
    _v("win-defaults", WS2019, "Windows"),
    _v("win-abos-explicit", WS2019, "Windows", patchMode="AutomaticByOS"),
    _v("win-abp", WS2019, "Windows", patchMode="AutomaticByPlatform"),
    _v("win-abp-unsupported-image", WS2012, "Windows", patchMode="AutomaticByPlatform"),
    _v(
        "win-manual-updates-off",
        WS2019,
        "Windows",
        patchMode="Manual",
        enableAutomaticUpdates=False,
    ),
    _v("win-manual-updates-default", WS2019, "Windows", patchMode="Manual"),
    _v(
        "win-abos-updates-off",
        WS2019,
        "Windows",
        patchMode="AutomaticByOS",
        enableAutomaticUpdates=False,
    ),
    _v(
        "win-updates-off-no-patch-mode",
        WS2019,
        "Windows",
        skip={"azurerm": PROVIDER_SENDS_PATCH_MODE},
        enableAutomaticUpdates=False,
    ),
    _v(
        "win-abp-updates-off",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        enableAutomaticUpdates=False,
    ),
    _v(
        "win-abp-agent-off",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        provisionVMAgent=False,
    ),
    _v(
        "win-hotpatch-abp",
        WS2022_HOTPATCH,
        "Windows",
        patchMode="AutomaticByPlatform",
        enableHotpatching=True,
    ),
    _v(
        "win-hotpatch-abos",
        WS2022_HOTPATCH,
        "Windows",
        patchMode="AutomaticByOS",
        enableHotpatching=True,
    ),
    _v(
        "win-hotpatch-unsupported-image",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        enableHotpatching=True,
    ),
    _v(
        "win-assessment-abp",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        assessmentMode="AutomaticByPlatform",
    ),
    _v(
        "win-reboot-always",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        rebootSetting="Always",
    ),
    _v(
        "win-reboot-never",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        rebootSetting="Never",
    ),
    _v(
        "win-reboot-without-abp",
        WS2019,
        "Windows",
        patchMode="AutomaticByOS",
        rebootSetting="IfRequired",
    ),
    _v(
        "win-bypass-abp",
        WS2019,
        "Windows",
        patchMode="AutomaticByPlatform",
        bypassPlatformSafetyChecksOnUserSchedule=True,
    ),
    _v(
        "win-bypass-abos",
        WS2019,
        "Windows",
        patchMode="AutomaticByOS",
        bypassPlatformSafetyChecksOnUserSchedule=True,
    ),
    _v("linux-defaults", UBUNTU, "Linux"),
    _v("linux-abp", UBUNTU, "Linux", patchMode="AutomaticByPlatform"),
    _v("linux-abp-unsupported-image", UBUNTU_OLD, "Linux", patchMode="AutomaticByPlatform"),
    _v("linux-abp-rhel", RHEL, "Linux", patchMode="AutomaticByPlatform"),
    _v(
        "linux-assessment-abp",
        UBUNTU,
        "Linux",
        patchMode="AutomaticByPlatform",
        assessmentMode="AutomaticByPlatform",
    ),
    _v(
        "linux-abp-agent-off",
        UBUNTU,
        "Linux",
        patchMode="AutomaticByPlatform",
        provisionVMAgent=False,
    ),
    _v(
        "linux-reboot-ifrequired",
        UBUNTU,
        "Linux",
        patchMode="AutomaticByPlatform",
        rebootSetting="IfRequired",
    ),
    _v(
        "linux-bypass-abp",
        UBUNTU,
        "Linux",
        patchMode="AutomaticByPlatform",
        bypassPlatformSafetyChecksOnUserSchedule=True,
    ),
    _v("linux-image-default-explicit", UBUNTU, "Linux", patchMode="ImageDefault"),
    # No OS configuration block: the OS comes from the image (issue 10's first two drifts).
    _v("image-sql-on-ubuntu", SQL_UBUNTU, None),
    _v("image-sql-on-windows", SQL_WINDOWS, None),
    _v("image-visual-studio", VISUAL_STUDIO, None),
    _v("image-canonical", UBUNTU, None),
    _v("image-windows-server", WS2019, None),
    # Scale sets.
    _v("vmss-uniform-windows", WS2019, "Windows", "uniform"),
    _v("vmss-uniform-linux", UBUNTU, "Linux", "uniform"),
    _v(
        "vmss-uniform-windows-updates-off",
        WS2019,
        "Windows",
        "uniform",
        enableAutomaticUpdates=False,
    ),
    _v(
        "vmss-uniform-windows-abp",
        WS2019,
        "Windows",
        "uniform",
        skip={"azurerm": NO_UNIFORM_PATCH_MODE},
        patchMode="AutomaticByPlatform",
    ),
    _v("vmss-flexible-windows", WS2019, "Windows", "flexible"),
    _v("vmss-flexible-windows-abp", WS2019, "Windows", "flexible", patchMode="AutomaticByPlatform"),
    _v("vmss-flexible-linux-abp", UBUNTU, "Linux", "flexible", patchMode="AutomaticByPlatform"),
    _v(
        "vmss-flexible-windows-manual-updates-on",
        WS2019,
        "Windows",
        "flexible",
        patchMode="Manual",
        enableAutomaticUpdates=True,
    ),
)


# --- the ARM shape, shared by ARM, Bicep and azapi --------------------------------------------


def arm_type(variant: Variant) -> str:
    if variant.kind == "vm":
        return "Microsoft.Compute/virtualMachines"
    return "Microsoft.Compute/virtualMachineScaleSets"


def _os_config(variant: Variant) -> dict:
    config: dict[str, Any] = {}
    patch: dict[str, Any] = {}
    platform: dict[str, Any] = {}
    for key, value in variant.settings.items():
        if key in ("patchMode", "assessmentMode", "enableHotpatching"):
            patch[key] = value
        elif key in ("rebootSetting", "bypassPlatformSafetyChecksOnUserSchedule"):
            platform[key] = value
        else:
            config[key] = value
    if platform:
        patch["automaticByPlatformSettings"] = platform
    if patch:
        config["patchSettings"] = patch
    return config


def arm_properties(variant: Variant) -> dict:
    publisher, offer, sku = variant.image
    profile: dict[str, Any] = {
        "storageProfile": {
            "imageReference": {
                "publisher": publisher,
                "offer": offer,
                "sku": sku,
                "version": "latest",
            }
        },
        "osProfile": {"computerName": "vm1", "adminUsername": "azureuser"},
    }
    if variant.os is not None:
        key = "windowsConfiguration" if variant.os == "Windows" else "linuxConfiguration"
        profile["osProfile"][key] = _os_config(variant)
    if variant.kind == "vm":
        return profile
    properties: dict[str, Any] = {"virtualMachineProfile": profile}
    if variant.kind == "flexible":
        properties = {"orchestrationMode": "Flexible", **properties}
    return properties


def arm_template(variant: Variant) -> str:
    resource = {
        "type": arm_type(variant),
        "apiVersion": API_VERSION,
        "name": "vm1",
        "location": LOCATION,
        "properties": arm_properties(variant),
    }
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [resource],
    }
    return json.dumps(template, indent=2) + "\n"


def _bicep_value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "\\'") + "'"
    if isinstance(value, dict):
        lines = [f"{pad}  {key}: {_bicep_value(item, indent + 1)}" for key, item in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(value)


def bicep_file(variant: Variant) -> str:
    body = {"name": "vm1", "location": LOCATION, "properties": arm_properties(variant)}
    return f"resource vm '{arm_type(variant)}@{API_VERSION}' = {_bicep_value(body, 0)}\n"


def _hcl_value(value: Any, indent: int) -> str:
    pad = "  " * indent
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict):
        lines = [f"{pad}  {key} = {_hcl_value(item, indent + 1)}" for key, item in value.items()]
        return "{\n" + "\n".join(lines) + f"\n{pad}}}"
    raise TypeError(value)


def azapi_file(variant: Variant) -> str:
    body = _hcl_value({"properties": arm_properties(variant)}, 1)
    return (
        'resource "azapi_resource" "vm1" {\n'
        f'  type      = "{arm_type(variant)}@{API_VERSION}"\n'
        '  name      = "vm1"\n'
        f'  location  = "{LOCATION}"\n'
        '  parent_id = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg"\n'
        f"  body = {body}\n"
        "}\n"
    )


# --- azurerm: ARM settings to provider arguments (S6 names, domain.md section 3) ------------

AZURERM_ARGUMENTS = {
    "patchMode": "patch_mode",
    "assessmentMode": "patch_assessment_mode",
    "enableHotpatching": "hotpatching_enabled",
    "provisionVMAgent": "provision_vm_agent",
    "enableAutomaticUpdates": "automatic_updates_enabled",
    "rebootSetting": "reboot_setting",
    "bypassPlatformSafetyChecksOnUserSchedule": "bypass_platform_safety_checks_on_user_schedule_enabled",
}
# azurerm_orchestrated_virtual_machine_scale_set's os_profile blocks use older names.
ORCHESTRATED_ARGUMENTS = dict(
    AZURERM_ARGUMENTS
)  # 5.x renamed it here too (rules/data/terraform.yaml)


def _hcl_arguments(arguments: dict, indent: int) -> list[str]:
    pad = "  " * indent
    return [f"{pad}{name} = {_hcl_value(value, indent)}" for name, value in arguments.items()]


def _image_block(name: str, variant: Variant, indent: int = 1) -> list[str]:
    publisher, offer, sku = variant.image
    pad = "  " * indent
    return [
        f"{pad}{name} {{",
        f'{pad}  publisher = "{publisher}"',
        f'{pad}  offer     = "{offer}"',
        f'{pad}  sku       = "{sku}"',
        f'{pad}  version   = "latest"',
        f"{pad}}}",
    ]


def azurerm_file(variant: Variant) -> str:
    head = ['  name     = "vm1"', f'  location = "{LOCATION}"']
    if variant.os is None:
        # Only the legacy resource leaves the OS to the image.
        lines = ['resource "azurerm_virtual_machine" "vm1" {', *head]
        lines += _image_block("storage_image_reference", variant)
    elif variant.kind == "flexible":
        lines = ['resource "azurerm_orchestrated_virtual_machine_scale_set" "vm1" {', *head]
        block = "windows_configuration" if variant.os == "Windows" else "linux_configuration"
        arguments = {ORCHESTRATED_ARGUMENTS[k]: v for k, v in variant.settings.items()}
        lines += [
            "  os_profile {",
            f"    {block} {{",
            *_hcl_arguments(arguments, 3),
            "    }",
            "  }",
        ]
        lines += _image_block("source_image_reference", variant)
    else:
        os_word = variant.os.lower()
        suffix = "_scale_set" if variant.kind == "uniform" else ""
        lines = [f'resource "azurerm_{os_word}_virtual_machine{suffix}" "vm1" {{', *head]
        arguments = {AZURERM_ARGUMENTS[k]: v for k, v in variant.settings.items()}
        lines += _hcl_arguments(arguments, 1)
        lines += _image_block("source_image_reference", variant)
    return "\n".join([*lines, "}"]) + "\n"


WRITERS = {
    "arm": ("template.json", arm_template),
    "bicep": ("main.bicep", bicep_file),
    "azurerm": ("main.tf", azurerm_file),
    "azapi": ("main.tf", azapi_file),
}


def expected_files() -> dict[Path, str]:
    """Every fixture file and its text: <variant>/<format>/<file>."""
    files: dict[Path, str] = {}
    for variant in VARIANTS:
        for fmt, (filename, write) in WRITERS.items():
            if fmt not in variant.skip:
                files[FIXTURES / variant.name / fmt / filename] = write(variant)
    return files


def main() -> None:
    for path, text in expected_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    print(f"wrote {len(expected_files())} files for {len(VARIANTS)} variants under {FIXTURES}")


if __name__ == "__main__":
    main()
