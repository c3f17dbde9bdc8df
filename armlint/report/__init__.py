"""Turn a ``RunResult`` into text for people, CI systems and other tools.

``render(fmt, result, options)`` picks the format module from ``FORMATS`` and imports it only
then, so ``import armlint.report`` costs nothing beyond this file. Every module exposes
``render(result, options) -> str`` and imports ``armlint.model`` only.

Decisions shared by all formats:

* Unknown values (AZP002) are listed only with ``show_unknown``, in every format including
  JSON and SARIF, so one flag means the same everywhere (a code-scanning upload does not fill
  up with "cannot decide" notes unless asked). The summaries always count them:
  ``summary.unknown`` in JSON, "N unknown values" in text, Markdown and HTML.
* Suppressed findings (``finding.suppressed`` holds the reason) are kept in JSON (``suppressed``
  field), SARIF (a ``suppressions`` entry: ``external`` when the reason starts with
  "baseline", else ``inSource``) and JUnit (a ``skipped`` test case). GitHub and Azure DevOps
  never show them: those outputs fail builds or annotate pull requests. Text, Markdown and HTML show them, marked,
  only with ``show_suppressed``.
* Paths are shown relative to ``options.root`` when they are inside it, with forward slashes;
  the command line sets it to the repository root (git top level, else the configuration's
  folder), so output does not depend on the folder armlint runs in. A path outside the root is
  shown relative to the current folder: absolute paths never reach a report.
* Lines and columns are 1-based; a missing start (0) is shown as 1, a missing end is left out.
  End columns are exclusive, as SARIF defines them.
* Azure DevOps has no "info" issue type: info findings are printed as plain log lines, so they
  are visible without turning a green build into "succeeded with issues".
"""

from __future__ import annotations

import os
from importlib import import_module
from operator import attrgetter

from armlint.model import FrozenValue

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable

    from armlint.model import RunResult

# Format name -> "module:function". Imported on first use only.
FORMATS: dict[str, str] = {
    "text": "armlint.report.text:render",
    "full": "armlint.report.text:render_full",
    "json": "armlint.report.json_report:render",
    "sarif": "armlint.report.sarif:render",
    "junit": "armlint.report.junit:render",
    "github": "armlint.report.github:render",
    "azure-devops": "armlint.report.azure_devops:render",
    "markdown": "armlint.report.markdown:render",
    "html": "armlint.report.html_report:render",
}


class ReportOptions(FrozenValue):
    """What the command line decides about a report; the result itself is not changed."""

    __slots__ = (
        "show_unknown",  # list AZP002 findings (they are always counted)
        "color",  # ANSI colours in the text format
        "tool_version",  # armlint's version, for JSON, SARIF and HTML
        "root",  # paths inside this directory are shown relative to it
        "show_suppressed",  # list suppressed findings in text, Markdown and HTML
        "quiet",  # text: findings only, no notes or summary
        "verbose",  # text and HTML: every note, not a line per kind
        "fail_on",  # JUnit: findings below this level are passing test cases
        "help_uri",  # SARIF: base of each rule's helpUri ('' : docs/rules/ relative)
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        *,
        show_unknown: bool = False,
        color: bool = False,
        tool_version: str = "",
        root: str = "",
        show_suppressed: bool = False,
        quiet: bool = False,
        verbose: bool = False,
        fail_on: str = "error",
        help_uri: str = "",
    ) -> None:
        self.show_unknown = show_unknown
        self.color = color
        self.tool_version = tool_version
        self.root = root
        self.show_suppressed = show_suppressed
        self.quiet = quiet
        self.verbose = verbose
        self.fail_on = fail_on
        self.help_uri = help_uri


def formatter(fmt: str) -> Callable[[RunResult, ReportOptions], str]:
    """The render function of a format, imported now."""
    try:
        spec = FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted(FORMATS))
        raise ValueError(f"unknown output format {fmt!r}; choose one of: {known}") from None
    module_name, _, function_name = spec.partition(":")
    return getattr(import_module(module_name), function_name)


def render(fmt: str, result: RunResult, options: ReportOptions | None = None) -> str:
    """The whole report as one string; line-based formats end with a newline."""
    return formatter(fmt)(result, options or ReportOptions())


def write_atomic(path: str | os.PathLike[str], text: str) -> None:
    """Write ``text`` (UTF-8) so that ``path`` holds either its old content or all of the new;
    a device or FIFO is written in place and a symlink followed (armlint.fileio says why)."""
    from armlint.fileio import write_bytes

    write_bytes(path, text.encode("utf-8", "backslashreplace"))


__all__ = ["FORMATS", "ReportOptions", "formatter", "render", "write_atomic"]
