"""The JSON format: valid against schemas/output.schema.json, stable, complete."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from armlint.report import ReportOptions, render

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "output.schema.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    assert cls is jsonschema.Draft202012Validator
    return cls(schema)


@pytest.mark.parametrize("show_unknown", [False, True])
def test_output_matches_schema(sample, validator, show_unknown):
    options = ReportOptions(tool_version="0.1.0", show_unknown=show_unknown)
    document = json.loads(render("json", sample, options))
    validator.validate(document)


def test_clean_output_matches_schema(clean, validator):
    validator.validate(json.loads(render("json", clean, ReportOptions())))


def test_schema_rejects_unknown_fields(sample, validator):
    document = json.loads(render("json", sample, ReportOptions()))
    document["findings"][0]["extra"] = 1
    with pytest.raises(jsonschema.ValidationError):
        validator.validate(document)


def test_top_level_and_finding_fields_in_fixed_order(sample):
    document = json.loads(render("json", sample, ReportOptions(tool_version="0.1.0")))
    assert list(document) == ["version", "findings", "summary", "notes"]
    assert document["version"] == "0.1.0"
    assert list(document["findings"][0]) == [
        "rule", "name", "severity", "message", "path", "line", "column", "end_line",
        "end_column", "resource", "provenance", "fingerprint", "suppressed",
    ]  # fmt: skip


def test_finding_values(sample):
    document = json.loads(render("json", sample, ReportOptions()))
    by_fingerprint = {item["fingerprint"]: item for item in document["findings"]}
    vm = by_fingerprint["vm1|AZP102|enable_automatic_updates"]
    assert vm == {
        "rule": "AZP102",
        "name": "manual-mode-with-automatic-updates",
        "severity": "error",
        "message": sample.findings[3].message,
        "path": "infra/vm.json",
        "line": 12,
        "column": 7,
        "end_line": 12,
        "end_column": 35,
        "resource": "Microsoft.Compute/virtualMachines/vm1",
        "provenance": ["parameters('patchMode') (vm.json:23)", "set in vm.parameters.json:6"],
        "fingerprint": "vm1|AZP102|enable_automatic_updates",
        "suppressed": None,
    }
    no_end = by_fingerprint["vm1|AZP104|b"]
    assert (no_end["end_line"], no_end["end_column"]) == (None, None)


def test_suppressed_always_listed_with_reason(sample):
    document = json.loads(render("json", sample, ReportOptions()))
    suppressed = [item for item in document["findings"] if item["suppressed"]]
    assert [item["fingerprint"] for item in suppressed] == ["tf-app|AZP102"]
    assert suppressed[0]["suppressed"] == "accepted until the migration (ticket 42)"


def test_unknown_listed_only_on_request_but_always_counted(sample):
    hidden = json.loads(render("json", sample, ReportOptions()))
    shown = json.loads(render("json", sample, ReportOptions(show_unknown=True)))
    assert "AZP002" not in [item["rule"] for item in hidden["findings"]]
    assert "AZP002" in [item["rule"] for item in shown["findings"]]
    assert hidden["summary"] == shown["summary"] == sample.summary()
    assert hidden["summary"]["unknown"] == 1


def test_notes_and_summary(sample):
    document = json.loads(render("json", sample, ReportOptions()))
    assert document["notes"] == sample.notes
    assert document["summary"]["files"] == {"total": 5, "linted": 3, "skipped": 1, "error": 1}
    assert document["summary"]["suppressed"] == 1


def test_deterministic_and_indented(sample):
    first = render("json", sample, ReportOptions())
    assert first == render("json", sample, ReportOptions())
    assert first.startswith('{\n  "version": ""')
    assert first.endswith("}\n")


def test_non_ascii_is_escaped(single):
    text = render("json", single("café ✓"), ReportOptions())
    assert text.isascii()
    assert json.loads(text)["findings"][0]["message"] == "café ✓"
