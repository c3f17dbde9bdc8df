"""From evaluated Bicep resources to ``VmRecord`` facts, on the same paths as ARM (domain 2.1).

A fact's location is the node where its property value is written (inside a variable when the
resource takes the object from a variable); its trace joins the steps of every value on the
path, outermost first. Absent properties get the platform defaults of docs/dev/contracts.md,
located at the deepest object on the path that exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from armlint.bicep.evaluate import Site
from armlint.bicep.template import Instance, Template
from armlint.bicep.values import ResourceRef, V, lookup, plain
from armlint.compute.images import canonical_os, os_from_image
from armlint.compute.schema import (
    HEALTH_EXTENSION_TYPES,
    OS_CONFIG_FACTS,
    SCALE_SET_ORCHESTRATION_DEFAULT,
    infer_manual,
    platform_default,
)
from armlint.model import (
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    Unknown,
    VmRecord,
)

_LOOP_INDEX = re.compile(r"\[\d+\]")
VM_TYPE = "Microsoft.Compute/virtualMachines"
VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
KINDS = {VM_TYPE.lower(): ("vm", VM_TYPE), VMSS_TYPE.lower(): ("vmss", VMSS_TYPE)}
EXTENSION_TYPES = frozenset(f"{t.lower()}/extensions" for t in (VM_TYPE, VMSS_TYPE))
ASSIGNMENT_TYPE = "microsoft.maintenance/configurationassignments"
HEALTH_EXTENSIONS = HEALTH_EXTENSION_TYPES
# Objects that can hold a default: a default points at the deepest of these that exists.
DEFAULT_ANCHORS = frozenset(
    {
        "osprofile",
        "windowsconfiguration",
        "linuxconfiguration",
        "patchsettings",
        "automaticbyplatformsettings",
    }
)


@dataclass
class Step:
    """A value reached by a path, with the values on the way (for trace and dependencies)."""

    value: V | None  # None: absent (or null)
    chain: list[V]
    keys: list[str]
    # What a null on the way depends on: a setting left out by a condition over an @allowed
    # parameter (``cond ? {...} : null``) is explored like a setting that reads the parameter.
    null_deps: frozenset = frozenset()

    @property
    def present(self) -> bool:
        return self.value is not None

    @property
    def unknown(self) -> bool:
        return self.value is not None and isinstance(self.value.value, Unknown)


def walk(root: V | None, *keys: str) -> Step:
    chain: list[V] = []
    walked: list[str] = []
    current = root
    for key in keys:
        if current is None:
            return Step(None, chain, walked)
        chain.append(current)
        if isinstance(current.value, Unknown):
            return Step(current, chain[:-1], walked)
        if not isinstance(current.value, dict):
            return Step(None, chain, walked)
        found = lookup(current.value, key)
        if found is None:
            return Step(None, chain, walked)
        if found.value is None:
            return Step(None, chain, walked, frozenset(found.deps))
        walked.append(key)
        current = found
    if current is not None and current.value is None:
        return Step(None, chain, walked, frozenset(current.deps))
    return Step(current, chain, walked)


def location_of(v: V | None) -> Location | None:
    if v is None:
        return None
    return v.loc.resolve() if isinstance(v.loc, Site) else v.loc


def _trace(values: list[V]) -> tuple[str, ...]:
    steps: list[str] = []
    for value in values:
        for step in value.trace:
            if step not in steps:
                steps.append(step)
    return tuple(steps)


@dataclass
class FactBuilder:
    """Turns steps into facts and remembers what the facts depend on."""

    resource_location: Location
    deps: set = field(default_factory=set)

    def from_step(self, step: Step, transform=None) -> Fact:
        value = step.value
        path = [*step.chain, value]
        for item in path:
            self.deps.update(item.deps)
        trace = _trace(path)
        location = location_of(value) or self.resource_location
        if isinstance(value.value, Unknown):
            reason = value.value.reason
            return Fact(Unknown(reason, location), location, SOURCE_UNKNOWN, trace)
        raw = plain(value)
        unknown_part = _first_unknown(raw)
        if unknown_part is not None:
            return Fact(Unknown(unknown_part.reason, location), location, SOURCE_UNKNOWN, trace)
        result = transform(raw) if transform else raw
        source = SOURCE_LITERAL if value.literal and not trace else SOURCE_EVALUATED
        return Fact(result, location, source, trace)

    def default(self, step: Step, value: Any) -> Fact:
        self.deps.update(step.null_deps)
        anchor = None
        for key, item in named_values(step):
            if key.casefold() in DEFAULT_ANCHORS:
                anchor = item
        location = location_of(anchor) or self.resource_location
        if isinstance(value, Unknown):
            value = Unknown(value.reason, location)
        return Fact(value, location, SOURCE_DEFAULT)


def named_values(step: Step) -> list[tuple[str, V]]:
    """(key, value) for every key the walk got through, outermost first."""
    values = step.chain[1:] + ([step.value] if step.value is not None else [])
    return list(zip(step.keys, values, strict=False))


def _first_unknown(value: Any) -> Unknown | None:
    from armlint.bicep.values import first_unknown

    return first_unknown(value)


def normalise_location(value: Any) -> Any:
    return value.lower().replace(" ", "") if isinstance(value, str) else value


@dataclass
class VmContext:
    """The parts of one VM/VMSS body that several facts look at."""

    body: V
    base: V | None  # properties, or properties.virtualMachineProfile for scale sets
    builder: FactBuilder

    def at(self, *keys: str) -> Step:
        return walk(self.base, *keys)


def _os_fact(vm: VmContext) -> Fact:
    builder = vm.builder
    unknown_steps: list[Step] = []
    for key in ("windowsConfiguration", "linuxConfiguration"):
        step = vm.at("osProfile", key)
        if step.unknown:
            unknown_steps.append(step)
        elif step.present:
            fact = builder.from_step(step)
            name = "Windows" if key[0] == "w" else "Linux"
            return Fact(name, fact.location, SOURCE_EVALUATED, fact.trace)
    os_type = vm.at("storageProfile", "osDisk", "osType")
    if os_type.present and not os_type.unknown:
        return builder.from_step(os_type, canonical_os)
    publisher = vm.at("storageProfile", "imageReference", "publisher")
    if publisher.present and not publisher.unknown and isinstance(publisher.value.value, str):
        offer = vm.at("storageProfile", "imageReference", "offer")
        offer_text = offer.value.value if offer.present else None
        guess = os_from_image(
            publisher.value.value, offer_text if isinstance(offer_text, str) else None
        )
        if guess is not None:
            fact = builder.from_step(publisher)
            return Fact(guess, fact.location, SOURCE_EVALUATED, fact.trace)
    for step in (*unknown_steps, os_type, publisher):
        if step.unknown:
            return builder.from_step(step)
    location = builder.resource_location
    reason = "no windowsConfiguration, linuxConfiguration, osDisk.osType or known image publisher"
    return Fact(Unknown(reason, location), location, SOURCE_UNKNOWN)


def _config_step(vm: VmContext, os_value: Any) -> Step:
    """The OS configuration object the patch settings live in."""
    if os_value == "Windows":
        return vm.at("osProfile", "windowsConfiguration")
    if os_value == "Linux":
        return vm.at("osProfile", "linuxConfiguration")
    for key in ("windowsConfiguration", "linuxConfiguration"):
        step = vm.at("osProfile", key)
        if step.unknown:
            return step
    return vm.at("osProfile", "windowsConfiguration")


def _setting(config: Step, *keys: str) -> Step:
    """A setting under the OS configuration, keeping the path from the resource body."""
    if config.value is None or config.unknown:
        return Step(config.value, config.chain, config.keys, config.null_deps)
    inner = walk(config.value, *keys)
    null_deps = config.null_deps | inner.null_deps
    return Step(inner.value, config.chain + inner.chain, config.keys + inner.keys, null_deps)


def _patch_facts(vm: VmContext, facts: dict[str, Fact]) -> None:
    builder = vm.builder
    os_value = facts["os"].value
    config = _config_step(vm, os_value)
    windows = os_value == "Windows" or (isinstance(os_value, Unknown) and config.unknown)
    for spec in OS_CONFIG_FACTS:  # the paths of compute/schema.py, below the OS configuration
        if spec.type == "presence" or (spec.windows_only and not windows):
            continue
        step = _setting(config, *spec.path[2:])
        if step.present:
            facts[spec.name] = builder.from_step(step)
    platform_settings = _setting(config, "patchSettings", "automaticByPlatformSettings")
    if platform_settings.present:
        fact = builder.from_step(platform_settings)
        if not isinstance(fact.value, Unknown):
            fact = Fact(True, fact.location, fact.source, fact.trace)
        facts["automatic_by_platform_settings"] = fact
    _patch_defaults(config, os_value, facts, builder)


def _patch_defaults(config: Step, os_value: Any, facts: dict[str, Fact], builder) -> None:
    """Platform defaults for absent settings (docs/dev/contracts.md), as the ARM loader gives."""
    if config.unknown:
        return  # the configuration itself is unknown: its settings are unknown, not defaults
    settings = _setting(config, "patchSettings")
    facts.setdefault(
        "patch_mode", builder.default(settings, platform_default(os_value, "patch_mode"))
    )
    if isinstance(os_value, Unknown):
        updates = platform_default(os_value, "enable_automatic_updates")
        facts.setdefault("enable_automatic_updates", builder.default(config, updates))
    else:
        assessment = platform_default(os_value, "assessment_mode")
        facts.setdefault("assessment_mode", builder.default(settings, assessment))
    agent = platform_default(os_value, "provision_vm_agent")
    facts.setdefault("provision_vm_agent", builder.default(config, agent))
    if os_value == "Windows":
        updates = platform_default(os_value, "enable_automatic_updates")
        facts.setdefault("enable_automatic_updates", builder.default(config, updates))
        infer_manual(facts)


def _image_facts(vm: VmContext, facts: dict[str, Fact]) -> None:
    builder = vm.builder
    image = vm.at("storageProfile", "imageReference")
    if image.unknown:
        for name in ("image_publisher", "image_offer", "image_sku", "image_version"):
            facts[name] = builder.from_step(image)
        return
    for name, key in (
        ("image_publisher", "publisher"),
        ("image_offer", "offer"),
        ("image_sku", "sku"),
        ("image_version", "version"),
    ):
        step = vm.at("storageProfile", "imageReference", key)
        if step.present:
            facts[name] = builder.from_step(step)
    for key in ("id", "sharedGalleryImageId", "communityGalleryImageId"):
        step = vm.at("storageProfile", "imageReference", key)
        if step.present:
            facts["image_id"] = builder.from_step(step)
            break


def _identity_fact(builder: FactBuilder, step: Step, text: str) -> Fact:
    """availabilitySet.id: the id is a deployment value, but its text names the set."""
    fact = builder.from_step(step)
    if not isinstance(fact.value, Unknown):
        return fact
    identity = step.value.ref
    if isinstance(identity, ResourceRef):
        identity = _resource_identity(identity)
    return Fact(identity or text, fact.location, SOURCE_EVALUATED, fact.trace)


def _resource_identity(ref: ResourceRef) -> str:
    instance = ref.template.find_instance(ref.decl, ref.index)
    name = instance.name().value if instance is not None else None
    return f"{ref.decl.full_type}/{name if isinstance(name, str) else ref.decl.symbolic}"


def _placement_facts(vm: VmContext, record_kind: str, instance: Instance, facts: dict) -> None:
    builder = vm.builder
    location = walk(vm.body, "location")
    if location.present:
        facts["location"] = builder.from_step(location, normalise_location)
    zones = walk(vm.body, "zones")
    if zones.present:
        facts["zones"] = builder.from_step(zones, _zones)
    if record_kind == "vm":
        avset = walk(vm.body, "properties", "availabilitySet", "id")
        if avset.present:
            node = _value_node(avset.value)
            text = instance.template.source.text(node) if node is not None else ""
            facts["availability_set"] = _identity_fact(builder, avset, text)
    else:
        mode = walk(vm.body, "properties", "orchestrationMode")
        if mode.present:
            facts["orchestration_mode"] = builder.from_step(mode)
        else:
            properties = walk(vm.body, "properties")
            default = builder.default(properties, SCALE_SET_ORCHESTRATION_DEFAULT)
            default.location = location_of(properties.value) or builder.resource_location
            facts["orchestration_mode"] = default


def _value_node(v: V) -> Any:
    return v.loc.node if isinstance(v.loc, Site) else None


def _zones(value: Any) -> Any:
    if isinstance(value, list):
        return [str(zone) for zone in value]
    return value


def vm_facts(instance: Instance, kind: str, resource_location: Location, builder: FactBuilder):
    body = instance.body()
    base = walk(body, "properties")
    if kind == "vmss" and base.present and not base.unknown:
        base = walk(base.value, "virtualMachineProfile")
    vm = VmContext(body, base.value, builder)
    facts: dict[str, Fact] = {"os": _os_fact(vm)}
    _patch_facts(vm, facts)
    _image_facts(vm, facts)
    type_node = instance.decl.type_node
    facts["api_version"] = Fact(
        instance.decl.api_version,
        instance.template.source.location(type_node) if type_node is not None else None,
        SOURCE_LITERAL,
    )
    _placement_facts(vm, kind, instance, facts)
    _scale_set_upgrade_facts(vm, kind, facts)
    hotpatch = vm.at("osProfile", "linuxConfiguration", "patchSettings", "enableHotpatching")
    fact = builder.from_step(hotpatch) if hotpatch.present else None
    if fact is not None and not isinstance(fact.value, Unknown):
        # Not in the schema for Linux (AZP118); kept apart so the Windows rules stay quiet.
        facts["linux_enable_hotpatching"] = fact
    return facts, vm


def _scale_set_upgrade_facts(vm: VmContext, kind: str, facts: dict) -> None:
    """Automatic OS image upgrade and the load balancer health probe (scale sets only)."""
    if kind != "vmss":
        return
    upgrade = walk(
        vm.body,
        "properties",
        "upgradePolicy",
        "automaticOSUpgradePolicy",
        "enableAutomaticOSUpgrade",
    )
    if upgrade.present:
        facts["automatic_os_upgrade"] = vm.builder.from_step(upgrade)
    probe = vm.at("networkProfile", "healthProbe", "id")
    if probe.present:
        fact = vm.builder.from_step(probe)
        # Only whether a probe is set matters; its id is a deployment value.
        facts["health_probe"] = Fact(True, fact.location, SOURCE_EVALUATED, fact.trace)


def record_kind(instance: Instance) -> tuple[str, str] | None:
    if instance.decl.existing:
        return None
    return KINDS.get(instance.decl.full_type.lower())


def new_record(instance: Instance, template: Template, kind: str, resource_type: str) -> VmRecord:
    decl = instance.decl
    body_node = decl.shape.body if decl.shape.body is not None else decl.node
    name = instance.name().value
    path = f"resource {decl.symbolic}"
    parent = decl.parent
    while parent is not None:
        path = f"resource {parent.symbolic}/{path}"
        parent = parent.parent
    address = f"{template.address}{path}"
    group, index = "", instance.index
    if decl.shape.loop is not None:
        group = decl.symbolic
    elif template.module is not None and template.module.index is not None:
        # one instance per iteration of a module loop: the loop is the redundancy group
        group, index = _LOOP_INDEX.sub("", address), template.module.index
    return VmRecord(
        path=template.source.display,
        format="bicep",
        kind=kind,
        resource_type=resource_type,
        name=name if isinstance(name, str) else decl.symbolic,
        name_known=isinstance(name, str),
        location=template.source.location(body_node),
        address=address,
        group=group,
        index=index,
    )


__all__ = ["FactBuilder", "new_record", "record_kind", "vm_facts"]
