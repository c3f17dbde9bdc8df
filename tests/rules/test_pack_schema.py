"""The rule files: valid against schemas/rule.schema.json, and consistent with the code and data."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import yaml

from armlint.checks.code_rules import CODE_RULES
from armlint.checks.derive import DERIVED_FACTS
from armlint.model import FACT_NAMES
from armlint.paths import rules_dir, schemas_dir

RULE_FILES = sorted(Path(rules_dir()).glob("AZP*.yaml"))
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arm" / "rules"
# Besides the facts, the engine's view has the record kind and format, and messages may use {name}.
VIEW_EXTRAS = {"kind", "format"}
KNOWN_FACTS = set(FACT_NAMES) | set(DERIVED_FACTS) | VIEW_EXTRAS

# The public interface: ids, names and default severities never change silently.
PUBLIC = {
    "AZP001": ("parse-error", "error"),
    "AZP002": ("unknown-value", "info"),
    "AZP003": ("duplicate-key", "warning"),
    "AZP101": ("automatic-by-os-without-automatic-updates", "error"),
    "AZP102": ("manual-mode-with-automatic-updates", "error"),
    "AZP103": ("platform-mode-without-automatic-updates", "warning"),
    "AZP104": ("platform-patching-without-vm-agent", "error"),
    "AZP105": ("invalid-patch-mode", "error"),
    "AZP106": ("platform-settings-without-platform-mode", "error"),
    "AZP107": ("hotpatching-misconfigured", "error"),
    "AZP108": ("invalid-patch-setting-value", "error"),
    "AZP109": ("bypass-without-maintenance-schedule", "warning"),
    "AZP110": ("flexible-scale-set-without-health-extension", "warning"),
    "AZP111": ("argument-not-in-provider-version", "error"),
    "AZP112": ("maintenance-schedule-never-runs", "error"),
    "AZP113": ("automatic-os-upgrade-with-guest-patching", "error"),
    "AZP114": ("scale-set-hotpatch-image-without-hotpatching", "error"),
    "AZP115": ("uniform-scale-set-automatic-by-platform", "warning"),
    "AZP116": ("uniform-scale-set-hotpatch-image", "error"),
    "AZP117": ("arm64-image-automatic-by-platform", "warning"),
    "AZP118": ("linux-hotpatching", "error"),
    "AZP119": ("hotpatching-custom-image", "warning"),
    "AZP120": ("in-guest-patch-configuration-without-patch-mode", "error"),
    "AZP121": ("in-guest-patch-configuration-limits", "warning"),
    "AZP201": ("unsupported-marketplace-image", "warning"),
    "AZP202": ("custom-image-platform-patching", "warning"),
    "AZP203": ("hotpatch-image-mismatch", "error"),
    "AZP204": ("removed-image", "warning"),
    "AZP301": ("property-newer-than-api-version", "error"),
    "AZP302": ("api-version-below-recommended", "info"),
    "AZP303": ("not-a-compute-vm-api-version", "error"),
    "AZP401": ("enable-automatic-updates-changed", "error"),
    "AZP402": ("byos-manual-switch", "error"),
    "AZP403": ("platform-switch-not-allowed", "error"),
    "AZP404": ("agent-change-recreates-vm", "warning"),
    "AZP501": ("redundancy-group-same-batch", "warning"),
    "AZP502": ("single-update-domain", "warning"),
    "AZP503": ("excluded-from-platform-patching", "info"),
    "AZP504": ("redundancy-group-same-schedule", "warning"),
    "AZP601": ("live-setting-drift", "warning"),
    "AZP602": ("undeclared-live-vm", "warning"),
    "AZP603": ("undeployed-template-vm", "info"),
    "AZP604": ("ambiguous-live-pairing", "warning"),
    "AZP901": ("expired-suppression", "warning"),
    "AZP902": ("unused-suppression", "warning"),
}
# Only these are code (they need to tell written values from defaults, or report one finding per
# property); everything else that runs on records is a condition.
CODE_RULE_IDS = {"AZP101", "AZP108", "AZP111", "AZP120", "AZP121", "AZP301", "AZP302"}


def load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


RULES = {path.stem: load(path) for path in RULE_FILES}


@pytest.fixture(scope="module")
def validator():
    import jsonschema

    schema = json.loads((Path(schemas_dir()) / "rule.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("path", RULE_FILES, ids=lambda p: p.stem)
def test_rule_file_matches_the_schema(path, validator):
    errors = sorted(validator.iter_errors(load(path)), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_the_schema_rejects_a_rule_with_both_condition_and_check(validator):
    rule = dict(RULES["AZP102"], check="azp108")
    assert not validator.is_valid(rule)


def test_the_schema_rejects_keywords_outside_the_condition_subset(validator):
    rule = dict(RULES["AZP102"], when={"if": {"required": ["os"]}})
    assert not validator.is_valid(rule)


def test_the_pack_is_exactly_the_public_interface():
    assert {rule_id: (r["name"], r["severity"]) for rule_id, r in RULES.items()} == PUBLIC


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_file_name_is_the_id(rule_id):
    assert RULES[rule_id]["id"] == rule_id


def test_only_the_code_rules_are_code():
    code = {rule_id for rule_id, r in RULES.items() if r.get("check") in CODE_RULES}
    assert code == CODE_RULE_IDS
    assert {RULES[rule_id]["check"] for rule_id in code} == set(CODE_RULES)


def _condition_facts(condition) -> set[str]:
    """Every fact name a condition mentions (in required and properties)."""
    if not isinstance(condition, dict):
        return set()
    names = set(condition.get("required", [])) | set(condition.get("properties", {}))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in condition.get(key, []):
            names |= _condition_facts(sub)
    names |= _condition_facts(condition.get("not"))
    return names


def _conditions(rule: dict) -> list:
    found = [rule["when"]] if "when" in rule else []
    found += [o["when"] for o in (rule.get("profile_overrides") or {}).values() if "when" in o]
    return found


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_conditions_and_at_name_known_facts(rule_id):
    rule = RULES[rule_id]
    for condition in _conditions(rule):
        assert _condition_facts(condition) <= KNOWN_FACTS
    if "at" in rule:
        assert rule["at"] in FACT_NAMES  # a derived fact has no location of its own


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_conditions_use_only_what_the_engine_evaluates(rule_id):
    from armlint.checks.conditions import unsupported_keywords

    for condition in _conditions(RULES[rule_id]):
        assert not unsupported_keywords(condition)


@pytest.mark.parametrize("rule_id", sorted(r for r in RULES if "when" in RULES[r]))
def test_message_placeholders_are_facts(rule_id):
    fields = [name for _, name, _, _ in string.Formatter().parse(RULES[rule_id]["message"]) if name]
    assert fields
    for field in fields:
        fact, _, attribute = field.partition(".")
        assert fact in KNOWN_FACTS | {"name"}, field
        assert attribute in ("", "source", "location", "property"), field


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_sources_are_in_the_source_index(rule_id):
    sources = load(Path(rules_dir()) / "data" / "sources.yaml")
    assert set(RULES[rule_id]["sources"]) <= set(sources)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_docs_have_a_bad_and_a_good_example_and_references(rule_id):
    docs = RULES[rule_id]["docs"]
    for heading in ("## What it checks", "## Why it matters", "## Bad", "## Good", "## References"):
        assert heading in docs, heading


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_docs_hold_no_raw_html(rule_id):
    from armlint.docgen import no_html

    docs = RULES[rule_id]["docs"]
    assert not re.search(r"<[A-Za-z/!]", no_html(docs))


@pytest.mark.parametrize("rule_id", sorted(r for r in RULES if r[3] in "123"))
def test_record_rules_have_a_bad_and_a_good_fixture(rule_id):
    # AZP1xx-AZP3xx; AZP0xx come from loaders and the engine, AZP4xx+ from other modules.
    if rule_id == "AZP111":
        pytest.skip("Terraform provider versions only: fixtures in tests/fixtures/terraform/rules")
    assert (FIXTURES / f"{rule_id}_bad.json").is_file()
    assert (FIXTURES / f"{rule_id}_good.json").is_file()
