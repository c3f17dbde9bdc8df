"""YAML data read once, then served from a JSON copy in the user's cache folder.

Parsing the rule pack's YAML with PyYAML's pure-Python safe loader costs more than armlint's
whole start-up budget; JSON parses in C. The copy is keyed by the file's path, size and
modification time, so editing a rule file takes effect at once. When the cache folder cannot
be written (read-only home, CI sandbox) armlint simply parses the YAML every time.
"""

from __future__ import annotations

import json
import os
import zlib
from functools import cache

from armlint.paths import cache_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    StrPath = str | os.PathLike[str]  # a file: its path as text or as a Path


def load_yaml(path: StrPath) -> Any:
    """``yaml.safe_load`` of the file, through the JSON copy when it is current."""
    return load_yaml_files([path])[0]


def load_yaml_files(paths: Sequence[StrPath], leave_out: str = "") -> list[Any]:
    """``yaml.safe_load`` of each file, through one JSON copy of them all: the rule pack's 45
    files cost one read and one ``json.loads`` per run, not a path resolution and a read each.

    The copy holds the stamp it was made for (each file's resolved folder, name, size and
    modification time) and is used only when that stamp is today's; its file name is a CRC of
    the stamp (a clash only costs a parse: the stamp check refuses the other copy), which spares
    every run the import of OpenSSL's hashlib.

    With ``leave_out``, that member of each file's mapping is left out of the copy read here
    and kept in a copy of its own (``load_yaml_member``): the rule pack's ``docs`` text was 62%
    of its copy, and a check never shows it."""
    stamp, name = _stamp(paths)
    suffix = f"-without-{leave_out}" if leave_out else ""
    data = _read_copy(name + suffix, stamp)
    if data is None:
        data = _parse(paths, stamp, name, leave_out)[0]
    return data


def load_yaml_member(paths: Sequence[StrPath], member: str) -> list[Any]:
    """Each file's ``member`` (None when the file has none): the copy that ``load_yaml_files``
    with ``leave_out=member`` keeps apart."""
    stamp, name = _stamp(paths)
    members = _read_copy(f"{name}-{member}", stamp)
    if members is None:
        members = _parse(paths, stamp, name, member)[1]
    return members


def _stamp(paths: Sequence[StrPath]) -> tuple[str, str]:
    """The files' stamp, and the name of their copies: a CRC of the stamp and their count."""
    lines = []
    for path in paths:
        # As text: a Path's parent and name are new objects each time, which made the stamp
        # of the rule pack's 45 files a share of start-up.
        folder, name = os.path.split(os.fspath(path))
        stat = os.stat(path)
        lines.append(f"{_resolved(folder)}/{name}|{stat.st_size}|{stat.st_mtime_ns}")
    stamp = "\n".join(lines)
    key = zlib.crc32(stamp.encode("utf-8", "surrogatepass"))
    return stamp, f"{key:08x}-{len(paths)}"


@cache
def _resolved(folder: str) -> str:
    """The folder's real path, worked out once per process: resolving takes an ``lstat`` per
    component of the path, and a one-template check reads copies from the same two folders
    nine times (issue 16, start-up)."""
    return os.path.realpath(folder)


def _read_copy(name: str, stamp: str) -> Any:
    """The data of the copy ``name`` when it was made for ``stamp``, else None."""
    try:
        with open(os.path.join(cache_dir(), "data", f"{name}.json"), encoding="utf-8") as stream:
            copy = json.loads(stream.read())
        if copy["stamp"] == stamp:
            return copy["data"]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    return None


def _parse(
    paths: Sequence[StrPath], stamp: str, name: str, leave_out: str
) -> tuple[list[Any], list[Any]]:
    """The files parsed from their YAML, without ``leave_out``, and each file's
    ``leave_out``; their copies written (when the cache folder can be written)."""
    import yaml

    data = [yaml.safe_load(_text(path)) for path in paths]
    folder = os.path.join(cache_dir(), "data")
    if not leave_out:
        _store(os.path.join(folder, f"{name}.json"), {"stamp": stamp, "data": data})
        return data, []
    members = [_member(item, leave_out) for item in data]
    data = [_without(item, leave_out) for item in data]
    _store(os.path.join(folder, f"{name}-{leave_out}.json"), {"stamp": stamp, "data": members})
    _store(os.path.join(folder, f"{name}-without-{leave_out}.json"), {"stamp": stamp, "data": data})
    return data, members


def _text(path: StrPath) -> str:
    with open(path, encoding="utf-8") as stream:
        return stream.read()


def _member(data: Any, member: str) -> Any:
    return data.get(member) if isinstance(data, dict) else None


def _without(data: Any, member: str) -> Any:
    if not isinstance(data, dict):
        return data
    return {key: value for key, value in data.items() if key != member}


def _store(target: str, data: Any) -> None:
    import tempfile  # only when a copy is written: once per installation and data edit

    folder = os.path.dirname(target)
    try:
        text = json.dumps(data)
        os.makedirs(folder, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, suffix=".tmp")
    except (OSError, TypeError, ValueError):
        return  # a cache that cannot be written only costs speed
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError:
        import contextlib  # only when a copy could not be written

        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
