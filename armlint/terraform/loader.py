"""Terraform configuration files to ``VmRecord`` s: parse, group into modules, evaluate.

One directory is one module. A directory that another loaded directory calls with a local
source (``./x``, ``../x``) is evaluated through each caller with its inputs bound; every other
directory is a root, evaluated with variable defaults, ``terraform.tfvars``,
``*.auto.tfvars`` and the explicit var files (later ones win). Registry and remote modules are
never fetched: their outputs are Unknown and the notes count them.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from armlint.fileio import DEFAULT_CAP, TooLargeError, read_regular
from armlint.model import (
    DeploymentContext,
    Fact,
    FileReport,
    LoadResult,
    Location,
    Unknown,
    Value,
    VmRecord,
    pack_finding,
)
from armlint.terraform import nodes as n
from armlint.terraform.config import ModuleConfig, TfvarsFile
from armlint.terraform.evaluator import index_suffix
from armlint.terraform.extract import VM_TYPES, RecordContext, build_record
from armlint.terraform.fleet import add_fleet_facts, schedule_facts
from armlint.terraform.hclsyntax import HclSyntaxError, collector_paused
from armlint.terraform.instance import ModuleInstance
from armlint.terraform.providers import (
    BASIS_UNPINNED,
    LOCK_FILE,
    UNPINNED_NOTE,
    lock_version,
    newest_release,
)
from armlint.terraform.providers import resolve as resolve_pin
from armlint.terraform.relations import (
    DYNAMIC_SCOPE,
    EXTENSION_RESOURCES,
    MAINTENANCE_RESOURCES,
    MatchAll,
    Relation,
    Relations,
    is_health_type,
)
from armlint.terraform.views import HclView

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.terraform.instance import Cached

STEP_BUDGET = 200_000
# Values, not code: parsing keeps about 200 bytes per byte of HCL, so a 19 MB tfvars file took
# 3.7 GB. Real ones hold a few kilobytes.
MAX_TFVARS_BYTES = 2 * 1024 * 1024
TREE_STEP_BUDGET = 2_000_000  # README "Budgets": about 10 s on one core at worst
MAX_MODULE_DEPTH = 10
# Compiled on first use (re's cache, case-insensitive): only azapi_resource needs them.
AZAPI_EXTENSION = r"^Microsoft\.Compute/(virtualMachines|virtualMachineScaleSets)/extensions@"
AZAPI_ASSIGNMENT = r"^Microsoft\.Maintenance/configurationAssignments@"


def file_kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".tfvars", ".tfvars.json")) or ".tfvars." in name:
        return "tfvars"
    return "terraform"


def is_auto_tfvars(path: Path) -> bool:
    name = path.name
    return name in ("terraform.tfvars", "terraform.tfvars.json") or name.endswith(
        (".auto.tfvars", ".auto.tfvars.json")
    )


class ParsedFile(Value):
    __slots__ = ("path", "kind", "body")

    def __init__(self, path: Path, kind: str, body: n.Body | None) -> None:
        self.path = path
        self.kind = kind
        self.body = body


class Workspace:
    """The loaded module directories and what evaluation had to leave out."""

    def __init__(
        self,
        step_budget: int | None = None,
        max_depth: int | None = None,
        deployment: DeploymentContext | None = None,
    ) -> None:
        self.deployment = deployment or DeploymentContext()
        self.step_budget = STEP_BUDGET if step_budget is None else step_budget
        self.tree_budget = TREE_STEP_BUDGET  # one root's whole module tree
        self.tree_exhausted: set[str] = set()
        self.max_depth = MAX_MODULE_DEPTH if max_depth is None else max_depth
        self.configs: dict[Path, ModuleConfig] = {}
        self.skipped_calls: set[tuple[Path, str]] = set()
        self.missing_calls: set[tuple[Path, str]] = set()
        self.too_deep: set[str] = set()
        self.capped: dict[str, str] = {}  # place -> why only one instance was built

    def skipped_call(self, config: ModuleConfig, name: str) -> None:
        self.skipped_calls.add((config.directory, name))

    def missing_call(self, config: ModuleConfig, name: str) -> None:
        self.missing_calls.add((config.directory, name))

    def note_depth(self, where_: str) -> None:
        self.too_deep.add(where_)

    def notes(self) -> list[str]:
        notes = []
        if self.skipped_calls:
            notes.append(
                f"terraform: {len(self.skipped_calls)} module call(s) with registry or remote "
                "sources were not fetched; their outputs are unknown"
                f" (in {_folders(self.skipped_calls)})"
            )
        if self.missing_calls:
            notes.append(
                f"terraform: {len(self.missing_calls)} local module call(s) point at directories "
                "that were not among the loaded files; their outputs are unknown"
                f" (in {_folders(self.missing_calls)})"
            )
        for place in sorted(self.tree_exhausted):
            notes.append(
                f"terraform: module tree budget ({self.tree_budget} steps) exhausted at {place};"
                " the modules it calls beyond that are not evaluated"
            )
        for place, reason in sorted(self.capped.items()):
            notes.append(f"terraform: {place}: {reason}")
        for place in sorted(self.too_deep):
            notes.append(
                f"terraform: module nesting deeper than {self.max_depth} at {place}; not evaluated"
            )
        return notes


NOTE_FOLDERS = 3  # a note stays one readable line; the bicep notes cut their lists the same way


def _folders(calls: set[tuple[Path, str]]) -> str:
    """The module folders that make the calls, so a note says where to look."""
    folders = sorted({directory.as_posix() for directory, _ in calls})
    shown = ", ".join(folders[:NOTE_FOLDERS])
    more = len(folders) - NOTE_FOLDERS
    return f"{shown} and {more} more" if more > 0 else shown


def load(
    files: list[Path],
    var_files: list[Path] | tuple[Path, ...] = (),
    deployment: DeploymentContext | None = None,
) -> LoadResult:
    # The syntax trees of every file stay alive until the records are built and are freed
    # (by reference counting, they hold no cycles) when this returns: with the cyclic collector
    # on, its full passes would walk them all again and again, a quarter of the load time.
    with collector_paused():
        return _load(files, var_files, deployment)


def _load(
    files: list[Path],
    var_files: list[Path] | tuple[Path, ...],
    deployment: DeploymentContext | None = None,
) -> LoadResult:
    result = LoadResult()
    files = list(dict.fromkeys(Path(path) for path in files))  # each file once
    parsed = [_parse_file(path, result) for path in files]
    already = {item.path: item for item in parsed}
    extra_vars = [
        already.get(Path(path)) or _parse_file(Path(path), result, MAX_TFVARS_BYTES)
        for path in var_files
    ]
    workspace = Workspace(deployment=deployment)
    workspace.configs = _module_configs(parsed)
    for root in _roots(workspace.configs):
        _evaluate_root_guarded(workspace, workspace.configs[root], extra_vars, result)
    result.notes.extend(workspace.notes())
    return result


# --- parsing -------------------------------------------------------------------------------


def _parse_file(path: Path, result: LoadResult, cap: int | None = None) -> ParsedFile:
    """Parse one file; any failure becomes AZP001 and an 'error' file report, never a raise."""
    kind = file_kind(path)
    if cap is None:
        cap = MAX_TFVARS_BYTES if kind == "tfvars" else DEFAULT_CAP
    body, line, column, reason = None, 1, 1, ""
    try:
        body = _parse_text(read_regular(path, cap).decode("utf-8-sig"), str(path), kind)
    except TooLargeError as error:
        reason = (
            f"a variables file of {error.size} bytes is above the value budget of {cap} bytes;"
            " it was not read"
        )
    except HclSyntaxError as error:
        line, column, reason = error.line, error.column, error.message
    except UnicodeDecodeError as error:
        reason = f"the file is not UTF-8 text (byte {error.start})"
    except OSError as error:
        reason = f"cannot read the file: {error.strerror or error}"
    except (RuntimeError, ValueError, RecursionError) as error:
        # The parser's own failures carry no position: report them at 1:1 on one line.
        reason = f"HCL parser failure: {_one_line(error)}"
    if reason:
        _parse_error(result, path, reason, line, column)
    result.files.append(FileReport(str(path), kind, "error" if reason else "linted", reason))
    return ParsedFile(path, kind, body)


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())[:200] or type(error).__name__


def _parse_text(text: str, path: str, kind: str) -> n.Body:
    if path.lower().endswith(".json"):
        from armlint.terraform.tfjson import parse_tf_json, parse_tfvars_json

        return parse_tfvars_json(text, path) if kind == "tfvars" else parse_tf_json(text, path)
    from armlint.terraform.hclsyntax import parse

    return parse(text, path)


def _parse_error(result: LoadResult, path: Path, message: str, line: int, column: int) -> None:
    result.findings.append(
        pack_finding(
            "AZP001", f"cannot parse {path.name}: {message}", Location(str(path), line, column)
        )
    )


# --- modules -------------------------------------------------------------------------------


def _module_configs(parsed: list[ParsedFile]) -> dict[Path, ModuleConfig]:
    configs: dict[Path, ModuleConfig] = {}
    for item in sorted(parsed, key=lambda p: str(p.path)):
        if item.kind == "terraform" and item.body is not None:
            directory = Path(os.path.normpath(str(item.path.parent)))
            configs.setdefault(directory, ModuleConfig(directory)).add(item.body)
    for item in parsed:
        directory = Path(os.path.normpath(str(item.path.parent)))
        if item.kind == "tfvars" and item.body is not None and is_auto_tfvars(item.path):
            config = configs.get(directory)
            if config is not None:
                config.auto_tfvars.append(TfvarsFile(item.path, item.body))
    for config in configs.values():
        # terraform.tfvars(.json) first, then *.auto.tfvars in lexical order (Terraform's order).
        config.auto_tfvars.sort(
            key=lambda f: (not f.path.name.startswith("terraform.tfvars"), f.path.name)
        )
    return configs


def _roots(configs: dict[Path, ModuleConfig]) -> list[Path]:
    """Directories no loaded directory calls, plus any left over in call cycles."""
    called: dict[Path, set[Path]] = {directory: set() for directory in configs}
    for directory, config in configs.items():
        for name in config.calls:
            target = config.local_call_target(name)
            if target in configs and target != directory:
                called[target].add(directory)
    roots = [directory for directory, callers in called.items() if not callers]
    reached = _reachable(configs, roots)
    roots += [directory for directory in configs if directory not in reached]
    return sorted(set(roots), key=str)


def _reachable(configs: dict[Path, ModuleConfig], roots: list[Path]) -> set[Path]:
    seen: set[Path] = set()
    stack = list(roots)
    while stack:
        directory = stack.pop()
        if directory in seen:
            continue
        seen.add(directory)
        config = configs[directory]
        for name in config.calls:
            target = config.local_call_target(name)
            if target in configs:
                stack.append(target)
    return seen


def _evaluate_root_guarded(
    workspace: Workspace, config: ModuleConfig, extra_vars: list[ParsedFile], result: LoadResult
) -> None:
    """One root's unexpected failure must not lose the records of the other roots."""
    try:
        _evaluate_root(workspace, config, extra_vars, result)
    except Exception as error:  # reported in the notes, never silent
        result.notes.append(
            f"terraform: internal error while evaluating {config.directory}: "
            f"{type(error).__name__}: {error}"
        )


def _evaluate_root(
    workspace: Workspace, config: ModuleConfig, extra_vars: list[ParsedFile], result: LoadResult
):
    root = ModuleInstance(workspace, config)
    root.root_inputs = _root_inputs(root, config, extra_vars)
    instances = _walk(root)
    relations = Relations(_collect_relations(instances))
    # The lock file decides the provider version, there or not: a dependency either way.
    result.dependencies.append(str(config.directory / LOCK_FILE))
    locked = lock_version(config.directory)
    schedules = schedule_facts(instances)
    before = len(result.records)
    for instance in instances:
        made = _instance_records(instance, relations, locked)
        add_fleet_facts(made, instance, schedules, instances)
        result.records.extend(made)
    _note_unpinned(result, result.records[before:])
    for instance in instances:
        if instance.budget.exhausted:
            place = instance.address or str(instance.config.directory)
            result.notes.append(
                f"terraform: evaluation step budget ({instance.budget.limit}) exhausted in {place}; "
                "values computed after that are unknown"
            )


def _root_inputs(
    root: ModuleInstance, config: ModuleConfig, extra_vars: list[ParsedFile]
) -> dict[str, Cached]:
    inputs: dict[str, Cached] = {}
    sources = [(f.path, f.body) for f in config.auto_tfvars]
    sources += [(f.path, f.body) for f in extra_vars if f.body is not None]
    for path, body in sources:
        for name, attribute in body.attributes.items():
            value, steps = root.evaluator.evaluate(attribute.expr, {})
            inputs[name] = (value, (f"set in {path.name}:{attribute.loc.line}", *steps))
    for name, text in root.workspace.deployment.variables:
        block = config.variables.get(name)
        if block is not None:  # like terraform plan -var, which wins over every file
            inputs[name] = (
                DeploymentContext.typed(text, _type_text(block)),
                (f"from --var {name}",),
            )
    return inputs


def _type_text(block) -> str | None:
    """'string', 'number', 'bool', 'list(...)': the head of a variable's type, for -var values."""
    attribute = block.body.attributes.get("type")
    expr = attribute.expr if attribute is not None else None
    name = getattr(expr, "name", None)  # a Name ('string') or a Call ('list(string)')
    return name if isinstance(name, str) else None


def _walk(instance: ModuleInstance) -> list[ModuleInstance]:
    found = [instance]
    for name in instance.config.calls:
        children = instance.children(name)
        if isinstance(children, dict):
            for child in children.values():
                found.extend(_walk(child))
    return found


# --- records -------------------------------------------------------------------------------


def _instance_records(instance: ModuleInstance, relations: Relations, locked) -> list[VmRecord]:
    records = []
    constraint = _azurerm_constraint(instance)
    pin = resolve_pin(constraint, locked, LOCK_FILE)
    for (rtype, rname), block in instance.config.resources.items():
        if rtype in VM_TYPES or rtype == "azapi_resource":
            made = _resource_records(instance, rtype, rname, block, relations, constraint)
            for record in made:
                if rtype in VM_TYPES:
                    pin.apply(record)
            records.extend(made)
    return records


def _note_unpinned(result: LoadResult, records: list[VmRecord]) -> None:
    """Say once per run (not per module) that an unpinned provider gets the newest behaviour."""
    if not any(r.azurerm_version_basis == BASIS_UNPINNED for r in records):
        return
    prefix = UNPINNED_NOTE.split("{count}")[0]
    for position, note in enumerate(result.notes):
        if note.startswith(prefix):
            count = int(note[len(prefix) :].split(" ", 1)[0]) + 1
            result.notes[position] = UNPINNED_NOTE.format(count=count, newest=newest_release())
            return
    result.notes.append(UNPINNED_NOTE.format(count=1, newest=newest_release()))


def _azurerm_constraint(instance: ModuleInstance) -> str | None:
    """The azurerm version constraint of this module, else of the nearest caller."""
    current: ModuleInstance | None = instance
    while current is not None:
        found = current.config.azurerm_constraint()
        if found:
            return found
        current = current.parent
    return None


def _resource_records(instance, rtype, rname, block, relations, constraint) -> list[VmRecord]:
    expansion = instance.resource_expansion(rtype, rname)
    prefix = instance.address + "." if instance.address else ""
    base_address = f"{prefix}{rtype}.{rname}"
    records = []
    if expansion.capped:
        place = f"{base_address} ({Path(block.loc.path).name}:{block.loc.line})"
        instance.workspace.capped[place] = expansion.capped
    for position, key in enumerate(expansion.instance_keys()):
        view = HclView(block.body, block.loc, instance, expansion.scope(key))
        context = _context(instance, expansion, base_address, key, position, constraint, relations)
        context.name = _name_of(view)
        if rtype == "azapi_resource":
            record = _azapi_record(view, context)
            if record is None:
                return []
        else:
            record = build_record(view, rtype, context)
        records.append(record)
    return records


def _context(
    instance, expansion, base_address, key, position, constraint, relations
) -> RecordContext:
    # Several roots may call one module: the root tells those evaluations apart.
    details: dict = {"root_module": str(instance.root.config.directory)}
    looped = expansion.kind != "single"
    unknown = expansion.unknown is not None or instance.instances_unknown
    if unknown:
        details["instances_unknown"] = True
    if expansion.steps:
        details["instances_trace"] = tuple(expansion.steps)
    if expansion.capped:
        details["representative_instance"] = expansion.capped
    if key is not None:
        details["instance_key"] = key  # the count index or the for_each key
    group, index = "", None
    if looped:
        group, index = base_address, (None if expansion.unknown is not None else position)
    elif instance.position is not None:
        group, index = _strip_last_index(base_address, instance.address), instance.position
    return RecordContext(
        "terraform",
        base_address,  # without the instance key: index completes the identity
        group,
        index,
        "",
        constraint,
        relations,
        details,
        instance_address=base_address + index_suffix(key),
    )


def _strip_last_index(address: str, module_address: str) -> str:
    """module.vm[1].azurerm_x.y -> module.vm.azurerm_x.y (the module loop is the group)."""
    stripped_module = re.sub(r"\[[^\]]*\]$", "", module_address)
    return stripped_module + address[len(module_address) :]


def _name_of(view: HclView) -> str:
    read = view.attr("name")
    if read is not None and isinstance(read.value, str):
        return read.value
    return ""


def _azapi_record(view: HclView, context: RecordContext) -> VmRecord | None:
    # Imported here: azapi reads ARM-shaped bodies with the ARM body walker (compute.arm_body,
    # arm.jsonpos), modules a configuration without azapi_resource never needs.
    from armlint.terraform.azapi import body_cursor, build_azapi_record, compute_kind

    type_read = view.attr("type")
    if type_read is None or compute_kind(type_read.value) is None:
        return None
    return build_azapi_record(view, type_read, body_cursor(view), context)


# --- relations -----------------------------------------------------------------------------


def _collect_relations(instances: list[ModuleInstance]) -> list[Relation]:
    relations: list[Relation] = []
    for instance in instances:
        prefix = instance.address + "." if instance.address else ""
        for (rtype, rname), block in instance.config.resources.items():
            collector = _RELATION_COLLECTORS.get(rtype)
            if collector is None:
                continue
            expansion = instance.resource_expansion(rtype, rname)
            for key in expansion.instance_keys():
                view = HclView(block.body, block.loc, instance, expansion.scope(key))
                address = f"{prefix}{rtype}.{rname}{index_suffix(key)}"
                relations.extend(collector(rtype, view, address))
    return relations


def _extension_relation(rtype: str, view: HclView, address: str) -> list[Relation]:
    type_read = view.attr("type") or Fact(None, view.loc, "default")
    target = _target(view, EXTENSION_RESOURCES[rtype])
    return [Relation("health", target, is_health_type(type_read.value), type_read, address)]


def _assignment_relation(rtype: str, view: HclView, address: str) -> list[Relation]:
    attribute = MAINTENANCE_RESOURCES[rtype]
    read = view.attr(attribute) or Fact(None, view.loc, "default")
    return [Relation("maintenance", _target(view, attribute), True, read, address)]


def _dynamic_scope_relation(rtype: str, view: HclView, address: str) -> list[Relation]:
    filters = view.blocks("filter")
    if isinstance(filters, Unknown):
        return [Relation("maintenance", filters, True, Fact(filters, view.loc, "unknown"), address)]
    read = Fact(True, view.loc, "literal")
    scope_filter = filters[0] if filters else MatchAll(view.loc)
    return [Relation("maintenance", None, True, read, address, scope_filter)]


def _azapi_relation(rtype: str, view: HclView, address: str) -> list[Relation]:
    type_read = view.attr("type")
    if type_read is None or not isinstance(type_read.value, str):
        return []
    if re.match(AZAPI_ASSIGNMENT, type_read.value, re.I):
        return [Relation("maintenance", _target(view, "parent_id"), True, type_read, address)]
    if re.match(AZAPI_EXTENSION, type_read.value, re.I):
        from armlint.terraform.azapi import body_cursor

        body = body_cursor(view)
        ext_type = body.path("properties", "type") if body is not None else None
        applies = is_health_type(ext_type.value) if ext_type is not None else False
        read = ext_type if ext_type is not None else type_read
        return [Relation("health", _target(view, "parent_id"), applies, read, address)]
    return []


def _target(view: HclView, attribute: str):
    read = view.attr(attribute)
    if read is None:
        return None
    return read.value


_RELATION_COLLECTORS = {
    **dict.fromkeys(EXTENSION_RESOURCES, _extension_relation),
    **dict.fromkeys(MAINTENANCE_RESOURCES, _assignment_relation),
    DYNAMIC_SCOPE: _dynamic_scope_relation,
    "azapi_resource": _azapi_relation,
}

__all__ = ["Workspace", "file_kind", "load"]
