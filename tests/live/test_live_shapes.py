"""Each export shape becomes records with the resource id as identity and exact positions.

The fixtures' shapes come from the Azure CLI, the Resource Graph extension, Azure PowerShell
and the maintenance extension; tests/fixtures/live/README.md names each source file.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from live_helpers import FIXTURES, by_name, line_of, records_of, value_position

from armlint.arm.jsonpos import parse
from armlint.live.records import load_exports, rest_spelling
from armlint.live.shapes import (
    SHAPE_CLI,
    SHAPE_GRAPH,
    SHAPE_MAINTENANCE,
    SHAPE_POWERSHELL,
    SHAPE_REST,
    looks_like_live,
    read_shape,
)
from armlint.model import Unknown

SUBSCRIPTION = "/subscriptions/0b1f6471-1bf0-4dda-aec3-cb9272f09590"


def test_az_vm_list_array_with_nulls_and_cli_spelling():
    # Azure CLI vm/custom.py: flattened properties, null for unset, provisionVmAgent.
    path = FIXTURES / "az-vm-list.json"
    loaded = records_of("az-vm-list.json")
    assert [r.name for r in loaded.records] == ["web-0", "web-1", "app-01", "db-01"]
    web = by_name(loaded.records, "web-0")
    assert (
        web.identity
        == f"{SUBSCRIPTION}/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-0"
    )
    assert (web.location.line, web.location.column) == (
        line_of(path, '"additionalCapabilities"') - 1,
        3,
    )
    agent = web.fact("provision_vm_agent")
    assert agent.value is True and agent.source == "literal"
    assert (agent.location.line, agent.location.column) == value_position(
        path, "provisionVmAgent", "true"
    )
    db = by_name(loaded.records, "db-01")
    # "windowsConfiguration": null and "zones": null are unset, not values.
    assert db.value("os") == "Linux"
    assert db.value("zones") is None
    assert db.value("patch_mode") == "ImageDefault"
    assert web.resource_group == "rg-web"
    assert "az vm list/show: 4 VMs" in loaded.files[0].reason


def test_az_vm_show_d_object_and_its_finding_position(tmp_path):
    from armlint.run.pipeline import RunOptions, run_check

    path = FIXTURES / "az-vm-show-d.json"
    [record] = records_of("az-vm-show-d.json").records
    assert record.name == "jump-01" and (record.location.line, record.location.column) == (1, 1)
    result = run_check(RunOptions(paths=[str(path)]))
    [finding] = result.findings
    assert finding.rule == "AZP102"
    line, column = value_position(path, "enableAutomaticUpdates", "true")
    assert (finding.location.path, finding.location.line, finding.location.column) == (
        str(path),
        line,
        column,
    )
    assert finding.resource.endswith("/virtualMachines/jump-01")


def test_az_vmss_list_flexible_scale_set_with_health_extension():
    path = FIXTURES / "az-vmss-list.json"
    [scale_set] = records_of("az-vmss-list.json").records
    assert scale_set.kind == "vmss"
    assert scale_set.value("orchestration_mode") == "Flexible"
    assert scale_set.value("patch_mode") == "AutomaticByPlatform"
    assert scale_set.value("bypass_platform_safety_checks") is False
    health = scale_set.fact("health_extension")
    # The CLI flattens the extension's properties.type to typePropertiesType.
    assert health.value is True
    assert health.location.line == line_of(path, '"autoUpgradeMinorVersion"') - 1


def test_resource_graph_page_with_count_and_skip_token():
    # az graph query: {"count", "data", "skip_token", "total_records"}; rows keep properties.
    path = FIXTURES / "graph-query-page1.json"
    loaded = records_of("graph-query-page1.json")
    assert [r.name for r in loaded.records] == ["web-0", "batch-07"]
    web = loaded.records[0]
    assert web.live_shape == SHAPE_GRAPH
    assert web.value("provision_vm_agent") is True  # REST spelling provisionVMAgent
    mode = web.fact("patch_mode")
    assert (mode.location.line, mode.location.column) == value_position(
        path, "patchMode", '"AutomaticByPlatform"'
    )
    [page_note] = [n for n in loaded.notes if "one page" in n]
    assert "skip_token" in page_note and str(path) in page_note


def test_resource_graph_rest_response_counts_pages_by_total_records():
    body = {"totalRecords": 5, "count": 1, "resultTruncated": "false", "data": [_graph_row("a")]}
    value, _ = parse(json.dumps(body), "rest.json")
    export = read_shape(value, "rest.json")
    assert export.shape == SHAPE_GRAPH
    assert any("totalRecords 5 > 1 rows" in note for note in export.notes)
    complete = dict(body, totalRecords=1)
    assert read_shape(parse(json.dumps(complete), "r.json")[0], "r.json").notes == []


def test_resource_graph_rows_as_a_plain_array():
    # resource-graph extension 1.x returned the rows as a list.
    [record] = records_of("graph-rows.json").records
    assert record.name == "web-2" and record.value("zones") == ["3"]
    assert record.live_shape == SHAPE_GRAPH


def test_rest_list_with_next_link():
    body = {"value": [_graph_row("b")], "nextLink": "https://management.azure.com/...&$skiptoken=x"}
    export = read_shape(parse(json.dumps(body), "list.json")[0], "list.json")
    assert export.shape == SHAPE_REST
    assert [item.kind for item in export.items] == ["vm"]
    assert any("nextLink" in note for note in export.notes)


def test_get_azvm_pascal_case():
    # PSVirtualMachine.cs: OSProfile, StorageProfile, AvailabilitySetReference.
    path = FIXTURES / "get-azvm.json"
    [record] = records_of("get-azvm.json").records
    assert record.live_shape == SHAPE_POWERSHELL
    assert record.value("patch_mode") == "Manual"
    updates = record.fact("enable_automatic_updates")
    assert updates.value is False
    assert (updates.location.line, updates.location.column) == value_position(
        path, "EnableAutomaticUpdates", "false"
    )
    assert record.value("availability_set").endswith("/availabilitySets/APP-AVSET")
    assert record.value("image_sku") == "2019-Datacenter"
    assert record.value("health_extension") is False  # "Extensions": [] lists none


def test_get_azvm_os_type_enum_number_is_the_os():
    # ConvertTo-Json writes OperatingSystemTypes as 0 (Windows) / 1 (Linux); no configuration.
    text = (FIXTURES / "get-azvm.json").read_text(encoding="utf-8")
    data = json.loads(text)
    data[0]["OSProfile"] = None
    data[0]["StorageProfile"]["ImageReference"] = None
    for number, expected in ((0, "Windows"), (1, "Linux")):
        data[0]["StorageProfile"]["OsDisk"]["OsType"] = number
        value, _ = parse(json.dumps(data, indent=2), "ps.json")
        spelled = rest_spelling(value[0])
        assert spelled["StorageProfile"]["OsDisk"]["OsType"] == expected
        export = load_exports([_Document("ps.json", value)])
        assert export.records[0].value("os") == expected


def test_maintenance_assignment_targets_the_vm_case_insensitively():
    # az maintenance assignment list: flattened resourceId (lower-cased by the service here).
    path = FIXTURES / "maintenance-assignments.json"
    loaded = records_of(
        "az-vm-list.json", "maintenance-assignments.json", "maintenance-configurations.json"
    )
    web0, web1 = by_name(loaded.records, "web-0"), by_name(loaded.records, "web-1")
    fact = web0.fact("maintenance_assignment")
    assert fact.value is True
    line, column = value_position(path, "resourceId", '"/subscriptions')
    assert (fact.location.path, fact.location.line, fact.location.column) == (
        str(path),
        line,
        column,
    )
    assert "weekly-sat" in fact.trace[0]
    assert web1.value("maintenance_assignment") is False
    assert any(f.reason.startswith(SHAPE_MAINTENANCE) for f in loaded.files)


def test_a_configuration_of_another_scope_is_no_patch_schedule(tmp_path):
    configurations = json.loads((FIXTURES / "maintenance-configurations.json").read_text())
    configurations[0]["maintenanceScope"] = "Host"
    (tmp_path / "c.json").write_text(json.dumps(configurations))
    from armlint.arm.loader import read_json

    documents = [
        read_json(FIXTURES / "az-vm-list.json"),
        read_json(FIXTURES / "maintenance-assignments.json"),
    ]
    documents.append(read_json(tmp_path / "c.json"))
    web0 = by_name(load_exports(documents).records, "web-0")
    assert web0.value("maintenance_assignment") is False
    assert "not InGuestPatch" in web0.fact("maintenance_assignment").trace[0]


def test_without_an_assignment_export_the_assignment_is_unknown():
    web0 = by_name(records_of("az-vm-list.json").records, "web-0")
    assert isinstance(web0.value("maintenance_assignment"), Unknown)
    assert isinstance(web0.value("health_extension"), Unknown)  # az vm list: "resources": null


@pytest.mark.parametrize(
    "value",
    [
        {
            "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
            "resources": [],
        },
        [
            {
                "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Network/networkInterfaces/n",
                "type": "Microsoft.Network/networkInterfaces",
            }
        ],
        {
            "id": "/subscriptions/x/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v/extensions/e"
        },
        [],
        "text",
    ],
)
def test_other_json_is_not_an_export(value):
    assert not looks_like_live(value)


def test_check_names_the_shape_and_skips_template_rules_once(capsys):
    from armlint.cli import main

    code = main(["check", str(FIXTURES), "--no-cache", "--jobs", "1"])
    output = capsys.readouterr().out
    assert code == 1  # jump-01's AZP102
    assert output.count("AZP301, AZP302 and AZP303 need a template's apiVersion") == 1
    assert "10 VMs/scale sets" in output
    assert SHAPE_CLI  # the shape names are public: reports use them


def test_template_rules_are_those_reading_the_api_version():
    import yaml

    from armlint.live.records import TEMPLATE_RULES
    from armlint.paths import rules_dir

    reading = set()
    for path in sorted(Path(rules_dir()).glob("AZP*.yaml")):
        rule = yaml.safe_load(path.read_text(encoding="utf-8"))
        text = json.dumps({k: rule.get(k) for k in ("when", "at", "message", "check")})
        if "api_version" in text or rule.get("check") in ("azp301", "azp302"):
            reading.add(rule["id"])
    assert reading == set(TEMPLATE_RULES)


def test_template_rule_findings_on_live_records_are_dropped():
    from armlint.live.records import without_template_rules
    from armlint.model import Finding

    [record] = records_of("az-vm-show-d.json").records
    on_live = Finding("AZP302", "n", "info", "m", record.location, resource=record.identity)
    other = Finding("AZP102", "n", "error", "m", record.location, resource=record.identity)
    assert without_template_rules([on_live, other], [record]) == [other]


def test_inventory_and_plan_read_exports(capsys):
    from armlint.cli import main

    main(["inventory", str(FIXTURES), "--format", "json"])
    rows = json.loads(capsys.readouterr().out)["vms"]
    names = sorted(row["name"].split(" ")[0] for row in rows)
    assert names == sorted(
        [
            "web-0",
            "web-1",
            "app-01",
            "db-01",
            "jump-01",
            "api-flex",
            "app-02",
            "web-0",
            "batch-07",
            "web-2",
        ]
    )
    main(["plan", str(FIXTURES / "az-vm-list.json"), "--format", "json"])
    plan = json.loads(capsys.readouterr().out)
    batched = [vm for batch in plan["batches"] for vm in batch["vms"]]
    assert sorted(batched) == ["web-0", "web-1"]  # the two AutomaticByPlatform VMs of the list


class _Document:
    def __init__(self, path: str, value) -> None:
        self.path, self.value = path, value


def _graph_row(name: str) -> dict:
    return {
        "id": f"{SUBSCRIPTION}/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/{name}",
        "name": name,
        "type": "microsoft.compute/virtualmachines",
        "resourceGroup": "rg",
        "location": "westeurope",
        "properties": {"osProfile": {"linuxConfiguration": {"provisionVMAgent": True}}},
    }


def test_the_skipped_rules_note_is_said_once_for_many_folders(tmp_path):
    from armlint.run.pipeline import RunOptions, run_check

    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "vms.json").write_text((FIXTURES / "az-vm-list.json").read_text())
    result = run_check(RunOptions(paths=[str(tmp_path)]))
    assert sum(note.startswith("live exports:") for note in result.notes) == 1
