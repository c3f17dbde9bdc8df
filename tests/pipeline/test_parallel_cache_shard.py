"""--jobs, --shard and the result cache never change what is reported."""

import shutil
from pathlib import Path

import pytest

from armlint.report import ReportOptions, render
from armlint.run.pipeline import RunOptions, run_check
from tests.cache_packs import damage_packs, rewrite_entries, stored_entries

ROOT = Path(__file__).resolve().parents[2]
INPUTS = [str(ROOT / "tests" / "fixtures"), str(ROOT / "examples")]


def report(**options) -> str:
    return rendered(run_check(RunOptions(paths=INPUTS, show_unknown=True, **options)))


def rendered(result) -> str:
    return render("json", result, ReportOptions(show_unknown=True, tool_version="test"))


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    """A result cache of the test's own. The other tests run without a result cache, in the
    run's cache folder (tests/conftest.py), where --jobs workers find the compiled grammar."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


# Each run over the fixtures and examples costs about a second: the runs every test compares
# against are made once for the module.


@pytest.fixture(scope="module")
def whole():
    """One process, no cache: what every other way of running must report."""
    return run_check(RunOptions(paths=INPUTS, show_unknown=True))


@pytest.fixture(scope="module")
def filled_cache(tmp_path_factory):
    """A result cache filled by a first cached run, and what that run reported."""
    folder = tmp_path_factory.mktemp("filled") / "cache"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ARMLINT_CACHE_DIR", str(folder))
        first = report(cache=True)
    return folder, first


def cache_copy(filled_cache, private_cache) -> str:
    """This test's own copy of the filled cache (the test may damage it); the first report."""
    folder, first = filled_cache
    shutil.copytree(folder, private_cache)
    return first


def test_two_processes_give_byte_identical_output(monkeypatch):
    """jobs=2 really checks in worker processes (a pool is started and given the work), and
    what they return is exactly what one process reports."""
    import multiprocessing
    import multiprocessing.pool

    pools = []

    class CountedPool(multiprocessing.pool.Pool):
        def starmap(self, *arguments, **keywords):
            pools.append(self)
            return super().starmap(*arguments, **keywords)

    def counted_pool(*arguments, **keywords):
        return CountedPool(*arguments, **keywords)

    monkeypatch.setattr(multiprocessing, "Pool", counted_pool)
    parallel = report(jobs=2)
    assert len(pools) == 1, "jobs=2 on this many files should use worker processes"
    assert parallel == report(jobs=1)
    assert len(pools) == 1, "jobs=1 should not start processes"


def test_a_cached_run_gives_identical_output_and_uses_the_cache(filled_cache, private_cache, whole):
    first = cache_copy(filled_cache, private_cache)
    assert stored_entries(private_cache), "the first run should fill the cache"
    assert report(cache=True) == first == rendered(whole)


def test_a_corrupt_cache_entry_is_ignored(filled_cache, private_cache):
    first = cache_copy(filled_cache, private_cache)
    assert rewrite_entries(private_cache, lambda *_: b"{not json")
    assert report(cache=True) == first


def test_a_corrupt_pack_is_ignored_and_its_units_stored_again(filled_cache, private_cache):
    first = cache_copy(filled_cache, private_cache)
    assert damage_packs(private_cache, '{"format": 1, "entries": [') == 1
    assert report(cache=True) == first
    assert stored_entries(private_cache), "the units of the damaged pack were not stored again"


def test_shards_split_the_work_without_losing_or_repeating_findings(whole):
    parts = [
        run_check(RunOptions(paths=INPUTS, show_unknown=True, shard=(k, 3))) for k in (1, 2, 3)
    ]
    assert sorted(f.sort_key for p in parts for f in p.findings) == [
        f.sort_key for f in whole.findings
    ]
    assert sorted(r.path for p in parts for r in p.files) == sorted(r.path for r in whole.files)


def test_verbose_names_each_odd_cache_entry(filled_cache, private_cache):
    """Issue 12: an odd entry is a miss, "recorded in --verbose" (and only then, so the
    default output never depends on the state of the cache)."""
    cache_copy(filled_cache, private_cache)
    first, second = sorted(stored_entries(private_cache))[:2]
    damaged = {first: b"{not json", second: b'{"format": 1}'}
    rewrite_entries(private_cache, lambda key, entry: damaged.get(key, entry))
    # show_unknown as the runs that filled the cache: it is part of the entries' keys.
    verbose = run_check(
        RunOptions(paths=INPUTS, cache=True, show_unknown=True, note_cache_misses=True)
    )
    odd = sorted(note for note in verbose.notes if note.startswith("cache: "))
    assert len(odd) == 2, odd
    assert any(note.endswith("not valid JSON; checked afresh") for note in odd)
    assert any("does not match schemas/cache-entry.schema.json" in note for note in odd)
    # The entries were rewritten by that run: a second verbose run has nothing to say.
    again = run_check(
        RunOptions(paths=INPUTS, cache=True, show_unknown=True, note_cache_misses=True)
    )
    assert not [note for note in again.notes if note.startswith("cache: ")]


def test_every_entry_a_run_writes_is_valid_and_used(filled_cache, private_cache):
    """Entries written by armlint itself pass the cache's own validation: a loader's AZP001
    (severity not yet set, '' until the findings path sets it) once failed it, so a file that
    does not parse was checked afresh on every run."""
    from armlint.run import workunits
    from armlint.run.cache_pack import ResultPacks

    cache_copy(filled_cache, private_cache)  # what report(cache=True) wrote
    keys = sorted(stored_entries(private_cache))
    assert keys
    packs = ResultPacks()  # the cache as one run sees it: its packs read once, not per entry
    for key in keys:
        reason = workunits.lookup_cached(key, packs)[1]
        assert reason == "", (key, reason)
