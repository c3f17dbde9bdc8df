"""The record of a whole ``armlint check`` run, replayed while nothing it rests on changed.

A fully cached run still starts the interpreter's argument parser, reads its configuration
and the rule pack, walks the recorded folders and looks up one cache entry per unit: about
50 ms for the 335 ARM files of the corpus, two thirds of it imports and set-up (issue 16).
Run the same command again on the same files and the answer is the one given last time. So a
run that could be recorded leaves, beside the result cache, the exact text it printed and its
exit code, keyed by how it was invoked, with the stamp (device, inode, size, mtime, ctime) of
every file and folder its answer rests on. The next process started the same way checks
those stamps first, before importing the command line, and prints the recorded text when all
still hold. Anything else (a changed stamp, a record that is not what this module writes, a
new day) runs the command as usual, which records it afresh.

What the answer rests on, and so what is stamped: the folders the discovery walk listed and
the ``.gitignore`` files it read (``cache_walk``), every file whose size or content digest the
run used (templates, parameter files, linked templates, the rule pack: ``cache_pack``), every
file the report names (the suppression scan and the source lines under a finding read them),
the configuration file and those it extends, the baseline file, and armlint's own files (its modules, rule pack
and schemas: an upgrade, or an edit of an editable install). In the current folder and every
folder above it, the names the configuration search and the project root look for
(``LOOKED_FOR``) are recorded as stamped, absent or (``.git``, whose stamp every git command
moves) present. What decides the rest is the key: the arguments as typed, the current
folder, armlint's and Python's version and environment (``sys.prefix``), where armlint's
package, rule pack and schemas are, the environment
variables armlint reads (``ENVIRONMENT``), whether stdout and stderr are terminals (colours,
progress), stdout's encoding and the terminal's width. A suppression's expiry date is judged
against today, so a record holds for the day it was made.

A record is made only when every stamp lies more than ``SETTLED_NS`` before the process
started (git's racy rule, as for the result cache's file stamps): whatever changes after that
gives its file other times. A run is not recorded when it writes a report file, fixes files,
reads from a pipe or stdin, compares with git (``--against``), names ``--parameters`` or
``--var-file``, lists cache misses (``--verbose``), met a link or a special file in its walk
or was named files directly, could not read a file, or met an internal error (a bug's
result must not outlive the fix: the result cache does not keep it either). (Progress on a terminal counts the
files checked afresh: a fully cached run, which a replay stands for, shows none.) Records live in ``results/runs/`` of the cache
folder, at most ``MAX_RECORDS`` of them (the oldest go first); ``--no-cache`` neither reads
nor writes them.

This module is imported before the command line (``armlint.__main__``), so it imports only
what the interpreter has loaded already, plus ``digests`` (CPython's builtin SHA-256) when an
invocation may have a record.
"""

from __future__ import annotations

import os
import sys
import time
from stat import S_ISREG  # loaded with os already

from armlint import __version__

RECORD_FORMAT = 1
MAX_RECORDS = 64  # records kept in the cache folder; the oldest are removed past this
MAX_RECORD_BYTES = 64 * 1024 * 1024  # a larger file is not a record this module wrote
STALE_TEMPORARY_NS = 3600 * 10**9
# Every environment variable a check's output depends on (armlint/cli.py, report/text_fit.py);
# tests/pipeline/test_replay.py checks this list against the sources.
ENVIRONMENT = ("COLUMNS", "CI", "NO_COLOR", "FORCE_COLOR")
# Names in the current folder and the folders above it that the configuration search and the
# project root look for (config.CONFIG_NAMES, globs.git_top_level, .gitignore).
LOOKED_FOR = (".armlint.yaml", ".armlint.yml", "pyproject.toml", ".git", ".gitignore")
_MAGIC = b"armlint-replay"
RECORDED_CODES = (b"0", b"1")  # a check that ended normally: no finding, or findings


# First arguments of invocations that are never recorded: other commands, --help, --version.
NOT_CHECKS = frozenset(
    ("diff", "drift", "rules", "plan", "inventory", "config", "-h", "--help", "--version")
)


class Invocation:
    """How this process was started: the arguments as typed, when, where, and the record's
    key ('' for an invocation that is never recorded, or when the current folder is gone:
    then nothing is replayed)."""

    def __init__(self, arguments: list[str]) -> None:
        self.arguments = list(arguments)
        self.started_ns = time.time_ns()  # before anything is read
        self.day = _today()
        self.cwd: str | None = None
        self.key = ""
        if _may_be_recorded(self.arguments):
            try:
                self.cwd = os.getcwd()
            except OSError:
                return
            self.key = _key(self.arguments, self.cwd)


def _may_be_recorded(arguments: list[str]) -> bool:
    """False for what is surely not a recorded check (``cli._replay_basis`` decides the
    rest): a --no-cache check neither reads nor writes records, and spares the key."""
    return not (arguments and arguments[0] in NOT_CHECKS) and "--no-cache" not in arguments


class Basis:
    """What one run's output rests on: the paths it used with the stamp each had then (None:
    it was gone), the paths it found absent and must stay so (a dependency such as a lock
    file), the paths whose stamps are taken when the record is made, and why the run cannot
    be recorded (empty when it can)."""

    def __init__(self) -> None:
        self.stamps: dict[str, tuple[int, ...] | None] = {}
        self.absent: dict[str, None] = {}
        self.stamped_at_end: dict[str, None] = {}
        self.unrecordable = ""

    def add(self, paths) -> None:
        """Paths whose stamps are taken when the record is made (and must be settled)."""
        self.stamped_at_end.update(dict.fromkeys(paths))

    def saw(self, stamps: dict[str, tuple[int, ...] | None], absent=()) -> None:
        self.stamps.update(stamps)
        self.absent.update(dict.fromkeys(absent))

    def refuse(self, why: str) -> None:
        self.unrecordable = self.unrecordable or why


# -- replaying ------------------------------------------------------------------------------


def replayed(invocation: Invocation) -> Record | None:
    """The record of this invocation when one exists and everything it rests on is
    unchanged (its text is then the output, its code the exit code); else None (run the
    command)."""
    if not invocation.key or sys.stdout is None:  # a closed stdout: the command says so
        return None
    data = _read_record(record_path(invocation.key))
    record = None if data is None else parse_record(data, invocation)
    return record if record is not None and unchanged(record) else None


def _read_record(path: str) -> bytes | None:
    """The file's bytes when it is a regular file of at most ``MAX_RECORD_BYTES``; opened
    without blocking, so a FIFO put in its place is refused, not waited on."""
    try:
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):
        return None
    try:
        status = os.fstat(descriptor)
        if not S_ISREG(status.st_mode) or status.st_size > MAX_RECORD_BYTES:
            return None
        chunks = []
        while chunk := os.read(descriptor, MAX_RECORD_BYTES + 1):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(descriptor)


class Record:
    """A record as read: the exit code and text, the stamped paths with their stamps (one
    ``STAMP`` line each, in order), the paths that were absent and those that existed."""

    def __init__(self, code: int, text: str, stamps: bytes) -> None:
        self.code = code
        self.text = text
        self.stamps = stamps
        self.stamped: list[str] = []
        self.absent: list[str] = []
        self.present: list[str] = []


STAMP = b"%d %d %d %d %d\n"  # device, inode, size, mtime_ns, ctime_ns (cache_pack.stamp_of)


def unchanged(record: Record) -> bool:
    """Whether each stamped path keeps its stamp, each absent one is still absent and each
    present one is still there. The stamps are compared as the text the record keeps: one
    ``%`` a path costs less than parsing five numbers."""
    current = []
    try:
        for path in record.stamped:
            status = os.stat(path)
            current.append(
                STAMP
                % (
                    status.st_dev,
                    status.st_ino,
                    status.st_size,
                    status.st_mtime_ns,
                    status.st_ctime_ns,
                )
            )
        for path in record.present:
            os.stat(path)
    except (OSError, ValueError):
        return False
    if b"".join(current) != record.stamps:
        return False
    return not any(_exists(path) for path in record.absent)


def _exists(path: str) -> bool:
    """As the record saw it: anything ``stat`` does not answer FileNotFoundError for."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return False
    except (OSError, ValueError):
        return True
    return True


def parse_record(data: bytes, invocation: Invocation) -> Record | None:
    """The record this module wrote for ``invocation`` today, else None. A record is
    untrusted input: anything unexpected is a miss. The layout: five lines (a magic word,
    ``RECORD_FORMAT``, the key, the day, the exit code), a line of sizes (stamped, absent and
    present paths; bytes of paths, of stamps and of text) ending with a CRC-32 of everything
    else, then the paths (one per line: stamped, absent, present), the stamps and the text.
    The CRC finds a damaged record (a person or a full disk; a whole file replaces a record
    atomically) at a twelfth of a SHA-256's cost; stamps and paths must match besides."""
    try:
        return _parsed(data, invocation)
    except (ValueError, IndexError, UnicodeError):
        return None


def _parsed(data: bytes, invocation: Invocation) -> Record | None:
    if len(data) > MAX_RECORD_BYTES:
        return None
    magic, version, key, day, code, sizes, rest = data.split(b"\n", 6)
    if (magic, version) != (_MAGIC, b"%d" % RECORD_FORMAT):
        return None
    if key != invocation.key.encode("ascii") or day != invocation.day.encode("ascii"):
        return None
    if code not in RECORDED_CODES:
        return None
    counts, _, checksum = sizes.rpartition(b" ")
    if int(checksum) != _checksum([magic, version, key, day, code, counts], rest):
        return None
    stamped, absent, present, names, stamps, length = (int(count) for count in counts.split())
    if len(rest) != names + stamps + length:
        return None
    paths = os.fsdecode(rest[:names]).split("\n") if names else []
    if len(paths) != stamped + absent + present:
        return None
    text = rest[names + stamps :].decode("utf-8", "surrogatepass")
    record = Record(int(code), text, rest[names : names + stamps])
    record.stamped = paths[:stamped]
    record.absent = paths[stamped : stamped + absent]
    record.present = paths[stamped + absent :]
    return record


def _checksum(head: list[bytes], rest: bytes) -> int:
    from zlib import crc32  # only with a record to check or to write

    return crc32(rest, crc32(b"\n".join(head)))


# -- recording ------------------------------------------------------------------------------


def record(invocation: Invocation, basis: Basis, text: str, code: int) -> str:
    """Keep ``text`` and ``code`` for the next identical invocation; '' when recorded, else
    why not. A cache folder that cannot be written only loses speed."""
    if not invocation.key or basis.unrecordable:
        return basis.unrecordable or "the current folder is gone"
    if str(code).encode() not in RECORDED_CODES:
        return f"exit code {code}"
    if _today() != invocation.day:
        return "the run crossed midnight"
    try:
        made = _rows(invocation, basis)
    except _NotRecordable as why:
        return str(why)
    stamped, stamps, absent, present = made
    paths = [*stamped, *absent, *present]
    if any("\n" in path for path in paths):
        return "a path holds a line break"
    names = os.fsencode("\n".join(paths))
    body = text.encode("utf-8", "surrogatepass")
    sizes = [len(stamped), len(absent), len(present), len(names), len(stamps), len(body)]
    head = [_MAGIC, b"%d" % RECORD_FORMAT, invocation.key.encode(), invocation.day.encode()]
    head += [b"%d" % code, b" ".join(b"%d" % size for size in sizes)]
    rest = names + stamps + body
    head[-1] += b" %d" % _checksum(head, rest)
    data = b"\n".join([*head, rest])
    if len(data) > MAX_RECORD_BYTES:
        return "larger than a record is read"
    _write(record_path(invocation.key), data)
    return ""


class _NotRecordable(Exception):
    pass


def _rows(invocation: Invocation, basis: Basis) -> tuple[list[str], bytes, list[str], list[str]]:
    """(stamped paths, their stamps, absent paths, present paths): what the run used, with
    the stamps it saw then (the result cache's, so no ``stat`` again); the configuration and
    baseline files and armlint's own files, stamped now; what the configuration search and
    the project root look for in the current folder and above it, stamped, or absent, or
    (``.git``, whose stamp every git command moves) present. Every stamp must lie
    ``SETTLED_NS`` before the run began. Paths under the current folder are kept relative to
    it (shorter for ``stat`` to follow; the key holds the folder)."""
    from armlint.run.cache_pack import SETTLED_NS  # read now: a test may set it

    cwd = invocation.cwd or "."
    # Older than this, or the record is not made (inlined: a thousand rows and more).
    limit = invocation.started_ns - SETTLED_NS
    stamps = _used_rows(basis, cwd, limit)
    absent, present = _absent_dependencies(basis), []
    for path in _looked_for(cwd):
        status = _status(path)
        if status is None:
            absent.append(path)
        elif os.path.basename(path) == ".git":
            present.append(path)
        else:
            if max(status.st_mtime_ns, status.st_ctime_ns) >= limit:
                raise _unsettled(path)
            stamps[path] = STAMP % _stamp_of(status)  # absolute: not under the current folder
    return list(stamps), b"".join(stamps.values()), absent, present


def _used_rows(basis: Basis, cwd: str, limit: int) -> dict[str, bytes]:
    """Path -> its stamp line: the stamps the run saw, then those taken now of the paths
    named for it and of armlint's own files; each older than ``limit``."""
    prefix = cwd.rstrip(os.sep) + os.sep
    stamps: dict[str, bytes] = {}
    later = [path for path in [*basis.stamped_at_end, *_own_files()] if path not in basis.stamps]
    now = [(path, _stamp_now(path)) for path in later]
    for path, stamp in [*basis.stamps.items(), *now]:
        if stamp is None:
            raise _NotRecordable(f"{path} is gone")
        if stamp[3] >= limit or stamp[4] >= limit:
            raise _unsettled(path)
        line = STAMP % stamp
        name = path[len(prefix) :] if path.startswith(prefix) else path
        if stamps.setdefault(name, line) != line:
            raise _NotRecordable(f"{path} changed during the run")
    return stamps


def _absent_dependencies(basis: Basis) -> list[str]:
    """The dependencies the run found absent; one it also stamped came or went meanwhile."""
    for path in basis.absent:
        if path in basis.stamps or path in basis.stamped_at_end:
            raise _NotRecordable(f"{path} changed during the run")
    return list(basis.absent)


def _unsettled(path: str) -> _NotRecordable:
    return _NotRecordable(f"{path} changed within the racy margin before the run")


def _stamp_of(status: os.stat_result) -> tuple[int, ...]:
    from armlint.run.cache_pack import stamp_of  # loaded by the run being recorded

    return stamp_of(status)


def _stamp_now(path: str) -> tuple[int, ...]:
    try:
        return _stamp_of(os.stat(path))
    except FileNotFoundError:
        raise _NotRecordable(f"{path} is gone") from None
    except (OSError, ValueError):
        raise _NotRecordable(f"cannot stat {path}") from None


def _status(path: str) -> os.stat_result | None:
    """``stat`` of a name looked for: None when there is nothing by that name."""
    try:
        return os.stat(path)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        raise _NotRecordable(f"cannot stat {path}") from None


def _looked_for(cwd: str) -> list[str]:
    """``LOOKED_FOR`` in the current folder and every folder above it."""
    found: list[str] = []
    folder = cwd
    while True:
        found.extend(os.path.join(folder, name) for name in LOOKED_FOR)
        parent = os.path.dirname(folder)
        if parent == folder:
            return found
        folder = parent


def _own_files() -> list[str]:
    """armlint's modules, rule pack and schemas, and their folders (bytecode caches aside)."""
    from armlint.paths import package_dir, rules_dir, schemas_dir

    found: list[str] = []
    for top in dict.fromkeys([package_dir(), rules_dir(), schemas_dir()]):
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(name for name in subfolders if name != "__pycache__")
            found.append(folder)
            found.extend(os.path.join(folder, name) for name in sorted(files))
    return found


def _write(path: str, data: bytes) -> None:
    folder = os.path.dirname(path)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        os.makedirs(folder, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(descriptor, view) :]
        finally:
            os.close(descriptor)
        os.replace(temporary, path)
    except OSError:
        _remove(temporary)
        return
    _keep_newest(folder)


def _keep_newest(folder: str) -> None:
    """At most ``MAX_RECORDS`` records: the least recently written go; so do temporary files
    an hour old (a run killed while it wrote one)."""
    stale = time.time_ns() - STALE_TEMPORARY_NS
    try:
        entries = []
        for entry in os.scandir(folder):
            if entry.name.endswith(".run"):
                entries.append(entry)
            elif entry.name.endswith(".tmp") and entry.stat().st_mtime_ns < stale:
                _remove(entry.path)
        if len(entries) <= MAX_RECORDS:
            return
        entries.sort(key=lambda entry: entry.stat().st_mtime_ns)
    except OSError:
        return
    for entry in entries[: len(entries) - MAX_RECORDS]:
        _remove(entry.path)


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# -- the key --------------------------------------------------------------------------------


def record_path(key: str) -> str:
    from armlint.paths import cache_dir

    return os.path.join(cache_dir(), "results", "runs", f"{key}.run")


def _key(arguments: list[str], cwd: str) -> str:
    """Everything besides files that decides a check's output, as one digest."""
    from armlint.paths import package_dir, rules_dir, schemas_dir

    out, err = _terminal(sys.stdout), _terminal(sys.stderr)
    parts = [
        _MAGIC.decode(),
        str(RECORD_FORMAT),
        __version__,
        sys.version,
        sys.prefix,  # the environment (python and python3 in it are one)
        # Which armlint: another checkout on PYTHONPATH, another worktree's editable install
        # (whose own files are stamped only where the record was made).
        package_dir(),
        rules_dir(),
        schemas_dir(),
        cwd,
        *(f"{name}={os.environ.get(name)}" for name in ENVIRONMENT),
        f"stdout={out} {getattr(sys.stdout, 'encoding', None)} {_columns(out)}",
        f"stderr={err}",
        str(len(arguments)),
        *arguments,
    ]
    from armlint.run.digests import hexdigest  # not for --version, --no-cache, other commands

    return hexdigest("\0".join(parts).encode("utf-8", "surrogatepass"))


def _terminal(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


def _columns(terminal: bool) -> int:
    """The width of the terminal on stdout (0 when it is not one)."""
    if not terminal:
        return 0
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError):
        return 0


def _today() -> str:
    """The local date, as ``datetime.date.today()`` gives it (without importing datetime)."""
    year, month, day = time.localtime()[:3]
    return f"{year:04d}-{month:02d}-{day:02d}"
