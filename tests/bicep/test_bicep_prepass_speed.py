"""The cheap Bicep pre-pass against the token-by-token reference, and module paths resolved
once per load (the two costs issue 16 names for Bicep besides exploration)."""

from __future__ import annotations

from pathlib import Path

import pytest

from armlint.bicep import loader, syntax
from armlint.bicep.compat import may_need_rewrite, rewrite
from armlint.bicep.syntax import _parser, parse_file

# Inside brackets the pre-pass only looks at strings, comments, brackets, '...' and '!'.
NESTED = [
    "var o = {\n  ...base\n  b: [\n    ...list\n    1\n  ]\n}\n",
    "var a = x.y!.z\nvar b = { c: f(x)!.d, e: arr[0]!, g: 1 != 2, h: 'a' =~ 'b' }\n",
    "var n = { a: 5!, b: x1!, c: 1ab!, d: 'q'!, e: (x) ! }\n",
    "var s = { u: 'http://x/y', v: '''\n//not a comment\n''', w: '${ a }/${'${b}/c'}' }\n",
    "var c = {\n  // a 'quote' and a { brace\n  /* ] ) } */ a: 1 # x\n  #disable-next-line no-unused ' [\n  b: 2\n}\n",
    "var i = '${ {a: [ 1, ...x ]} }'\nparam p resourceInput<'x@1'>.properties = { a: 1 }\n",
    "type t = {\n  @description('x')\n  a: string?\n}\nvar after = [1, 2]\n",
    "resource r 'x@1' = {\n  name: 'n'\n  properties: { a: r2!.id }\n}\noutput o string = r.name\n",
    "var unbalanced = { a: [ 1 }\n]\nvar next = 1\n",
    "var open = { a: 'unterminated\n}\n",
    "var deep = ((((x!))))\n",
    # what the skimming scanner passes over in one match inside brackets, and what it must not
    "var e = { a: '', b: '''x''', c: 'a$b', d: 'p/q', f: x....y, g: '$', h: '''\n//c\n''' }\n",
    "var f = [ '', '', 'a\\'b', '${x}' , x.y, 'c' ]\n",
]


def fields(text: bytes, **options):
    result = rewrite(text, **options)
    return (
        result.data,
        result.spreads,
        result.param_assignments,
        result.type_texts,
        result.imported,
    )


@pytest.mark.parametrize("text", NESTED)
def test_the_skimming_pre_pass_equals_the_token_by_token_one(text):
    data = text.encode()
    assert fields(data) == fields(data, skim=False)


def test_rewrites_inside_brackets_still_happen():
    text = NESTED[0]
    result = rewrite(text.encode())
    assert result.spreads == {text.index("...base"), text.index("...list")}
    assert b"__:base" in result.data
    data = rewrite(b"var b = { c: f(x)!.d, e: 1 != 2 }\n").data
    assert data == b"var b = { c: f(x) .d, e: 1 != 2 }\n"


@pytest.mark.corpus
def test_every_corpus_bicep_file_gets_the_reference_rewrite(corpus_dir):
    files = sorted(p for p in corpus_dir.rglob("*") if p.suffix in (".bicep", ".bicepparam"))
    assert len(files) > 100
    skipped = 0
    for path in files:
        data = path.read_bytes()
        param_file = path.suffix == ".bicepparam"
        if param_file or may_need_rewrite(data):
            assert fields(data, param_file=param_file) == fields(
                data, param_file=param_file, skim=False
            ), path
        else:
            skipped += 1
            assert_same_parse_as_the_reference(data)
    assert skipped > 20  # the quick check lets a good part of the corpus through untouched


def test_a_module_path_is_resolved_once_per_load(tmp_path, monkeypatch):
    (tmp_path / "mod.bicep").write_text("param n string\n", encoding="utf-8")
    main = tmp_path / "main.bicep"
    main.write_text(
        "module m './mod.bicep' = [for i in range(0, 4): {\n"
        "  name: 'm${i}'\n  params: { n: 'x' }\n}]\n",
        encoding="utf-8",
    )
    calls: list[Path] = []
    real = loader._resolved

    def counting(path: Path, folders) -> Path:
        calls.append(path)
        return real(path, folders)

    monkeypatch.setattr(loader, "_resolved", counting)
    result = loader.load_files([main])
    assert not result.findings
    assert len(calls) == len(set(calls)) == 2  # main.bicep and ./mod.bicep, once each


def shape(data: bytes) -> list[tuple]:
    """Every node of the parse: kind, span, error flags."""
    nodes, stack = [], [_parser().parse(data).root_node]
    while stack:
        node = stack.pop()
        nodes.append((node.type, node.start_byte, node.end_byte, node.is_error, node.is_missing))
        stack.extend(reversed(node.children))
    return nodes


def assert_same_parse_as_the_reference(data: bytes) -> None:
    """A file the quick check clears is parsed as it is; the full rewrite of it may only hide
    slashes in strings, which changes no node."""
    assert rewrite(data).data is data
    reference = rewrite(data, skim=False)
    assert not (reference.spreads or reference.param_assignments or reference.imported)
    assert shape(data) == shape(reference.data)


# Files with none of the rewritten constructs ('/' inside strings is not one of them: only
# '//' and '/*' could start a comment there).
UNTOUCHED = [
    "param vmName string\nparam size string = 'Standard_D2s_v3'\n"
    "resource vm 'Microsoft.Compute/virtualMachines@2023-03-01' = {\n"
    "  name: vmName\n  properties: {\n    osProfile: { type: 'a/b', n: x.kind }\n  }\n}\n"
    "output id string = vm.id // the 'id' of it\nvar n = empty(size)\n",
    "@description('x')\nparam tags object = {}\nvar ids = [for i in range(0, 2): '${i}/x']\n",
    "// the VM type\nparam a string // its extension\nvar b = !empty(a) && x.type != a\n"
    "resource extension 'Microsoft.Compute/virtualMachines/extensions@2021-07-01' = {\n"
    "  name: 'e'\n  properties: { type: 'x' }\n}\n",
]


@pytest.mark.parametrize("text", UNTOUCHED)
def test_a_file_without_rewritten_constructs_is_parsed_as_it_is(text):
    data = text.encode()
    assert not may_need_rewrite(data)
    assert_same_parse_as_the_reference(data)


# One construct per file; the full rewrite changes every one of them, so the quick check must
# not clear it.
TRIGGERS = [
    "var a = { ...b }\n",
    "var a = b!.c\n",
    "var a = '''\nx//\n'''\n",
    "var a = 'x//y'\n",
    "var a = '${b}/*c'\n",
    "var a = '${\n b\n}//c'\n",
    "type t = string\n",
    "@export()\ntype t = string\n",
    "@export() type t = string\n",
    "var a = 1\n  type t = string\n",
    "import * as ns from 'x.bicep'\n",
    "extension microsoftGraphV1\n",
    "provider x\n",
    "param p resourceInput<'x@1'>.properties\n",
    "param p { a: string }\n",
    "@secure() output o 'a' | 'b' = 'a'\n",
    "var typed string = 'x'\n",
]


@pytest.mark.parametrize("text", TRIGGERS)
def test_a_file_with_a_rewritten_construct_still_gets_its_rewrite(text):
    data = text.encode()
    assert may_need_rewrite(data)
    result = rewrite(data)
    assert fields(data) == fields(data, skim=False)
    assert result.data != data or result.type_texts or result.imported


class _CleanRoot:
    """A root tree-sitter reports as error-free; walking its children is the cost skipped."""

    has_error = is_error = is_missing = False

    @property
    def children(self):
        raise AssertionError("walked an error-free tree")


def test_an_error_free_tree_is_not_walked_for_syntax_errors(tmp_path):
    path = tmp_path / "ok.bicep"
    path.write_text("var a = 1\n", encoding="utf-8")
    source = parse_file(path, path.name, path.read_bytes())
    assert source.findings == []
    source.root = _CleanRoot()
    assert syntax._syntax_errors(source) == []
    broken = parse_file(path, path.name, b"var a = (\n")
    assert broken.root.has_error and broken.findings  # errors are still walked to
