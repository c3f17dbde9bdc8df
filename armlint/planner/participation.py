"""Which VMs take part in availability-first automatic guest patching.

Domain spec 1.8 (S7 scenario 4, DERIVED): a VM is auto-patched by the platform only when
patchMode is AutomaticByPlatform, bypassPlatformSafetyChecksOnUserSchedule is not true, the VM
agent is provisioned and the image is a supported platform image. A VM whose facts leave this
open is excluded with a reason starting 'unknown:'; it is never guessed to take part.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from armlint.model import MaintenanceSchedule, Unknown, VmRecord

AUTOMATIC_BY_PLATFORM = "AutomaticByPlatform"

ImageSupport = Callable[[VmRecord], "bool | Unknown"]


@dataclass(frozen=True, slots=True)
class Decision:
    participates: bool
    reason: str = ""  # '' when the VM participates
    unknown: bool = False  # excluded only because a fact is unknown
    fact: str = ""  # the fact that decided, for the finding location


@dataclass(frozen=True, slots=True)
class _Verdict:
    """One condition's outcome: ok, a definite 'no', or 'cannot tell'."""

    outcome: str  # 'ok' | 'no' | 'unknown'
    fact: str = ""
    reason: str = ""


_OK = _Verdict("ok")


def default_image_supported(record: VmRecord) -> bool | Unknown:
    """Without an image table every marketplace image is of unknown support; custom images are
    not supported (S1: "Custom images aren't currently supported")."""
    image_id = record.value("image_id")
    if isinstance(image_id, Unknown):
        return Unknown(f"the image id is unknown ({image_id.reason})")
    if image_id:
        return False
    if record.value("image_publisher") is None:
        return Unknown("the VM has no image reference the planner can see")
    return Unknown("image support was not checked (no image table given to the planner)")


def decide(record: VmRecord, image_supported: ImageSupport = default_image_supported) -> Decision:
    """Definite exclusions win over unknown ones: a Manual VM is excluded even if its image is
    unknown. Only when nothing rules the VM out do unknown facts exclude it as 'unknown'."""
    verdicts = [
        _patch_mode(record),
        _bypass(record),
        _vm_agent(record),
        _scale_set_mode(record),
        _image(record, image_supported),
    ]
    for verdict in verdicts:
        if verdict.outcome == "no":
            return Decision(False, verdict.reason, fact=verdict.fact)
    unknown = [verdict for verdict in verdicts if verdict.outcome == "unknown"]
    if unknown:
        reason = "unknown: " + "; ".join(verdict.reason for verdict in unknown)
        return Decision(False, reason, unknown=True, fact=unknown[0].fact)
    return Decision(True)


def _patch_mode(record: VmRecord) -> _Verdict:
    value = record.value("patch_mode")
    if isinstance(value, Unknown):
        return _Verdict("unknown", "patch_mode", f"patch mode ({value.reason})")
    if value == AUTOMATIC_BY_PLATFORM:
        return _OK
    if isinstance(value, str) and value.lower() == AUTOMATIC_BY_PLATFORM.lower():
        # Whether the API accepts another spelling is not documented; don't guess either way.
        return _Verdict("unknown", "patch_mode", f"patch mode is written {value!r}")
    shown = "not set" if value is None else repr(value)
    return _Verdict("no", "patch_mode", f"patch mode is {shown}, not AutomaticByPlatform")


def _bypass(record: VmRecord) -> _Verdict:
    value = record.value("bypass_platform_safety_checks")
    verdict = _boolean_fact("bypass_platform_safety_checks", value, "bypass flag")
    if verdict is not None:
        return verdict
    if value is True:
        # Patched by its maintenance schedule, when one is assigned (domain.md 8.2)
        schedule = record.value("maintenance_schedule")
        if isinstance(schedule, MaintenanceSchedule):
            return _OK
        if isinstance(schedule, Unknown):
            return _Verdict("unknown", "maintenance_schedule", f"schedule ({schedule.reason})")
        return _Verdict(
            "no",
            "bypass_platform_safety_checks",
            "bypassPlatformSafetyChecksOnUserSchedule is true: only a maintenance configuration "
            "schedule patches the VM (S7), and none is assigned in the input",
        )
    return _OK


def _vm_agent(record: VmRecord) -> _Verdict:
    value = record.value("provision_vm_agent")
    verdict = _boolean_fact("provision_vm_agent", value, "provisionVMAgent")
    if verdict is not None:
        return verdict
    if value is False:
        return _Verdict(
            "no",
            "provision_vm_agent",
            "provisionVMAgent is false: AutomaticByPlatform needs the VM agent (S1, S4)",
        )
    return _OK


def _boolean_fact(fact: str, value: Any, label: str) -> _Verdict | None:
    """'unknown' for an unknown or non-boolean value (a string "true" is left to the rules)."""
    if isinstance(value, Unknown):
        return _Verdict("unknown", fact, f"{label} ({value.reason})")
    if value is not None and not isinstance(value, bool):
        return _Verdict("unknown", fact, f"{label} has the non-boolean value {value!r}")
    return None


def _scale_set_mode(record: VmRecord) -> _Verdict:
    """S1 applies to VMs and Flexible scale sets; Uniform is not listed (domain spec 1.6)."""
    if record.kind != "vmss":
        return _OK
    mode = record.value("orchestration_mode")
    if mode == "Flexible":
        return _OK
    if isinstance(mode, Unknown):
        return _Verdict("unknown", "orchestration_mode", f"orchestration mode ({mode.reason})")
    if mode == "Uniform":
        reason = "Uniform scale sets are not listed by S1 (preview feature, UNCONFIRMED)"
    else:
        reason = f"scale set orchestration mode is {'not set' if mode is None else repr(mode)}"
    return _Verdict("unknown", "orchestration_mode", reason)


def _image(record: VmRecord, image_supported: ImageSupport) -> _Verdict:
    fact = "image_id" if record.value("image_id") is not None else "image_sku"
    supported = image_supported(record)
    if isinstance(supported, Unknown):
        return _Verdict("unknown", fact, supported.reason)
    if supported:
        return _OK
    return _Verdict(
        "no", fact, f"{describe_image(record)} is not supported for automatic guest patching (S1)"
    )


def describe_image(record: VmRecord) -> str:
    image_id = record.value("image_id")
    if isinstance(image_id, Unknown):
        return "custom image (id unknown)"
    if image_id is not None:
        return f"custom image {_text(image_id)}"
    parts = [_text(record.value(name)) for name in ("image_publisher", "image_offer", "image_sku")]
    return "image " + ":".join(parts)


def _text(value: Any) -> str:
    """Unknown and empty values spelled out: 'custom image ' or 'image ::' would read as typos."""
    if isinstance(value, Unknown):
        return "unknown"
    return str(value) if value not in (None, "") else "''"
