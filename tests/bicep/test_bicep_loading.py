"""armlint.bicep.load on the fixtures in tests/fixtures/bicep: records, facts, positions, notes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from armlint.bicep import load
from armlint.model import Unknown, VmRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "bicep"


def _load(*names: str):
    return load([FIXTURES / name for name in names])


def _only(result, name: str) -> VmRecord:
    found = [record for record in result.records if record.name == name]
    assert len(found) == 1, [record.name for record in result.records]
    return found[0]


def _at(record: VmRecord, fact: str) -> tuple[int, int]:
    location = record.fact(fact).location
    return location.line, location.column


# --- literal settings -------------------------------------------------------------------------


def test_literal_windows_vm_facts_and_positions():
    result = _load("literal.bicep")
    vm = _only(result, "vm-web-01")
    assert (vm.kind, vm.format, vm.resource_type) == (
        "vm",
        "bicep",
        "Microsoft.Compute/virtualMachines",
    )
    assert vm.address.endswith("literal.bicep:resource winVm")
    assert (vm.location.line, vm.location.column) == (7, 65)
    expected = {
        "patch_mode": ("AutomaticByPlatform", (24, 22)),
        "assessment_mode": ("AutomaticByPlatform", (25, 27)),
        "enable_hotpatching": (False, (26, 30)),
        "reboot_setting": ("IfRequired", (28, 28)),
        "bypass_platform_safety_checks": (False, (29, 55)),
        "enable_automatic_updates": (False, (20, 33)),
        "provision_vm_agent": (True, (21, 27)),
        "time_zone": ("W. Europe Standard Time", (22, 19)),
        "image_publisher": ("MicrosoftWindowsServer", (36, 20)),
        "image_sku": ("2022-datacenter-azure-edition", (38, 14)),
        "api_version": ("2023-03-01", (7, 16)),
        "location": ("westeurope", (9, 13)),
        "zones": (["1"], (10, 10)),
    }
    for fact, (value, position) in expected.items():
        assert vm.value(fact) == value, fact
        assert _at(vm, fact) == position, fact
        assert vm.fact(fact).source == "literal", fact
    assert vm.value("os") == "Windows"
    assert vm.value("automatic_by_platform_settings") is True
    assert _at(vm, "automatic_by_platform_settings") == (27, 40)
    assert vm.value("availability_set") == "Microsoft.Compute/availabilitySets/avset-web"
    assert _at(vm, "availability_set") == (15, 11)
    assert vm.value("health_extension") is False
    assert vm.value("maintenance_assignment") is False
    assert result.findings == []


def test_literal_scale_set_facts():
    vmss = _only(_load("literal.bicep"), "vmss-api")
    assert vmss.kind == "vmss"
    assert vmss.resource_type == "Microsoft.Compute/virtualMachineScaleSets"
    assert vmss.value("os") == "Linux"
    assert vmss.value("orchestration_mode") == "Flexible"
    assert _at(vmss, "orchestration_mode") == (49, 24)
    assert vmss.value("image_id").endswith("/galleries/g/images/api")
    assert vmss.value("health_extension") is True
    assert _at(vmss, "health_extension") == (73, 21)  # the extension's type
    assert vmss.value("patch_mode") == "AutomaticByPlatform"
    assert "enable_automatic_updates" not in vmss.facts  # Linux: no such setting


def test_property_names_and_type_are_case_insensitive():
    vm = _only(_load("casing.bicep"), "vm-casing")
    assert vm.resource_type == "Microsoft.Compute/virtualMachines"
    assert vm.value("patch_mode") == "AutomaticByOS"
    assert _at(vm, "patch_mode") == (10, 22)
    assert vm.value("enable_automatic_updates") is True
    assert vm.value("provision_vm_agent") == "true"  # a string stays a string: rules report it
    assert vm.value("location") == "eastus2"


# --- defaults ---------------------------------------------------------------------------------


def test_platform_defaults_point_at_the_object_where_the_property_belongs():
    vm = _only(_load("params.bicep"), "vm-eastus2-win")
    for fact, value in (
        ("patch_mode", "AutomaticByOS"),
        ("assessment_mode", "ImageDefault"),
        ("enable_automatic_updates", True),
        ("provision_vm_agent", True),
    ):
        assert vm.value(fact) == value
        assert vm.fact(fact).source == "default"
        assert _at(vm, fact) == (37, 29)  # the windowsConfiguration object
    assert "time_zone" not in vm.facts  # nullable parameter without a value: null, absent


def test_automatic_updates_off_without_patch_mode_means_manual(tmp_path):
    path = tmp_path / "legacy.bicep"
    path.write_text(
        "resource vm 'Microsoft.Compute/virtualMachines@2019-07-01' = {\n"
        "  name: 'vm-legacy'\n  location: 'eastus'\n  properties: {\n    osProfile: {\n"
        "      windowsConfiguration: {\n        enableAutomaticUpdates: false\n      }\n"
        "    }\n  }\n}\n",
        encoding="utf-8",
    )
    patch_mode = load([path]).records[0].fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("Manual", "default")
    assert patch_mode.trace == ("inferred from enableAutomaticUpdates false",)


def test_no_health_extension_is_a_determined_false():
    vm = _only(_load("params.bicep"), "vm-eastus2")
    for fact, step in (
        ("health_extension", "no application health extension found"),
        ("maintenance_assignment", "no maintenance assignment found"),
    ):
        assert vm.value(fact) is False
        assert vm.fact(fact).trace == (step,)
        assert _at(vm, fact) == (9, 62)  # the resource


def test_unknown_os_makes_the_patch_mode_default_unknown():
    record = next(r for r in _load("loop.bicep").records if r.name == "vm-alpha-0")
    assert isinstance(record.value("os"), Unknown)
    patch_mode = record.fact("patch_mode")
    assert isinstance(patch_mode.value, Unknown)
    # The reason names why the OS is unknown, worded as for ARM (one extractor, compute/arm_body).
    os_reason = record.value("os").reason
    assert os_reason.startswith("no windowsConfiguration, linuxConfiguration, osDisk.osType")
    assert (
        patch_mode.value.reason
        == f"depends on the operating system, which is unknown ({os_reason})"
    )
    assert patch_mode.source == "default"
    # provisionVMAgent defaults to true on both systems: known even when the OS is not.
    assert record.fact("provision_vm_agent").value is True


# --- parameters, variables, expressions -------------------------------------------------------


def test_parameter_defaults_are_used_and_traced():
    result = _load("params.bicep")
    vm = _only(result, "vm-eastus2")
    assert vm.value("patch_mode") == "AutomaticByPlatform"
    assert _at(vm, "patch_mode") == (17, 22)
    assert vm.fact("patch_mode").source == "evaluated"
    assert vm.fact("patch_mode").trace == ("param patchMode (params.bicep:3)",)
    assert vm.value("location") == "eastus2"
    assert vm.fact("location").trace == ("param location (params.bicep:2)",)
    assert vm.value("os") == "Linux"


def test_deployment_values_are_unknown_with_a_reason():
    vm = _only(_load("params.bicep"), "vm-eastus2-win")
    location = vm.fact("location")
    assert location.source == "unknown"
    assert isinstance(location.value, Unknown)
    assert "resourceGroup()" in location.value.reason
    assert (location.location.line, location.location.column) == (34, 13)


def test_allowed_values_are_explored_one_record_each():
    records = _load("allowed.bicep").records
    assert [r.scenario for r in records] == [
        (("patchMode", "AutomaticByOS"),),
        (("patchMode", "Manual"),),
        (("patchMode", "AutomaticByPlatform"),),
    ]  # vmSize has @allowed too, but no VM fact depends on it
    assert [r.value("patch_mode") for r in records] == [
        "AutomaticByOS",
        "Manual",
        "AutomaticByPlatform",
    ]
    assert [r.value("enable_automatic_updates") for r in records] == [True, False, True]
    assert {r.identity for r in records} == {records[0].identity}
    assert all(_at(r, "patch_mode") == (26, 22) for r in records)


def test_allowed_on_an_array_parameter_limits_items_and_is_not_explored(tmp_path):
    path = tmp_path / "zones.bicep"
    path.write_text(
        "@allowed([\n  1\n  2\n  3\n])\nparam availabilityZones int[] = [1, 2]\n"
        "resource vmss 'Microsoft.Compute/virtualMachineScaleSets@2024-03-01' = {\n"
        "  name: 'vmss-zones'\n  location: 'eastus'\n"
        "  zones: map(availabilityZones, zone => '${zone}')\n  properties: {}\n}\n",
        encoding="utf-8",
    )
    records = load([path]).records
    assert [(r.scenario, r.value("zones")) for r in records] == [((), ["1", "2"])]


def test_exploration_can_be_turned_off():
    records = load([FIXTURES / "allowed.bicep"], explore=False).records
    assert [(r.scenario, r.value("patch_mode")) for r in records] == [((), "AutomaticByOS")]


def test_allowed_value_exploration_is_capped(tmp_path):
    params = "\n".join(
        f"@allowed([\n  'a{i}'\n  'b{i}'\n])\nparam p{i} string = 'a{i}'" for i in range(7)
    )
    tags = ", ".join(f"p{i}: p{i}" for i in range(7))
    path = tmp_path / "many.bicep"
    path.write_text(
        f"{params}\nresource vm 'Microsoft.Compute/virtualMachines@2022-11-01' = {{\n"
        f"  name: 'vm-many'\n  location: 'eastus'\n  properties: {{\n    osProfile: {{\n"
        "      linuxConfiguration: {\n        patchSettings: {\n"
        f"          patchMode: join([{', '.join(f'p{i}' for i in range(7))}], '-')\n"
        f"        }}\n      }}\n    }}\n  }}\n  tags: {{ {tags} }}\n}}\n",
        encoding="utf-8",
    )
    result = load([path])
    assert len(result.records) == 64
    assert any("explored 64 of 128" in note for note in result.notes)


def test_variables_ternary_safe_access_and_coalesce():
    vm = _only(_load("vars_ternary.bicep"), "vm-windows")
    assert vm.value("os") == "Windows"  # osType =~ 'Windows' is true for 'windows'
    patch_mode = vm.fact("patch_mode")
    assert patch_mode.value == "AutomaticByPlatform"
    assert (patch_mode.location.line, patch_mode.location.column) == (14, 16)
    assert "var windowsConfiguration (vars_ternary.bicep:11)" in patch_mode.trace
    assert "param settings (vars_ternary.bicep:3)" in patch_mode.trace
    assert vm.value("assessment_mode") == "ImageDefault"  # overrides.?assessment is null
    assert vm.value("enable_automatic_updates") is True
    assert vm.fact("enable_automatic_updates").source == "evaluated"  # reached through a var


# --- loops, conditions, existing --------------------------------------------------------------


def test_resource_loop_makes_one_record_per_instance():
    records = [r for r in _load("loop.bicep").records if r.group == "vms"]
    assert [(r.name, r.index) for r in records] == [("vm-0", 0), ("vm-1", 1), ("vm-2", 2)]
    assert [r.value("zones") for r in records] == [["1"], ["2"], ["3"]]
    assert [r.value("patch_mode") for r in records] == [
        "ImageDefault",
        "AutomaticByPlatform",
        "AutomaticByPlatform",
    ]
    assert records[0].identity.endswith("resource vms[0]")
    named = [r.name for r in _load("loop.bicep").records if r.group == "named"]
    assert named == ["vm-alpha-0", "vm-beta-1"]


def test_resource_conditions():
    records = {r.name: r for r in _load("condition.bicep").records}
    assert set(records) == {"vm-new", "vm-maybe"}  # deployLegacy is false: no record
    assert records["vm-new"].condition_unknown is False
    assert records["vm-maybe"].condition_unknown is True


def test_existing_resources_are_not_vms():
    result = _load("existing.bicep")
    assert result.records == []
    assert [(f.kind, f.status) for f in result.files] == [("bicep", "linted")]


# --- modules ----------------------------------------------------------------------------------


def test_local_module_is_evaluated_through_its_caller_only():
    result = _load("modules/main.bicep", "modules/vm.bicep")
    assert [f.kind for f in result.files] == ["bicep", "bicep"]
    assert [r.name for r in result.records] == ["vm-app", "vm-loop-0", "vm-loop-1"]
    app = result.records[0]
    assert app.address.endswith("modules/main.bicep:module vmMod/resource vm")
    assert app.path.endswith("modules/vm.bicep")
    assert app.value("patch_mode") == "AutomaticByPlatform"
    assert _at(app, "patch_mode") == (13, 22)  # the property in vm.bicep
    assert app.fact("patch_mode").trace == (
        "param patchMode (vm.bicep:4)",
        "set in main.bicep:8",
        "param mode (main.bicep:2)",
    )
    assert app.value("location") == "eastus"  # the module's own default
    looped = result.records[1:]
    assert [r.address.rsplit(":", 1)[1] for r in looped] == [
        "module looped[0]/resource vm",
        "module looped[1]/resource vm",
    ]
    assert [r.index for r in looped] == [0, 1]
    assert looped[0].group == looped[1].group != ""
    assert looped[0].fact("patch_mode").trace == (
        "param patchMode (vm.bicep:4)",
        "set in main.bicep:16",
    )


def test_module_file_alone_is_a_root_with_defaults():
    result = _load("modules/vm.bicep")
    record = result.records[0]
    assert record.name == "vm"  # vmName has no value: the symbolic name stands in
    assert record.value("patch_mode") == "ImageDefault"
    assert record.address.endswith("modules/vm.bicep:resource vm")


def test_registry_modules_are_skipped_with_a_note():
    result = _load("registry/main.bicep")
    assert any("2 registry module(s)" in note for note in result.notes)
    patch_mode = result.records[0].fact("patch_mode")
    assert isinstance(patch_mode.value, Unknown)
    assert (
        "registry module br/public:avm/res/compute/virtual-machine:0.10.0"
        in patch_mode.value.reason
    )


def test_health_extension_from_a_local_module_is_found_by_vm_name():
    vm = _only(_load("modules_health/main.bicep"), "vm-app")
    assert vm.value("health_extension") is True
    assert vm.fact("health_extension").location.path.endswith("modules_health/extension.bicep")
    assert _at(vm, "health_extension") == (15, 11)


def test_health_extensions_and_maintenance_assignment():
    records = {r.name: r for r in _load("health_maintenance.bicep").records}
    web = records["vm-web"]
    assert web.value("health_extension") is True
    assert _at(web, "health_extension") == (18, 13)  # nested child extension
    assert web.value("maintenance_assignment") is True
    assert _at(web, "maintenance_assignment") == (45, 1)
    assert records["vm-worker-0"].value("health_extension") is True  # parent: workers[i]
    assert records["vm-worker-1"].value("health_extension") is False  # not a health type
    assert records["vm-worker-0"].value("maintenance_assignment") is False


# --- .bicepparam ------------------------------------------------------------------------------


def test_bicepparam_files_bind_their_template_once_each():
    result = _load(
        "bicepparam/main.bicep", "bicepparam/prod.bicepparam", "bicepparam/test.bicepparam"
    )
    assert [f.kind for f in result.files] == ["bicep", "bicepparam", "bicepparam"]
    assert result.findings == []  # 'param x = value' is not a syntax error in a .bicepparam
    assert len(result.records) == 2  # main.bicep is not evaluated on its own
    prod, test = result.records
    assert prod.value("patch_mode") == "Manual"
    assert prod.fact("patch_mode").trace == (
        "param patchMode (main.bicep:2)",
        "set in prod.bicepparam:5",
    )
    assert _at(prod, "patch_mode") == (14, 22)
    assert prod.value("enable_automatic_updates") is False
    assert prod.value("location") == "westeurope"
    assert "var region (prod.bicepparam:3)" in prod.fact("location").trace
    assert test.value("patch_mode") == "AutomaticByPlatform"
    assert test.value("enable_automatic_updates") is True
    assert isinstance(test.value("location"), Unknown)
    assert prod.identity != test.identity
    assert prod.parameter_file == "prod.bicepparam"


# --- syntax and encodings ---------------------------------------------------------------------


def test_syntax_errors_are_reported_and_the_rest_is_used():
    result = _load("syntax_error.bicep")
    errors = [
        (f.rule, f.name, f.severity, f.location.line, f.location.column) for f in result.findings
    ]
    # The loader gives the rule id only; the findings path names and grades it from the pack.
    assert errors == [("AZP001", "", "", 10, 33), ("AZP001", "", "", 19, 14)]
    assert "'='" in result.findings[0].message
    records = {r.name: r for r in result.records}
    assert set(records) == {"vm-first", "vm-second"}
    assert records["vm-first"].value("enable_automatic_updates") is False
    assert records["vm-first"].value("patch_mode") == "Manual"
    assert records["vm-second"].value("patch_mode") == "AutomaticByPlatform"
    assert _at(records["vm-second"], "patch_mode") == (28, 22)
    assert result.files[0].status == "linted"


def test_non_utf8_file_is_a_parse_error_at_the_start(tmp_path):
    path = tmp_path / "latin1.bicep"
    path.write_bytes("param name string = 'caf\u00e9'\n".encode("latin-1"))
    result = load([path])
    assert [(f.rule, f.location.line, f.location.column) for f in result.findings] == [
        ("AZP001", 1, 1)
    ]
    assert result.files[0].status == "error"
    assert result.records == []


def test_columns_count_characters_not_bytes():
    vm = _only(_load("unicode.bicep"), "vm-ünïcödé")
    assert _at(vm, "patch_mode") == (8, 53)
    assert _at(vm, "assessment_mode") == (8, 79)
    assert _at(vm, "enable_automatic_updates") == (9, 41)


def test_missing_file_gets_an_error_report(tmp_path):
    result = load([tmp_path / "absent.bicep"])
    assert [(f.kind, f.status) for f in result.files] == [("bicep", "error")]


# --- budget and import cost -------------------------------------------------------------------


def test_step_budget_is_reported(monkeypatch):
    from armlint.bicep import loader

    monkeypatch.setattr(loader, "STEP_BUDGET", 5)
    result = _load("literal.bicep")
    assert any("evaluation stopped after 5 steps" in note for note in result.notes)
    assert len(result.records) == 2  # still one record per VM, with unknown values


@pytest.mark.parametrize("module", ["armlint.bicep"])
def test_importing_the_package_does_not_import_tree_sitter(module):
    code = f"import sys, {module}; print('tree_sitter' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_bicepparam_reads_its_template_even_when_not_given():
    result = _load("bicepparam/prod.bicepparam")
    assert [f.kind for f in result.files] == ["bicepparam"]
    assert [r.value("patch_mode") for r in result.records] == ["Manual"]
    assert result.records[0].path.endswith("bicepparam/main.bicep")


def test_loop_over_an_unknown_array_makes_one_flagged_record(tmp_path):
    path = tmp_path / "unknown_loop.bicep"
    path.write_text(
        "param names array\n"
        "resource vms 'Microsoft.Compute/virtualMachines@2022-11-01' = [for name in names: {\n"
        "  name: name\n  location: 'eastus'\n  properties: {}\n}]\n",
        encoding="utf-8",
    )
    records = load([path]).records
    assert len(records) == 1
    assert records[0].instances_unknown is True
    assert records[0].name == "vms"  # the name is unknown: the symbolic name stands in
    assert records[0].group == "vms"


def test_imported_names_are_unknown_with_a_reason(tmp_path):
    path = tmp_path / "imports.bicep"
    path.write_text(
        "import { defaults as patchDefaults } from 'shared.bicep'\n"
        "resource vm 'Microsoft.Compute/virtualMachines@2022-11-01' = {\n"
        "  name: 'vm-imports'\n  location: 'eastus'\n  properties: {\n"
        "    osProfile: {\n      linuxConfiguration: {\n        patchSettings: {\n"
        "          patchMode: patchDefaults.mode\n        }\n      }\n    }\n  }\n}\n",
        encoding="utf-8",
    )
    result = load([path])
    assert result.findings == []
    patch_mode = result.records[0].value("patch_mode")
    assert patch_mode == Unknown("'patchDefaults' is imported from another file and not evaluated")
