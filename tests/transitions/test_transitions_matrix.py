"""The whole transition matrix of domain.md 1.5, through real before/after files.

Windows: every (from, to) patchMode pair, with enableAutomaticUpdates true and false (the same
on both sides, since it cannot change), in both profiles; Linux: ImageDefault and
AutomaticByPlatform both ways. ARM templates always; Terraform when its loader is present.
The expected table is written out here from the spec, independently of the implementation.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transition_helpers import (
    FIXTURES,
    LINUX_JSON_LINES,
    LINUX_TF_LINES,
    WINDOWS_JSON_LINES,
    WINDOWS_TF_LINES,
    render,
)

from armlint.checks.transition_rules import switch_verdict
from armlint.compare.diff import run_diff
from armlint.model import Unknown
from armlint.run.pipeline import RunOptions

BYOS, MANUAL, PLATFORM, IMAGE_DEFAULT = (
    "AutomaticByOS",
    "Manual",
    "AutomaticByPlatform",
    "ImageDefault",
)
WINDOWS_MODES = (BYOS, MANUAL, PLATFORM)

# domain.md 1.5, CURRENT (S1): (from, to, enableAutomaticUpdates) -> rule or None (allowed).
CURRENT = {
    (BYOS, MANUAL, True): "AZP402",
    (BYOS, MANUAL, False): "AZP402",
    (MANUAL, BYOS, True): "AZP402",
    (MANUAL, BYOS, False): "AZP402",
    (BYOS, PLATFORM, True): None,
    (BYOS, PLATFORM, False): "AZP403",
    (PLATFORM, BYOS, True): None,
    (PLATFORM, BYOS, False): "AZP403",
    (MANUAL, PLATFORM, True): "AZP403",
    (MANUAL, PLATFORM, False): None,
    (PLATFORM, MANUAL, True): "AZP403",
    (PLATFORM, MANUAL, False): None,
}
# 2020 PREVIEW (S2): only AutomaticByOS -> AutomaticByPlatform, which needs eAU=true.
PREVIEW = {
    (BYOS, MANUAL, True): "AZP402",
    (BYOS, MANUAL, False): "AZP402",
    (MANUAL, BYOS, True): "AZP402",
    (MANUAL, BYOS, False): "AZP402",
    (BYOS, PLATFORM, True): None,
    (BYOS, PLATFORM, False): "AZP403",
    (PLATFORM, BYOS, True): "AZP403",
    (PLATFORM, BYOS, False): "AZP403",
    (MANUAL, PLATFORM, True): "AZP403",
    (MANUAL, PLATFORM, False): "AZP403",
    (PLATFORM, MANUAL, True): "AZP403",
    (PLATFORM, MANUAL, False): "AZP403",
}
EXPECTED = {"current": CURRENT, "preview-2020": PREVIEW}

WINDOWS_CASES = [
    (profile, before, after, automatic_updates)
    for profile in ("current", "preview-2020")
    for before, after in itertools.product(WINDOWS_MODES, WINDOWS_MODES)
    for automatic_updates in (True, False)
]
LINUX_CASES = [
    (profile, before, after)
    for profile in ("current", "preview-2020")
    for before, after in itertools.product((IMAGE_DEFAULT, PLATFORM), repeat=2)
]


def _expected(profile: str, before: str, after: str, automatic_updates: bool) -> str | None:
    if before == after:
        return None
    return EXPECTED[profile][(before, after, automatic_updates)]


def _diff(tmp_path, template: str, name: str, before: dict, after: dict, profile: str):
    before_path = render(template, tmp_path / "before" / name, **before)
    after_path = render(template, tmp_path / "after" / name, **after)
    options = RunOptions(profile=profile, show_unknown=True)
    result = run_diff([str(before_path)], [str(after_path)], options)
    return result, before_path, after_path


def _assert_windows(result, before_path, after_path, lines, case) -> None:
    profile, before, after, automatic_updates = case
    rule = _expected(profile, before, after, automatic_updates)
    got = [(f.rule, f.location.path, f.location.line) for f in result.findings]
    if rule is None:
        assert got == []
        return
    assert got == [(rule, str(after_path), lines["patch_mode"])]
    message = result.findings[0].message
    assert message.startswith(f"patchMode changes from '{before}' to '{after}' ")
    assert f"(was '{before}' at {before_path}:{lines['patch_mode']})" in message
    assert result.findings[0].severity == "error"


@pytest.mark.parametrize("case", WINDOWS_CASES, ids=lambda c: "-".join(map(str, c)))
def test_windows_arm_matrix(tmp_path, case):
    profile, before, after, automatic_updates = case
    result, before_path, after_path = _diff(
        tmp_path,
        "windows_vm.json.tmpl",
        "vm.json",
        {"patch_mode": before, "automatic_updates": automatic_updates},
        {"patch_mode": after, "automatic_updates": automatic_updates},
        profile,
    )
    _assert_windows(result, before_path, after_path, WINDOWS_JSON_LINES, case)


@pytest.mark.parametrize("case", LINUX_CASES, ids=lambda c: "-".join(c))
def test_linux_arm_matrix_allows_both_directions(tmp_path, case):
    profile, before, after = case
    result, _, _ = _diff(
        tmp_path,
        "linux_vm.json.tmpl",
        "vm.json",
        {"patch_mode": before},
        {"patch_mode": after},
        profile,
    )
    assert result.findings == []
    assert result.unknown_count == 0
    assert [r.name for r in result.records] == ["web1"]


@pytest.mark.parametrize("case", WINDOWS_CASES, ids=lambda c: "-".join(map(str, c)))
def test_windows_terraform_matrix(tmp_path, case):
    profile, before, after, automatic_updates = case
    result, before_path, after_path = _diff(
        tmp_path,
        "windows_vm.tf.tmpl",
        "main.tf",
        {"patch_mode": before, "automatic_updates": automatic_updates},
        {"patch_mode": after, "automatic_updates": automatic_updates},
        profile,
    )
    assert [r.address for r in result.records] == ["azurerm_windows_virtual_machine.app"]
    _assert_windows(result, before_path, after_path, WINDOWS_TF_LINES, case)


@pytest.mark.parametrize("case", LINUX_CASES, ids=lambda c: "-".join(c))
def test_linux_terraform_matrix_allows_both_directions(tmp_path, case):
    profile, before, after = case
    result, _, _ = _diff(
        tmp_path,
        "linux_vm.tf.tmpl",
        "main.tf",
        {"patch_mode": before},
        {"patch_mode": after},
        profile,
    )
    assert [r.address for r in result.records] == ["azurerm_linux_virtual_machine.web"]
    assert result.findings == []


@pytest.mark.parametrize("profile", ["current", "preview-2020"])
def test_automatic_updates_change_alone_is_azp401_at_the_after_value(tmp_path, profile):
    result, before_path, after_path = _diff(
        tmp_path,
        "windows_vm.json.tmpl",
        "vm.json",
        {"patch_mode": PLATFORM, "automatic_updates": True},
        {"patch_mode": PLATFORM, "automatic_updates": False},
        profile,
    )
    [finding] = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == (
        "AZP401",
        str(after_path),
        WINDOWS_JSON_LINES["enable_automatic_updates"],
    )
    assert finding.message == (
        f"enableAutomaticUpdates changes from true to false (was true at {before_path}:14);"
        " it can only be set when the VM is created, so the deployment fails with"
        " PropertyChangeNotAllowed"
    )
    assert finding.name == "enable-automatic-updates-changed"


def test_platform_to_manual_with_flag_flipped_is_azp401_and_azp403(tmp_path):
    """The matrix uses the VM's flag as created: flipping it too does not make the switch legal."""
    result, before_path, after_path = _diff(
        tmp_path,
        "windows_vm.json.tmpl",
        "vm.json",
        {"patch_mode": PLATFORM, "automatic_updates": True},
        {"patch_mode": MANUAL, "automatic_updates": False},
        "current",
    )
    got = [(f.rule, f.location.path, f.location.line) for f in result.findings]
    assert got == [("AZP401", str(after_path), 14), ("AZP403", str(after_path), 17)]
    assert result.findings[1].message == (
        f"patchMode changes from 'AutomaticByPlatform' to 'Manual' (was 'AutomaticByPlatform' at"
        f" {before_path}:17); switching between AutomaticByPlatform and Manual is only supported"
        f" on VMs created with enableAutomaticUpdates=false, and this VM has true (at"
        f" {before_path}:14)"
    )


def test_terraform_automatic_updates_change_says_the_vm_is_replaced(tmp_path):
    result, before_path, _ = _diff(
        tmp_path,
        "windows_vm.tf.tmpl",
        "main.tf",
        {"patch_mode": MANUAL, "automatic_updates": False},
        {"patch_mode": MANUAL, "automatic_updates": True},
        "current",
    )
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == (
        "AZP401",
        WINDOWS_TF_LINES["enable_automatic_updates"],
    )
    assert finding.message == (
        f"enableAutomaticUpdates changes from false to true (was false at {before_path}:10); it"
        " can only be set when the VM is created, so Terraform replaces the VM (ForceNew)"
    )


def test_terraform_agent_change_is_azp404(tmp_path):
    result, before_path, after_path = _diff(
        tmp_path,
        "linux_vm.tf.tmpl",
        "main.tf",
        {"patch_mode": IMAGE_DEFAULT, "agent": True},
        {"patch_mode": IMAGE_DEFAULT, "agent": False},
        "current",
    )
    [finding] = result.findings
    assert (finding.rule, finding.severity) == ("AZP404", "warning")
    assert (finding.location.path, finding.location.line) == (
        str(after_path),
        LINUX_TF_LINES["provision_vm_agent"],
    )
    assert finding.message == (
        f"provisionVMAgent changes from true to false (was true at {before_path}:9);"
        " provision_vm_agent is ForceNew, so Terraform replaces the VM"
    )


def test_linux_agent_change_in_arm_is_azp404(tmp_path):
    result, _, after_path = _diff(
        tmp_path,
        "linux_vm.json.tmpl",
        "vm.json",
        {"patch_mode": PLATFORM, "agent": True},
        {"patch_mode": PLATFORM, "agent": False},
        "current",
    )
    [finding] = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == (
        "AZP404",
        str(after_path),
        LINUX_JSON_LINES["provision_vm_agent"],
    )
    assert "it can only be set when the VM is created" in finding.message


# -- the matrix as a pure function --------------------------------------------------------

modes = st.sampled_from([*WINDOWS_MODES, IMAGE_DEFAULT, "automaticbyos", "Bogus"])
flags = st.sampled_from([True, False, Unknown("parameter has no value"), "yes"])
profiles = st.sampled_from(["current", "preview-2020"])


@given(before=modes, after=modes, flag=flags, profile=profiles)
def test_switch_verdict_agrees_with_the_spec_table(before, after, flag, profile):
    verdict = switch_verdict("Windows", before, after, flag, profile)
    known = (before, after, flag) in EXPECTED[profile] or before == after
    if not known:
        # Outside the table: undecided without the flag, or nothing (invalid values are AZP101's).
        if verdict.needs_automatic_updates:
            assert isinstance(flag, Unknown)
        elif verdict.rule == "AZP402":
            assert {before, after} == {BYOS, MANUAL}
        elif verdict.rule == "AZP403":
            # Rows the flag does not matter for.
            assert profile == "preview-2020" and (before, after) != (BYOS, PLATFORM)
        return
    assert verdict.rule == (_expected(profile, before, after, flag) or "")


@given(before=modes, after=modes, flag=flags, profile=profiles)
def test_linux_switches_are_never_refused(before, after, flag, profile):
    assert switch_verdict("Linux", before, after, flag, profile).rule == ""


def test_terraform_folders_pair_count_instances_and_read_tfvars():
    before, after = FIXTURES / "terraform" / "before", FIXTURES / "terraform" / "after"
    result = run_diff([str(before)], [str(after)], RunOptions(show_unknown=True))
    # terraform.tfvars (after only) sets AutomaticByOS; app[0], app[1] existed with Manual and
    # share the line, so one finding; app[2] is new.
    [finding] = result.findings
    assert finding.rule == "AZP402"
    assert (finding.location.path, finding.location.line) == (str(after / "main.tf"), 17)
    assert f"(was 'Manual' at {before / 'main.tf'}:17)" in finding.message
    assert len(result.records) == 3
