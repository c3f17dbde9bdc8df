"""Writing the result cache (armlint/run/cache_pack.py): a run writes the entries it stores as
one pack, not one file per unit (creating a file cost about 0.7 ms of CPU, the whole excess of
a first cached run); packs are written whole, never shared between writers, merged past a
bound, and a damaged one is a miss, never an error."""

import json
import os
import time

import pytest

from armlint.run import cache_pack, pipeline, workunits
from armlint.run.cache_pack import ResultPacks, pack_paths, read_pack, write_pack
from armlint.run.pipeline import RunOptions, run_check
from armlint.run.workunits import UnitResult

KEY = "ab" + "0" * 62
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [],
}


def key(number: int) -> str:
    return f"{number:064x}"


@pytest.fixture
def packs(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    return cache_pack.packs_folder()


def test_a_run_writes_one_pack_for_all_its_units(tmp_path, packs, monkeypatch):
    for name in ("a", "b", "c"):  # a folder is a unit
        (tmp_path / name).mkdir()
        (tmp_path / name / "main.json").write_text(json.dumps(TEMPLATE), encoding="utf-8")
    options = RunOptions(paths=[str(tmp_path / name) for name in "abc"], cache=True)
    first = run_check(options)
    [pack] = pack_paths(packs)
    assert len(read_pack(pack)) == 3
    assert os.listdir(packs) == [os.path.basename(pack)], "a temporary file was left"
    checked = []
    monkeypatch.setattr(pipeline, "check_unit", lambda *args: checked.append(args))
    assert run_check(options).files == first.files
    assert checked == [] and pack_paths(packs) == [pack], "the second run stored again"


def test_an_entry_stored_alone_is_a_pack_of_its_own(packs):
    workunits.store(KEY, UnitResult(notes=["kept"]))
    assert workunits.lookup_cached(KEY)[0].notes == ["kept"]
    assert list(read_pack(pack_paths(packs)[0])) == [KEY]


def test_writers_never_share_a_file_and_readers_see_both(packs):
    """Two runs at once: each writes its own pack; neither index is overwritten."""
    one, other = ResultPacks(packs), ResultPacks(packs)
    assert one.get(key(1)) is None and other.get(key(2)) is None
    one.put(key(1), b"first")
    other.put(key(2), b"second")
    one.flush()
    other.flush()
    assert len(pack_paths(packs)) == 2
    reader = ResultPacks(packs)
    assert (reader.get(key(1)), reader.get(key(2))) == (b"first", b"second")


def test_a_pack_removed_after_its_index_was_read_is_a_miss(packs):
    """Another run may merge and remove a pack between this run's listing and its read."""
    write_pack(packs, {key(1): b"entry"})
    reader = ResultPacks(packs)
    assert reader.get(key(2)) is None  # the indexes are read now
    for pack in pack_paths(packs):
        os.remove(pack)
    assert reader.get(key(1)) is None


@pytest.mark.parametrize(
    "index",
    [
        b"not json\n",
        b'{"format": 2, "entries": [], "unmentioned": []}\n',
        b'{"format": 1, "entries": [["' + b"g" * 64 + b'", 3]], "unmentioned": []}\n',
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", -3]], "unmentioned": []}\n',
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", 3]], "unmentioned": [3]}\n',
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", 3]]}\n',
        # no end of line: cut short
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", 3]], "unmentioned": []}',
        # a file stamp without its digest, one with a time that is not a number
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", 3]], "unmentioned": [], '
        b'"stamps": [["a.json", 1, 2, 3, 4, 5]]}\n',
        b'{"format": 1, "entries": [["' + b"1" * 64 + b'", 3]], "unmentioned": [], '
        b'"stamps": [["a.json", 1, 2, 3, "4", 5, "' + b"2" * 64 + b'"]]}\n',
    ],
)
def test_a_pack_with_a_damaged_index_is_ignored_alone(packs, index):
    write_pack(packs, {key(1): b"good"})
    with open(os.path.join(packs, "99999999999999999999-bad.pack"), "wb") as stream:
        stream.write(index + b"abc")
    reader = ResultPacks(packs)
    assert reader.get(key(1)) == b"good"
    assert reader.get("1" * 64) is None


def test_a_pack_is_its_index_line_then_its_entries(packs):
    """The layout the README and cache_pack describe, written by hand, is read."""
    os.makedirs(packs)
    index = {"format": 1, "entries": [[key(1), 3], [key(2), 2]], "unmentioned": [key(9)]}
    with open(os.path.join(packs, "1-by-hand.pack"), "wb") as stream:
        stream.write(json.dumps(index).encode() + b"\nonetw")
    reader = ResultPacks(packs)
    assert (reader.get(key(1)), reader.get(key(2))) == (b"one", b"tw")
    assert reader.known_unmentioned(key(9)) and not reader.known_unmentioned(key(1))


def test_packs_are_merged_past_the_bound_newest_first(packs, monkeypatch):
    monkeypatch.setattr(cache_pack, "MAX_PACKS", 2)
    for number, entries in enumerate(
        [{key(1): b"old", key(2): b"two"}, {key(1): b"new"}, {key(3): b"three"}]
    ):
        writer = ResultPacks(packs)
        for name, entry in entries.items():
            writer.put(name, entry)
        writer.flush()
        assert len(pack_paths(packs)) == (number + 1 if number < 2 else 1)
    reader = ResultPacks(packs)
    assert [reader.get(key(n)) for n in (1, 2, 3)] == [b"new", b"two", b"three"]


def test_a_merge_keeps_each_files_newest_stamp(tmp_path, packs, monkeypatch):
    """The file stamps travel with the packs they were written in: a merge keeps the newest
    stamp of each file, and a file whose stamp matches is not read for its digest."""
    monkeypatch.setattr(cache_pack, "MAX_PACKS", 1)
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 0)  # the file is seconds old
    path = tmp_path / "main.json"
    path.write_text(json.dumps(TEMPLATE), encoding="utf-8")
    old = ((1, 2, 3, 4, 5), "1" * 64)
    write_pack(packs, {key(1): b"one"}, stamps={str(path): old, "gone.json": old})
    time.sleep(0.001)  # pack names start with the time they were written
    writer = ResultPacks(packs)
    digest = workunits.digest_of(str(path), packs=writer)
    writer.put(key(2), b"two")
    writer.flush()
    [pack] = pack_paths(packs)
    stamps = cache_pack.read_index(pack)[2]
    assert stamps["gone.json"] == old
    assert stamps[str(path)] == (cache_pack.stamp_of(path.stat()), digest)
    monkeypatch.setattr(workunits, "_read_digest", lambda *args: "read again")
    assert workunits.digest_of(str(path), packs=ResultPacks(packs)) == digest


def test_a_merge_removes_the_entry_files_of_versions_before_packs(packs, monkeypatch):
    monkeypatch.setattr(cache_pack, "MAX_PACKS", 1)
    results = os.path.dirname(packs)
    os.makedirs(os.path.join(results, "ab"))
    with open(os.path.join(results, "ab", KEY + ".json"), "w") as stream:
        stream.write("{}")
    write_pack(packs, {key(1): b"one"})
    workunits.store(KEY, UnitResult(notes=["kept"]))
    assert sorted(os.listdir(results)) == ["packs"]
    assert workunits.lookup_cached(KEY)[0].notes == ["kept"]


def test_a_merge_keeps_the_newest_entries_within_the_size_bound(packs, monkeypatch):
    monkeypatch.setattr(cache_pack, "MAX_PACKS", 1)
    monkeypatch.setattr(cache_pack, "MAX_RESULTS_BYTES", 8)
    write_pack(packs, {key(1): b"oldest"})
    time.sleep(0.001)  # pack names start with the time they were written
    writer = ResultPacks(packs)
    writer.put(key(2), b"newest")
    writer.flush()
    [pack] = pack_paths(packs)
    assert read_pack(pack) == {key(2): b"newest"}


def test_a_crashed_writers_temporary_file_is_removed_once_old(packs):
    os.makedirs(packs)
    old, recent = (os.path.join(packs, f"{name}.pack.1.tmp") for name in ("old", "recent"))
    for name in (old, recent):
        with open(name, "wb") as stream:
            stream.write(b"half a pack")
    stale = time.time() - cache_pack.STALE_TEMPORARY_SECONDS - 60
    os.utime(old, (stale, stale))
    workunits.store(KEY, UnitResult(notes=["kept"]))
    assert os.path.exists(recent) and not os.path.exists(old)
    assert workunits.lookup_cached(KEY)[0].notes == ["kept"]


def test_a_cache_folder_that_cannot_be_written_only_loses_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(blocker))
    workunits.store(KEY, UnitResult(notes=["lost"]))
    assert workunits.lookup_cached(KEY) == (None, "")
