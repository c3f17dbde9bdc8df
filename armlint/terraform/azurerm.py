"""azurerm arguments as data: which argument sets which fact, per resource type, with the
provider's default when the argument is left out (in the spirit of tflint-ruleset-azurerm's
mapping files).

Argument names, renames and defaults are domain.md section 3 (S6, terraform-provider-azurerm
internal/services/compute). ``PLATFORM`` marks a default that equals Azure's own for the OS
(compute/schema.py), so the number lives in one place. Arguments are listed newest name first:
``automatic_updates_enabled`` replaced ``enable_automatic_updates`` in v4.
"""

from __future__ import annotations

from armlint.model import FrozenValue
from armlint.terraform.facts import ABSENT, as_bool

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

PLATFORM = "platform default"  # the provider sends Azure's own default for the OS


class Argument(FrozenValue):
    __slots__ = ("fact", "names", "default", "convert", "windows_only")

    def __init__(
        self,
        fact: str,
        names: tuple[str, ...],  # argument names, newest first
        default: Any = ABSENT,  # what the provider sends when none is set; ABSENT: nothing
        convert: Callable[[Any], Any] | None = None,
        windows_only: bool = False,
    ) -> None:
        self.fact = fact
        self.names = names
        self.default = default
        self.convert = convert
        self.windows_only = windows_only


BYPASS = "bypass_platform_safety_checks_on_user_schedule_enabled"
AUTOMATIC_UPDATES = ("automatic_updates_enabled", "enable_automatic_updates")

# azurerm_windows_virtual_machine / azurerm_linux_virtual_machine: every argument is top-level.
VIRTUAL_MACHINE = (
    Argument("patch_mode", ("patch_mode",), PLATFORM),
    Argument("assessment_mode", ("patch_assessment_mode",), PLATFORM),
    Argument("provision_vm_agent", ("provision_vm_agent",), PLATFORM, as_bool),
    Argument("reboot_setting", ("reboot_setting",)),
    Argument("bypass_platform_safety_checks", (BYPASS,), False, as_bool),
    Argument("enable_automatic_updates", AUTOMATIC_UPDATES, PLATFORM, as_bool, True),
    Argument("enable_hotpatching", ("hotpatching_enabled",), False, as_bool, True),
    Argument("time_zone", ("timezone",), windows_only=True),
)
# azurerm_windows/linux_virtual_machine_scale_set (Uniform): no patch_mode, no assessment mode.
UNIFORM_SCALE_SET = (
    Argument("provision_vm_agent", ("provision_vm_agent",), PLATFORM, as_bool),
    Argument("enable_automatic_updates", AUTOMATIC_UPDATES, PLATFORM, as_bool, True),
    Argument("time_zone", ("timezone",), windows_only=True),
)
# The arguments whose presence sends automaticByPlatformSettings (VIRTUAL_MACHINE only).
AUTOMATIC_BY_PLATFORM = ("reboot_setting", BYPASS)

# azurerm_orchestrated_virtual_machine_scale_set: the settings sit in
# os_profile { windows_configuration | linux_configuration }; the block names the OS. Without
# the block the provider sends the same defaults (the table is read with no block).
ORCHESTRATED_PROFILE = "os_profile"
ORCHESTRATED_OS_BLOCKS = (("windows_configuration", "Windows"), ("linux_configuration", "Linux"))
ORCHESTRATED_SCALE_SET = (
    Argument("patch_mode", ("patch_mode",), PLATFORM),
    Argument("provision_vm_agent", ("provision_vm_agent",), PLATFORM, as_bool),
    Argument("enable_automatic_updates", AUTOMATIC_UPDATES, PLATFORM, as_bool, True),
    Argument("enable_hotpatching", ("hotpatching_enabled",), False, as_bool, True),
    Argument("time_zone", ("timezone",), windows_only=True),
    # ImageDefault on both systems, so known even when the OS is not.
    Argument("assessment_mode", ("patch_assessment_mode",), "ImageDefault"),
)

# Legacy azurerm_virtual_machine / azurerm_virtual_machine_scale_set: no patch_mode argument;
# top-level os_profile_windows_config / os_profile_linux_config blocks name the OS. What the
# provider sends, per OS and whether the block is written (domain 3.1, S6: the legacy
# expandAzureRmVirtualMachineOsProfile sends windowsConfiguration only when the block is set,
# and then false for the two flags left out). An argument with no names is not an argument:
# Azure's default applies, located at the resource.
LEGACY_OS_BLOCKS = (("os_profile_windows_config", "Windows"), ("os_profile_linux_config", "Linux"))
LEGACY_OS_SETTINGS: dict[tuple[str, bool], tuple[Argument, ...]] = {
    ("Windows", True): (
        Argument("enable_automatic_updates", ("enable_automatic_upgrades",), False, as_bool),
        Argument("provision_vm_agent", ("provision_vm_agent",), False, as_bool),
        Argument("time_zone", ("timezone",)),
    ),
    ("Windows", False): (
        Argument("enable_automatic_updates", (), PLATFORM),
        Argument("provision_vm_agent", (), PLATFORM),
    ),
    # os_profile_linux_config has no provision_vm_agent: the API default (true) applies.
    ("Linux", True): (Argument("provision_vm_agent", (), PLATFORM),),
    ("Linux", False): (Argument("provision_vm_agent", (), PLATFORM),),
}

__all__ = [
    "LEGACY_OS_BLOCKS",
    "LEGACY_OS_SETTINGS",
    "ORCHESTRATED_OS_BLOCKS",
    "ORCHESTRATED_SCALE_SET",
    "PLATFORM",
    "UNIFORM_SCALE_SET",
    "VIRTUAL_MACHINE",
    "Argument",
]
