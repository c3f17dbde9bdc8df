"""A check split into independent units of work, so it can run in parallel, in shards and cached.

A unit is what must be evaluated together: the JSON files of one folder (a template with its
parameter files), all Terraform files (modules call each other across folders), or all Bicep
files (likewise). Units are checked on their own and merged; the merged result is sorted, so
``--jobs N`` gives exactly the output of a serial run. A unit's result is cached by the content
of its files, armlint's version, the rule pack and the options that change results.
"""

from __future__ import annotations

import json
import os
import re
import time
import zlib
from collections.abc import Iterable
from operator import attrgetter

from armlint.fileio import DEFAULT_CAP, BufferReader, decode_utf8, held_in_memory, read_regular
from armlint.model import FileReport, Finding, Fix, FrozenValue, Location, TextEdit, Value
from armlint.run.discover import Candidate

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path

    from armlint.resolving import FolderResolver  # at run time where Terraform or Bicep needs it

    # At run time imported where the cache is used: a --no-cache run need not load them.
    from armlint.run.cache_pack import ResultPacks

CACHE_MAX_BYTES = 64 * 1024 * 1024  # a unit's findings; far above any real entry
# What every inline suppression contains (armlint.run.suppressions): "armlint" is ASCII, so it
# is in a file's bytes exactly when it is in the text the scan decodes from them.
MENTION = b"armlint"


class Unit(FrozenValue):
    __slots__ = ("kind", "files")
    _values = attrgetter(*__slots__)

    def __init__(self, kind: str, files: tuple[str, ...]) -> None:
        self.kind = kind  # 'json' | 'terraform' | 'bicep'
        self.files = files

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.files[0] if self.files else ''}"


class UnitResult(Value):
    __slots__ = ("files", "findings", "notes", "resources", "dependencies", "unknowns", "loaded")
    _values = attrgetter("files", "findings", "notes", "resources", "dependencies", "unknowns")

    def __init__(
        self,
        files: list[FileReport] | None = None,
        findings: list[Finding] | None = None,
        notes: list[str] | None = None,
        resources: list[tuple[str, str]] | None = None,
        dependencies: list[str] | None = None,
        unknowns: int = 0,
    ) -> None:
        self.files = [] if files is None else files
        self.findings = [] if findings is None else findings
        self.notes = [] if notes is None else notes
        self.resources = [] if resources is None else resources  # (path, identity)
        # files read besides the unit's own
        self.dependencies = [] if dependencies is None else dependencies
        # Unknown values counted but not among ``findings``: a run that does not list them
        # (pipeline._checked); a cached entry keeps the count ("unknowns").
        self.unknowns = unknowns
        # For a unit checked now: when its load began and each dependency's stamp (None:
        # absent) right after it; the entry is stored only if they still hold then
        # (pipeline._to_cache). Not part of the result (a cached one has none).
        self.loaded: DependenciesSeen | None = None


class DependenciesSeen:
    """What a unit's dependencies were when it was loaded (``UnitResult.loaded``)."""

    __slots__ = ("started_ns", "stamps")

    def __init__(self, started_ns: int, paths: list[str]) -> None:
        self.started_ns = started_ns  # before the load: a change during it is newer
        # Each dependency (followed) and each folder on its path as written, not followed:
        # creating or removing the file moves its folder's times, retargeting a symlinked
        # folder moves the link's own; a change between the loader's read and this stamp
        # would otherwise hide behind a file that has no times or old ones.
        self.stamps = [
            (name, follow, stamp_or_absent(name, follow))
            for path in paths
            for name, follow in [*((folder, False) for folder in _folders_on(path)), (path, True)]
        ]

    def held(self, settled_ns: int) -> bool:
        """Whether every stamp is as it was right after the load, and was already so
        ``settled_ns`` before the load began (git's racy rule: a change in the same clock
        tick as the read leaves the times as they were)."""
        limit = self.started_ns - settled_ns
        for name, follow, stamp in self.stamps:
            if stamp and max(stamp[3], stamp[4]) >= limit:
                return False
            if stamp_or_absent(name, follow) != stamp:
                return False
        return True


def _folders_on(path: str) -> list[str]:
    """The folders a path names on its way: "a/b/c.json" -> ["a", "a/b"]."""
    parts = path.split(os.sep)[:-1]
    return [os.sep.join(parts[: end + 1]) or os.sep for end in range(len(parts))]


def stamp_or_absent(path: str, follow: bool = True) -> tuple[int, ...] | None:
    """The stamp (cache_pack.stamp_of) of ``path``, or of the link itself when not
    ``follow``; None when nothing is there; a path ``stat`` cannot answer for (no
    permission) is an empty stamp, never equal to a file's."""
    try:
        status = os.stat(path, follow_symlinks=follow)
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return ()
    return (status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns, status.st_ctime_ns)


def make_units(candidates: Iterable[Candidate]) -> list[Unit]:
    by_folder: dict[str, list[str]] = {}
    terraform: list[str] = []
    bicep: list[str] = []
    for candidate in candidates:
        path = str(candidate.path)
        if candidate.kind == "json":
            # pathlib's parent without a Path: a recorded walk names its files by string
            by_folder.setdefault(os.path.dirname(path) or ".", []).append(path)
        elif candidate.kind in ("terraform", "tfvars"):
            terraform.append(path)
        else:
            bicep.append(path)
    units = [Unit("json", tuple(files)) for _, files in sorted(by_folder.items())]
    units.extend(Unit("terraform", group) for group in _linked_groups(terraform, _terraform_links))
    units.extend(Unit("bicep", group) for group in _linked_groups(bicep, _bicep_links))
    return units


# A local module call links two places; linked places are evaluated together. Over-linking only
# costs parallelism, so a regular expression that may also match a comment is good enough.
# Text, compiled by ``re`` at first use (and kept in its cache): an ARM run never needs them.
_TF_SOURCE = r'source\s*=\s*"(\.{1,2}/[^"]*)"'
_BICEP_REFERENCE = r"""(?:module\s+\w+|using)\s+'(\.{0,2}/?[^':]+\.bicep)'"""


def _terraform_links(path: Path, text: str, folders: FolderResolver) -> list[Path]:
    """A Terraform module is a folder: a file links its folder to the folders it calls."""
    return [_resolved(path.parent / target, folders) for target in re.findall(_TF_SOURCE, text)]


def _bicep_links(path: Path, text: str, folders: FolderResolver) -> list[Path]:
    return [
        _resolved(path.parent / target, folders) for target in re.findall(_BICEP_REFERENCE, text)
    ]


def _resolved(path: Path, folders: FolderResolver) -> Path:
    """An absolute path; a symlink loop stays as written (the loader reports the file)."""
    try:
        return folders.resolve(path)
    except (OSError, RuntimeError, ValueError):  # ValueError: a NUL byte in a module source
        from pathlib import Path  # imported already: the caller made ``path``

        return Path(os.path.abspath(path))


def _linked_groups(paths: list[str], links) -> list[tuple[str, ...]]:
    """Files grouped so that each group holds everything its modules need (union-find)."""
    if not paths:
        return []  # an ARM check: no Path made, pathlib not imported (issue 16)
    from pathlib import Path

    from armlint.resolving import FolderResolver  # nor this module: one fewer to import

    parent: dict[Path, Path] = {}

    def root(node: Path) -> Path:
        while parent.setdefault(node, node) != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    def join(a: Path, b: Path) -> None:
        parent[root(a)] = root(b)

    anchors = {}
    folders = FolderResolver()  # most files share their folder with others
    for name in paths:
        path = Path(name)
        folder = _resolved(path.parent, folders)
        anchor = folder if links is _terraform_links else _resolved(path, folders)
        anchors[name] = anchor
        if links is _bicep_links:
            join(anchor, folder)  # files of one folder often share modules
        try:
            text = decode_utf8(read_regular(path, DEFAULT_CAP), errors="replace")
        except (OSError, ValueError):
            continue  # the loader reports the file
        for target in links(path, text, folders):
            join(anchor, target)
    groups: dict[Path, list[str]] = {}
    for name in paths:
        groups.setdefault(root(anchors[name]), []).append(name)
    return sorted(tuple(group) for group in groups.values())


def parse_shard(text: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); raises ValueError with a readable message."""
    part, sep, total = text.partition("/")
    if not sep or not part.isdigit() or not total.isdigit():
        raise ValueError(f"--shard takes K/N, for example 1/4, not {text!r}")
    k, n = int(part), int(total)
    if not 1 <= k <= n:
        raise ValueError(f"--shard {text}: K must be between 1 and N")
    return k, n


def in_shard(unit: Unit, shard: tuple[int, int] | None) -> bool:
    """A stable split: the same unit lands in the same shard on every machine."""
    if shard is None:
        return True
    k, n = shard
    return zlib.crc32(unit.key.encode("utf-8", "surrogatepass")) % n == k - 1


# -- cache ---------------------------------------------------------------------------------


def cache_key(
    unit: Unit,
    settings: str,
    unmentioned: set[str] | None = None,
    packs: ResultPacks | None = None,
) -> str | None:
    """The unit's key: ``settings`` and each file's name and content digest. The files whose
    bytes do not contain "armlint" are added to ``unmentioned`` when it is given, so the
    suppression scan need not read them again (``suppressions.skipping``); ``packs``: the
    run's cache, which knows such files by their digests from earlier runs."""
    from armlint.run.digests import hexdigest  # with the cache only

    hashed = [settings.encode("utf-8", "surrogatepass")]
    for name in unit.files:
        content = digest_of(name, unmentioned, _KEY_READER, packs)
        if content is None:
            return None  # an unreadable file is reported fresh every time
        hashed += (os.fsencode(name), content.encode("ascii"))
    return hexdigest(b"".join(hashed))  # the digest of the parts one after the other


def digest_of(
    path: str,
    unmentioned: set[str] | None = None,
    reader: BufferReader | None = None,
    packs: ResultPacks | None = None,
) -> str | None:
    """A regular file's digest (a FIFO or device is never read: None, so no cache); ``path``
    joins ``unmentioned`` (when given) if its bytes do not contain "armlint". With ``packs``,
    a file whose ``stat`` matches the one recorded with its digest is not read at all."""
    if packs is not None and held_in_memory(path):
        packs.not_recordable(f"{path} was read from a pipe")
    elif packs is not None:
        digest = packs.unchanged_digest(path)
        if digest is not None:
            if unmentioned is not None and packs.known_unmentioned(digest):
                packs.remember_unmentioned(digest)
                unmentioned.add(path)
            return digest  # a file with "armlint" is read by the suppression scan
    return _read_digest(path, unmentioned, reader or BufferReader(), packs)


def _read_digest(
    path: str, unmentioned: set[str] | None, reader: BufferReader, packs: ResultPacks | None
) -> str | None:
    import hashlib  # with the cache only: OpenSSL's import is a share of start-up

    opened_ns = time.time_ns()  # before the open: a change after it gives newer file times
    try:
        data = reader.read(path, DEFAULT_CAP)
    except (OSError, ValueError):
        if packs is not None:  # a file that cannot be read may be readable next time
            packs.not_recordable(f"{path} could not be read")
        return None
    digest = hashlib.sha256(data).hexdigest()
    if unmentioned is not None and _holds_no_mention(data, digest, packs):
        unmentioned.add(path)
    if packs is not None and reader.status is not None:
        packs.remember_digest(path, reader.status, digest, opened_ns)
    elif packs is not None:
        packs.not_recordable(f"{path} has no file stamp")
    return digest


def _holds_no_mention(data: memoryview, digest: str, packs: ResultPacks | None) -> bool:
    """Whether the bytes do not contain "armlint". A content digest an earlier run found
    without it needs no search (the search was a quarter of a fully cached run's keys);
    a digest found without it now is kept with the run's pack for the next run."""
    if packs is not None and packs.known_unmentioned(digest):
        packs.remember_unmentioned(digest)
        return True
    owner = data.obj  # the reader's buffer, or bytes kept in memory; the view starts at 0
    if not isinstance(owner, (bytes, bytearray)) or mentions(owner, len(data)):
        return False
    if packs is not None:
        packs.remember_unmentioned(digest)
    return True


def mentions(data: bytes | bytearray, length: int) -> bool:
    """Whether the first ``length`` bytes of ``data`` contain "armlint"."""
    return data.find(MENTION, 0, length) >= 0


# The cache keys' reader: one buffer for the files of every unit (digest_of is done with each
# file's bytes before the next file is read).
_KEY_READER = BufferReader()


def load_cached(key: str) -> UnitResult | None:
    """The cached result, or None when missing, corrupt, odd or out of date."""
    return lookup_cached(key)[0]


def lookup_cached(key: str, packs: ResultPacks | None = None) -> tuple[UnitResult | None, str]:
    """The cached result (or None) and, for an entry that was there but odd, why it was not
    used ('' for a hit, a plain miss or a changed dependency: those are normal). ``packs``:
    the run's view of the cache (its packs' indexes are read once per run), else a new one.

    A cache entry is untrusted input (another process, a full disk or a person may have
    written it): it is size-capped, used only when its stamp (the digest of the entry as
    armlint wrote it, see ``stamped``) matches, which a truncated, damaged or hand-edited entry
    does not, and checked against the shape of schemas/cache-entry.schema.json
    (``cache_entry.well_formed``) all the same. Its dependencies are read only if they are
    regular files, or must stay absent (``dependency_digest``). A damaged pack as a whole
    is a plain miss (``cache_pack``)."""
    from armlint.run.cache_pack import ResultPacks

    packs = ResultPacks() if packs is None else packs
    raw = packs.get(key)
    if raw is None:
        return None, ""
    if len(raw) > CACHE_MAX_BYTES:
        return None, f"larger than {CACHE_MAX_BYTES} bytes"
    data, odd = _parsed_entry(raw)
    if data is None:
        return None, odd
    for dependency, digest in data["dependencies"]:
        if digest == UNREADABLE:
            return None, "names a dependency that was not a regular file"
        if dependency_digest(dependency, packs) != digest:
            return None, ""
    return _result_from(data), ""


# What an entry keeps of a dependency besides a content digest: null when nothing was there
# (the entry holds while nothing is), UNREADABLE when something was there that is not a
# readable regular file (a FIFO, a device, a folder: never read, so the entry is refused).
ABSENT = None
UNREADABLE = "unreadable"


def dependency_digest(path: str, packs: ResultPacks | None = None) -> str | None:
    """A dependency's content digest, ``ABSENT`` or ``UNREADABLE``. Absent is what ``stat``
    says with FileNotFoundError alone: a folder that cannot be searched hides whether the
    file is there, so that is unreadable. A Terraform root module without a lock file is the
    common absent dependency, and its result stays cached."""
    if _absent(path, packs):
        return ABSENT
    return digest_of(path, packs=packs) or UNREADABLE


def _absent(path: str, packs: ResultPacks | None) -> bool:
    if packs is not None:
        return packs.absent_now(path)  # the run's record learns it rests on the absence
    try:
        os.stat(path)
    except FileNotFoundError:
        return True
    except (OSError, ValueError):
        return False
    return False


def _parsed_entry(raw: bytes) -> tuple[dict | None, str]:
    """The entry, or None and why it cannot be used."""
    from armlint.run.cache_entry import well_formed

    body = unstamped(raw)
    try:
        data = json.loads(raw if body is None else body)
    except (ValueError, RecursionError):
        return None, "not valid JSON"
    if not well_formed(data):
        return None, "does not match schemas/cache-entry.schema.json"
    if body is None:
        return None, "changed since armlint wrote it (its stamp does not match)"
    return data, ""


# An entry is the JSON text ``json.dumps`` made of it with its stamp as the last member, so
# the stamp is checked on the bytes as read, without parsing or writing JSON again.
_STAMP_OPEN = b', "stamp": "'
_STAMP_LENGTH = len(_STAMP_OPEN) + 64 + len(b'"}')


def stamped(text: str) -> bytes:
    """The entry ``text`` (a JSON object with members) with its stamp, as written to the cache."""
    from armlint.run.digests import hexdigest  # with the cache only

    body = text.encode("ascii")  # json.dumps escapes everything else
    stamp = hexdigest(body).encode("ascii")
    return body[:-1] + _STAMP_OPEN + stamp + b'"}'


def unstamped(raw: bytes) -> bytes | None:
    """The entry without its stamp when the stamp matches it, else None."""
    from armlint.run.digests import hexdigest

    if len(raw) <= _STAMP_LENGTH or not raw.endswith(b'"}'):
        return None
    head, tail = raw[:-_STAMP_LENGTH], raw[-_STAMP_LENGTH:]
    if not tail.startswith(_STAMP_OPEN):
        return None
    body = head + b"}"
    stamp = tail[len(_STAMP_OPEN) : -2]
    return body if hexdigest(body).encode("ascii") == stamp else None


def store(key: str, result: UnitResult, packs: ResultPacks | None = None) -> None:
    """Store ``result`` by ``key``: into the run's ``packs``, written when the run flushes
    them, or else at once as a pack of its own."""
    try:
        entry = stamped(json.dumps(_result_to(result, packs)))
    except (TypeError, ValueError):
        return  # not JSON (a bug's result): it is checked afresh next time
    if packs is not None:
        packs.put(key, entry)
        return
    from armlint.run.cache_pack import ResultPacks

    alone = ResultPacks()
    alone.put(key, entry)
    alone.flush()


def _result_to(result: UnitResult, packs: ResultPacks | None = None) -> dict:
    # 2: findings carry scenario and parameter_file apart from the message; 3: and their fix;
    # 4: a stamp (the digest of the entry as written) ends each entry; 5: the unknown values
    # counted but not listed (a run without --show-unknown), when there are any; 6: a
    # dependency's digest is null when it was absent (it must stay so), "unreadable" for a
    # special file
    from armlint.run.cache_entry import FORMAT  # the schema's const

    entry = {
        "format": FORMAT,
        "files": [report.to_dict() for report in result.files],
        "findings": [finding.to_dict() for finding in result.findings],
        "notes": result.notes,
        "resources": result.resources,
        "dependencies": [[path, dependency_digest(path, packs)] for path in result.dependencies],
    }
    if result.unknowns:
        entry["unknowns"] = result.unknowns
    return entry


def _fix_from(data: dict | None) -> Fix | None:
    if data is None:
        return None
    edits = []
    for edit in data["edits"]:
        where = edit.get("location")
        edits.append(
            TextEdit(
                edit["path"],
                edit["start"],
                edit["end"],
                edit["new_text"],
                Location(**where) if where else None,
            )
        )
    return Fix(data["title"], data["applicability"], tuple(edits))


def _result_from(data: dict) -> UnitResult:
    findings = []
    for item in data["findings"]:  # well formed: every key is a field of its dataclass
        item["location"] = Location(**item["location"])
        item["provenance"] = tuple(item["provenance"])
        item["fix"] = _fix_from(item.get("fix"))
        findings.append(Finding(**item))
    return UnitResult(
        files=[FileReport(**report) for report in data["files"]],
        findings=findings,
        notes=list(data["notes"]),
        resources=[tuple(pair) for pair in data["resources"]],
        dependencies=[path for path, _ in data["dependencies"]],
        unknowns=data.get("unknowns", 0),
    )
