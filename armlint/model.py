"""The shared vocabulary of every stage: locations, unknown values, facts, VM records, findings.

A format module (arm, terraform, bicep) turns files into ``VmRecord`` objects; the checks turn
records into ``Finding`` objects; reports only ever see findings and records. Nothing here
imports another armlint module.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Location:
    """A span in a file; lines and columns are 1-based, columns count characters."""

    path: str
    line: int
    column: int
    end_line: int = 0
    end_column: int = 0

    def short(self) -> str:
        return f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Unknown:
    """A value that cannot be known before deployment. It is a value, never an exception."""

    __slots__ = ("reason", "location")

    def __init__(self, reason: str, location: Location | None = None) -> None:
        self.reason = reason
        self.location = location

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown) and other.reason == self.reason

    def __hash__(self) -> int:
        return hash(("Unknown", self.reason))


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def contains_unknown(value: Any) -> bool:
    """True when the value or anything nested in it is unknown."""
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


# How a fact got its value.
SOURCE_LITERAL = "literal"  # written as a plain value at the property
SOURCE_EVALUATED = "evaluated"  # computed from an expression, parameters, variables, ...
SOURCE_DEFAULT = "default"  # the property is absent and the platform default applies
SOURCE_ABSENT = "absent"  # the property is absent and has no default
SOURCE_UNKNOWN = "unknown"  # the value cannot be known before deployment
# an enclosing object is unknown, so whether the property is sent at all is unknown too
SOURCE_MAYBE_SET = "maybe-set"


@dataclass(slots=True)
class Fact:
    """One patch-relevant value of a VM, with where it came from.

    ``location`` is the property's own position, or, for an absent property, the place where it
    belongs (the enclosing object). ``trace`` lists the parameters, variables and files the value
    was resolved through, outermost first, as short human-readable steps.
    """

    value: Any
    location: Location | None
    source: str = SOURCE_LITERAL
    trace: tuple[str, ...] = ()

    @property
    def known(self) -> bool:
        return not isinstance(self.value, Unknown)

    @property
    def present(self) -> bool:
        """Written in the template (its value may still be unknown)."""
        return self.source not in (SOURCE_DEFAULT, SOURCE_ABSENT, SOURCE_MAYBE_SET)

    def describe_source(self) -> str:
        """A short phrase for messages: 'platform default', 'from parameters(...) set in x:6'."""
        if self.source == SOURCE_DEFAULT:
            return "platform default"
        if self.source == SOURCE_ABSENT:
            return "not set"
        if isinstance(self.value, Unknown):
            return self.value.reason
        if self.trace:
            return "from " + " <- ".join(self.trace)
        return "literal"


# The fact names every format fills in. Rules and conditions refer to these names only.
FACT_NAMES = (
    "os",  # 'Windows' | 'Linux'
    "patch_mode",
    "assessment_mode",
    "enable_automatic_updates",
    "provision_vm_agent",
    "enable_hotpatching",
    "reboot_setting",
    "bypass_platform_safety_checks",  # bypassPlatformSafetyChecksOnUserSchedule
    "automatic_by_platform_settings",  # True when the object is present
    "image_publisher",
    "image_offer",
    "image_sku",
    "image_version",
    "image_id",  # custom, gallery or shared image id
    "api_version",
    "location",  # normalised region name
    "zones",  # list of zone strings
    "availability_set",  # id or name of the availability set, None when not in one
    "orchestration_mode",  # scale sets: 'Uniform' | 'Flexible'
    "health_extension",  # True when an application health extension is present
    "maintenance_assignment",  # True when a maintenance configuration assignment targets the VM
    "time_zone",
    # Rule pack v2 (issue 11); to be re-homed in the Compute model (compute/schema.py).
    "automatic_os_upgrade",  # scale sets: upgradePolicy.automaticOSUpgradePolicy.enableAutomaticOSUpgrade
    "health_probe",  # scale sets: True when networkProfile.healthProbe (TF health_probe_id) is set
    "linux_enable_hotpatching",  # linuxConfiguration.patchSettings.enableHotpatching (not in the schema)
    # The availability set's declared counts (ints), read from the set resource the VM names in
    # the same deployment; absent when no such resource is in the input.
    "update_domain_count",  # platformUpdateDomainCount / platform_update_domain_count
    "fault_domain_count",  # platformFaultDomainCount / platform_fault_domain_count
    "maintenance_schedule",  # a MaintenanceSchedule assigned to the VM (or Unknown)
)


@dataclass(frozen=True, slots=True)
class MaintenanceSchedule:
    """A maintenance configuration (Microsoft.Maintenance/maintenanceConfigurations,
    azurerm_maintenance_configuration) as assigned to a VM: the value of the
    ``maintenance_schedule`` fact.

    Fields hold the evaluated value, ``Unknown`` when it cannot be known, or None when the
    property is absent. ``start`` is 'yyyy-mm-dd hh:mm', ``duration`` 'hh:mm', ``recurrence`` as
    written ('1Day', 'Week Saturday', ...), ``time_zone`` a Windows time zone id; all in the
    configuration's ``maintenanceWindow`` (maintenance-configurations doc).
    """

    name: str  # the configuration's name, or its id / address when that is all there is
    scope: Any = None  # maintenanceScope: 'InGuestPatch', ...
    start: Any = None  # maintenanceWindow.startDateTime
    duration: Any = None  # maintenanceWindow.duration
    time_zone: Any = None  # maintenanceWindow.timeZone
    recurrence: Any = None  # maintenanceWindow.recurEvery
    location: Location | None = None  # the configuration resource
    assignment: Location | None = None  # the assignment that ties it to the VM
    dynamic: bool = False  # assigned through a dynamic scope, not to the VM itself
    # extensionProperties.InGuestPatchMode (Terraform in_guest_user_patch_mode, or the
    # properties map's InGuestPatchMode): 'User', 'Platform', Unknown, or None when absent.
    patch_mode: Any = None
    # Where each field above is written, or where it belongs when absent: (field, Location)
    # pairs, so a rule on one field points at that property rather than at the resource.
    positions: tuple[tuple[str, Location], ...] = ()

    def position(self, field_name: str) -> Location | None:
        """Where ``field_name`` is written (or belongs); the configuration itself otherwise."""
        for name, where in self.positions:
            if name == field_name:
                return where
        return self.location


@dataclass(frozen=True, slots=True)
class DeploymentContext:
    """What the user says about where and with what a deployment runs (``--location``,
    ``--set NAME=VALUE``, ``--var NAME=VALUE``); unbound values stay unknown."""

    location: str | None = None  # binds resourceGroup().location, deployment().location
    parameters: tuple[tuple[str, str], ...] = ()  # ARM and Bicep parameters, as given
    variables: tuple[tuple[str, str], ...] = ()  # Terraform root variables, as given

    @property
    def empty(self) -> bool:
        return not (self.location or self.parameters or self.variables)

    @staticmethod
    def typed(text: str, type_name: Any) -> Any:
        """A command-line value for a parameter or variable of the declared type: text for
        strings (and undeclared types), JSON for numbers, booleans, arrays and objects (as
        ``az deployment --parameters key=value`` and ``terraform plan -var`` read them)."""
        kind = str(type_name or "string").strip().lower()
        if kind in ("string", "securestring") or kind.startswith("string"):
            return text
        import json

        try:
            return json.loads(text)
        except ValueError:
            return text


LOCATION_ORIGIN = "from --location"


@dataclass(slots=True)
class VmRecord:
    """One virtual machine or scale set (one instance of a loop), in any input format."""

    path: str  # file of the resource
    format: str  # 'arm' | 'bicep' | 'terraform' | 'plan'
    kind: str  # 'vm' | 'vmss'
    resource_type: (
        str  # e.g. 'Microsoft.Compute/virtualMachines' or 'azurerm_linux_virtual_machine'
    )
    name: str  # evaluated resource name, or the symbolic/address name when unknown
    location: Location  # the resource's own position (its opening brace or block)
    facts: dict[str, Fact] = field(default_factory=dict)
    address: str = ""  # stable identity: ARM 'type/name', Terraform address
    group: str = ""  # redundancy group: copy loop, count or for_each owner; '' when single
    index: int | None = None  # copy index / count index; None when not in a loop
    scenario: tuple[tuple[str, Any], ...] = ()  # allowed-value choices that produced this record
    # How the record was found: format details for reports, pairing and the planner (rules read
    # only facts). Typed fields, so a misspelt detail fails where it is written.
    instance_key: str | int | None = None  # Terraform count index or for_each key
    instances_unknown: bool = False  # the loop's count or items are unknown
    instances_trace: tuple[str, ...] = ()  # how the loop was evaluated
    representative_instance: str = ""  # why one instance stands for a capped count/for_each
    condition_unknown: bool = False  # the resource's condition is unknown
    root_module: str = ""  # Terraform: the root module folder evaluated
    parameter_file: str = ""  # ARM/Bicep: the parameter file the values came from
    symbolic_name: str = ""  # Bicep: the resource's symbolic name
    arm_type: str = ""  # azapi_resource: the ARM type of its body
    automatic_updates_attr: str | None = None  # azurerm argument read for enableAutomaticUpdates
    azurerm_constraint: str | None = None  # the azurerm provider version constraint
    azurerm_version: str | None = None  # the provider version whose behaviour applies
    azurerm_version_basis: str = ""  # lock file, constraint or unpinned (terraform/providers.py)
    azurerm_version_source: str = ""  # that choice in words, for messages
    provider_arguments: dict = field(default_factory=dict)  # azurerm argument -> its Location
    actions: list[str] = field(default_factory=list)  # Terraform plan: the change's actions
    replace_paths: list = field(default_factory=list)  # Terraform plan: what forces replacement
    before: VmRecord | None = None  # Terraform plan: the resource as it is now
    exported: bool = False  # read from an exported live VM (az vm show / REST GET)
    resource_id: str = ""  # exported VM: its Azure resource id
    resource_group: str = ""  # live export: the VM's resource group
    live_shape: str = ""  # live export: which export shape it was read from
    mirror_path: str = ""  # check --against: the path inside the compared revision
    name_known: bool = True  # False: ``name`` is the expression, symbol or address instead

    def fact(self, name: str) -> Fact:
        found = self.facts.get(name)
        if found is None:
            return Fact(None, self.location, SOURCE_ABSENT)
        return found

    def value(self, name: str) -> Any:
        return self.fact(name).value

    @property
    def identity(self) -> str:
        base = self.address or f"{self.resource_type}/{self.name}"
        key = self.instance_key
        if isinstance(key, str):
            return f'{base}["{key}"]'  # for_each: the key, which survives reordering
        return base if self.index is None else f"{base}[{self.index}]"


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace the characters ``start:end`` of a file's text with ``new_text``; ``location`` is
    the same span as lines and columns, for reports (SARIF replacements, JSON)."""

    path: str
    start: int
    end: int
    new_text: str
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Fix:
    """One repair for one finding: its edits, a title, and whether it is ``safe`` (the deployed
    result is what the author evidently meant and nothing else changes) or ``unsafe``."""

    title: str
    applicability: str  # 'safe' | 'unsafe'
    edits: tuple[TextEdit, ...]


SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


@dataclass(slots=True)
class Finding:
    """What a check reports; the only thing that crosses from checks to reports."""

    rule: str  # 'AZP102'
    name: str  # 'manual-mode-with-automatic-updates'
    severity: str  # 'error' | 'warning' | 'info'
    message: str
    location: Location
    resource: str = ""  # record identity, '' for file-level findings
    provenance: tuple[str, ...] = ()
    fingerprint: str = ""  # stable across line moves: resource identity + rule + property
    suppressed: str = ""  # the reason, when an inline suppression or baseline hides it
    # The allowed-value choices it holds for ("patchMode='Manual'"), '' when it holds for all.
    scenario: str = ""
    parameter_file: str = ""  # the ARM parameter file the template was evaluated with

    @property
    def text(self) -> str:
        """The message as every report shows it, with the scenario and the parameter file."""
        text = self.message
        if self.scenario:
            text += f" (when {self.scenario})"
        if self.parameter_file:
            text += f" [with {self.parameter_file}]"
        return text

    fix: Fix | None = None  # set by armlint.fix.propose for rules that declare a fix

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.text)


def pack_finding(rule: str, message: str, location: Location, **fields: Any) -> Finding:
    """A finding whose name and severity the rule pack gives: the findings path
    (``armlint.run.findings``) fills them in, so no format keeps its own copy of them."""
    return Finding(rule, "", "", message, location, **fields)


@dataclass(slots=True)
class FileReport:
    """What happened to one input file, so the summary accounts for every file."""

    path: str
    kind: str  # 'template' | 'parameters' | 'terraform' | 'tfvars' | 'bicep' | 'bicepparam' | 'plan' | 'other'
    status: str = "linted"  # 'linted' | 'skipped' | 'error'
    reason: str = ""  # why skipped or failed


@dataclass(slots=True)
class LoadResult:
    """What a format module returns for the files it was given."""

    records: list[VmRecord] = field(default_factory=list)
    findings: list[Finding] = field(
        default_factory=list
    )  # AZP001/AZP002/AZP003 found while loading
    files: list[FileReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # budget cuts, skipped remote modules, ...

    @classmethod
    def failed(cls, label: str, files: list, error: Exception) -> LoadResult:
        """A loader's own failure, reported for its files instead of stopping the run."""
        message = internal_error_message(f"in the {label} loader", error)
        loaded = cls(notes=[message])
        loaded.files = [FileReport(str(path), label.lower(), "error", message) for path in files]
        # AZP001 at 1:1, so a run whose only file failed inside armlint does not pass.
        loaded.findings = [
            pack_finding(
                "AZP001", message, Location(str(path), 1, 1, 1, 1), fingerprint=f"{path}|AZP001"
            )
            for path in files
        ]
        return loaded


def internal_error_message(where: str, error: BaseException) -> str:
    """One line naming armlint's own failure: it is a bug, so the user is asked to report it."""
    detail = " ".join(str(error).split())[:200]
    return (
        f"internal error {where}: {type(error).__name__}: {detail}; the file was not checked"
        " (this is a bug in armlint, please report it)"
    )


@dataclass(frozen=True, slots=True)
class RuleInfo:
    """What reports need to know of a rule (SARIF rule descriptors, docs links)."""

    id: str
    name: str
    severity: str
    summary: str
    help_uri: str = ""  # link to docs/rules/<ID>.md
    docs: str = ""  # the rule's documentation (Markdown), for SARIF help


@dataclass(slots=True)
class RunResult:
    """Everything one run produced, handed to the reports."""

    files: list[FileReport] = field(default_factory=list)
    records: list[VmRecord] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # sorted, suppressed ones included
    notes: list[str] = field(default_factory=list)
    rules: dict[str, RuleInfo] = field(default_factory=dict)
    unknown_count: int = 0  # AZP002 findings, counted even when they are not shown
    resource_keys: set[tuple[str, str]] = field(default_factory=set)  # (path, identity) checked

    def active_findings(self) -> list[Finding]:
        return [f for f in self.findings if not f.suppressed]

    def summary(self) -> dict:
        by_status: dict[str, int] = {"linted": 0, "skipped": 0, "error": 0}
        for report in self.files:
            by_status[report.status] = by_status.get(report.status, 0) + 1
        by_rule: dict[str, int] = {}
        by_severity = {"error": 0, "warning": 0, "info": 0}
        for finding in self.active_findings():
            if finding.rule == "AZP002":
                continue  # unknowns are counted on their own, shown or not
            by_rule[finding.rule] = by_rule.get(finding.rule, 0) + 1
            by_severity[finding.severity] += 1
        return {
            "files": {"total": len(self.files), **by_status},
            # Allowed-value scenarios repeat a resource; count each resource instance once.
            "resources": len(self.resource_keys | {(r.path, r.identity) for r in self.records}),
            "findings": sum(by_rule.values()),
            "by_severity": by_severity,
            "unknown": self.unknown_count,
            "suppressed": sum(1 for f in self.findings if f.suppressed),
            "by_rule": dict(sorted(by_rule.items())),
        }


def fingerprint(record: VmRecord, rule_id: str, fact_name: str) -> str:
    """A finding's identity for baselines and code scanning: the same for every command (check,
    plan, drift) and wherever the checkout sits on disk."""
    import hashlib  # only with a finding: OpenSSL's import is a share of a clean run's start-up

    text = f"{stable_path(record.path)}|{record.identity}|{rule_id}|{fact_name}"
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@cache
def stable_path(path: str) -> str:
    """The path from the repository root, else from the working folder, so fingerprints (and
    baselines) depend neither on where the checkout sits on disk nor on how the files were named
    on the command line. Only a file outside both keeps its absolute path."""
    resolved = Path(path).resolve()
    for folder in resolved.parents:
        if (folder / ".git").exists():
            return resolved.relative_to(folder).as_posix()
    try:
        return resolved.relative_to(Path(os.getcwd()).resolve()).as_posix()
    except (ValueError, OSError):
        return resolved.as_posix()
