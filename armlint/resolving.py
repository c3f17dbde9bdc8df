"""Resolving the paths of many files in few folders: each folder once.

``Path.resolve`` asks the file system about every component of the path (a corpus path has
about ten: some 60 µs each time), and a check resolves the path of every Bicep and Terraform
file and of every module it names, which are mostly in the same few folders.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path


class FolderResolver:
    """``Path.resolve()`` with each folder resolved once: a path is its resolved folder and its
    name, unless the name is a symbolic link (one ``lstat``), which is then followed as
    ``resolve`` would. Resolving a path component by component from the left, as ``resolve``
    does, gives the same path. Meant for one check: a folder renamed meanwhile is not seen."""

    __slots__ = ("folders",)

    def __init__(self) -> None:
        self.folders: dict[Path, Path] = {}

    def resolve(self, path: Path) -> Path:
        """As ``path.resolve()``, with its errors (a symlink loop, a NUL byte)."""
        folder, name = path.parent, path.name
        if not name or name in (".", "..") or folder == path:
            return path.resolve()
        resolved = self.folders.get(folder)
        if resolved is None:
            resolved = self.folders[folder] = folder.resolve()
        found = resolved / name
        return found.resolve() if _is_link(found) else found


def _is_link(path: Path) -> bool:
    """As ``resolve`` tells: an ``lstat`` that fails is no link; a NUL byte raises ValueError."""
    try:
        return stat.S_ISLNK(os.lstat(path).st_mode)
    except OSError:
        return False
