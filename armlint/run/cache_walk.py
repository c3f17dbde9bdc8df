"""A cached run's discovery, reused while no folder it listed has changed.

Listing the folders was about a fifth of a fully cached run (565 folders of the corpus: one
``scandir`` each, and the exclude checks of every name), where a ``stat`` of each folder costs
a few microseconds. A walk is recorded in the result cache's pack index (``walks``), keyed by what
decides it (the paths, the current folder, the exclude patterns, the git top level and the
options), with the stamp of every folder it listed or asked for a ``.gitignore`` and of every
``.gitignore`` that exists there (``cache_pack.stamp_of``). The next run reuses it when every
stamp is unchanged: adding, removing or renaming a file or a folder changes its folder's
mtime and ctime, and editing a ``.gitignore`` changes its own stamp; file contents are no part
of a walk (their digests key the units).

The same racy rule as the file stamps: a walk is stored only when every stamp lies more than
``cache_pack.SETTLED_NS`` before the walk began, so that a change made during or just before
the walk always gives a folder other times. A walk that met a link, a special file, an
unreadable folder or a path named directly (each asks ``stat`` of something the folder
listings do not cover) is never stored. A record is untrusted input like the rest of a
pack: it is used only when its shape is what this module writes; else the folders are walked
again.
"""

from __future__ import annotations

import json
import os
import time

from armlint.globs import GITIGNORE
from armlint.model import FileReport
from armlint.run.cache_pack import ResultPacks, rows_of, settled, stamp_of
from armlint.run.discover import Candidate, Discovery, Excludes, discover
from armlint.run.options import RunOptions

WALK_FORMAT = 1
_STAMP_ROW = (str, int, int, int, int, int)  # [path, device, inode, size, mtime_ns, ctime_ns]
_CANDIDATE_ROW = (str, str)  # [path, kind]
_REPORT_ROW = (str, str, str, str)  # [path, kind, status, reason]
_KINDS = {"json", "terraform", "tfvars", "bicep", "bicepparam"}  # a Candidate's


def discover_cached(options: RunOptions, packs: ResultPacks) -> Discovery:
    """``discover`` for ``options``, from the walk the cache recorded when it still holds."""
    key = walk_key(options)
    recorded = packs.walk(key)
    found = _recorded_walk(recorded)
    if found is not None and recorded is not None:
        _walked(recorded, packs)
        return found
    started = time.time_ns()  # before the listings: a change during the walk is newer
    found = discover(
        options.paths,
        options.exclude,
        respect_gitignore=options.respect_gitignore,
        force_exclude=options.force_exclude,
    )
    record = _walk_record(found, started)
    if record is not None:
        packs.remember_walk(key, record)
        _walked(record, packs)
    else:
        packs.not_recordable(
            "the walk is not recorded (a link, a special file, a path named directly or a "
            "recent change)"
        )
    return found


def _walked(record: dict, packs: ResultPacks) -> None:
    """The run's result rests on the walk's folders and .gitignore files (run/replay.py)."""
    packs.depends_on(record["folders"])
    packs.depends_on(
        [os.path.join(folder, GITIGNORE), *stamp] for folder, *stamp in record["ignores"]
    )


def walk_key(options: RunOptions) -> str:
    """Everything a walk's result depends on besides the folders themselves."""
    from armlint import __version__
    from armlint.run.digests import hexdigest

    rules = Excludes(options.exclude, options.respect_gitignore)
    described = [
        "walk",
        WALK_FORMAT,
        __version__,
        os.getcwd(),
        [os.fspath(path) for path in options.paths],
        [[list(patterns.lines), patterns.base] for patterns in rules.patterns],
        options.respect_gitignore,
        options.force_exclude,
        None if rules.top is None else str(rules.top),
    ]
    return hexdigest(json.dumps(described).encode("utf-8", "surrogatepass"))


def _walk_record(found: Discovery, started: int) -> dict | None:
    """The record of ``found``, or None when it could not be trusted later."""
    if not found.plain:
        return None
    folders = []
    for folder in dict.fromkeys([*found.walked, *found.ignore_folders]):
        status = _status(folder)
        if status is None or not settled(status, started):
            return None
        folders.append([folder, *stamp_of(status)])
    ignores = []
    for folder in found.ignore_folders:
        status = _status(os.path.join(folder, GITIGNORE))
        if status is not None:  # no .gitignore: creating one changes the folder's times
            if not settled(status, started):
                return None
            ignores.append([folder, *stamp_of(status)])
    return {
        "walk": WALK_FORMAT,
        "folders": folders,
        "ignores": ignores,
        "candidates": [[str(c.path), c.kind] for c in found.candidates],
        "reports": [[r.path, r.kind, r.status, r.reason] for r in found.reports],
        "notes": list(found.notes),
    }


def _recorded_walk(record: dict | None) -> Discovery | None:
    """The recorded walk when it is sound and no stamp in it changed, else None."""
    if record is None or not _well_formed(record):
        return None
    if not _unchanged(record["folders"]) or not _unchanged(record["ignores"], GITIGNORE):
        return None
    found = Discovery()
    found.candidates = [Candidate(path, kind) for path, kind in record["candidates"]]
    found.reports = [FileReport(*report) for report in record["reports"]]
    found.notes = list(record["notes"])
    return found


def _unchanged(rows: list, name: str = "") -> bool:
    """Whether ``stat`` still gives each row's folder (or the file ``name`` in it) the stamp
    recorded in the row."""
    for folder, *stamp in rows:
        try:
            status = os.stat(os.path.join(folder, name) if name else folder)
        except (OSError, ValueError):
            return False
        if stamp != list(stamp_of(status)):
            return False
    return True


def _status(path: str) -> os.stat_result | None:
    try:
        return os.stat(path)
    except (OSError, ValueError):
        return None


def _well_formed(record: object) -> bool:
    return (
        isinstance(record, dict)
        and record.get("walk") == WALK_FORMAT
        and rows_of(record.get("folders"), _STAMP_ROW)
        and rows_of(record.get("ignores"), _STAMP_ROW)
        and rows_of(record.get("candidates"), _CANDIDATE_ROW)
        and {kind for _, kind in record["candidates"]} <= _KINDS
        and rows_of(record.get("reports"), _REPORT_ROW)
        and isinstance(record.get("notes"), list)
        and all(isinstance(note, str) for note in record["notes"])
    )
