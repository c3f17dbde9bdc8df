"""plan_report and inventory_report: the plan rules in every format, named and graded by the
rule pack and the configuration, and the findings list the CLI applies --fail-on to."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from planner_fleet import supported, vm

from armlint.model import Finding, Location
from armlint.planner import PlanSettings, inventory_report, plan_report
from armlint.run.pipeline import RunOptions, image_support_checker, load_records
from tests.schema_check import validate

SETTINGS = PlanSettings(image_supported=supported)
FORMATS = ("text", "json", "markdown", "html")


@pytest.fixture()
def records():
    """A three-VM loop in one best-effort batch (AZP501) and a single-VM set (AZP502)."""
    return [
        *(vm("web", 10, group="web", index=i, location="eastus") for i in range(3)),
        vm("lonely", 100, location="westus", availability_set="as-1"),
    ]


def load_finding(rule: str, severity: str = "error", suppressed: str = "") -> Finding:
    return Finding(
        rule=rule,
        name=rule.lower(),
        severity=severity,
        message=f"{rule} from loading",
        location=Location("broken.json", 3, 1),
        suppressed=suppressed,
    )


def test_findings_come_back_with_the_pack_names_and_severities(records):
    _, findings = plan_report(records, [], SETTINGS, "text")
    assert [(f.rule, f.name, f.severity) for f in findings] == [
        ("AZP501", "redundancy-group-same-batch", "warning"),
        ("AZP502", "single-update-domain", "warning"),
    ]


def test_severity_overrides_and_rule_selection_apply(records):
    _, findings = plan_report(
        records, [], SETTINGS, "text", enabled={"AZP501", "AZP503"}, severities={"AZP501": "error"}
    )
    assert [(f.rule, f.severity) for f in findings] == [("AZP501", "error")]


def test_load_findings_join_except_unknowns_and_suppressed(records):
    loaded = [
        load_finding("AZP001"),
        load_finding("AZP002", "info"),
        load_finding("AZP003", suppressed="baseline"),
    ]
    _, findings = plan_report(records, loaded, SETTINGS, "text", severities={"AZP001": "warning"})
    assert [(f.rule, f.severity) for f in findings if f.rule < "AZP500"] == [("AZP001", "warning")]
    assert loaded[0].severity == "error"  # the caller's findings are not changed


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_shows_the_findings(records, fmt):
    text, _ = plan_report(records, [], SETTINGS, fmt)
    assert "Findings" in text or '"findings"' in text
    assert "AZP501" in text and "AZP502" in text
    assert "would be patched in the same batch 1" in text


def test_text_findings_are_check_style_lines(records):
    text, _ = plan_report(records, [], SETTINGS, "text")
    section = text.split("\nFindings\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert section[0].startswith("fleet.json:10:5: AZP501 [warning] all 3 VMs of redundancy group")
    assert section[1].startswith("fleet.json:108:7: AZP502 [warning] availability set as-1")


def test_json_has_a_findings_array_and_matches_the_schema(records):
    text, findings = plan_report(records, [load_finding("AZP001")], SETTINGS, "json")
    data = json.loads(text)
    validate(data, "plan.schema.json")
    assert [item["rule"] for item in data["findings"]] == [f.rule for f in findings]
    assert list(data)[-2:] == ["findings", "assumptions"]


def test_no_findings_is_said_so(records):
    zonal = [
        vm("web", 10, group="web", index=i, location="eastus", zones=[str(i + 1)]) for i in range(3)
    ]
    text, findings = plan_report(zonal, [], SETTINGS, "text")
    assert findings == []
    assert "\nFindings\nnone\n" in text
    assert "No findings." in plan_report(zonal, [], SETTINGS, "html")[0]
    assert "No findings." in plan_report(zonal, [], SETTINGS, "markdown")[0]


def test_markdown_findings_table_escapes_messages(records):
    records[0].name = records[1].name = records[2].name = "we|b"
    text, _ = plan_report(records, [], SETTINGS, "markdown")
    table = text.split("## Findings\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert {line.replace("\\|", "").count("|") for line in table} == {5}


def test_inventory_lists_plan_rules_per_vm_and_returns_the_same_findings(records):
    text, findings = inventory_report(records, [load_finding("AZP002", "info")], SETTINGS, "json")
    data = json.loads(text)
    validate(data, "inventory.schema.json")
    by_name = {row["name"]: row["findings"] for row in data["vms"]}
    assert by_name["web[0]"] == ["AZP501"]
    assert by_name["lonely"] == ["AZP502"]
    assert [f.rule for f in findings] == [f.rule for f in plan_report(records, [], SETTINGS)[1]]


def test_loops_of_different_deployments_are_different_groups():
    """One Terraform module used by two root modules: same address, two deployments."""
    first = vm("app", 10, group="app", index=0, location="eastus")
    second = vm("app", 10, group="app", index=0, location="eastus")
    first.root_module, second.root_module = "examples/a", "examples/b"
    _, findings = plan_report([first, second], [], SETTINGS)
    assert findings == []


def test_no_azp501_for_an_uncertain_batch():
    from armlint.model import Unknown

    records = [
        vm("web", 10, group="web", index=i, location="eastus", zones=Unknown("var.zone"))
        for i in range(3)
    ]
    _, findings = plan_report(records, [], SETTINGS)
    assert findings == []


SHOWCASE = Path(__file__).resolve().parents[1] / "fixtures" / "planner" / "showcase-fleet.json"


def test_the_showcase_fleet_of_the_docs_screenshot():
    """docs/plan.md and docs/img/plan.png rely on this fleet: one finding per plan rule, and
    the 12-VM set patched two at a time (20%) over five update domains."""
    loaded = load_records(RunOptions(paths=[str(SHOWCASE)], explore=False))
    settings = PlanSettings(image_supported=image_support_checker("current"))
    text, findings = plan_report(loaded.records, loaded.findings, settings, "json")
    assert [f.rule for f in findings] == ["AZP503", "AZP501", "AZP502"]
    data = json.loads(text)
    in_set = [b for b in data["batches"] if (b["availability_set"] or "").endswith("/as-sql")]
    assert [(b["update_domain"], len(b["vms"])) for b in in_set] == [
        (0, 2),
        (0, 1),
        (1, 2),
        (1, 1),
        (2, 2),
        (3, 2),
        (4, 2),
    ]
    assert [phase["regions"] for phase in data["phases"]] == [
        ["eastus", "northeurope", "southeastasia", "uksouth"],
        ["westeurope", "westus"],
        ["unknown"],
    ]


def test_plan_command_fails_on_warnings_when_asked(tmp_path, capsys):
    from pathlib import Path

    from armlint.cli import main

    fleet = Path(__file__).resolve().parents[1] / "fixtures" / "planner" / "showcase-fleet.json"
    assert main(["plan", str(fleet), "--fail-on", "info", "--format", "json"]) == 1
    assert main(["plan", str(fleet), "--format", "json"]) == 0
    assert '"findings"' in capsys.readouterr().out
