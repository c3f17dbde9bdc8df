"""Which edit repairs a finding: one builder per fixable rule, in one explicit table.

A builder gets the finding, the record it is about and the text of the record's file, and
returns a ``Fix`` or ``None`` when the fix cannot be proven from the text (the value comes from a
parameter, a variable or another file, or the place to insert is not the one the rule expects).
Whether a rule has a fix and of which kind is declared in its YAML (``fix:``); a test keeps this
table and the YAML in step.
"""

from __future__ import annotations

from collections.abc import Callable

from armlint.checks.tables import Tables, api_version_key, load_tables
from armlint.fix import edits
from armlint.fix.apply import read_text
from armlint.model import (
    SOURCE_ABSENT,
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    Fact,
    Finding,
    Fix,
    Location,
    TextEdit,
    VmRecord,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

SAFE, UNSAFE = "safe", "unsafe"

# The property that holds enableAutomaticUpdates in each format, by resource type.
_TERRAFORM_AUTOMATIC_UPDATES = {
    "azurerm_windows_virtual_machine": "automatic_updates_enabled",
    "azurerm_windows_virtual_machine_scale_set": "automatic_updates_enabled",
}
_BOOLEAN_WORDS = {"true": True, "false": False}
# Values a fix may change: a literal at the property, or one a definition gave it (a parameter
# default or file, a variable, a local), which armlint.fix.sources finds or refuses.
_EDITABLE = (SOURCE_LITERAL, SOURCE_EVALUATED)


class Context:
    """What every builder may read: the file texts (read once), the tables, the profile."""

    def __init__(self, profile: str, read_text: Callable[[str], str | None]) -> None:
        self.profile = profile
        self.tables: Tables = load_tables()
        self._read_text = read_text
        self._texts: dict[str, str | None] = {}
        # Definition edits (a parameter default, a variable, a parameter file...) by span: the
        # number of references to the defined name, and the properties (use sites) whose
        # findings want the edit; see settle_shared.
        self.shared: dict[tuple[str, int, int], int] = {}
        self.sites: dict[tuple[str, int, int], set[tuple[str, int, int]]] = {}

    def text(self, path: str) -> str | None:
        if path not in self._texts:
            self._texts[path] = self._read_text(path)
        return self._texts[path]


def propose(
    findings: list[Finding], records: list[VmRecord], profile: str, fixable: dict[str, str]
) -> list[Finding]:
    """The findings, each with a fix when its rule declares one (``fixable``: rule id -> the
    applicability from the YAML) and the file's text proves the repair."""
    if not any(f.rule in fixable for f in findings):
        return findings
    context = Context(profile, read_text)
    by_identity: dict[tuple[str, str], list[VmRecord]] = {}
    for record in records:
        by_identity.setdefault((record.path, record.identity), []).append(record)
    with_fixes = [_with_fix(f, by_identity, context, fixable) for f in findings]
    return settle_shared(with_fixes, context.shared, context.sites)


Span = tuple[str, int, int]


def settle_shared(findings: list[Finding], shared: dict[Span, int], sites: dict[Span, set]):
    """A fix that edits a definition keeps its applicability only when every reference to the
    name is a use site whose finding wants the same new text; fewer: unsafe (the other uses
    change too); findings that want different texts: no fix (no one value is right)."""
    if not shared:
        return findings
    wanted: dict[Span, set[str]] = {}
    for finding in findings:
        for span, new_text in _shared_edits(finding, shared):
            wanted.setdefault(span, set()).add(new_text)
    settled = []
    for finding in findings:
        spans = [span for span, _text in _shared_edits(finding, shared)]
        if any(len(wanted[span]) > 1 for span in spans):
            finding = finding.replace(fix=None)
        elif any(len(sites.get(span, ())) < shared[span] for span in spans) and finding.fix:
            finding = finding.replace(fix=finding.fix.replace(applicability=UNSAFE))
        settled.append(finding)
    return settled


def _shared_edits(finding: Finding, shared) -> list[tuple[Span, str]]:
    if finding.fix is None:
        return []
    spans = [((e.path, e.start, e.end), e.new_text) for e in finding.fix.edits]
    return [(span, text) for span, text in spans if span in shared]


def _with_fix(finding: Finding, by_identity, context: Context, fixable: dict[str, str]) -> Finding:
    builder = BUILDERS.get(finding.rule)
    if builder is None or finding.rule not in fixable:
        return finding
    records = by_identity.get((finding.location.path, finding.resource), [])
    fix = _first_fix(builder, finding, records, context)
    if fix is None:
        return finding
    if fixable[finding.rule] == UNSAFE:
        fix = fix.replace(applicability=UNSAFE)
    return finding.replace(fix=fix)


def _first_fix(builder, finding: Finding, records: list[VmRecord], context: Context):
    for record in records:
        text = context.text(record.path)
        if text is None or record.format not in ("arm", "bicep", "terraform"):
            continue
        fix = builder(finding, record, text, context)
        if fix is not None:
            return fix
    return None


def _fact_at(record: VmRecord, finding: Finding) -> tuple[str, Fact] | None:
    """The fact the finding points at: the one written at the finding's own position."""
    for name, fact in record.facts.items():
        if fact.location == finding.location:
            return name, fact
    return None


def _inside(inner: Location | None, outer: Location) -> bool:
    """Whether a span lies within the resource's own span (same file, by line and column)."""
    if inner is None or inner.path != outer.path or not outer.end_line:
        return False
    start, end = (inner.line, inner.column), (inner.end_line or inner.line, inner.end_column)
    return (outer.line, outer.column) <= start and end <= (outer.end_line, outer.end_column)


def _replace_value(
    record: VmRecord, fact: Fact, text: str, value: Any, context: Context | None = None
) -> TextEdit | None:
    """The edit that gives ``fact`` the ``value``: in place for a literal; with ``context``, at
    the definition a parameter, variable or parameter file value came from (armlint.fix.sources)."""
    if fact.location is None:
        return None
    if fact.source == SOURCE_EVALUATED and context is not None:
        return _definition_edit(record, fact, value, context)
    if fact.source != SOURCE_LITERAL:
        return None
    start, end = edits.span_of(text, fact.location)
    new_text = edits.literal(value, record.format, like=text[start:end])
    return edits.edit(record.path, text, start, end, new_text)


def _definition_edit(record: VmRecord, fact: Fact, value: Any, context: Context):
    from armlint.fix.sources import definition, definition_edit

    found = definition(record, fact, context.text)
    if found is None:
        return None
    change = definition_edit(found, value)
    span = (change.path, change.start, change.end)
    context.shared[span] = found.uses
    assert fact.location is not None  # definition() needs the use site
    use = fact.location
    context.sites.setdefault(span, set()).add((use.path, use.line, use.column))
    return change


def _fix(title: str, applicability: str, *changes: TextEdit | None) -> Fix | None:
    if any(change is None for change in changes):
        return None
    return Fix(title, applicability, tuple(c for c in changes if c is not None))


# --- AZP105 invalid-patch-mode ----------------------------------------------------------------


def fix_patch_mode(finding: Finding, record: VmRecord, text: str, context: Context):
    fact = record.fact("patch_mode")
    if fact.source not in _EDITABLE or not isinstance(fact.value, str):
        return None
    import difflib  # a patch-mode repair only: not on every run's start-up path

    from armlint.checks.derive import derive
    from armlint.checks.engine import facts_view

    suggestion = derive(facts_view(record), context.profile, context.tables).get(
        "patch_mode_suggestion"
    )
    if not isinstance(suggestion, str):
        return None
    # A misspelling or the wrong case is what the author meant; another mode is a new decision.
    # (difflib is quadratic: a value longer than any patch mode is no misspelling of one).
    close = (
        len(fact.value) <= 64
        and difflib.SequenceMatcher(None, fact.value.lower(), suggestion.lower()).ratio() >= 0.85
    )
    return _fix(
        f"Change patchMode to '{suggestion}'",
        SAFE if close else UNSAFE,
        _replace_value(record, fact, text, suggestion, context),
    )


# --- AZP108 invalid-patch-setting-value -------------------------------------------------------


def fix_setting_value(finding: Finding, record: VmRecord, text: str, context: Context):
    found = _fact_at(record, finding)
    if found is None:
        return None
    name, fact = found
    if fact.source not in _EDITABLE or not isinstance(fact.value, str):
        return None
    word = fact.value.strip().lower()
    if word in _BOOLEAN_WORDS:  # "true" written as text: the boolean it spells
        # In place only: a parameter or variable declared as a string must stay one.
        return _fix(
            f"Write {word} as a boolean",
            SAFE,
            _replace_value(record, fact, text, _BOOLEAN_WORDS[word]),
        )
    prop = context.tables.property_name(name)
    os = record.value("os")
    allowed = context.tables.enum_values(prop, os=os if os in ("Windows", "Linux") else None)
    same_word = {value.lower(): value for value in allowed}.get(word)
    if same_word is None:
        return None  # no value the author evidently meant
    return _fix(
        f"Write {prop} as '{same_word}'",
        SAFE,
        _replace_value(record, fact, text, same_word, context),
    )


# --- AZP102 manual-mode-with-automatic-updates ------------------------------------------------


def fix_manual_updates(finding: Finding, record: VmRecord, text: str, context: Context):
    fact = record.fact("enable_automatic_updates")
    title = "Set enableAutomaticUpdates to false"
    # A finding that holds for one allowed value only: false would be wrong for the others. An
    # object written outside the resource (a variable, say) may be shared with other resources.
    shared = not _inside(fact.location, record.location)
    applicability = UNSAFE if record.scenario or shared else SAFE
    if fact.source in _EDITABLE and fact.value is True:
        return _fix(title, applicability, _replace_value(record, fact, text, False, context))
    if fact.source != SOURCE_DEFAULT or fact.location is None:
        return None
    return _fix(title, applicability, _insert_automatic_updates(record, fact, text))


def _automatic_updates_argument(record: VmRecord, tables: Tables) -> str | None:
    """The name the azurerm version in use has for the setting: the provider renamed
    enable_automatic_updates (rules/data/terraform.yaml), and inserting a name the pinned
    version does not have would trade AZP102 for AZP111."""
    newest = _TERRAFORM_AUTOMATIC_UPDATES.get(record.resource_type)
    if newest is None:
        return None
    names = (newest, "enable_automatic_updates")
    return tables.argument_in_version(record.resource_type, names, record.azurerm_version)


def _insert_automatic_updates(record: VmRecord, fact: Fact, text: str) -> TextEdit | None:
    if fact.location is None:
        return None
    start, _end = edits.span_of(text, fact.location)
    if record.format == "terraform":
        name = _automatic_updates_argument(record, load_tables())
        if name is None:
            return None
        mode = record.fact("patch_mode")
        if mode.present and mode.location is not None and _inside(mode.location, record.location):
            return edits.insert_after_line(
                record.path, text, mode.location, name, "false", "terraform"
            )
        return edits.insert_member(record.path, text, fact.location, name, "false", "terraform")
    holder = edits.key_before(text, start)
    if holder == "windowsConfiguration":
        return edits.insert_member(
            record.path, text, fact.location, "enableAutomaticUpdates", "false", record.format
        )
    if holder == "osProfile":
        inner = (
            '{ "enableAutomaticUpdates": false }'
            if record.format == "arm"
            else "{\n" + "enableAutomaticUpdates: false\n}"
        )
        if record.format == "bicep":
            return None  # a nested Bicep object needs its own indented lines; not proven yet
        return edits.insert_member(
            record.path, text, fact.location, "windowsConfiguration", inner, record.format
        )
    return None


# --- AZP104 agent-off-with-platform-patching --------------------------------------------------


def fix_agent(finding: Finding, record: VmRecord, text: str, context: Context):
    fact = record.fact("provision_vm_agent")
    if fact.source not in _EDITABLE or fact.value is not False:
        return None
    # Unsafe: the agent can only be chosen at creation (AZP404 in Terraform recreates the VM).
    return _fix("Turn the VM agent on", UNSAFE, _replace_value(record, fact, text, True, context))


# --- AZP106 / AZP107 / AZP118 / AZP119: settings to remove -------------------------------------


def _remove(record: VmRecord, text: str, *names: str) -> list[TextEdit] | None:
    """Edits removing the members written in the resource for the named facts (one edit per
    distinct span: Terraform records reboot_setting and the settings object at one place);
    None when one of them is not written in the resource itself or cannot be removed cleanly."""
    spans: dict[tuple, Location] = {}
    for name in names:
        fact = record.fact(name)
        if not fact.present:
            continue
        if fact.location is None or not _inside(fact.location, record.location):
            return None  # written in a variable or another file: shared, not this resource's
        spans.setdefault(edits.span_of(text, fact.location), fact.location)
    outer = _outermost(spans)
    removals = [edits.remove_member(record.path, text, spans[s], record.format) for s in outer]
    if not removals or any(r is None for r in removals):
        return None
    return [r for r in removals if r is not None]


def _outermost(spans: dict[tuple, Location]) -> list[tuple]:
    """The spans not inside another (ARM's rebootSetting lies inside automaticByPlatformSettings)."""
    return [s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans)]


def fix_platform_settings(finding: Finding, record: VmRecord, text: str, context: Context):
    """AZP106: the settings only AutomaticByPlatform allows go (unsafe: the author may have meant
    to switch the mode instead)."""
    names: tuple[str, ...] = ("automatic_by_platform_settings",)
    if record.format == "terraform":  # separate arguments, no settings object
        names = ("reboot_setting", "bypass_platform_safety_checks")
    removals = _remove(record, text, *names)
    title = "Remove the settings that need patchMode AutomaticByPlatform"
    return None if removals is None else _fix(title, UNSAFE, *removals)


def fix_hotpatching(finding: Finding, record: VmRecord, text: str, context: Context):
    """AZP107: without AutomaticByPlatform hotpatching goes; with it, the bypass flag that Azure
    says must be false for hotpatching goes (I6)."""
    if record.value("patch_mode") != "AutomaticByPlatform":
        name, title = "enable_hotpatching", "Remove enableHotpatching"
    else:
        name = "bypass_platform_safety_checks"
        title = "Remove bypassPlatformSafetyChecksOnUserSchedule (hotpatching needs the checks)"
    removals = _remove(record, text, name)
    return None if removals is None else _fix(title, UNSAFE, *removals)


def fix_linux_hotpatching(finding: Finding, record: VmRecord, text: str, context: Context):
    """AZP118: a member the Linux schema does not have, which the API refuses (I11)."""
    removals = _remove(record, text, "linux_enable_hotpatching")
    title = "Remove enableHotpatching from linuxConfiguration"
    return None if removals is None else _fix(title, SAFE, *removals)


def fix_custom_image_hotpatching(finding: Finding, record: VmRecord, text: str, context: Context):
    """AZP119: hotpatching on an image that cannot hotpatch goes (unsafe: changes the request)."""
    removals = _remove(record, text, "enable_hotpatching")
    return None if removals is None else _fix("Remove enableHotpatching", UNSAFE, *removals)


# --- AZP111 argument-not-in-provider-version ---------------------------------------------------


def fix_provider_argument(finding: Finding, record: VmRecord, text: str, context: Context):
    """The argument under the name the provider version in use has (the provider renamed it:
    same setting, so safe). Only when that name is in the version and not written already."""
    from armlint.checks.tables import in_version_range, provider_version_key

    written = record.provider_arguments or {}
    name = next((n for n, where in written.items() if where == finding.location), None)
    version = provider_version_key(record.azurerm_version)
    if record.format != "terraform" or name is None or version is None or "." in name:
        return None
    rows = context.tables.provider_argument_rows(record.resource_type)
    instead = next((r.get("instead") for r in rows if r["path"] == name), None)
    if not instead or instead in written:
        return None
    if any(r["path"] == instead and not in_version_range(r, version) for r in rows):
        return None
    change = edits.rename_key(record.path, text, finding.location, name, instead)
    return _fix(f"Rename {name} to {instead}", SAFE, change)


# --- AZP112 maintenance-schedule-never-runs ----------------------------------------------------

_BYPASS = "bypassPlatformSafetyChecksOnUserSchedule"


def fix_schedule_bypass(finding: Finding, record: VmRecord, text: str, context: Context):
    """With AutomaticByPlatform, the one missing value is the bypass flag: a schedule runs only
    when it is true (S7, S21)."""
    mode = record.fact("patch_mode")
    if mode.value != "AutomaticByPlatform":
        return None
    fact = record.fact("bypass_platform_safety_checks")
    title = f"Set {_BYPASS} to true"
    if fact.source in _EDITABLE and fact.value is False:
        return _fix(title, UNSAFE, _replace_value(record, fact, text, True, context))
    if fact.source not in (SOURCE_DEFAULT, SOURCE_ABSENT):
        return None
    return _fix(title, UNSAFE, _insert_bypass(record, fact, mode, text))


def _insert_bypass(record: VmRecord, fact: Fact, mode: Fact, text: str) -> TextEdit | None:
    if mode.source != SOURCE_LITERAL or not _inside(mode.location, record.location):
        return None
    assert mode.location is not None
    if record.format == "terraform":
        name = "bypass_platform_safety_checks_on_user_schedule_enabled"
        return edits.insert_after_line(record.path, text, mode.location, name, "true", "terraform")
    if record.format == "arm":
        if fact.location is None or not _inside(fact.location, record.location):
            return None
        holder = edits.key_before(text, edits.span_of(text, fact.location)[0])
        if holder == "automaticByPlatformSettings":
            return edits.insert_member(record.path, text, fact.location, _BYPASS, "true", "arm")
        if holder != "patchSettings":
            return None
        settings = f'{{ "{_BYPASS}": true }}'
        return edits.insert_member(
            record.path, text, fact.location, "automaticByPlatformSettings", settings, "arm"
        )
    # Bicep records no place for an absent flag: beside patchMode, when it has its own line and
    # no settings object exists yet (a second one would be a duplicate key).
    start, end = edits.span_of(text, mode.location)
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    alone = text[line_start:start].strip() == "patchMode:" and not text[end:line_end].strip()
    resource = text[slice(*edits.span_of(text, record.location))]
    if not alone or "automaticByPlatformSettings" in resource:
        return None
    return edits.insert_after_line(
        record.path,
        text,
        mode.location,
        "automaticByPlatformSettings",
        f"{{ {_BYPASS}: true }}",
        "bicep",
    )


# --- AZP114 scale-set-hotpatch-image-without-hotpatching ---------------------------------------


def fix_scale_set_hotpatching(finding: Finding, record: VmRecord, text: str, context: Context):
    """enableHotpatching true, which Azure demands of a scale set on a hotpatch image (I10); only
    with patchMode AutomaticByPlatform, which hotpatching needs (AZP107)."""
    if record.value("patch_mode") != "AutomaticByPlatform":
        return None
    fact = record.fact("enable_hotpatching")
    title = "Set enableHotpatching to true"
    if fact.source in _EDITABLE and fact.value is False:
        return _fix(title, UNSAFE, _replace_value(record, fact, text, True, context))
    if fact.source not in (SOURCE_DEFAULT, SOURCE_ABSENT) or not _inside(
        fact.location, record.location
    ):
        return None
    return _fix(title, UNSAFE, _insert_hotpatching(record, fact, text))


def _insert_hotpatching(record: VmRecord, fact: Fact, text: str) -> TextEdit | None:
    assert fact.location is not None
    if record.format == "terraform":
        mode = record.fact("patch_mode")
        # The argument of windows_configuration in the orchestrated scale set (S6).
        if record.resource_type != "azurerm_orchestrated_virtual_machine_scale_set":
            return None
        if mode.source != SOURCE_LITERAL or not _inside(mode.location, record.location):
            return None
        assert mode.location is not None
        return edits.insert_after_line(
            record.path, text, mode.location, "hotpatching_enabled", "true", "terraform"
        )
    start, _end = edits.span_of(text, fact.location)
    if edits.key_before(text, start) != "patchSettings":
        return None  # no patchSettings object to put it in
    return edits.insert_member(
        record.path, text, fact.location, "enableHotpatching", "true", record.format
    )


# --- AZP301 / AZP302 api versions (ARM only) --------------------------------------------------


def fix_api_version(finding: Finding, record: VmRecord, text: str, context: Context):
    fact = record.fact("api_version")
    if fact.source != SOURCE_LITERAL or fact.location is None:
        return None
    target = _lowest_api_version(record, context)
    wanted, current = api_version_key(target), api_version_key(fact.value)
    if target is None or wanted is None or (current is not None and wanted <= current):
        return None
    if record.format == "arm":
        change = _replace_value(record, fact, text, target)
    else:  # Bicep and azapi write it in the type: 'Microsoft.Compute/virtualMachines@2019-07-01'
        change = _replace_type_version(record, fact.location, text, str(fact.value), target)
    return _fix(f"Raise apiVersion to {target}", UNSAFE, change)


def _replace_type_version(
    record: VmRecord, where: Location, text: str, current: str, target: str
) -> TextEdit | None:
    start, end = edits.span_of(text, where)
    at = text.rfind("@", start, end)
    if at == -1 or text[at + 1 : at + 1 + len(current)] != current:
        return None
    return edits.edit(record.path, text, at + 1, at + 1 + len(current), target)


def _lowest_api_version(record: VmRecord, context: Context) -> str | None:
    """The lowest api-version that has every patch property the resource writes, and at least the
    recommended one (AZP302's threshold)."""
    os = record.value("os")
    wanted = [context.tables.recommended_api_version(context.profile)]
    for name, fact in record.facts.items():
        if not fact.present or name not in _API_PROPERTIES:
            continue
        first = context.tables.first_api_version(name, os) if os in ("Windows", "Linux") else None
        if first:
            wanted.append(first)
    return max(wanted, key=lambda v: api_version_key(v) or (0,))


_API_PROPERTIES = (
    "patch_mode",
    "assessment_mode",
    "enable_hotpatching",
    "reboot_setting",
    "bypass_platform_safety_checks",
    "automatic_by_platform_settings",
)

# Rule id -> builder. Every rule whose YAML declares `fix:` has an entry, and only those.
BUILDERS: dict[str, Callable[[Finding, VmRecord, str, Context], Fix | None]] = {
    "AZP102": fix_manual_updates,
    "AZP104": fix_agent,
    "AZP105": fix_patch_mode,
    "AZP106": fix_platform_settings,
    "AZP107": fix_hotpatching,
    "AZP108": fix_setting_value,
    "AZP111": fix_provider_argument,
    "AZP112": fix_schedule_bypass,
    "AZP114": fix_scale_set_hotpatching,
    "AZP118": fix_linux_hotpatching,
    "AZP119": fix_custom_image_hotpatching,
    "AZP301": fix_api_version,
    "AZP302": fix_api_version,
}
