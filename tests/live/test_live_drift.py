"""armlint drift on the examples and on made-up estates: every direction, ambiguity, formats.

The shipped export examples/live/az-vm-list.json is in the ``az vm list`` shape (Azure CLI
vm/custom.py; written by bench/live_shapes.py). Its VMs differ from the example templates on
purpose: web-0 matches, web-1 drifted (changes), app-01 and db-01 cannot change
(enableAutomaticUpdates, provisionVMAgent), jump-01 is refused (AutomaticByOS <-> Manual),
web-2 is not deployed and batch-07 is declared nowhere.
"""

from __future__ import annotations

import json

import pytest
from live_helpers import EXAMPLES, FIXTURES, line_of, value_position

from armlint.cli import main
from armlint.live.drift import DriftError, run_drift
from armlint.live.drift_report import render
from armlint.report import ReportOptions
from armlint.run.pipeline import RunOptions

EXPORT = EXAMPLES / "live" / "az-vm-list.json"


@pytest.fixture(scope="module")
def drift():
    return run_drift([str(EXAMPLES)], [str(EXPORT)], RunOptions())


def _pair(drift, name):
    [pair] = [p for p in drift.pairs if p.template.name == name]
    return pair


def _statuses(pair):
    return {d.fact: (d.status, d.rule) for d in pair.differences}


def test_the_examples_pair_by_name_and_kind(drift):
    assert sorted(p.template.name for p in drift.pairs) == [
        "app-01",
        "db-01",
        "jump-01",
        "web-0",
        "web-1",
    ]
    assert all(p.matched_by == "name and kind" for p in drift.pairs)
    assert _pair(drift, "web-0").differences == []


def test_a_setting_the_next_deployment_changes(drift):
    pair = _pair(drift, "web-1")
    assert _statuses(pair) == {"patch_mode": ("changes", "AZP601")}
    [finding] = [f for f in drift.result.findings if f.rule == "AZP601" and "web-1" in f.resource]
    assert "'AutomaticByOS' on the live VM" in finding.message
    # at the template's value: the patchMode parameter's default in web-tier.json
    template = pair.template.fact("patch_mode").location
    assert (finding.location.path, finding.location.line) == (template.path, template.line)


def test_a_setting_fixed_at_creation(drift):
    assert _statuses(_pair(drift, "app-01")) == {
        "enable_automatic_updates": ("cannot change", "AZP401")
    }
    assert _statuses(_pair(drift, "db-01"))["provision_vm_agent"] == ("cannot change", "AZP404")
    [finding] = [f for f in drift.result.findings if f.rule == "AZP401"]
    line, _ = value_position(EXPORT, "enableAutomaticUpdates", "false", occurrence=0)
    assert f"live at {EXPORT}:{line}" in finding.message
    assert finding.severity == "error"
    # absent in the template: the finding points where windowsConfiguration is written
    assert finding.location.path.endswith("legacy-app.json")
    assert finding.location.line == line_of(
        EXAMPLES / "arm" / "legacy-app.json", '"windowsConfiguration"'
    )


def test_a_switch_azure_refuses(drift):
    assert _statuses(_pair(drift, "jump-01")) == {"patch_mode": ("refused", "AZP402")}
    [finding] = [f for f in drift.result.findings if f.rule == "AZP402"]
    assert finding.location.path.endswith("main.tf")
    assert (finding.location.line, finding.location.column) == (14, 31)


def test_undeployed_and_undeclared(drift):
    assert [(r.name, why) for r, why in drift.undeployed] == [
        ("web-2", "no live VM named 'web-2' in the exports")
    ]
    assert [r.name for r in drift.undeclared] == ["batch-07"]
    rules = sorted(f.rule for f in drift.result.findings)
    assert rules == ["AZP401", "AZP402", "AZP404", "AZP601", "AZP601", "AZP602", "AZP603"]
    [undeclared] = [f for f in drift.result.findings if f.rule == "AZP602"]
    assert undeclared.location.line == _object_line(EXPORT, "batch-07")


def _object_line(path, name):
    """The line of the `{` that opens the VM object holding ``"name": name``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    at = line_of(path, f'"name": "{name}"') - 1
    while lines[at].strip() != "{":
        at -= 1
    return at + 1


def test_ambiguous_pairing_is_reported_and_not_compared(tmp_path):
    vms = json.loads(EXPORT.read_text(encoding="utf-8"))
    twin = json.loads(json.dumps(vms[0]).replace("rg-web", "rg-test"))
    twin["osProfile"]["windowsConfiguration"]["patchSettings"]["patchMode"] = "Manual"
    (tmp_path / "more.json").write_text(json.dumps([twin], indent=2))
    exports = [str(EXPORT), str(tmp_path / "more.json")]
    found = run_drift([str(EXAMPLES / "arm" / "web-tier.json")], exports, RunOptions())
    [entry] = found.ambiguous
    assert entry.template.name == "web-0"
    assert sorted(c.resource_group for c in entry.candidates) == ["rg-test", "rg-web"]
    assert "web-0" not in [p.template.name for p in found.pairs]
    [finding] = [f for f in found.result.findings if f.rule == "AZP604"]
    assert "matches 2 live VMs" in finding.message and "--resource-group" in finding.message
    chosen = run_drift([str(EXAMPLES / "arm" / "web-tier.json")], exports, RunOptions(), "rg-web")
    assert not chosen.ambiguous
    assert _pair(chosen, "web-0").matched_by == "name, kind and resource group"


def test_the_same_vm_in_two_exports_is_compared_once(tmp_path):
    (tmp_path / "copy.json").write_text(EXPORT.read_text(encoding="utf-8"))
    found = run_drift([str(EXAMPLES)], [str(EXPORT), str(tmp_path / "copy.json")], RunOptions())
    assert not found.ambiguous and len(found.pairs) == 5
    assert any("is in two exports" in note for note in found.result.notes)


def test_no_exported_vms_is_a_usage_error(tmp_path, capsys):
    with pytest.raises(DriftError):
        run_drift([str(EXAMPLES / "arm")], [str(EXAMPLES / "bicep")], RunOptions())
    assert main(["drift", str(EXAMPLES / "arm"), str(EXAMPLES / "bicep")]) == 2
    assert "no exported VMs" in capsys.readouterr().err


def test_text_report(drift):
    text = render(drift, "text", ReportOptions())
    assert text.startswith("6 template VMs, 6 live VMs: 5 paired (4 with drift), 1 not deployed")
    assert (
        "  patchMode  'Manual'  'AutomaticByOS'  refused: Azure does not allow this switch (AZP402)"
        in text
    )
    assert "no drift in patch settings" in text
    assert "batch-07" in text.split("Live, declared by no template (AZP602)")[1]


def test_json_report(drift):
    document = json.loads(render(drift, "json", ReportOptions(tool_version="x")))
    assert document["summary"]["paired"] == 5 and document["summary"]["undeclared"] == 1
    [web1] = [p for p in document["pairs"] if p["template"]["name"] == "web-1"]
    assert web1["differences"] == [
        {
            "setting": "patch_mode",
            "live": "AutomaticByOS",
            "template": "AutomaticByPlatform",
            "template_source": "evaluated",
            "status": "changes",
            "rule": "AZP601",
            "live_line": value_position(EXPORT, "patchMode", '"AutomaticByOS"')[0],
            "template_line": web1["differences"][0]["template_line"],
        }
    ]
    assert {f["rule"] for f in document["findings"]} >= {"AZP401", "AZP402", "AZP602", "AZP603"}


def test_sarif_report(drift):
    sarif = json.loads(render(drift, "sarif", ReportOptions(tool_version="x")))
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(f.rule for f in drift.result.findings)
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {"AZP601", "AZP602", "AZP603"} <= rules


def test_markdown_report(drift):
    markdown = render(drift, "markdown", ReportOptions())
    assert (
        "| patchMode | 'AutomaticByOS' | 'AutomaticByPlatform' | the next deployment changes it (AZP601) |"
        in markdown
    )
    assert "## Deployed, not declared (AZP602)" in markdown


def test_cli_exit_code_and_output_file(tmp_path, capsys):
    assert main(["drift", str(EXAMPLES), str(EXPORT)]) == 1  # AZP401/AZP402 are errors
    out = tmp_path / "drift.md"
    code = main(
        [
            "drift",
            str(EXAMPLES / "arm" / "web-tier.json"),
            str(EXPORT),
            "--format",
            "markdown",
            "--output",
            str(out),
            "--fail-on",
            "error",
        ]
    )
    assert code == 0 and out.read_text().startswith("# armlint drift")


def test_drift_fixture_exports_of_every_shape_pair_with_templates():
    found = run_drift(
        [str(EXAMPLES / "arm" / "web-tier.json")],
        [str(FIXTURES)],
        RunOptions(show_unknown=True),
    )
    by_shape = {p.live.live_shape for p in found.pairs}
    # web-0 is in the CLI list and the Resource Graph page: the first export read is used
    assert [p.template.name for p in found.pairs] == ["web-0", "web-1", "web-2"]
    assert by_shape <= {"az vm list/show", "Azure Resource Graph"}


def test_drift_findings_take_the_findings_path_like_every_command(tmp_path):
    """An inline suppression in the template hides a drift finding (README, suppressions):
    drift findings go through run/findings.py (selection, overrides, then the gates)."""
    import shutil
    from datetime import date

    from armlint.run.options import Gates

    shutil.copytree(EXAMPLES, tmp_path / "examples")
    web = tmp_path / "examples" / "arm" / "web-tier.json"
    plain = run_drift([str(tmp_path / "examples")], [str(EXPORT)], RunOptions())
    [before] = [f for f in plain.result.findings if f.rule == "AZP601" and "web-1" in f.resource]
    lines = web.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(before.location.line - 1, "// armlint: ignore AZP601 rolled out by hand\n")
    web.write_text("".join(lines), encoding="utf-8")
    options = RunOptions(gates=Gates(today=date(2026, 1, 1)))
    gated = run_drift([str(tmp_path / "examples")], [str(EXPORT)], options)
    [after] = [f for f in gated.result.findings if f.rule == "AZP601" and "web-1" in f.resource]
    assert after.suppressed == "rolled out by hand"
    assert not before.suppressed


def test_drift_texts_come_from_the_rule_files(monkeypatch):
    """AZP601-AZP604 render their rule file's message (rules/AZP60x.yaml), like the code rules."""
    from armlint.checks.pack import load_pack

    rules = load_pack().rules
    for rule_id in ("AZP601", "AZP602", "AZP603"):
        monkeypatch.setattr(rules[rule_id], "message", f"{rule_id} text for {{name}}")
    found = run_drift([str(EXAMPLES)], [str(EXPORT)], RunOptions())
    texts = {(f.rule, f.message) for f in found.result.findings if f.rule.startswith("AZP60")}
    assert ("AZP601", "AZP601 text for 'web-1'") in texts
    assert ("AZP603", "AZP603 text for 'web-2'") in texts
    assert ("AZP602", "AZP602 text for 'batch-07'") in texts
