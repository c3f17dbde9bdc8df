"""ARM JSON files in, VM records out: reading, classifying, parameter files and allowed values.

A template is evaluated once with the values it would get (parameter file or defaults). When
a parameter that the VMs depend on has ``allowedValues`` and no given value, each reachable
choice is evaluated too, so a rule that fails for any of them can say which ("when
patchMode='Manual'"). The search is bounded and says so when the bound cut it.
"""

from __future__ import annotations

import itertools
import os
from functools import cache, cached_property, partial

from armlint.arm.combinations import CombinationMemo
from armlint.arm.jsonpos import JsonError, JsonObject, SourceText, decode_bytes, get_ci, parse
from armlint.arm.template import (
    FileContext,
    ParameterValue,
    TemplateScope,
    location_of,
    value_line,
)
from armlint.arm.walk import Walk, walk_template
from armlint.fileio import TooLargeError, read_regular
from armlint.model import (
    DeploymentContext,
    FileReport,
    Finding,
    LaterLocation,
    LoadResult,
    Location,
    Unknown,
    VmRecord,
    pack_finding,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

MAX_COMBINATIONS = 64
# Combinations share results that do not depend on their choices (arm.combinations); the tests
# turn this off to compare against evaluating every combination from scratch.
SHARE_BETWEEN_COMBINATIONS = True
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
# Text with these byte-order marks holds NUL bytes without being binary (UTF-16 and UTF-32).
UNICODE_MARKS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


class JsonDocument:
    """One JSON file as read: its value and text, or the finding that explains why not. A plain
    class: creating a dataclass cost about 2 million instructions of every ARM check's
    start-up."""

    __slots__ = ("path", "value", "src", "findings")

    def __init__(
        self,
        path: str | Path,  # text (armlint.paths.path_text), a Path for a linked template
        value: Any = None,
        src: SourceText | None = None,
        findings: list[Finding] | None = None,
    ) -> None:
        self.path = path
        self.value = value
        self.src = src
        self.findings: list[Finding] = [] if findings is None else findings

    @property
    def ok(self) -> bool:
        return self.src is not None


def read_json(
    path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES, data: bytes | None = None
) -> JsonDocument:
    document = JsonDocument(path)
    shown = str(path)
    try:
        if data is None:
            data = read_regular(path, max_bytes)
    except TooLargeError as error:
        document.findings.append(too_large_finding(shown, error.size, max_bytes))
        return document
    except (OSError, ValueError) as error:  # ValueError: a NUL byte in the name
        document.findings.append(parse_error(shown, 1, 1, f"cannot read the file: {_why(error)}"))
        return document
    if b"\x00" in data[:1024] and not data.startswith(UNICODE_MARKS):
        document.findings.append(parse_error(shown, 1, 1, "binary file, not JSON text"))
        return document
    try:
        text = decode_bytes(data)
    except UnicodeDecodeError as error:
        message = f"not valid UTF-8 text (byte {error.start}: {error.reason})"
        document.findings.append(parse_error(shown, 1, 1, message))
        return document
    try:
        document.value, document.src = parse(text, shown)
    except JsonError as error:
        line, column = SourceText(shown, text).line_col(min(error.offset, len(text)))
        document.findings.append(parse_error(shown, line, column, error.message))
        return document
    document.findings.extend(_duplicate_findings(document.src))
    return document


def _why(error: Exception) -> str:
    return getattr(error, "strerror", None) or str(error) or type(error).__name__


def parse_error(path: str, line: int, column: int, message: str) -> Finding:
    where = Location(path, line, column, line, column)
    return pack_finding("AZP001", message, where, fingerprint=f"{path}|AZP001")


def too_large_finding(path: str, size: int, limit: int) -> Finding:
    message = f"file is {_size_text(size)}, above the {_size_text(limit, 0)} limit; it was not read"
    return parse_error(path, 1, 1, message)


def _size_text(size: int, decimals: int = 1) -> str:
    """'20.0 MB'; a limit below one megabyte in bytes rather than as '0 MB'."""
    mb = 1024 * 1024
    return f"{size / mb:.{decimals}f} MB" if size >= mb else f"{size} bytes"


def _duplicate_findings(src: SourceText) -> list[Finding]:
    findings = []
    for key, first, second in src.duplicates:
        first_line = src.line_col(first[0])[0]
        where = src.location(second)
        message = (
            f"duplicate key '{key}': first at line {first_line}, again at line {where.line};"
            " ARM keeps only the last one"
        )
        findings.append(pack_finding("AZP003", message, where))
    return findings


def parameter_files_for(template: str, candidates: list[str]) -> list[str]:
    """``X.parameters.json`` and ``X.parameters.*.json`` beside ``X.json`` (paths as
    ``armlint.paths.path_text`` gives them)."""
    folder = os.path.dirname(template)
    return _named_for(template, [path for path in candidates if os.path.dirname(path) == folder])


class ParameterFiles:
    """The parameter files of a run by folder: each template looks at its own folder's only
    (``parameter_files_for`` compared every template's folder with every parameter file's)."""

    def __init__(self, paths: list[str]) -> None:
        self.by_folder: dict[str, list[str]] = {}
        for path in paths:
            self.by_folder.setdefault(os.path.dirname(path), []).append(path)

    def beside(self, template: str) -> list[str]:
        """``parameter_files_for(template, paths)``."""
        return _named_for(template, self.by_folder.get(os.path.dirname(template), []))


def _named_for(template: str, beside: list[str]) -> list[str]:
    """Of the files beside a template (all in its folder: sorted by name), its parameter files."""
    stem = os.path.basename(template).rsplit(".", 1)[0].lower()
    found = []
    for candidate in beside:
        name = os.path.basename(candidate).lower()
        if name in (f"{stem}.parameters.json", f"{stem}.parameters.jsonc") or (
            name.startswith(f"{stem}.parameters.") and name.endswith((".json", ".jsonc"))
        ):
            found.append(candidate)
    return sorted(found)


def given_values(document: JsonDocument) -> dict[str, ParameterValue]:
    """The values a parameter file sets, each with where it was set (worked out when a trace
    names it: a parameter file sets many values that no VM reads)."""
    _, parameters = get_ci(document.value, "parameters")
    given: dict[str, ParameterValue] = {}
    if not isinstance(parameters, dict):
        return given
    path = str(document.path)
    for name, entry in parameters.items():
        if not isinstance(entry, dict):
            continue
        key, value = get_ci(entry, "value")
        if key is not None:
            given[name] = ParameterValue(
                value, partial(_set_in, parameters, name, entry, key, path)
            )
        else:
            origin = f"set in {location_of(parameters, name, Location(path, 1, 1)).short()}"
            reason = Unknown(f"parameter '{name}' comes from a Key Vault reference ({origin})")
            given[name] = ParameterValue(reason, origin)
    return given


def _set_in(parameters: dict, name: str, entry: dict, key: str, path: str) -> str:
    """'set in vm.parameters.json:6': the line of the value; of the entry, or the file's first,
    when the parameter file kept no positions there."""
    entry_place = LaterLocation(_entry_location, (parameters, name, path))
    return f"set in {value_line(entry, key, entry_place)}"


def _entry_location(parameters_name_path: tuple[dict, str, str]) -> Location:
    parameters, name, path = parameters_name_path
    return location_of(parameters, name, Location(path, 1, 1))


def command_line_values(template: Any, deployment: DeploymentContext) -> dict:
    """``--set NAME=VALUE`` for the parameters the template declares (like ``az deployment
    group create --parameters NAME=VALUE``); they win over parameter files."""
    _, declared = get_ci(template, "parameters")
    if not deployment.parameters or not isinstance(declared, dict):
        return {}
    given: dict[str, ParameterValue] = {}
    for name, text in deployment.parameters:
        key, declaration = get_ci(declared, name)
        if key is None:
            continue
        kind = get_ci(declaration, "type")[1] if isinstance(declaration, dict) else None
        given[key] = ParameterValue(DeploymentContext.typed(text, kind), f"from --set {key}")
    return given


class TemplateLoader:
    """Evaluates templates; follows linked templates only inside the scanned tree."""

    def __init__(
        self,
        roots: list[str],
        explore: bool = True,
        max_bytes: int = DEFAULT_MAX_BYTES,
        deployment: DeploymentContext | None = None,
    ) -> None:
        self.deployment = deployment or DeploymentContext()
        self.given_roots = roots
        self.explore = explore
        self.max_bytes = max_bytes  # for linked templates, as for the files given
        self.linked_cache: dict[Path, tuple[dict, SourceText] | str] = {}
        # The linked templates looked for, as written (the template's folder joined with the
        # relative path), not resolved: a symlinked folder on the way that is retargeted then
        # gives the path other content, which a resolved path would not show.
        self.looked_for: dict[str, None] = {}

    @cached_property
    def roots(self) -> list[Path]:
        # Resolved only when a template links another: a pre-commit hook passes every file as
        # a root, and resolving them all for every folder cost seconds. Paths (pathlib) only
        # here: a check without linked templates does not import it (issue 16).
        from pathlib import Path

        return [Path(root).resolve() for root in self.given_roots]

    def load(self, template: JsonDocument, parameter_docs: list[JsonDocument]) -> LoadResult:
        result = LoadResult()
        on_command_line = command_line_values(template.value, self.deployment)
        if not parameter_docs:
            self._evaluate_all(template, on_command_line, "", result)
        for document in parameter_docs:
            # With several parameter files each finding says which one it holds for.
            label = os.path.basename(document.path) if len(parameter_docs) > 1 else ""
            given = {**given_values(document), **on_command_line}
            self._evaluate_all(template, given, label, result)
        return result

    def _evaluate_all(self, template: JsonDocument, given, label: str, result: LoadResult) -> None:
        context = FileContext(deployment=self.deployment)
        candidates = self._allowed_choices(template.value, given) if self.explore else []
        if candidates and SHARE_BETWEEN_COMBINATIONS:
            # The combinations share what does not depend on their choices with each other
            # and with this first evaluation (arm.combinations).
            names = (name for name, _ in candidates)
            context.memo = CombinationMemo(template.value, names, context.budget)
            records, findings, reads = self._first_evaluation(template, given, candidates, context)
        else:
            records, findings, reads = self._evaluate(template, given, context)
        explorable = [(name, allowed) for name, allowed in candidates if name.lower() in reads]
        if not explorable:
            self._finish(records, label, ())
            result.records.extend(records)
        else:
            # The walk findings of every combination, each once: which template a deployment
            # links (AZP002 when it is not fetched) may depend on a choice.
            findings = []
            for combination in self._combinations(template, explorable, result):
                if context.memo is not None:
                    context.memo.choose(combination)
                chosen = _with_choices(given, combination)
                records, walked = self._evaluate_combination(template, chosen, context)
                findings.extend([finding for finding in walked if finding not in findings])
                self._finish(records, label, combination)
                result.records.extend(records)
        context.memo = None
        result.findings.extend(findings)
        result.notes.extend(dict.fromkeys(context.notes))
        if context.budget.exhausted:
            result.notes.append(
                f"{template.path}: evaluation budget exhausted; some values are unknown and"
                " some resources were not checked"
            )

    def _evaluate(self, template: JsonDocument, given, context: FileContext):
        scope = TemplateScope(template.value, template.src, given, context)
        walk = Walk(template.path, self._load_linked, api_profiles())
        walk_template(template.value, scope, walk)
        return walk.records, walk.findings, scope.reads

    def _first_evaluation(self, template: JsonDocument, given, candidates, context: FileContext):
        """The evaluation that finds which parameters the VMs read, with the choices of its
        own default values made already: the parameters whose default is a plain value among
        their allowedValues are given that very item, as a combination gives it. Their values
        are the same either way, so the evaluation reads the same parameters and finds the
        same; only the traces of what read them differ, and those records are dropped when
        they are explored. The walk then stands for the combination of the default values
        (shared as a whole walk, ``_evaluate_combination``), and what it worked out for them
        serves the other combinations that make the same choices."""
        memo = context.memo
        assert memo is not None  # only while combinations share results
        defaults = _default_choices(template.value, candidates)
        memo.choose(defaults)
        records, findings, reads, _ = self._shared_walk(
            template, _with_choices(given, defaults), context
        )
        return records, findings, reads

    def _evaluate_combination(self, template: JsonDocument, given, context: FileContext):
        """The records and findings of one combination. While combinations share results, a
        combination whose choices of everything the walk read (explored parameters, and for
        some only whether they are chosen) are those of an earlier one (or of the first
        evaluation) gets copies of its records: walking again would find the same
        (arm.combinations)."""
        if context.memo is None:
            records, findings, _ = self._evaluate(template, given, context)
            return records, findings
        records, findings, _, walked = self._shared_walk(template, given, context)
        if not walked:  # each record gets its own scenario (and the walk's fleet facts)
            records = [record.replace(facts=dict(record.facts)) for record in records]
        return records, findings

    def _shared_walk(self, template: JsonDocument, given, context: FileContext):
        """``_evaluate`` as one result of the memo, and whether it walked."""
        memo = context.memo
        assert memo is not None
        walked: list[bool] = []

        def walk():
            walked.append(True)
            return self._evaluate(template, given, context)

        records, findings, reads = memo.shared(("walk",), template.value, None, walk)
        return records, findings, reads, bool(walked)

    @staticmethod
    def _finish(records: list[VmRecord], label: str, combination) -> None:
        for record in records:
            record.scenario = tuple(combination)
            if label:
                record.parameter_file = label

    @staticmethod
    def _allowed_choices(template: dict, given) -> list[tuple[str, list]]:
        """The parameters that exploring may vary: declared with more than one allowed value
        and not given; those the evaluation reads are explored."""
        _, parameters = get_ci(template, "parameters")
        if not isinstance(parameters, dict):
            return []
        given_names = {name.lower() for name in given}
        candidates = []
        for name, declaration in parameters.items():
            if name.lower() in given_names or not isinstance(declaration, dict):
                continue
            _, allowed = get_ci(declaration, "allowedValues")
            if isinstance(allowed, list) and len(allowed) > 1:
                candidates.append((name, list(allowed)))
        return sorted(candidates)

    @staticmethod
    def _combinations(template: JsonDocument, explorable, result: LoadResult):
        total = 1
        for _, allowed in explorable:
            total *= len(allowed)
        if total <= MAX_COMBINATIONS:
            names = [name for name, _ in explorable]
            for values in itertools.product(*(allowed for _, allowed in explorable)):
                yield tuple(zip(names, values, strict=False))
            return
        # Too many for the full product: vary one parameter at a time so each value is seen.
        result.notes.append(
            f"{template.path}: {total} combinations of allowedValues; explored each value of"
            f" each parameter on its own instead (bound {MAX_COMBINATIONS})"
        )
        defaults = {
            name: _default_of(template.value, name, allowed) for name, allowed in explorable
        }
        for name, allowed in explorable:
            for value in allowed:
                yield tuple(
                    (other, value if other == name else defaults[other]) for other, _ in explorable
                )

    def _load_linked(self, relative: str, base: str | Path):
        from pathlib import Path  # see roots

        written = Path(base).parent / relative
        # What it resolves to (inside the tree or not) and its content decide the result.
        self.looked_for[str(written)] = None
        try:
            target = written.resolve()
        except (OSError, ValueError, RuntimeError) as error:
            return f"linked template {relative!r} cannot be resolved: {_why(error)}"
        if not any(target == root or root in target.parents for root in self.roots):
            return f"linked template '{relative}' is outside the scanned tree and is not read"
        if target not in self.linked_cache:
            if not _exists(target):
                self.linked_cache[target] = f"linked template '{relative}' does not exist"
            else:
                document = read_json(target, self.max_bytes)
                if document.ok:
                    self.linked_cache[target] = (document.value, document.src)
                else:
                    why = document.findings[0].message if document.findings else "unreadable"
                    self.linked_cache[target] = f"linked template '{relative}': {why}"
        return self.linked_cache[target]


def _exists(path: Path) -> bool:
    """``Path.exists``, False also for a name the system refuses (too long: ENAMETOOLONG,
    which Python 3.11's ``exists`` raises); reading it would fail the same way."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _with_choices(given: dict, choices) -> dict:
    """The given values with each chosen allowedValues item, as exploring gives them."""
    chosen = dict(given)
    for name, value in choices:
        chosen[name] = ParameterValue(value, "one of its allowedValues")
    return chosen


def _default_choices(template: dict, candidates) -> list[tuple[str, Any]]:
    """The candidates whose defaultValue is a plain value (not an expression, not a container)
    with an item of the same type and value among their allowedValues, with that item."""
    _, parameters = get_ci(template, "parameters")
    choices = []
    for name, allowed in candidates:
        _, declaration = get_ci(parameters, name)
        key, default = get_ci(declaration, "defaultValue")
        if key is None or isinstance(default, (dict, list)):
            continue
        if isinstance(default, str) and default.startswith("["):
            continue  # an expression (or an escaped "[["), evaluated in the scope
        same = _same_items(default, allowed)
        if same:
            choices.append((name, same[0]))
    return choices


def _default_of(template: dict, name: str, allowed: list) -> Any:
    """The value a parameter keeps while another one varies: its default, as the very item of
    allowedValues when one has its type and value (the memo tells choices apart by identity,
    so the combination of the defaults is then walked once, see ``_default_choices``)."""
    _, parameters = get_ci(template, "parameters")
    _, declaration = get_ci(parameters, name)
    _, default = get_ci(declaration, "defaultValue")
    if default in allowed:
        same = _same_items(default, allowed)
        return same[0] if same else default
    return allowed[0]


def _same_items(value: Any, allowed: list) -> list:
    """The items of ``allowed`` of the same type and value as ``value``."""
    return [item for item in allowed if type(item) is type(value) and item == value]


@cache
def api_profiles() -> dict[str, str]:
    """Azure Stack API profiles and the Compute api-version each implies (rules/data)."""
    from armlint.paths import rules_dir

    path = os.path.join(rules_dir(), "data", "api_profiles.yaml")
    if not os.path.isfile(path):
        return {}
    from armlint.datacache import load_yaml

    data = load_yaml(path) or {}
    table = data.get("compute_api_version", {}) if isinstance(data, dict) else {}
    return {str(name).lower(): str(version) for name, version in table.items()}


def file_report(document: JsonDocument, kind: str) -> FileReport:
    if not document.ok:
        reason = document.findings[0].message if document.findings else "cannot be read"
        return FileReport(str(document.path), kind, "error", reason)
    return FileReport(str(document.path), kind)


__all__ = [
    "JsonDocument",
    "JsonObject",
    "ParameterFiles",
    "TemplateLoader",
    "file_report",
    "parameter_files_for",
    "read_json",
]
