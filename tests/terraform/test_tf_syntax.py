"""Reading files: BOM, CRLF and mixed line endings, JSON syntax, parse errors (AZP001)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from tf_helpers import FIXTURES, at, load_fixture, record, text_at

import armlint.terraform as terraform
from armlint.model import SOURCE_EVALUATED
from armlint.terraform import hclsyntax
from armlint.terraform import nodes as n
from armlint.terraform.lalr import FastPathUnavailable


def test_import_does_not_load_the_parser():
    code = "import sys, armlint.terraform; print('hcl2' in sys.modules or 'lark' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"


def test_bom_file():
    result = load_fixture("bom")
    assert result.findings == []
    vm = record(result, "azurerm_linux_virtual_machine.bom")
    assert vm.value("patch_mode") == "AutomaticByPlatform"
    assert at(vm.fact("patch_mode")) == ("main.tf", 4, 16)  # columns ignore the BOM
    assert text_at(vm.fact("patch_mode").location, 21) == '"AutomaticByPlatform"'


def test_crlf_and_mixed_line_endings_without_final_newline():
    result = load_fixture("crlf")
    assert result.findings == []
    vm = record(result, "azurerm_windows_virtual_machine.crlf")
    assert at(vm.location) == ("main.tf", 5, 1)
    patch_mode = vm.fact("patch_mode")
    assert (patch_mode.value, patch_mode.source) == ("AutomaticByPlatform", SOURCE_EVALUATED)
    assert at(patch_mode) == ("main.tf", 8, 16)
    assert patch_mode.trace == ("var.mode (main.tf:1)",)
    assert vm.value("location") == "westeurope"
    assert at(vm.fact("location")) == ("main.tf", 7, 16)
    assert vm.value("time_zone") == "Pacific Standard Time"  # no \r, comment ignored


def test_syntax_error_is_azp001_with_position_and_other_files_still_load():
    result = load_fixture("syntax_error")
    assert len(result.findings) == 1
    finding = result.findings[0]
    # The loader gives the rule id only; the findings path names and grades it from the pack.
    assert (finding.rule, finding.name, finding.severity) == ("AZP001", "", "")
    assert at(finding.location) == ("main.tf", 4, 16)
    assert "main.tf" in finding.message
    statuses = {Path(f.path).name: f.status for f in result.files}
    assert statuses == {"main.tf": "error", "ok.tf": "linted"}
    assert [rec.address for rec in result.records] == ["azurerm_linux_virtual_machine.fine"]


def test_invalid_utf8_is_azp001_at_1_1():
    result = load_fixture("syntax_runtime")
    (finding,) = result.findings
    assert finding.rule == "AZP001"
    assert at(finding.location) == ("latin1.tf", 1, 1)
    assert "not UTF-8" in finding.message
    assert result.files[0].status == "error"


@pytest.mark.parametrize(
    ("text", "line", "column", "words"),
    [
        ('resource "a" "b" {\n  x = 1\n', 3, 1, "end of file"),
        ('a = "unterminated\n', 1, 6, "end of file"),
        ("a = 1 +\n", 2, 1, "end of file"),
        ('resource "a" "b" {\n  x = [1, 2\n}\n', 3, 1, "unexpected"),
        ("a = @\n", 1, 5, "unexpected '@'"),
    ],
)
def test_syntax_error_positions(tmp_path, text, line, column, words):
    path = tmp_path / "bad.tf"
    path.write_text(text)
    (finding,) = terraform.load([path]).findings
    assert (finding.location.line, finding.location.column) == (line, column)
    assert words in finding.message


def test_parser_failures_without_position_are_azp001(tmp_path, monkeypatch):
    path = tmp_path / "main.tf"
    path.write_text('a = "x"\n')

    def explode(text, path):
        raise RuntimeError("internal\nparser state")

    monkeypatch.setattr(hclsyntax, "parse", explode)
    result = terraform.load([path])
    (finding,) = result.findings
    assert at(finding.location) == ("main.tf", 1, 1)
    assert "\n" not in finding.message and "internal parser state" in finding.message
    assert result.files[0].status == "error"


def test_lark_errors_without_position_are_azp001(tmp_path, monkeypatch):
    from lark.exceptions import LarkError

    path = tmp_path / "main.tf"
    path.write_text('a = "x"\n')

    def explode(text):
        raise LarkError("grammar trouble")

    def not_for_the_fast_path(text):
        raise FastPathUnavailable("test")

    import hcl2.api

    from armlint.terraform import hclfast

    monkeypatch.setattr(hclfast, "parse_body", lambda text, path: not_for_the_fast_path(text))
    monkeypatch.setattr(hclsyntax, "parse_tree", not_for_the_fast_path)
    monkeypatch.setattr(hcl2.api, "parses_to_tree", explode)
    (finding,) = terraform.load([path]).findings
    assert at(finding.location) == ("main.tf", 1, 1)
    assert "grammar trouble" in finding.message


def test_terraform_json_syntax():
    result = load_fixture("tfjson")
    assert result.findings == []
    vm = record(result, "azurerm_linux_virtual_machine.json_vm")
    patch_mode = vm.fact("patch_mode")
    assert patch_mode.value == "ImageDefault"
    assert at(patch_mode) == ("main.tf.json", 13, 23)
    assert patch_mode.trace == ("var.mode (main.tf.json:3)", "set in terraform.tfvars.json:2")
    assert vm.value("location") == "eastus"
    assert at(vm.fact("image_sku")) == ("main.tf.json", 17, 18)
    assert sorted(f.kind for f in result.files) == ["terraform", "tfvars"]


def test_positions_of_nested_expressions():
    body = hclsyntax.parse('x = {\n  a = [1, "x${var.b}"]\n  c = 2 > 1 ? "y" : "n"\n}\n', "t.tf")
    obj = body.attributes["x"].expr
    assert isinstance(obj, n.ObjectExpr)
    tuple_expr = obj.items[0].value
    assert (tuple_expr.loc.line, tuple_expr.loc.column) == (2, 7)
    template = tuple_expr.items[1]
    assert isinstance(template, n.Template)
    assert (template.loc.line, template.loc.column) == (2, 11)
    assert isinstance(obj.items[1].value, n.Conditional)


def test_heredoc_and_escapes():
    body = hclsyntax.parse(
        'a = <<-EOT\n    one $${two}\n    three\n  EOT\nb = "q\\"\\u00e9\\n"\n', "t.tf"
    )
    assert body.attributes["a"].expr.value == "one ${two}\nthree\n"
    assert body.attributes["b"].expr.value == 'q"é\n'


def test_fixtures_have_the_bytes_the_tests_rely_on():
    assert (FIXTURES / "bom" / "main.tf").read_bytes().startswith(b"\xef\xbb\xbf")
    crlf = (FIXTURES / "crlf" / "main.tf").read_bytes()
    assert b"\r\n" in crlf and b'"westeurope"\n' in crlf and not crlf.endswith(b"\n")


def test_lone_interpolation_keeps_the_value_type(tmp_path):
    (tmp_path / "main.tf").write_text(
        'variable "agent" {\n  default = false\n}\n'
        'resource "azurerm_availability_set" "set" {}\n'
        'resource "azurerm_windows_virtual_machine" "vm" {\n'
        '  provision_vm_agent  = "${var.agent}"\n'
        '  availability_set_id = "${azurerm_availability_set.set.id}"\n}\n'
    )
    vm = record(terraform.load([tmp_path / "main.tf"]), "azurerm_windows_virtual_machine.vm")
    assert vm.value("provision_vm_agent") is False
    assert at(vm.fact("provision_vm_agent")) == ("main.tf", 6, 25)
    assert vm.value("availability_set") == "azurerm_availability_set.set"


def test_arbitrary_text_never_raises():
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from(list('resource"azurerm_vm{}[]()=?:,.$%~<>!&|*+-/\n\r\t #0129xyz\\'))

    @settings(max_examples=150, deadline=None)
    @given(st.text(alphabet=alphabet, max_size=120))
    def check(text):
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "main.tf"
            path.write_text(text, encoding="utf-8")
            result = terraform.load([path])
            assert len(result.files) == 1
            assert result.files[0].status in ("linted", "error")

    check()
