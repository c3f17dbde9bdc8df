"""JUnit XML: structure, counts, and what Azure Pipelines' JUnit reader needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from armlint.report import ReportOptions, render


def junit_of(result, **options) -> ET.Element:
    text = render("junit", result, ReportOptions(**options))
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    return ET.fromstring(text.encode("utf-8"))


def suites_by_name(root: ET.Element) -> dict[str, ET.Element]:
    return {suite.get("name"): suite for suite in root.iter("testsuite")}


def test_one_suite_per_file_sorted(sample):
    root = junit_of(sample)
    assert root.tag == "testsuites"
    assert [suite.get("name") for suite in root] == [
        "infra/broken.json",
        "infra/main.tf",
        "infra/notes.txt",
        "infra/vm.json",
        "infra/vm.parameters.json",
    ]


def test_attributes_azure_pipelines_reads(sample):
    root = junit_of(sample)
    for element in [root, *root.iter("testsuite")]:
        for attribute in ("name", "tests", "failures", "errors"):
            assert element.get(attribute) is not None, (element.tag, attribute)
    for case in root.iter("testcase"):
        assert case.get("name")
        assert case.get("classname")


def test_one_case_per_rule_with_every_finding_listed(sample):
    vm = suites_by_name(junit_of(sample))["infra/vm.json"]
    assert [case.get("name") for case in vm] == [
        "AZP102 manual-mode-with-automatic-updates",
        "AZP104 assessment-mode-missing",
        "AZP110 reboot-setting-default",
    ]
    assert {case.get("classname") for case in vm} == {"infra/vm.json"}
    azp104 = vm[1].find("failure")
    assert azp104.get("type") == "warning"
    assert azp104.get("message") == "2 findings"
    assert azp104.text.splitlines() == [
        "20:9: [warning] assessmentMode is not set (Microsoft.Compute/virtualMachines/vm1)",
        "25:9: [warning] assessmentMode is not set on the second profile"
        " (Microsoft.Compute/virtualMachines/vm1)",
    ]
    single = vm[0].find("failure")
    assert single.get("type") == "error"
    assert single.get("message") == sample.findings[3].message
    assert (vm.get("tests"), vm.get("failures"), vm.get("errors")) == ("3", "3", "0")


def test_clean_skipped_and_failed_files(sample):
    suites = suites_by_name(junit_of(sample))
    clean = suites["infra/vm.parameters.json"]
    assert [case.get("name") for case in clean] == ["no findings"]
    assert list(clean[0]) == []
    skipped = suites["infra/notes.txt"]
    assert skipped[0].find("skipped").get("message") == "not an infrastructure file"
    assert skipped.get("skipped") == "1"
    broken = suites["infra/broken.json"]
    assert [case.get("name") for case in broken] == ["AZP001 parse-error", "could not be linted"]
    assert broken[1].find("error").get("message") == "invalid JSON at 3:1"
    assert (broken.get("tests"), broken.get("failures"), broken.get("errors")) == ("2", "1", "1")


def test_suppressed_and_unknown_hidden(sample):
    suites = suites_by_name(junit_of(sample))
    assert [case.get("name") for case in suites["infra/main.tf"]] == [
        "AZP105 hotpatch-needs-platform-mode"
    ]
    names = [case.get("name") for case in suites["infra/vm.json"]]
    assert not any(name.startswith("AZP002") for name in names)
    shown = suites_by_name(junit_of(sample, show_unknown=True))["infra/vm.json"]
    assert "AZP002 unknown-value" in [case.get("name") for case in shown]


def test_totals_add_up(sample):
    root = junit_of(sample)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("8", "5", "1")
    assert root.get("skipped") == "1"


def test_escaping_of_markup_and_invalid_characters(single):
    message = 'a <b> & "c" ]]> \x00\x1b end'
    root = junit_of(single(message, path="dir/<x>&.json"))
    suite = root[0]
    assert suite.get("name") == "dir/<x>&.json"
    failure = suite[0].find("failure")
    assert failure.get("message") == 'a <b> & "c" ]]> \ufffd\ufffd end'
    assert failure.text == '2:3: [error] a <b> & "c" ]]> \ufffd\ufffd end'


def test_clean_run(clean):
    root = junit_of(clean)
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("1", "0", "0")
