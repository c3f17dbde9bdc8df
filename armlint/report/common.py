"""What every report format shares: which findings to list, how to show paths and positions,
and the one-line summary. Kept free of any output syntax so each format module stays small.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from armlint.model import SEVERITIES, Finding, Location, RunResult

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:  # the options class lives in the package; only its type is needed here
    from armlint.report import ReportOptions

UNKNOWN_RULE = "AZP002"

# A baseline suppression is stored outside the source; everything else came from a comment.
BASELINE_PREFIX = "baseline"


def is_unknown(finding: Finding) -> bool:
    return finding.rule == UNKNOWN_RULE


def findings_to_list(
    result: RunResult, options: ReportOptions, *, keep_suppressed: bool
) -> list[Finding]:
    """The findings a report lists, still in the pipeline's order.

    Unknown values (AZP002) appear only on request in every format, so the same flag gives the
    same list everywhere; the summary counts them regardless. ``keep_suppressed`` is the
    format's own choice (SARIF and JSON keep them, marked), or the user's --show-suppressed.
    """
    return [
        finding
        for finding in result.findings
        if (options.show_unknown or not is_unknown(finding))
        and (keep_suppressed or not finding.suppressed)
    ]


def display_path(path: str, root: str = "") -> str:
    """The path as reports print it: relative to ``root`` when inside it, with forward slashes.

    Forward slashes on every OS keep output identical across CI agents, and are what SARIF
    URIs and GitHub annotations need anyway. With a root, a path outside it is shown relative
    to the current folder instead, so a report never carries the runner's absolute paths
    (only a path on another drive, which has no relative form, stays absolute).
    """
    shown = path
    if root:
        absolute = os.path.abspath(path)
        relative = os.path.relpath(absolute, os.path.abspath(root))
        if relative != os.pardir and not relative.startswith(os.pardir + os.sep):
            shown = relative
        elif os.path.isabs(path) and not path.startswith(DEVICES):
            shown = _relative_to_cwd(absolute)
    shown = shown.replace(os.sep, "/")
    return shown[2:] if shown.startswith("./") else shown


# Process substitution (<(...)) and FIFOs in /dev are named as given: no one's file path.
DEVICES = ("/dev/fd/", "/proc/self/fd/", "/dev/stdin")


def _relative_to_cwd(absolute: str) -> str:
    try:
        return os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute


def display_note(note: str, root: str = "") -> str:
    """A note with the root's absolute path taken out of the paths it names."""
    if not root:
        return note
    prefix = os.path.abspath(root).rstrip(os.sep) + os.sep
    return note.replace(prefix, "")


def start_of(location: Location) -> tuple[int, int]:
    """Start line and column, never below 1: a file-level finding points at the first line."""
    return max(location.line, 1), max(location.column, 1)


def end_of(location: Location) -> tuple[int, int] | None:
    """End line and (exclusive) column, or None when the loader did not record an end."""
    line, column = start_of(location)
    if location.end_line < line or location.end_column < 1:
        return None
    if location.end_line == line and location.end_column < column:
        return None
    return location.end_line, location.end_column


def group_by_path(findings: Iterable[Finding], root: str = "") -> dict[str, list[Finding]]:
    """Findings per displayed path, in the order the paths first appear."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(display_path(finding.location.path, root), []).append(finding)
    return groups


def is_baseline(reason: str) -> bool:
    return reason.lower().startswith(BASELINE_PREFIX)


def problem_counts(result: RunResult) -> dict[str, int]:
    """Active findings per severity, without unknown values: those are counted on their own."""
    counts = dict.fromkeys(SEVERITIES, 0)
    for finding in result.active_findings():
        if not is_unknown(finding):
            counts[finding.severity] = counts.get(finding.severity, 0) + 1
    return counts


def plural(count: int, singular: str, many: str = "") -> str:
    return f"{count} {singular if count == 1 else (many or singular + 's')}"


def checked_phrase(result: RunResult) -> str:
    summary = result.summary()
    files = summary["files"]
    return (
        f"Checked {plural(files['total'], 'file')} ({files['linted']} linted, "
        f"{files['skipped']} skipped, {files['error']} failed), "
        f"{plural(summary['resources'], 'VM/scale set', 'VMs/scale sets')}"
    )


def counts_phrase(counts: dict[str, int]) -> str:
    return ", ".join(
        [
            plural(counts["error"], "error"),
            plural(counts["warning"], "warning"),
            f"{counts['info']} info",
        ]
    )


def hidden_phrase(count: int, what: str, many: str, shown: bool, flag: str) -> str:
    """'4 unknown values (use --show-unknown to list them)', or just the count once shown."""
    if not count:
        return ""
    phrase = plural(count, what, many)
    if shown:
        return phrase
    return f"{phrase} (use {flag} to list {'it' if count == 1 else 'them'})"


def summary_line(result: RunResult, options: ReportOptions) -> str:
    """One sentence that accounts for every file, resource and finding of the run."""
    counts = problem_counts(result)
    if any(counts.values()):
        verdict = f"{checked_phrase(result)}: {counts_phrase(counts)}"
    else:
        verdict = f"{checked_phrase(result)}. Found 0 problems"
    suppressed = sum(1 for finding in result.findings if finding.suppressed)
    extras = [
        hidden_phrase(
            result.unknown_count,
            "unknown value",
            "unknown values",
            options.show_unknown,
            "--show-unknown",
        ),
        hidden_phrase(
            suppressed, "suppressed", "suppressed", options.show_suppressed, "--show-suppressed"
        ),
    ]
    return "; ".join([verdict, *[extra for extra in extras if extra]])


# C0 controls and DEL, which would break the one-line-per-finding layout or let a value from a
# template drive the terminal (ANSI escapes); tabs are harmless and kept.
_CONTROL = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F) if code != 0x09}
_CONTROL.update({0x0A: "\\n", 0x0D: "\\r"})


def one_line(text: str) -> str:
    """The text with control characters written as escapes, so it stays on one line."""
    return text.translate(_CONTROL)
