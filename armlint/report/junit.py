"""JUnit XML for test tabs (Azure Pipelines PublishTestResults, GitLab, Jenkins).

One ``testsuite`` per file, named by its path. In it, one ``testcase`` per finding, named
``RULE name (line L)`` with ``file`` and ``line`` attributes, so a dashboard lists each
problem on its own and links to it:

* a finding at or above the run's ``--fail-on`` level (``options.fail_on``) is a ``failure``
  whose type is its severity;
* a finding below that level is a passing case with the message in ``system-out``: the
  tests tab stays green exactly when the exit code is 0, and the finding is still listed;
* a suppressed finding is ``skipped`` with the suppression's reason as the message.

A file without findings gets one passing ``no findings`` case, a file that was skipped a
``skipped`` case and one that failed to load an ``error`` case, so every file is accounted for
and a failed file never looks clean. Unknown values only with ``show_unknown``.

ElementTree escapes markup; characters XML 1.0 cannot hold at all (most C0 controls) are
replaced first, because a report that does not parse is worse than a changed character.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from armlint.model import SEVERITY_RANK, FileReport, Finding, RunResult
from armlint.report.common import display_path, findings_to_list, group_by_path, start_of

if TYPE_CHECKING:
    from armlint.report import ReportOptions

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
COUNTERS = ("tests", "failures", "errors", "skipped")


def render(result: RunResult, options: ReportOptions) -> str:
    suites = ET.Element("testsuites", name="armlint")
    listed = findings_to_list(result, options, keep_suppressed=True)
    shown = group_by_path(listed, options.root)
    reports = {display_path(report.path, options.root): report for report in result.files}
    threshold = SEVERITY_RANK.get(options.fail_on, SEVERITY_RANK["error"])
    for path in sorted(reports.keys() | shown.keys()):
        suites.append(testsuite(path, reports.get(path), shown.get(path, []), threshold))
    add_counters(suites, list(suites))
    ET.indent(suites)
    return XML_DECLARATION + ET.tostring(suites, encoding="unicode") + "\n"


def testsuite(
    path: str, report: FileReport | None, findings: list[Finding], threshold: int
) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(path))
    for finding in findings:
        suite.append(finding_case(path, finding, threshold))
    if report and report.status == "error":
        suite.append(status_case(path, "could not be linted", "error", report.reason))
    elif report and report.status == "skipped" and not findings:
        suite.append(status_case(path, "skipped", "skipped", report.reason))
    elif not findings:
        suite.append(testcase(path, "no findings"))
    add_counters(suite, list(suite))
    return suite


def testcase(path: str, name: str, line: int | None = None) -> ET.Element:
    # classname is the file, so test tabs group the cases of one file together.
    case = ET.Element("testcase", name=xml_text(name), classname=xml_text(path))
    case.set("file", xml_text(path))
    if line is not None:
        case.set("line", str(line))
    return case


def finding_case(path: str, finding: Finding, threshold: int) -> ET.Element:
    line, _column = start_of(finding.location)
    case = testcase(path, f"{finding.rule} {finding.name} (line {line})", line)
    entry = xml_text(finding_entry(finding))
    if finding.suppressed:
        skipped = ET.SubElement(case, "skipped", message=xml_text(finding.suppressed))
        skipped.text = entry
    elif SEVERITY_RANK.get(finding.severity, 0) >= threshold:
        failure = ET.SubElement(
            case, "failure", message=xml_text(finding.text), type=finding.severity
        )
        failure.text = entry
    else:
        ET.SubElement(case, "system-out").text = entry
    return case


def finding_entry(finding: Finding) -> str:
    line, column = start_of(finding.location)
    entry = f"{line}:{column}: [{finding.severity}] {finding.text}"
    if finding.resource:
        entry += f" ({finding.resource})"
    return entry


def status_case(path: str, name: str, tag: str, reason: str) -> ET.Element:
    case = testcase(path, name)
    ET.SubElement(case, tag, message=xml_text(reason or name))
    return case


def add_counters(element: ET.Element, children: list[ET.Element]) -> None:
    """Set tests/failures/errors/skipped on a suite (from cases) or on the root (from suites)."""
    counts = dict.fromkeys(COUNTERS, 0)
    for child in children:
        if child.tag == "testsuite":
            for counter in COUNTERS:
                counts[counter] += int(child.get(counter, "0"))
            continue
        counts["tests"] += 1
        for counter, tag in (("failures", "failure"), ("errors", "error"), ("skipped", "skipped")):
            counts[counter] += child.find(tag) is not None
    for counter in COUNTERS:
        element.set(counter, str(counts[counter]))


def xml_text(text: str) -> str:
    return NOT_IN_XML.sub("\ufffd", text)
