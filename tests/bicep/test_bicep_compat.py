"""The position-preserving rewrites that let tree-sitter-bicep parse modern Bicep."""

from __future__ import annotations

import pytest

from armlint.bicep.compat import rewrite
from armlint.bicep.syntax import parse_file

VALID_MODERN_BICEP = [
    "var url = '//not/a/comment'\n",
    "var s = ' // still a string'\n",
    "type t = {\n  @description('x')\n  a: string?\n}?\nvar after = 1\n",
    "import { roleAssignmentType } from 'br/public:avm/utl/types/avm-common-types:0.5.1'\n",
    "param tags resourceInput<'Microsoft.Resources/resourceGroups@2025-04-01'>.tags = {}\n",
    "param filter filterType?\nvar next = 1\n",
    "var typed string = 'x'\n",
    "var merged = {\n  ...base\n  b: 1\n}\n",
    "var id = split(osDisk.managedDisk.resourceId!, '/')\n",
    "extension microsoftGraphV1\nvar after = 1\n",
]


@pytest.mark.parametrize("text", VALID_MODERN_BICEP)
def test_valid_modern_bicep_parses_without_errors(tmp_path, text):
    path = tmp_path / "modern.bicep"
    path.write_text(text, encoding="utf-8")
    source = parse_file(path, path.name, path.read_bytes())
    assert source.findings == []


@pytest.mark.parametrize("text", VALID_MODERN_BICEP)
def test_rewrites_keep_every_byte_position(text):
    original = text.encode("utf-8")
    rewritten = rewrite(original).data
    assert len(rewritten) == len(original)
    assert [i for i, b in enumerate(original) if b == 0x0A] == [
        i for i, b in enumerate(rewritten) if b == 0x0A
    ]


def test_parameter_assignments_become_variables_in_bicepparam():
    result = rewrite(b"using './main.bicep'\nparam a = 1\n", param_file=True)
    assert result.data == b"using '._main.bicep'\nvar   a = 1\n"  # '/' hidden in strings
    assert result.param_assignments == {21}


def test_original_type_text_is_kept():
    text = b"param p resourceInput<'x@1'>.properties?\n"
    result = rewrite(text)
    assert result.type_texts[8] == "resourceInput<'x@1'>.properties?"
    assert result.data.startswith(b"param p object?")
