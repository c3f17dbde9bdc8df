"""A cached run reuses the walk an earlier run recorded while no folder it listed changed
(armlint/run/cache_walk.py): no folder is listed again, and a file added, a folder added or a
``.gitignore`` edited is seen by the next run as by a run without the cache."""

import os
import shutil
from pathlib import Path

import pytest

from armlint.run import cache_pack, cache_walk, discover
from armlint.run.cache_pack import pack_paths, read_index
from armlint.run.options import Gates
from armlint.run.pipeline import RunOptions, run_check
from tests.cache_packs import packs_of

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "arm"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository (``.git``) with the ARM examples in a subfolder, run from its top."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    shutil.copytree(EXAMPLES, top / "arm")
    (top / ".gitignore").write_text("# nothing yet\n", encoding="utf-8")
    monkeypatch.chdir(top)
    return top


@pytest.fixture
def settled_at_once(monkeypatch):
    """Folders count as settled as soon as they are older than the walk: the test's folders
    are seconds old, where a real run waits ``SETTLED_NS`` (the racy rule)."""
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 0)


def checked(cache: bool = True) -> tuple[list, list]:
    result = run_check(RunOptions(paths=["."], cache=cache, gates=Gates()))
    findings = [(f.rule, f.location.path, f.location.line, f.message) for f in result.findings]
    return sorted(report.path for report in result.files), findings


def listings_during(monkeypatch, project: Path, run) -> int:
    """How many folders of ``project`` are listed while ``run()`` runs."""
    calls = []
    real = os.scandir

    def counted(path):
        if os.path.abspath(path).startswith(str(project)):
            calls.append(path)
        return real(path)

    with monkeypatch.context() as patch:
        patch.setattr(discover.os, "scandir", counted)
        run()
    return len(calls)


def test_a_recorded_walk_lists_no_folder(project, monkeypatch, settled_at_once):
    first = checked()
    [pack] = pack_paths(packs_of(project.parent / "cache"))
    assert len(read_index(pack)[3]) == 1, "the walk was not recorded"
    runs = []
    assert listings_during(monkeypatch, project, lambda: runs.append(checked())) == 0
    assert runs[0] == first == checked(cache=False)


def test_a_file_or_folder_added_is_found(project, settled_at_once):
    checked()
    shutil.copy(project / "arm" / "web-tier.json", project / "arm" / "copy.json")
    (project / "more").mkdir()
    shutil.copy(project / "arm" / "legacy-app.json", project / "more" / "other.json")
    after = checked()
    assert "arm/copy.json" in after[0] and "more/other.json" in after[0]
    assert after == checked(cache=False)


def test_a_gitignore_edited_in_place_is_honoured(project, settled_at_once):
    before = checked()
    (project / ".gitignore").write_text("legacy-app.json\n", encoding="utf-8")
    after = checked()
    assert "arm/legacy-app.json" in before[0] and "arm/legacy-app.json" not in after[0]
    assert after == checked(cache=False)


def test_a_racy_folder_is_listed_again_where_ctime_does_not_move(project, monkeypatch):
    """A folder changed within ``SETTLED_NS`` of the walk could change again without new
    times: its walk is not recorded (here the stamps keep only the device, inode and mtime,
    as where ctime is the creation time (Windows) and a folder's size does not grow, and the
    folder's mtime is set back after a file is added)."""

    def stamp_of(status):
        return (status.st_dev, status.st_ino, 0, status.st_mtime_ns, 0)

    monkeypatch.setattr(cache_pack, "stamp_of", stamp_of)
    monkeypatch.setattr(cache_walk, "stamp_of", stamp_of)
    checked()
    folder = project / "arm"
    times = folder.stat()
    shutil.copy(folder / "web-tier.json", folder / "copy.json")
    os.utime(folder, ns=(times.st_atime_ns, times.st_mtime_ns))
    assert "arm/copy.json" in checked()[0]


def test_a_walk_that_met_a_link_is_not_recorded(project, settled_at_once):
    """A link's target may change without its folder changing."""
    if not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    os.symlink(project / "arm" / "web-tier.json", project / "arm" / "linked.json")
    checked()
    [pack] = pack_paths(packs_of(project.parent / "cache"))
    assert read_index(pack)[3] == {}
