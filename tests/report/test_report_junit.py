"""JUnit XML: structure, counts, and what Azure Pipelines' JUnit reader needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

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


def test_one_case_per_finding_with_file_and_line(sample):
    vm = suites_by_name(junit_of(sample))["infra/vm.json"]
    assert [case.get("name") for case in vm] == [
        "AZP102 manual-mode-with-automatic-updates (line 12)",
        "AZP104 assessment-mode-missing (line 20)",
        "AZP104 assessment-mode-missing (line 25)",
        "AZP110 reboot-setting-default (line 40)",
    ]
    assert {case.get("classname") for case in vm} == {"infra/vm.json"}
    assert {case.get("file") for case in vm} == {"infra/vm.json"}
    assert [case.get("line") for case in vm] == ["12", "20", "25", "40"]
    single = vm[0].find("failure")
    assert single.get("type") == "error"
    assert single.get("message") == sample.findings[3].message


def test_findings_below_fail_on_pass_but_stay_listed(sample):
    vm = suites_by_name(junit_of(sample))["infra/vm.json"]  # default fail-on: error
    warning = vm[1]
    assert warning.find("failure") is None
    assert warning.find("system-out").text == (
        "20:9: [warning] assessmentMode is not set (Microsoft.Compute/virtualMachines/vm1)"
    )
    assert (vm.get("tests"), vm.get("failures"), vm.get("errors")) == ("4", "1", "0")
    strict = suites_by_name(junit_of(sample, fail_on="info"))["infra/vm.json"]
    assert [case.find("failure").get("type") for case in strict] == [
        "error",
        "warning",
        "warning",
        "info",
    ]


def test_clean_skipped_and_failed_files(sample):
    suites = suites_by_name(junit_of(sample))
    clean = suites["infra/vm.parameters.json"]
    assert [case.get("name") for case in clean] == ["no findings"]
    assert list(clean[0]) == []
    skipped = suites["infra/notes.txt"]
    assert skipped[0].find("skipped").get("message") == "not an infrastructure file"
    assert skipped.get("skipped") == "1"
    broken = suites["infra/broken.json"]
    names = [case.get("name") for case in broken]
    assert names == ["AZP001 parse-error (line 3)", "could not be linted"]
    assert broken[1].find("error").get("message") == "invalid JSON at 3:1"
    assert (broken.get("tests"), broken.get("failures"), broken.get("errors")) == ("2", "1", "1")


def test_suppressed_findings_are_skipped_with_the_reason(sample):
    suites = suites_by_name(junit_of(sample))
    main_tf = suites["infra/main.tf"]
    assert [case.get("name") for case in main_tf] == [
        "AZP102 manual-mode-with-automatic-updates (line 5)",
        "AZP105 hotpatch-needs-platform-mode (line 9)",
    ]
    skipped = main_tf[0].find("skipped")
    assert skipped.get("message") == "accepted until the migration (ticket 42)"
    assert main_tf.get("skipped") == "1"


def test_unknown_values_only_on_request(sample):
    names = [case.get("name") for case in suites_by_name(junit_of(sample))["infra/vm.json"]]
    assert not any(name.startswith("AZP002") for name in names)
    shown = suites_by_name(junit_of(sample, show_unknown=True))["infra/vm.json"]
    assert "AZP002 unknown-value (line 30)" in [case.get("name") for case in shown]


def test_totals_add_up(sample):
    root = junit_of(sample)
    # 1 broken (AZP001 + error case), main.tf (suppressed + warning), notes.txt (skipped),
    # vm.json (4 findings), vm.parameters.json (no findings).
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("10", "2", "1")
    assert root.get("skipped") == "2"


def test_a_real_junit_reader_agrees(sample, tmp_path):
    junitparser = pytest.importorskip("junitparser")
    path = tmp_path / "armlint.xml"
    path.write_text(render("junit", sample, ReportOptions()), encoding="utf-8")
    xml = junitparser.JUnitXml.fromfile(str(path))
    outcomes = {}
    for suite in xml:
        for case in suite:
            kinds = [type(result).__name__ for result in case.result]
            outcomes[(suite.name, case.name)] = kinds[0] if kinds else "passed"
    assert outcomes[("infra/vm.json", "AZP102 manual-mode-with-automatic-updates (line 12)")] == (
        "Failure"
    )
    assert outcomes[("infra/vm.json", "AZP104 assessment-mode-missing (line 20)")] == "passed"
    assert outcomes[("infra/main.tf", "AZP102 manual-mode-with-automatic-updates (line 5)")] == (
        "Skipped"
    )
    assert outcomes[("infra/broken.json", "could not be linted")] == "Error"
    assert sum(kind == "Failure" for kind in outcomes.values()) == 2


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
