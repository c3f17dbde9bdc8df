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
from pathlib import Path

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any


def cache_dir() -> Path:
    explicit = os.environ.get("ARMLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "armlint"


def load_yaml(path: Path) -> Any:
    """``yaml.safe_load`` of the file, through the JSON copy when it is current."""
    return load_yaml_files([path])[0]


def load_yaml_files(paths: list[Path]) -> list[Any]:
    """``yaml.safe_load`` of each file, through one JSON copy of them all: the rule pack's 45
    files cost one read and one ``json.loads`` per run, not a path resolution and a read each.

    The copy holds the stamp it was made for (each file's resolved folder, name, size and
    modification time) and is used only when that stamp is today's; its file name is a CRC of
    the stamp (a clash only costs a parse: the stamp check refuses the other copy), which spares
    every run the import of OpenSSL's hashlib."""
    folders = {folder: os.path.realpath(folder) for folder in {path.parent for path in paths}}
    lines = []
    for path in paths:
        stat = path.stat()
        lines.append(f"{folders[path.parent]}/{path.name}|{stat.st_size}|{stat.st_mtime_ns}")
    stamp = "\n".join(lines)
    key = zlib.crc32(stamp.encode("utf-8", "surrogatepass"))
    cached = cache_dir() / "data" / f"{key:08x}-{len(paths)}.json"
    try:
        copy = json.loads(cached.read_text(encoding="utf-8"))
        if copy["stamp"] == stamp:
            return copy["data"]
    except (OSError, ValueError, TypeError, KeyError):
        pass
    import yaml

    data = [yaml.safe_load(path.read_text(encoding="utf-8")) for path in paths]
    _store(cached, {"stamp": stamp, "data": data})
    return data


def _store(target: Path, data: Any) -> None:
    import tempfile  # only when a copy is written: once per installation and data edit

    try:
        text = json.dumps(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    except (OSError, TypeError, ValueError):
        return  # a cache that cannot be written only costs speed
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
