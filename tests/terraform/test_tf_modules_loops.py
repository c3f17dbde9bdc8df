"""count, for_each, dynamic blocks, local child modules and registry modules."""

from __future__ import annotations

import pytest
from tf_helpers import at, load_fixture, record

import armlint.terraform as terraform
from armlint.model import SOURCE_DEFAULT, SOURCE_EVALUATED, Unknown


@pytest.fixture(scope="module")
def loops():
    return load_fixture("loops")


def test_count_expands_to_indexed_records(loops):
    first = record(loops, "azurerm_linux_virtual_machine.counted[0]")
    second = record(loops, "azurerm_linux_virtual_machine.counted[1]")
    assert (first.group, first.index, first.name) == (
        "azurerm_linux_virtual_machine.counted",
        0,
        "counted-0",
    )
    assert (second.index, second.name) == (1, "counted-1")
    assert first.value("zones") == ["1"] and second.value("zones") == ["2"]
    assert at(second.fact("zones")) == ("main.tf", 24, 14)


def test_the_address_has_no_instance_key_and_identity_shows_it_once(loops):
    counted = record(loops, "azurerm_linux_virtual_machine.counted[1]")
    assert (counted.address, counted.index) == ("azurerm_linux_virtual_machine.counted", 1)
    assert counted.instance_key == 1
    assert counted.identity == "azurerm_linux_virtual_machine.counted[1]"
    web = record(loops, 'azurerm_linux_virtual_machine.each["web"]')
    assert (web.address, web.index) == ("azurerm_linux_virtual_machine.each", 1)
    assert web.instance_key == "web"  # the index is the position among the keys
    assert (
        web.identity == 'azurerm_linux_virtual_machine.each["web"]'
    )  # the key survives reordering
    single = record(loops, "azurerm_linux_virtual_machine.dynamic_image")
    assert single.instance_key is None and single.identity == single.address


def test_count_zero_and_false_conditional_give_no_records(loops):
    addresses = {rec.address for rec in loops.records}
    assert not any(a.startswith("azurerm_linux_virtual_machine.none") for a in addresses)
    assert not any(a.startswith("azurerm_windows_virtual_machine.conditional") for a in addresses)
    conditional = record(loops, "azurerm_linux_virtual_machine.linux_if_not_windows[0]")
    assert conditional.instances_trace == ("var.is_windows (main.tf:1)",)


def test_for_each_over_a_map(loops):
    db = record(loops, 'azurerm_linux_virtual_machine.each["db"]')
    web = record(loops, 'azurerm_linux_virtual_machine.each["web"]')
    assert (db.group, db.index, db.name) == ("azurerm_linux_virtual_machine.each", 0, "db")
    assert (web.index, web.name) == (1, "web")
    sku = web.fact("image_sku")
    assert (sku.value, sku.source) == ("22_04-lts", SOURCE_EVALUATED)
    assert at(sku) == ("main.tf", 54, 17)
    assert sku.trace == ("var.vms (main.tf:9)",)
    assert db.value("zones") == ["2"]


def test_unknown_count_gives_one_record_marked_unknown(loops):
    rec = record(loops, "azurerm_linux_virtual_machine.unknown_count")
    assert rec.index is None
    assert rec.instances_unknown is True
    assert rec.group == "azurerm_linux_virtual_machine.unknown_count"


def test_dynamic_block_with_known_for_each(loops):
    rec = record(loops, "azurerm_linux_virtual_machine.dynamic_image")
    publisher = rec.fact("image_publisher")
    assert publisher.value == "Canonical"
    assert at(publisher) == ("main.tf", 73, 19)
    assert publisher.trace == (
        'dynamic "source_image_reference" (main.tf:69)',
        "var.images (main.tf:16)",
    )
    assert rec.value("image_offer") == "ubuntu-24_04-lts"


def test_dynamic_block_with_unknown_for_each(loops):
    rec = record(loops, "azurerm_linux_virtual_machine.dynamic_unknown")
    sku = rec.fact("image_sku")
    assert isinstance(sku.value, Unknown)
    assert "for_each is unknown" in sku.value.reason
    assert at(sku) == ("main.tf", 85, 3)  # the dynamic block


# --- modules -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def modules():
    return load_fixture("modules")


def test_child_module_is_evaluated_through_its_caller_only(modules):
    addresses = sorted(rec.address for rec in modules.records)
    assert addresses == [
        "module.pool[0].azurerm_windows_virtual_machine.this",
        "module.pool[1].azurerm_windows_virtual_machine.this",
        "module.vm.azurerm_windows_virtual_machine.this",
    ]


def test_module_inputs_are_bound(modules):
    vm = record(modules, "module.vm.azurerm_windows_virtual_machine.this")
    patch_mode = vm.fact("patch_mode")
    assert patch_mode.value == "AutomaticByPlatform"
    assert at(patch_mode) == ("main.tf", 13, 30)
    assert patch_mode.location.path.endswith("modules/vm/main.tf")
    assert patch_mode.trace == ("var.patch_mode (variables.tf:9)", "set by module.vm (main.tf:14)")
    assert vm.value("location") == "uksouth"
    assert vm.azurerm_constraint == "~> 3.0"


def test_optional_defaults_fill_a_module_object_input(modules):
    vm = record(modules, "module.vm.azurerm_windows_virtual_machine.this")
    assert vm.value("enable_hotpatching") is False
    updates = vm.fact("enable_automatic_updates")
    assert (updates.value, updates.source) == (True, SOURCE_DEFAULT)  # optional(bool) is null
    assert at(updates) == ("main.tf", 15, 30)
    assert vm.automatic_updates_attr == "enable_automatic_updates"


def test_module_with_count_and_output_reference(modules):
    pool = record(modules, "module.pool[1].azurerm_windows_virtual_machine.this")
    assert (pool.group, pool.index, pool.name) == (
        "module.pool.azurerm_windows_virtual_machine.this",
        1,
        "pool-1",
    )
    assert pool.value("patch_mode") == "AutomaticByOS"
    vm = record(modules, "module.vm.azurerm_windows_virtual_machine.this")
    # the root's extension targets module.vm.vm_id, an output holding the VM's id
    assert vm.value("health_extension") is True
    assert pool.value("health_extension") is False


def test_registry_and_remote_modules_are_skipped_and_counted(modules):
    [note] = modules.notes
    assert note.startswith(
        "terraform: 2 module call(s) with registry or remote sources were not fetched; "
        "their outputs are unknown (in "
    )
    assert note.endswith("/modules/root)")  # the folder whose calls were not fetched
    pool = record(modules, "module.pool[0].azurerm_windows_virtual_machine.this")
    location = pool.value("location")
    assert isinstance(location, Unknown)
    assert "module.regions" in location.reason and "not fetched" in location.reason


def test_module_nesting_depth_limit(tmp_path, monkeypatch):
    from armlint.terraform import loader

    monkeypatch.setattr(loader, "MAX_MODULE_DEPTH", 2)
    for level in range(4):
        directory = tmp_path / f"m{level}"
        directory.mkdir()
        call = f'module "next" {{\n  source = "../m{level + 1}"\n}}\n' if level < 3 else ""
        vm = 'resource "azurerm_linux_virtual_machine" "vm" {\n  location = "westeurope"\n}\n'
        (directory / "main.tf").write_text(call + vm)
    result = terraform.load(sorted(tmp_path.rglob("*.tf")))
    assert len(result.records) == 3  # m0, m1, m2; m3 is too deep
    assert any("deeper than 2" in note for note in result.notes)


def test_module_cycle_does_not_hang(tmp_path):
    for name, other in (("a", "b"), ("b", "a")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.tf").write_text(f'module "x" {{\n  source = "../{other}"\n}}\n')
    result = terraform.load(sorted(tmp_path.rglob("*.tf")))
    assert [f.status for f in result.files] == ["linted", "linted"]
    assert any("deeper than" in note for note in result.notes)


def test_relations_still_target_the_instance_with_its_key(tmp_path):
    (tmp_path / "main.tf").write_text(
        """
resource "azurerm_linux_virtual_machine" "vm" {
  for_each = toset(["a", "b"])
  name     = "vm-${each.key}"
  location = "westeurope"
}

resource "azurerm_virtual_machine_extension" "health" {
  name               = "health"
  virtual_machine_id = azurerm_linux_virtual_machine.vm["b"].id
  type               = "ApplicationHealthLinux"
}
"""
    )
    result = terraform.load([tmp_path / "main.tf"])
    a = record(result, 'azurerm_linux_virtual_machine.vm["a"]')
    b = record(result, 'azurerm_linux_virtual_machine.vm["b"]')
    assert a.address == b.address == "azurerm_linux_virtual_machine.vm"
    assert (a.value("health_extension"), b.value("health_extension")) == (False, True)
