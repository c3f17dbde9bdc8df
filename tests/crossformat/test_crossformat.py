"""The same VM gives the same facts and findings in ARM, Bicep, Terraform azurerm and azapi.

The fixtures under tests/fixtures/crossformat/ are written from one table (variants.py) and
loaded here by the real loaders through ``run_check``. ARM is the reference: every other format
must give its facts and its findings (rule, severity, message with property names folded).
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from variants import FIXTURES, FORMATS, VARIANTS, Variant, expected_files

from armlint.model import Unknown
from armlint.run.pipeline import RunOptions, load_records, run_check

# Facts every format fills in for these fixtures (location, zones and api_version are written
# the same way everywhere, so they are compared too).
COMPARED_FACTS = (
    "os",
    "patch_mode",
    "assessment_mode",
    "enable_automatic_updates",
    "provision_vm_agent",
    "enable_hotpatching",
    "reboot_setting",
    "bypass_platform_safety_checks",
    "automatic_by_platform_settings",
    "image_publisher",
    "image_offer",
    "image_sku",
    "orchestration_mode",
    "location",
)
# Settings whose platform default is false: an absent one and a default false deploy the same
# (azurerm writes the provider's false, an ARM body leaves the property out).
FALSE_WHEN_ABSENT = ("enable_hotpatching", "bypass_platform_safety_checks")
# Terraform argument names in messages, as the ARM property they set (S6, variants.py).
TERRAFORM_NAMES = {
    "automatic_updates_enabled": "enableAutomaticUpdates",
    "enable_automatic_updates": "enableAutomaticUpdates",
    "patch_assessment_mode": "assessmentMode",
    "hotpatching_enabled": "enableHotpatching",
    "bypass_platform_safety_checks_on_user_schedule_enabled": (
        "bypassPlatformSafetyChecksOnUserSchedule"
    ),
    "source_image_reference": "imageReference",
    "storage_image_reference": "imageReference",
}


def _options(variant_name: str, fmt: str) -> RunOptions:
    return RunOptions(paths=[str(FIXTURES / variant_name / fmt)], show_unknown=True)


@cache
def _records(variant_name: str, fmt: str):
    return load_records(_options(variant_name, fmt)).records


@cache
def _findings(variant_name: str, fmt: str):
    return run_check(_options(variant_name, fmt)).findings


def facts_of(variant_name: str, fmt: str) -> dict:
    records = _records(variant_name, fmt)
    assert len(records) == 1, [r.identity for r in records]
    record = records[0]
    facts = {}
    for name in COMPARED_FACTS:
        value = record.value(name)
        if isinstance(value, Unknown):
            value = "unknown"
        if name in FALSE_WHEN_ABSENT and value is None:
            value = False
        facts[name] = value
    return facts


def _fold(message: str) -> str:
    """The message with property naming set aside: Terraform names become ARM names, then
    case, underscores and dots are dropped (patch_mode == patchMode, a.b == b)."""
    for name, arm in TERRAFORM_NAMES.items():
        message = message.replace(name, arm)
    message = re.sub(r"[\w.]*\.(\w+)", r"\1", message)  # a dotted path reads as its last key
    return re.sub(r"[^a-z0-9 ]", "", message.lower().replace("_", ""))


def findings_of(variant_name: str, fmt: str) -> list[tuple[str, str, str]]:
    return sorted(
        (f.rule, _declared_severity(f.rule, f.severity, fmt), _fold(f.message))
        for f in _findings(variant_name, fmt)
    )


def _declared_severity(rule_id: str, severity: str, fmt: str) -> str:
    """A severity that differs by format only as the rule declares it (format_overrides, where
    the provider refuses at plan time what the ARM API's behaviour is unconfirmed for) compares
    as the ARM severity; any other difference still fails."""
    from armlint.checks.pack import load_pack

    rule = load_pack().rules[rule_id]
    family = "terraform" if fmt == "azurerm" else None
    if family and rule.severity_for("current", family) == severity:
        return rule.severity_for("current", "arm")
    return severity


def _cases():
    for variant in VARIANTS:
        for fmt in FORMATS[1:]:
            marks = [pytest.mark.skip(reason=variant.skip[fmt])] if fmt in variant.skip else []
            yield pytest.param(variant, fmt, id=f"{variant.name}-{fmt}", marks=marks)


def test_table_has_the_variants_the_issue_asks_for():
    assert len(VARIANTS) >= 30
    kinds = {variant.kind for variant in VARIANTS}
    assert kinds == {"vm", "uniform", "flexible"}
    images = {variant.image[:2] for variant in VARIANTS if variant.os is None}
    assert ("MicrosoftSQLServer", "sql2019-ubuntu2004") in images
    assert any(publisher == "MicrosoftVisualStudio" for publisher, _ in images)


def test_fixture_files_are_what_the_table_writes():
    on_disk = {path for path in FIXTURES.rglob("*") if path.is_file()}
    expected = expected_files()
    assert on_disk == set(expected), "run python tests/crossformat/variants.py"
    for path, text in expected.items():
        assert path.read_text(encoding="utf-8") == text, path


@pytest.mark.parametrize(("variant", "fmt"), list(_cases()))
def test_same_facts_as_arm(variant: Variant, fmt: str):
    assert facts_of(variant.name, fmt) == facts_of(variant.name, "arm")


@pytest.mark.parametrize(("variant", "fmt"), list(_cases()))
def test_same_findings_as_arm(variant: Variant, fmt: str):
    assert findings_of(variant.name, fmt) == findings_of(variant.name, "arm")
