"""azapi_resource VMs and scale sets: facts from an ARM-shaped ``body`` (domain 2.1 paths).

The body is an evaluated object whose attributes remember where they were written
(``values.ObjectValue``) or, in a plan, a position-keeping JSON object; either way each fact
points at the property's own value, or at the deepest object that exists when it is absent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from armlint.arm.jsonpos import get_ci
from armlint.compute.schema import SCALE_SET_ORCHESTRATION_DEFAULT, infer_manual
from armlint.model import SOURCE_EVALUATED, SOURCE_UNKNOWN, Fact, Location, Unknown, VmRecord
from armlint.terraform import nodes as n
from armlint.terraform.extract import OS_UNKNOWN, PATCH_MODE_DEFAULT, RecordContext
from armlint.terraform.facts import (
    Facts,
    as_bool,
    as_zones,
    normalise_location,
    os_from_publisher,
    resolve_id,
)
from armlint.terraform.relations import is_health_type
from armlint.terraform.values import meta_of
from armlint.terraform.views import Value

AZAPI_TYPE = re.compile(
    r"^Microsoft\.Compute/(virtualMachines|virtualMachineScaleSets)@(.+)$", re.I
)
KINDS = {"virtualmachines": "vm", "virtualmachinescalesets": "vmss"}


def compute_kind(type_value: Any) -> tuple[str, str] | None:
    """('vm' | 'vmss', api version) for a Compute VM / VMSS azapi type string."""
    if not isinstance(type_value, str):
        return None
    match = AZAPI_TYPE.match(type_value.strip())
    if match is None:
        return None
    return KINDS[match.group(1).lower()], match.group(2)


@dataclass(slots=True)
class Cursor:
    """A position in the body: the value there and where it was written."""

    value: Any
    loc: Location
    source: str
    trace: tuple[str, ...] = ()

    def child(self, key: str) -> Cursor | None:
        if isinstance(self.value, Unknown):
            return Cursor(self.value, self.loc, SOURCE_UNKNOWN, self.trace)
        if not isinstance(self.value, dict):
            return None
        actual, item = get_ci(self.value, key)
        if actual is None or item is None:
            return None
        loc, source, trace = self._where(actual)
        if isinstance(item, Unknown):
            source = SOURCE_UNKNOWN
        return Cursor(item, loc, source, trace)

    def _where(self, key: str) -> tuple[Location, str, tuple[str, ...]]:
        meta = meta_of(self.value, key)
        if meta is not None:
            # The element's own steps: the enclosing object's steps cover its siblings too.
            return meta.loc, ("literal" if meta.literal else SOURCE_EVALUATED), meta.trace
        locate = getattr(self.value, "value_location", None)
        if locate is not None:
            try:
                return locate(key), self.source, self.trace
            except (KeyError, AttributeError):
                pass  # a value added for after_unknown has no position of its own
        return self.loc, self.source, self.trace

    def path(self, *keys: str) -> Cursor | None:
        cursor: Cursor | None = self
        for key in keys:
            cursor = cursor.child(key) if cursor is not None else None
        return cursor

    def as_value(self) -> Value:
        return Value(self.value, self.loc, self.source, self.trace)


def build_azapi_record(
    view, type_read: Value, body: Cursor | None, context: RecordContext
) -> VmRecord:
    kind, api_version = compute_kind(type_read.value)
    facts = Facts(view.loc)
    root = body or Cursor({}, view.loc, "literal")
    base = (
        root.path("properties", "virtualMachineProfile")
        if kind == "vmss"
        else root.child("properties")
    )
    base = base or Cursor({}, root.loc, root.source)
    facts.facts["api_version"] = Fact(api_version, type_read.loc, type_read.source, type_read.trace)
    _image(base, facts)
    os_name, config = _os(base, facts)
    _patch_settings(config, facts, os_name, base)
    _placement(view, root, facts, kind)
    if kind == "vmss":
        properties = root.child("properties")
        _put(
            facts,
            "orchestration_mode",
            root.path("properties", "orchestrationMode"),
            default=SCALE_SET_ORCHESTRATION_DEFAULT,
            loc=properties.loc if properties is not None else root.loc,
        )
        _inline_health(base, facts)
    if context.relations is not None:
        inline = facts.facts.pop("health_extension", None)
        context.relations.add_facts(facts, context.full_address, kind, _NoBlocks(view))
        if inline is not None and (
            inline.value is True or facts.facts["health_extension"].value is False
        ):
            facts.facts["health_extension"] = inline
    arm_type = type_read.value.split("@", 1)[0]
    return VmRecord(
        path=view.loc.path,
        format=context.format,
        kind=kind,
        resource_type="azapi_resource",
        name=context.name or context.full_address,
        location=view.loc,
        facts=facts.result(),
        address=context.address,
        group=context.group,
        index=context.index,
        **context.details,
        arm_type=arm_type,
    )


def body_cursor(view) -> Cursor | None:
    """The ``body`` argument as a cursor; ``jsonencode({...})`` is read through (azapi v1)."""
    expr = view.expr("body")
    if isinstance(expr, n.Call) and expr.name == "jsonencode" and len(expr.args) == 1:
        value, steps = view.instance.evaluator.evaluate(expr.args[0], view.scope)
        return Cursor(value, expr.args[0].loc, SOURCE_EVALUATED, steps)
    read = view.attr("body")
    if read is None:
        return None
    value = read.value
    if isinstance(value, str):
        value = _decode_json_body(value)
    return Cursor(value, read.loc, read.source, read.trace)


def _decode_json_body(text: str) -> Any:
    import json

    try:
        return json.loads(text)
    except ValueError:
        return Unknown("the body string is not JSON")


def _put(
    facts: Facts, name: str, cursor: Cursor | None, convert=None, default: Any = None, loc=None
) -> None:
    if cursor is not None:
        facts.put(name, cursor.as_value(), convert)
    elif default is not None:
        facts.put_default(name, default, loc or facts.loc)


def _image(base: Cursor, facts: Facts) -> None:
    reference = base.path("storageProfile", "imageReference")
    if reference is None:
        return
    for name in ("publisher", "offer", "sku", "version"):
        _put(facts, f"image_{name}", reference.child(name))
    for key in ("id", "sharedGalleryImageId", "communityGalleryImageId"):
        found = reference.child(key)
        if found is not None:
            facts.put("image_id", found.as_value(), lambda value: resolve_id("image_id", value))
            break


def _os(base: Cursor, facts: Facts) -> tuple[str | None, Cursor | None]:
    profile = base.child("osProfile")
    for key, os_name in (("windowsConfiguration", "Windows"), ("linuxConfiguration", "Linux")):
        config = profile.child(key) if profile is not None else None
        if config is not None and not isinstance(config.value, Unknown):
            facts.facts["os"] = Fact(os_name, config.loc, config.source, (*config.trace, key))
            return os_name, config
    if profile is not None and isinstance(profile.value, Unknown):
        facts.put_unknown("os", profile.value, profile.loc)
        return None, profile
    os_type = base.path("storageProfile", "osDisk", "osType")
    if os_type is not None and os_type.value in ("Windows", "Linux"):
        facts.put("os", os_type.as_value())
        return os_type.value, None
    publisher = facts.facts.get("image_publisher")
    os_name = (
        os_from_publisher(publisher.value, facts.get_value("image_offer")) if publisher else None
    )
    if os_name is not None:
        facts.facts["os"] = Fact(os_name, publisher.location, publisher.source, publisher.trace)
    return os_name, None


def _patch_settings(config: Cursor | None, facts: Facts, os_name: str | None, base: Cursor) -> None:
    if config is not None and isinstance(config.value, Unknown):
        for name in (
            "patch_mode",
            "assessment_mode",
            "provision_vm_agent",
            "enable_automatic_updates",
        ):
            facts.put_unknown(name, config.value, config.loc)
        return
    where = config.loc if config is not None else base.loc
    settings = config.child("patchSettings") if config is not None else None
    default_mode = PATCH_MODE_DEFAULT.get(os_name, OS_UNKNOWN) if os_name else OS_UNKNOWN
    patch_loc = settings.loc if settings is not None else where
    _put(facts, "patch_mode", _in(settings, "patchMode"), default=default_mode, loc=patch_loc)
    _put(
        facts,
        "assessment_mode",
        _in(settings, "assessmentMode"),
        default="ImageDefault",
        loc=patch_loc,
    )
    _put(
        facts,
        "provision_vm_agent",
        _in(config, "provisionVMAgent"),
        as_bool,
        default=True,
        loc=where,
    )
    platform = _in(settings, "automaticByPlatformSettings")
    if platform is not None:
        facts.facts["automatic_by_platform_settings"] = Fact(
            True, platform.loc, platform.source, platform.trace
        )
        _put(facts, "reboot_setting", platform.child("rebootSetting"))
        _put(
            facts,
            "bypass_platform_safety_checks",
            platform.child("bypassPlatformSafetyChecksOnUserSchedule"),
            as_bool,
        )
    if os_name == "Windows":
        _put(
            facts,
            "enable_automatic_updates",
            _in(config, "enableAutomaticUpdates"),
            as_bool,
            default=True,
            loc=where,
        )
        _put(facts, "enable_hotpatching", _in(settings, "enableHotpatching"), as_bool)
        _put(facts, "time_zone", _in(config, "timeZone"))
        infer_manual(facts.facts)  # an ARM body: Azure decides as for a template (schema.py)


def _in(cursor: Cursor | None, key: str) -> Cursor | None:
    return cursor.child(key) if cursor is not None else None


def _placement(view, root: Cursor, facts: Facts, kind: str) -> None:
    location = view.attr("location")
    if location is not None and location.value is not None:
        facts.put("location", location, normalise_location)
    else:
        _put(facts, "location", root.child("location"), normalise_location)
    _put(facts, "zones", root.child("zones"), as_zones)
    if kind == "vm":
        _put(
            facts,
            "availability_set",
            root.path("properties", "availabilitySet", "id"),
            lambda v: resolve_id("availability_set", v),
        )


def _inline_health(base: Cursor, facts: Facts) -> None:
    extensions = base.path("extensionProfile", "extensions")
    if extensions is None:
        return
    if isinstance(extensions.value, Unknown):
        facts.put_unknown("health_extension", extensions.value, extensions.loc)
        return
    if not isinstance(extensions.value, list):
        return
    for position, item in enumerate(extensions.value):
        item_cursor = Cursor(
            item, _item_loc(extensions, position), extensions.source, extensions.trace
        )
        ext_type = item_cursor.path("properties", "type")
        if ext_type is not None and is_health_type(ext_type.value) is True:
            facts.facts["health_extension"] = Fact(
                True, ext_type.loc, ext_type.source, ext_type.trace
            )
            return


def _item_loc(cursor: Cursor, position: int) -> Location:
    locate = getattr(cursor.value, "item_location", None)
    return locate(position) if locate is not None else cursor.loc


class _NoBlocks:
    """Relations look for inline extension blocks; an azapi body has none (read above)."""

    def __init__(self, view) -> None:
        self.view = view
        self.loc = view.loc

    def blocks(self, name: str) -> list:
        return []

    def attr(self, name: str):
        if name == "tags":
            return self.view.attr("tags")
        return None
