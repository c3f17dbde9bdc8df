"""SARIF 2.1.0: valid against the official schema, with regions, fingerprints, suppressions."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from armlint.model import Location
from armlint.report import ReportOptions, render, sarif

SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "sarif-2.1.0.json"


@pytest.fixture(scope="module")
def validator():
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)  # the schema says draft-04
    cls.check_schema(schema)
    return cls(schema)


def sarif_of(result, **options):
    return json.loads(render("sarif", result, ReportOptions(tool_version="0.1.0", **options)))


@pytest.mark.parametrize("show_unknown", [False, True])
def test_valid_against_official_schema(sample, validator, show_unknown, tmp_path):
    validator.validate(sarif_of(sample, show_unknown=show_unknown, root=str(tmp_path)))


def test_clean_run_is_valid(clean, validator):
    log = sarif_of(clean)
    validator.validate(log)
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["invocations"] == [{"executionSuccessful": True}]


def test_driver_and_rules(sample):
    driver = sarif_of(sample)["runs"][0]["tool"]["driver"]
    assert driver["name"] == "armlint"
    assert driver["version"] == "0.1.0"
    ids = [rule["id"] for rule in driver["rules"]]
    assert ids == ["AZP001", "AZP002", "AZP102", "AZP104", "AZP105", "AZP110"]
    azp102 = driver["rules"][ids.index("AZP102")]
    assert azp102 == {
        "id": "AZP102",
        "name": "manual-mode-with-automatic-updates",
        "shortDescription": {"text": "Manual patch mode with automatic updates enabled"},
        # No docs in this RuleInfo: the summary stands in for the description and help.
        "fullDescription": {"text": "Manual patch mode with automatic updates enabled"},
        "helpUri": "https://example.test/docs/rules/AZP102.md",
        "help": {
            "text": "Manual patch mode with automatic updates enabled\n\n"
            "Manual patch mode with automatic updates enabled",
            "markdown": "**Manual patch mode with automatic updates enabled**\n\n"
            "Manual patch mode with automatic updates enabled",
        },
        "defaultConfiguration": {"level": "error"},
    }
    assert driver["rules"][ids.index("AZP110")]["defaultConfiguration"] == {"level": "note"}
    # AZP105 is not in result.rules: a descriptor is made from the finding.
    assert driver["rules"][ids.index("AZP105")]["name"] == "hotpatch-needs-platform-mode"


def test_information_uri_comes_from_package_metadata(sample, monkeypatch):
    monkeypatch.setattr(sarif, "information_uri", lambda: "https://example.test/armlint")
    driver = sarif_of(sample)["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == "https://example.test/armlint"
    monkeypatch.setattr(sarif, "information_uri", lambda: "")
    assert "informationUri" not in sarif_of(sample)["runs"][0]["tool"]["driver"]


def test_every_rule_index_points_at_its_rule(sample):
    run = sarif_of(sample, show_unknown=True)["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_result_shape(sample):
    results = sarif_of(sample)["runs"][0]["results"]
    vm = next(r for r in results if r["ruleId"] == "AZP102" and "suppressions" not in r)
    assert vm["level"] == "error"
    assert vm["message"] == {"text": sample.findings[3].message}
    assert vm["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "infra/vm.json", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 12, "startColumn": 7, "endLine": 12, "endColumn": 35},
            }
        }
    ]
    assert vm["partialFingerprints"] == {"armlint/v1": "vm1|AZP102|enable_automatic_updates"}
    assert vm["properties"]["resource"] == "Microsoft.Compute/virtualMachines/vm1"
    assert vm["properties"]["provenance"][1] == "set in vm.parameters.json:6"


def test_levels_per_severity(sample):
    levels = {r["ruleId"]: r["level"] for r in sarif_of(sample)["runs"][0]["results"]}
    assert levels["AZP104"] == "warning"
    assert levels["AZP110"] == "note"


def test_region_without_end(sample):
    results = sarif_of(sample)["runs"][0]["results"]
    second = [r for r in results if r["ruleId"] == "AZP104"][1]
    region = second["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 25, "startColumn": 9}


def test_suppressed_kept_with_suppression(sample):
    results = sarif_of(sample)["runs"][0]["results"]
    suppressed = [r for r in results if "suppressions" in r]
    assert len(suppressed) == 1
    assert suppressed[0]["suppressions"] == [
        {
            "kind": "inSource",
            "status": "accepted",
            "justification": "accepted until the migration (ticket 42)",
        }
    ]


def test_baseline_suppression_is_external(single, validator):
    log = sarif_of(single(suppressed="baseline: known since 2024-05, owner ops"))
    validator.validate(log)
    assert log["runs"][0]["results"][0]["suppressions"][0]["kind"] == "external"


def test_unknown_only_on_request(sample):
    hidden = [r["ruleId"] for r in sarif_of(sample)["runs"][0]["results"]]
    shown = [r["ruleId"] for r in sarif_of(sample, show_unknown=True)["runs"][0]["results"]]
    assert "AZP002" not in hidden
    assert shown.count("AZP002") == 1


def test_failed_file_and_notes_in_invocation(sample):
    invocation = sarif_of(sample)["runs"][0]["invocations"][0]
    assert invocation["executionSuccessful"] is False
    assert invocation["toolExecutionNotifications"] == [
        {"level": "error", "message": {"text": "infra/broken.json: invalid JSON at 3:1"}},
        {"level": "note", "message": {"text": sample.notes[0]}},
    ]


def test_uri_relative_to_root_with_forward_slashes_and_encoding(single, tmp_path, validator):
    path = str(tmp_path / "infra dir" / "vm#1.json")
    log = sarif_of(single(path=path), root=str(tmp_path))
    validator.validate(log)
    run = log["runs"][0]
    artifact = run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "infra%20dir/vm%231.json", "uriBaseId": "%SRCROOT%"}
    base = run["originalUriBaseIds"]["%SRCROOT%"]
    assert "uri" not in base and str(tmp_path) not in json.dumps(log)  # no absolute path leaks


def test_path_outside_root_is_relative_to_the_root(single, tmp_path):
    outside = tmp_path / "elsewhere" / "vm.json"
    log = sarif_of(single(path=str(outside)), root=str(tmp_path / "repo"))
    artifact = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    uri = {"uri": "../elsewhere/vm.json", "uriBaseId": "%SRCROOT%"}
    assert artifact["artifactLocation"] == uri


def test_file_level_finding_gets_line_1(single):
    log = sarif_of(single(location=Location("vm.json", 0, 0)))
    region = log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 1, "startColumn": 1}


def test_header(sample):
    log = sarif_of(sample)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    assert log["runs"][0]["columnKind"] == "unicodeCodePoints"
