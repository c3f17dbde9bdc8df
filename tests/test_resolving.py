"""FolderResolver: the answers of ``Path.resolve``, each folder resolved once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from armlint.resolving import FolderResolver


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "main.bicep").write_text("", encoding="utf-8")
    (tmp_path / "real" / "other.bicep").write_text("", encoding="utf-8")
    (tmp_path / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "real" / "alias.bicep").symlink_to(tmp_path / "real" / "other.bicep")
    (tmp_path / "loop.bicep").symlink_to(tmp_path / "loop.bicep")
    return tmp_path


CASES = [
    "real/main.bicep",
    "linked/main.bicep",  # a linked folder
    "real/alias.bicep",  # a linked file
    "linked/../real/other.bicep",  # '..' after a link: the link's target's parent
    "real/missing.bicep",
    "missing/deeper/x.bicep",
    "real/..",
    "real",
]


@pytest.mark.parametrize("relative", CASES)
def test_the_same_answers_as_path_resolve(tree, relative):
    path = tree / relative
    assert FolderResolver().resolve(path) == path.resolve()


def test_a_relative_path_and_its_errors_are_those_of_resolve(tree, monkeypatch):
    monkeypatch.chdir(tree / "real")
    assert FolderResolver().resolve(Path("main.bicep")) == Path("main.bicep").resolve()
    with pytest.raises(RuntimeError):  # a symlink loop, as Path.resolve raises it
        Path(tree / "loop.bicep").resolve()
    with pytest.raises(RuntimeError):
        FolderResolver().resolve(tree / "loop.bicep")
    with pytest.raises(ValueError):
        FolderResolver().resolve(tree / "real" / "a\0b.bicep")


def test_each_folder_is_resolved_once(tree, monkeypatch):
    resolver = FolderResolver()
    asked: list[Path] = []
    real_resolve = Path.resolve

    def counting(self: Path, strict: bool = False) -> Path:
        asked.append(self)
        return real_resolve(self, strict)

    monkeypatch.setattr(Path, "resolve", counting)
    for name in ("main.bicep", "other.bicep", "missing.bicep"):
        resolver.resolve(tree / "linked" / name)
    assert asked == [tree / "linked"]
    assert resolver.resolve(tree / "linked" / "main.bicep") == Path(
        os.path.realpath(tree / "real" / "main.bicep")
    )
