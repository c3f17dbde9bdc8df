"""The default format, one line per finding as ruff and cfn-lint print them::

    infra/vm.json:12:7: AZP102 [error] patchMode is 'Manual' (literal) but ...

then a blank line, the run's notes as ``note: ...`` lines and a summary line last, so that
``tail -1`` gives the verdict. Colours (bold path and rule, severity in red, yellow or cyan)
only when ``options.color``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from armlint.model import Finding, RunResult
from armlint.report.common import display_path, findings_to_list, one_line, start_of, summary_line

if TYPE_CHECKING:
    from armlint.report import ReportOptions

BOLD = "1"
SEVERITY_COLORS = {"error": "31", "warning": "33", "info": "36"}

Paint = Callable[[str, str], str]


def render(result: RunResult, options: ReportOptions) -> str:
    paint = painter(options.color)
    shown = findings_to_list(result, options, keep_suppressed=options.show_suppressed)
    lines = [finding_line(finding, options.root, paint) for finding in shown]
    if lines:
        lines.append("")
    lines.extend(f"{paint('note', BOLD)}: {one_line(note)}" for note in result.notes)
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
    text += one_line(finding.message)
    if finding.suppressed:
        text += f" (suppressed: {one_line(finding.suppressed)})"
    return text


def painter(color: bool) -> Paint:
    """A function that wraps text in an ANSI style, or leaves it alone without colour."""
    if not color:
        return lambda text, _style: text
    return lambda text, style: f"\x1b[{style}m{text}\x1b[0m"
