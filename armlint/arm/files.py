"""ARM as a format among the others: JSON files in, records, findings and file reports out.

Every JSON file of a unit is read once and sorted by kind (``armlint.arm.kinds``): templates
are evaluated with their parameter files, Terraform plan JSON is handed back for the Terraform
loader, exported VMs become records when the caller compares versions, exports of live Azure
state are handed back for ``armlint.live`` (the caller says how to tell them, ``LiveExports``:
``arm`` never imports ``live``), and every other file gets a report saying why it was skipped.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial

from armlint.arm import kinds
from armlint.arm.loader import (
    JsonDocument,
    ParameterFiles,
    TemplateLoader,
    file_report,
    read_json,
)
from armlint.model import DeploymentContext, FileReport, LoadResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

Progress = Callable[[int, int], None]
LIVE_EXPORT = "live-export"  # exported Azure state checked like a template (armlint.live)


# Plain classes, not dataclasses: every ARM check imports this module, and creating a dataclass
# cost 2 to 4 million instructions (1-2 ms) of start-up each.


class JsonLoad:
    """What the ARM loader found: its result (with the linked templates looked for among its
    dependencies), the plan files for the Terraform loader, and the live exports."""

    __slots__ = ("result", "plans", "live")

    def __init__(self) -> None:
        self.result = LoadResult()
        self.plans: list[str] = []
        self.live: list[JsonDocument] = []  # live exports, for armlint.live


class LiveExports:
    """How to read and tell exports of live Azure state (az vm list, Resource Graph...):
    ``read`` is a faster reader for large exports (None: not an export), ``is_live`` says
    whether a parsed document is one."""

    __slots__ = ("read", "is_live")

    def __init__(
        self, read: Callable[[str, int], JsonDocument | None], is_live: Callable[[Any], bool]
    ) -> None:
        self.read = read
        self.is_live = is_live


def load_files(
    paths: list[str],
    *,
    parameters: list[str],
    roots: list[str],
    explore: bool,
    max_bytes: int,
    exports: bool = False,
    progress: Progress | None = None,
    deployment: DeploymentContext | None = None,
    live: LiveExports | None = None,
) -> JsonLoad:
    """Read every JSON file; evaluate templates with their parameter files (``parameters``
    when given, else ``X.parameters*.json`` beside ``X.json``)."""
    loaded = JsonLoad()
    result = loaded.result
    documents: dict[str, JsonDocument] = {}
    found: dict[str, str] = {}
    for number, path in enumerate(paths, 1):
        document = (live and live.read(path, max_bytes)) or read_json(path, max_bytes)
        documents[path] = document
        result.findings.extend(document.findings)
        found[path] = kinds.json_kind(document.value) if document.ok else "error"
        if live and found[path] in (kinds.OTHER, kinds.VM_EXPORT) and live.is_live(document.value):
            found[path] = LIVE_EXPORT
        if progress:
            progress(number, len(paths))
    for path in parameters:
        if path not in documents:
            documents[path] = read_json(path, max_bytes)
            result.findings.extend(documents[path].findings)
            found[path] = kinds.PARAMETERS if documents[path].ok else "error"
    parameter_files = ParameterFiles([p for p, kind in found.items() if kind == kinds.PARAMETERS])
    used_parameters: dict[str, str] = {}
    loader = TemplateLoader(roots, explore=explore, deployment=deployment)
    for path, kind in found.items():
        document = documents[path]
        if kind == kinds.TEMPLATE:
            chosen = parameters or parameter_files.beside(path)
            for parameter_path in chosen:
                used_parameters[parameter_path] = os.path.basename(path)
            parameter_docs = [documents[p] for p in chosen if documents[p].ok]
            template = _guarded(path, partial(loader.load, document, parameter_docs))
            _merge(result, template)
            if not template.files:
                result.files.append(file_report(document, kinds.TEMPLATE))
        elif kind == kinds.PLAN:
            loaded.plans.append(path)
    result.dependencies.extend(loader.looked_for)
    loaded.live.extend(documents[path] for path in paths if found.get(path) == LIVE_EXPORT)
    for path, kind in found.items():
        if kind in (kinds.TEMPLATE, kinds.PLAN, LIVE_EXPORT):
            continue
        if path in parameters and path not in paths:
            continue
        result.files.append(_other_report(path, kind, documents[path], used_parameters))
        if exports and kind == kinds.VM_EXPORT:
            from armlint.arm.export import records_from_export

            result.records.extend(records_from_export(documents[path]))
    return loaded


def _other_report(path: str, kind: str, document: JsonDocument, used: dict[str, str]) -> FileReport:
    if kind == "error":
        return file_report(document, "json")
    if kind == kinds.PARAMETERS:
        if path in used:
            return FileReport(str(path), "parameters", "linted", f"parameters for {used[path]}")
        return FileReport(str(path), "parameters", "skipped", "no template found beside it")
    if kind == kinds.VM_EXPORT:
        return FileReport(
            str(path), "vm-export", "skipped", "an exported VM (used by armlint diff)"
        )
    return FileReport(str(path), "other", "skipped", "not an ARM template or parameter file")


def _guarded(path: str, load: Callable[[], LoadResult]) -> LoadResult:
    """A template the evaluator fails on is reported for its file, never as a traceback."""
    try:
        return load()
    except Exception as error:
        return LoadResult.failed("ARM", [path], error)


def _merge(result: LoadResult, loaded: LoadResult) -> None:
    result.records.extend(loaded.records)
    result.findings.extend(loaded.findings)
    result.files.extend(loaded.files)
    result.notes.extend(loaded.notes)
