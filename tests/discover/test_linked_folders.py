"""A linked folder is not walked (it may loop back) and makes a walk's record not plain (its
target may turn into a file on its own): told by the folder listing (issue 16, s11-rest)."""

import os

from armlint.run.discover import discover


def _tree(root) -> None:
    (root / "sub").mkdir()
    (root / "sub" / "a.json").write_text("{}")


def test_a_linked_folder_is_not_walked_and_the_walk_is_not_plain(tmp_path):
    _tree(tmp_path)
    (tmp_path / "link").symlink_to("sub")
    found = discover([str(tmp_path)], respect_gitignore=False)
    names = [os.path.relpath(c.path, tmp_path) for c in found.candidates]
    assert names == [os.path.join("sub", "a.json")]
    assert found.plain is False


def test_a_walk_without_links_is_plain(tmp_path):
    _tree(tmp_path)
    found = discover([str(tmp_path)], respect_gitignore=False)
    assert [os.path.relpath(c.path, tmp_path) for c in found.candidates] == [
        os.path.join("sub", "a.json")
    ]
    assert found.plain is True


def test_an_excluded_linked_folder_still_makes_the_walk_not_plain(tmp_path):
    _tree(tmp_path)
    (tmp_path / "node_modules").symlink_to("sub")
    found = discover([str(tmp_path)], respect_gitignore=False)
    assert found.plain is False
