"""`armlint check --fix`: every fixable rule in every format where it applies, fixed byte for
byte as tests/fixtures/fix/<RULE>/<case>/expected/ holds, with no finding of that rule left and
no new finding; --diff writes nothing; fixes that would add a finding are not applied."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from armlint.checks.pack import load_pack
from armlint.cli import main
from armlint.fix.propose import BUILDERS
from armlint.model import Finding
from tests.schema_check import validate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "fix"
CASES = sorted(p.relative_to(FIXTURES) for p in FIXTURES.glob("AZP*/*") if p.is_dir())


def run(capsys, monkeypatch, folder: Path, *args: str) -> tuple[int, str]:
    monkeypatch.chdir(folder)
    code = main(["check", ".", "--no-cache", *args])
    return code, capsys.readouterr().out


def findings(capsys, monkeypatch, folder: Path) -> list[tuple[str, str]]:
    _code, out = run(capsys, monkeypatch, folder, "--format", "json")
    return sorted((f["rule"], f["resource"]) for f in json.loads(out)["findings"])


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_fix_gives_the_expected_file_and_removes_the_finding(case, tmp_path, capsys, monkeypatch):
    rule = case.parts[0]
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / case / "input", work)
    before = findings(capsys, monkeypatch, work)
    assert rule in {r for r, _ in before}, f"the input must have a {rule} finding"
    # A case named *-unsafe edits a value something else uses too: unsafe whatever the rule says.
    unsafe = load_pack().fixable()[rule] == "unsafe" or case.name.endswith("-unsafe")
    run(capsys, monkeypatch, work, "--fix", *(["--unsafe-fixes"] if unsafe else []))
    for expected in (FIXTURES / case / "expected").iterdir():
        assert (work / expected.name).read_bytes() == expected.read_bytes(), expected.name
    after = findings(capsys, monkeypatch, work)
    assert rule not in {r for r, _ in after}
    assert set(after) <= set(before), "a fix must not add a finding"
    # A second run has nothing left to change.
    snapshot = {p.name: p.read_bytes() for p in work.iterdir()}
    run(capsys, monkeypatch, work, "--fix", "--unsafe-fixes")
    assert {p.name: p.read_bytes() for p in work.iterdir()} == snapshot


def test_safe_fix_alone_does_not_apply_unsafe_ones(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP104" / "arm" / "input", work)
    original = (work / "vm.json").read_bytes()
    code, out = run(capsys, monkeypatch, work, "--fix")
    assert (work / "vm.json").read_bytes() == original
    assert code == 1
    assert "1 hidden fixes can be enabled with --unsafe-fixes" in out


def test_diff_prints_the_change_and_writes_nothing(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP105" / "arm" / "input", work)
    original = (work / "vm.json").read_bytes()
    code, out = run(capsys, monkeypatch, work, "--diff")
    assert code == 1
    assert '-            "patchSettings": { "patchMode": "AutomaticByPlatfom" }' in out
    assert '+            "patchSettings": { "patchMode": "AutomaticByPlatform" }' in out
    assert (work / "vm.json").read_bytes() == original


def test_diff_with_nothing_to_fix_exits_zero(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP105" / "arm" / "expected", work)
    code, out = run(capsys, monkeypatch, work, "--diff")
    assert (code, out) == (0, "")


def test_crlf_and_comments_are_kept(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    text = (FIXTURES / "AZP102" / "arm-absent" / "input" / "vm.json").read_text()
    text = text.replace('"resources": [', '// armlint keeps comments\n  "resources": [')
    (work / "vm.json").write_bytes(text.replace("\n", "\r\n").encode())
    run(capsys, monkeypatch, work, "--fix")
    fixed = (work / "vm.json").read_bytes()
    assert b'            "enableAutomaticUpdates": false,\r\n' in fixed
    assert b"// armlint keeps comments\r\n" in fixed
    assert b"\n" not in fixed.replace(b"\r\n", b"")


def test_a_fix_that_would_add_a_finding_is_undone(tmp_path, capsys, monkeypatch):
    """web-tier: patchMode is an allowed-value parameter, so false for Manual breaks the
    AutomaticByOS choice (AZP101); the unsafe fix is tried, checked and undone."""
    work = tmp_path / "work"
    work.mkdir()
    example = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"
    shutil.copy(example, work / "web-tier.json")
    monkeypatch.chdir(work)
    main(["check", ".", "--no-cache", "--fix", "--unsafe-fixes"])
    assert (work / "web-tier.json").read_bytes() == example.read_bytes()
    assert "web-tier.json: fix not applied, it would add a finding" in capsys.readouterr().err


def test_summary_counts_fixable_findings(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP108" / "arm" / "input", work)
    _code, out = run(capsys, monkeypatch, work)
    assert out.rstrip().endswith("2 fixable with --fix")


def test_sarif_carries_the_fix_as_a_replacement(tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP105" / "bicep" / "input", work)
    _code, out = run(capsys, monkeypatch, work, "--format", "sarif")
    sarif = json.loads(out)
    validate(sarif, "sarif-2.1.0.json")
    (result,) = sarif["runs"][0]["results"]
    (change,) = result["fixes"][0]["artifactChanges"]
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == "'AutomaticByPlatform'"
    assert replacement["deletedRegion"] == {
        "startLine": 10,
        "startColumn": 22,
        "endLine": 10,
        "endColumn": 42,
    }


def test_every_declared_fix_has_a_builder_and_every_builder_a_declaration():
    assert set(load_pack().fixable()) == set(BUILDERS)


def test_every_fixable_rule_has_fixtures():
    assert {case.parts[0] for case in CASES} == set(BUILDERS)


def test_removing_a_member_keeps_crlf_and_valid_json(tmp_path, capsys, monkeypatch):
    """AZP106 removes the last member of patchSettings: the comma before it goes, CRLF stays."""
    work = tmp_path / "work"
    work.mkdir()
    source = FIXTURES / "AZP106" / "arm-last-member"
    text = (source / "input" / "vm.json").read_text()
    (work / "vm.json").write_bytes(text.replace("\n", "\r\n").encode())
    run(capsys, monkeypatch, work, "--fix", "--unsafe-fixes")
    fixed = (work / "vm.json").read_bytes()
    expected = (source / "expected" / "vm.json").read_text().replace("\n", "\r\n").encode()
    assert fixed == expected
    json.loads(fixed)


def test_rules_lists_the_removal_fixes(capsys):
    main(["rules"])
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line}
    assert lines["AZP106"].split()[3] == "unsafe"
    assert lines["AZP118"].split()[3] == "safe"


def _diff_of_fix(tmp_path, capsys, monkeypatch, source: Path) -> tuple[str, str]:
    """(what --diff --unsafe-fixes prints, the diff of what --fix --unsafe-fixes wrote)."""
    from armlint.fix.apply import unified_diff

    shown, fixed = tmp_path / "shown", tmp_path / "fixed"
    shutil.copytree(source, shown)
    shutil.copytree(source, fixed)
    _code, out = run(capsys, monkeypatch, shown, "--diff", "--unsafe-fixes")
    unchanged = sorted(
        p.name for p in shown.iterdir() if p.read_bytes() != (source / p.name).read_bytes()
    )
    assert unchanged == [], "--diff writes nothing"
    run(capsys, monkeypatch, fixed, "--fix", "--unsafe-fixes")
    written = "".join(
        unified_diff(p.name, (source / p.name).read_text(), p.read_text())
        for p in sorted(fixed.iterdir())
        if p.read_bytes() != (source / p.name).read_bytes()
    )
    return out, written


@pytest.mark.parametrize("case", CASES, ids=[str(c) for c in CASES])
def test_diff_shows_exactly_what_fix_writes(case, tmp_path, capsys, monkeypatch):
    out, written = _diff_of_fix(tmp_path, capsys, monkeypatch, FIXTURES / case / "input")
    assert written and out == written


def test_diff_leaves_out_a_fix_that_the_second_check_refuses(tmp_path, capsys, monkeypatch):
    """web-tier.json's unsafe AZP102 fix would add AZP101 for the AutomaticByOS choice: --fix
    undoes it, so --diff does not show it and says why."""
    source = tmp_path / "source"
    source.mkdir()
    example = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"
    shutil.copy(example, source / "web-tier.json")
    monkeypatch.chdir(source)
    code = main(["check", ".", "--no-cache", "--diff", "--unsafe-fixes"])
    captured = capsys.readouterr()
    assert (code, captured.out) == (0, "")
    assert "web-tier.json: fix not applied, it would add a finding" in captured.err
    assert "Would fix 0 findings in 0 file(s)" in captured.err


def _fix_kinds(capsys, monkeypatch, folder: Path, *paths: str) -> list[tuple[str, str]]:
    monkeypatch.chdir(folder)
    main(["check", *(paths or (".",)), "--no-cache", "--format", "json"])
    found = json.loads(capsys.readouterr().out)["findings"]
    return sorted((f["rule"], f["fix"]["applicability"]) for f in found if "fix" in f)


def test_a_definition_every_use_agrees_on_is_a_safe_fix(tmp_path, capsys, monkeypatch):
    """Two VMs read parameters('patchMode'): both AZP105 fixes want the same default."""
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP105" / "arm-parameter-shared" / "input", work)
    assert _fix_kinds(capsys, monkeypatch, work) == [("AZP105", "safe"), ("AZP105", "safe")]


def test_a_definition_with_another_use_is_an_unsafe_fix(tmp_path, capsys, monkeypatch):
    """var.patch_mode is also an output: changing its default changes the output too."""
    work = tmp_path / "work"
    case = FIXTURES / "AZP105" / "terraform-variable-other-use-unsafe"
    shutil.copytree(case / "input", work)
    assert _fix_kinds(capsys, monkeypatch, work) == [("AZP105", "unsafe")]
    run(capsys, monkeypatch, work, "--fix")
    assert (work / "main.tf").read_bytes() == (case / "input" / "main.tf").read_bytes()


def test_a_parameter_file_outside_the_scanned_paths_is_never_edited(tmp_path, capsys, monkeypatch):
    """Checking vm.json alone (its parameter file beside it is still read): the fix would edit
    vm.parameters.json, which was not scanned, so nothing is written."""
    work = tmp_path / "work"
    case = FIXTURES / "AZP105" / "arm-parameter-file" / "input"
    shutil.copytree(case, work)
    monkeypatch.chdir(work)
    main(["check", "vm.json", "--no-cache", "--fix", "--unsafe-fixes"])
    capsys.readouterr()
    for name in ("vm.json", "vm.parameters.json"):
        assert (work / name).read_bytes() == (case / name).read_bytes()


def test_a_downloaded_module_is_never_a_fix_target(tmp_path):
    from armlint.fix.apply import allowed_target
    from armlint.model import Fix, Location, TextEdit

    def finding_editing(path: str) -> Finding:
        edit = TextEdit(path, 0, 1, "x")
        return Finding(
            "AZP105", "n", "error", "m", Location("main.tf", 1, 1), fix=Fix("t", "safe", (edit,))
        )

    module = str(tmp_path / ".terraform" / "modules" / "vm" / "variables.tf")
    assert not allowed_target(finding_editing(module), [str(tmp_path)])
    assert allowed_target(finding_editing(str(tmp_path / "variables.tf")), [str(tmp_path)])


def test_uses_that_want_different_values_get_no_fix():
    from armlint.fix.propose import settle_shared
    from armlint.model import Fix, Location, TextEdit

    def wanting(text: str, line: int) -> Finding:
        edit = TextEdit("vm.json", 10, 20, text)
        fix = Fix("t", "safe", (edit,))
        return Finding("AZP105", "n", "error", "m", Location("vm.json", line, 1), fix=fix)

    span = ("vm.json", 10, 20)
    both, one = {span: {("vm.json", 1, 1), ("vm.json", 2, 1)}}, {span: {("vm.json", 1, 1)}}
    differ = settle_shared([wanting('"A"', 1), wanting('"B"', 2)], {span: 2}, both)
    assert [f.fix for f in differ] == [None, None]
    agreed = settle_shared([wanting('"A"', 1), wanting('"A"', 2)], {span: 2}, both)
    assert [f.fix.applicability for f in agreed if f.fix] == ["safe", "safe"]
    # Two findings at one use site (two rules) are still one of the two references.
    alone = settle_shared([wanting('"A"', 1), wanting('"A"', 1)], {span: 2}, one)
    assert [f.fix.applicability for f in alone if f.fix] == ["unsafe", "unsafe"]


def test_a_value_through_two_definitions_gets_no_fix(tmp_path, capsys, monkeypatch):
    """variables('mode') is built from parameters('patchMode'): which one to edit is a guess."""
    work = tmp_path / "work"
    shutil.copytree(FIXTURES / "AZP105" / "arm-parameter-default" / "input", work)
    text = (work / "vm.json").read_text()
    text = text.replace(
        '  "resources": [',
        '  "variables": { "mode": "[parameters(\'patchMode\')]" },\n  "resources": [',
    )
    text = text.replace(
        '"patchMode": "[parameters(\'patchMode\')]"', '"patchMode": "[variables(\'mode\')]"'
    )
    (work / "vm.json").write_text(text)
    assert "AZP105" in {rule for rule, _ in findings(capsys, monkeypatch, work)}
    assert _fix_kinds(capsys, monkeypatch, work) == []


STDIN_CASE = FIXTURES / "AZP105" / "arm-parameter-default"


def _stdin_run(*args: str) -> subprocess.CompletedProcess:
    import sys

    return subprocess.run(
        [sys.executable, "-m", "armlint", "check", "-", "--stdin-filename", "vm.json", *args],
        input=(STDIN_CASE / "input" / "vm.json").read_text(encoding="utf-8"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_diff_from_stdin_shows_the_fix_under_its_name():
    """`cat vm.json | armlint check - --diff` once failed with "no such file" (the stdin copy
    was removed after a first check, before the fix rounds read it)."""
    done = _stdin_run("--diff")
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith("--- a/vm.json\n+++ b/vm.json\n"), done.stdout
    assert '+    "patchMode": { "type": "string", "defaultValue": "AutomaticByPlatform" }' in (
        done.stdout
    )
    assert "armlint-input-" not in done.stdout + done.stderr


def test_fix_refuses_stdin_with_one_line():
    done = _stdin_run("--fix")
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "armlint: error: --fix cannot write back to stdin or a pipe: use --diff"
    )
