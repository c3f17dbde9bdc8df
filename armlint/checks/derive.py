"""Derived facts: what the rules/data tables say about a record's facts.

``derive`` adds facts such as ``image_supported`` or ``patch_mode_valid`` to the facts view, so
rules stay plain conditions. A derived fact is left out when it does not apply (no image, no
patch mode); when an input it needs is unknown it is that same ``Unknown``, so the engine can
name the real cause in AZP002.
"""

from __future__ import annotations

from armlint.checks.tables import (
    IMAGE_REMOVED,
    IMAGE_SUPPORTED,
    OS_NAMES,
    Tables,
    api_version_key,
    listed_api_version_key,
)
from armlint.model import Unknown, is_unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

DERIVED_FACTS = (
    "image_kind",  # 'marketplace' | 'custom' | 'none'
    "image_supported",
    "image_hotpatchable",
    "image_removed",
    "image_hotpatch_preview",  # one of the two hotpatch preview offers (images.yaml)
    "patch_mode_valid",
    "patch_mode_suggestion",
    "api_version_is_vm",
    "api_version_recommended",
    "maintenance_guest_scope",  # the assigned configuration's scope is InGuestPatch (bool)
)

_IMAGE_PARTS = ("image_publisher", "image_offer", "image_sku")
# The facts ``derive`` reads: the engine keeps derived facts by their values
# (``Engine._view_outcome``); tests/checks/test_engine_memo.py checks it reads no other.
DERIVE_INPUTS = frozenset(
    {
        "image_id",
        *_IMAGE_PARTS,
        "patch_mode",
        "os",
        "enable_automatic_updates",
        "api_version",
        "maintenance_schedule",
    }
)
_OS_NOT_KNOWN = "the OS is not known"


def derive(view: dict, profile: str, tables: Tables) -> dict:
    """The derived facts for one record's facts view under an armlint profile."""
    derived: dict[str, Any] = {}
    derived.update(_image_facts(view, profile, tables))
    derived.update(_patch_mode_facts(view, profile, tables))
    derived.update(_api_version_facts(view, profile, tables))
    derived.update(_maintenance_facts(view))
    return derived


def _maintenance_facts(view: dict) -> dict:
    """Whether the assigned configuration is a guest patch schedule, when its scope is known
    (S21: InGuestPatch is the guest scope; Host and OSImage are platform schedules)."""
    schedule = view.get("maintenance_schedule")
    scope = getattr(schedule, "scope", None)
    if not isinstance(scope, str) or not scope.strip():
        return {}
    return {"maintenance_guest_scope": scope.strip().lower() == "inguestpatch"}


# --- images -----------------------------------------------------------------------------------


def _image_facts(view: dict, profile: str, tables: Tables) -> dict:
    if "image_id" in view:
        # S1: custom and gallery images are not supported; S6: they cannot hotpatch.
        return {
            "image_kind": "custom",
            "image_supported": False,
            "image_hotpatchable": False,
            "image_removed": False,
        }
    if not any(name in view for name in _IMAGE_PARTS):
        return {"image_kind": "none"}
    parts = [view.get(name) for name in _IMAGE_PARTS]
    unknown = next((part for part in parts if is_unknown(part)), None)
    if unknown is None:
        return {"image_kind": "marketplace", **_known_image_facts(parts, profile, tables)}
    return {
        "image_kind": "marketplace",
        **_partly_known_image_facts(parts, unknown, profile, tables),
    }


def _known_image_facts(parts: list, profile: str, tables: Tables) -> dict:
    # An absent part ('') matches no listed image.
    publisher, offer, sku = ("" if part is None else str(part) for part in parts)
    status = tables.image_status(publisher, offer, sku, profile)
    facts = {
        "image_supported": status == IMAGE_SUPPORTED,
        "image_removed": status == IMAGE_REMOVED,
        "image_hotpatchable": tables.is_hotpatchable(publisher, offer, sku, profile),
    }
    if tables.is_hotpatch_preview(publisher, offer, sku, profile):
        facts["image_hotpatch_preview"] = True  # only where it holds: it exempts, never decides
    return facts


def _partly_known_image_facts(parts: list, unknown: Unknown, profile: str, tables: Tables) -> dict:
    """Decide what the known parts already decide; the rest stays unknown."""
    # None fits any listed image (the unknown part), '' fits none (an absent part).
    publisher, offer, sku = (
        None if is_unknown(part) else ("" if part is None else str(part)) for part in parts
    )

    def could_be(status: str) -> Any:
        return unknown if tables.image_could_be(status, publisher, offer, sku, profile) else False

    return {
        "image_supported": could_be(IMAGE_SUPPORTED),
        "image_removed": could_be(IMAGE_REMOVED),
        "image_hotpatchable": could_be("hotpatchable"),
    }


# --- patch mode -------------------------------------------------------------------------------


def _patch_mode_facts(view: dict, profile: str, tables: Tables) -> dict:
    if "patch_mode" not in view:
        return {}
    mode = view["patch_mode"]
    if is_unknown(mode):
        return {"patch_mode_valid": mode, "patch_mode_suggestion": mode}
    os = view.get("os")
    allowed = _allowed_patch_modes(os, profile, tables)
    valid = _patch_mode_validity(mode, os, profile, tables)
    if valid is False:
        suggestion = _suggest_patch_mode(mode, os, allowed, view, tables)
        return {"patch_mode_valid": False, "patch_mode_suggestion": suggestion}
    if is_unknown(valid):
        return {"patch_mode_valid": valid, "patch_mode_suggestion": valid}
    return {"patch_mode_valid": True}


def _allowed_patch_modes(os: Any, profile: str, tables: Tables) -> tuple[str, ...]:
    if os in OS_NAMES:
        return tables.patch_modes(os, profile)
    values: list[str] = []
    for name in OS_NAMES:
        values.extend(v for v in tables.patch_modes(name, profile) if v not in values)
    return tuple(values)


def _patch_mode_validity(mode: Any, os: Any, profile: str, tables: Tables) -> Any:
    """True, False, or Unknown when only the (unknown) OS decides."""
    if not isinstance(mode, str):
        return False
    if os in OS_NAMES:
        return mode in tables.patch_modes(os, profile)
    valid_for = [name for name in OS_NAMES if mode in tables.patch_modes(name, profile)]
    if len(valid_for) == len(OS_NAMES):
        return True
    if not valid_for:
        return False
    return os if is_unknown(os) else Unknown(_OS_NOT_KNOWN)


def _suggest_patch_mode(mode: Any, os: Any, allowed: tuple, view: dict, tables: Tables) -> Any:
    """The nearest valid patchMode: same word in the right case, the other OS's equivalent,
    else the closest spelling (the seed document itself writes 'AutomaticByPlatfom')."""
    if not allowed:
        return None
    text = str(mode)
    by_lower = {value.lower(): value for value in allowed}
    suggestion = by_lower.get(text.lower())
    if suggestion is None and os in OS_NAMES:
        equivalents = {k.lower(): v for k, v in tables.patch_mode_equivalents.get(os, {}).items()}
        suggestion = by_lower.get(str(equivalents.get(text.lower(), "")).lower())
    if suggestion is None:
        import difflib  # only for a typo: not on every run's start-up path

        # Only the first characters matter for a typo, and difflib is quadratic in length.
        closest = difflib.get_close_matches(text[:64].lower(), list(by_lower), n=1, cutoff=0.0)
        suggestion = by_lower[closest[0]]
    # AutomaticByOS needs enableAutomaticUpdates true (AZP101); with it false, Manual is the
    # mode that keeps the VM's own behaviour.
    if suggestion == "AutomaticByOS" and view.get("enable_automatic_updates") is False:
        suggestion = by_lower.get("manual", suggestion)
    return suggestion


# --- api-version ------------------------------------------------------------------------------


def _api_version_facts(view: dict, profile: str, tables: Tables) -> dict:
    if "api_version" not in view:
        return {}
    version = view["api_version"]
    if is_unknown(version):
        return {"api_version_is_vm": version, "api_version_recommended": version}
    facts: dict[str, Any] = {"api_version_is_vm": tables.is_vm_api_version(version)}
    key = api_version_key(version)
    if key is not None:
        # Left out for a value that is no api-version at all: AZP303 reports that one.
        recommended = listed_api_version_key(tables.recommended_api_version(profile))
        facts["api_version_recommended"] = key >= recommended
    return facts
