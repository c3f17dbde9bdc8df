"""A cached run reuses a file's digest when ``stat`` says the file has not changed (the file
stamps of armlint/run/cache_pack.py, as git's index keeps them): the unchanged files are not
read, and an edit is never missed, even one that keeps the size and restores the mtime."""

import os
import shutil
import types
from pathlib import Path

import pytest

from armlint import paths
from armlint.run import cache_pack
from armlint.run.cache_pack import ResultPacks, pack_paths, read_index
from armlint.run.options import Gates
from armlint.run.pipeline import RunOptions, cache_settings, run_check
from tests.cache_packs import packs_of
from tests.pipeline.test_cache_reads import reads_during

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "arm"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "templates"
    shutil.copytree(EXAMPLES, target)
    return target


@pytest.fixture
def settled_at_once(monkeypatch):
    """Files count as settled as soon as they are older than their read: the test's files
    are seconds old, where a real run waits ``SETTLED_NS`` (the racy rule)."""
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 0)


def checked(folder: Path, cache: bool = True) -> list[tuple]:
    result = run_check(RunOptions(paths=[str(folder)], cache=cache, gates=Gates()))
    return [(f.rule, f.resource, f.location.line, f.message) for f in result.findings]


def edit_keeping_size_and_mtime(path: Path) -> None:
    """What an editor, a checkout or a build may do: other bytes, same size, mtime restored."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert "app-01" in text
    path.write_text(text.replace("app-01", "app-02"), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_a_fully_cached_run_reads_no_unchanged_file(folder, monkeypatch, settled_at_once):
    first = checked(folder)
    [pack] = pack_paths(packs_of(folder.parent / "cache"))
    stamped = {Path(path).name for path in read_index(pack)[2] if path.startswith(str(folder))}
    assert stamped == {path.name for path in folder.iterdir()}
    runs = []
    opened = reads_during(monkeypatch, folder, lambda: runs.append(checked(folder)))
    assert opened == {}, "a file that did not change was read for its key"
    assert runs[0] == first == checked(folder, cache=False)


def test_a_fully_cached_run_asks_stat_once_per_file(folder, monkeypatch, settled_at_once):
    """The size limit's ``stat`` of a file is the one its stamp is compared with."""
    checked(folder)
    checked(folder)  # records the walk: the run below lists no folder
    asked: dict[str, int] = {}

    def counted(path, *args, **kwargs):
        name = os.path.abspath(os.fspath(path))
        if name.startswith(str(folder)) and os.path.splitext(name)[1] == ".json":
            asked[os.path.basename(name)] = asked.get(os.path.basename(name), 0) + 1
        return stat(path, *args, **kwargs)

    stat = os.stat
    monkeypatch.setattr(os, "stat", counted)
    checked(folder)
    assert asked == {path.name: 1 for path in folder.iterdir()}


def test_a_touched_file_is_hashed_again(folder, monkeypatch, settled_at_once):
    first = checked(folder)
    template = folder / "legacy-app.json"
    os.utime(template)  # `touch`: new times, same bytes
    runs = []
    opened = reads_during(monkeypatch, folder, lambda: runs.append(checked(folder)))
    assert opened == {"legacy-app.json": 1}
    assert runs[0] == first


def test_an_edit_with_size_and_mtime_restored_is_seen_by_its_ctime(folder, settled_at_once):
    """Even with the racy rule off, the status-change time, which no program can set back,
    gives the edit away."""
    first = checked(folder)
    edit_keeping_size_and_mtime(folder / "legacy-app.json")
    after = checked(folder)
    assert after != first
    assert after == checked(folder, cache=False)


def test_a_racy_file_is_hashed_again_where_ctime_does_not_move(folder, monkeypatch):
    """Where the stamp's ctime says nothing (Windows gives the creation time there), a file
    read within ``SETTLED_NS`` of its last change could change again, same size, same mtime:
    its digest is never reused (git's racy rule)."""
    real_stamp = cache_pack.stamp_of
    monkeypatch.setattr(cache_pack, "stamp_of", lambda status: (*real_stamp(status)[:4], 0))
    first = checked(folder)
    edit_keeping_size_and_mtime(folder / "legacy-app.json")
    after = checked(folder)
    assert after != first
    assert after == checked(folder, cache=False)


def test_the_racy_rule_compares_both_file_times_with_the_read():
    second = 1_000_000_000
    opened = 100 * second

    def status(mtime: int, ctime: int):
        return types.SimpleNamespace(st_mtime_ns=mtime, st_ctime_ns=ctime)

    old = opened - cache_pack.SETTLED_NS - 1
    assert cache_pack.settled(status(old, old), opened)
    assert not cache_pack.settled(status(opened - second, old), opened)
    assert not cache_pack.settled(status(old, opened - second), opened)
    assert not cache_pack.settled(status(opened + second, old), opened)  # a clock ahead


def test_a_run_that_hashed_many_files_keeps_their_stamps(folder, monkeypatch, settled_at_once):
    """A run with every unit cached writes no pack, unless it had to hash more than
    ``STAMPS_WORTH_A_PACK`` bytes of files it had no stamp for (after a checkout, say)."""
    packs = packs_of(folder.parent / "cache")
    first = checked(folder)
    assert checked(folder) == first and len(pack_paths(packs)) == 1, "nothing new to write"
    for path in folder.iterdir():
        os.utime(path)  # new times, same bytes: every unit is still cached
    monkeypatch.setattr(cache_pack, "STAMPS_WORTH_A_PACK", 0)  # the examples are small
    assert checked(folder) == first
    assert len(pack_paths(packs)) == 2, "the new stamps were not kept"
    runs = []
    assert reads_during(monkeypatch, folder, lambda: runs.append(checked(folder))) == {}
    assert runs[0] == first


def test_a_reinstalled_rule_pack_is_stamped_by_a_run_that_stores_nothing(
    tmp_path, monkeypatch, settled_at_once
):
    """Reinstalling the same version gives the rule files new times and the same bytes: every
    unit stays cached, so the run stores nothing, yet it keeps the rule files' new stamps
    (every run reads them; together far below ``STAMPS_WORTH_A_PACK``)."""
    rules = tmp_path / "rules"
    shutil.copytree(paths.rules_dir(), rules)
    monkeypatch.setattr(paths, "rules_dir", lambda: rules)
    options = RunOptions(paths=[str(tmp_path / "templates")])

    def settings_of_a_run_that_stores_nothing() -> str:
        packs = ResultPacks(str(tmp_path / "packs"))
        settings = cache_settings(options, packs)
        packs.flush()
        return settings

    first = settings_of_a_run_that_stores_nothing()
    rule_files = list(rules.rglob("*.yaml"))
    for path in rule_files:
        os.utime(path)  # the reinstall
    runs = []
    opened = reads_during(
        monkeypatch, rules, lambda: runs.append(settings_of_a_run_that_stores_nothing())
    )
    assert opened == {path.name: 1 for path in rule_files}
    opened = reads_during(
        monkeypatch, rules, lambda: runs.append(settings_of_a_run_that_stores_nothing())
    )
    assert opened == {}, "the rule files were hashed again"
    assert runs == [first, first]
