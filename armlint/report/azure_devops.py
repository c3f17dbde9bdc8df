"""Azure Pipelines logging commands, which become issues on the build summary (one line)::

    ##vso[task.logissue type=error;sourcepath=infra/vm.json;linenumber=12;columnnumber=7;
    code=AZP102]patchMode is ...

Azure Pipelines knows only ``error`` and ``warning`` issues. An info finding is printed as a
plain log line (``infra/vm.json:40:3: AZP110 [info] ...``): still visible in the log, without
turning a green build into "succeeded with issues" the way a warning would. The agent runs
any line containing ``##vso[``, so plain lines get that sequence defused (``##vso%5B``).
Suppressed findings are never printed; unknown values only with ``show_unknown``; notes are
plain ``note:`` lines.
Escaping follows the logging-command rules: ``%`` -> ``%AZP25``, CR -> ``%0D``, LF -> ``%0A``
everywhere, and ``;`` -> ``%3B``, ``]`` -> ``%5D`` in property values.
"""

from __future__ import annotations

from armlint.model import Finding, RunResult
from armlint.report.common import display_path, findings_to_list, one_line, start_of

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from armlint.report import ReportOptions

COMMAND_PREFIX = "##vso["
ISSUE_TYPES = {"error": "error", "warning": "warning"}
DATA_ESCAPES = {ord("%"): "%AZP25", ord("\r"): "%0D", ord("\n"): "%0A"}
PROPERTY_ESCAPES = {**DATA_ESCAPES, ord(";"): "%3B", ord("]"): "%5D"}


def render(result: RunResult, options: ReportOptions) -> str:
    shown = findings_to_list(result, options, keep_suppressed=False)
    lines = [finding_line(finding, options.root) for finding in shown]
    lines += [inert(f"note: {note}") for note in result.notes]
    return "".join(line + "\n" for line in lines)


def finding_line(finding: Finding, root: str) -> str:
    issue_type = ISSUE_TYPES.get(finding.severity)
    if issue_type is None:
        return plain_line(finding, root)
    line, column = start_of(finding.location)
    properties = {
        "type": issue_type,
        "sourcepath": display_path(finding.location.path, root),
        "linenumber": str(line),
        "columnnumber": str(column),
        "code": finding.rule,
    }
    listed = ";".join(
        f"{key}={value.translate(PROPERTY_ESCAPES)}" for key, value in properties.items()
    )
    return f"##vso[task.logissue {listed}]{finding.text.translate(DATA_ESCAPES)}"


def plain_line(finding: Finding, root: str) -> str:
    line, column = start_of(finding.location)
    path = display_path(finding.location.path, root)
    text = f"{path}:{line}:{column}: {finding.rule} [{finding.severity}] {finding.text}"
    return inert(text)


def inert(text: str) -> str:
    """A plain log line the agent will not run: it looks for '##vso[' anywhere in a line.

    Inside a real command only the first prefix counts, so this is needed for plain lines only.
    """
    return one_line(text).replace(COMMAND_PREFIX, "##vso%5B")
