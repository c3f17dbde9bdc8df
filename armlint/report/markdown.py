"""A Markdown report for pull-request comments and ``$GITHUB_STEP_SUMMARY``.

A title, the summary line, a table of counts, the notes, then one table of findings per file
and a table of the files that were skipped or failed. Every value from the run is escaped:
HTML special characters become entities, ``|`` and Markdown punctuation get a backslash and
line breaks become ``<br>``, so a value from a template can neither break a table nor inject
markup or links. Suppressed findings appear (marked) only with ``show_suppressed``; unknown
values only with ``show_unknown``.
"""

from __future__ import annotations

import html
import re

from armlint.model import Finding, RunResult
from armlint.report.common import (
    display_path,
    findings_to_list,
    group_by_path,
    problem_counts,
    start_of,
    summary_line,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.report import ReportOptions

# Characters that start emphasis, code, links/images, headings, strikethrough or cells; the
# others only matter at the start of a line, which a value never is here.
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]#|~])")
LINE_BREAK = re.compile(r"\r\n|\r|\n")


def render(result: RunResult, options: ReportOptions) -> str:
    sections = [
        "# armlint report",
        cell(summary_line(result, options)),
        summary_table(result),
        notes_section(result.notes),
        findings_sections(result, options),
        not_linted_section(result, options.root),
    ]
    return "\n\n".join(section for section in sections if section) + "\n"


def cell(value: object) -> str:
    """A value made safe for a table cell or a line of Markdown text."""
    escaped = html.escape(str(value), quote=False)
    escaped = MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    return LINE_BREAK.sub("<br>", escaped)


def table(header: list[str], rows: list[list[str]], align: list[str]) -> str:
    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def summary_table(result: RunResult) -> str:
    summary = result.summary()
    counts = problem_counts(result)
    row = [
        summary["files"]["total"],
        summary["files"]["linted"],
        summary["files"]["skipped"],
        summary["files"]["error"],
        summary["resources"],
        counts["error"],
        counts["warning"],
        counts["info"],
        summary["unknown"],
        summary["suppressed"],
    ]
    header = ["Files", "Linted", "Skipped", "Failed", "VMs/scale sets", "Errors", "Warnings"]
    header += ["Info", "Unknown", "Suppressed"]
    return table(header, [[str(value) for value in row]], ["---:"] * len(header))


def notes_section(notes: list[str]) -> str:
    if not notes:
        return ""
    return "## Notes\n\n" + "\n".join(f"- {cell(note)}" for note in notes)


def findings_sections(result: RunResult, options: ReportOptions) -> str:
    shown = findings_to_list(result, options, keep_suppressed=options.show_suppressed)
    groups = group_by_path(shown, options.root)
    return "\n\n".join(file_section(path, findings) for path, findings in groups.items())


def file_section(path: str, findings: list[Finding]) -> str:
    header = ["Line", "Column", "Rule", "Severity", "Resource", "Message"]
    rows = [finding_row(finding) for finding in findings]
    align = ["---:", "---:", "---", "---", "---", "---"]
    return f"## {cell(path)}\n\n" + table(header, rows, align)


def finding_row(finding: Finding) -> list[str]:
    line, column = start_of(finding.location)
    message = cell(finding.text)
    if finding.suppressed:
        message += f" *(suppressed: {cell(finding.suppressed)})*"
    return [
        str(line),
        str(column),
        f"{cell(finding.rule)} {cell(finding.name)}",
        cell(finding.severity),
        cell(finding.resource),
        message,
    ]


def not_linted_section(result: RunResult, root: str) -> str:
    reports = [report for report in result.files if report.status != "linted"]
    if not reports:
        return ""
    rows = [
        [cell(display_path(report.path, root)), cell(report.status), cell(report.reason)]
        for report in reports
    ]
    return "## Files not linted\n\n" + table(["File", "Status", "Reason"], rows, ["---"] * 3)
