"""Suppression parsing and matching on hand-made results: no loader involved."""

from __future__ import annotations

from datetime import date

import pytest

from armlint.model import FileReport, Finding, Location, RunResult
from armlint.run.suppressions import apply_suppressions, collect_suppressions, comment_suppressions

TODAY = date(2026, 11, 25)


def finding(rule: str, path: str, line: int, column: int = 5) -> Finding:
    return Finding(rule, rule.lower(), "error", f"{rule} here", Location(path, line, column))


def run(files: dict[str, str], findings: list[Finding], **options) -> tuple[RunResult, list]:
    """Apply suppressions with ``files`` as the file system; returns the result and the reads."""
    reads: list[str] = []

    def read_text(path: str) -> str:
        reads.append(path)
        return files[path]

    result = RunResult(files=[FileReport(path, "other") for path in files], findings=findings)
    apply_suppressions(result, TODAY, read_text=read_text, **options)
    return result, reads


def hygiene(result: RunResult) -> list[tuple[str, int, int, str]]:
    return [
        (f.rule, f.location.line, f.location.column, f.message)
        for f in result.findings
        if f.rule in ("AZP901", "AZP902")
    ]


TF = 'resource "x" "y" {\n  # armlint: ignore AZP102 reason here\n  a = 1\n  b = 2\n}\n'


def test_a_comment_covers_the_next_line_but_not_the_one_after():
    covered, beyond = finding("AZP102", "a.tf", 3), finding("AZP102", "a.tf", 4)
    result, _ = run({"a.tf": TF}, [covered, beyond])
    assert covered.suppressed == "reason here" and beyond.suppressed == ""
    assert hygiene(result) == []


def test_each_file_is_read_once_and_only_what_the_run_touched():
    findings = [finding("AZP102", "a.tf", 3), finding("AZP102", "a.tf", 3, 9)]
    _, reads = run({"a.tf": TF, "clean.bicep": "param x string\n"}, findings)
    assert sorted(reads) == ["a.tf", "clean.bicep"]


def test_a_clean_file_with_a_suppression_gets_azp902():
    result, _ = run({"a.tf": TF}, [])
    assert hygiene(result) == [
        (
            "AZP902",
            2,
            3,
            "the suppression of AZP102 matches no finding; the problem is fixed or moved,"
            " so the suppression can go",
        )
    ]


@pytest.mark.parametrize(
    ("comment", "problem"),
    [
        (
            "# armlint: ignore AZP102",
            "has no reason, so it suppresses nothing; a reason is required",
        ),
        ("# armlint: ignore AZP102 until=2099-01-01", "a reason is required"),
        ("# armlint: ignore", "names no rule"),
        ("# armlint: ignore AZP999 typo", "names no known rule: 'AZP999'"),
        ("# armlint: ignore AZP102 reason until=2099-13-01", "until=2099-13-01 is not a date"),
        ("# armlint: ignore AZP102 reason until=tomorrow", "until=tomorrow is not a date"),
    ],
)
def test_a_malformed_suppression_suppresses_nothing_and_says_why(comment, problem):
    text = f"{comment}\na = 1\n"
    target = finding("AZP102", "a.tf", 2)
    result, _ = run({"a.tf": text}, [target])
    assert target.suppressed == ""
    ((rule, line, column, message),) = hygiene(result)
    assert (rule, line, column) == ("AZP902", 1, 1) and problem in message


def test_a_known_and_an_unknown_rule_the_known_one_still_works():
    target = finding("AZP102", "a.tf", 2)
    result, _ = run({"a.tf": "# armlint: ignore AZP102,AZP999 vendor\na = 1\n"}, [target])
    assert target.suppressed == "vendor"
    assert [m for *_, m in hygiene(result)] == ["the suppression names no known rule: 'AZP999'"]


@pytest.mark.parametrize(
    "comment",
    [
        "# armlint: ignore AZP102, AZP101 two rules",
        "// armlint: ignore azp102 lower case id",
        "/* armlint: ignore manual-mode-with-automatic-updates by name */",
        "#armlint:ignore AZP102 no spaces",
        "# armlint: ignore AZP102: with a colon",
        "# armlint: ignore AZP102 -- with dashes",
    ],
)
def test_spellings_that_suppress(comment):
    target = finding("AZP102", "a.tf", 2)
    run({"a.tf": f"{comment}\na = 1\n"}, [target])
    assert target.suppressed and not target.suppressed.startswith((":", "-"))


@pytest.mark.parametrize(
    "comment",
    [
        "# see the docs on armlint: ignore AZP102 if you must",  # prose mentioning it
        "# armlint: ignored AZP102 reason",
        "# armlint: disable AZP102 reason",
    ],
)
def test_comments_that_are_not_suppressions(comment):
    target = finding("AZP102", "a.tf", 2)
    result, _ = run({"a.tf": f"{comment}\na = 1\n"}, [target])
    assert target.suppressed == "" and hygiene(result) == []


def test_json_comment_markers_inside_strings_are_ignored():
    text = '{\n  "url": "https://x/ // armlint: ignore AZP102 no",\n  "a": 1\n}\n'
    target = finding("AZP102", "t.json", 3)
    result, _ = run({"t.json": text}, [target])
    assert target.suppressed == "" and hygiene(result) == []


def test_bicep_uses_single_quoted_strings():
    text = (
        "var a = 'it\\'s // armlint: ignore AZP102 no'\nvar b = 1 // armlint: ignore AZP102 yes\n"
    )
    suppressions = comment_suppressions("m.bicep", text)
    assert [(s.line, s.reason) for s in suppressions] == [(2, "yes")]


def test_hash_is_not_a_comment_in_bicep_or_json():
    assert comment_suppressions("m.bicep", "# armlint: ignore AZP102 x\n") == []
    assert comment_suppressions("t.json", "# armlint: ignore AZP102 x\n") == []


def test_crlf_and_a_byte_order_mark_keep_lines_and_columns(tmp_path):
    path = tmp_path / "a.tf"
    path.write_bytes(b"\xef\xbb\xbfa = 1\r\nb = 2 # armlint: ignore AZP102 crlf\r\n")
    target = finding("AZP102", str(path), 2)
    result = RunResult(files=[FileReport(str(path), "terraform")], findings=[target])
    apply_suppressions(result, TODAY)
    assert target.suppressed == "crlf"
    (suppression,) = comment_suppressions("a.tf", path.read_text(encoding="utf-8-sig"))
    assert (suppression.line, suppression.column) == (2, 7)


def test_the_expiry_date_itself_is_the_last_day():
    text = "# armlint: ignore AZP102 reason until=2026-11-25\na = 1\n"
    target = finding("AZP102", "a.tf", 2)
    result, _ = run({"a.tf": text}, [target])
    assert target.suppressed and hygiene(result) == []


def test_a_suppression_may_hide_its_own_unused_warning():
    text = "# armlint: ignore AZP102,AZP902 kept on purpose for the next release\na = 1\n"
    result, _ = run({"a.tf": text}, [])
    ((unused,),) = [[f for f in result.findings if f.rule == "AZP902"]]
    assert unused.suppressed == "kept on purpose for the next release"


def test_severity_overrides_apply_to_hygiene_findings():
    result, _ = run({"a.tf": TF}, [], severities={"AZP902": "error"})
    assert [f.severity for f in result.findings] == ["error"]


def test_per_file_enabled_rules_decide_what_is_unused():
    files = {"a.tf": TF, "b.tf": TF}
    result, _ = run(files, [], enabled_for=lambda path: {"AZP902"} if path == "a.tf" else None)
    assert [f.location.path for f in result.findings] == ["b.tf"]


def test_hidden_unknown_values_cannot_make_a_suppression_unused():
    text = "# armlint: ignore AZP002 the image id comes from the pipeline\na = 1\n"
    reads: list[str] = []
    result = RunResult(files=[FileReport("a.tf", "terraform")], unknown_count=1)
    apply_suppressions(result, TODAY, read_text=lambda p: reads.append(p) or text)
    assert result.findings == []


def test_findings_from_other_files_are_not_touched():
    target = finding("AZP102", "other.tf", 3)
    run({"a.tf": TF, "other.tf": "a = 1\nb = 2\nc = 3\n"}, [target])
    assert target.suppressed == ""


def test_unreadable_files_are_skipped():
    def read_text(path: str) -> str:
        raise OSError("gone")

    result = RunResult(
        files=[FileReport("a.tf", "terraform")], findings=[finding("AZP102", "a.tf", 2)]
    )
    apply_suppressions(result, TODAY, read_text=read_text)
    assert [f.rule for f in result.findings] == ["AZP102"]


ARM = """{
  "resources": [
    {
      "type": "Microsoft.Compute/virtualMachines",
      "metadata": {"armlint": %s},
      "properties": {}
    }
  ]
}
"""


@pytest.mark.parametrize(
    ("setting", "problem"),
    [
        ('"yes"', 'metadata.armlint must be {"ignore": {"RULE": "reason"}}'),
        ('{"ignore": ["AZP102"]}', "metadata.armlint must be"),
        ('{"ignore": {"AZP102": ""}}', "a reason is required"),
        ('{"ignore": {"AZP102": true}}', "a reason is required"),
    ],
)
def test_malformed_metadata_is_reported_where_it_is_written(setting, problem):
    target = finding("AZP102", "t.json", 6)
    result, _ = run({"t.json": ARM % setting}, [target])
    assert target.suppressed == ""
    ((rule, line, _, message),) = hygiene(result)
    assert rule == "AZP902" and line == 5 and problem in message


def test_metadata_covers_exactly_the_resource_braces():
    inside, outside = finding("AZP102", "t.json", 6), finding("AZP102", "t.json", 8)
    at_brace = finding("AZP102", "t.json", 3, 5)
    run({"t.json": ARM % '{"ignore": {"AZP102": "ok"}}'}, [inside, outside, at_brace])
    assert (inside.suppressed, at_brace.suppressed, outside.suppressed) == ("ok", "ok", "")


def test_template_metadata_covers_the_whole_file():
    text = '{\n  "metadata": {"armlint": {"ignore": {"AZP302": "old api everywhere"}}},\n  "resources": []\n}\n'
    target = finding("AZP302", "t.json", 3)
    run({"t.json": text}, [target])
    assert target.suppressed == "old api everywhere"


def test_a_broken_json_file_still_honours_comments():
    text = '{\n  // armlint: ignore AZP001 generated file, fixed upstream\n  "a": ,\n}\n'
    target = finding("AZP001", "t.json", 3)
    run({"t.json": text}, [target])
    assert target.suppressed == "generated file, fixed upstream"


def test_collect_resolves_names_to_ids():
    from armlint.checks.pack import load_pack

    (suppression,) = collect_suppressions(
        ["a.tf"], load_pack(), lambda _: "# armlint: ignore manual-mode-with-automatic-updates x\n"
    )
    assert suppression.rules == {"manual-mode-with-automatic-updates": "AZP102"}
