"""A self-contained HTML page (inline styles, no scripts, fonts or links to fetch) for audits
and CI artifacts, rendered from ``templates/findings.html.j2``.

Autoescaping is on for the whole template and the page forbids scripts through its
Content-Security-Policy, so a value from a template (a message, path or resource name) can
never become markup. The page shows the summary, one table per file (provenance in a
collapsible list), the files that were skipped or failed, then the notes (one line per kind,
as in text; all of them folded below, or listed with ``verbose``). Suppressed findings
appear, marked, only with ``show_suppressed``; unknown values only with ``show_unknown``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from armlint.model import Finding, RunResult
from armlint.report.common import (
    display_path,
    findings_to_list,
    group_by_path,
    problem_counts,
    start_of,
    summary_line,
)
from armlint.report.text import group_notes

if TYPE_CHECKING:
    from armlint.report import ReportOptions

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "findings.html.j2"


def render(result: RunResult, options: ReportOptions) -> str:
    import jinja2  # only this format needs it

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return environment.get_template(TEMPLATE).render(page(result, options))


def page(result: RunResult, options: ReportOptions) -> dict[str, Any]:
    """Plain values for the template, so it needs no knowledge of the model."""
    shown = findings_to_list(result, options, keep_suppressed=options.show_suppressed)
    summary = result.summary()
    return {
        "version": options.tool_version,
        "summary_line": summary_line(result, options),
        "summary": summary,
        "counts": problem_counts(result),
        # One line per kind of note, as in text (every note with --verbose, or unfolded).
        "notes": list(result.notes) if options.verbose else group_notes(list(result.notes)),
        "all_notes": list(result.notes),
        "files": [
            {"path": path, "findings": [finding_view(finding) for finding in findings]}
            for path, findings in group_by_path(shown, options.root).items()
        ],
        "not_linted": [
            {
                "path": display_path(report.path, options.root),
                "status": report.status,
                "reason": report.reason,
            }
            for report in result.files
            if report.status != "linted"
        ],
    }


def finding_view(finding: Finding) -> dict[str, Any]:
    line, column = start_of(finding.location)
    return {
        "line": line,
        "column": column,
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.text,
        "resource": finding.resource,
        "provenance": list(finding.provenance),
        "suppressed": finding.suppressed,
    }
