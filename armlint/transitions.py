"""Two versions of the same VMs: the patch-setting changes Azure refuses or that recreate a VM.

The "before" is what exists (a template at a git ref, an older folder, an exported live VM, the
state in a Terraform plan); the "after" is what will be deployed. Both are compared on their
effective values, so platform defaults count (a Windows VM without ``enableAutomaticUpdates``
has it true). Azure's rules (domain.md 1.5, 3.2, section 4):

- ``enableAutomaticUpdates`` can only be set when the VM is created: ARM answers
  ``PropertyChangeNotAllowed`` (I2), Terraform replaces the VM (ForceNew, I9) -> AZP401.
- AutomaticByOS <-> Manual is not supported -> AZP402.
- AutomaticByPlatform <-> AutomaticByOS needs enableAutomaticUpdates=true and
  AutomaticByPlatform <-> Manual needs false; the 2020 preview only allowed
  AutomaticByOS -> AutomaticByPlatform (S2) -> AZP403.
- ``provisionVMAgent`` is set at creation (ForceNew in Terraform), and a plan that replaces a VM
  whose patch settings change recreates it -> AZP404.

A value unknown on either side never passes silently: it gives AZP002 naming the value and the
rules it kept from deciding, and never a guessed AZP40x.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from armlint.checks.engine import FACT_LABELS, fingerprint, render_value
from armlint.model import (
    SOURCE_DEFAULT,
    Fact,
    FileReport,
    Finding,
    Location,
    RunResult,
    Unknown,
    VmRecord,
)
from armlint.pipeline import RunOptions, load_records

BYOS = "AutomaticByOS"
MANUAL = "Manual"
PLATFORM = "AutomaticByPlatform"
IMAGE_DEFAULT = "ImageDefault"
WINDOWS_MODES = (BYOS, MANUAL, PLATFORM)
PREVIEW_2020 = "preview-2020"
TERRAFORM_FORMATS = ("terraform", "plan")
UNKNOWN_RULE = "AZP002"

# Used only when the rule pack lacks a rule file, so a finding still has a name.
RULE_NAMES = {
    "AZP002": ("unknown-value", "info"),
    "AZP401": ("enable-automatic-updates-changed", "error"),
    "AZP402": ("byos-manual-switch", "error"),
    "AZP403": ("platform-switch-not-allowed", "error"),
    "AZP404": ("agent-change-recreates-vm", "warning"),
}

# Patch settings whose change, on a VM a plan replaces anyway, is worth a warning (AZP404).
# enableAutomaticUpdates and provisionVMAgent have their own findings.
REPLACEMENT_FACTS = (
    "patch_mode",
    "assessment_mode",
    "enable_hotpatching",
    "reboot_setting",
    "bypass_platform_safety_checks",
    "automatic_by_platform_settings",
)
BOOLEAN_FACTS = {
    "enable_automatic_updates",
    "provision_vm_agent",
    "enable_hotpatching",
    "bypass_platform_safety_checks",
}

DescribeBefore = Callable[[Fact], str]


# -- outcomes -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Hit:
    """A refused or recreating change; ``at`` is the after-side fact the finding points at."""

    rule: str
    at: str
    message: str


@dataclass(frozen=True, slots=True)
class Blocked:
    """Rules that cannot decide because ``fact`` is unknown on ``side`` ('before'/'after'/'both')."""

    rules: tuple[str, ...]
    fact: str
    side: str


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the transition matrix says about one patchMode switch."""

    rule: str = ""  # '' when Azure allows the switch, else 'AZP402' / 'AZP403'
    reason: str = ""
    needs_automatic_updates: bool = False  # undecided: the VM's enableAutomaticUpdates is unknown
    refused_for_flag: bool = False  # refused because of the VM's enableAutomaticUpdates value


ALLOWED = Verdict()


# -- the transition matrix (domain.md 1.5) -------------------------------------------------


def switch_verdict(
    os_name: str, before: Any, after: Any, automatic_updates: Any, profile: str
) -> Verdict:
    """Whether Azure lets a VM switch patchMode from ``before`` to ``after``.

    ``automatic_updates`` is the VM's enableAutomaticUpdates as created (it cannot change).
    Values outside the OS's enum are another rule's business (AZP101), never a switch finding.
    """
    if before == after or os_name != "Windows":
        # Linux: ImageDefault <-> AutomaticByPlatform both ways, in both profiles (S1).
        return ALLOWED
    modes = {before, after}
    if not modes <= set(WINDOWS_MODES):
        return ALLOWED
    if modes == {BYOS, MANUAL}:
        return Verdict("AZP402", _byos_manual_reason(before, profile))
    if profile == PREVIEW_2020 and (before, after) != (BYOS, PLATFORM):
        reason = (
            "the 2020 preview only supports switching from AutomaticByOS to AutomaticByPlatform"
        )
        return Verdict("AZP403", reason)
    return _platform_switch_verdict(before if after == PLATFORM else after, automatic_updates)


def _byos_manual_reason(before: str, profile: str) -> str:
    if profile == PREVIEW_2020:
        if before == MANUAL:
            return "the 2020 preview does not support switching from Manual to an automatic mode"
        return "the 2020 preview does not support switching from an automatic mode to Manual"
    return "Azure does not support switching between AutomaticByOS and Manual"


def _platform_switch_verdict(other: str, automatic_updates: Any) -> Verdict:
    """AutomaticByPlatform <-> AutomaticByOS needs eAU=true; <-> Manual needs eAU=false (S1)."""
    needed = other == BYOS
    if isinstance(automatic_updates, Unknown):
        return Verdict(needs_automatic_updates=True)
    if not isinstance(automatic_updates, bool):
        return ALLOWED  # an invalid enableAutomaticUpdates is reported by the single-version rules
    if automatic_updates == needed:
        return ALLOWED
    reason = (
        f"switching between AutomaticByPlatform and {other} is only supported on VMs created with"
        f" enableAutomaticUpdates={render_value(needed)}"
    )
    return Verdict("AZP403", reason, refused_for_flag=True)


# -- one pair -------------------------------------------------------------------------------


@dataclass
class Change:
    """One VM in two versions, and how to name where the before values came from."""

    before: VmRecord
    after: VmRecord
    describe_before: DescribeBefore
    replaced: bool = False  # a Terraform plan destroys and recreates the VM
    replace_paths: tuple[str, ...] = ()

    def facts(self, name: str) -> tuple[Fact, Fact]:
        return self.before.fact(name), self.after.fact(name)

    def values(self, name: str) -> tuple[Any, Any]:
        before, after = self.facts(name)
        return effective(name, before.value), effective(name, after.value)

    @property
    def terraform(self) -> bool:
        return self.after.format in TERRAFORM_FORMATS


def effective(name: str, value: Any) -> Any:
    """The value Azure acts on: enum values are case-insensitive, "true" strings are booleans."""
    if isinstance(value, str):
        if name in BOOLEAN_FACTS and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if name == "patch_mode":
            for mode in (*WINDOWS_MODES, IMAGE_DEFAULT):
                if value.lower() == mode.lower():
                    return mode
    return value


def unknown_side(before: Any, after: Any) -> str:
    """'before', 'after', 'both' or '' for the sides whose value is unknown."""
    old, new = isinstance(before, Unknown), isinstance(after, Unknown)
    if old and new:
        return "both"
    return "before" if old else ("after" if new else "")


def os_of(change: Change) -> Any:
    """The VM's OS (it cannot change); None when the two versions name different systems."""
    before, after = change.values("os")
    if isinstance(after, str) and isinstance(before, str):
        return after if after == before else None
    if isinstance(after, str):
        return after
    if isinstance(before, str):
        return before
    return after if isinstance(after, Unknown) else before


def _changes_text(change: Change, name: str) -> str:
    """The change in words, e.g. patchMode changes from 'Manual' to 'AutomaticByOS' (was
    'Manual' at origin/main:vm.json:17)."""
    before, after = change.facts(name)
    old, new = change.values(name)
    was = render_value(old) + (", the platform default," if before.source == SOURCE_DEFAULT else "")
    return (
        f"{label_of(name)} changes from {_value_text(old, before)} to {_value_text(new, after)}"
        f" (was {was} {change.describe_before(before)})"
    )


def _value_text(value: Any, fact: Fact) -> str:
    default = " (platform default)" if fact.source == SOURCE_DEFAULT else ""
    return render_value(value) + default


def label_of(name: str) -> str:
    return FACT_LABELS.get(name, name)


# -- the checks ----------------------------------------------------------------------------


def check_automatic_updates(change: Change, profile: str) -> Iterator[Hit | Blocked]:
    """AZP401: enableAutomaticUpdates is fixed at creation (S1; I2; Terraform ForceNew, I9)."""
    os_name = os_of(change)
    if os_name is None or (isinstance(os_name, str) and os_name != "Windows"):
        return
    before, after = change.values("enable_automatic_updates")
    side = unknown_side(before, after)
    if side:
        yield Blocked(("AZP401",), "enable_automatic_updates", side)
        return
    if before == after:
        return
    yield Hit(
        "AZP401",
        "enable_automatic_updates",
        f"{_changes_text(change, 'enable_automatic_updates')}; {_fixed_at_creation(change)}",
    )


def _fixed_at_creation(change: Change) -> str:
    if change.replaced:
        return "the plan replaces the VM: it will be destroyed and recreated"
    if change.terraform:
        return "it can only be set when the VM is created, so Terraform replaces the VM (ForceNew)"
    return (
        "it can only be set when the VM is created, so the deployment fails with"
        " PropertyChangeNotAllowed"
    )


def check_mode_switch(change: Change, profile: str) -> Iterator[Hit | Blocked]:
    """AZP402 / AZP403: the patchMode switches of the transition matrix (domain.md 1.5)."""
    before, after = change.values("patch_mode")
    side = unknown_side(before, after)
    if side:
        yield Blocked(("AZP402", "AZP403"), "patch_mode", side)
        return
    if before == after or _both_defaults(change, "patch_mode"):
        return
    os_name = os_of(change)
    if isinstance(os_name, Unknown):
        yield Blocked(("AZP402", "AZP403"), "os", "both")
        return
    if os_name is None:
        return  # a different operating system is a different VM, not a mode switch
    automatic_updates = change.values("enable_automatic_updates")[0]
    verdict = switch_verdict(os_name, before, after, automatic_updates, profile)
    if verdict.needs_automatic_updates:
        yield Blocked(("AZP403",), "enable_automatic_updates", "before")
    elif verdict.rule:
        reason = verdict.reason
        if verdict.refused_for_flag:
            reason += f", and this VM has {_vm_automatic_updates(change)}"
        yield Hit(verdict.rule, "patch_mode", f"{_changes_text(change, 'patch_mode')}; {reason}")


def _both_defaults(change: Change, name: str) -> bool:
    """Unwritten on both sides: a different default only follows another change.

    The ARM loader infers Manual for a Windows VM without patchMode whose
    enableAutomaticUpdates is false; that change is AZP401's, not a mode switch of its own.
    """
    before, after = change.facts(name)
    return before.source == SOURCE_DEFAULT and after.source == SOURCE_DEFAULT


def _vm_automatic_updates(change: Change) -> str:
    fact = change.before.fact("enable_automatic_updates")
    value = render_value(effective("enable_automatic_updates", fact.value))
    default = ", the platform default" if fact.source == SOURCE_DEFAULT else ""
    return f"{value} ({change.describe_before(fact)}{default})"


def check_agent(change: Change, profile: str) -> Iterator[Hit | Blocked]:
    """AZP404: provisionVMAgent is set at creation; Terraform marks it ForceNew (S6)."""
    before, after = change.values("provision_vm_agent")
    side = unknown_side(before, after)
    if side:
        yield Blocked(("AZP404",), "provision_vm_agent", side)
        return
    if before == after:
        return
    if change.replaced:
        consequence = "the plan replaces the VM: it will be destroyed and recreated"
    elif change.terraform:
        consequence = "provision_vm_agent is ForceNew, so Terraform replaces the VM"
    else:
        consequence = "it can only be set when the VM is created; changing it needs a new VM"
    yield Hit(
        "AZP404",
        "provision_vm_agent",
        f"{_changes_text(change, 'provision_vm_agent')}; {consequence}",
    )


def check_replacement(change: Change, profile: str) -> Iterator[Hit | Blocked]:
    """AZP404: a plan replaces the VM and its patch settings change too (it is recreated)."""
    changed, unknown = [], []
    for name in REPLACEMENT_FACTS:
        before, after = change.values(name)
        if unknown_side(before, after):
            unknown.append((name, unknown_side(before, after)))
        elif before != after:
            changed.append(name)
    if changed:
        forced = f" (forced by {', '.join(change.replace_paths)})" if change.replace_paths else ""
        details = "; ".join(_changes_text(change, name) for name in changed)
        message = (
            f"the plan replaces the VM{forced}, so it will be destroyed and recreated with"
            f" changed patch settings: {details}"
        )
        yield Hit("AZP404", changed[0], message)
        return
    for name, side in unknown:
        yield Blocked(("AZP404",), name, side)


Check = Callable[[Change, str], Iterator[Hit | Blocked]]

# A template pair or a plan update: the VM is updated in place.
UPDATE_CHECKS: tuple[Check, ...] = (check_automatic_updates, check_mode_switch, check_agent)
# A plan replacement: the VM is recreated, so any patchMode is accepted on the new one.
REPLACE_CHECKS: tuple[Check, ...] = (check_automatic_updates, check_agent, check_replacement)


# -- findings ------------------------------------------------------------------------------


def _rules():
    from armlint.checks.pack import load_pack

    return load_pack().rules


def _applies(rule_id: str, record: VmRecord, profile: str) -> bool:
    rule = _rules().get(rule_id)
    if rule is None:
        return True
    return record.kind in rule.applies_to and profile in rule.profiles


def _rule_name_severity(rule_id: str, profile: str) -> tuple[str, str]:
    rule = _rules().get(rule_id)
    if rule is None:
        return RULE_NAMES[rule_id]
    return rule.name, rule.severity_for(profile)


def change_findings(change: Change, checks: Iterable[Check], profile: str) -> list[Finding]:
    """The findings of one pair: hits of the rules that apply, then one AZP002 per unknown fact."""
    outcomes = [outcome for check in checks for outcome in check(change, profile)]
    findings: list[Finding] = []
    blocked: dict[str, tuple[str, list[str]]] = {}
    for outcome in outcomes:
        if isinstance(outcome, Hit):
            if _applies(outcome.rule, change.after, profile):
                findings.append(_hit_finding(change, outcome, profile))
            continue
        rules = [r for r in outcome.rules if _applies(r, change.after, profile)]
        if rules:
            entry = blocked.setdefault(outcome.fact, (outcome.side, []))
            entry[1].extend(r for r in rules if r not in entry[1])
    for name, (side, rules) in sorted(blocked.items()):
        findings.append(_unknown_finding(change, name, side, rules))
    return findings


def _location(record: VmRecord, name: str) -> Location:
    fact = record.facts.get(name)
    return fact.location if fact is not None and fact.location else record.location


def _hit_finding(change: Change, hit: Hit, profile: str) -> Finding:
    name, severity = _rule_name_severity(hit.rule, profile)
    return Finding(
        rule=hit.rule,
        name=name,
        severity=severity,
        message=hit.message + _parameter_file_suffix(change.after),
        location=_location(change.after, hit.at),
        resource=change.after.identity,
        provenance=_provenance(change, hit.at),
        fingerprint=fingerprint(change.after, hit.rule, hit.at),
    )


def _unknown_finding(change: Change, name: str, side: str, rules: list[str]) -> Finding:
    before, after = change.facts(name)
    if side == "after":
        where, reason = "in the new version", _reason(after)
    elif side == "before":
        where, reason = f"in the old version ({change.describe_before(before)})", _reason(before)
    else:
        where, reason = "in both versions", _reason(after)
    message = (
        f"{label_of(name)} is unknown {where}: {reason}; not checked: {', '.join(sorted(rules))}"
    )
    rule_name, severity = _rule_name_severity(UNKNOWN_RULE, "current")
    return Finding(
        rule=UNKNOWN_RULE,
        name=rule_name,
        severity=severity,
        message=message + _parameter_file_suffix(change.after),
        location=_location(change.after, name),
        resource=change.after.identity,
        provenance=_provenance(change, name),
        # A transition unknown is not the single-version AZP002 of the same fact.
        fingerprint=fingerprint(change.after, UNKNOWN_RULE, f"transition:{name}"),
    )


def _reason(fact: Fact) -> str:
    if isinstance(fact.value, Unknown):
        return fact.value.reason
    return "its value cannot be known before deployment"


def _parameter_file_suffix(record: VmRecord) -> str:
    label = record.parameter_file
    return f" [with {label}]" if label else ""


def _provenance(change: Change, name: str) -> tuple[str, ...]:
    before, after = change.facts(name)
    return (
        f"{change.after.identity} ({change.after.location})",
        f"before: {label_of(name)} = {render_value(before.value)}"
        f" ({before.describe_source()}; {change.describe_before(before)})",
        f"after: {label_of(name)} = {render_value(after.value)} ({after.describe_source()})",
    )


def before_describer(before_label: str) -> DescribeBefore:
    """'at origin/main:vm.json:17' with a label, 'at before/vm.json:17' without."""

    def describe(fact: Fact) -> str:
        where = fact.location
        if where is None:
            return f"in {before_label}" if before_label else "in the old version"
        if before_label:
            return f"at {before_label}:{where.path}:{where.line}"
        return f"at {where.short()}"

    return describe


def transition_findings(
    pairs: Iterable[tuple[VmRecord | None, VmRecord]], profile: str, before_label: str
) -> list[Finding]:
    """AZP401..AZP404 (and AZP002 for unknowns) for before/after pairs of template records.

    ``before_label`` prefixes the before side's locations in messages: 'origin/main' renders
    'origin/main:vm.json:17'; '' renders the before file's own path. A pair without a before
    (a new VM) has nothing to compare.
    """
    describe = before_describer(before_label)
    findings: list[Finding] = []
    for before, after in pairs:
        if before is None:
            continue
        findings.extend(change_findings(Change(before, after, describe), UPDATE_CHECKS, profile))
    return sorted(findings, key=lambda f: f.sort_key)


# -- Terraform plans -----------------------------------------------------------------------


def plan_transition_findings(records: Iterable[VmRecord], profile: str) -> list[Finding]:
    """Transitions inside a ``terraform show -json`` plan: each record's ``before``.

    An update is checked like a template pair. A replacement (delete and create) recreates the
    VM, so mode switches are no longer refused: it reports the enableAutomaticUpdates and
    provisionVMAgent changes, and any other patch-setting change, as part of a recreation.
    """
    findings: list[Finding] = []
    for record in records:
        before = record.before
        actions = tuple(record.actions)
        if not isinstance(before, VmRecord):
            continue  # created by this plan: nothing existed before
        describe = _prior_state
        if _is_replace(actions):
            paths = tuple(_path_text(path) for path in record.replace_paths)
            change = Change(before, record, describe, replaced=True, replace_paths=paths)
            findings.extend(change_findings(change, REPLACE_CHECKS, profile))
        elif "update" in actions:
            change = Change(before, record, describe)
            findings.extend(change_findings(change, UPDATE_CHECKS, profile))
    return sorted(findings, key=lambda f: f.sort_key)


def _prior_state(fact: Fact) -> str:
    return "in the state the plan starts from"


def _is_replace(actions: tuple) -> bool:
    return "delete" in actions and "create" in actions


def _path_text(path: Any) -> str:
    """A plan's replace path (["os_disk", 0, "name"]) as 'os_disk[0].name'."""
    if not isinstance(path, list | tuple):
        return str(path)
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


# -- pairing -------------------------------------------------------------------------------


def pair_records(
    before: list[VmRecord], after: list[VmRecord]
) -> list[tuple[VmRecord | None, VmRecord]]:
    """Each after record with the before record of the same resource, or None when it is new.

    Identity is the address (ARM 'type/name', Terraform address) or type + evaluated name,
    compared case-insensitively as Azure does, with the copy/count index. Records of one
    resource under several parameter files pair file for file. An exported VM (no loop index)
    still pairs with a loop instance of the same name.
    """
    exact: dict[tuple, list[VmRecord]] = {}
    by_identity: dict[str, list[VmRecord]] = {}
    by_name: dict[str, list[VmRecord]] = {}
    for record in before:
        exact.setdefault(_exact_key(record), []).append(record)
        by_identity.setdefault(_identity_key(record), []).append(record)
        for key in _name_keys(record):
            by_name.setdefault(key, []).append(record)
    pairs: list[tuple[VmRecord | None, VmRecord]] = []
    for record in after:
        # Same identity and parameter file: take them in order, so unnamed twins pair in order.
        queue = exact.get(_exact_key(record))
        if queue:
            pairs.append((queue.pop(0), record))
            continue
        pairs.append((_fallback_match(record, by_identity, by_name), record))
    return pairs


def _fallback_match(record, by_identity, by_name) -> VmRecord | None:
    candidates = by_identity.get(_identity_key(record))
    if candidates:
        return candidates[0]
    for key in _name_keys(record):
        # Without the index only when one side has none (an export beside a loop instance):
        # count.index 2 of an after is never count.index 0 of the before.
        for candidate in by_name.get(key, []):
            if record.index is None or candidate.index is None:
                return candidate
    return None


def _exact_key(record: VmRecord) -> tuple:
    """Identity, parameter file and allowed-value choices (Bicep explores them always)."""
    return (_identity_key(record), _parameter_file(record), repr(record.scenario))


def _identity_key(record: VmRecord) -> str:
    base = _portable_address(record) or f"{record.resource_type}/{record.name}"
    return (base if record.index is None else f"{base}[{record.index}]").lower()


def _portable_address(record: VmRecord) -> str:
    """The address without the folder of its file.

    Bicep addresses start with the file as given ('infra/main.bicep:resource vm'); the two
    versions of a file live in different folders (two checkouts, a temporary copy of a git
    ref), so only the file name is kept.
    """
    address = record.address
    for suffix in (".bicep:", ".bicepparam:"):
        cut = address.lower().find(suffix)
        if cut >= 0:
            end = cut + len(suffix)
            return Path(address[: end - 1]).name + ":" + address[end:]
    return address


def _name_keys(record: VmRecord) -> list[str]:
    """Identities without the loop index: the address, and type + name."""
    keys = [(_portable_address(record) or f"{record.resource_type}/{record.name}").lower()]
    type_name = f"{record.resource_type}/{record.name}".lower()
    if type_name not in keys:
        keys.append(type_name)
    return keys


def _parameter_file(record: VmRecord) -> str:
    return record.parameter_file.lower()


# -- run_diff: two sets of files -----------------------------------------------------------


def run_diff(before_paths: list[str], after_paths: list[str], options: RunOptions) -> RunResult:
    """Compare two versions given as files or folders (folders: files matched by relative path).

    When both lists have the same length, the n-th before path is compared with the n-th after
    path; otherwise every before record is a candidate for every after record. A before file
    may be an exported live VM (``az vm show`` JSON or a REST GET body). ``options.paths`` is
    not used; ``options.parameters`` and ``options.var_files`` apply to both sides.
    """
    before = _load_side(before_paths, options, exports=True)
    after = _load_side(after_paths, options, exports=False)
    pairs = _pair_sides(before_paths, after_paths, before.records, after.records)
    findings = transition_findings(pairs, options.profile, "")
    notes = [*after.notes, *(f"before: {note}" for note in before.notes)]
    notes.extend(_unread_before_files(before.files))
    return _result(after, findings, notes, options)


def _load_side(paths: list[str], options: RunOptions, exports: bool) -> RunResult:
    side = replace(options, paths=list(paths), explore=False, progress=None)
    result = load_records(side)
    if exports:
        result.records.extend(_export_records(result.files, options.max_bytes))
    return result


def _export_records(files: list[FileReport], max_bytes: int) -> list[VmRecord]:
    """Exported VMs among the JSON files the loaders skipped (neither template nor parameters)."""
    from armlint.arm.export import looks_like_export, records_from_export
    from armlint.arm.loader import read_json

    records: list[VmRecord] = []
    for report in files:
        if report.status != "skipped" or report.kind not in ("vm-export", "other"):
            continue
        if not report.path.lower().endswith((".json", ".jsonc")):
            continue
        document = read_json(Path(report.path), max_bytes)
        if document.ok and looks_like_export(document.value):
            records.extend(records_from_export(document))
    return records


def _unread_before_files(files: list[FileReport]) -> list[str]:
    """A before file that failed to load leaves its VMs without a before: say so."""
    return [
        f"before: {report.path} could not be read ({report.reason}); its VMs were not compared"
        for report in files
        if report.status == "error"
    ]


def _pair_sides(before_paths, after_paths, before_records, after_records):
    if len(before_paths) != len(after_paths):
        return pair_records(before_records, after_records)
    pairs = []
    for before_root, after_root in zip(before_paths, after_paths, strict=True):
        befores = [r for r in before_records if _under(r.path, before_root)]
        afters = [r for r in after_records if _under(r.path, after_root)]
        if Path(before_root).is_dir() and Path(after_root).is_dir():
            pairs.extend(_pair_by_relative_path(befores, afters, before_root, after_root))
        else:
            pairs.extend(pair_records(befores, afters))
    return pairs


def _pair_by_relative_path(befores, afters, before_root: str, after_root: str):
    grouped: dict[str, list[VmRecord]] = {}
    for record in befores:
        grouped.setdefault(_relative(record.path, before_root), []).append(record)
    by_file: dict[str, list[VmRecord]] = {}
    for record in afters:
        by_file.setdefault(_relative(record.path, after_root), []).append(record)
    pairs = []
    for relative, records in by_file.items():
        pairs.extend(pair_records(grouped.get(relative, []), records))
    return pairs


def _under(path: str, root: str) -> bool:
    target, base = Path(path).resolve(), Path(root).resolve()
    return target == base or base in target.parents


def _relative(path: str, root: str) -> str:
    return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()


def _result(after: RunResult, findings: list[Finding], notes, options: RunOptions) -> RunResult:
    """The after side's files and records with the transition findings, filtered like a check."""
    from armlint.checks.pack import load_pack

    kept = [f for f in findings if _enabled(f, options)]
    for finding in kept:
        override = options.severities.get(finding.rule)
        if override:
            finding.severity = override
    unknown_count = sum(1 for f in kept if f.rule == UNKNOWN_RULE)
    if not options.show_unknown:
        kept = [f for f in kept if f.rule != UNKNOWN_RULE]
    return RunResult(
        files=after.files,
        records=after.records,
        findings=sorted(_dedupe(kept), key=lambda f: f.sort_key),
        notes=list(dict.fromkeys(notes)),
        rules=load_pack().infos(),
        unknown_count=unknown_count,
    )


def _enabled(finding: Finding, options: RunOptions) -> bool:
    if finding.rule == UNKNOWN_RULE:
        return True  # counted always, shown with --show-unknown
    return options.enabled is None or finding.rule in options.enabled


def _dedupe(findings: list[Finding]) -> list[Finding]:
    """Copy-loop instances share their template lines: one finding per line and message."""
    seen: set[tuple] = set()
    unique = []
    for finding in findings:
        key = (finding.rule, finding.location, finding.message)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


# -- run_against: a git ref as the before --------------------------------------------------


class GitError(Exception):
    """git failed or the paths are not in a git repository (a usage error for the CLI)."""


@dataclass
class Mirror:
    """The before side written to a temporary folder that mirrors the working-tree paths."""

    root: Path
    origins: dict[str, str] = field(default_factory=dict)  # mirrored relative path -> path at REF


def run_against(
    ref: str, paths: list[str], options: RunOptions, repo: Path | None = None
) -> RunResult:
    """Compare the files at ``paths`` (working tree) with the same files at git ``ref``.

    Each file at REF is read with ``git show REF:path`` into a temporary folder mirroring the
    paths, with the readable files of the same folders (parameter files, tfvars, bicepparam,
    the other files of a Terraform module) so both sides evaluate alike. A file renamed since
    REF (``git diff --find-renames``) is compared with its old name; a file new since REF has no
    before. With REF 'HEAD' from a pre-commit hook, the working tree is what is committed:
    pre-commit stashes unstaged changes before running hooks; run by hand, unstaged edits count.
    """
    root = (repo or _repo_root(paths)).resolve()
    if not _ref_exists(root, ref):
        return _without_history(ref, paths, options)
    after_files = _after_files(paths, options)
    renames = _renames(root, ref)
    with tempfile.TemporaryDirectory(prefix="armlint-before-") as temporary:
        mirror = Mirror(Path(temporary).resolve())
        for path in after_files:
            relative = _repo_relative(path, root)
            _mirror_file(root, ref, relative, renames.get(relative, relative), mirror)
        _mirror_companions(root, ref, after_files, renames, mirror)
        before = _load_mirror(paths, options, root, ref, mirror)
        after = _load_side(paths, options, exports=False)
        pairs = _pair_mirrored(before.records, after.records, root, mirror)
        findings = transition_findings(pairs, options.profile, ref)
    notes = [*after.notes, *(f"{ref}: {_strip(note, mirror.root)}" for note in before.notes)]
    return _result(after, findings, notes, options)


def _git(root: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """git with an argument list (never a shell), in the repository, output as bytes."""
    try:
        completed = subprocess.run(["git", *arguments], cwd=root, capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from error
    if check and completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(arguments)} failed: {message}")
    return completed


def _repo_root(paths: list[str]) -> Path:
    first = Path(paths[0]) if paths else Path(".")
    start = first if first.is_dir() else first.parent
    completed = _git(
        start.resolve() if start.exists() else Path.cwd(), "rev-parse", "--show-toplevel"
    )
    return Path(completed.stdout.decode("utf-8").strip())


def _after_files(paths: list[str], options: RunOptions) -> list[Path]:
    from armlint.discover import discover

    found = discover(paths, options.exclude)
    return [candidate.path for candidate in found.candidates]


def _repo_relative(path: Path | str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError as error:
        raise GitError(f"{path} is not inside the git repository {root}") from error


def _renames(root: Path, ref: str) -> dict[str, str]:
    """New path -> path at REF for the renames git reports.

    The whole tree is diffed, not only the given paths: with a pathspec naming only the new
    file, git cannot see the old one and reports an addition instead of a rename.
    """
    completed = _git(root, "diff", "--find-renames", "--name-status", "-z", ref, "--")
    fields = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    renames: dict[str, str] = {}
    position = 0
    while position < len(fields) and fields[position]:
        status = fields[position]
        if status.startswith(("R", "C")):
            old, new = fields[position + 1], fields[position + 2]
            if status.startswith("R"):
                renames[new] = old
            position += 3
        else:
            position += 2
    return renames


def _show(root: Path, ref: str, relative: str) -> bytes | None:
    """The file's bytes at REF, or None when it does not exist there (a new file)."""
    completed = _git(root, "show", f"{ref}:{relative}", check=False)
    return completed.stdout if completed.returncode == 0 else None


def _ref_exists(root: Path, ref: str) -> bool:
    """True for a commit; False in a repository without commits (a first commit's hook).

    Any other ref that does not resolve is the user's mistake and raises ``GitError``.
    """
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode == 0:
        return True
    if _git(root, "rev-list", "-n", "1", "--all", check=False).stdout.strip():
        raise GitError(f"'{ref}' is not a commit in {root}")
    return False


def _without_history(ref: str, paths: list[str], options: RunOptions) -> RunResult:
    after = _load_side(paths, options, exports=False)
    note = f"the repository has no commits yet, so '{ref}' has no files: every VM is new"
    return _result(after, [], [*after.notes, note], options)


def _mirror_file(root: Path, ref: str, relative: str, origin: str, mirror: Mirror) -> bool:
    if relative in mirror.origins:
        return True
    data = _show(root, ref, origin)
    if data is None:
        return False
    target = mirror.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    mirror.origins[relative] = origin
    return True


def _mirror_companions(root, ref, after_files: list[Path], renames, mirror: Mirror) -> None:
    """The readable files of each folder at REF, so parameters and modules evaluate alike."""
    from armlint.discover import kind_of

    folders: dict[str, str] = {}
    for path in after_files:
        relative = _repo_relative(path, root)
        origin = renames.get(relative, relative)
        folders.setdefault(_parent(relative), _parent(origin))
    for folder, origin_folder in folders.items():
        for name in _list_folder(root, ref, origin_folder):
            if kind_of(Path(name)) in (None, "example"):
                continue
            relative = f"{folder}/{name}" if folder else name
            origin = f"{origin_folder}/{name}" if origin_folder else name
            _mirror_file(root, ref, relative, origin, mirror)


def _parent(relative: str) -> str:
    return relative.rsplit("/", 1)[0] if "/" in relative else ""


def _list_folder(root: Path, ref: str, folder: str) -> list[str]:
    spec = f"{ref}:{folder}" if folder else f"{ref}:"
    completed = _git(root, "ls-tree", "--name-only", "-z", spec, check=False)
    if completed.returncode != 0:
        return []
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name and "/" not in name]


def _load_mirror(paths, options: RunOptions, root: Path, ref: str, mirror: Mirror) -> RunResult:
    mirrored = [str(mirror.root / _repo_relative(p, root)) for p in paths]
    existing = [p for p in mirrored if Path(p).exists()]
    if not existing:
        return RunResult()
    side = replace(
        options,
        paths=existing,
        parameters=_mirror_extra(options.parameters, root, ref, mirror),
        var_files=_mirror_extra(options.var_files, root, ref, mirror),
        explore=False,
        progress=None,
    )
    result = load_records(side)
    result.records = [_relocated(record, mirror) for record in result.records]
    return result


def _mirror_extra(paths: list[str], root: Path, ref: str, mirror: Mirror) -> list[str]:
    """Parameter and variable files named on the command line, as they are at REF."""
    mapped = []
    for path in paths:
        try:
            relative = _repo_relative(path, root)
        except GitError:
            mapped.append(path)  # outside the repository: the same file on both sides
            continue
        if _mirror_file(root, ref, relative, relative, mirror):
            mapped.append(str(mirror.root / relative))
    return mapped


def _pair_mirrored(befores, afters, root: Path, mirror: Mirror):
    """Pair within each file: the after file's repo path is the mirrored file's path."""
    grouped: dict[str, list[VmRecord]] = {}
    for record in befores:
        grouped.setdefault(record.mirror_path, []).append(record)
    by_file: dict[str, list[VmRecord]] = {}
    for record in afters:
        by_file.setdefault(_repo_relative(record.path, root), []).append(record)
    pairs = []
    for relative, records in by_file.items():
        pairs.extend(pair_records(grouped.get(relative, []), records))
    return pairs


def _relocated(record: VmRecord, mirror: Mirror) -> VmRecord:
    """A before record whose locations name the files as they are at REF (old names included)."""
    relative = _mirrored_relative(record.path, mirror)

    def move(where: Location | None) -> Location | None:
        if where is None:
            return None
        return replace(where, path=_origin_path(where.path, mirror))

    facts = {
        name: Fact(fact.value, move(fact.location), fact.source, _strip_all(fact.trace, mirror))
        for name, fact in record.facts.items()
    }
    return replace(
        record,
        path=_origin_path(record.path, mirror),
        location=move(record.location),
        facts=facts,
        mirror_path=relative,
    )


def _mirrored_relative(path: str, mirror: Mirror) -> str:
    """The path inside the mirror, '' for a file outside it."""
    try:
        return Path(path).resolve().relative_to(mirror.root).as_posix()
    except ValueError:
        return ""


def _origin_path(path: str, mirror: Mirror) -> str:
    relative = _mirrored_relative(path, mirror)
    if not relative:
        return path
    return mirror.origins.get(relative, relative)


def _strip(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "").replace(str(root), ".")


def _strip_all(trace: tuple[str, ...], mirror: Mirror) -> tuple[str, ...]:
    return tuple(_strip(step, mirror.root) for step in trace)


__all__ = [
    "Blocked",
    "Change",
    "GitError",
    "Hit",
    "Verdict",
    "pair_records",
    "plan_transition_findings",
    "run_against",
    "run_diff",
    "switch_verdict",
    "transition_findings",
]
