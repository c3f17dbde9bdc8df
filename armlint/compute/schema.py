"""The Compute facts: which ARM property holds each, its type, the first api-version that has
it, the platform defaults per OS and the Manual inference. Every format reads these; none keeps
its own copy.

Paths are relative to the VM profile: ``properties`` of a VM, ``properties.virtualMachineProfile``
of a scale set (domain.md 2.1). ``{config}`` stands for ``windowsConfiguration`` or
``linuxConfiguration``, whichever the OS uses. First api-versions are domain.md 2.2 (S4, S5).
"""

from __future__ import annotations

from armlint.model import SOURCE_DEFAULT, Fact, Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

WINDOWS_CONFIG = "windowsConfiguration"
LINUX_CONFIG = "linuxConfiguration"
CONFIG_KEYS = {"Windows": WINDOWS_CONFIG, "Linux": LINUX_CONFIG}


class FactSpec:
    """One fact of the record and where an ARM-shaped body holds it. A plain class: creating a
    frozen dataclass cost about 4 million instructions of every check's start-up. A spec is
    never changed."""

    __slots__ = ("name", "path", "type", "since", "windows_only")

    def __init__(
        self,
        name: str,
        path: tuple[str, ...],  # under the VM profile; '{config}' is the OS configuration object
        type: str,  # 'string' | 'bool' | 'presence'
        since: str = "",  # first api-version with the property ('' when older than any we know)
        windows_only: bool = False,
    ) -> None:
        self.name = name
        self.path = path
        self.type = type
        self.since = since
        self.windows_only = windows_only


PATCH_SETTINGS = ("osProfile", "{config}", "patchSettings")
BY_PLATFORM = (*PATCH_SETTINGS, "automaticByPlatformSettings")

# The OS-configuration facts, in the order the extractors read them.
OS_CONFIG_FACTS = (
    FactSpec("patch_mode", (*PATCH_SETTINGS, "patchMode"), "string", "2020-06-01"),
    FactSpec("assessment_mode", (*PATCH_SETTINGS, "assessmentMode"), "string", "2021-03-01"),
    FactSpec("provision_vm_agent", ("osProfile", "{config}", "provisionVMAgent"), "bool"),
    FactSpec("reboot_setting", (*BY_PLATFORM, "rebootSetting"), "string", "2022-03-01"),
    FactSpec(
        "bypass_platform_safety_checks",
        (*BY_PLATFORM, "bypassPlatformSafetyChecksOnUserSchedule"),
        "bool",
        "2023-03-01",
    ),
    FactSpec("automatic_by_platform_settings", BY_PLATFORM, "presence", "2022-03-01"),
    FactSpec(
        "enable_automatic_updates",
        ("osProfile", "{config}", "enableAutomaticUpdates"),
        "bool",
        windows_only=True,
    ),
    FactSpec(
        "enable_hotpatching",
        (*PATCH_SETTINGS, "enableHotpatching"),
        "bool",
        "2020-12-01",
        windows_only=True,
    ),
    FactSpec("time_zone", ("osProfile", "{config}", "timeZone"), "string", windows_only=True),
)
SPECS = {spec.name: spec for spec in OS_CONFIG_FACTS}

IMAGE_REFERENCE = ("storageProfile", "imageReference")
IMAGE_FACTS = (
    ("image_publisher", "publisher"),
    ("image_offer", "offer"),
    ("image_sku", "sku"),
    ("image_version", "version"),
)
IMAGE_ID_KEYS = ("id", "sharedGalleryImageId", "communityGalleryImageId")
OS_TYPE = ("storageProfile", "osDisk", "osType")
# Scale sets: the upgrade policy (under properties) and the load balancer probe (under the profile).
UPGRADE_POLICY = ("properties", "upgradePolicy", "automaticOSUpgradePolicy")
HEALTH_PROBE = ("networkProfile", "healthProbe", "id")
INLINE_EXTENSIONS = ("extensionProfile", "extensions")  # under a scale set's VM profile
HEALTH_EXTENSION_TYPES = frozenset({"applicationhealthlinux", "applicationhealthwindows"})

# Platform defaults of absent settings (domain.md 1.2, 2.1: "Default value is true" for
# enableAutomaticUpdates and provisionVMAgent; patchMode per OS; assessmentMode ImageDefault).
PLATFORM_DEFAULTS: dict[str, dict[str, Any]] = {
    "Windows": {
        "patch_mode": "AutomaticByOS",
        "assessment_mode": "ImageDefault",
        "provision_vm_agent": True,
        "enable_automatic_updates": True,
    },
    "Linux": {
        "patch_mode": "ImageDefault",
        "assessment_mode": "ImageDefault",
        "provision_vm_agent": True,
    },
}
SCALE_SET_ORCHESTRATION_DEFAULT = "Uniform"
OS_UNKNOWN_REASON = "depends on the OS, which is unknown"
MANUAL_INFERENCE_STEP = "inferred from enableAutomaticUpdates false"


def config_key(os_name: Any) -> str:
    """The OS configuration object of the OS (Windows when it is not known)."""
    return LINUX_CONFIG if os_name == "Linux" else WINDOWS_CONFIG


def spec_path(spec: FactSpec, os_name: Any) -> tuple[str, ...]:
    key = config_key(os_name)
    return tuple(key if part == "{config}" else part for part in spec.path)


def platform_default(os_name: Any, fact_name: str) -> Any:
    """The value Azure uses for an absent setting, ``Unknown`` when it depends on an unknown OS,
    None when there is no default."""
    if isinstance(os_name, str) and os_name in PLATFORM_DEFAULTS:
        return PLATFORM_DEFAULTS[os_name].get(fact_name)
    if fact_name in ("patch_mode", "enable_automatic_updates"):
        return Unknown(OS_UNKNOWN_REASON)
    if fact_name == "provision_vm_agent":
        return True  # the same on both systems
    return None


def infer_manual(facts: dict[str, Fact]) -> None:
    """Without a patchMode, Azure follows enableAutomaticUpdates: false means Manual.

    Templates from before 2020 deploy this way; the CLI and PowerShell do the same
    (``--enable-auto-updates false`` also sets patchMode manual, S1, domain.md 1.2). Applies to
    every ARM-shaped body (ARM, Bicep, azapi, exported VMs). The azurerm provider always sends
    its own patch_mode default, so azurerm resources never reach here (domain.md I8).
    """
    patch_mode = facts.get("patch_mode")
    updates = facts.get("enable_automatic_updates")
    if patch_mode is None or updates is None:
        return
    if patch_mode.source == SOURCE_DEFAULT and updates.value is False:
        patch_mode.value = "Manual"
        patch_mode.trace = (MANUAL_INFERENCE_STEP,)


__all__ = [
    "IMAGE_FACTS",
    "IMAGE_ID_KEYS",
    "IMAGE_REFERENCE",
    "OS_CONFIG_FACTS",
    "OS_TYPE",
    "PLATFORM_DEFAULTS",
    "FactSpec",
    "config_key",
    "infer_manual",
    "platform_default",
    "spec_path",
]


# Fleet shape and maintenance windows, read the same way from ARM and Bicep bodies:
# fact name -> the availability set property that holds it; window field -> the
# maintenance configuration's maintenanceWindow property.
SET_COUNTS = {
    "update_domain_count": "platformUpdateDomainCount",
    "fault_domain_count": "platformFaultDomainCount",
}
WINDOW_FIELDS = {
    "start": "startDateTime",
    "duration": "duration",
    "time_zone": "timeZone",
    "recurrence": "recurEvery",
}
# The configuration's other fields a rule reads: its scope and the InGuestPatch patch mode
# (the API refuses an InGuestPatch configuration without it: Azure/bicep issue 8959, I13).
SCHEDULE_PATHS = {
    "scope": ("properties", "maintenanceScope"),
    "patch_mode": ("properties", "extensionProperties", "InGuestPatchMode"),
}
