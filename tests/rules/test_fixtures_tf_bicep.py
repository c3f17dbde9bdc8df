"""END-TO-END: the Terraform and Bicep rule fixtures through the command line.

Runs ``armlint check --no-cache --format json`` (``armlint.cli.main`` in this process; one test
runs it as ``python -m armlint``) on every fixture in tests/fixtures/terraform/rules/ (one folder
per fixture, evaluated as a module) and tests/fixtures/bicep/rules/ (one file per fixture) and
checks, for each rule AZP101-AZP110 and AZP201-AZP204:

- ``AZPxxx_bad`` reports exactly the (rule, line, column) findings of that rule listed in the
  folder's expected.yaml (other rules may report too);
- ``AZPxxx_good`` loads one VM with every value known and reports nothing at all.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from armlint import cli

ROOT = Path(__file__).resolve().parents[2]
TERRAFORM = ROOT / "tests" / "fixtures" / "terraform" / "rules"
BICEP = ROOT / "tests" / "fixtures" / "bicep" / "rules"


def _expected(folder: Path) -> dict:
    return yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))


BAD = [
    pytest.param(TERRAFORM / name, findings, id=f"terraform-{name}")
    for name, findings in sorted(_expected(TERRAFORM).items())
] + [
    pytest.param(BICEP / name, findings, id=f"bicep-{name}")
    for name, findings in sorted(_expected(BICEP).items())
]
GOOD = [
    pytest.param(path, id=f"terraform-{path.name}")
    for path in sorted(TERRAFORM.glob("AZP*_good"))
    if path.is_dir()
] + [pytest.param(path, id=f"bicep-{path.name}") for path in sorted(BICEP.glob("AZP*_good.bicep"))]


COMMAND = ["check", "--no-cache", "--jobs", "1", "--format", "json", "--show-unknown"]


def report(path: Path, capsys) -> dict:
    """The JSON report of one fixture, from the command line run in this process."""
    code = cli.main([*COMMAND, str(path)])
    captured = capsys.readouterr()
    assert code in (0, 1), f"exit {code}: {captured.err}"
    return json.loads(captured.out)


def lint(path: Path, capsys) -> list[dict]:
    return report(path, capsys)["findings"]


def positions(findings: list[dict], rule: str) -> list[tuple[str, int, int]]:
    return sorted((f["rule"], f["line"], f["column"]) for f in findings if f["rule"] == rule)


# Issue 11 rules that cannot occur in a format: Terraform has no patch_mode on Uniform scale
# sets (AZP115) and no Linux hotpatching argument (AZP118); AZP111 is about the provider.
NOT_IN_FORMAT = {"terraform": {"AZP115", "AZP118"}, "bicep": {"AZP111"}}


def test_every_rule_has_fixtures_in_both_formats():
    rules = [f"AZP{n}" for n in (*range(101, 120), *range(201, 205))]
    for folder, suffix in ((TERRAFORM, ""), (BICEP, ".bicep")):
        expected = _expected(folder)
        skipped = NOT_IN_FORMAT["terraform" if folder == TERRAFORM else "bicep"]
        for rule in (r for r in rules if r not in skipped):
            assert f"{rule}_bad{suffix}" in expected
            assert (folder / f"{rule}_good{suffix}").exists()


@pytest.mark.parametrize(("path", "findings"), BAD)
def test_bad_fixture_reports_the_expected_findings(path, findings, capsys):
    assert path.exists(), path
    rule = path.name.split("_")[0]
    expected = sorted((f["rule"], f["line"], f["column"]) for f in findings)
    assert {f["rule"] for f in findings} == {rule}
    assert positions(lint(path, capsys), rule) == expected


@pytest.mark.parametrize("path", GOOD)
def test_good_fixture_reports_nothing(path, capsys):
    # Not only "not its own rule": a good fixture that failed to load, lost its VM or made a
    # value unknown would report nothing of its rule either, so all of that is asserted too.
    result = report(path, capsys)
    assert result["findings"] == []
    summary = result["summary"]
    assert summary["files"] == {"total": 1, "linted": 1, "skipped": 0, "error": 0}
    assert summary["resources"] == 1
    assert summary["unknown"] == 0


@pytest.mark.slow
def test_the_real_command_line_gives_the_same_report(capsys):
    """One fixture through ``python -m armlint``: the entry point, argv and stdout of a real
    process give what the in-process runs above give."""
    path = TERRAFORM / "AZP102_bad"
    run = subprocess.run(
        [sys.executable, "-m", "armlint", *COMMAND, str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
    )
    assert run.returncode == 1, run.stderr
    assert json.loads(run.stdout) == report(path, capsys)
