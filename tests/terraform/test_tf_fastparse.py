"""The LALR loop (armlint.terraform.lalr) against hcl2's own parse: same trees, same errors.

Both are the reference path (``hclsyntax.reference_body``); test_tf_fastread.py compares the
hand-written reader with it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tf_helpers import FIXTURES

from armlint.terraform import hclsyntax, lalr
from armlint.terraform.hclsyntax import HclSyntaxError
from armlint.terraform.lalr import FastPathUnavailable

ROOT = Path(__file__).resolve().parents[2]

TRICKY = [
    "",
    "# only a comment",
    "/* block\ncomment */\n",
    "a = 1",
    'a = "x\r\n"\r\nb = 2\r\n',
    "a = <<EOT\nhello ${x}\nEOT\n",
    "a = <<-EOT\n    x\n  EOT\n",
    "a = 1 +\n 2",
    "a = b\n  ? c\n  : d",
    "a = x ||\n  # comment\n  y",
    'a = [for k, v in x : v if k != "a"]',
    "a = {for k, v in x : k => v...}",
    "a = x[*].id",
    "a = x.*.id",
    "a = x.0.y",
    'a = x[0]["k"]',
    "a = f(x...)",
    "a = provider::p::f(1)",
    "in = 1",
    "x { in = 1\n for = 2 }",
    'a = {\n in = "h"\n for = 1\n}',
    'a = "%{ if x }y%{ endif }"',
    'a = "$${x} %%{y} \\u00e9\\n"',
    "a = -1.5e3",
    "a = !true",
    "a = (1 + 2) * 3 / 4 % 5 - 6",
    "a = x == y != z < 1 <= 2 > 3 >= 4 && w",
    'resource "a" "b" {\n  count = 2\n  name  = "n-${count.index}"\n}\n',
    "block {}\n",
    "a = 1 b = 2",  # hcl2's grammar takes it
    "a = [\n  1,\n  2,\n]\n",
]
SYNTAX_ERRORS = [
    'a = "unterminated',
    "a = {",
    "a = [1,2,",
    "=",
    "a = 0x10",
    "a = x\n  # comment\n  || y",
]


def hcl2_only(monkeypatch):
    def unavailable(text):
        raise FastPathUnavailable("test")

    monkeypatch.setattr(hclsyntax, "parse_tree", unavailable)


def parse_both(monkeypatch, text: str):
    """(fast path result, hcl2 path result); an error is (message, line, column)."""
    results = []
    for fast in (True, False):
        with monkeypatch.context() as patch:
            if not fast:
                hcl2_only(patch)
            try:
                results.append(hclsyntax.reference_body(text, "main.tf"))
            except HclSyntaxError as error:
                results.append((error.message, error.line, error.column))
    return results


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_syntax_gives_the_same_nodes_and_positions(monkeypatch, text):
    lalr.parse_tree(text)  # the fast path really takes it
    fast, slow = parse_both(monkeypatch, text)
    assert fast == slow


def test_every_fixture_file_gives_the_same_nodes(monkeypatch):
    files = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".tf", ".tfvars"))
    assert len(files) > 10
    for path in files:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")  # one is not UTF-8
        fast, slow = parse_both(monkeypatch, text)
        assert fast == slow, path


@pytest.mark.parametrize("text", SYNTAX_ERRORS)
def test_syntax_errors_fall_back_to_hcl2_and_its_words(monkeypatch, text):
    with pytest.raises(FastPathUnavailable):
        lalr.parse_tree(text)
    fast, slow = parse_both(monkeypatch, text)
    assert isinstance(fast, tuple) and fast == slow


def test_tables_that_cannot_be_built_leave_every_file_to_hcl2(monkeypatch):
    monkeypatch.setattr(lalr, "_built", [None])
    with pytest.raises(FastPathUnavailable):
        lalr.parse_tree("a = 1")
    body = hclsyntax.reference_body("a = 1\n", "main.tf")
    assert body.attributes["a"].expr.value == 1


def test_the_compiled_grammar_is_cached_in_armlints_cache_folder():
    # In this process: the tables are built once per process, into the test run's one
    # ARMLINT_CACHE_DIR (tests/conftest.py), by this call or by an earlier test's.
    assert lalr.parse_tree("a = 1").data == "start"
    # A .tmp file is another test process writing the same file at this moment (pytest-xdist).
    folder = Path(os.environ["ARMLINT_CACHE_DIR"]) / "lark"
    cached = [path for path in folder.iterdir() if path.suffix != ".tmp"]
    assert [p.name.startswith("hcl2-") and p.suffix == ".parser" for p in cached] == [True]


def test_a_saved_grammar_serves_the_next_process_and_a_damaged_one_is_rebuilt(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path))
    saved = lalr.grammar_and_saved_path()[1]
    saved.parent.mkdir(parents=True)
    saved.write_bytes(b"not a saved parser")
    monkeypatch.setattr(lalr, "_built", [])  # this process builds the tables again
    assert lalr.parse_tree("a = 1").data == "start"
    assert lalr._built[0] is not None and saved.read_bytes() != b"not a saved parser"
    before = saved.stat()
    # A fresh process loads the file as it is: a rebuild would write it again (lark's own
    # cache, keyed by the temporary path it was written to, was rebuilt by the next process).
    script = "from armlint.terraform import lalr; lalr.parse_tree('a = 1'); print(lalr._built)"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert done.returncode == 0 and done.stderr == "" and "Tables(" in done.stdout
    after = saved.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_an_unwritable_cache_folder_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(blocker))
    monkeypatch.setattr(lalr, "_built", [])  # build the tables again, without a cache
    assert lalr.parse_tree("a = 1").data == "start"
    assert lalr._built[0] is not None


def test_building_the_grammar_removes_lark_cache_files_of_before_session_9(tmp_path, monkeypatch):
    # lark's own cache option wrote hcl2-<hash>.lark files, which nothing reads any more;
    # another version's saved parser (.parser) and unrelated files stay.
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path))
    folder = tmp_path / "lark"
    folder.mkdir()
    legacy = folder / "hcl2-0123456789abcdef.lark"
    other_version = folder / "hcl2-fedcba9876543210.parser"
    unrelated = folder / "notes.lark"
    for path in (legacy, other_version, unrelated):
        path.write_bytes(b"x")
    monkeypatch.setattr(lalr, "_built", [])  # this process builds the tables again
    assert lalr.parse_tree("a = 1").data == "start"
    remaining = sorted(path.name for path in folder.iterdir())
    saved = lalr.grammar_and_saved_path()[1].name
    assert remaining == sorted([saved, other_version.name, unrelated.name])
