"""The result cache's key names the command line's paths as ``Path.resolve()`` would
(run/pipeline._absolute), without importing pathlib (issue 16, the second cached run)."""

import os
from pathlib import Path

import pytest

from armlint.run.pipeline import _absolute

CASES = [
    ".",
    "",
    "sub",
    "sub/",
    "./sub//f.json",
    "link/f.json",
    "link/../sub",
    "missing",
    "missing/x",
    "dangling",
    "loop1",
    "loop1/x",
    "sub/f.json/x",
    "..",
    "//x",
    "/",
]


def resolved_by_pathlib(path: str) -> str:
    """What the key used before: pathlib, and abspath for what resolve() refuses."""
    try:
        return str(Path(path).resolve())
    except (OSError, ValueError, RuntimeError):
        return os.path.abspath(path)


@pytest.fixture
def tree(tmp_path, monkeypatch):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "f.json").write_text("{}", encoding="utf-8")
    (tmp_path / "link").symlink_to("sub")
    (tmp_path / "dangling").symlink_to("missing_target")
    (tmp_path / "loop1").symlink_to("loop2")
    (tmp_path / "loop2").symlink_to("loop1")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", CASES)
def test_an_argument_is_named_as_path_resolve_named_it(tree, path):
    assert _absolute(path) == resolved_by_pathlib(path)


def test_a_symlink_loop_is_named_by_its_absolute_path(tree):
    assert _absolute("loop1") == str(tree / "loop1")
    assert _absolute("link/f.json") == str(tree / "sub" / "f.json")
