"""``armlint diff BEFORE AFTER``: two versions given as files or folders."""

from __future__ import annotations

from armlint.checks.transition_rules import transition_findings
from armlint.compare.pairing import pair_sides
from armlint.model import FileReport, Finding, RunResult
from armlint.run.findings import DIFF_ENGINES, finish
from armlint.run.options import RunOptions
from armlint.run.pipeline import load_records


def run_diff(before_paths: list[str], after_paths: list[str], options: RunOptions) -> RunResult:
    """Compare two versions given as files or folders (folders: files matched by relative path).

    When both lists have the same length, the n-th before path is compared with the n-th after
    path; otherwise every before record is a candidate for every after record. A before file
    may be an exported live VM (``az vm show`` JSON or a REST GET body). ``options.paths`` is
    not used; ``options.parameters`` and ``options.var_files`` apply to both sides.
    """
    before = load_side(before_paths, options, exports=True)
    after = load_side(after_paths, options, exports=False)
    pairs = pair_sides(before_paths, after_paths, before.records, after.records)
    findings = transition_findings(pairs, options.profile, "")
    notes = [*after.notes, *(f"before: {note}" for note in before.notes)]
    notes.extend(_unread_before_files(before.files))
    return compared(after, findings, notes, options)


def compared(
    after: RunResult, findings: list[Finding], notes: list[str], options: RunOptions
) -> RunResult:
    """The after side's files and records with the transition findings, through the findings
    path like a check's (the after side's load findings are not repeated here)."""
    # Both sides may say the same thing about a file they share: say it once.
    unique = list(dict.fromkeys(notes))
    result = RunResult(files=after.files, records=after.records, findings=findings, notes=unique)
    return finish(result, options, DIFF_ENGINES)


def load_side(
    paths: list[str], options: RunOptions, exports: bool, dependencies: list[str] | None = None
) -> RunResult:
    """One side of a comparison: its records as a check sees them, without allowedValues
    exploration (each VM once); ``exports`` adds exported live VMs among its JSON files.
    ``dependencies``: see ``load_records``."""
    side = options.replace(paths=list(paths), explore=False, progress=None, exports=exports)
    return load_records(side, dependencies)


def _unread_before_files(files: list[FileReport]) -> list[str]:
    """A before file that failed to load leaves its VMs without a before: say so."""
    return [
        f"before: {report.path} could not be read ({report.reason}); its VMs were not compared"
        for report in files
        if report.status == "error"
    ]
