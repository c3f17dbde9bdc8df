"""Run results built by hand, so report tests need no loader or rule pack.

The sample has every case a report must handle: three severities, two findings of one rule in
one file, a finding without an end, a suppressed finding, an unknown value (AZP002), a finding
whose rule is not in ``rules``, a file that failed to load, one skipped and one clean.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from armlint.model import FileReport, Finding, Location, RuleInfo, RunResult, VmRecord

VM = "Microsoft.Compute/virtualMachines/vm1"
TF_VM = "azurerm_windows_virtual_machine.app"
DOCS = "https://example.test/docs/rules"


def finding(rule: str, name: str, severity: str, message: str, where: Location, **extra) -> Finding:
    return Finding(rule, name, severity, message, where, **extra)


def sample_findings() -> list[Finding]:
    findings = [
        finding(
            "AZP001",
            "parse-error",
            "error",
            "Expecting ',' delimiter",
            Location("infra/broken.json", 3, 1, 3, 2),
            fingerprint="infra/broken.json|AZP001",
        ),
        finding(
            "AZP105",
            "hotpatch-needs-platform-mode",
            "warning",
            "enable_hotpatching is true but patch_mode is AutomaticByOS",
            Location("infra/main.tf", 9, 3, 9, 40),
            resource=TF_VM,
            fingerprint="tf-app|AZP105",
        ),
        finding(
            "AZP102",
            "manual-mode-with-automatic-updates",
            "error",
            "patchMode is 'Manual' (literal) but enableAutomaticUpdates is true;"
            " Manual needs false",
            Location("infra/main.tf", 5, 3, 5, 30),
            resource=TF_VM,
            fingerprint="tf-app|AZP102",
            suppressed="accepted until the migration (ticket 42)",
        ),
        finding(
            "AZP102",
            "manual-mode-with-automatic-updates",
            "error",
            "patchMode is 'Manual' (from parameters('patchMode')) but enableAutomaticUpdates is"
            " true (platform default); Manual needs false",
            Location("infra/vm.json", 12, 7, 12, 35),
            resource=VM,
            provenance=("parameters('patchMode') (vm.json:23)", "set in vm.parameters.json:6"),
            fingerprint="vm1|AZP102|enable_automatic_updates",
        ),
        finding(
            "AZP104",
            "assessment-mode-missing",
            "warning",
            "assessmentMode is not set",
            Location("infra/vm.json", 20, 9, 20, 30),
            resource=VM,
            fingerprint="vm1|AZP104|a",
        ),
        finding(
            "AZP104",
            "assessment-mode-missing",
            "warning",
            "assessmentMode is not set on the second profile",
            Location("infra/vm.json", 25, 9),
            resource=VM,
            fingerprint="vm1|AZP104|b",
        ),
        finding(
            "AZP002",
            "unknown-value",
            "info",
            "patch_mode cannot be known before deployment: reference(...)",
            Location("infra/vm.json", 30, 5, 30, 40),
            resource=VM,
            fingerprint="vm1|AZP002|patch_mode",
        ),
        finding(
            "AZP110",
            "reboot-setting-default",
            "info",
            "rebootSetting is not set; the platform uses IfRequired",
            Location("infra/vm.json", 40, 3, 41, 4),
            resource=VM,
            fingerprint="vm1|AZP110",
        ),
    ]
    return sorted(findings, key=lambda item: item.sort_key)


def sample_rules() -> dict[str, RuleInfo]:
    infos = [
        RuleInfo("AZP001", "parse-error", "error", "File cannot be parsed"),
        RuleInfo("AZP002", "unknown-value", "info", "Value cannot be known before deployment"),
        RuleInfo(
            "AZP102",
            "manual-mode-with-automatic-updates",
            "error",
            "Manual patch mode with automatic updates enabled",
            f"{DOCS}/AZP102.md",
        ),
        RuleInfo("AZP104", "assessment-mode-missing", "warning", "assessmentMode is not set"),
        RuleInfo("AZP110", "reboot-setting-default", "info", "rebootSetting left to default"),
    ]  # AZP105 is left out on purpose: a finding's rule may be missing from the pack
    return {info.id: info for info in infos}


def sample_records() -> list[VmRecord]:
    return [
        VmRecord("infra/vm.json", "arm", "vm", "Microsoft.Compute/virtualMachines", "vm1",
                 Location("infra/vm.json", 8, 5)),
        VmRecord("infra/vm.json", "arm", "vm", "Microsoft.Compute/virtualMachines", "vm2",
                 Location("infra/vm.json", 50, 5)),
        VmRecord("infra/main.tf", "terraform", "vm", "azurerm_windows_virtual_machine", "app",
                 Location("infra/main.tf", 1, 1)),
    ]  # fmt: skip


def sample_files() -> list[FileReport]:
    return [
        FileReport("infra/broken.json", "template", "error", "invalid JSON at 3:1"),
        FileReport("infra/main.tf", "terraform"),
        FileReport("infra/vm.json", "template"),
        FileReport("infra/vm.parameters.json", "parameters"),
        FileReport("infra/notes.txt", "other", "skipped", "not an infrastructure file"),
    ]


@pytest.fixture
def sample() -> RunResult:
    return RunResult(
        files=sample_files(),
        records=sample_records(),
        findings=sample_findings(),
        notes=["terraform: remote module 'git::https://example.test/m.git' was not loaded"],
        rules=sample_rules(),
        unknown_count=1,
    )


@pytest.fixture
def clean() -> RunResult:
    return RunResult(
        files=[FileReport("vm.json", "template")],
        records=sample_records()[:1],
        rules=sample_rules(),
    )


@pytest.fixture
def single() -> Callable[..., RunResult]:
    """A run with one file and one finding, for escaping tests."""

    def build(message: str = "message", path: str = "vm.json", **extra) -> RunResult:
        where = extra.pop("location", Location(path, 2, 3, 2, 9))
        severity = extra.pop("severity", "error")
        item = Finding("AZP102", "manual-mode-with-automatic-updates", severity, message, where,
                       **extra)  # fmt: skip
        return RunResult(
            files=[FileReport(where.path, "template")],
            findings=[item],
            rules=sample_rules(),
        )

    return build
