"""Writing a result-cache entry: a temporary file beside the entry, renamed over it, named by
process id (no ``tempfile.mkstemp`` on the common path), with a fallback when a crashed process
of the same id left its temporary file behind."""

import os

from armlint.run import workunits
from armlint.run.workunits import UnitResult

KEY = "ab" + "0" * 62


def _stored(tmp_path, monkeypatch) -> str:
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path))
    workunits.store(KEY, UnitResult(files=[], findings=[], notes=["kept"]))
    return workunits._entry_file(KEY)


def test_an_entry_is_written_whole_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    entry = _stored(tmp_path, monkeypatch)
    assert workunits.lookup_cached(KEY)[0].notes == ["kept"]
    assert os.listdir(os.path.dirname(entry)) == [os.path.basename(entry)]


def test_a_leftover_temporary_file_of_the_same_process_id_does_not_stop_the_write(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path))
    entry = workunits._entry_file(KEY)
    os.makedirs(os.path.dirname(entry))
    leftover = f"{entry}.{os.getpid()}.tmp"
    with open(leftover, "w") as stream:
        stream.write("half an entry")
    _stored(tmp_path, monkeypatch)
    assert workunits.lookup_cached(KEY)[0].notes == ["kept"]
    assert sorted(os.listdir(os.path.dirname(entry))) == sorted(
        [os.path.basename(entry), os.path.basename(leftover)]
    )
