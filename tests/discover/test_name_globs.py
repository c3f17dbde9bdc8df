"""Exclude patterns that are name globs ("*.tf", "build/") are matched without pathspec, with
exactly pathspec's verdicts (armlint.globs._names_regex), and a walk that needs no other
pattern does not import pathspec at all (its import was a fifth of a fully cached run)."""

import os
import subprocess
import sys

import pathspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armlint.globs import Patterns, _names_regex, relative_to

BASE = "/base"
# Names built from the characters that make globs tricky: dots, dashes, stars.
NAME = st.text(alphabet="ab.-_*", min_size=1, max_size=5)
PATTERN = st.builds(lambda name, slash: name + slash, NAME, st.sampled_from(["", "/"]))
# "." and ".." never reach a pattern: paths are made absolute (normalised) first.
COMPONENT = st.text(alphabet="ab.-_", min_size=1, max_size=5).filter(lambda c: c.strip("."))


def pathspec_verdict(lines: list[str], relative: str, is_dir: bool) -> bool | None:
    spec = pathspec.GitIgnoreSpec.from_lines(lines)
    return spec.check_file(relative + "/" if is_dir else relative).include


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(PATTERN, min_size=1, max_size=3),
    parts=st.lists(COMPONENT, min_size=1, max_size=4),
    is_dir=st.booleans(),
)
def test_name_globs_match_as_pathspec_does(lines, parts, is_dir):
    patterns = Patterns(lines, BASE)
    relative = "/".join(parts)
    expected = pathspec_verdict(patterns.lines, relative, is_dir)
    assert patterns.verdict(f"{BASE}/{relative}", is_dir) is expected
    if _names_regex(patterns.lines) is not None:
        assert patterns._spec is None  # really matched without pathspec


def test_examples_of_both_kinds():
    simple = Patterns(["*.tf", "build/", ".venv/"], BASE)
    assert simple._spec is None
    assert simple.matches(f"{BASE}/a/main.tf")
    assert simple.matches(f"{BASE}/a/x.tf/inner.json")  # below an excluded folder
    assert simple.matches(f"{BASE}/a/build", is_dir=True)
    assert not simple.matches(f"{BASE}/a/build")  # a file named build
    assert simple.matches(f"{BASE}/build/x.json")
    assert not simple.matches(f"{BASE}/a/main.tfvars")
    assert not simple.matches("/elsewhere/main.tf")
    other = Patterns(["*.json", "!keep.json", "/top", "a/**/b", "x?"], BASE)
    for path, is_dir in [("keep.json", False), ("d/one.json", False), ("top", True), ("xy", False)]:
        assert other.verdict(f"{BASE}/{path}", is_dir) is pathspec_verdict(
            list(other.lines), path, is_dir
        )


def test_a_walk_with_name_globs_does_not_import_pathspec(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "vm.json").write_text("{}")
    (tmp_path / "a" / "main.tf").write_text("")
    (tmp_path / ".gitignore").write_text("build/\n*.tmp\n")
    code = (
        "import sys\n"
        "from armlint.globs import Patterns\n"
        "from armlint.run.discover import discover\n"
        f"found = discover([{str(tmp_path)!r}], [Patterns(['*.tf', 'out/'], {str(tmp_path)!r})])\n"
        "print(sorted(c.path.rsplit('/', 1)[-1] for c in found.candidates), 'pathspec' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert done.stdout.split() == ["['vm.json']", "False"]


def relpath_answer(path: str, base: str) -> str | None:
    """What ``relative_to`` answered through ``os.path.relpath`` before its POSIX shortcut."""
    relative = os.path.relpath(os.path.abspath(path), base)
    if relative == os.curdir:
        return ""
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative


# Paths from a few short components, absolute or not, with "." / ".." / "//" mixed in.
RAW_PATH = st.builds(
    lambda lead, parts: lead + "/".join(parts),
    st.sampled_from(["/", "", "//"]),
    st.lists(st.sampled_from(["a", "ab", "b", ".", "..", ""]), max_size=4),
)


@pytest.mark.skipif(os.sep != "/", reason="the shortcut is POSIX only")
@settings(max_examples=400, deadline=None)
@given(path=RAW_PATH, base=RAW_PATH)
def test_relative_to_answers_as_relpath_does(path, base):
    assert relative_to(path, base) == relpath_answer(path, base)
