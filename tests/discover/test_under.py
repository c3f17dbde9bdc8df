"""discover._under: the walk's prefix test agrees with globs.relative_to on normalised paths."""

import pytest

from armlint.globs import relative_to
from armlint.run.discover import _under

PAIRS = [
    ("/a/b/c", "/a"),
    ("/a/b", "/a/b"),
    ("/a/bc", "/a/b"),  # a sibling whose name starts like the base is not under it
    ("/a", "/a/b"),
    ("/", "/"),
    ("/x/y", "/"),
    ("//a/b", "/a"),  # a "//" root reads as "/", as relative_to has it
    ("/a/b", "//a"),
]


@pytest.mark.parametrize(("folder", "base"), PAIRS)
def test_under_is_relative_to_for_normalised_paths(folder, base):
    assert _under(folder, base) == relative_to(folder, base)


def test_under_does_not_make_paths_absolute(monkeypatch):
    """The reason it exists: no ``abspath`` per folder and pattern set."""
    import os.path

    def refused(path):
        raise AssertionError(f"abspath({path!r})")

    monkeypatch.setattr(os.path, "abspath", refused)
    assert _under("/srv/repo/infra/vm", "/srv/repo") == "infra/vm"
