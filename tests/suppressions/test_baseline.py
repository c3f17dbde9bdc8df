"""Baselines: write today's findings, accept them later, notice when they go stale."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from armlint.model import FileReport, Finding, Location, RunResult
from armlint.run.baseline import (
    BASELINE_REASON,
    BaselineError,
    apply_baseline,
    finding_fingerprint,
    read_baseline,
    write_baseline,
)
from armlint.run.pipeline import RunOptions, run_check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def copy_examples(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target)
    return target


def check(folder: Path) -> RunResult:
    return run_check(RunOptions(paths=[str(folder)]))


def active(result: RunResult) -> list[tuple[str, str]]:
    return [(f.rule, Path(f.location.path).name) for f in result.active_findings()]


def positions(result: RunResult) -> list[tuple[str, int]]:
    return sorted((f.rule, f.location.line) for f in result.findings)


def test_a_written_baseline_accepts_every_finding_of_the_same_run(tmp_path):
    folder = copy_examples(tmp_path)
    baseline = tmp_path / "armlint.run.baseline.json"
    count = write_baseline(check(folder), baseline)
    result = check(folder)
    assert apply_baseline(result, baseline) == []
    assert count == len(result.findings) > 0
    assert {f.suppressed for f in result.findings} == {BASELINE_REASON}
    assert result.summary()["findings"] == 0 and result.summary()["suppressed"] == count


def test_the_file_records_version_tool_and_readable_entries(tmp_path):
    baseline = tmp_path / "b.json"
    write_baseline(check(copy_examples(tmp_path)), baseline)
    document = json.loads(baseline.read_text(encoding="utf-8"))
    assert document["version"] == 1 and document["armlint_version"]
    entry = next(e for e in document["entries"] if e["rule"] == "AZP101")
    assert set(entry) == {"fingerprint", "rule", "path", "resource", "message"}
    assert entry["path"].endswith("examples/terraform/main.tf")
    assert entry["resource"] == "azurerm_windows_virtual_machine.jump"
    paths = [(e["path"], e["rule"], e["fingerprint"]) for e in document["entries"]]
    assert paths == sorted(paths)


def test_writing_twice_gives_the_same_bytes(tmp_path):
    folder = copy_examples(tmp_path)
    first, second = tmp_path / "1.json", tmp_path / "2.json"
    write_baseline(check(folder), first)
    write_baseline(check(folder), second)
    assert first.read_bytes() == second.read_bytes()


def test_moving_code_keeps_the_baseline_matching(tmp_path):
    folder = copy_examples(tmp_path)
    baseline = tmp_path / "b.json"
    before = check(folder)
    write_baseline(before, baseline)
    # Push every resource down: new lines above them in each format.
    arm = folder / "arm" / "legacy-app.json"
    arm.write_text(
        arm.read_text().replace(
            '"parameters": {',
            '"metadata": {\n    "owner": "ops",\n    "note": "moved"\n  },\n  "parameters": {',
        )
    )
    tf = folder / "terraform" / "main.tf"
    tf.write_text('locals {\n  owner = "ops"\n}\n\n' + tf.read_text())
    bicep = folder / "bicep" / "main.bicep"
    bicep.write_text("// moved\n\nparam owner string = 'ops'\n" + bicep.read_text())
    after = check(folder)
    assert positions(after) != positions(before)  # the findings did move
    assert apply_baseline(after, baseline) == []
    assert after.active_findings() == []


def test_a_fixed_finding_leaves_a_stale_entry_note(tmp_path):
    folder = copy_examples(tmp_path)
    baseline = tmp_path / "b.json"
    write_baseline(check(folder), baseline)
    tf = folder / "terraform" / "main.tf"
    tf.write_text(tf.read_text().replace("automatic_updates_enabled = false", ""))
    notes = apply_baseline(check(folder), baseline)
    assert len(notes) == 1
    assert notes[0].startswith("1 baseline entry no longer matches: AZP101 ")
    assert "azurerm_windows_virtual_machine.jump" in notes[0] and str(baseline) in notes[0]


def test_a_new_finding_is_not_hidden(tmp_path):
    folder = copy_examples(tmp_path)
    baseline = tmp_path / "b.json"
    write_baseline(check(folder), baseline)
    bicep = folder / "bicep" / "main.bicep"
    bicep.write_text(bicep.read_text().replace("resource db ", "resource db2 "))
    result = check(folder)
    notes = apply_baseline(result, baseline)
    assert active(result) == [("AZP104", "main.bicep")]  # another VM: a new finding
    assert notes and notes[0].startswith("1 baseline entry no longer matches: AZP104")


def test_stale_entries_count_only_for_files_and_rules_the_run_checked(tmp_path):
    folder = copy_examples(tmp_path)
    baseline = tmp_path / "b.json"
    write_baseline(check(folder), baseline)
    only_arm = check(folder / "arm")  # a narrower run, like one shard
    assert apply_baseline(only_arm, baseline) == []
    without_azp101 = check(folder)
    without_azp101.findings = [f for f in without_azp101.findings if f.rule != "AZP101"]
    everything_but_101 = {f"AZP{n}" for n in range(100, 1000)} - {"AZP101"}
    assert apply_baseline(without_azp101, baseline, enabled=everything_but_101) == []
    assert apply_baseline(without_azp101, baseline)  # when AZP101 ran, it is stale


def test_many_stale_entries_are_summarised(tmp_path):
    baseline = tmp_path / "b.json"
    entries = [
        {"fingerprint": f"f{n}", "rule": "AZP102", "path": "vm.json", "resource": f"r{n}"}
        for n in range(8)
    ]
    baseline.write_text(json.dumps({"version": 1, "entries": entries}))
    result = RunResult(files=[FileReport("vm.json", "template")])
    (note,) = apply_baseline(result, baseline)
    assert note.startswith("8 baseline entries no longer match: AZP102 r0 (vm.json), ")
    assert "and 3 more" in note


def test_hygiene_findings_are_never_recorded(tmp_path):
    where = Location("a.tf", 2, 3)
    result = RunResult(
        findings=[
            Finding("AZP902", "unused-suppression", "warning", "unused", where, fingerprint="x"),
            Finding("AZP102", "manual", "error", "m", where, fingerprint="y"),
        ]
    )
    baseline = tmp_path / "b.json"
    assert write_baseline(result, baseline) == 1
    apply_baseline(result, baseline)
    assert [f.suppressed for f in result.findings] == ["", BASELINE_REASON]


def test_inline_suppressions_keep_their_reason_and_are_not_recorded(tmp_path):
    where = Location("a.tf", 2, 3)
    hidden = Finding("AZP102", "m", "error", "m", where, fingerprint="y", suppressed="vendor")
    result = RunResult(files=[FileReport("a.tf", "terraform")], findings=[hidden])
    baseline = tmp_path / "b.json"
    assert write_baseline(result, baseline) == 0
    baseline.write_text(
        json.dumps({"version": 1, "entries": [{"fingerprint": "y", "rule": "AZP102"}]})
    )
    assert apply_baseline(result, baseline) == []  # the entry still matches
    assert hidden.suppressed == "vendor"


def test_a_finding_without_a_fingerprint_ignores_numbers_in_its_message():
    one = Finding("AZP003", "dup", "warning", "key 'a' at lines 3 and 7", Location("t.json", 7, 3))
    moved = Finding(
        "AZP003", "dup", "warning", "key 'a' at lines 9 and 13", Location("t.json", 13, 3)
    )
    other = Finding(
        "AZP003", "dup", "warning", "key 'b' at lines 3 and 7", Location("t.json", 7, 3)
    )
    assert finding_fingerprint(one) == finding_fingerprint(moved) != finding_fingerprint(other)
    assert finding_fingerprint(one) != finding_fingerprint(
        Finding("AZP003", "dup", "warning", one.message, Location("u.json", 7, 3))
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "baseline file not found: "),
        ("{not json", "not valid JSON"),
        ("[]", "not an armlint baseline"),
        ('{"version": 1}', "not an armlint baseline"),
        ('{"version": 7, "entries": []}', "baseline version 7 is not supported"),
        ('{"version": 1, "entries": [{"rule": "AZP102"}]}', "entry 1 needs string 'fingerprint'"),
        ('{"version": 1, "entries": ["x"]}', "entry 1 needs"),
    ],
)
def test_a_missing_or_corrupt_baseline_is_a_one_line_error(tmp_path, content, message):
    baseline = tmp_path / "b.json"
    if content is not None:
        baseline.write_text(content)
    with pytest.raises(BaselineError) as error:
        apply_baseline(RunResult(), baseline)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_read_baseline_accepts_a_byte_order_mark(tmp_path):
    baseline = tmp_path / "b.json"
    baseline.write_bytes(b'\xef\xbb\xbf{"version": 1, "entries": []}')
    assert read_baseline(baseline) == []
