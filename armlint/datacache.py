"""YAML data read once, then served from a JSON copy in the user's cache folder.

Parsing the rule pack's YAML with PyYAML's pure-Python safe loader costs more than armlint's
whole start-up budget; JSON parses in C. The copy is keyed by the file's path, size and
modification time, so editing a rule file takes effect at once. When the cache folder cannot
be written (read-only home, CI sandbox) armlint simply parses the YAML every time.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    explicit = os.environ.get("ARMLINT_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME")
    return (Path(base) if base else Path.home() / ".cache") / "armlint"


def load_yaml(path: Path) -> Any:
    """``yaml.safe_load`` of the file, through the JSON copy when it is current."""
    stat = path.stat()
    key = hashlib.sha1(
        f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode("utf-8", "surrogatepass")
    ).hexdigest()
    cached = cache_dir() / "data" / f"{key}.json"
    try:
        return json.loads(cached.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    _store(cached, data)
    return data


def _store(target: Path, data: Any) -> None:
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
