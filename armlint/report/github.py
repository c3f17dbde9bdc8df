"""GitHub Actions workflow commands, which GitHub turns into annotations on the diff (one line)::

    ::error file=infra/vm.json,line=12,col=7,endLine=12,endColumn=35,
    title=AZP102 manual-mode-with-automatic-updates::patchMode is ...

error -> ``::error``, warning -> ``::warning``, info -> ``::notice``; the run's notes become
``::notice title=armlint note::...``. Suppressed findings are never annotated; unknown values
only with ``show_unknown``. Escaping follows @actions/core: ``%``, CR and LF in the message,
and additionally ``:`` and ``,`` in property values.
"""

from __future__ import annotations

from armlint.model import Finding, RunResult
from armlint.report.common import display_path, end_of, findings_to_list, start_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.report import ReportOptions

COMMANDS = {"error": "error", "warning": "warning", "info": "notice"}
DATA_ESCAPES = {ord("%"): "%25", ord("\r"): "%0D", ord("\n"): "%0A"}
PROPERTY_ESCAPES = {**DATA_ESCAPES, ord(":"): "%3A", ord(","): "%2C"}


def render(result: RunResult, options: ReportOptions) -> str:
    shown = findings_to_list(result, options, keep_suppressed=False)
    lines = [annotation(finding, options.root) for finding in shown]
    lines += [command("notice", {"title": "armlint note"}, note) for note in result.notes]
    return "".join(line + "\n" for line in lines)


def annotation(finding: Finding, root: str) -> str:
    line, column = start_of(finding.location)
    properties = {
        "file": display_path(finding.location.path, root),
        "line": str(line),
        "col": str(column),
    }
    end = end_of(finding.location)
    if end:
        properties["endLine"], properties["endColumn"] = str(end[0]), str(end[1])
    properties["title"] = f"{finding.rule} {finding.name}"
    return command(COMMANDS.get(finding.severity, "warning"), properties, finding.text)


def command(name: str, properties: dict[str, str], message: str) -> str:
    listed = ",".join(
        f"{key}={value.translate(PROPERTY_ESCAPES)}" for key, value in properties.items()
    )
    return f"::{name} {listed}::{message.translate(DATA_ESCAPES)}"
