"""A Terraform check imports only what its files need (issue 16: a three-file Terraform folder
as a fresh process under 150 ms CPU; README "Terraform start-up").

The fast reader (``hclfast``) takes ordinary files, so the LALR loop and its tables, lark and
hcl2 stay unimported; azapi bodies (and with them the ARM body walker and JSON reader) and the
Terraform functions are imported when a file has an ``azapi_resource`` or calls a function.
The terraform package defines no dataclass: creating one costs about a millisecond at import.
A failure names the module: import it inside the function that needs it."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import armlint.terraform
from armlint.terraform.evaluator import Namespace, ResourceRef
from armlint.terraform.instance import Expansion
from armlint.terraform.providers import parse_version, resolve
from armlint.terraform.values import ANY, TypeSpec
from tests.import_probe import matching, modules_after

# A Linux VM without function calls, heredocs or azapi resources.
PLAIN_VM = """
variable "location" {
  default = "westeurope"
}

resource "azurerm_linux_virtual_machine" "vm" {
  name     = "vm-${var.location}"
  location = var.location
  size     = "Standard_B2s"
  patch_mode = "AutomaticByPlatform"

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts"
    version   = "latest"
  }
}
"""
NOT_FOR_PLAIN_FILES = (
    "lark",
    "hcl2",
    "armlint.terraform.lalr",
    "armlint.terraform.azapi",
    "armlint.terraform.functions",
    "armlint.terraform.tfjson",
    "armlint.terraform.plan",
    "armlint.compute.arm_body",
    "armlint.arm.jsonpos",
)


def _modules_after_check(folder) -> tuple[list[str], dict]:
    return modules_after(["check", "--no-cache", "--format", "json", str(folder)])


def test_a_plain_terraform_check_imports_neither_the_parser_fallback_nor_azapi(tmp_path):
    (tmp_path / "main.tf").write_text(PLAIN_VM, encoding="utf-8")
    loaded, report = _modules_after_check(tmp_path)
    assert "armlint.terraform.hclfast" in loaded  # the fast reader really read the file
    assert report["summary"]["files"]["linted"] == 1
    assert matching(loaded, NOT_FOR_PLAIN_FILES) == []


def test_a_function_call_and_an_azapi_resource_import_their_modules(tmp_path):
    (tmp_path / "main.tf").write_text(
        PLAIN_VM.replace('"vm-${var.location}"', 'lower("VM")')
        + '\nresource "azapi_resource" "x" {\n  type = "Microsoft.Compute/virtualMachines@2024-03-01"\n}\n',
        encoding="utf-8",
    )
    loaded, _ = _modules_after_check(tmp_path)
    assert "armlint.terraform.functions" in loaded
    assert "armlint.terraform.azapi" in loaded


def test_the_terraform_package_defines_no_dataclass():
    package = armlint.terraform
    for info in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, type) and value.__module__ == module.__name__:
                # Its own: azapi's AzapiNode extends the model's Fact, which is one.
                assert "__dataclass_fields__" not in vars(value), value


def test_the_plain_classes_compare_hash_and_print_as_the_dataclasses_did():
    owner = object()
    assert ResourceRef(owner, "azurerm_x", "a") == ResourceRef(owner, "azurerm_x", "a")
    assert ResourceRef(owner, "azurerm_x", "a") != ResourceRef(owner, "azurerm_x", "a", 0)
    assert len({ResourceRef(owner, "t", "a"), ResourceRef(owner, "t", "a")}) == 1
    assert TypeSpec("any") == ANY and hash(TypeSpec("any")) == hash(ANY)
    assert repr(Namespace("var")) == "Namespace(kind='var', name='')"
    assert Expansion("count", keys=[0, 1]) == Expansion("count", [0, 1])
    assert Expansion("single").keys == [] and Expansion("single").keys is not (
        Expansion("single").keys
    )
    try:
        hash(Expansion("single"))
    except TypeError:
        pass  # a mutable record, unhashable as its dataclass was
    else:
        raise AssertionError("Expansion became hashable")


def test_provider_versions_read_as_the_pattern_reads_them():
    assert parse_version("4.41.0") == (4, 41, 0)
    assert parse_version(" v4.41 ") == (4, 41)
    assert parse_version("\uff14.\uff11") == (4, 1)  # fullwidth digits: \\d reads them too
    for text in ("", "4.", ".4", "4..1", "4.x", "~> 4.1", None):
        assert parse_version(text) is None, text
    # The newest release a constraint allows, and the newest known one when unpinned.
    assert resolve("~> 3.50.0", None).version[:2] == (3, 50)
    assert resolve(">= 3.0, < 4.0", None).version[0] == 3
    assert resolve("< 1.0", None).basis == "unpinned"


# The modules a Terraform check of plain files imports, and the functions (any function call).
PLAIN_PATH = (
    "__init__", "nodes", "values", "facts", "azurerm", "extract", "config", "evaluator",
    "relations", "views", "fleet", "hclsyntax", "hclfast", "instance", "providers", "loader",
    "functions",
)  # fmt: skip


def test_the_terraform_path_imports_typing_and_dataclasses_only_when_type_checking():
    """``typing`` is about 15 million instructions to import and ``dataclasses`` more: only
    under ``if TYPE_CHECKING:`` (a name set to False, as in armlint.model), never at run time.
    Read from the source: compute/ (another folder) still imports both today."""
    folder = Path(armlint.terraform.__file__).parent
    for name in PLAIN_PATH:
        tree = ast.parse((folder / f"{name}.py").read_text(encoding="utf-8"))
        for node in tree.body:  # top-level statements only: an `if TYPE_CHECKING:` is skipped
            imported = []
            if isinstance(node, ast.Import):
                imported = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                imported = [node.module or ""]
            bad = [m for m in imported if m.split(".")[0] in ("typing", "dataclasses")]
            assert not bad, f"armlint/terraform/{name}.py:{node.lineno} imports {bad}"
