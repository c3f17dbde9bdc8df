"""Variables, tfvars, optional() defaults, locals, expressions and functions."""

from __future__ import annotations

from pathlib import Path

import pytest
from tf_helpers import FIXTURES, at, load_fixture, record

import armlint.terraform as terraform
from armlint.model import SOURCE_DEFAULT, SOURCE_EVALUATED, SOURCE_UNKNOWN, Unknown

PROBE = """
variable "name" {{
  default = "web"
}}

variable "no_value" {{
  type = string
}}

variable "sizes" {{
  default = {{ small = 1, large = 3 }}
}}

variable "nothing" {{
  default = null
}}

data "azurerm_client_config" "current" {{}}

locals {{
  list = ["a", "b", "c"]
  probe = {expr}
}}

resource "azurerm_linux_virtual_machine" "probe" {{
  name       = "probe"
  location   = "westeurope"
  patch_mode = local.probe
}}
"""


def evaluate(tmp_path: Path, expr: str):
    (tmp_path / "main.tf").write_text(PROBE.format(expr=expr))
    result = terraform.load([tmp_path / "main.tf"])
    assert result.findings == [], result.findings
    return record(result, "azurerm_linux_virtual_machine.probe").value("patch_mode")


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('"${var.name}-vm"', "web-vm"),
        ('var.name == "web" ? "A" : "B"', "A"),
        ('var.name != "web"', False),
        ("!(1 > 2) && (true || false)", True),
        ("(2 + 3) * 4 - 10 / 5 % 3", 18),
        ('coalesce(var.nothing, "", "x")', "x"),
        ('lookup(var.sizes, "large", 0)', 3),
        ('lookup(var.sizes, "huge", 0)', 0),
        ("merge(var.sizes, { large = 5 }).large", 5),
        ('try(var.nothing.field, "fallback")', "fallback"),
        ("can(var.nothing.field)", False),
        ('lower("MiXed")', "mixed"),
        ('upper("x")', "X"),
        ('tobool("true")', True),
        ("tostring(5)", "5"),
        ('tonumber("7")', 7),
        ('contains(local.list, "b")', True),
        ("length(local.list)", 3),
        ('concat(local.list, ["d"])', ["a", "b", "c", "d"]),
        ("element(local.list, 4)", "b"),
        ('format("%s-%03d", "vm", 7)', "vm-007"),
        ('join(",", local.list)', "a,b,c"),
        ('replace("a b c", " ", "")', "abc"),
        ('replace("vm-01", "/[0-9]+/", "N")', "vm-N"),
        ('startswith("Windows", "Win")', True),
        ('endswith("Windows", "dows")', True),
        ("local.list[1]", "b"),
        ('var.sizes["small"]', 1),
        ('[for s in local.list : upper(s) if s != "b"]', ["A", "C"]),
        ("{ for k, v in var.sizes : k => v * 2 }", {"large": 6, "small": 2}),
        ("[{ id = 1 }, { id = 2 }][*].id", [1, 2]),
        ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
    ],
)
def test_expressions(tmp_path, expr, expected):
    assert evaluate(tmp_path, expr) == expected


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        ("var.no_value", "var.no_value has no default and no value"),
        ('"${var.no_value}-x"', "var.no_value has no default and no value"),
        ('var.no_value == "x" ? "A" : "B"', "var.no_value has no default and no value"),
        ("timestamp()", "function timestamp() is not evaluated"),
        (
            "azurerm_resource_group.rg.id",
            "azurerm_resource_group.rg is not declared in the loaded files",
        ),
        ("data.azurerm_client_config.current.tenant_id", "is read from Azure during plan"),
    ],
)
def test_unknown_values_keep_their_reason(tmp_path, expr, reason):
    value = evaluate(tmp_path, expr)
    assert isinstance(value, Unknown)
    assert reason in value.reason


def test_unknown_condition_with_equal_branches_is_known(tmp_path):
    assert evaluate(tmp_path, 'var.no_value == "x" ? "same" : "same"') == "same"


def test_known_operand_decides_a_logical_operator(tmp_path):
    assert evaluate(tmp_path, 'false && var.no_value == "x"') is False
    assert evaluate(tmp_path, 'var.no_value == "x" || true') is True


def test_configured_argument_of_another_resource_is_known(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_resource_group" "rg" {\n  location = "West Europe"\n}\n'
        'resource "azurerm_linux_virtual_machine" "vm" {\n'
        "  location = azurerm_resource_group.rg.location\n"
        "  patch_mode = azurerm_resource_group.rg.name\n}\n"
    )
    vm = record(terraform.load([tmp_path / "main.tf"]), "azurerm_linux_virtual_machine.vm")
    assert vm.value("location") == "westeurope"
    assert vm.fact("location").trace == ("azurerm_resource_group.rg.location (main.tf:2)",)
    assert vm.value("patch_mode") == Unknown("azurerm_resource_group.rg.name is known after apply")


# --- the variables fixture ---------------------------------------------------------------


@pytest.fixture(scope="module")
def variables():
    return load_fixture("variables")


def test_tfvars_override_defaults_with_trace(variables):
    vm = record(variables, "azurerm_windows_virtual_machine.vm")
    patch_mode = vm.fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("Manual", SOURCE_EVALUATED)
    assert at(patch_mode) == ("main.tf", 4, 30)
    assert patch_mode.trace[:3] == (
        "local.patch_mode (locals.tf:2)",
        "var.patch_mode (variables.tf:1)",
        "set in terraform.tfvars:2",
    )


def test_auto_tfvars_and_location_normalised(variables):
    vm = record(variables, "azurerm_windows_virtual_machine.vm")
    location = vm.fact("location")
    assert location.value == "northeurope"
    assert location.trace == ("var.location (variables.tf:6)", "set in override.auto.tfvars:1")
    assert vm.name == "vm-northeurope"


def test_conditional_local_and_coalesce(variables):
    vm = record(variables, "azurerm_windows_virtual_machine.vm")
    updates = vm.fact("enable_automatic_updates")
    assert updates.value is False  # coalesce(null, local.updates) and Manual -> false
    assert at(updates) == ("main.tf", 5, 30)


def test_optional_attribute_defaults(variables):
    vm = record(variables, "azurerm_windows_virtual_machine.vm")
    assert vm.value("assessment_mode") == "AutomaticByPlatform"
    assert vm.value("time_zone") == "UTC"
    assert "reboot_setting" not in vm.facts  # optional(string) without default is null
    assert "automatic_by_platform_settings" not in vm.facts


def test_variable_without_value_is_unknown(variables):
    vm = record(variables, "azurerm_windows_virtual_machine.vm")
    sku = vm.fact("image_sku")
    assert sku.value == Unknown("var.image_sku has no default and no value")
    assert sku.source == SOURCE_UNKNOWN
    assert at(sku) == ("main.tf", 13, 17)


def test_explicit_var_file_wins(tmp_path):
    var_file = tmp_path / "prod.tfvars"
    var_file.write_text('image_sku = "2022-datacenter"\npatch_mode = "AutomaticByPlatform"\n')
    result = load_fixture("variables", [var_file])
    vm = record(result, "azurerm_windows_virtual_machine.vm")
    assert vm.value("image_sku") == "2022-datacenter"
    assert vm.value("patch_mode") == "AutomaticByPlatform"
    assert "set in prod.tfvars:2" in vm.fact("patch_mode").trace
    assert any(f.path == str(var_file) and f.kind == "tfvars" for f in result.files)


def test_tfvars_files_are_reported(variables):
    kinds = sorted((Path(f.path).name, f.kind, f.status) for f in variables.files)
    assert kinds == [
        ("locals.tf", "terraform", "linted"),
        ("main.tf", "terraform", "linted"),
        ("override.auto.tfvars", "tfvars", "linted"),
        ("terraform.tfvars", "tfvars", "linted"),
        ("variables.tf", "terraform", "linted"),
    ]


def test_null_attribute_means_default_at_the_value(tmp_path):
    (tmp_path / "main.tf").write_text(
        'resource "azurerm_windows_virtual_machine" "vm" {\n  patch_mode = null\n}\n'
    )
    vm = record(terraform.load([tmp_path / "main.tf"]), "azurerm_windows_virtual_machine.vm")
    fact = vm.fact("patch_mode")
    assert (fact.value, fact.source) == ("AutomaticByOS", SOURCE_DEFAULT)
    assert at(fact) == ("main.tf", 2, 16)


def test_step_budget_is_reported(tmp_path, monkeypatch):
    from armlint.terraform import loader

    monkeypatch.setattr(loader, "STEP_BUDGET", 5)
    (tmp_path / "main.tf").write_text(
        "locals {\n  x = [for i in range(100) : i * 2]\n}\n"
        'resource "azurerm_linux_virtual_machine" "vm" {\n  patch_mode = length(local.x)\n}\n'
    )
    result = terraform.load([tmp_path / "main.tf"])
    value = record(result, "azurerm_linux_virtual_machine.vm").value("patch_mode")
    assert isinstance(value, Unknown) and "budget" in value.reason
    assert any("step budget" in note for note in result.notes)


def test_fixture_directory_exists():
    assert (FIXTURES / "variables" / "terraform.tfvars").is_file()
