"""The default format, one line per finding as ruff and cfn-lint print them::

    infra/vm.json:12:7: AZP102 [error] patchMode is 'Manual' (literal) but ...

then a blank line, the run's notes and a summary line last, so that ``tail -1`` gives the
verdict. Notes are grouped by kind, one line each with a count and the folders they name
(``options.verbose`` lists every note; JSON always does). ``options.quiet`` prints the
findings only. Colours (bold path and rule, severity in red, yellow or cyan) only when
``options.color``.

``render_full`` (``--format full``, ruff's default layout) adds the source line under each
finding with a caret underline; ``statistics`` (``--statistics``) prints a count per rule.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from armlint.model import Finding, RunResult
from armlint.report.common import (
    display_note,
    display_path,
    end_of,
    findings_to_list,
    one_line,
    plural,
    start_of,
    summary_line,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.report import ReportOptions

BOLD = "1"
DIM = "2"
SEVERITY_COLORS = {"error": "31", "warning": "33", "info": "36"}
FOLDERS_SHOWN = 3  # per grouped note; --verbose lists every note
SNIPPET_WIDTH = 160  # characters of a source line shown under a finding

Paint = Callable[[str, str], str]


def render(result: RunResult, options: ReportOptions) -> str:
    return _render(result, options, snippets=False)


def render_full(result: RunResult, options: ReportOptions) -> str:
    return _render(result, options, snippets=True)


def _render(result: RunResult, options: ReportOptions, snippets: bool) -> str:
    paint = painter(options.color)
    shown = findings_to_list(result, options, keep_suppressed=options.show_suppressed)
    sources = SourceLines()
    lines: list[str] = []
    for finding in shown:
        lines.append(finding_line(finding, options.root, paint))
        if snippets:
            lines.extend(snippet(finding, sources, paint))
    if options.quiet:
        return "".join(line + "\n" for line in lines)
    if lines and lines[-1]:  # a snippet already ends with a blank line
        lines.append("")
    notes = [display_note(note, options.root) for note in result.notes]
    grouped = [one_line(note) for note in notes] if options.verbose else group_notes(notes)
    lines.extend(f"{paint('note', BOLD)}: {note}" for note in grouped)
    lines.append(summary_line(result, options))
    fixable = fixable_line(result)
    if fixable:
        lines.append(fixable)
    return "\n".join(lines) + "\n"


def fixable_line(result: RunResult) -> str:
    """'3 fixable with --fix (1 more with --unsafe-fixes)', as ruff says it; '' when none."""
    active = [f for f in result.findings if f.fix is not None and not f.suppressed]
    safe = sum(1 for f in active if f.fix is not None and f.fix.applicability == "safe")
    unsafe = len(active) - safe
    if not active:
        return ""
    if not safe:
        return f"No fixes available ({unsafe} hidden fixes can be enabled with --unsafe-fixes)"
    more = f" ({unsafe} more with --unsafe-fixes)" if unsafe else ""
    return f"{safe} fixable with --fix{more}"


def finding_line(finding: Finding, root: str, paint: Paint) -> str:
    line, column = start_of(finding.location)
    path = paint(one_line(display_path(finding.location.path, root)), BOLD)
    severity = paint(finding.severity, SEVERITY_COLORS.get(finding.severity, BOLD))
    text = f"{path}:{line}:{column}: {paint(finding.rule, BOLD)} [{severity}] "
    text += one_line(finding.text)
    if finding.suppressed:
        text += f" (suppressed: {one_line(finding.suppressed)})"
    return text


def painter(color: bool) -> Paint:
    """A function that wraps text in an ANSI style, or leaves it alone without colour."""
    if not color:
        return lambda text, _style: text
    return lambda text, style: f"\x1b[{style}m{text}\x1b[0m"


# -- notes ----------------------------------------------------------------------------------

# A path in a note: a token with a slash that is not a scheme like 'br/public:'. The patterns
# stay text, compiled by ``re`` at their first use (and kept in its cache): a run without
# notes to group does not pay for compiling them at import (a share of start-up).
_PATH = r"(?<![\w/.-])(?:\.{0,2}/)?[\w.@+-]+(?:/[\w.@+-]+)+/?(?![\w/])(?!:[^ ])"
_NUMBER = r"\b\d+\b"
_WHERE = r"\s*\((?:in|from) ([^()]*)\)"


def group_notes(notes: list[str]) -> list[str]:
    """One line per kind of note: its text with counts and places taken out, how many
    times it was said, and the first folders it names."""
    groups: dict[str, list[str]] = {}
    for note in notes:
        groups.setdefault(note_kind(note), []).append(note)
    lines = []
    for kind, members in groups.items():
        if len(members) == 1:
            lines.append(one_line(members[0]))
            continue
        folders = _folders(members)
        where = ""
        if folders:
            more = len(folders) - FOLDERS_SHOWN
            where = "; in " + ", ".join(folders[:FOLDERS_SHOWN])
            where += f" and {more} more" if more > 0 else ""
        lines.append(f"{one_line(kind)} ({plural(len(members), 'time')}{where}; -v lists them)")
    return lines


def note_kind(note: str) -> str:
    """The note with its numbers and places replaced, so notes of one kind compare equal."""
    kind = re.sub(_WHERE, "", note)
    kind = re.sub(_PATH, "…", kind)
    kind = re.sub(r"(unknown|read): .*$", r"\1", kind)
    return re.sub(_NUMBER, "N", kind)


def _folders(notes: list[str]) -> list[str]:
    """The folders the notes are about: what a '(in ...)' or '(from ...)' names, else the
    paths the note names, each as its folder."""
    folders: list[str] = []
    for note in notes:
        where = re.search(_WHERE, note)
        paths = where.group(1).split(", ") if where else re.findall(_PATH, note)
        for path in paths:
            path = path.rstrip("/")
            last = path.rsplit("/", 1)[-1]
            folder = path.rsplit("/", 1)[0] if "." in last and "/" in path else path
            if folder not in folders:
                folders.append(folder)
    return folders


# -- full format: the source line under each finding -----------------------------------------


class SourceLines:
    """Lines of the files findings point into, each file read once."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}

    def line(self, path: str, number: int) -> str | None:
        if path not in self._files:
            self._files[path] = _read_lines(path)
        lines = self._files[path]
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]


def _read_lines(path: str) -> list[str] | None:
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            return handle.read().splitlines()
    except OSError:
        return None


def snippet(finding: Finding, sources: SourceLines, paint: Paint) -> list[str]:
    """ruff's layout: the line with its number, and carets under the span."""
    line, column = start_of(finding.location)
    text = sources.line(finding.location.path, line)
    if text is None:
        return []
    text = one_line(text.expandtabs(1))[:SNIPPET_WIDTH]
    end = end_of(finding.location)
    width = end[1] - column if end and end[0] == line and end[1] > column else 1
    width = max(1, min(width, len(text) - column + 1))
    gutter = " " * len(str(line))
    carets = paint("^" * width, SEVERITY_COLORS.get(finding.severity, BOLD))
    return [
        f"{gutter} {paint('|', DIM)}",
        f"{paint(str(line), DIM)} {paint('|', DIM)} {text}",
        f"{gutter} {paint('|', DIM)} {' ' * (column - 1)}{carets}",
        "",
    ]


# -- statistics -----------------------------------------------------------------------------


def statistics(result: RunResult, options: ReportOptions) -> str:
    """A count per rule, most frequent first, like ``ruff check --statistics``."""
    paint = painter(options.color)
    counts: dict[tuple[str, str, str], int] = {}
    for finding in findings_to_list(result, options, keep_suppressed=False):
        key = (finding.rule, finding.severity, finding.name)
        counts[key] = counts.get(key, 0) + 1
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    width = max((len(str(count)) for _, count in ordered), default=1)
    lines = [
        f"{count:>{width}}\t{paint(rule, BOLD)}\t"
        f"[{paint(severity, SEVERITY_COLORS.get(severity, BOLD))}]\t{name}"
        for (rule, severity, name), count in ordered
    ]
    return "".join(line + "\n" for line in lines)
