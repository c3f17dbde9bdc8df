"""A cached run reads each file once: the bytes read for its cache key also tell the
suppression scan whether the file can hold a suppression (issue 16: reading every file again
for the scan, and again for the key an entry is stored by, was a share of a cached run)."""

import io
import json
import os
import shutil
from pathlib import Path

import pytest

from armlint.run.cache_pack import pack_paths, read_index
from armlint.run.options import Gates
from armlint.run.pipeline import RunOptions, run_check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "arm"
REASON = "patched by hand"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "templates"
    shutil.copytree(EXAMPLES, target)
    # One template suppresses its AZP102 finding: that file must still be scanned.
    template = json.loads((target / "web-tier.json").read_text(encoding="utf-8"))
    template["metadata"] = {"armlint": {"ignore": {"AZP102": REASON}}}
    (target / "web-tier.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    return target


def reads_during(monkeypatch, folder: Path, run) -> dict[str, int]:
    """How many times each file of ``folder`` is opened while ``run()`` runs (os.open, which
    armlint.fileio uses, and io.open, which pathlib and open() use)."""
    counts: dict[str, int] = {}

    def counted(opener):
        def wrapper(path, *args, **kwargs):
            name = os.path.abspath(os.fspath(path)) if isinstance(path, (str, Path)) else ""
            if name.startswith(str(folder)):
                counts[os.path.basename(name)] = counts.get(os.path.basename(name), 0) + 1
            return opener(path, *args, **kwargs)

        return wrapper

    with monkeypatch.context() as patch:
        patch.setattr(os, "open", counted(os.open))
        patch.setattr(io, "open", counted(io.open))
        run()
    return counts


def suppressed(result) -> list[tuple[str, str, str | None]]:
    return [(f.rule, Path(f.location.path).name, f.suppressed) for f in result.findings]


def test_a_cached_run_reads_each_file_once(folder, monkeypatch):
    options = RunOptions(paths=[str(folder)], cache=True, gates=Gates())
    runs: dict[str, list] = {"fresh": [], "first": [], "second": []}
    fresh = reads_during(
        monkeypatch,
        folder,
        lambda: runs["fresh"].append(run_check(RunOptions(paths=[str(folder)], gates=Gates()))),
    )
    first = reads_during(monkeypatch, folder, lambda: runs["first"].append(run_check(options)))
    second = reads_during(monkeypatch, folder, lambda: runs["second"].append(run_check(options)))
    # An empty cache: the key is one more read of each file, but the scan is one fewer for
    # the files without "armlint", and the entry is stored by the key the lookup computed.
    assert first == {name: count + (name == "web-tier.json") for name, count in fresh.items()}
    # A full cache: the key alone; the scan reads only the file that holds a suppression.
    assert second == {
        "legacy-app.json": 1,
        "legacy-app.parameters.json": 1,
        "web-tier.json": 2,
    }
    assert ("AZP102", "web-tier.json", REASON) in suppressed(runs["fresh"][0])
    assert suppressed(runs["first"][0]) == suppressed(runs["second"][0])
    assert suppressed(runs["second"][0]) == suppressed(runs["fresh"][0])


def test_a_full_cache_knows_the_files_without_armlint_by_their_digests(folder, monkeypatch):
    """The pack lists the content digests of the files without "armlint": a fully cached run
    searches only the bytes of the files that have it (the search was a quarter of its keys)."""
    import hashlib

    from armlint.run import workunits
    from tests.cache_packs import packs_of

    options = RunOptions(paths=[str(folder)], cache=True, gates=Gates())
    first = run_check(options)
    [pack] = pack_paths(packs_of(folder.parent / "cache"))
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}
    assert sorted(read_index(pack)[1]) == sorted(
        digest for name, digest in digests.items() if name != "web-tier.json"
    )
    searched = []
    original = workunits.mentions
    monkeypatch.setattr(
        workunits,
        "mentions",
        lambda data, length: searched.append(length) or original(data, length),
    )
    second = run_check(options)
    assert searched == [(folder / "web-tier.json").stat().st_size]
    assert suppressed(second) == suppressed(first)
    assert ("AZP102", "web-tier.json", REASON) in suppressed(second)


def test_a_file_edited_to_suppress_is_scanned_on_the_next_cached_run(folder):
    options = RunOptions(paths=[str(folder)], cache=True, gates=Gates())
    before = suppressed(run_check(options))
    assert ("AZP102", "legacy-app.json", "") in before
    path = folder / "legacy-app.json"
    template = json.loads(path.read_text(encoding="utf-8"))
    template["metadata"] = {"armlint": {"ignore": {"AZP102": REASON}}}
    path.write_text(json.dumps(template, indent=2), encoding="utf-8")
    after = suppressed(run_check(options))
    assert ("AZP102", "legacy-app.json", REASON) in after
    assert suppressed(run_check(options)) == after  # now from the cache


def test_the_reused_buffer_gives_each_file_its_own_bytes(tmp_path):
    """digest_of reads keys into one buffer: a small file after a large one must not see the
    large one's tail, and a FIFO or a file above the cap is still never read."""
    import hashlib

    from armlint.fileio import BufferReader, SpecialFileError, TooLargeError
    from armlint.run.workunits import digest_of

    reader = BufferReader()
    large, small = tmp_path / "large.json", tmp_path / "small.json"
    large.write_bytes(b"x" * 5000 + b"armlint")
    small.write_bytes(b"{}")
    unmentioned: set[str] = set()
    for path in (large, small, large):
        digest = digest_of(str(path), unmentioned, reader)
        assert digest == hashlib.sha256(path.read_bytes()).hexdigest()
    assert unmentioned == {str(small)}
    assert bytes(reader.read(small, 10)) == b"{}"
    with pytest.raises(TooLargeError):
        reader.read(large, 100)
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.json")
        with pytest.raises(SpecialFileError):
            reader.read(tmp_path / "pipe.json", 100)
        assert digest_of(str(tmp_path / "pipe.json"), unmentioned, reader) is None
