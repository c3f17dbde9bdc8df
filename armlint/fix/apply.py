"""Apply fixes: splice each file's edits, re-parse, write atomically, check again, and undo a
file whose fix did not remove its finding or brought a new one.

Fixes are applied in rounds (bounded) because one repair can uncover the next; a round applies
at most one fix per finding and never two overlapping edits in one file.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from armlint.fix.edits import apply_edits
from armlint.model import Finding, RunResult, TextEdit

MAX_ROUNDS = 4
SAFE_ONLY = ("safe",)
WITH_UNSAFE = ("safe", "unsafe")


class FixOutcome:
    """What a --fix run did, for the summary line. A plain class: armlint.fix.propose imports
    this module for every check whose findings have fixes, and dataclasses' import (inspect,
    ast, dis) was a large share of such a fresh check."""

    __slots__ = ("fixed", "files", "refused")

    def __init__(self) -> None:
        self.fixed = 0  # findings removed by applied fixes
        self.files: set[str] = set()
        self.refused: list[str] = []  # one line per fix that was not applied


def chosen_fixes(result: RunResult, allowed: tuple[str, ...]) -> list[Finding]:
    return [
        f
        for f in result.findings
        if f.fix is not None and not f.suppressed and f.fix.applicability in allowed
    ]


def fixable_counts(result: RunResult) -> tuple[int, int]:
    """(safe, unsafe) fixable findings, for 'N fixable with --fix (M more with --unsafe-fixes)'."""
    safe = len(chosen_fixes(result, SAFE_ONLY))
    return safe, len(chosen_fixes(result, WITH_UNSAFE)) - safe


def new_texts(findings: list[Finding], read: Callable[[str], str | None]) -> dict[str, str]:
    """Each file's text with the edits of as many fixes as fit without overlapping."""
    by_path: dict[str, list[TextEdit]] = {}
    for finding in findings:
        assert finding.fix is not None
        edits = list(finding.fix.edits)
        path = edits[0].path
        if any(edit.path != path for edit in edits):
            continue  # a fix that spans files is applied on its own in a later round
        taken = by_path.setdefault(path, [])
        fresh = [edit for edit in edits if edit not in taken]
        if any(_overlaps(edit, other) for edit in fresh for other in taken):
            continue  # the next round sees the file with the earlier fix in place
        taken.extend(fresh)
    texts: dict[str, str] = {}
    for path, edits in by_path.items():
        original = read(path)
        if original is None:
            continue
        changed = apply_edits(original, edits)
        if changed is not None and changed != original:
            texts[path] = changed
    return texts


def _overlaps(a: TextEdit, b: TextEdit) -> bool:
    if a.start == a.end and b.start == b.end:
        return a.start == b.start  # two insertions at one place: order would be a guess
    return a.start < b.end and b.start < a.end


def unified_diff(path: str, before: str, after: str) -> str:
    import difflib  # --diff only: the module is imported by every run with a fixable finding

    lines = difflib.unified_diff(
        before.splitlines(keepends=True),
        after.splitlines(keepends=True),
        f"a/{path}",
        f"b/{path}",
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text


def finding_keys(findings: list[Finding], paths: set[str]) -> set[tuple[str, str, str]]:
    """Findings of some files by (path, rule, resource): positions and traces move when lines
    move."""
    return {
        (f.location.path, f.rule, f.resource)
        for f in findings
        if f.location.path in paths and not f.suppressed and f.rule != "AZP002"
    }


def write_text(path: str, text: str) -> None:
    """Atomically, keeping the file's permissions; the original bytes are the caller's backup."""
    from armlint.report import write_atomic

    mode = os.stat(path).st_mode & 0o7777
    write_atomic(path, text)
    os.chmod(path, mode)


def read_text(path: str) -> str | None:
    """The text as the checks read it (``check --diff``'s fixed texts included), CRLF kept."""
    from armlint.fileio import DEFAULT_CAP, read_regular

    try:
        return read_regular(path, DEFAULT_CAP).decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


class DiskFiles:
    """--fix: the fixed texts are written to the files."""

    def write(self, path: str, text: str) -> None:
        write_text(path, text)

    def restore(self, path: str, text: str) -> None:
        write_text(path, text)


class MemoryFiles:
    """--diff: the fixed texts are only read by the checks (armlint.fileio's overlay), so the
    diff shows exactly what --fix would write, after the same verification."""

    def write(self, path: str, text: str) -> None:
        from armlint.fileio import overlay

        overlay(path, text.encode("utf-8"))

    restore = write  # the text before this round: the file's, or an earlier round's fix


def inside(path: str, roots: list[str]) -> bool:
    """Fixes only ever touch files under the paths that were scanned."""
    # Imported here, when fixes are applied: a check that only proposes them (it imports this
    # module for read_text) makes no Path (issue 16, start-up).
    from pathlib import Path

    target = Path(path).resolve()
    for root in roots:
        base = Path(root).resolve()
        if target == base or base in target.parents:
            return True
    return False


def edited_paths(finding: Finding) -> set[str]:
    assert finding.fix is not None
    return {edit.path for edit in finding.fix.edits}


def allowed_target(finding: Finding, roots: list[str]) -> bool:
    """Fixes only ever touch files under the scanned paths, and never a downloaded module."""
    from pathlib import Path  # see inside

    return all(
        inside(path, roots) and ".terraform" not in Path(path).parts
        for path in edited_paths(finding)
    )


def run_fixes(
    check: Callable[[], RunResult],
    allowed: tuple[str, ...],
    roots: list[str],
    files: DiskFiles | MemoryFiles | None = None,
) -> tuple[RunResult, FixOutcome]:
    """Check, fix, check again, up to MAX_ROUNDS; returns the last result and what was done."""
    files = files or DiskFiles()
    outcome = FixOutcome()
    result = check()
    refused: set[str] = set()  # files whose fix was undone once: not tried again this run
    for _round in range(MAX_ROUNDS):
        chosen = [
            f
            for f in chosen_fixes(result, allowed)
            if allowed_target(f, roots) and not edited_paths(f) & refused
        ]
        texts = new_texts(chosen, read_text)
        if not texts:
            break
        originals = {path: read_text(path) or "" for path in texts}
        for path, text in texts.items():
            files.write(path, text)
        after = check()
        kept = _keep_or_undo(result, after, chosen, texts, originals, outcome, files)
        refused.update(set(texts) - kept)
        result = check() if kept != set(texts) else after
        if not kept:
            break
    return result, outcome


def _keep_or_undo(before, after, chosen, texts, originals, outcome, files) -> set[str]:
    """Keep each written file whose fixes removed their findings and added none (in the file
    and in the files of those findings: a parameter file's fix shows in its template)."""
    kept: set[str] = set()
    for path in texts:
        mine = [f for f in chosen if path in edited_paths(f)]
        watched = {path} | {f.location.path for f in mine}
        old_keys = finding_keys(before.findings, watched)
        new_keys = finding_keys(after.findings, watched)
        targeted = {(f.location.path, f.rule, f.resource) for f in mine}
        still_there = targeted & new_keys
        brought = new_keys - old_keys
        if still_there or brought:
            files.restore(path, originals[path])
            what = "did not remove its finding" if still_there else "would add a finding"
            outcome.refused.append(f"{path}: fix not applied, it {what}")
            continue
        kept.add(path)
        outcome.files.add(path)
        outcome.fixed += len(old_keys - new_keys)
    return kept
