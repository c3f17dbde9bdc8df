"""The real fleet shape: update domain counts read from availability sets, VMs patched on a
maintenance schedule, plan settings from the configuration and the command line, and the
deployment context (--location, --set, --var).

Sources: S11 (availability sets: up to 20 update domains, round robin in placement order);
domain.md 8.1 from the azurerm provider (S6: ``platform_update_domain_count`` default 5, range
1-20); domain.md 8.2 from the maintenance-configurations doc (MC) and S7 (a schedule "will
initiate updates on all resources associated with it simultaneously", update domain by update
domain inside an availability set). Each template is written here, in every format, from those
documents' property names.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from armlint.cli import main

IMAGE = {
    "publisher": "Canonical",
    "offer": "0001-com-ubuntu-server-jammy",
    "sku": "22_04-lts-gen2",
}


# --- templates, one per format ---------------------------------------------------------------


def arm_fleet(ud: int | None, scheduled: bool = False, configurations: int = 1) -> str:
    set_properties = {} if ud is None else {"platformUpdateDomainCount": ud}
    patch = {"patchMode": "AutomaticByPlatform"}
    if scheduled:
        patch["automaticByPlatformSettings"] = {"bypassPlatformSafetyChecksOnUserSchedule": True}
    resources = [
        {
            "type": "Microsoft.Compute/availabilitySets",
            "apiVersion": "2023-03-01",
            "name": "as-web",
            "location": "[resourceGroup().location]",
            "properties": set_properties,
        },
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2023-03-01",
            "name": "[concat('web-', copyIndex())]",
            "location": "[resourceGroup().location]",
            "copy": {"name": "web", "count": 3},
            "properties": {
                "availabilitySet": {
                    "id": "[resourceId('Microsoft.Compute/availabilitySets', 'as-web')]"
                },
                "storageProfile": {"imageReference": {**IMAGE, "version": "latest"}},
                "osProfile": {"linuxConfiguration": {"patchSettings": patch}},
            },
        },
    ]
    if scheduled:
        resources += [_arm_configuration(f"mc-{n}", 22 - n) for n in range(configurations)]
        resources.append(
            {
                "type": "Microsoft.Maintenance/configurationAssignments",
                "apiVersion": "2023-04-01",
                "name": "[concat('assign-', copyIndex())]",
                "location": "[resourceGroup().location]",
                "scope": "[concat('Microsoft.Compute/virtualMachines/web-', copyIndex())]",
                "copy": {"name": "assign", "count": 3},
                "properties": {
                    "maintenanceConfigurationId": (
                        "[resourceId('Microsoft.Maintenance/maintenanceConfigurations', "
                        f"concat('mc-', mod(copyIndex(), {configurations})))]"
                    )
                },
            }
        )
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": resources,
    }
    return json.dumps(template, indent=2)


def _arm_configuration(name: str, hour: int) -> dict:
    return {
        "type": "Microsoft.Maintenance/maintenanceConfigurations",
        "apiVersion": "2023-04-01",
        "name": name,
        "location": "[resourceGroup().location]",
        "properties": {
            "maintenanceScope": "InGuestPatch",
            "maintenanceWindow": {
                "startDateTime": f"2026-01-03 {hour:02d}:00",
                "duration": "03:00",
                "timeZone": "W. Europe Standard Time",
                "recurEvery": "1Week Saturday",
            },
        },
    }


def bicep_fleet(ud: int | None, scheduled: bool = False, configurations: int = 1) -> str:
    count = "" if ud is None else f"    platformUpdateDomainCount: {ud}\n"
    bypass = (
        " automaticByPlatformSettings: { bypassPlatformSafetyChecksOnUserSchedule: true }"
        if scheduled
        else ""
    )
    text = f"""
resource avset 'Microsoft.Compute/availabilitySets@2023-03-01' = {{
  name: 'as-web'
  location: resourceGroup().location
  properties: {{
{count}  }}
}}

resource vm 'Microsoft.Compute/virtualMachines@2023-03-01' = [for i in range(0, 3): {{
  name: 'web-${{i}}'
  location: resourceGroup().location
  properties: {{
    availabilitySet: {{ id: avset.id }}
    storageProfile: {{ imageReference: {{ publisher: '{IMAGE["publisher"]}', offer: '{IMAGE["offer"]}', sku: '{IMAGE["sku"]}', version: 'latest' }} }}
    osProfile: {{ linuxConfiguration: {{ patchSettings: {{ patchMode: 'AutomaticByPlatform'{bypass} }} }} }}
  }}
}}]
"""
    if scheduled:
        for n in range(configurations):
            text += f"""
resource mc{n} 'Microsoft.Maintenance/maintenanceConfigurations@2023-04-01' = {{
  name: 'mc-{n}'
  location: resourceGroup().location
  properties: {{
    maintenanceScope: 'InGuestPatch'
    maintenanceWindow: {{ startDateTime: '2026-01-03 {22 - n:02d}:00', duration: '03:00', timeZone: 'W. Europe Standard Time', recurEvery: '1Week Saturday' }}
  }}
}}
"""
        ids = ", ".join(f"mc{n}.id" for n in range(configurations))
        text += f"""
var configurationIds = [{ids}]

resource assign 'Microsoft.Maintenance/configurationAssignments@2023-04-01' = [for i in range(0, 3): {{
  name: 'assign-${{i}}'
  scope: vm[i]
  location: resourceGroup().location
  properties: {{ maintenanceConfigurationId: configurationIds[i % {configurations}] }}
}}]
"""
    return text


def terraform_fleet(ud: int | None, scheduled: bool = False, configurations: int = 1) -> str:
    count = "" if ud is None else f"  platform_update_domain_count = {ud}\n"
    bypass = (
        "  bypass_platform_safety_checks_on_user_schedule_enabled = true\n" if scheduled else ""
    )
    text = f"""
variable "location" {{}}

resource "azurerm_resource_group" "rg" {{
  name     = "rg-web"
  location = var.location
}}

resource "azurerm_availability_set" "web" {{
  name                = "as-web"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
{count}}}

resource "azurerm_linux_virtual_machine" "web" {{
  count                 = 3
  name                  = "web-${{count.index}}"
  location              = azurerm_resource_group.rg.location
  resource_group_name   = azurerm_resource_group.rg.name
  size                  = "Standard_D2s_v5"
  admin_username        = "azureuser"
  availability_set_id   = azurerm_availability_set.web.id
  network_interface_ids = []
  patch_mode            = "AutomaticByPlatform"
{bypass}  os_disk {{
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }}
  source_image_reference {{
    publisher = "{IMAGE["publisher"]}"
    offer     = "{IMAGE["offer"]}"
    sku       = "{IMAGE["sku"]}"
    version   = "latest"
  }}
}}
"""
    if scheduled:
        for n in range(configurations):
            text += f"""
resource "azurerm_maintenance_configuration" "mc{n}" {{
  name                     = "mc-{n}"
  resource_group_name      = azurerm_resource_group.rg.name
  location                 = azurerm_resource_group.rg.location
  scope                    = "InGuestPatch"
  in_guest_user_patch_mode = "User"
  window {{
    start_date_time = "2026-01-03 {22 - n:02d}:00"
    duration        = "03:00"
    time_zone       = "W. Europe Standard Time"
    recur_every     = "1Week Saturday"
  }}
}}
"""
        ids = ", ".join(
            f"azurerm_maintenance_configuration.mc{n}.id" for n in range(configurations)
        )
        text += f"""
locals {{
  configuration_ids = [{ids}]
}}

resource "azurerm_maintenance_assignment_virtual_machine" "web" {{
  count                        = 3
  location                     = azurerm_resource_group.rg.location
  maintenance_configuration_id = local.configuration_ids[count.index % {configurations}]
  virtual_machine_id           = azurerm_linux_virtual_machine.web[count.index].id
}}
"""
    return text


FORMATS = {
    "arm": ("main.json", arm_fleet),
    "bicep": ("main.bicep", bicep_fleet),
    "terraform": ("main.tf", terraform_fleet),
}


def write_fleet(folder: Path, fmt: str, ud: int | None, **options) -> Path:
    name, make = FORMATS[fmt]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(make(ud, **options), encoding="utf-8")
    return folder


def plan_json(capsys, *arguments: str) -> dict:
    code = main(["plan", "--format", "json", *arguments])
    captured = capsys.readouterr()
    assert code in (0, 1), captured.err
    return json.loads(captured.out)


def set_batches(plan: dict) -> list[tuple[int, list[str]]]:
    return [(b["update_domain"], b["vms"]) for b in plan["batches"] if b["availability_set"]]


# --- update domain counts from the set --------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_set_declared_with_two_update_domains_alternates_them(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=2)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    # S11 round robin over 2 domains: web-0 and web-2 in UD 0, web-1 in UD 1; a set of fewer
    # than 10 VMs goes one VM at a time (S1)
    assert set_batches(plan) == [(0, ["web-0"]), (0, ["web-2"]), (1, ["web-1"])]
    assert "AZP502" not in {f["rule"] for f in plan["findings"]}
    assert not [a for a in plan["assumptions"] if "platformUpdateDomainCount not given" in a]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_set_declared_with_one_update_domain_reports_azp502(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=1)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    assert set_batches(plan) == [(0, ["web-0"]), (0, ["web-1"]), (0, ["web-2"])]
    [finding] = [f for f in plan["findings"] if f["rule"] == "AZP502"]
    assert "declares platformUpdateDomainCount 1" in finding["message"]


def test_terraform_absent_count_takes_the_provider_default_of_five(tmp_path, capsys):
    folder = write_fleet(tmp_path / "tf", "terraform", ud=None)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    assert set_batches(plan) == [(0, ["web-0"]), (1, ["web-1"]), (2, ["web-2"])]
    assert any("azurerm provider's default 5" in a for a in plan["assumptions"])


@pytest.mark.parametrize("fmt", ["arm", "bicep"])
def test_arm_and_bicep_absent_count_is_an_assumption(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=None)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    assert any("platformUpdateDomainCount not given, 5 assumed" in a for a in plan["assumptions"])


def test_an_unknown_declared_count_is_named_and_the_default_stands_in(tmp_path, capsys):
    folder = tmp_path / "arm"
    folder.mkdir()
    text = arm_fleet(ud=2).replace(
        '"platformUpdateDomainCount": 2', '"platformUpdateDomainCount": "[parameters(\'ud\')]"'
    )
    data = json.loads(text)
    data["parameters"] = {"ud": {"type": "int"}}
    (folder / "main.json").write_text(json.dumps(data), encoding="utf-8")
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    assert any("platformUpdateDomainCount is unknown" in a for a in plan["assumptions"])
    # --set binds the parameter like az deployment --parameters ud=1
    plan = plan_json(capsys, str(folder), "--location", "westeurope", "--set", "ud=1")
    assert "AZP502" in {f["rule"] for f in plan["findings"]}


# --- maintenance schedules --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_schedule_patched_fleet_is_grouped_by_schedule(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=5, scheduled=True, configurations=2)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    assert plan["batches"] == []  # not batched availability-first
    groups = {g["schedule"]: g for g in plan["schedules"]}
    assert set(groups) == {"mc-0", "mc-1"}
    members = {name: [vm for b in g["batches"] for vm in b["vms"]] for name, g in groups.items()}
    assert members == {"mc-0": ["web-0", "web-2"], "mc-1": ["web-1"]}
    # each in its own update domain of the set: one step per domain (S7); mc-1's only VM is in
    # domain 1, and nothing of mc-1 waits for it
    assert [(b["step"], b["update_domain"]) for b in groups["mc-0"]["batches"]] == [(1, 0), (2, 2)]
    assert [(b["step"], b["update_domain"]) for b in groups["mc-1"]["batches"]] == [(1, 1)]
    # the window is the configuration's: 22:00 W. Europe (UTC+1 in January)
    assert groups["mc-0"]["window"]["local"] == "22:00-01:00"
    assert groups["mc-0"]["window"]["utc"] == "21:00-00:00"
    assert "AZP504" not in {f["rule"] for f in plan["findings"]}


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_redundancy_group_on_one_schedule_gets_azp504(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=1, scheduled=True, configurations=1)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    [group] = plan["schedules"]
    assert [b["vms"] for b in group["batches"]] == [["web-0", "web-1", "web-2"]]
    [finding] = [f for f in plan["findings"] if f["rule"] == "AZP504"]
    assert "maintenance configuration mc-0 at the same time" in finding["message"]


def test_a_set_with_several_update_domains_keeps_one_schedule_apart(tmp_path, capsys):
    folder = write_fleet(tmp_path / "arm", "arm", ud=3, scheduled=True, configurations=1)
    plan = plan_json(capsys, str(folder), "--location", "westeurope")
    [group] = plan["schedules"]
    assert [b["step"] for b in group["batches"]] == [1, 2, 3]
    assert "AZP504" not in {f["rule"] for f in plan["findings"]}


# --- plan settings ----------------------------------------------------------------------------


def plain_fleet(folder: Path, count: int) -> Path:
    """``count`` VMs outside any set in westeurope: best-effort batches."""
    folder.mkdir(parents=True, exist_ok=True)
    template = json.loads(arm_fleet(ud=None))
    template["resources"] = template["resources"][1:]
    vm = template["resources"][0]
    vm["copy"]["count"] = count
    del vm["properties"]["availabilitySet"]
    (folder / "main.json").write_text(json.dumps(template), encoding="utf-8")
    return folder


def test_plan_settings_from_the_configuration(tmp_path, capsys, monkeypatch):
    folder = plain_fleet(tmp_path / "fleet", 5)
    config = tmp_path / ".armlint.yaml"
    config.write_text(
        "location: westeurope\n"
        "plan:\n  window: '23:00-05:00'\n  batch-size: 2\n  date: '2026-07-15'\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    plan = plan_json(capsys, str(folder), "--config", str(config))
    assert [len(b["vms"]) for b in plan["batches"]] == [2, 2, 1]
    entry = plan["batches"][0]["window"]["by_time_zone"][0]
    # westeurope is Europe/Amsterdam in armlint's table: UTC+2 on 15 July
    assert (entry["local"], entry["utc"]) == ("23:00-05:00", ["21:00-03:00"])
    assert any("2026-07-15" in a for a in plan["assumptions"])


def test_command_line_plan_settings_win_over_the_configuration(tmp_path, capsys, monkeypatch):
    folder = plain_fleet(tmp_path / "fleet", 5)
    config = tmp_path / ".armlint.yaml"
    config.write_text("plan:\n  batch-size: 2\n  window: '23:00-05:00'\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    arguments = ["--config", str(config), "--location", "westeurope"]
    plan = plan_json(capsys, str(folder), *arguments, "--batch-size", "4", "--window", "1-4")
    assert [len(b["vms"]) for b in plan["batches"]] == [4, 1]
    assert plan["batches"][0]["window"]["by_time_zone"][0]["local"] == "01:00-04:00"


def test_update_domain_override_wins_over_the_template(tmp_path, capsys):
    folder = write_fleet(tmp_path / "arm", "arm", ud=1)
    plan = plan_json(
        capsys, str(folder), "--location", "westeurope", "--update-domains", "as-web=3"
    )
    assert set_batches(plan) == [(0, ["web-0"]), (1, ["web-1"]), (2, ["web-2"])]
    assert "AZP502" not in {f["rule"] for f in plan["findings"]}


@pytest.mark.parametrize(
    ("flag", "value", "message"),
    [
        ("--window", "late", "plan window 'late' must be START-END"),
        ("--date", "15/07/2026", "plan date '15/07/2026' must be YYYY-MM-DD"),
        ("--update-domains", "as-web", "--update-domains 'as-web' must be NAME=VALUE"),
        ("--set", "nothing", "--set 'nothing' must be NAME=VALUE"),
    ],
)
def test_bad_plan_settings_are_one_line_errors(tmp_path, capsys, flag, value, message):
    folder = plain_fleet(tmp_path / "fleet", 1)
    assert main(["plan", str(folder), flag, value]) == 2
    assert message in capsys.readouterr().err


def test_a_bad_plan_key_in_the_configuration_is_refused(tmp_path, capsys):
    config = tmp_path / ".armlint.yaml"
    config.write_text("plan:\n  batchsize: 2\n", encoding="utf-8")
    assert main(["plan", str(tmp_path), "--config", str(config)]) == 2
    assert "batchsize" in capsys.readouterr().err


# --- the deployment context -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_location_binds_the_resource_group_location(tmp_path, capsys, fmt):
    folder = write_fleet(tmp_path / fmt, fmt, ud=2)
    unknown = plan_json(capsys, str(folder))
    assert {b["region"] for b in unknown["batches"]} == {"unknown"}
    known = plan_json(capsys, str(folder), "--location", "West Europe")
    assert {b["region"] for b in known["batches"]} == {"westeurope"}


def test_location_provenance_says_from_location(tmp_path):
    from armlint.model import DeploymentContext
    from armlint.pipeline import RunOptions, load_records

    folder = write_fleet(tmp_path / "tf", "terraform", ud=2)
    context = DeploymentContext(location="westeurope")
    loaded = load_records(RunOptions(paths=[str(folder)], explore=False, deployment=context))
    fact = loaded.records[0].fact("location")
    assert fact.value == "westeurope"
    assert "from --location" in fact.describe_source()


def test_var_binds_a_terraform_variable(tmp_path, capsys):
    folder = write_fleet(tmp_path / "tf", "terraform", ud=2)
    plan = plan_json(capsys, str(folder), "--var", "location=northeurope")
    assert {b["region"] for b in plan["batches"]} == {"northeurope"}


def test_set_binds_a_bicep_parameter(tmp_path, capsys):
    folder = tmp_path / "bicep"
    folder.mkdir()
    text = "param udCount int\n" + bicep_fleet(ud=2).replace(
        "platformUpdateDomainCount: 2", "platformUpdateDomainCount: udCount"
    )
    (folder / "main.bicep").write_text(text, encoding="utf-8")
    plan = plan_json(capsys, str(folder), "--location", "westeurope", "--set", "udCount=1")
    assert "AZP502" in {f["rule"] for f in plan["findings"]}
