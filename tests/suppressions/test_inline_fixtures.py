"""Inline suppressions in real ARM, Terraform and Bicep files, through the real pipeline."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from armlint.run.pipeline import RunOptions, run_check
from armlint.run.suppressions import apply_suppressions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "suppressions"
TODAY = date(2026, 11, 25)


def checked(relative: str, today: date = TODAY, **options) -> list[tuple]:
    """(rule, line, column, suppressed reason) for every finding after suppressions."""
    path = str(FIXTURES / relative)
    result = run_check(RunOptions(paths=[path]))
    apply_suppressions(result, today, **options)
    assert all(f.location.path == path for f in result.findings)
    return [(f.rule, f.location.line, f.location.column, f.suppressed) for f in result.findings]


def test_arm_comments_on_the_line_and_the_line_before():
    assert checked("arm/comments.json") == [
        ("AZP302", 7, 21, "pinned by the platform team until=2099-12-31"),  # same line
        ("AZP102", 15, 35, "the vendor requires Manual"),  # line before, by rule name
        ("AZP901", 16, 13, ""),  # the expired suppression, at its own position
        ("AZP301", 17, 45, ""),  # ... and the finding it no longer hides
    ]


def test_arm_expiry_in_the_future_still_suppresses():
    assert ("AZP301", 17, 45, "old exemption until=2020-01-01") in checked(
        "arm/comments.json", today=date(2019, 12, 31)
    )


def test_arm_expiry_day_itself_still_suppresses():
    found = checked("arm/comments.json", today=date(2020, 1, 1))
    assert not [rule for rule, *_ in found if rule == "AZP901"]


def test_arm_metadata_covers_the_resource_symbolic_names_and_nested_deployments():
    reason = "vendor appliance, Manual is required until=2099-01-01"
    assert checked("arm/metadata.json") == [
        ("AZP302", 8, 21, ""),  # not named by the metadata
        ("AZP902", 15, 13, ""),  # platform-patching-without-vm-agent matched nothing
        ("AZP102", 23, 35, reason),
        ("AZP301", 24, 45, reason),
        ("AZP102", 61, 43, "the inner VM is a vendor appliance"),  # inside the deployment
        ("AZP102", 88, 35, ""),  # another resource: not covered
    ]


def test_terraform_comments_several_rules_unused_and_missing_reason():
    assert checked("terraform/main.tf") == [
        ("AZP902", 15, 3, ""),  # AZP102 of "AZP101,AZP102" matched nothing
        ("AZP101", 16, 31, "jump host, updates run by hand until=2099-06-30"),
        ("AZP101", 40, 31, ""),  # a suppression without a reason suppresses nothing
        ("AZP902", 40, 37, ""),
    ]


def test_terraform_messages_say_what_is_wrong():
    path = str(FIXTURES / "terraform/main.tf")
    result = run_check(RunOptions(paths=[path]))
    apply_suppressions(result, TODAY)
    messages = {f.location.line: f.message for f in result.findings if f.rule == "AZP902"}
    assert messages[15].startswith("the suppression of AZP102 matches no finding")
    assert "a reason is required" in messages[40]


def test_a_quoted_string_is_not_a_comment():
    # main.tf line 41 holds "# armlint: ignore AZP101 ..." inside a tag value.
    assert not [f for f in checked("terraform/main.tf") if f[1] == 41]


def test_bicep_comments_suppress_expire_and_go_unused():
    assert checked("bicep/main.bicep") == [
        ("AZP104", 12, 27, "image has its own agent until=2099-01-01"),
        ("AZP901", 14, 44, ""),
        ("AZP902", 37, 32, ""),
    ]


@pytest.mark.parametrize(
    "relative", ["arm/comments.json", "arm/metadata.json", "terraform/main.tf", "bicep/main.bicep"]
)
def test_hygiene_findings_are_warnings_with_stable_fingerprints(relative):
    path = str(FIXTURES / relative)
    result = run_check(RunOptions(paths=[path]))
    apply_suppressions(result, TODAY)
    hygiene = [f for f in result.findings if f.rule in ("AZP901", "AZP902")]
    assert hygiene
    assert all(f.severity == "warning" and f.fingerprint for f in hygiene)
    assert {f.name for f in hygiene} <= {"expired-suppression", "unused-suppression"}


def test_a_rule_the_run_did_not_enable_is_never_unused():
    found = checked("terraform/main.tf", enabled={"AZP101", "AZP902"})
    assert ("AZP902", 15, 3, "") not in found  # AZP102 was not run
    assert ("AZP902", 40, 37, "") in found  # a missing reason is still wrong


def test_disabled_hygiene_rules_are_not_reported():
    found = checked("bicep/main.bicep", enabled={"AZP104"})
    assert found == [("AZP104", 12, 27, "image has its own agent until=2099-01-01")]
