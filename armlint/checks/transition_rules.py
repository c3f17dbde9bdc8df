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

This module judges pairs of records; finding the pairs (two folders, a git ref) is
``armlint.compare``'s business.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from armlint.checks.engine import FACT_LABELS, render_value
from armlint.checks.hits import Blocked, Hit, hit_finding, unknown_finding, unknown_reason
from armlint.checks.pack import RulePack, load_pack
from armlint.model import SOURCE_DEFAULT, Fact, Finding, Unknown, VmRecord

BYOS = "AutomaticByOS"
MANUAL = "Manual"
PLATFORM = "AutomaticByPlatform"
IMAGE_DEFAULT = "ImageDefault"
WINDOWS_MODES = (BYOS, MANUAL, PLATFORM)
PREVIEW_2020 = "preview-2020"
TERRAFORM_FORMATS = ("terraform", "plan")

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


# -- the verdict of the matrix ---------------------------------------------------------------


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
        yield Blocked("enable_automatic_updates", ("AZP401",), side)
        return
    if before == after:
        return
    yield Hit(
        "enable_automatic_updates",
        f"{_changes_text(change, 'enable_automatic_updates')}; {_fixed_at_creation(change)}",
        "AZP401",
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
        yield Blocked("patch_mode", ("AZP402", "AZP403"), side)
        return
    if before == after or _both_defaults(change, "patch_mode"):
        return
    os_name = os_of(change)
    if isinstance(os_name, Unknown):
        yield Blocked("os", ("AZP402", "AZP403"), "both")
        return
    if os_name is None:
        return  # a different operating system is a different VM, not a mode switch
    automatic_updates = change.values("enable_automatic_updates")[0]
    verdict = switch_verdict(os_name, before, after, automatic_updates, profile)
    if verdict.needs_automatic_updates:
        yield Blocked("enable_automatic_updates", ("AZP403",), "before")
    elif verdict.rule:
        reason = verdict.reason
        if verdict.refused_for_flag:
            reason += f", and this VM has {_vm_automatic_updates(change)}"
        yield Hit("patch_mode", f"{_changes_text(change, 'patch_mode')}; {reason}", verdict.rule)


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
        yield Blocked("provision_vm_agent", ("AZP404",), side)
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
        "provision_vm_agent",
        f"{_changes_text(change, 'provision_vm_agent')}; {consequence}",
        "AZP404",
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
        yield Hit(changed[0], message, "AZP404")
        return
    for name, side in unknown:
        yield Blocked(name, ("AZP404",), side)


Check = Callable[[Change, str], Iterator[Hit | Blocked]]

# A template pair or a plan update: the VM is updated in place.
UPDATE_CHECKS: tuple[Check, ...] = (check_automatic_updates, check_mode_switch, check_agent)
# A plan replacement: the VM is recreated, so any patchMode is accepted on the new one.
REPLACE_CHECKS: tuple[Check, ...] = (check_automatic_updates, check_agent, check_replacement)


# -- findings ------------------------------------------------------------------------------


def _applies(pack: RulePack, rule_id: str, record: VmRecord, profile: str) -> bool:
    rule = pack.rules.get(rule_id)
    if rule is None:
        return True
    return record.kind in rule.applies_to and profile in rule.profiles


def change_findings(change: Change, checks: Iterable[Check], profile: str) -> list[Finding]:
    """The findings of one pair: hits of the rules that apply, then one AZP002 per unknown fact."""
    pack = load_pack()
    outcomes = [outcome for check in checks for outcome in check(change, profile)]
    findings: list[Finding] = []
    blocked: dict[str, tuple[str, list[str]]] = {}
    for outcome in outcomes:
        if isinstance(outcome, Hit):
            if _applies(pack, outcome.rule, change.after, profile):
                provenance = _provenance(change, outcome.at)
                finding = hit_finding(
                    pack, profile, outcome.rule, change.after, outcome, provenance
                )
                findings.append(_with_parameter_file(finding, change.after))
            continue
        rules = [r for r in outcome.rules if _applies(pack, r, change.after, profile)]
        if rules:
            entry = blocked.setdefault(outcome.fact, (outcome.side, []))
            entry[1].extend(r for r in rules if r not in entry[1])
    for name, (side, rules) in sorted(blocked.items()):
        findings.append(_unknown_finding(pack, profile, change, name, side, rules))
    return findings


def _unknown_finding(
    pack: RulePack, profile: str, change: Change, name: str, side: str, rules: list[str]
) -> Finding:
    before, after = change.facts(name)
    if side == "after":
        where, reason = "in the new version", unknown_reason(after)
    elif side == "before":
        where, reason = (
            f"in the old version ({change.describe_before(before)})",
            unknown_reason(before),
        )
    else:
        where, reason = "in both versions", unknown_reason(after)
    message = (
        f"{label_of(name)} is unknown {where}: {reason}; not checked: {', '.join(sorted(rules))}"
    )
    provenance = _provenance(change, name)
    # A transition unknown is not the single-version AZP002 of the same fact.
    finding = unknown_finding(
        pack, profile, change.after, name, message, provenance, key=f"transition:{name}"
    )
    return _with_parameter_file(finding, change.after)


def _with_parameter_file(finding: Finding, record: VmRecord) -> Finding:
    """The parameter file the after side was evaluated with, as a structured field."""
    finding.parameter_file = record.parameter_file
    return finding


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
