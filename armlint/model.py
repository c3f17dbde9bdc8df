"""The shared vocabulary of every stage: locations, unknown values, facts, VM records, findings.

A format module (arm, terraform, bicep) turns files into ``VmRecord`` objects; the checks turn
records into ``Finding`` objects; reports only ever see findings and records. Nothing here
imports another armlint module.
"""

from __future__ import annotations

import os
from functools import cache
from operator import attrgetter

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def _field_values(value: Any) -> tuple:
    return tuple(getattr(value, name) for name in fields_of(type(value)))


class Value:
    """What the plain value classes share (here, in terraform/ and in arm/expressions.py):
    equality, ``repr`` and ``replace`` by their fields, as dataclasses gave them. Plain classes
    rather than dataclasses: every run imports these modules, and creating a dataclass compiles
    its methods from source (about a millisecond each, two for a frozen one), while importing
    ``dataclasses`` pulls in inspect, ast and dis.

    A class's fields are the ``__slots__`` along its bases, the base's first, in the order its
    ``__init__`` takes them. ``_values`` gives them as a tuple; a class whose fields are all its
    own may set ``_values = attrgetter(*__slots__)`` instead (the same values, several times
    faster, for the classes compared and hashed on every record)."""

    __slots__ = ()
    # Read through the class (``type(self)._values(self)``): an attrgetter is no method.
    _values: Callable[[Any], Any] = _field_values

    # Defining __eq__ leaves __hash__ None: unhashable, like a dataclass with eq=True.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            values = type(self)._values
            return values(self) == values(other)
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in fields_of(type(self)))
        return f"{type(self).__qualname__}({shown})"

    def replace(self, **changes: Any):
        """A copy with ``changes`` (``dataclasses.replace``)."""
        values = {name: getattr(self, name) for name in fields_of(type(self))}
        values.update(changes)
        return type(self)(**values)


class FrozenValue(Value):
    """A value that is never changed once made: hashable by its fields (a frozen dataclass's
    hash, so sets of them iterate in the same order). Nothing assigns to one after
    ``__init__``, so the guard a frozen dataclass adds is left out."""

    __slots__ = ()

    def __hash__(self) -> int:
        return hash(type(self)._values(self))


_FIELDS: dict[type, tuple[str, ...]] = {}


def fields_of(cls: type) -> tuple[str, ...]:
    """A plain value class's fields: the ``__slots__`` along its bases, the base's first."""
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(
            name for klass in reversed(cls.__mro__) for name in klass.__dict__.get("__slots__", ())
        )
        _FIELDS[cls] = names
    return names


class Location(FrozenValue):
    """A span in a file; lines and columns are 1-based, columns count characters."""

    __slots__ = ("path", "line", "column", "end_line", "end_column")
    _values = attrgetter(*__slots__)

    def __init__(
        self, path: str, line: int, column: int, end_line: int = 0, end_column: int = 0
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def to_dict(self) -> dict:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
        }

    def short(self) -> str:
        return f"{self.path}:{self.line}"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class LaterLocation(Location):
    """A ``Location`` worked out when one of its fields is first read: ``find(subject)``.

    An ARM template gives every fact a location, but only the few that a finding shows are
    ever read, and working one out (the spans of the JSON around it, then lines and columns)
    was a third of evaluating a template. It equals, hashes, prints, pickles and copies as the
    plain ``Location`` it stands for; ``subject`` is dropped once the fields are known.
    """

    __slots__ = ("_find", "_subject")

    def __init__(self, find: Callable[[Any], Location], subject: Any) -> None:
        self._find: Callable[[Any], Location] | None = find
        self._subject = subject

    def __getattr__(self, name: str) -> Any:
        # Only reached while the fields are unset (slots that were never assigned).
        if name not in Location.__slots__:
            raise AttributeError(name)
        find = self._find
        if find is None:  # dropped only once the fields are set (then this is not called)
            raise AttributeError(name)
        found = find(self._subject)
        self._find = self._subject = None
        for field in Location.__slots__:
            setattr(self, field, getattr(found, field))
        return getattr(self, name)

    @property
    def pending(self) -> bool:
        """Not worked out yet."""
        return self._find is not None

    def plain(self) -> Location:
        return Location(*self._values(self))

    def __eq__(self, other: object) -> bool:
        # Also called, reflected, for ``Location == LaterLocation`` (a subclass's method first).
        if isinstance(other, Location):
            return self._values(self) == other._values(other)
        return NotImplemented

    __hash__ = Location.__hash__

    def __repr__(self) -> str:
        return repr(self.plain())

    def replace(self, **changes: Any) -> Location:
        return self.plain().replace(**changes)

    def __reduce__(self):
        return (Location, self._values(self))


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


class Fact(Value):
    """One patch-relevant value of a VM, with where it came from.

    ``location`` is the property's own position, or, for an absent property, the place where it
    belongs (the enclosing object). ``trace`` lists the parameters, variables and files the value
    was resolved through, outermost first, as short human-readable steps.
    """

    __slots__ = ("value", "location", "source", "trace")
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        value: Any,
        location: Location | None,
        source: str = SOURCE_LITERAL,
        trace: tuple[str, ...] = (),
    ) -> None:
        self.value = value
        self.location = location
        self.source = source
        self.trace = trace

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


class MaintenanceSchedule(FrozenValue):
    """A maintenance configuration (Microsoft.Maintenance/maintenanceConfigurations,
    azurerm_maintenance_configuration) as assigned to a VM: the value of the
    ``maintenance_schedule`` fact.

    Fields hold the evaluated value, ``Unknown`` when it cannot be known, or None when the
    property is absent. ``start`` is 'yyyy-mm-dd hh:mm', ``duration`` 'hh:mm', ``recurrence`` as
    written ('1Day', 'Week Saturday', ...), ``time_zone`` a Windows time zone id; all in the
    configuration's ``maintenanceWindow`` (maintenance-configurations doc).
    """

    __slots__ = (
        "name",  # the configuration's name, or its id / address when that is all there is
        "scope",  # maintenanceScope: 'InGuestPatch', ...
        "start",  # maintenanceWindow.startDateTime
        "duration",  # maintenanceWindow.duration
        "time_zone",  # maintenanceWindow.timeZone
        "recurrence",  # maintenanceWindow.recurEvery
        "location",  # the configuration resource
        "assignment",  # the assignment that ties it to the VM
        "dynamic",  # assigned through a dynamic scope, not to the VM itself
        # extensionProperties.InGuestPatchMode (Terraform in_guest_user_patch_mode, or the
        # properties map's InGuestPatchMode): 'User', 'Platform', Unknown, or None when absent.
        "patch_mode",
        # Where each field above is written, or where it belongs when absent: (field,
        # Location) pairs, so a rule on one field points at that property, not the resource.
        "positions",
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        name: str,
        scope: Any = None,
        start: Any = None,
        duration: Any = None,
        time_zone: Any = None,
        recurrence: Any = None,
        location: Location | None = None,
        assignment: Location | None = None,
        dynamic: bool = False,
        patch_mode: Any = None,
        positions: tuple[tuple[str, Location], ...] = (),
    ) -> None:
        self.name = name
        self.scope = scope
        self.start = start
        self.duration = duration
        self.time_zone = time_zone
        self.recurrence = recurrence
        self.location = location
        self.assignment = assignment
        self.dynamic = dynamic
        self.patch_mode = patch_mode
        self.positions = positions

    def position(self, field_name: str) -> Location | None:
        """Where ``field_name`` is written (or belongs); the configuration itself otherwise."""
        for name, where in self.positions:
            if name == field_name:
                return where
        return self.location


class DeploymentContext(FrozenValue):
    """What the user says about where and with what a deployment runs (``--location``,
    ``--set NAME=VALUE``, ``--var NAME=VALUE``); unbound values stay unknown."""

    __slots__ = (
        "location",  # binds resourceGroup().location, deployment().location
        "parameters",  # ARM and Bicep parameters, as given: (name, text) pairs
        "variables",  # Terraform root variables, as given: (name, text) pairs
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        location: str | None = None,
        parameters: tuple[tuple[str, str], ...] = (),
        variables: tuple[tuple[str, str], ...] = (),
    ) -> None:
        self.location = location
        self.parameters = parameters
        self.variables = variables

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


class VmRecord(Value):
    """One virtual machine or scale set (one instance of a loop), in any input format."""

    __slots__ = (
        "path",  # file of the resource
        "format",  # 'arm' | 'bicep' | 'terraform' | 'plan'
        "kind",  # 'vm' | 'vmss'
        "resource_type",  # 'Microsoft.Compute/virtualMachines', 'azurerm_linux_virtual_machine'
        "name",  # evaluated resource name, or the symbolic/address name when unknown
        "location",  # the resource's own position (its opening brace or block)
        "facts",
        "address",  # stable identity: ARM 'type/name', Terraform address
        "group",  # redundancy group: copy loop, count or for_each owner; '' when single
        "index",  # copy index / count index; None when not in a loop
        "scenario",  # allowed-value choices that produced this record
        # How the record was found: format details for reports, pairing and the planner (rules
        # read only facts). Typed fields, so a misspelt detail fails where it is written.
        "instance_key",  # Terraform count index or for_each key
        "instances_unknown",  # the loop's count or items are unknown
        "instances_trace",  # how the loop was evaluated
        "representative_instance",  # why one instance stands for a capped count/for_each
        "condition_unknown",  # the resource's condition is unknown
        "root_module",  # Terraform: the root module folder evaluated
        "parameter_file",  # ARM/Bicep: the parameter file the values came from
        "symbolic_name",  # Bicep: the resource's symbolic name
        "arm_type",  # azapi_resource: the ARM type of its body
        "automatic_updates_attr",  # azurerm argument read for enableAutomaticUpdates
        "azurerm_constraint",  # the azurerm provider version constraint
        "azurerm_version",  # the provider version whose behaviour applies
        "azurerm_version_basis",  # lock file, constraint or unpinned (terraform/providers.py)
        "azurerm_version_source",  # that choice in words, for messages
        "provider_arguments",  # azurerm argument -> its Location
        "actions",  # Terraform plan: the change's actions
        "replace_paths",  # Terraform plan: what forces replacement
        "before",  # Terraform plan: the resource as it is now
        "exported",  # read from an exported live VM (az vm show / REST GET)
        "resource_id",  # exported VM: its Azure resource id
        "resource_group",  # live export: the VM's resource group
        "live_shape",  # live export: which export shape it was read from
        "mirror_path",  # check --against: the path inside the compared revision
        "name_known",  # False: ``name`` is the expression, symbol or address instead
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        path: str,
        format: str,
        kind: str,
        resource_type: str,
        name: str,
        location: Location,
        facts: dict[str, Fact] | None = None,
        address: str = "",
        group: str = "",
        index: int | None = None,
        scenario: tuple[tuple[str, Any], ...] = (),
        instance_key: str | int | None = None,
        instances_unknown: bool = False,
        instances_trace: tuple[str, ...] = (),
        representative_instance: str = "",
        condition_unknown: bool = False,
        root_module: str = "",
        parameter_file: str = "",
        symbolic_name: str = "",
        arm_type: str = "",
        automatic_updates_attr: str | None = None,
        azurerm_constraint: str | None = None,
        azurerm_version: str | None = None,
        azurerm_version_basis: str = "",
        azurerm_version_source: str = "",
        provider_arguments: dict | None = None,
        actions: list[str] | None = None,
        replace_paths: list | None = None,
        before: VmRecord | None = None,
        exported: bool = False,
        resource_id: str = "",
        resource_group: str = "",
        live_shape: str = "",
        mirror_path: str = "",
        name_known: bool = True,
    ) -> None:
        self.path = path
        self.format = format
        self.kind = kind
        self.resource_type = resource_type
        self.name = name
        self.location = location
        self.facts = {} if facts is None else facts
        self.address = address
        self.group = group
        self.index = index
        self.scenario = scenario
        self.instance_key = instance_key
        self.instances_unknown = instances_unknown
        self.instances_trace = instances_trace
        self.representative_instance = representative_instance
        self.condition_unknown = condition_unknown
        self.root_module = root_module
        self.parameter_file = parameter_file
        self.symbolic_name = symbolic_name
        self.arm_type = arm_type
        self.automatic_updates_attr = automatic_updates_attr
        self.azurerm_constraint = azurerm_constraint
        self.azurerm_version = azurerm_version
        self.azurerm_version_basis = azurerm_version_basis
        self.azurerm_version_source = azurerm_version_source
        self.provider_arguments = {} if provider_arguments is None else provider_arguments
        self.actions = [] if actions is None else actions
        self.replace_paths = [] if replace_paths is None else replace_paths
        self.before = before
        self.exported = exported
        self.resource_id = resource_id
        self.resource_group = resource_group
        self.live_shape = live_shape
        self.mirror_path = mirror_path
        self.name_known = name_known

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


class TextEdit(FrozenValue):
    """Replace the characters ``start:end`` of a file's text with ``new_text``; ``location`` is
    the same span as lines and columns, for reports (SARIF replacements, JSON)."""

    __slots__ = ("path", "start", "end", "new_text", "location")
    _values = attrgetter(*__slots__)

    def __init__(
        self, path: str, start: int, end: int, new_text: str, location: Location | None = None
    ) -> None:
        self.path = path
        self.start = start
        self.end = end
        self.new_text = new_text
        self.location = location

    def to_dict(self) -> dict:
        where = self.location
        return {
            "path": self.path,
            "start": self.start,
            "end": self.end,
            "new_text": self.new_text,
            "location": None if where is None else where.to_dict(),
        }


class Fix(FrozenValue):
    """One repair for one finding: its edits, a title, and whether it is ``safe`` (the deployed
    result is what the author evidently meant and nothing else changes) or ``unsafe``."""

    __slots__ = ("title", "applicability", "edits")
    _values = attrgetter(*__slots__)

    def __init__(self, title: str, applicability: str, edits: tuple[TextEdit, ...]) -> None:
        self.title = title
        self.applicability = applicability  # 'safe' | 'unsafe'
        self.edits = edits

    def to_dict(self) -> dict:
        return {
            "title": self.title,
            "applicability": self.applicability,
            "edits": tuple(edit.to_dict() for edit in self.edits),
        }


SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


class Finding(Value):
    """What a check reports; the only thing that crosses from checks to reports."""

    __slots__ = (
        "rule",  # 'AZP102'
        "name",  # 'manual-mode-with-automatic-updates'
        "severity",  # 'error' | 'warning' | 'info'
        "message",
        "location",
        "resource",  # record identity, '' for file-level findings
        "provenance",
        "fingerprint",  # stable across line moves: resource identity + rule + property
        "suppressed",  # the reason, when an inline suppression or baseline hides it
        # The allowed-value choices it holds for ("patchMode='Manual'"), '' when it holds for
        # all.
        "scenario",
        "parameter_file",  # the ARM parameter file the template was evaluated with
        "fix",  # set by armlint.fix.propose for rules that declare a fix
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        rule: str,
        name: str,
        severity: str,
        message: str,
        location: Location,
        resource: str = "",
        provenance: tuple[str, ...] = (),
        fingerprint: str = "",
        suppressed: str = "",
        scenario: str = "",
        parameter_file: str = "",
        fix: Fix | None = None,
    ) -> None:
        self.rule = rule
        self.name = name
        self.severity = severity
        self.message = message
        # Findings outlive their records: keep the place, not the template it is worked out from.
        self.location = location.plain() if isinstance(location, LaterLocation) else location
        self.resource = resource
        self.provenance = provenance
        self.fingerprint = fingerprint
        self.suppressed = suppressed
        self.scenario = scenario
        self.parameter_file = parameter_file
        self.fix = fix

    def to_dict(self) -> dict:
        """Its fields as JSON values (``dataclasses.asdict``): the result cache writes it."""
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "location": self.location.to_dict(),
            "resource": self.resource,
            "provenance": self.provenance,
            "fingerprint": self.fingerprint,
            "suppressed": self.suppressed,
            "scenario": self.scenario,
            "parameter_file": self.parameter_file,
            "fix": None if self.fix is None else self.fix.to_dict(),
        }

    @property
    def text(self) -> str:
        """The message as every report shows it, with the scenario and the parameter file."""
        text = self.message
        if self.scenario:
            text += f" (when {self.scenario})"
        if self.parameter_file:
            text += f" [with {self.parameter_file}]"
        return text

    @property
    def sort_key(self) -> tuple:
        loc = self.location
        return (loc.path, loc.line, loc.column, self.rule, self.text)


def pack_finding(rule: str, message: str, location: Location, **fields: Any) -> Finding:
    """A finding whose name and severity the rule pack gives: the findings path
    (``armlint.run.findings``) fills them in, so no format keeps its own copy of them."""
    return Finding(rule, "", "", message, location, **fields)


class FileReport(Value):
    """What happened to one input file, so the summary accounts for every file."""

    __slots__ = (
        "path",
        # 'template' | 'parameters' | 'terraform' | 'tfvars' | 'bicep' | 'bicepparam' | 'plan'
        # | 'other'
        "kind",
        "status",  # 'linted' | 'skipped' | 'error'
        "reason",  # why skipped or failed
    )
    _values = attrgetter(*__slots__)

    def __init__(self, path: str, kind: str, status: str = "linted", reason: str = "") -> None:
        self.path = path
        self.kind = kind
        self.status = status
        self.reason = reason

    def to_dict(self) -> dict:
        return {"path": self.path, "kind": self.kind, "status": self.status, "reason": self.reason}


class LoadResult(Value):
    """What a format module returns for the files it was given."""

    __slots__ = (
        "records",
        "findings",  # AZP001/AZP002/AZP003 found while loading
        "files",
        "notes",  # budget cuts, skipped remote modules, ...
        "dependencies",
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        records: list[VmRecord] | None = None,
        findings: list[Finding] | None = None,
        files: list[FileReport] | None = None,
        notes: list[str] | None = None,
        dependencies: list[str] | None = None,
    ) -> None:
        self.records = [] if records is None else records
        self.findings = [] if findings is None else findings
        self.files = [] if files is None else files
        self.notes = [] if notes is None else notes
        # The paths read or looked for besides the files given (a linked template, a Bicep
        # module, a lock file), as written, not resolved: the result changes with them, and
        # with their absence. The result cache keeps each with its digest (run/workunits.py).
        self.dependencies = [] if dependencies is None else dependencies

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


class RuleInfo(FrozenValue):
    """What reports need to know of a rule (SARIF rule descriptors, docs links)."""

    __slots__ = (
        "id",
        "name",
        "severity",
        "summary",
        "help_uri",  # link to docs/rules/<ID>.md
        "docs",  # the rule's documentation (Markdown), for SARIF help
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        id: str,
        name: str,
        severity: str,
        summary: str,
        help_uri: str = "",
        docs: str = "",
    ) -> None:
        self.id = id
        self.name = name
        self.severity = severity
        self.summary = summary
        self.help_uri = help_uri
        self.docs = docs


class RunResult(Value):
    """Everything one run produced, handed to the reports."""

    __slots__ = (
        "files",
        "records",
        "findings",  # sorted, suppressed ones included
        "notes",
        "rules",
        "unknown_count",  # AZP002 findings, counted even when they are not shown
        "resource_keys",  # (path, identity) of the resources checked
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        files: list[FileReport] | None = None,
        records: list[VmRecord] | None = None,
        findings: list[Finding] | None = None,
        notes: list[str] | None = None,
        rules: dict[str, RuleInfo] | None = None,
        unknown_count: int = 0,
        resource_keys: set[tuple[str, str]] | None = None,
    ) -> None:
        self.files = [] if files is None else files
        self.records = [] if records is None else records
        self.findings = [] if findings is None else findings
        self.notes = [] if notes is None else notes
        self.rules = {} if rules is None else rules
        self.unknown_count = unknown_count
        self.resource_keys = set() if resource_keys is None else resource_keys

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
    on the command line. Only a file outside both keeps its absolute path.

    ``Path.resolve``, ``relative_to`` and ``as_posix`` on text: pathlib's import was a tenth of
    a one-template check (issue 16). ``top`` is a folder above the file, so the path relative
    to it never climbs."""
    resolved = os.path.realpath(path)
    top = repository_top(os.path.dirname(resolved))
    if top is not None:
        return _posix(os.path.relpath(resolved, top))
    try:
        relative = os.path.relpath(resolved, os.path.realpath(os.getcwd()))
    except (ValueError, OSError):  # another drive (Windows), a removed working folder
        return _posix(resolved)
    outside = relative == os.pardir or relative.startswith(os.pardir + os.sep)
    return _posix(resolved if outside else relative)


def _posix(path: str) -> str:
    return path.replace(os.sep, "/") if os.sep != "/" else path


@cache
def repository_top(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` (resolved) that holds ``.git``, if any. Kept
    by folder: the files of a folder and the folders of a tree ask the same levels, and each
    level's test is a ``stat`` (asked level by level for each file, it was most of
    ``stable_path``)."""
    if os.path.exists(os.path.join(folder, ".git")):
        return folder
    parent = os.path.dirname(folder)
    return None if parent == folder else repository_top(parent)
