"""armlint.report.sarif_merge: one valid run from several shards' logs, or a one-line error."""

from __future__ import annotations

import json
import re

import pytest
from ci_helpers import sarif_validator

from armlint.model import FileReport, Finding, Location, RuleInfo, RunResult
from armlint.report import ReportOptions, render
from armlint.report.sarif_merge import MergeError, main, merge

RULES = {
    "AZP101": RuleInfo("AZP101", "automatic-by-os-without-automatic-updates", "error", "AZP101"),
    "AZP102": RuleInfo("AZP102", "manual-mode-with-automatic-updates", "error", "AZP102"),
    "AZP302": RuleInfo("AZP302", "api-version-below-recommended", "info", "AZP302"),
}


def finding(rule: str, path: str, line: int, message: str = "") -> Finding:
    info = RULES.get(rule) or RuleInfo(rule, rule.lower(), "warning", rule)
    where = Location(path, line, 5, line, 9)
    return Finding(rule, info.name, info.severity, message or f"{rule} in {path}", where)


def log(findings, rules=("AZP101", "AZP102", "AZP302"), notes=(), failed=(), version="1.0"):
    """A SARIF log as `armlint check --output sarif:...` writes it."""
    result = RunResult(
        files=[FileReport(path, "template", "error", "broken") for path in failed],
        findings=sorted(findings, key=lambda f: f.sort_key),
        notes=list(notes),
        rules={rule_id: RULES[rule_id] for rule_id in rules},
    )
    return json.loads(render("sarif", result, ReportOptions(tool_version=version)))


def the_run(document: dict) -> dict:
    [run] = document["runs"]
    return run


def test_two_shards_make_one_valid_run_equal_to_the_whole():
    a = [finding("AZP102", "b/vm.json", 3), finding("AZP302", "b/vm.json", 1)]
    b = [finding("AZP101", "a/main.tf", 9), finding("AZP102", "c/vm.json", 2)]
    merged = merge([log(a), log(b)])
    sarif_validator().validate(merged)
    assert the_run(merged) == the_run(log(a + b))


def test_the_order_of_the_logs_does_not_matter():
    a = log([finding("AZP102", "z.json", 3)], notes=["first"])
    b = log([finding("AZP101", "a.tf", 1)], rules=("AZP101",), notes=["first"])
    assert merge([a, b])["runs"][0]["results"] == merge([b, a])["runs"][0]["results"]
    assert merge([a, b])["runs"][0]["tool"] == merge([b, a])["runs"][0]["tool"]


def test_rules_are_united_by_id_and_every_result_points_at_its_rule():
    a = log([finding("AZP302", "a.json", 1)], rules=("AZP302",))
    b = log([finding("AZP101", "b.tf", 1), finding("AZP999", "b.tf", 2)], rules=("AZP101",))
    run = the_run(merge([a, b]))
    ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    assert ids == ["AZP101", "AZP302", "AZP999"]  # AZP999: a descriptor made from the finding
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]


def test_a_result_without_rule_id_gets_it_from_its_old_index():
    document = log([finding("AZP302", "a.json", 1)])
    del the_run(document)["results"][0]["ruleId"]
    [result] = the_run(merge([document]))["results"]
    assert result["ruleId"] == "AZP302"


def test_results_in_several_logs_are_kept_once_but_repeats_within_a_log_stay():
    # Work that is not split (--against) is reported by every shard.
    shared = finding("AZP102", "vm.json", 4, "changes from Manual")
    twice = log([finding("AZP101", "x.tf", 1), finding("AZP101", "x.tf", 1)])
    run = the_run(merge([log([shared]), log([shared]), twice]))
    assert [result["ruleId"] for result in run["results"]] == ["AZP102", "AZP101", "AZP101"]


def test_invocations_are_combined():
    ok = log([], notes=["terraform: remote module skipped"])
    failed = log([], notes=["terraform: remote module skipped"], failed=["bad.json"])
    [invocation] = the_run(merge([ok, failed]))["invocations"]
    assert invocation["executionSuccessful"] is False
    texts = [note["message"]["text"] for note in invocation["toolExecutionNotifications"]]
    assert texts == ["terraform: remote module skipped", "bad.json: broken"]  # each once
    assert the_run(merge([ok, ok]))["invocations"][0]["executionSuccessful"] is True


def test_uri_base_ids_are_united():
    a, b = log([]), log([])
    the_run(a)["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file:///work/"}}
    the_run(b)["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file:///work/"}}
    assert the_run(merge([a, b]))["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///work/"}}
    the_run(b)["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file:///elsewhere/"}}
    with pytest.raises(MergeError, match="%SRCROOT%"):
        merge([a, b])


@pytest.mark.parametrize(
    ("spoil", "message"),
    [
        (lambda d: d.update(version="2.0.0"), "not a SARIF 2.1.0 log"),
        (lambda d: d.pop("runs"), "'runs' is a required property"),
        (lambda d: d["runs"][0]["tool"]["driver"].update(name="other"), "not from armlint"),
        (lambda d: d["runs"][0].update(artifacts=[]), "'artifacts'"),
        (lambda d: d["runs"][0]["results"][0].update(level="fatal"), "not valid SARIF 2.1.0"),
        (
            lambda d: [d["runs"][0]["results"][0].pop(key) for key in ("ruleId", "ruleIndex")],
            "names no rule",
        ),
    ],
)
def test_input_that_cannot_be_merged_is_refused(spoil, message):
    document = log([finding("AZP102", "vm.json", 4)])
    spoil(document)
    with pytest.raises(MergeError) as raised:
        merge([document], ["shard.sarif"])
    assert str(raised.value).startswith("shard.sarif: ") and message in str(raised.value)


def test_logs_of_different_versions_are_refused():
    with pytest.raises(MergeError, match=re.escape("different armlint versions: 1.0, 2.0")):
        merge([log([], version="1.0"), log([], version="2.0")])


def test_nothing_to_merge_is_refused():
    with pytest.raises(MergeError, match="no runs"):
        merge([])


# -- command line ----------------------------------------------------------------------------


def write(path, document) -> str:
    path.write_text(json.dumps(document), encoding="utf-8")
    return str(path)


def test_main_prints_the_merged_log(tmp_path, capsys):
    first = write(tmp_path / "1.sarif", log([finding("AZP102", "vm.json", 4)]))
    second = write(tmp_path / "2.sarif", log([finding("AZP101", "main.tf", 2)]))
    assert main([first, second]) == 0
    printed = json.loads(capsys.readouterr().out)
    sarif_validator().validate(printed)
    assert [result["ruleId"] for result in the_run(printed)["results"]] == ["AZP101", "AZP102"]


def test_a_folder_means_its_sarif_files(tmp_path, capsys):
    for shard in (1, 2):
        (tmp_path / f"armlint-sarif-{shard}").mkdir()
        write(tmp_path / f"armlint-sarif-{shard}" / f"armlint-{shard}.sarif", log([]))
    (tmp_path / "notes.txt").write_text("not a log", encoding="utf-8")
    assert main(["--expect", "2", str(tmp_path)]) == 0
    sarif_validator().validate(json.loads(capsys.readouterr().out))


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: [str(folder / "missing.sarif")], "missing.sarif: no such file"),
        (lambda folder: [write(folder / "a.sarif", [])], "not a SARIF log"),
        (lambda folder: [str(folder)], "no .sarif files in this folder"),
        (lambda folder: ["--expect", "2", write(folder / "a.sarif", log([]))], "expected 2"),
    ],
)
def test_bad_input_is_one_line_and_exit_code_2(tmp_path, capsys, make, message):
    folder = tmp_path / "in"
    folder.mkdir()
    assert main(make(folder)) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and message in captured.err


def test_no_arguments_is_a_one_line_usage_error(capsys):
    with pytest.raises(SystemExit) as raised:
        main([])
    assert raised.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_text_that_is_not_json_is_one_line(tmp_path, capsys):
    path = tmp_path / "broken.sarif"
    path.write_text('{"version": ', encoding="utf-8")
    assert main([str(path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"python -m armlint.report.sarif_merge: error: {path}: not JSON ("
    )
