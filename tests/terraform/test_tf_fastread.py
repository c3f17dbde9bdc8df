"""The hand-written HCL reader (armlint.terraform.hclfast) against the reference path
(hclsyntax.reference_body: hcl2's grammar and the converter): the same nodes, every position
included (``nodes`` are dataclasses, so ``==`` compares every Location's line, column,
end line and end column), on the corpus, the fixtures and cases chosen for hcl2's quirks."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from test_tf_fastparse import SYNTAX_ERRORS, TRICKY
from tf_helpers import FIXTURES

from armlint.model import Location
from armlint.terraform import hclfast, hclsyntax
from armlint.terraform.lalr import FastPathUnavailable

# Each one exercises a rule of hcl2.lark the reader has to follow.
QUIRKS = [
    "a = x + y\n\n  # c\nb = 1",  # an operation keeps the newlines and comments after it
    "a = x + y * z # c\nb=2",  # the innermost operation at the right edge takes them
    "a = c ? x + y\n : z",
    "a = x * y\n - z",  # "-" after kept newlines goes on with the expression
    "a = x\n  + y",  # a newline before an operator belongs to the operator
    "a = 5 - -1",
    "a = -1",  # a unary minus, not a negative literal
    "a = -1.5",  # but a float keeps its minus
    "a = [-1.5, - 1.5]",
    "a = x-1.5",  # a name may hold '-' and digits: x-1 then .5
    "a = f(a,\n b,\n)",
    "a = f(a\n, b)",
    "a = f(x + y\n...)",
    "a = f(\n)",
    'a = "${x}"',  # one interpolation alone is the expression itself, at the string's place
    'a = "a${x}b${y + 1}"',
    'a = "${ {b = 1} }"',
    'a = "${"in${"ner"}"}"',
    'a = "x$${y}%%{z}"',
    'a = "\\u00e9\\n"',
    'a = ""',
    "a = x.*.b[0].c.1",
    "a = x[*][0].y[*].z",
    "a = x[*]",
    "a = (x).y",
    "a = (\n x + y\n)",
    'a = { (k) = 1, "s" : 2\n true = 3 }',
    "a = {\n for = 1 }",
    "a = [for x in xs : x\n if x\n]",
    "a = {for k, v in m : k => v... if v}",
    "a = x == y ? 1 : 2 ? 3 : 4",
    "a = <<EOT\nx\nEOT\nb = 1",
    "a = <<-EOT\n    x ${y}\n  EOT\n",
    "a = x.if",
    "a = in",
    "a = x ? y : z\nb = 1",
    'b {\n}\nc "x"\n{\n}',
    "a = 1 /* c */",
    "a = x // c\nb = 2",
    "a = x + y // c\n",
    "a = 1.5e3 + 2E-1",
    "a = tomap({})",
    'a = x.y["z"].w',
    "a = !x.y",
    "a = -x[0]",
    'r "t" "n" {\r\n  a = "v"\r\n  b = x +\r\n    y\r\n}\r\n',
]
# Valid for hcl2 but left to the reference path: the reader must say so, not guess.
LEFT_TO_REFERENCE = [
    'a = "%{ if x }y%{ endif }"',  # template directives
    "a = a.0.1",  # lark reads two indexes where a float would be lexed
]
MORE_SYNTAX_ERRORS = [
    "a = f(a\n,)",  # no newline before a trailing comma
    "a = f(x\n...)",
    "a = x\n-1",
    "a = x\n\n  || y",  # only the last newline goes into the operator
    'a = "\\\n"',
    "a = `x`",
    "a = /* c */ 1",
    "a = x -1.5",
    "a = -1-2.5",
]


def both(text: str):
    """(the reader's Body, the reference's Body or its error as (message, line, column))."""
    try:
        reference = hclsyntax.reference_body(text, "main.tf")
    except hclsyntax.HclSyntaxError as error:
        reference = (error.message, error.line, error.column)
    return hclfast.parse_body(text, "main.tf"), reference


@pytest.mark.parametrize("text", TRICKY + QUIRKS)
def test_the_reader_gives_the_reference_nodes_and_positions(text):
    if text in LEFT_TO_REFERENCE:
        pytest.skip("left to the reference path (tested below)")
    fast, reference = both(text)
    assert fast == reference


@pytest.mark.parametrize("text", LEFT_TO_REFERENCE)
def test_what_the_reader_does_not_take_goes_to_the_reference(text):
    with pytest.raises(FastPathUnavailable):
        hclfast.parse_body(text, "main.tf")
    assert hclsyntax.parse(text, "main.tf") == hclsyntax.reference_body(text, "main.tf")


def test_an_interpolated_block_label_goes_to_the_reference():
    # Terraform rejects it; the reference converter keeps an object's repr as the label
    # (noted in the report, not changed here), so only the block is compared.
    text = 'resource "a" "${x}" {}'
    with pytest.raises(FastPathUnavailable):
        hclfast.parse_body(text, "main.tf")
    assert hclsyntax.parse(text, "main.tf").blocks[0].labels[0] == "a"


@pytest.mark.parametrize("text", SYNTAX_ERRORS + MORE_SYNTAX_ERRORS)
def test_syntax_errors_are_worded_by_the_reference(text):
    with pytest.raises(FastPathUnavailable):
        hclfast.parse_body(text, "main.tf")
    assert failure(hclsyntax.parse, text) == failure(hclsyntax.reference_body, text)


def failure(parse, text: str) -> tuple:
    """What the loader reports: the error's type, words and position."""
    with pytest.raises(ValueError) as raised:  # HclSyntaxError, or "-1-2.5" for float()
        parse(text, "main.tf")
    error = raised.value
    return type(error), str(error), getattr(error, "line", None), getattr(error, "column", None)


def test_value_positions_follow_the_grammar():
    body = hclfast.parse_body('a = x + y # c\nb = [\n  "v",\n]\n', "main.tf")
    binary = body.attributes["a"].expr
    # The operation ends where the comment's newline ends: line 2, column 1.
    assert binary.loc == Location("main.tf", 1, 5, 2, 1)
    assert binary.right.loc == Location("main.tf", 1, 9, 1, 10)
    items = body.attributes["b"].expr
    assert items.loc == Location("main.tf", 2, 5, 4, 2)
    assert items.items[0].loc == Location("main.tf", 3, 3, 3, 6)
    assert body.attributes["b"].loc == Location("main.tf", 2, 1, 2, 2)


def test_parse_takes_the_reader_first(monkeypatch):
    def no_reference(text, path):
        raise AssertionError("the reference path was used")

    monkeypatch.setattr(hclsyntax, "reference_body", no_reference)
    body = hclsyntax.parse('resource "azurerm_linux_virtual_machine" "vm" {\n  a = 1\n}\n', "m.tf")
    assert body.blocks[0].labels == ["azurerm_linux_virtual_machine", "vm"]


def test_nesting_too_deep_for_the_reader_goes_to_the_reference():
    text = "a = " + "[" * 5000 + "]" * 5000
    with pytest.raises(FastPathUnavailable):
        hclfast.parse_body(text, "main.tf")


def test_every_fixture_file_gives_the_reference_nodes():
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".tf", ".tfvars"))
    assert len(files) > 10
    taken = 0
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")  # one is not UTF-8
        try:
            fast, reference = both(text)
        except FastPathUnavailable:
            with pytest.raises(hclsyntax.HclSyntaxError):
                hclsyntax.reference_body(text, "main.tf")
            continue
        taken += 1
        assert fast == reference, path
    assert taken > 10


# The reference's nodes for every corpus .tf/.tfvars file, as a digest of their repr (every
# field and position): made by the reference path (lark, about 6 s of CPU for the corpus), so
# each test run only runs the reader. Regenerate with ARMLINT_UPDATE_SNAPSHOT=1 after a change
# to the reference or the corpus; the regeneration never uses the reader.
CORPUS_DIGESTS = Path(__file__).with_name("corpus_reference_nodes.json")


def nodes_digest(body) -> str:
    return hashlib.sha256(repr(body).encode("utf-8", "surrogatepass")).hexdigest()[:20]


@pytest.mark.corpus
def test_every_corpus_file_is_read_by_the_reader_with_the_reference_nodes(corpus_dir):
    files = sorted(
        p for p in corpus_dir.rglob("*") if p.suffix in (".tf", ".tfvars") and p.is_file()
    )
    assert len(files) > 400
    texts = {
        p.relative_to(corpus_dir).as_posix(): p.read_bytes().decode("utf-8-sig") for p in files
    }
    if os.environ.get("ARMLINT_UPDATE_SNAPSHOT"):
        made = {
            name: nodes_digest(hclsyntax.reference_body(t, "main.tf")) for name, t in texts.items()
        }
        CORPUS_DIGESTS.write_text(json.dumps(made, indent=1, sort_keys=True) + "\n")
    expected = json.loads(CORPUS_DIGESTS.read_text(encoding="utf-8"))
    assert sorted(expected) == sorted(texts), "corpus changed: regenerate the digests"
    for name, text in texts.items():
        # the reader takes every corpus file (no FastPathUnavailable)
        assert nodes_digest(hclfast.parse_body(text, "main.tf")) == expected[name], name


def test_the_digest_sees_a_moved_position():
    """The digest compares positions too: one column off is another digest."""
    text = 'a = 1\nb = "x"\n'
    body = hclsyntax.reference_body(text, "main.tf")
    shifted = hclsyntax.reference_body(text.replace("b =", "b  ="), "main.tf")
    assert nodes_digest(body) == nodes_digest(hclfast.parse_body(text, "main.tf"))
    assert nodes_digest(body) != nodes_digest(shifted)
