"""Machine-readable findings, described by ``schemas/output.schema.json``::

    {"version": "0.1.0", "findings": [...], "summary": {...}, "notes": [...]}

``summary`` is ``RunResult.summary()`` unchanged, so it counts every unsuppressed finding
(unknown values included in ``findings``, ``by_severity`` and ``by_rule``) and ``unknown``
counts AZP002 even when the list leaves them out (they are listed with ``show_unknown``).
Suppressed findings are always listed, with the reason in ``suppressed`` (null otherwise).
Keys keep a fixed order and the text is indented by two spaces, so the same run gives the
same bytes; non-ASCII text is written as \\u escapes so any console can print it.
"""

from __future__ import annotations

import json

from armlint.model import Finding, RunResult
from armlint.report.common import display_path, end_of, findings_to_list, start_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

    from armlint.report import ReportOptions


def render(result: RunResult, options: ReportOptions) -> str:
    return json.dumps(document(result, options), indent=2) + "\n"


def document(result: RunResult, options: ReportOptions) -> dict[str, Any]:
    shown = findings_to_list(result, options, keep_suppressed=True)
    return {
        "version": options.tool_version,
        "findings": [finding_object(finding, options.root) for finding in shown],
        "summary": result.summary(),
        "notes": list(result.notes),
    }


def finding_object(finding: Finding, root: str) -> dict[str, Any]:
    line, column = start_of(finding.location)
    end_line, end_column = end_of(finding.location) or (None, None)
    return {
        "rule": finding.rule,
        "name": finding.name,
        "severity": finding.severity,
        "message": finding.text,
        "path": display_path(finding.location.path, root),
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "resource": finding.resource,
        "provenance": list(finding.provenance),
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed or None,
    } | ({"fix": fix_object(finding, root)} if finding.fix is not None else {})


def fix_object(finding: Finding, root: str) -> dict:
    assert finding.fix is not None
    return {
        "title": finding.fix.title,
        "applicability": finding.fix.applicability,
        "edits": [
            {
                "path": display_path(edit.path, root),
                "line": edit.location.line if edit.location else 1,
                "column": edit.location.column if edit.location else 1,
                "end_line": edit.location.end_line if edit.location else 1,
                "end_column": edit.location.end_column if edit.location else 1,
                "new_text": edit.new_text,
            }
            for edit in finding.fix.edits
        ],
    }
