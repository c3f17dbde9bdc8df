"""The result cache's entries as tests see them: read out of the packs of a cache folder
(``armlint/run/cache_pack.py``), and changed in place for the tests of damaged entries."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from armlint.run.cache_pack import (
    PackError,
    pack_paths,
    read_index,
    read_pack,
    write_pack,
)


def packs_of(cache: Path) -> str:
    return str(cache / "results" / "packs")


def stored_entries(cache: Path) -> dict[str, bytes]:
    """Every stored entry of the cache folder ``cache`` by key (the newest pack's for a key
    stored twice), damaged packs left out."""
    entries: dict[str, bytes] = {}
    for pack in reversed(pack_paths(packs_of(cache))):
        with contextlib.suppress(PackError):  # ignored by armlint too
            entries.update(read_pack(pack))
    return entries


def rewrite_entries(cache: Path, change: Callable[[str, bytes], bytes]) -> int:
    """Replace each stored entry by ``change(key, entry)``, the packs' indexes kept right (as
    if the entry itself had been damaged); how many entries were changed."""
    changed = 0
    folder = packs_of(cache)
    for pack in pack_paths(folder):
        entries = {key: change(key, entry) for key, entry in read_pack(pack).items()}
        write_pack(folder, entries, read_index(pack)[1], name=os.path.basename(pack))
        changed += len(entries)
    return changed


def damage_packs(cache: Path, text: str) -> int:
    """Overwrite each pack, index and all, with ``text``; how many packs there were."""
    packs = pack_paths(packs_of(cache))
    for pack in packs:
        Path(pack).write_text(text, encoding="utf-8")
    return len(packs)
