"""azurerm (and azapi) VM and scale set resources to ``VmRecord`` facts.

Argument names, defaults and the rename history come from domain.md section 3 (S6): the
Windows defaults are AutomaticByOS, automatic updates on and the VM agent on; Linux defaults to
ImageDefault; the legacy ``azurerm_virtual_machine`` sends ``provision_vm_agent`` and
``enable_automatic_upgrades`` as false unless set. Uniform scale sets have no patch_mode
argument at all, so the platform default for the OS applies.
"""

from __future__ import annotations

from armlint.compute.schema import infer_manual, platform_default
from armlint.model import Fact, Location, Unknown, Value, VmRecord
from armlint.terraform import azurerm
from armlint.terraform.facts import (
    Facts,
    as_bool,
    as_string,
    as_zones,
    normalise_location,
    os_from_publisher,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

VM_TYPES = {
    "azurerm_windows_virtual_machine": ("vm", "modern", "Windows"),
    "azurerm_linux_virtual_machine": ("vm", "modern", "Linux"),
    "azurerm_windows_virtual_machine_scale_set": ("vmss", "uniform", "Windows"),
    "azurerm_linux_virtual_machine_scale_set": ("vmss", "uniform", "Linux"),
    "azurerm_orchestrated_virtual_machine_scale_set": ("vmss", "orchestrated", None),
    "azurerm_virtual_machine": ("vm", "legacy", None),
    "azurerm_virtual_machine_scale_set": ("vmss", "legacy", None),
}


class RecordContext(Value):
    """Where a resource instance sits: identity, loop position, module-wide information.

    ``address`` is the resource's address without the instance key (``vm``, not ``vm[0]``):
    ``index`` (the position in the loop) completes the record's identity, so it reads
    ``vm[0]`` rather than ``vm[0][0]``; the count index or for_each key itself goes to
    ``details['instance_key']``. ``instance_address`` keeps the full Terraform address, the one
    references and relations name.
    """

    __slots__ = (
        "format",
        "address",
        "group",
        "index",
        "name",
        "azurerm_constraint",
        "relations",
        "details",
        "instance_address",
    )

    def __init__(
        self,
        format: str,
        address: str,
        group: str = "",
        index: int | None = None,
        name: str = "",
        azurerm_constraint: str | None = None,
        relations: Any = None,  # relations.Relations (health extensions, maintenance assignments)
        # Keyword arguments for the record's typed detail fields (VmRecord.instance_key, ...).
        details: dict | None = None,
        instance_address: str = "",  # '' when it is the address (no count/for_each)
    ) -> None:
        self.format = format
        self.address = address
        self.group = group
        self.index = index
        self.name = name
        self.azurerm_constraint = azurerm_constraint
        self.relations = relations
        self.details = {} if details is None else details
        self.instance_address = instance_address

    @property
    def full_address(self) -> str:
        return self.instance_address or self.address


def build_record(view, rtype: str, context: RecordContext) -> VmRecord:
    kind, family, os_name = VM_TYPES[rtype]
    facts = Facts(view.loc)
    details = dict(context.details)
    _FAMILIES[family](view, rtype, facts, os_name, details)
    _placement(view, facts, family, kind)
    _scale_set_upgrade(view, facts, family, kind)
    details["provider_arguments"] = _provider_arguments(view)
    if context.relations is not None:
        context.relations.add_facts(facts, context.full_address, kind, view)
    if context.azurerm_constraint:
        details["azurerm_constraint"] = context.azurerm_constraint
    return VmRecord(
        path=view.loc.path,
        format=context.format,
        kind=kind,
        resource_type=rtype,
        name=context.name or context.full_address,
        name_known=bool(context.name),
        location=view.loc,
        facts=facts.result(),
        address=context.address,
        group=context.group,
        index=context.index,
        **details,
    )


# --- families ------------------------------------------------------------------------------


def _modern(view, rtype: str, facts: Facts, os_name: str, details: dict) -> None:
    """azurerm_windows/linux_virtual_machine: every patch argument is top-level."""
    facts.put_implied("os", os_name, view.loc, f"resource type {rtype}")
    read_arguments(facts, view, azurerm.VIRTUAL_MACHINE, os_name, details)
    _automatic_by_platform(view, facts, azurerm.AUTOMATIC_BY_PLATFORM)
    _image(view, facts, "source_image_reference", with_id=False)
    facts.read("image_id", view, ("source_image_id",))


def _uniform(view, rtype: str, facts: Facts, os_name: str, details: dict) -> None:
    """azurerm_windows/linux_virtual_machine_scale_set: no patch_mode argument exists."""
    facts.put_implied("os", os_name, view.loc, f"resource type {rtype}")
    facts.put_implied("orchestration_mode", "Uniform", view.loc, f"resource type {rtype}")
    why = f"{rtype} has no patch_mode argument; the platform default applies"
    facts.put_default("patch_mode", platform_default(os_name, "patch_mode"), view.loc, (why,))
    facts.put_default("assessment_mode", platform_default(os_name, "assessment_mode"), view.loc)
    read_arguments(facts, view, azurerm.UNIFORM_SCALE_SET, os_name, details)
    # No patchMode is sent, so Azure decides as for a template without one (schema.py).
    infer_manual(facts.facts)
    _image(view, facts, "source_image_reference", with_id=False)
    facts.read("image_id", view, ("source_image_id",))


def read_arguments(facts: Facts, view, arguments, os_name, details: dict) -> None:
    """Set the facts of a mapping table (terraform/azurerm.py) from a resource's arguments or
    one of its blocks (``view``: None when the block is not written, Unknown when it cannot be
    known; an unknown block may be the Windows one, so Windows-only rows are read too)."""
    for argument in arguments:
        if argument.windows_only and os_name != "Windows" and not isinstance(view, Unknown):
            continue
        default = argument.default
        if default == azurerm.PLATFORM:
            default = platform_default(os_name, argument.fact)
        source = view if argument.names else None  # no names: Azure's default, at the resource
        used = facts.read(argument.fact, source, argument.names, default, argument.convert)
        if argument.fact == "enable_automatic_updates":
            details["automatic_updates_attr"] = used


def _orchestrated(view, rtype: str, facts: Facts, os_name: str | None, details: dict) -> None:
    """azurerm_orchestrated_virtual_machine_scale_set: os_profile { windows/linux_configuration }."""
    facts.put_implied("orchestration_mode", "Flexible", view.loc, f"resource type {rtype}")
    _image(view, facts, "source_image_reference", with_id=False)
    facts.read("image_id", view, ("source_image_id",))
    config, os_name = _orchestrated_config(view, facts)
    read_arguments(facts, config, azurerm.ORCHESTRATED_SCALE_SET, os_name, details)


def _orchestrated_config(view, facts: Facts):
    """The windows_configuration or linux_configuration block, and the OS it implies."""
    profiles = view.blocks(azurerm.ORCHESTRATED_PROFILE)
    if isinstance(profiles, Unknown):
        facts.put_unknown("os", profiles, view.loc)
        return profiles, None
    for profile in profiles:
        found = _os_block(profile, azurerm.ORCHESTRATED_OS_BLOCKS, facts, profile.loc)
        if found is not None:
            return found
    return None, _os_from_image(facts, view.loc)


def _os_block(view, blocks, facts: Facts, loc: Location):
    """The first OS block of a mapping table that is written, and its OS; None when none is."""
    for block_name, os_name in blocks:
        configs = view.blocks(block_name)
        if isinstance(configs, Unknown):
            facts.put_unknown("os", configs, configs.location or loc)
            return configs, None
        if configs:
            facts.put_implied("os", os_name, configs[0].loc, f"{block_name} block")
            return configs[0], os_name
    return None


def _legacy(view, rtype: str, facts: Facts, os_name: str | None, details: dict) -> None:
    """Legacy azurerm_virtual_machine / azurerm_virtual_machine_scale_set (no patch_mode)."""
    image_block = (
        "storage_image_reference"
        if rtype == "azurerm_virtual_machine"
        else "storage_profile_image_reference"
    )
    _image(view, facts, image_block, with_id=True)
    if rtype == "azurerm_virtual_machine_scale_set":
        facts.put_implied("orchestration_mode", "Uniform", view.loc, f"resource type {rtype}")
    _legacy_image_uri(view, facts)
    config, os_name = _legacy_config(view, facts)
    why = f"{rtype} has no patch_mode argument; the platform default applies"
    facts.put_default("patch_mode", platform_default(os_name, "patch_mode"), view.loc, (why,))
    facts.put_default("assessment_mode", "ImageDefault", view.loc)
    # An unknown block may be the Windows one: read as if it were.
    table_os = "Windows" if isinstance(config, Unknown) else os_name
    rows = azurerm.LEGACY_OS_SETTINGS.get((table_os, config is not None), ())
    read_arguments(facts, config, rows, os_name, details)
    infer_manual(facts.facts)  # no patchMode is sent: Azure decides as for a template


def _legacy_image_uri(view, facts: Facts) -> None:
    """An unmanaged custom image (``storage_os_disk.image_uri``) identifies the image too."""
    if "image_id" in facts.facts:
        return
    for disk_block in ("storage_os_disk", "storage_profile_os_disk"):
        disks = view.blocks(disk_block)
        if isinstance(disks, Unknown) or not disks:
            continue
        read = disks[0].attr("image_uri")
        if read is not None and read.value is not None:
            facts.put("image_id", read)
        return


def _legacy_config(view, facts: Facts):
    found = _os_block(view, azurerm.LEGACY_OS_BLOCKS, facts, view.loc)
    if found is not None:
        return found
    disk_block = "storage_os_disk" if view.blocks("storage_os_disk") else "storage_profile_os_disk"
    disks = view.blocks(disk_block)
    if not isinstance(disks, Unknown) and disks:
        os_type = disks[0].attr("os_type")
        if os_type is not None and os_type.value in ("Windows", "Linux"):
            facts.put("os", os_type)
            return None, os_type.value
    return None, _os_from_image(facts, view.loc)


# --- shared pieces -------------------------------------------------------------------------


def _automatic_by_platform(view, facts: Facts, attributes: tuple[str, ...]) -> None:
    """automaticByPlatformSettings is sent when reboot_setting or the bypass flag is set.

    The provider reads both with GetOk, which skips zero values: ``bypass... = false`` and
    ``reboot_setting = ""`` send nothing, exactly like leaving them out.
    """
    unknown = None
    for attribute in attributes:
        read = view.attr(attribute)
        value = None if read is None else as_bool(read.value)
        if isinstance(value, Unknown):
            unknown = unknown or read
        elif value not in (None, False, ""):
            facts.facts["automatic_by_platform_settings"] = Fact(
                True, read.location, read.source, read.trace
            )
            return
    if unknown is not None:
        facts.put("automatic_by_platform_settings", unknown)


def _image(view, facts: Facts, block_name: str, with_id: bool) -> None:
    blocks = view.blocks(block_name)
    names = ["publisher", "offer", "sku", "version"] + (["id"] if with_id else [])
    if isinstance(blocks, Unknown):
        for name in names:
            facts.put_unknown(f"image_{name}", blocks, blocks.location or view.loc)
        return
    if not blocks:
        return
    for name in names:
        facts.read(f"image_{name}", blocks[0], (name,))


def _os_from_image(facts: Facts, loc: Location) -> str | None:
    publisher = facts.facts.get("image_publisher")
    if publisher is None:
        return None
    if isinstance(publisher.value, Unknown):
        facts.put_unknown(
            "os", Unknown(f"the OS comes from the image publisher: {publisher.value.reason}"), loc
        )
        return None
    os_name = os_from_publisher(publisher.value, facts.get_value("image_offer"))
    if os_name is not None:
        trace = (*publisher.trace, f"image publisher {publisher.value}")
        facts.facts["os"] = Fact(os_name, publisher.location, publisher.source, trace)
    return os_name


def _placement(view, facts: Facts, family: str, kind: str) -> None:
    facts.read("location", view, ("location",), convert=normalise_location)
    if kind == "vm" and family == "modern":
        facts.read("zones", view, ("zone",), convert=as_zones)
    else:
        facts.read("zones", view, ("zones",), convert=as_zones)
    if kind == "vm":
        facts.read("availability_set", view, ("availability_set_id",), convert=as_string)


# Arguments whose existence depends on the azurerm version (rules/data/terraform.yaml
# `arguments`): where each is written, so AZP111 can point at it. Blocks joined with dots.
VERSIONED_ARGUMENTS = (
    "automatic_updates_enabled",
    "enable_automatic_updates",
    "reboot_setting",
    "bypass_platform_safety_checks_on_user_schedule_enabled",
    "patch_assessment_mode",
    "automatic_os_upgrade_policy.automatic_os_upgrade_enabled",
    "automatic_os_upgrade_policy.enable_automatic_os_upgrade",
    "automatic_os_upgrade_policy.automatic_rollback_enabled",
    "automatic_os_upgrade_policy.disable_automatic_rollback",
    "os_profile.windows_configuration.automatic_updates_enabled",
    "os_profile.windows_configuration.enable_automatic_updates",
)
AUTOMATIC_OS_UPGRADE_ATTRS = ("automatic_os_upgrade_enabled", "enable_automatic_os_upgrade")


def _provider_arguments(view) -> dict[str, Location]:
    found: dict[str, Location] = {}
    for path in VERSIONED_ARGUMENTS:
        *blocks, name = path.split(".")
        current = view
        for block_name in blocks:
            inner = current.blocks(block_name)
            current = inner[0] if isinstance(inner, list) and inner else None
            if current is None:
                break
        read = current.attr(name) if current is not None else None
        if read is not None:
            found[path] = read.location
    return found


def _scale_set_upgrade(view, facts: Facts, family: str, kind: str) -> None:
    """Automatic OS image upgrade and the load balancer health probe (Uniform scale sets)."""
    if kind != "vmss" or family != "uniform":
        return
    probe = view.attr("health_probe_id")
    if probe is not None and probe.value is not None:
        # Only whether a probe is set matters; its id is known only after apply.
        facts.facts["health_probe"] = Fact(True, probe.location, "evaluated", probe.trace)
    policies = view.blocks("automatic_os_upgrade_policy")
    if isinstance(policies, Unknown):
        facts.put_unknown("automatic_os_upgrade", policies, policies.location or view.loc)
    elif policies:
        facts.read("automatic_os_upgrade", policies[0], AUTOMATIC_OS_UPGRADE_ATTRS, False, as_bool)


# Each family takes the OS its resource types name in VM_TYPES: always for modern and uniform,
# None for orchestrated and legacy (their configuration says it), hence the loose signature.
_FAMILIES: dict[str, Callable[..., None]] = {
    "modern": _modern,
    "uniform": _uniform,
    "orchestrated": _orchestrated,
    "legacy": _legacy,
}

__all__ = ["VM_TYPES", "RecordContext", "build_record"]
