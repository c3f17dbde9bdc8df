"""From an evaluated ARM resource to a ``VmRecord``: the patch-relevant facts and where they are.

The property paths are those of the Compute schema (domain.md 2.1). Lookups are
case-insensitive, as ARM's are. Absent properties get the platform default, marked as such and
located at the object where the property belongs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from armlint.arm.jsonpos import JsonObject, get_ci
from armlint.arm.template import Evaluated, TemplateScope, location_of
from armlint.model import (
    SOURCE_ABSENT,
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    SOURCE_MAYBE_SET,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    Unknown,
    VmRecord,
)

VM_TYPE = "microsoft.compute/virtualmachines"
VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
HEALTH_EXTENSION_TYPES = {"applicationhealthlinux", "applicationhealthwindows"}

WINDOWS_PUBLISHERS = ("microsoftwindowsserver", "microsoftwindowsdesktop", "microsoftsqlserver")
LINUX_PUBLISHERS = (
    "canonical",
    "redhat",
    "openlogic",
    "centos",
    "suse",
    "debian",
    "credativ",
    "oracle",
    "microsoftcblmariner",
    "almalinux",
    "kinvolk",
    "coreos",
    "erockyenterprisesoftwarefoundationinc1653071250513",
    "center-for-internet-security-inc",
)


@dataclass(slots=True)
class Found:
    """The result of following a property path through a resource."""

    value: Any
    location: Location
    present: bool
    evaluated: bool
    trace: tuple[str, ...]
    key: str = ""
    maybe_set: bool = False  # an enclosing object was unknown, not the property itself

    def fact(self, default: Any = None, has_default: bool = False) -> Fact:
        trace = focus_trace(self.trace, self.key)
        focused = Found(self.value, self.location, self.present, self.evaluated, trace, self.key)
        fact = focused._fact(default, has_default)
        if self.maybe_set and fact.source == SOURCE_UNKNOWN:
            fact.source = SOURCE_MAYBE_SET
        return fact

    def _fact(self, default: Any, has_default: bool) -> Fact:
        if isinstance(self.value, Unknown):
            return Fact(self.value, self.location, SOURCE_UNKNOWN, self.trace)
        if not self.present or self.value is None:
            if has_default:
                return Fact(default, self.location, SOURCE_DEFAULT, self.trace)
            return Fact(None, self.location, SOURCE_ABSENT, self.trace)
        source = SOURCE_EVALUATED if self.evaluated else SOURCE_LITERAL
        return Fact(self.value, self.location, source, self.trace)


def focus_trace(trace: tuple[str, ...], key: str) -> tuple[str, ...]:
    """The steps that explain one property: its own parameter, else the variable it came through.

    Evaluating an object (a whole ``windowsConfiguration`` variable, say) reads many parameters;
    the one named like the property is the one that set it.
    """
    if len(trace) <= 2:
        return trace
    starts = [i for i, step in enumerate(trace) if step.startswith(("parameters(", "variables("))]
    wanted = f"parameters('{key.lower()}')"
    chosen = next((i for i in starts if trace[i].lower().startswith(wanted)), None)
    if chosen is None:
        variables = [i for i in starts if trace[i].startswith("variables(")]
        chosen = variables[-1] if variables else (starts[0] if starts else 0)
    following = [i for i in starts if i > chosen]
    end = following[0] if following else len(trace)
    return trace[chosen:end]


def follow(root: Any, path: tuple[str, ...], scope: TemplateScope, start: Location) -> Found:
    """Walk a property path, evaluating expressions only where the path passes through them."""
    current, evaluated, trace = root, False, ()
    steps: list[tuple[Any, str]] = []  # (container, key) passed; located only when returning
    last = path[-1] if path else ""
    for depth, key in enumerate(path):
        if isinstance(current, Unknown):
            found = Found(current, _located(steps, start), True, True, trace, last)
            found.maybe_set = depth < len(path)
            return found
        if not isinstance(current, dict):
            return Found(None, _located(steps, start), False, evaluated, trace, last)
        actual, child = get_ci(current, key)
        if actual is None:
            where = _object_location(current, _located(steps, start))
            return Found(None, where, False, evaluated, trace, last)
        steps.append((current, actual))
        if isinstance(child, str):
            result = scope.resolve(child)
            if (result.value is not child and result.value != child) or result.trace:
                evaluated = True
            child, trace = result.value, trace + result.trace
        current = child
    if current is None:
        return Found(None, _located(steps, start), False, evaluated, trace, last)
    if isinstance(current, (dict, list)):
        # Items of an array or object written in place may still be expressions themselves.
        resolved = scope.resolve(current)
        evaluated = evaluated or bool(resolved.trace)
        current, trace = resolved.value, trace + resolved.trace
    return Found(current, _located(steps, start), True, evaluated, trace, last)


def _located(steps: list[tuple[Any, str]], start: Location) -> Location:
    """Where the last step's value is written: the deepest step whose container kept positions
    (an object computed by an expression has none), else ``start``. Making a Location for every
    step cost a tenth of the run."""
    for container, key in reversed(steps):
        if isinstance(container, JsonObject) and key in container.value_spans:
            return container.value_location(key)
    return start


def _object_location(obj: dict, fallback: Location) -> Location:
    return obj.location() if isinstance(obj, JsonObject) else fallback


def is_vm_type(resource_type: Any) -> str | None:
    """'vm' or 'vmss' for the Compute VM and scale-set types (not their child types)."""
    if not isinstance(resource_type, str):
        return None
    lowered = resource_type.lower()
    if lowered == VM_TYPE:
        return "vm"
    if lowered == VMSS_TYPE:
        return "vmss"
    return None


def is_partial_scale_set(resource: dict) -> bool:
    """A scale-set resource that only changes capacity of an existing set (no properties)."""
    _, properties = get_ci(resource, "properties")
    return properties is None


class RecordBuilder:
    """Collects the facts of one VM or scale-set resource."""

    def __init__(self, resource: dict, scope: TemplateScope, kind: str, location: Location) -> None:
        self.resource = resource
        self.scope = scope
        self.kind = kind
        self.start = location
        self.base = ("properties",) if kind == "vm" else ("properties", "virtualMachineProfile")

    def find(self, *path: str) -> Found:
        return follow(self.resource, path, self.scope, self.start)

    def profile(self, *path: str) -> Found:
        return self.find(*self.base, *path)

    def facts(self, siblings: SiblingIndex) -> dict[str, Fact]:
        facts: dict[str, Fact] = {}
        windows = self.profile("osProfile", "windowsConfiguration")
        linux = self.profile("osProfile", "linuxConfiguration")
        os_fact = self._os_fact(windows, linux)
        facts["os"] = os_fact
        config_path = ("osProfile", _config_name(os_fact.value))
        facts.update(self._patch_facts(os_fact, config_path, windows, linux))
        facts.update(self._image_facts())
        facts.update(self._placement_facts())
        facts["health_extension"] = self._health_extension(siblings)
        facts["maintenance_assignment"] = siblings.maintenance_fact(self)
        facts.update(self._scale_set_upgrade_facts())
        if linux.present:
            # Not in the schema for Linux (AZP118); kept apart so the Windows rules stay quiet.
            found = self.profile(
                "osProfile", "linuxConfiguration", "patchSettings", "enableHotpatching"
            )
            fact = found.fact() if found.present else None
            if fact is not None and not isinstance(fact.value, Unknown):
                # Only a written value: an unknown enclosing object says nothing about it.
                facts["linux_enable_hotpatching"] = fact
        return {name: fact for name, fact in facts.items() if fact is not None}

    # -- operating system -------------------------------------------------------------------

    def _os_fact(self, windows: Found, linux: Found) -> Fact:
        if windows.present and not isinstance(windows.value, Unknown):
            return Fact("Windows", windows.location, _source(windows), windows.trace)
        if linux.present and not isinstance(linux.value, Unknown):
            return Fact("Linux", linux.location, _source(linux), linux.trace)
        os_type = self.profile("storageProfile", "osDisk", "osType")
        if os_type.present and isinstance(os_type.value, str):
            return Fact(
                _canonical_os(os_type.value), os_type.location, _source(os_type), os_type.trace
            )
        publisher = self.profile("storageProfile", "imageReference", "publisher")
        from_image = _os_from_publisher(publisher.value)
        if from_image is not None:
            trace = (*publisher.trace, "inferred from the image publisher")
            return Fact(from_image, publisher.location, SOURCE_EVALUATED, trace)
        for found in (windows, linux, os_type, publisher):
            if isinstance(found.value, Unknown):
                return Fact(found.value, found.location, SOURCE_UNKNOWN, found.trace)
        return Fact(
            Unknown("the operating system cannot be determined"), self.start, SOURCE_UNKNOWN
        )

    # -- patch settings ---------------------------------------------------------------------

    def _patch_facts(self, os_fact: Fact, config_path: tuple, windows: Found, linux: Found):
        os_name = os_fact.value
        if isinstance(os_name, Unknown):
            return self._patch_facts_unknown_os(os_fact, windows, linux)
        settings = (*config_path, "patchSettings")
        by_platform = (*settings, "automaticByPlatformSettings")
        patch_default = "AutomaticByOS" if os_name == "Windows" else "ImageDefault"
        facts = {
            "patch_mode": self.profile(*settings, "patchMode").fact(patch_default, True),
            "assessment_mode": self.profile(*settings, "assessmentMode").fact("ImageDefault", True),
            "provision_vm_agent": self.profile(*config_path, "provisionVMAgent").fact(True, True),
            "reboot_setting": self.profile(*by_platform, "rebootSetting").fact(),
            "bypass_platform_safety_checks": self.profile(
                *by_platform, "bypassPlatformSafetyChecksOnUserSchedule"
            ).fact(),
            "automatic_by_platform_settings": _presence(self.profile(*by_platform)),
        }
        if os_name == "Windows":
            updates = self.profile(*config_path, "enableAutomaticUpdates").fact(True, True)
            facts["enable_automatic_updates"] = updates
            patch = facts["patch_mode"]
            if patch.source == SOURCE_DEFAULT and updates.value is False:
                # Without a patchMode, Azure follows enableAutomaticUpdates: false means Manual
                # (templates from before 2020 deploy this way; the CLI does the same, S1).
                patch.value = "Manual"
                patch.trace = ("inferred from enableAutomaticUpdates false",)
            facts["enable_hotpatching"] = self.profile(*settings, "enableHotpatching").fact()
            facts["time_zone"] = self.profile(*config_path, "timeZone").fact()
        return facts

    def _patch_facts_unknown_os(self, os_fact: Fact, windows: Found, linux: Found):
        """Without the OS, a value written in either configuration is still reported as written."""
        reason = Unknown(
            f"depends on the operating system, which is unknown ({os_fact.value.reason})"
        )
        facts: dict[str, Fact] = {}
        for config, name in ((windows, "windowsConfiguration"), (linux, "linuxConfiguration")):
            if not config.present:
                continue
            settings = ("osProfile", name, "patchSettings")
            for fact_name, path in (
                ("patch_mode", (*settings, "patchMode")),
                ("assessment_mode", (*settings, "assessmentMode")),
                ("provision_vm_agent", ("osProfile", name, "provisionVMAgent")),
            ):
                found = self.profile(*path)
                if found.present:
                    facts[fact_name] = found.fact()
        for fact_name in ("patch_mode", "provision_vm_agent", "enable_automatic_updates"):
            # Not written anywhere: a platform default applies, but which one depends on the OS.
            facts.setdefault(
                fact_name, Fact(reason, os_fact.location, SOURCE_DEFAULT, os_fact.trace)
            )
        return facts

    # -- image, api version, placement ------------------------------------------------------

    def _image_facts(self) -> dict[str, Fact]:
        image = self.profile("storageProfile", "imageReference")
        facts: dict[str, Fact] = {}
        if isinstance(image.value, Unknown):
            for name in ("image_publisher", "image_offer", "image_sku"):
                facts[name] = Fact(image.value, image.location, SOURCE_UNKNOWN, image.trace)
            return facts
        if not image.present:
            return facts
        for name, key in (
            ("image_publisher", "publisher"),
            ("image_offer", "offer"),
            ("image_sku", "sku"),
            ("image_version", "version"),
        ):
            found = self.profile("storageProfile", "imageReference", key)
            if found.present:
                facts[name] = found.fact()
        for key in ("id", "sharedGalleryImageId", "communityGalleryImageId"):
            found = self.profile("storageProfile", "imageReference", key)
            if found.present:
                facts["image_id"] = found.fact()
                break
        return facts

    def _placement_facts(self) -> dict[str, Fact]:
        facts: dict[str, Fact] = {}
        location = self.find("location")
        fact = location.fact()
        if isinstance(fact.value, str):
            fact.value = fact.value.lower().replace(" ", "")
        facts["location"] = fact
        facts["zones"] = self.find("zones").fact()
        if self.kind == "vm":
            facts["availability_set"] = self.find("properties", "availabilitySet", "id").fact()
        else:
            facts["orchestration_mode"] = self.find("properties", "orchestrationMode").fact(
                "Uniform", True
            )
        return facts

    def _scale_set_upgrade_facts(self) -> dict[str, Fact]:
        """Automatic OS image upgrade and the load balancer health probe (scale sets only)."""
        if self.kind != "vmss":
            return {}
        facts: dict[str, Fact] = {}
        upgrade = self.find(
            "properties", "upgradePolicy", "automaticOSUpgradePolicy", "enableAutomaticOSUpgrade"
        )
        if upgrade.present:
            facts["automatic_os_upgrade"] = upgrade.fact()
        probe = self.profile("networkProfile", "healthProbe", "id")
        if probe.present:
            fact = probe.fact()
            # Only whether a probe is set matters; its id is usually a resourceId() expression.
            facts["health_probe"] = Fact(True, fact.location, SOURCE_EVALUATED, fact.trace)
        return facts

    def _health_extension(self, siblings: SiblingIndex) -> Fact:
        if self.kind == "vmss":
            extensions = self.profile("extensionProfile", "extensions")
            if isinstance(extensions.value, Unknown):
                return Fact(extensions.value, extensions.location, SOURCE_UNKNOWN, extensions.trace)
            if isinstance(extensions.value, list):
                for index, extension in enumerate(extensions.value):
                    kind = follow(
                        extension, ("properties", "type"), self.scope, extensions.location
                    )
                    if _is_health_type(kind.value):
                        where = location_of(extensions.value, index, extensions.location)
                        return Fact(True, where, SOURCE_EVALUATED, kind.trace)
        return siblings.health_fact(self)


def _config_name(os_name: Any) -> str:
    return "windowsConfiguration" if os_name == "Windows" else "linuxConfiguration"


def _presence(found: Found) -> Fact | None:
    if isinstance(found.value, Unknown):
        source = SOURCE_MAYBE_SET if found.maybe_set else SOURCE_UNKNOWN
        return Fact(found.value, found.location, source, found.trace)
    if found.present and found.value is not None:
        return Fact(True, found.location, _source(found), found.trace)
    return None


def _source(found: Found) -> str:
    return SOURCE_EVALUATED if found.evaluated else SOURCE_LITERAL


def _canonical_os(value: str) -> str:
    lowered = value.lower()
    if lowered == "windows":
        return "Windows"
    if lowered == "linux":
        return "Linux"
    return value


def _os_from_publisher(publisher: Any) -> str | None:
    if not isinstance(publisher, str):
        return None
    lowered = publisher.lower()
    if lowered.startswith(WINDOWS_PUBLISHERS):
        return "Windows"
    if lowered.startswith(LINUX_PUBLISHERS):
        return "Linux"
    return None


def _is_health_type(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in HEALTH_EXTENSION_TYPES


@dataclass(slots=True)
class SiblingResource:
    """An extension or maintenance assignment found next to the VMs of one template."""

    kind: str  # 'health' | 'maintenance'
    name: Any  # evaluated name (may be Unknown)
    target: Any  # evaluated scope or parent reference text (may be Unknown)
    location: Location
    trace: tuple[str, ...] = ()


class SiblingIndex:
    """Health extensions and maintenance assignments of one deployment, matched to VMs by name."""

    def __init__(self) -> None:
        self.items: list[SiblingResource] = []

    def add(self, item: SiblingResource) -> None:
        self.items.append(item)

    def health_fact(self, builder: RecordBuilder) -> Fact:
        return self._match("health", builder)

    def maintenance_fact(self, builder: RecordBuilder) -> Fact:
        return self._match("maintenance", builder)

    def _match(self, kind: str, builder: RecordBuilder) -> Fact:
        vm_name = builder.scope.resolve(get_ci(builder.resource, "name")[1]).value
        unmatched: SiblingResource | None = None
        for item in self.items:
            if item.kind != kind:
                continue
            verdict = _targets(item, vm_name)
            if verdict is True:
                return Fact(True, item.location, SOURCE_EVALUATED, item.trace)
            if verdict is None:
                unmatched = item
        if unmatched is not None:
            reason = Unknown(f"cannot tell whether the {_kind_phrase(kind)} targets this VM")
            return Fact(reason, unmatched.location, SOURCE_UNKNOWN, unmatched.trace)
        # armlint looked and found none: a determined False, located at the resource.
        return Fact(False, builder.start, SOURCE_EVALUATED, (f"no {_kind_phrase(kind)} found",))


def _kind_phrase(kind: str) -> str:
    return "application health extension" if kind == "health" else "maintenance assignment"


def _targets(item: SiblingResource, vm_name: Any) -> bool | None:
    """True/False when the sibling clearly does or does not belong to the VM; None when unknown."""
    if not isinstance(vm_name, str):
        return None
    needle = vm_name.lower()
    texts = [item.name, item.target]
    if any(isinstance(text, Unknown) for text in texts):
        return None
    for text in texts:
        if isinstance(text, str):
            lowered = text.lower()
            if lowered.startswith(needle + "/") or f"/{needle}/" in lowered + "/":
                return True
            if lowered.endswith("/" + needle) or lowered == needle:
                return True
    return False


def new_record(builder: RecordBuilder, path: str, name: Any, resource_type: str) -> VmRecord:
    display = name if isinstance(name, str) else "<unknown name>"
    return VmRecord(
        path=path,
        format="arm",
        kind=builder.kind,
        resource_type=resource_type,
        name=display,
        location=builder.start,
    )


__all__ = [
    "Evaluated",
    "Found",
    "RecordBuilder",
    "SiblingIndex",
    "SiblingResource",
    "follow",
    "is_partial_scale_set",
    "is_vm_type",
    "new_record",
]
