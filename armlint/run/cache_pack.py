"""The result cache on disk: a few pack files, not one file per unit.

Creating a file costs about 0.7 ms of CPU on the project's box, as much as checking a small
template, so a run that stored one entry file per unit paid for the cache more than it saved
on a first run. A run now writes the entries it stores into one pack (a handful for a very
large run), and reads each pack it uses once.

Layout, under ``<cache folder>/results/packs/``:

- ``<time>-<random>.pack``: the first line is the pack's index, ASCII JSON
  ``{"format": 1, "entries": [[key, length], ...], "unmentioned": [digest, ...],
  "stamps": [[path, device, inode, size, mtime_ns, ctime_ns, digest], ...],
  "walks": {key: walk, ...}}``; the
  entries' bytes follow it, one after the other in the index's order (each entry is a stamped
  JSON object, ``workunits.stamped``). ``unmentioned`` lists the content digests (SHA-256) of
  the files the run read for its keys whose bytes do not contain "armlint", so that the next
  run need not search them again for suppressions (``workunits.digest_of``). ``stamps``
  (optional) holds what ``stat`` said of the files whose digests the run used, so that the
  next run reuses a digest instead of reading and hashing a file that has not changed (see
  "File stamps" below). ``walks`` (optional) holds the discovery of a run by what decides
  it (armlint/run/cache_walk.py).
  The name starts with the time it was written (nanoseconds, 20 digits, so names sort by age)
  and ends with random hex: two runs never write the same pack, so nothing is shared between
  writers (no lock, no index file that concurrent runs would overwrite).
- ``<name>.<pid>.tmp``: a pack being written. It becomes a pack by ``os.replace`` once whole,
  so a reader sees a whole pack or none; a crash leaves a temporary file that compaction
  removes once it is old.

Safety. A pack is untrusted input. An index that is not what this module writes (damaged,
truncated, another format) makes the whole pack a miss: its units are checked afresh and
stored in a new pack. Each entry keeps its own stamp, so a damaged entry in a good pack is a
miss for its unit alone (``workunits.lookup_cached`` names why). A pack that disappears
between its listing and its read (another run compacted it) is a plain miss.

A key found in several packs is read from the newest (a unit checked afresh because its entry
was damaged is stored again in a newer pack).

File stamps, as git's index and ruff's cache keep them. A file's digest is reused when
``stat`` still gives the device, inode, size, modification and status-change times
(nanoseconds) recorded with it. The status-change time (ctime) cannot be set by a program, so
an edit whose size and restored mtime (``os.utime``) match still changes it. A stamp is
recorded only when both times lie more than ``SETTLED_NS`` before the file was opened to be
hashed (git's "racy" rule): a file written in the same clock tick as it was read could change
again within that tick, same size, without either time moving, and would be trusted wrongly.
Such a file is hashed again by every run until a run records it settled. Like git, this
trusts the file system's clock: the margin covers FAT's two-second timestamps and the
kernel's coarse clock, not a network file server whose clock lags the machine's by more.

Bound. When a run writes a pack and finds more than ``MAX_PACKS`` of them, it merges them all
into one, keeping each key's newest entry and, newest first, no more than
``MAX_RESULTS_BYTES`` (and ``MAX_UNMENTIONED`` digests): what no run has written for long
goes first. The merge also removes the one-file entries of versions before packs. Two runs compacting at
once both write a merged pack; the duplicate is harmless and merged away next time.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable
from stat import S_ISREG

PACK_FORMAT = 1
PACK_SUFFIX = ".pack"
MAX_PACKS = 8  # more than this when a run writes: merge them into one
MAX_RESULTS_BYTES = 256 * 1024 * 1024  # what a merge keeps, newest first
PACK_FLUSH_BYTES = 16 * 1024 * 1024  # a run's pending entries are written past this size
MAX_INDEX_BYTES = 32 * 1024 * 1024  # 200,000 entries and as many digests
INDEX_PIECE_BYTES = 256 * 1024  # the first read of an index (doubled while it goes on)
MAX_UNMENTIONED = 200_000  # digests a merge keeps, newest first
MAX_STAMPS = 200_000  # file stamps a merge keeps, newest first
MAX_WALKS = 64  # recorded walks a merge keeps, newest first
# A run that stores nothing still writes a pack for its new file stamps past this many bytes
# hashed: writing a pack costs about what reading and hashing a megabyte does.
STAMPS_WORTH_A_PACK = 1024 * 1024
SETTLED_NS = 3_000_000_000  # a file's times must be this much older than its read: see above
STALE_TEMPORARY_SECONDS = 3600  # a temporary file this old is a crashed writer's
# Keys and content digests are 64 of these (SHA-256 in hex), the folders of one-file entries
# (results/ab/, before packs) 2: see ``hex_digits_alone``.
_HEX_DIGITS = b"0123456789abcdef"
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


class PackError(Exception):
    """A pack that cannot be used as a whole."""


def packs_folder() -> str:
    """``results/packs`` in the cache folder of the current environment."""
    from armlint.paths import cache_dir

    return os.path.join(cache_dir(), "results", "packs")


class ResultPacks:
    """The packs of one cache folder, as one run sees them: each index is read at the first
    lookup, each pack's entries when one of them is first asked for. Entries stored through
    ``put`` are written by ``flush`` (the run's end), or earlier past ``PACK_FLUSH_BYTES``."""

    def __init__(self, folder: str | None = None) -> None:
        self.folder = packs_folder() if folder is None else folder
        self._where: dict[str, tuple[str, int, int]] | None = None  # key -> (pack, start, end)
        self._known: set[str] = set()  # digests of files without "armlint", from the indexes
        self._remembered: set[str] = set()  # the same, found by this run: for its pack
        self._stamps: dict[str, Stamped] = {}  # path -> its stat and digest, from the indexes
        self._stamped: dict[str, Stamped] = {}  # the same, used or found by this run: its pack
        self._walks: dict[str, dict] = {}  # a walk's key -> its record, from the indexes
        self._new_walks: dict[str, dict] = {}  # the walks this run recorded: for its pack
        self._bodies: dict[str, bytes | None] = {}  # pack -> its bytes after the index line
        self._pending: dict[str, bytes] = {}
        self._pending_bytes = 0
        self._hashed_anew = 0  # bytes of files hashed that no index had a stamp for
        self._stamps_wanted = False  # files every run reads were hashed anew: write their stamps
        self._statuses: dict[str, os.stat_result] = {}  # path -> its stat in this run
        # What the run's result rests on, for the record of the whole run (run/replay.py):
        # each path it asked ``stat`` or a digest of with the stamp it saw (None: gone), the
        # dependencies it found absent (``absent_now``), and why the run cannot be recorded,
        # if so.
        self.seen: dict[str, Stamp | None] = {}
        self.absent: dict[str, None] = {}
        self.unrecordable = ""

    # -- reading --------------------------------------------------------------------------

    def get(self, key: str) -> bytes | None:
        """The stored entry of ``key`` (its stamp not yet checked), or None."""
        if key in self._pending:
            return self._pending[key]
        found = self._indexes().get(key)
        if found is None:
            return None
        pack, start, end = found
        body = self._body(pack)
        return None if body is None else body[start:end]

    def known_unmentioned(self, digest: str) -> bool:
        """Whether an earlier run found no "armlint" in a file of this content digest."""
        self._indexes()
        return digest in self._known

    def remember_unmentioned(self, digest: str) -> None:
        self._remembered.add(digest)

    def unchanged_digest(self, path: str) -> str | None:
        """The digest recorded for ``path`` when ``stat`` says it has not changed since, else
        None (never recorded, changed, gone, or no longer a regular file)."""
        self._indexes()
        known = self._stamps.get(path)
        if known is None:
            return None
        try:
            status = self.status(path)
        except (OSError, ValueError):
            return None
        if not S_ISREG(status.st_mode) or stamp_of(status) != known[0]:
            return None
        self._stamped[path] = known
        self._saw(path, known[0])
        return known[1]

    def status(self, path: str | os.PathLike[str]) -> os.stat_result:
        """``os.stat`` of ``path``, taken once in this run: the size limit asks it of each
        file before the file's stamp is compared (a second ``stat`` of every file was a tenth
        of a fully cached run). Raises as ``os.stat`` does."""
        name = os.fspath(path)
        status = self._statuses.get(name)
        if status is None:
            try:
                status = self._stat(name)
            except (OSError, ValueError):
                self._saw(name, None)
                raise
        return status

    def _stat(self, name: str) -> os.stat_result:
        """``os.stat`` of ``name``, kept for the run and seen with its stamp."""
        status = self._statuses[name] = os.stat(name)
        self._saw(name, stamp_of(status))
        return status

    def absent_now(self, path: str) -> bool:
        """Whether nothing is at ``path`` (``stat`` raises FileNotFoundError), for a
        dependency that may be absent (a lock file): the run then rests on its absence
        (``absent``), where a file that ``status`` finds gone makes it unrecordable. A path
        that is there is asked ``stat`` once in the run, as ``status`` asks it."""
        if path in self._statuses:
            return False
        try:
            self._stat(path)
        except FileNotFoundError:
            self.absent[path] = None
            return True
        except (OSError, ValueError):
            return False  # something may be there that cannot be read: digest_of says so
        return False

    def walk(self, key: str) -> dict | None:
        """The walk recorded under ``key`` (cache_walk checks it), or None."""
        self._indexes()
        return self._walks.get(key)

    def remember_walk(self, key: str, record: dict) -> None:
        """Keep a walk for the next run: written with this run's pack, even when the run
        stores no entry (the next run then lists no folder)."""
        self._new_walks[key] = record

    def remember_digest(self, path: str, status: os.stat_result, digest: str, opened_ns: int):
        """Record ``digest`` for ``path`` with ``status`` (its ``fstat`` when it was opened, at
        ``opened_ns``) for the next run, unless it changed too recently to be trusted."""
        self._saw(path, stamp_of(status))
        if not settled(status, opened_ns):
            self.not_recordable(f"{path} changed just before it was read")
        else:
            stamped = (stamp_of(status), digest)
            if self._stamps.get(path) != stamped:
                self._hashed_anew += status.st_size
            self._stamped[path] = stamped

    def depends_on(self, rows: Iterable[list]) -> None:
        """The run rests on these ``[path, *stamp]`` rows besides the files it asked stamps
        of (a recorded walk's folders and .gitignore files)."""
        for path, *stamp in rows:
            self._saw(path, tuple(stamp))

    def _saw(self, path: str, stamp: Stamp | None) -> None:
        """``path`` had ``stamp`` when the run used it; two different ones: it changed."""
        if self.seen.setdefault(path, stamp) != stamp:
            self.not_recordable(f"{path} changed during the run")

    def not_recordable(self, why: str) -> None:
        """Something the run read cannot be judged by stamps: no record of the whole run."""
        self.unrecordable = self.unrecordable or why

    def read_by_every_run(self, paths: Iterable[str]) -> None:
        """These files are read by every run (the rule pack): when one of them was hashed
        anew (reinstalling the same version gives the same bytes new file times), this run
        writes its stamps even if it stores nothing else, or every fully cached run would
        hash them again."""
        stamped, known = self._stamped, self._stamps
        if any(path in stamped and stamped[path] != known.get(path) for path in paths):
            self._stamps_wanted = True

    def _indexes(self) -> dict[str, tuple[str, int, int]]:
        """Where each key's entry is; a key in several packs is taken from the newest."""
        if self._where is not None:
            return self._where
        self._where = {}
        for pack in reversed(pack_paths(self.folder)):  # oldest first: newer ones overwrite
            try:
                where, unmentioned, stamps, walks = read_index(pack)
            except (OSError, PackError):
                continue  # a miss for each of its units; they are stored again
            self._where.update(where)
            self._known.update(unmentioned)
            self._stamps.update(stamps)
            self._walks.update(walks)
        return self._where

    def _body(self, pack: str) -> bytes | None:
        if pack not in self._bodies:
            self._bodies[pack] = _body_of(pack)
        return self._bodies[pack]

    # -- writing --------------------------------------------------------------------------

    def put(self, key: str, entry: bytes) -> None:
        self._pending[key] = entry
        self._pending_bytes += len(entry)
        if self._pending_bytes > PACK_FLUSH_BYTES:
            self.flush()

    def flush(self) -> None:
        """Write the pending entries as one pack, then merge the packs if there are too many.
        A run with no entry to store writes its new walk or, when it had to hash many files
        (touched by a checkout, say) or files every run reads, its new file stamps, so the
        next run need not. A cache folder that cannot be written only loses speed."""
        worth_it = self._hashed_anew > STAMPS_WORTH_A_PACK or self._stamps_wanted
        if not self._pending and not self._new_walks and not worth_it:
            return
        self._hashed_anew, self._stamps_wanted = 0, False
        entries, self._pending, self._pending_bytes = self._pending, {}, 0
        unmentioned, self._remembered = self._remembered, set()
        stamps, self._stamped = self._stamped, {}
        walks, self._new_walks = self._new_walks, {}
        if write_pack(self.folder, entries, unmentioned, stamps=stamps, walks=walks) is not None:
            compact(self.folder)


# A file's stamp: (device, inode, size, mtime_ns, ctime_ns), and the digest recorded with it.
Stamp = tuple[int, ...]
Stamped = tuple[tuple[int, int, int, int, int], str]


def stamp_of(status: os.stat_result) -> tuple[int, int, int, int, int]:
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def settled(status: os.stat_result, opened_ns: int) -> bool:
    """Whether the file's times are far enough before its read (at ``opened_ns``, on the
    wall clock) that any later change gives it other ones (the "racy" rule above)."""
    return max(status.st_mtime_ns, status.st_ctime_ns) < opened_ns - SETTLED_NS


def write_pack(
    folder: str,
    entries: dict[str, bytes],
    unmentioned: Iterable[str] = (),
    name: str | None = None,
    stamps: dict[str, Stamped] | None = None,
    walks: dict[str, dict] | None = None,
) -> str | None:
    """Write ``entries``, the ``unmentioned`` digests, the file ``stamps`` and the recorded
    ``walks`` as a new pack in ``folder`` (or as the pack ``name``, replacing it); its path,
    or None when the folder cannot be written."""
    index = {
        "format": PACK_FORMAT,
        "entries": [[key, len(entry)] for key, entry in entries.items()],
        "unmentioned": sorted(unmentioned),
        "stamps": [[path, *stamp, digest] for path, (stamp, digest) in (stamps or {}).items()],
        "walks": walks or {},
    }
    head = json.dumps(index).encode("ascii") + b"\n"
    target = os.path.join(folder, name or _new_pack_name())
    temporary = f"{target}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        # Never an existing file (O_EXCL), readable by the user alone, as findings may quote
        # the templates.
        handle = os.open(temporary, _WRITE_FLAGS, 0o600)
    except OSError:
        return None
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(head)
            stream.writelines(entries.values())
        os.replace(temporary, target)
    except OSError:
        _remove(temporary)
        return None
    return target


def read_pack(pack: str) -> dict[str, bytes]:
    """Every entry of ``pack`` by key; raises OSError or PackError."""
    return _contents(pack)[0]


def _contents(pack: str):
    """The pack's entries by key, its digests of files without "armlint", its file stamps
    and its walks."""
    where, unmentioned, stamps, walks = read_index(pack)
    body = _body_of(pack)
    if body is None:
        raise PackError("its entries cannot be read")
    entries = {key: body[start:end] for key, (_, start, end) in where.items()}
    return entries, unmentioned, stamps, walks


def pack_paths(folder: str | None = None) -> list[str]:
    """The packs of ``folder`` (the current cache's by default), newest first."""
    folder = packs_folder() if folder is None else folder
    try:
        names = [name for name in os.listdir(folder) if name.endswith(PACK_SUFFIX)]
    except OSError:
        return []
    return [os.path.join(folder, name) for name in sorted(names, reverse=True)]


def _new_pack_name() -> str:
    return f"{time.time_ns():020d}-{os.urandom(8).hex()}{PACK_SUFFIX}"


def compact(folder: str) -> None:
    """Merge the packs of ``folder`` into one when there are more than ``MAX_PACKS``."""
    packs = pack_paths(folder)
    _remove_stale_temporaries(folder)
    if len(packs) <= MAX_PACKS:
        return
    kept: dict[str, bytes] = {}
    unmentioned: dict[str, None] = {}  # in order, newest first
    stamps: dict[str, Stamped] = {}  # likewise; a path's newest stamp wins
    walks: dict[str, dict] = {}  # likewise
    size = 0
    for pack in packs:  # newest first: its entries win and are kept first
        try:
            entries, digests, stamped, walked = _contents(pack)
        except (OSError, PackError):
            continue
        for key, walk in walked.items():
            walks.setdefault(key, walk)
        for key, entry in entries.items():
            if key not in kept and size + len(entry) <= MAX_RESULTS_BYTES:
                kept[key] = entry
                size += len(entry)
        unmentioned.update(dict.fromkeys(digests))
        for path, stamp in stamped.items():
            stamps.setdefault(path, stamp)
    newest_stamps = dict(list(stamps.items())[:MAX_STAMPS])
    newest_walks = dict(list(walks.items())[:MAX_WALKS])
    digests = list(unmentioned)[:MAX_UNMENTIONED]
    if write_pack(folder, kept, digests, stamps=newest_stamps, walks=newest_walks) is None:
        return
    for pack in packs:
        _remove(pack)
    _remove_entry_folders(os.path.dirname(folder))


def _remove_entry_folders(results: str) -> None:
    """The folders of one-file entries (``results/ab/<key>.json``) that armlint wrote before
    packs: no run reads them any more (their keys hold an older version)."""
    import shutil

    try:
        names = os.listdir(results)
    except OSError:
        return
    for name in names:
        if len(name) == 2 and hex_digits_alone(name):
            shutil.rmtree(os.path.join(results, name), ignore_errors=True)


def read_index(
    pack: str,
) -> tuple[dict[str, tuple[str, int, int]], list[str], dict[str, Stamped], dict[str, dict]]:
    """Each key of the pack's index with where its entry lies in the pack's body, the pack's
    digests of files without "armlint", its file stamps and its walks (by key); raises
    OSError or PackError."""
    line = _first_line(pack, MAX_INDEX_BYTES)
    try:
        index = json.loads(line)
    except (ValueError, RecursionError) as error:
        raise PackError("its index is not JSON") from error
    if not line.endswith(b"\n") or not _index_shape(index):
        raise PackError("its index is not a pack index")
    where = {}
    start = 0
    for key, length in index["entries"]:
        where[key] = (pack, start, start + length)
        start += length
    stamps = {item[0]: (tuple(item[1:6]), item[6]) for item in index.get("stamps", ())}
    return where, index["unmentioned"], stamps, index.get("walks", {})


def _first_line(path: str, limit: int) -> bytes:
    """``readline(limit)`` of the file: its first line with the newline, or its first ``limit``
    bytes. Read in large pieces and searched with ``bytes.find``: ``readline`` tests each byte
    in turn, 1.4 M instructions for the ARM corpus's index of 245 kB (of a fully cached run),
    this 0.04 M."""
    pieces: list[bytes] = []
    size, wanted = 0, INDEX_PIECE_BYTES
    with open(path, "rb", buffering=0) as stream:
        while size < limit:
            piece = stream.read(min(wanted, limit - size))
            if not piece:
                break
            end = piece.find(b"\n")
            if end >= 0:
                pieces.append(piece[: end + 1])
                break
            pieces.append(piece)
            size, wanted = size + len(piece), wanted * 2  # a large index: few reads
    return b"".join(pieces)


def _index_shape(index: object) -> bool:
    if not isinstance(index, dict) or index.get("format") != PACK_FORMAT:
        return False
    # A missing member is a tuple, which is no list: such an index is refused.
    entries, unmentioned = index.get("entries", ()), index.get("unmentioned", ())
    stamps = index.get("stamps", [])  # optional: packs written before stamps have none
    walks = index.get("walks", {})  # likewise; each walk's shape is checked when it is used
    return (
        rows_of(entries, _ENTRY_TYPES)
        and all(length >= 0 for _, length in entries)
        and _digests([key for key, _ in entries])
        and type(unmentioned) is list
        and _digests(unmentioned)
        and rows_of(stamps, _STAMP_TYPES)
        and _digests([stamp[-1] for stamp in stamps])
        and isinstance(walks, dict)
        and _digests(list(walks))
        and all(isinstance(walk, dict) for walk in walks.values())
    )


_ENTRY_TYPES = (str, int)  # [key, length]
# [path, device, inode, size, mtime_ns, ctime_ns, digest]; a time may be before 1970
_STAMP_TYPES = (str, int, int, int, int, int, str)


def rows_of(rows: object, types: tuple[type, ...]) -> bool:
    """Whether ``rows`` is a list of lists whose items have exactly ``types`` (so a bool is
    no integer). Each row's types are taken as one tuple, in C: a check per item was most of
    reading an index or a walk of a few hundred files."""
    return (
        type(rows) is list
        and set(map(type, rows)) <= {list}
        and {tuple(map(type, row)) for row in rows} <= {types}
    )


def _digests(values: list) -> bool:
    """Whether every value is a key or a content digest (64 lowercase hex digits)."""
    return (
        set(map(type, values)) <= {str}
        and set(map(len, values)) <= {64}
        and hex_digits_alone("".join(values))
    )


def hex_digits_alone(text: str) -> bool:
    """Whether ``text`` is made of lowercase hex digits alone (``[0-9a-f]*``). One C pass over
    its bytes: matching each digest of an index with a regular expression was about 3 M
    instructions of a fully cached run (and its compile at import 0.25 M), this 0.9 M."""
    return text.isascii() and not text.encode("ascii").translate(None, _HEX_DIGITS)


def _body_of(pack: str) -> bytes | None:
    """The pack's bytes after its index line; None if it is gone or unreadable. An entry cut
    short by a damaged pack fails its stamp, so no length check is needed here."""
    from armlint.fileio import read_regular

    try:
        data = read_regular(pack, MAX_RESULTS_BYTES + MAX_INDEX_BYTES)
    except (OSError, ValueError):
        return None
    return data[data.find(b"\n") + 1 :]


def _remove_stale_temporaries(folder: str) -> None:
    """Temporary files of writers that crashed (a live writer's file is minutes old at most)."""
    now = time.time()
    try:
        listing = [entry for entry in os.scandir(folder) if entry.name.endswith(".tmp")]
    except OSError:
        return
    for entry in listing:
        try:
            if now - entry.stat().st_mtime > STALE_TEMPORARY_SECONDS:
                os.remove(entry.path)
        except OSError:
            continue


def _remove(path: str) -> None:
    try:  # not contextlib.suppress: its import is about 3 M instructions of a cached run
        os.remove(path)
    except OSError:  # removed by another run, or a read-only folder
        pass
