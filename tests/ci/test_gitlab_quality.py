"""armlint.report.gitlab_quality: armlint's JSON report as a GitLab Code Quality report."""

from __future__ import annotations

import io
import json
import os

import pytest

from armlint.model import Finding, Location, RunResult
from armlint.report import ReportOptions, render
from armlint.report.gitlab_quality import convert, main


def report(*findings: Finding) -> dict:
    result = RunResult(findings=list(findings))
    return json.loads(render("json", result, ReportOptions(tool_version="1.0")))


def finding(rule="AZP102", severity="error", path="infra/vm.json", line=12, **extra) -> Finding:
    where = Location(path, line, 7)
    return Finding(rule, "some-rule", severity, f"{rule} message", where, **extra)


def test_one_issue_per_unsuppressed_finding():
    issues = convert(
        report(
            finding(fingerprint="abc"),
            finding("AZP104", "warning", line=20),
            finding("AZP110", "info", line=40),
            finding("AZP101", suppressed="baseline: accepted"),
        )
    )
    assert issues[0] == {
        "description": "AZP102: AZP102 message",
        "check_name": "AZP102",
        "fingerprint": issues[0]["fingerprint"],
        "severity": "major",
        "location": {"path": "infra/vm.json", "lines": {"begin": 12}},
    }
    assert [issue["severity"] for issue in issues] == ["major", "minor", "info"]


def test_fingerprints_are_stable_and_never_repeat():
    same = [finding(fingerprint="abc"), finding(fingerprint="abc", line=30)]
    first, second = convert(report(*same))
    assert first["fingerprint"] != second["fingerprint"]
    assert convert(report(*same)) == [first, second]
    moved = convert(report(finding(fingerprint="abc", line=99)))[0]
    assert moved["fingerprint"] == first["fingerprint"]  # survives a line move


def test_an_absolute_path_in_the_checkout_becomes_relative():
    inside = os.path.join(os.getcwd(), "infra", "vm.json")
    [issue] = convert(report(finding(path=inside)))
    assert issue["location"]["path"] == "infra/vm.json"


def run_main(monkeypatch, capsys, data: bytes) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
    code = main([])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_main_reads_stdin_and_prints_a_json_array(monkeypatch, capsys):
    data = json.dumps(report(finding())).encode("utf-8")
    code, out, err = run_main(monkeypatch, capsys, b"\xef\xbb\xbf" + data)  # a BOM is fine
    assert (code, err) == (0, "")
    assert [issue["check_name"] for issue in json.loads(out)] == ["AZP102"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "no input"),
        (b"{not json", "not JSON"),
        (b"[]", "no 'findings' list"),
        (b'{"findings": [{"rule": "AZP102"}]}', "finding 1 has no 'message'"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(monkeypatch, capsys, data, message):
    code, out, err = run_main(monkeypatch, capsys, data)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and message in err


def test_arguments_are_refused(capsys):
    assert main(["armlint.json"]) == 2
    assert "stdin" in capsys.readouterr().err
