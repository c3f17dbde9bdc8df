"""JUnit XML for test tabs (Azure Pipelines PublishTestResults, GitLab, Jenkins).

One ``testsuite`` per file, named by its path. In it, one ``testcase`` per rule that has
findings in the file (a ``failure`` whose type is the highest severity and whose text lists
each finding as ``line:col: [severity] message``), or one passing ``no findings`` case. A file
that was skipped gets a ``skipped`` case and one that failed to load an ``error`` case, so
every file is accounted for and a failed file never looks clean. Every listed finding, info
included, is a failure (its type says the severity): the test tab shows what the text output
shows, and whether the build fails stays the exit code's business. Suppressed findings are
left out; unknown values only with ``show_unknown``.

ElementTree escapes markup; characters XML 1.0 cannot hold at all (most C0 controls) are
replaced first, because a report that does not parse is worse than a changed character.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from armlint.model import SEVERITY_RANK, FileReport, Finding, RunResult
from armlint.report.common import display_path, findings_to_list, group_by_path, plural, start_of

if TYPE_CHECKING:
    from armlint.report import ReportOptions

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
COUNTERS = ("tests", "failures", "errors", "skipped")


def render(result: RunResult, options: ReportOptions) -> str:
    suites = ET.Element("testsuites", name="armlint")
    shown = group_by_path(findings_to_list(result, options, keep_suppressed=False), options.root)
    reports = {display_path(report.path, options.root): report for report in result.files}
    for path in sorted(reports.keys() | shown.keys()):
        suites.append(testsuite(path, reports.get(path), shown.get(path, [])))
    add_counters(suites, list(suites))
    ET.indent(suites)
    return XML_DECLARATION + ET.tostring(suites, encoding="unicode") + "\n"


def testsuite(path: str, report: FileReport | None, findings: list[Finding]) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(path))
    for rule, rule_findings in by_rule(findings).items():
        suite.append(failed_case(path, rule, rule_findings))
    if report and report.status == "error":
        suite.append(status_case(path, "could not be linted", "error", report.reason))
    elif report and report.status == "skipped" and not findings:
        suite.append(status_case(path, "skipped", "skipped", report.reason))
    elif not findings:
        suite.append(testcase(path, "no findings"))
    add_counters(suite, list(suite))
    return suite


def by_rule(findings: list[Finding]) -> dict[str, list[Finding]]:
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.rule, []).append(finding)
    return dict(sorted(groups.items()))


def testcase(path: str, name: str) -> ET.Element:
    # classname is the file, so test tabs group the cases of one file together.
    return ET.Element("testcase", name=xml_text(name), classname=xml_text(path))


def failed_case(path: str, rule: str, findings: list[Finding]) -> ET.Element:
    case = testcase(path, f"{rule} {findings[0].name}")
    worst = max(findings, key=lambda finding: SEVERITY_RANK.get(finding.severity, 0))
    message = findings[0].text if len(findings) == 1 else plural(len(findings), "finding")
    failure = ET.SubElement(case, "failure", message=xml_text(message), type=worst.severity)
    failure.text = xml_text("\n".join(finding_entry(finding) for finding in findings))
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
