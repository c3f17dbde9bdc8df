"""Large Bicep files parsed in pieces (``syntax._parse_tree``) give the whole file's tree.

tree-sitter-bicep's external scanner makes every ``name.x`` and ``name[i]`` cost the rest of the
input, so armlint parses a file in pieces cut before statement keyword lines; these tests
compare every node with the parse of the whole file, and check that a cut which lands inside
a string, a comment or brackets sends the file to the parser whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from armlint.bicep import syntax
from armlint.bicep.compat import rewrite
from armlint.bicep.program import read_program
from armlint.bicep.syntax import Pieces, _parse_tree, _parser, parse_file


def nodes(root) -> list[tuple]:
    """Every node under a root: kind, byte span, points, error flags."""
    found, stack = [], list(reversed(root.children))
    while stack:
        node = stack.pop()
        found.append(
            (
                node.type,
                node.start_byte,
                node.end_byte,
                tuple(node.start_point),
                tuple(node.end_point),
                node.is_error,
                node.is_missing,
                node.has_error,
            )
        )
        stack.extend(reversed(node.children))
    return found


def whole(text: bytes):
    return _parser().parse(text).root_node


def statement(number: int) -> str:
    """A decorated parameter, a variable with member accesses and a resource: the top-level
    shapes of a real module (the decorators run over several lines)."""
    return (
        f"@description('parameter {number}')\n@allowed([\n  'a'\n  'b'\n])\n"
        f"param p{number} string = 'a'\n\n"
        f"var v{number} = [\n  for k in keys: {{\n    path: k.path\n    first: k.items[0]\n  }}\n]\n"
        f"resource r{number} 'Microsoft.Compute/virtualMachines@2024-03-01' = {{\n"
        f"  name: 'vm{number}'\n  properties: {{\n    osProfile: v{number}[0].path\n  }}\n}}\n"
        f"// output {number}\noutput o{number} string = r{number}.name\n"
    )


LARGE = "".join(statement(number) for number in range(30)).encode()  # about 10 kB


def test_a_large_file_is_parsed_in_pieces_with_the_whole_files_tree():
    root = _parse_tree(LARGE)
    assert isinstance(root, Pieces)  # fails when the file goes to the parser whole
    assert len(syntax._piece_starts(LARGE)) > 2
    assert nodes(root) == nodes(whole(LARGE))
    assert [child.type for child in root.named_children] == [
        child.type for child in whole(LARGE).named_children
    ]


def test_a_small_file_is_parsed_whole():
    text = statement(1).encode()
    assert len(text) < syntax.PIECE_BYTES
    assert not isinstance(_parse_tree(text), Pieces)


# A cut lands on a statement line inside each of these: a piece does not parse, or ends with
# decorators that belong to the statement after the cut, so the file is parsed whole, with
# the same tree (an error too, for the syntax error).
CUT_INSIDE = {
    "a multi-line string": "var text = '''\n\nparam inside string = 'x'\n'''\n",
    "a block comment": "/*\n\nparam inside string\n*/\n",
    "brackets": "var o = {\n\nparam: 1\n\n@description('x')\nvar: 2\n}\n",
    "decorators before a blank line": "@description('kept')\n\nparam p string\n",
    "a syntax error": "var broken = {\n\nparam p string\n",
}


@pytest.mark.parametrize("name", CUT_INSIDE)
def test_a_cut_inside_a_construct_parses_the_whole_file(name, monkeypatch):
    monkeypatch.setattr(syntax, "PIECE_BYTES", 8)  # every statement after a blank line is a cut
    text = ("var first = 1\n" + CUT_INSIDE[name] + "\noutput last int = 1\n").encode()
    assert len(syntax._piece_starts(text)) > 2
    root = _parse_tree(text)
    assert not isinstance(root, Pieces)
    assert nodes(root) == nodes(whole(text))


def test_decorators_across_a_blank_line_still_decorate(monkeypatch):
    monkeypatch.setattr(syntax, "PIECE_BYTES", 8)
    text = b"var first = 1\n\n@allowed([\n  'a'\n])\n\nparam p string\n"
    program = read_program(parse_file(Path("main.bicep"), "main.bicep", text))
    assert program.params["p"].allowed is not None


def test_syntax_errors_of_a_large_file_are_reported_as_before():
    text = LARGE + b"var broken = {\n  a: [1\n}\n"
    source = parse_file(Path("big.bicep"), "big.bicep", text)
    assert source.root.has_error and not isinstance(source.root, Pieces)
    assert source.findings
    assert [finding.location for finding in source.findings] == [
        finding.location for finding in parse_file(Path("big.bicep"), "big.bicep", text).findings
    ]


def statements(root) -> list[tuple]:
    """Each top-level node's span and points, and the kinds of its whole subtree (tree-sitter
    writes them out as an S-expression: cheaper than visiting each node from Python)."""
    return [
        (child.start_byte, child.end_byte, child.start_point, child.end_point, str(child))
        for child in root.children
    ]


@pytest.mark.corpus
def test_the_largest_corpus_bicep_files_get_the_whole_files_tree(corpus_dir):
    files = sorted(corpus_dir.rglob("*.bicep"), key=lambda path: (-path.stat().st_size, path))
    for path in files[:6]:  # 50-80 kB each: AVM modules with decorators, loops, spreads
        text = rewrite(path.read_bytes()).data
        root = _parse_tree(text)
        assert isinstance(root, Pieces), path
        assert statements(root) == statements(whole(text)), path
