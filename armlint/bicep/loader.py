"""Loading a set of .bicep and .bicepparam files into VM records.

Which file is evaluated how:

* a .bicep file used as a local module by another file of the set is evaluated through each
  caller (``params`` bound), never on its own;
* a .bicep file named by ``using`` in a .bicepparam file of the set is evaluated once per such
  parameter file, with its values;
* every other .bicep file is a root, evaluated with its parameter defaults.

Each evaluation explores the ``@allowed`` values of the parameters its VM facts depend on (one
set of records per combination, capped), and counts the registry modules it could not fetch.
"""

from __future__ import annotations

import gc
import itertools
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

from armlint.bicep.evaluate import site
from armlint.bicep.program import Program, read_program
from armlint.bicep.records import build_records
from armlint.bicep.syntax import SourceFile, parse_error, parse_file
from armlint.bicep.template import Engine, Template, is_registry, same_value
from armlint.bicep.values import V
from armlint.fileio import DEFAULT_CAP, read_regular
from armlint.model import DeploymentContext, FileReport, LoadResult, Location, VmRecord
from armlint.resolving import FolderResolver

MAX_SCENARIOS = 64
STEP_BUDGET = 400_000


@dataclass
class Workspace:
    """Parsed files by resolved path: the inputs, and the modules and templates they name."""

    result: LoadResult
    programs: dict[Path, Program | None] = field(default_factory=dict)
    inputs: list[Program] = field(default_factory=list)
    deployment: DeploymentContext = field(default_factory=DeploymentContext)
    # Path.resolve asks the file system about every component: module paths repeat for
    # every instance and every explored combination, so each is resolved once per load, and
    # the files of a folder share its resolution.
    resolved: dict[Path, Path] = field(default_factory=dict)
    folders: FolderResolver = field(default_factory=FolderResolver)
    # Each module and ``using`` target looked for, as written (see ``load``): the result's
    # dependencies, there or not.
    looked_for: dict[str, None] = field(default_factory=dict)

    def resolve(self, path: Path) -> Path:
        found = self.resolved.get(path)
        if found is None:
            found = self.resolved[path] = _resolved(path, self.folders)
        return found

    def add_input(self, path: Path) -> None:
        display = path.as_posix()
        kind = "bicepparam" if path.suffix.lower() == ".bicepparam" else "bicep"
        report = FileReport(display, kind)
        self.result.files.append(report)
        program = self._parse(path, display, report)
        key = self.resolve(path)
        if key not in self.programs or self.programs[key] is None:
            self.programs[key] = program
        if program is not None:
            self.inputs.append(program)

    def load(self, path: Path, display: str) -> Program | None:
        """A file named by a module or 'using': read once, even when it is not an input.

        ``path`` may be unresolved (a module's folder joined with its relative path); the
        program is read from, and keeps, the resolved path. ``path`` as written is a
        dependency of the result: the file may lie outside the files checked, be created
        later, or be reached through a symlinked folder that is retargeted."""
        self.looked_for[str(path)] = None
        key = self.resolve(path)
        if key not in self.programs:
            self.programs[key] = self._parse(key, display, None) if key.exists() else None
        return self.programs[key]

    def _parse(self, path: Path, display: str, report: FileReport | None) -> Program | None:
        try:
            data = read_regular(path, DEFAULT_CAP)
        except (OSError, ValueError) as error:  # ValueError: a NUL byte in the name
            reason = f"cannot read: {getattr(error, 'strerror', None) or error}"
            if report is not None:
                report.status, report.reason = "error", reason
                location = Location(display, 1, 1, 1, 1)
                self.result.findings.append(parse_error(display, location, reason))
            return None
        try:
            source = parse_file(path, display, data)
        except UnicodeDecodeError:
            location = Location(display, 1, 1, 1, 1)
            self.result.findings.append(parse_error(display, location, "file is not UTF-8"))
            if report is not None:
                report.status, report.reason = "error", "not UTF-8"
            return None
        if report is not None:
            self.result.findings.extend(source.findings)
        elif source.findings:
            # not an input: no report to attach findings to, but the reader should know
            self.result.notes.append(
                f"bicep: {display} (read as a module or template) has "
                f"{len(source.findings)} syntax error(s); run armlint on it for details"
            )
        return read_program(source)


def _resolved(path: Path, folders: FolderResolver) -> Path:
    try:
        return folders.resolve(path)
    except (OSError, ValueError, RuntimeError):  # a loop, a NUL byte in a module path
        return path.absolute()


def _module_targets(program: Program, resolve) -> set[Path]:
    base = program.source.path.parent
    return {
        resolve(base / decl.path)
        for decl in program.modules.values()
        if decl.path and not is_registry(decl.path)
    }


def _using_path(program: Program) -> Path | None:
    """The template a parameter file names by ``using``, as written (unresolved)."""
    if program.using is None or program.using.lower() == "none" or is_registry(program.using):
        return None
    return program.source.path.parent / program.using


@dataclass
class Root:
    """One root evaluation: a template, and the parameter file that binds it (if any)."""

    program: Program
    params: Program | None = None

    @property
    def label(self) -> str:
        return (self.params or self.program).source.display


def _bind_param_file(engine: Engine, params: Program) -> dict[str, V]:
    """Values of a .bicepparam file, each traced to the line that sets it."""
    holder = Template(engine, params, None, f"{params.source.display}:")
    bound: dict[str, V] = {}
    for name, decl in params.assignments.items():
        if decl.value is None:
            continue
        from armlint.bicep.evaluate import evaluate

        value = evaluate(decl.value, holder, {}).at(site(holder, decl.value))
        bound[name] = value.through((f"set in {params.source.where(decl.node)}",))
    return bound


def _bind_command_line(
    program: Program, deployment: DeploymentContext, bound: dict[str, V] | None
) -> dict[str, V] | None:
    """``--set NAME=VALUE`` for the template's own parameters; it wins over a .bicepparam."""
    given = [(name, text) for name, text in deployment.parameters if name in program.params]
    if not given:
        return bound
    bound = dict(bound or {})
    for name, text in given:
        value = DeploymentContext.typed(text, program.params[name].type_text)
        bound[name] = V(value, None, (f"from --set {name}",))
    return bound


def _evaluate_root(
    root: Root, workspace: Workspace, choices: dict
) -> tuple[list, Engine, Template]:
    engine = Engine(workspace.load, choices=dict(choices), budget=STEP_BUDGET)
    engine.deployment = workspace.deployment
    bound = _bind_param_file(engine, root.params) if root.params is not None else None
    bound = _bind_command_line(root.program, workspace.deployment, bound)
    address = f"{root.program.source.display}:"
    if root.params is not None:
        # one evaluation per parameter file: the parameter file is part of the identity
        address = f"{root.params.source.display}:using {Path(root.params.using or '').name}/"
    template = Template(engine, root.program, bound, address)
    return _records(root, template), engine, template


def _records(root: Root, template: Template) -> list[tuple[VmRecord, frozenset]]:
    made = build_records(template)
    if root.params is not None:
        for record, _ in made:
            record.parameter_file = root.params.source.name
    return made


def _choice(engine: Engine, choices: dict, key: tuple[str, str]) -> tuple | None:
    """The value a combination gives ``key``: its choice, else the one value it took without
    a choice (None when that differs between the templates that declare it)."""
    if key in choices:
        return (choices[key],)
    naturals = engine.naturals.get(key, [])
    return (naturals[0],) if len(naturals) == 1 else None


def _changed(engine: Engine, previous: dict, choices: dict) -> set:
    changed = set()
    for key in previous.keys() | choices.keys():
        before, after = _choice(engine, previous, key), _choice(engine, choices, key)
        if before is None or after is None or not same_value(before[0], after[0]):
            changed.add(key)
    return changed


def _reevaluate(
    root: Root, template: Template, previous: dict, choices: dict
) -> list[tuple[VmRecord, frozenset]] | None:
    """The records of a combination from the templates of the previous one: only the values
    that read a choice which changed are evaluated again (``bicep/reads.py``). None when the
    step budget ran out: what was cached then depends on where it ran out."""
    engine = template.engine
    changed = _changed(engine, previous, choices)
    engine.choices = dict(choices)
    engine.steps = 0  # each combination has the budget of a whole evaluation, as before
    engine.reads.invalidate(changed)
    made = _records(root, template)
    return None if engine.exhausted else made


def _evaluate_whole(root: Root, workspace: Workspace, choices: dict):
    made, engine, _ = _evaluate_root(root, workspace, choices)
    engine.reads.release()
    return made


def _scenario(deps: frozenset, keys: list, choices: dict) -> tuple:
    return tuple((name, choices[(path, name)]) for path, name in keys if (path, name) in deps)


def explore(
    root: Root, workspace: Workspace, notes: list[str], enabled: bool = True, share: bool = True
) -> tuple[list[VmRecord], Engine]:
    """Evaluate a root once per combination of the @allowed values its VM facts depend on.

    ``share``: each combination re-evaluates only what its choices change (``_reevaluate``);
    without it (and after the step budget ran out), each evaluates the whole root again.
    """
    made, engine, template = _evaluate_root(root, workspace, {})
    relevant = sorted({key for _, deps in made for key in deps if key in engine.allowed})
    if not relevant or not enabled:
        return [record for record, _ in made], engine
    options = [engine.allowed[key] for key in relevant]
    baseline = {key: values[0] for key, values in zip(relevant, options, strict=True)}
    total = math.prod(len(values) for values in options)
    records: list[VmRecord] = []
    # the notes say what the first evaluation met, as when every combination had its own
    baseline_notes = (set(engine.missing_modules), engine.exhausted)
    share = share and not engine.exhausted
    previous: dict = {}
    for number, combination in enumerate(
        itertools.islice(itertools.product(*options), MAX_SCENARIOS)
    ):
        choices = dict(zip(relevant, combination, strict=True))
        if number > 0:
            shared = _reevaluate(root, template, previous, choices) if share else None
            share = shared is not None
            made = shared if shared is not None else _evaluate_whole(root, workspace, choices)
            previous = choices
        for record, deps in made:
            if any(choices[key] != baseline[key] for key in relevant if key not in deps):
                continue  # the same record comes from the combination where this is at baseline
            record.scenario = _scenario(deps, relevant, choices)
            records.append(record)
    if total > MAX_SCENARIOS:
        notes.append(
            f"bicep: {root.label}: explored {MAX_SCENARIOS} of {total} combinations of allowed "
            "parameter values (cap reached)"
        )
    engine.missing_modules, engine.exhausted = baseline_notes
    return records, engine


def _roots(workspace: Workspace) -> list[Root]:
    templates = [p for p in workspace.inputs if p.source.kind == "bicep"]
    param_files = [p for p in workspace.inputs if p.source.kind == "bicepparam"]
    called: set[Path] = set()
    for program in templates:
        called |= _module_targets(program, workspace.resolve)
    used: set[Path] = set()
    roots: list[Root] = []
    for params in param_files:
        written = _using_path(params)
        if written is None or params.using is None:  # (a target implies a `using` path)
            continue
        target = workspace.resolve(written)
        display = os.path.normpath(
            os.path.join(os.path.dirname(params.source.display), params.using)
        )
        template = workspace.load(written, Path(display).as_posix())
        if template is not None:
            used.add(target)
            roots.append(Root(template, params))
        else:
            workspace.result.notes.append(
                f"bicep: {params.source.display}: template {params.using} could not be read"
            )
    for program in templates:
        key = workspace.resolve(program.source.path)
        if key not in called and key not in used:
            roots.append(Root(program))
    return roots


def _registry_count(workspace: Workspace) -> int:
    return sum(
        1
        for program in workspace.programs.values()
        if program is not None
        for decl in program.modules.values()
        if is_registry(decl.path)
    )


def load_files(
    files: list[Path],
    explore_allowed: bool = True,
    deployment: DeploymentContext | None = None,
    share: bool = True,
) -> LoadResult:
    """``share=False`` evaluates each explored combination whole (tests compare the two)."""
    # Loading allocates many small objects that stay alive until the records are built (syntax
    # nodes, values, cached entries); the cyclic collector would walk them again and again
    # (about 5% of a Bicep check). It is held off for the load; what is left in cycles (a
    # template and its cached instances) is collected after it, when the collector next runs.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _load_files(files, explore_allowed, deployment or DeploymentContext(), share)
    finally:
        if collecting:
            gc.enable()


def _load_files(
    files: list[Path], explore_allowed: bool, deployment: DeploymentContext, share: bool
) -> LoadResult:
    result = LoadResult()
    workspace = Workspace(result, deployment=deployment)
    for path in files:
        workspace.add_input(Path(path))
    notes: list[str] = []
    missing: set[tuple[str, str]] = set()
    for root in _roots(workspace):
        try:
            records, engine = explore(root, workspace, notes, explore_allowed, share)
            engine.reads.release()
        except (RecursionError, MemoryError) as error:
            # a pathological file must not stop the run: report it and go on
            notes.append(f"bicep: {root.label}: not evaluated ({type(error).__name__})")
            continue
        result.records.extend(records)
        missing |= engine.missing_modules
        if engine.exhausted:
            notes.append(
                f"bicep: {root.label}: evaluation stopped after {engine.budget} steps; "
                "later values are unknown"
            )
    if missing:
        examples = ", ".join(f"{target} (from {caller})" for caller, target in sorted(missing)[:3])
        more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
        notes.append(
            f"bicep: {len(missing)} local module reference(s) point at files that could not be "
            f"read; their outputs are unknown: {examples}{more}"
        )
    skipped = _registry_count(workspace)
    if skipped:
        notes.append(
            f"bicep: {skipped} registry module(s) (br:, br/public:, ts:) not fetched; "
            "their outputs are unknown"
        )
    result.notes.extend(notes)
    result.dependencies.extend(workspace.looked_for)
    return result


__all__ = ["SourceFile", "load_files"]
