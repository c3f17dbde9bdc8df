"""The legacy azurerm_virtual_machine OS blocks, read through the mapping table
(terraform/azurerm.py LEGACY_OS_SETTINGS; domain.md 3.1, S6).

The legacy provider sends windowsConfiguration only when os_profile_windows_config is written,
and then false for enableAutomaticUpdates and provisionVMAgent when they are left out; without
the block Azure's own defaults apply (true, true) and are located at the resource. Without a
patchMode, Azure follows enableAutomaticUpdates (Manual when false, compute/schema.infer_manual).
"""

from __future__ import annotations

import pytest

from armlint.model import SOURCE_DEFAULT, SOURCE_LITERAL
from armlint.terraform import load

VM = """resource "azurerm_virtual_machine" "legacy" {{
  name     = "legacy"
  location = "westeurope"

  storage_image_reference {{
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2019-Datacenter"
    version   = "latest"
  }}
{block}}}
"""


def facts(tmp_path, block: str) -> dict:
    path = tmp_path / "main.tf"
    path.write_text(VM.format(block=block), encoding="utf-8")
    [record] = load([path]).records
    names = ("enable_automatic_updates", "provision_vm_agent", "patch_mode")
    return {
        name: (record.value(name), record.fact(name).source, record.fact(name).location.line)
        for name in names
    }


def test_without_the_windows_block_azure_defaults_apply_at_the_resource(tmp_path):
    assert facts(tmp_path, "") == {
        "enable_automatic_updates": (True, SOURCE_DEFAULT, 1),
        "provision_vm_agent": (True, SOURCE_DEFAULT, 1),
        "patch_mode": ("AutomaticByOS", SOURCE_DEFAULT, 1),
    }


def test_an_empty_windows_block_sends_false_for_both_so_manual(tmp_path):
    block = "\n  os_profile_windows_config {\n  }\n"
    assert facts(tmp_path, block) == {
        "enable_automatic_updates": (False, SOURCE_DEFAULT, 12),
        "provision_vm_agent": (False, SOURCE_DEFAULT, 12),
        "patch_mode": ("Manual", SOURCE_DEFAULT, 1),
    }


@pytest.mark.parametrize("value", ["true", "false"])
def test_arguments_in_the_windows_block_are_read(tmp_path, value):
    block = (
        "\n  os_profile_windows_config {\n"
        f"    enable_automatic_upgrades = {value}\n"
        f"    provision_vm_agent        = {value}\n  }}\n"
    )
    found = facts(tmp_path, block)
    assert found["enable_automatic_updates"] == (value == "true", SOURCE_LITERAL, 13)
    assert found["provision_vm_agent"] == (value == "true", SOURCE_LITERAL, 14)
