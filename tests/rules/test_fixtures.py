"""END-TO-END: the rule fixtures through the command line.

Runs ``armlint check --format json`` (``armlint.cli.main`` in this process; the entry point as
a real process is tests/rules/test_fixtures_tf_bicep.py's job) on every fixture in
tests/fixtures/arm/rules/ and checks, for each rule AZP1xx-AZP3xx:

- ``AZPxxx_bad.json`` reports exactly the (rule, line, column) findings of that rule listed in
  expected.yaml (other rules may report too, e.g. AZP302 next to AZP301);
- ``AZPxxx_good.json`` reports nothing for that rule, and no error or warning at all.

This depends on the whole pipeline (loader, evaluation, extraction, engine, CLI, JSON report),
not only on the rule pack.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest
import yaml

from armlint import cli

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "arm" / "rules"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))
GOOD = sorted(path.name for path in FIXTURES.glob("AZP*_good.json"))


def lint(fixture: str, *options: str) -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--format", "json", *options, str(FIXTURES / fixture)])
    assert code in (0, 1), f"exit {code}: {err.getvalue()}"
    return json.loads(out.getvalue())["findings"]


def positions(findings: list[dict], rule: str) -> list[tuple[str, int, int]]:
    return sorted((f["rule"], f["line"], f["column"]) for f in findings if f["rule"] == rule)


@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_bad_fixture_reports_the_expected_findings(fixture):
    rule = fixture.split("_")[0]
    expected = sorted((f["rule"], f["line"], f["column"]) for f in EXPECTED[fixture])
    assert positions(lint(fixture), rule) == expected


@pytest.mark.parametrize("fixture", GOOD)
def test_good_fixture_does_not_report_its_rule(fixture):
    rule = fixture.split("_")[0]
    findings = lint(fixture, "--show-unknown")
    assert positions(findings, rule) == []
    problems = [f for f in findings if f["severity"] in ("error", "warning")]
    assert problems == [], [f"{f['rule']} {f['line']}: {f['message']}" for f in problems]
    assert [f for f in findings if f["rule"] == "AZP002"] == []


def test_preview_2020_profile_makes_azp103_an_error():
    findings = lint("AZP103_bad.json", "--profile", "preview-2020")
    assert [f["severity"] for f in findings if f["rule"] == "AZP103"] == ["error"]
    # The 2020 preview supported five older Windows Server SKUs only.
    assert "AZP201" in {f["rule"] for f in findings}


def test_preview_2020_profile_has_no_linux_patch_mode():
    findings = lint("AZP104_good.json", "--profile", "preview-2020")
    assert "AZP105" in {f["rule"] for f in findings}
