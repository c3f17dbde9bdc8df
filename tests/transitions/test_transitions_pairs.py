"""Pairs of ARM templates (and exported VMs) through run_diff; pairing; unknown values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from transition_helpers import FIXTURES, default_fact, record

from armlint.checks.transition_rules import transition_findings
from armlint.compare.diff import run_diff
from armlint.compare.pairing import pair_records
from armlint.model import SOURCE_UNKNOWN, Fact, Location, Unknown
from armlint.run.pipeline import RunOptions


def _diff(before: str, after: str, **options):
    options.setdefault("show_unknown", True)
    return run_diff([str(FIXTURES / before)], [str(FIXTURES / after)], RunOptions(**options))


def _summary(result) -> list[tuple[str, str, int]]:
    return [(f.rule, f.resource, f.location.line) for f in result.findings]


# -- defaults count, folders, identity -------------------------------------------------------


def test_defaults_count_and_folders_match_files_by_relative_path():
    result = _diff("defaults/before", "defaults/after")
    vm1 = "Microsoft.Compute/virtualMachines/VM1"
    # vm1 (renamed VM1 only in case) is the same VM; vm2 is new, so it has nothing to compare.
    assert _summary(result) == [("AZP401", vm1, 15), ("AZP404", vm1, 16), ("AZP402", vm1, 18)]
    before = FIXTURES / "defaults/before/vm.json"
    automatic, agent, mode = result.findings
    assert automatic.message == (
        "enableAutomaticUpdates changes from true (platform default) to false (was true, the"
        f" platform default, at {before}:13); it can only be set when the VM is created, so the"
        " deployment fails with PropertyChangeNotAllowed"
    )
    assert agent.severity == "warning"
    assert agent.message.startswith(
        "provisionVMAgent changes from true (platform default) to false"
    )
    assert mode.message == (
        "patchMode changes from 'AutomaticByOS' (platform default) to 'Manual' (was"
        f" 'AutomaticByOS', the platform default, at {before}:13); Azure does not support"
        " switching between AutomaticByOS and Manual"
    )
    assert [f.location.path for f in result.findings] == [
        str(FIXTURES / "defaults/after/vm.json")
    ] * 3
    assert [r.name for r in result.records] == ["VM1", "vm2"]
    assert result.rules["AZP401"].name == "enable-automatic-updates-changed"


def test_fingerprints_are_stable_and_distinct():
    first = _diff("defaults/before", "defaults/after")
    second = _diff("defaults/before", "defaults/after")
    prints = [f.fingerprint for f in first.findings]
    assert prints == [f.fingerprint for f in second.findings]
    assert len(set(prints)) == 3 and all(prints)


def test_enabled_and_severity_options_apply():
    result = _diff(
        "defaults/before", "defaults/after", enabled={"AZP402"}, severities={"AZP402": "warning"}
    )
    assert [(f.rule, f.severity) for f in result.findings] == [("AZP402", "warning")]


def test_copy_loop_instances_pair_by_index_and_new_instances_are_skipped():
    result = _diff("copyloop/before", "copyloop/after")
    # vm-0 stays Manual; vm-1 switches to AutomaticByOS; vm-2 is new (count 2 -> 3).
    assert _summary(result) == [("AZP402", "Microsoft.Compute/virtualMachines/vm-1[1]", 17)]


def test_parameter_files_pair_file_for_file():
    result = _diff("params/before", "params/after")
    # vm.parameters.json: Manual -> AutomaticByPlatform with eAU false (allowed).
    # vm.parameters.prod.json is new; it is compared with the only before (Manual).
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == ("AZP402", 20)
    assert finding.parameter_file == "vm.parameters.prod.json"
    before = FIXTURES / "params/before/vm.json"
    assert finding.text == (
        f"patchMode changes from 'Manual' to 'AutomaticByOS' (was 'Manual' at {before}:20); Azure"
        " does not support switching between AutomaticByOS and Manual [with vm.parameters.prod.json]"
    )


# -- exported live VMs as the before ---------------------------------------------------------


def test_az_vm_show_export_is_a_before():
    result = _diff("export/vm-show.json", "unknown/automatic_updates.json")
    # The export: AutomaticByOS, eAU true; the template: Manual, eAU unknown.
    export = FIXTURES / "export/vm-show.json"
    unknown, switch = result.findings
    assert [(f.rule, f.location.line) for f in result.findings] == [("AZP002", 17), ("AZP402", 19)]
    assert f"(was 'AutomaticByOS' at {export}:19)" in switch.message
    assert unknown.message == (
        "enableAutomaticUpdates is unknown in the new version: parameter 'autoUpdates' has no value"
        " (no default, not in a parameter file); not checked: AZP401"
    )


def test_rest_get_export_is_a_before():
    result = _diff("export/rest-get.json", "unknown/known.json")
    export = FIXTURES / "export/rest-get.json"
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == ("AZP401", 14)
    assert f"(was false at {export}:24)" in finding.message


def test_export_list_pairs_with_copy_loop_instances_by_name():
    result = _diff("export/list.json", "copyloop/after")
    [finding] = result.findings
    assert (finding.rule, finding.resource) == (
        "AZP402",
        "Microsoft.Compute/virtualMachines/vm-1[1]",
    )
    assert f"at {FIXTURES / 'export/list.json'}:24)" in finding.message


def test_export_records_have_the_template_identity():
    from armlint.arm.export import load_export, looks_like_export

    [show] = load_export(FIXTURES / "export/vm-show.json")
    assert show.identity == "Microsoft.Compute/virtualMachines/vm1"
    assert (show.value("patch_mode"), show.value("enable_automatic_updates")) == (
        "AutomaticByOS",
        True,
    )
    assert show.value("provision_vm_agent") is True
    names = [r.name for r in load_export(FIXTURES / "export/list.json")]
    assert names == ["vm-0", "vm-1"]  # the network interface is not a VM
    assert not looks_like_export({"resources": []})


def test_export_from_a_plain_parsed_value():
    from armlint.arm.export import records_from_export

    body = {
        "id": "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachineScaleSets/ss",
        "properties": {"virtualMachineProfile": {"osProfile": {"linuxConfiguration": {}}}},
    }
    [scale_set] = records_from_export(body, "ss.json")
    assert (scale_set.kind, scale_set.identity) == (
        "vmss",
        "Microsoft.Compute/virtualMachineScaleSets/ss",
    )
    assert scale_set.value("patch_mode") == "ImageDefault"


# -- unknown values --------------------------------------------------------------------------


def test_unknown_before_gives_azp002_and_no_azp40x():
    result = _diff("unknown/patch_mode.json", "unknown/known.json")
    [finding] = result.findings
    before = FIXTURES / "unknown/patch_mode.json"
    assert (finding.rule, finding.name, finding.severity) == ("AZP002", "unknown-value", "info")
    assert finding.location.line == 16
    assert finding.message == (
        f"patchMode is unknown in the old version (at {before}:19): parameter 'patchMode' has no"
        " value (no default, not in a parameter file); not checked: AZP402, AZP403"
    )


def test_unknown_after_gives_azp002_and_no_azp40x():
    result = _diff("unknown/known.json", "unknown/patch_mode.json")
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == ("AZP002", 19)
    assert "unknown in the new version" in finding.message


def test_unknown_flag_blocks_the_platform_switch_and_the_flag_rule():
    result = _diff("unknown/automatic_updates.json", "unknown/known.json")
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == ("AZP002", 14)
    before = FIXTURES / "unknown/automatic_updates.json"
    assert finding.message == (
        f"enableAutomaticUpdates is unknown in the old version (at {before}:17): parameter"
        " 'autoUpdates' has no value (no default, not in a parameter file); not checked: AZP401,"
        " AZP403"
    )


def test_unknowns_are_counted_but_hidden_without_show_unknown():
    result = _diff("unknown/patch_mode.json", "unknown/known.json", show_unknown=False)
    assert result.findings == []
    assert result.unknown_count == 1
    assert result.summary()["unknown"] == 1


def test_unknown_operating_system_blocks_the_mode_rules():
    reason = Unknown("the operating system cannot be determined")
    before = record(os=Fact(reason, None, SOURCE_UNKNOWN), patch_mode="Manual")
    after = record(os=Fact(reason, None, SOURCE_UNKNOWN), patch_mode="AutomaticByOS")
    findings = transition_findings([(before, after)], "current", "HEAD")
    assert [(f.rule, f.message) for f in findings] == [
        (
            "AZP002",
            "the operating system is unknown in both versions: the operating system cannot be"
            " determined; not checked: AZP402, AZP403",
        )
    ]


# -- hand-made pairs ------------------------------------------------------------------------


def test_before_label_names_the_ref_and_the_path():
    before = record(os="Windows", patch_mode="AutomaticByPlatform", enable_automatic_updates=True)
    after = record(
        os="Windows", patch_mode="Manual", enable_automatic_updates=True, path="new.json"
    )
    [finding] = transition_findings([(before, after)], "current", "origin/main")
    assert "(was 'AutomaticByPlatform' at origin/main:vm.json:12)" in finding.message
    assert "and this VM has true (at origin/main:vm.json:10)" in finding.message
    assert finding.location == after.facts["patch_mode"].location


def test_scale_sets_may_change_the_flag_but_not_the_agent():
    before = record(
        kind="vmss", os="Windows", enable_automatic_updates=True, provision_vm_agent=True
    )
    after = record(
        kind="vmss", os="Windows", enable_automatic_updates=False, provision_vm_agent=False
    )
    findings = transition_findings([(before, after)], "current", "")
    assert [f.rule for f in findings] == ["AZP404"]


def test_a_new_vm_has_no_findings():
    after = record(os="Windows", patch_mode="Manual", enable_automatic_updates=True)
    assert transition_findings([(None, after)], "current", "") == []


def test_a_different_operating_system_is_not_a_mode_switch():
    before = record(os="Linux", patch_mode="ImageDefault")
    after = record(os="Windows", patch_mode="Manual", enable_automatic_updates=False)
    assert transition_findings([(before, after)], "current", "") == []


def test_string_booleans_and_mode_case_compare_as_azure_does():
    before = record(os="Windows", patch_mode="manual", enable_automatic_updates="false")
    after = record(os="Windows", patch_mode="Manual", enable_automatic_updates=False)
    assert transition_findings([(before, after)], "current", "") == []


def test_pairing_is_case_insensitive_indexed_and_new_records_have_no_before():
    before = [record(name="VM-0", index=0), record(name="vm-1", index=1), record(name="gone")]
    after = [record(name="vm-1", index=1), record(name="vm-0", index=0), record(name="new")]
    pairs = pair_records(before, after)
    assert [(b.name if b else None, a.name) for b, a in pairs] == [
        ("vm-1", "vm-1"),
        ("VM-0", "vm-0"),
        (None, "new"),
    ]


def test_pairing_terraform_addresses_with_count_index():
    tf = "azurerm_linux_virtual_machine"
    before = [record(name="web", address=f"{tf}.web", resource_type=tf, index=i) for i in (0, 1)]
    after = [record(name="web", address=f"{tf}.web", resource_type=tf, index=i) for i in (1, 0, 2)]
    pairs = pair_records(before, after)
    assert [(b.index if b else None, a.index) for b, a in pairs] == [(1, 1), (0, 0), (None, 2)]


def test_default_on_one_side_equal_to_literal_on_the_other_is_no_change():
    before = record(
        os="Windows",
        patch_mode=default_fact("AutomaticByOS"),
        enable_automatic_updates=default_fact(True),
    )
    after = record(os="Windows", patch_mode="AutomaticByOS", enable_automatic_updates=True)
    assert transition_findings([(before, after)], "current", "") == []


# -- properties -----------------------------------------------------------------------------

UNKNOWN = Unknown("parameter 'x' has no value")
values = {
    "os": st.sampled_from(["Windows", "Linux", UNKNOWN]),
    "patch_mode": st.sampled_from(
        ["AutomaticByOS", "Manual", "AutomaticByPlatform", "ImageDefault", UNKNOWN]
    ),
    "enable_automatic_updates": st.sampled_from([True, False, UNKNOWN]),
    "provision_vm_agent": st.sampled_from([True, False, UNKNOWN]),
}
fact_sets = st.fixed_dictionaries(values)


def _made(facts: dict, path: str = "vm.json"):
    built = {}
    for line, (name, value) in enumerate(sorted(facts.items()), 10):
        source = SOURCE_UNKNOWN if isinstance(value, Unknown) else "literal"
        built[name] = Fact(value, Location(path, line, 1), source)
    return record(path=path, **built)


@given(facts=fact_sets, profile=st.sampled_from(["current", "preview-2020"]))
def test_an_unchanged_vm_never_gets_a_transition_error(facts, profile):
    findings = transition_findings([(_made(facts), _made(facts, "after.json"))], profile, "")
    assert [f.rule for f in findings if f.rule != "AZP002"] == []


@given(before=fact_sets, after=fact_sets, profile=st.sampled_from(["current", "preview-2020"]))
def test_an_unknown_value_is_never_a_silent_pass_nor_a_finding(before, after, profile):
    findings = transition_findings([(_made(before), _made(after, "after.json"))], profile, "")
    rules = {f.rule for f in findings}
    unknown_messages = " ".join(f.message for f in findings if f.rule == "AZP002")
    if isinstance(before["patch_mode"], Unknown) or isinstance(after["patch_mode"], Unknown):
        assert not rules & {"AZP402", "AZP403"}
        assert "patchMode is unknown" in unknown_messages
    if isinstance(before["provision_vm_agent"], Unknown) or isinstance(
        after["provision_vm_agent"], Unknown
    ):
        assert "AZP404" not in rules
        assert "provisionVMAgent is unknown" in unknown_messages
    if isinstance(before["enable_automatic_updates"], Unknown) and "Linux" not in (
        before["os"],
        after["os"],
    ):
        assert "AZP401" not in rules
        assert "enableAutomaticUpdates is unknown" in unknown_messages
    for finding in findings:
        assert finding.location.path == "after.json"


def windows_template(folder: Path, windows_configuration: str) -> Path:
    """An ARM template of one Windows VM with the given windowsConfiguration members (JSON
    text) on line 13, written as FOLDER/vm.json."""
    folder.mkdir()
    path = folder / "vm.json"
    path.write_text(
        "{\n"
        '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",\n'
        '  "contentVersion": "1.0.0.0",\n'
        '  "resources": [\n'
        "    {\n"
        '      "type": "Microsoft.Compute/virtualMachines",\n'
        '      "apiVersion": "2023-03-01",\n'
        '      "name": "vm1",\n'
        '      "location": "westeurope",\n'
        '      "properties": {\n'
        '        "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer",'
        ' "offer": "WindowsServer", "sku": "2022-datacenter", "version": "latest"}},\n'
        '        "osProfile": {\n'
        f'          "windowsConfiguration": {{{windows_configuration}}}\n'
        "        }\n"
        "      }\n"
        "    }\n"
        "  ]\n"
        "}\n",
        encoding="utf-8",
    )
    return path


def diff_findings(armlint_cli, before: Path, after: Path) -> list[tuple]:
    run = armlint_cli("diff", before, after, "--format", "json")
    assert run.code in (0, 1), run.err
    return [(f["rule"], f["line"], f["column"]) for f in run.json()["findings"]]


def test_the_arm_loader_infers_manual_from_enable_automatic_updates_false(tmp_path, armlint_cli):
    """Without a patchMode, enableAutomaticUpdates false means Manual (the ARM loader's
    inference, domain S1): writing the Manual that was inferred is no change at all, and
    inventory says Manual."""
    written = windows_template(
        tmp_path / "before",
        '"enableAutomaticUpdates": false, "patchSettings": {"patchMode": "Manual"}',
    )
    inferred = windows_template(tmp_path / "after", '"enableAutomaticUpdates": false')
    assert diff_findings(armlint_cli, written, inferred) == []
    assert diff_findings(armlint_cli, inferred, written) == []
    run = armlint_cli("inventory", inferred, "--format", "json")
    (vm,) = run.json()["vms"]
    assert (vm["patch_mode"], vm["enable_automatic_updates"]) == ("Manual", False)


def test_an_inferred_mode_follows_the_flag_so_turning_it_off_is_only_azp401(tmp_path, armlint_cli):
    """true -> false without a patchMode: the mode goes from AutomaticByOS (default) to Manual
    (inferred) only because the flag changed, so the flag's AZP401 is the one finding."""
    before = windows_template(tmp_path / "before", '"enableAutomaticUpdates": true')
    after = windows_template(tmp_path / "after", '"enableAutomaticUpdates": false')
    assert diff_findings(armlint_cli, before, after) == [("AZP401", 13, 62)]


# -- Bicep ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ("current", [("AZP403", "main.bicep:resource vm", 12)]),
        (
            "preview-2020",
            [
                ("AZP403", "main.bicep:resource vm", 12),
                ("AZP403", "main.bicep:resource pool[0]", 28),
            ],
        ),
    ],
)
def test_bicep_folders_pair_despite_the_path_in_the_address(profile, expected):
    result = _diff("bicep/before", "bicep/after", profile=profile)
    got = [(f.rule, f.resource.rsplit("/", 1)[-1], f.location.line) for f in result.findings]
    assert got == expected
    assert all(f.location.path.endswith("bicep/after/main.bicep") for f in result.findings)
