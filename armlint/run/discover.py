"""Which files to read: walk the given paths, honour excludes, and say what each file is."""

from __future__ import annotations

import os
import stat
from operator import attrgetter
from pathlib import Path

from armlint.model import FileReport, FrozenValue

ALWAYS_EXCLUDED_DIRS = {".git", ".terraform", "node_modules", "__pycache__", ".venv", ".hg", ".svn"}


class Candidate(FrozenValue):
    __slots__ = ("path", "kind")
    _values = attrgetter(*__slots__)

    def __init__(self, path: Path, kind: str) -> None:
        self.path = path
        self.kind = kind  # 'json' | 'terraform' | 'tfvars' | 'bicep' | 'bicepparam'


class Discovery:
    """What ``discover`` found. A plain class: creating a dataclass costs about a millisecond
    of every run's start-up."""

    def __init__(self) -> None:
        self.candidates: list[Candidate] = []
        self.reports: list[FileReport] = []  # files that cannot be read at all
        self.missing: list[str] = []  # paths given that do not exist
        self.notes: list[str] = []  # what the summary's counts do not say


EXAMPLE_SUFFIXES = (".tfvars.sample", ".tfvars.example")


def kind_of(path: Path) -> str | None:
    name = path.name.lower()
    if name.endswith(EXAMPLE_SUFFIXES):
        return "example"
    if name.endswith(".tf.json"):
        return "terraform"
    if name.endswith((".tfvars", ".tfvars.json")):
        return "tfvars"
    if name.endswith((".json", ".jsonc")):
        return "json"
    if name.endswith(".tf"):
        return "terraform"
    if name.endswith(".bicepparam"):
        return "bicepparam"
    if name.endswith(".bicep"):
        return "bicep"
    return None


class Excludes:
    """What a walk leaves out: the ``exclude`` patterns (each set relative to its own folder)
    and, unless turned off, the ``.gitignore`` files of the repository (see armlint.globs)."""

    def __init__(self, patterns: list, respect_gitignore: bool = True) -> None:
        from armlint.globs import Patterns, git_top_level, split_patterns

        texts = split_patterns([p for p in patterns if isinstance(p, str)])
        given = [p for p in patterns if isinstance(p, Patterns)]
        # Plain strings (the library's callers, tests) are relative to the current folder.
        self.patterns = [*given, Patterns(texts, Path.cwd())] if texts else given
        self.respect_gitignore = respect_gitignore
        self.top = git_top_level(Path.cwd()) if respect_gitignore else None
        self._gitignores: dict[str, list] = {}

    def excluded(self, path: str | Path, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)  # once: each pattern set would make it again
        if any(patterns.matches(absolute, is_dir) for patterns in self.patterns):
            return True
        if not self.respect_gitignore:
            return False
        return self._ignored_by_git(absolute, is_dir)

    def _ignored_by_git(self, path: str, is_dir: bool) -> bool:
        # git: a later, deeper file's patterns override an earlier one's ("!keep.json").
        ignored = False
        for patterns in self._gitignores_above(os.path.dirname(path)):
            verdict = patterns.verdict(path, is_dir)
            if verdict is not None:
                ignored = verdict
        return ignored

    def _gitignores_above(self, folder: str) -> list:
        """The .gitignore files that apply in ``folder`` (absolute): its own and its
        ancestors' up to the repository's top (or the folder itself outside a repository).
        Paths are strings here: pathlib was most of a cached run's discovery."""
        cached = self._gitignores.get(folder)
        if cached is not None:
            return cached
        from armlint.globs import gitignore_patterns, relative_to

        top = None if self.top is None else str(self.top)
        inside = top is not None and relative_to(folder, top) is not None
        parent = os.path.dirname(folder)
        above = (
            self._gitignores_above(parent) if inside and folder != top and parent != folder else []
        )
        own = gitignore_patterns(Path(folder))
        found = [*above, own] if own is not None else above
        self._gitignores[folder] = found
        return found


def discover(
    paths: list[str],
    excludes: list | None = None,
    *,
    respect_gitignore: bool = True,
    force_exclude: bool = False,
) -> Discovery:
    """The files to read under ``paths``. Files named directly are always read, unless
    ``force_exclude`` (what pre-commit needs: it names every staged file) applies the
    excludes and ``.gitignore`` to them as well."""
    found = Discovery()
    rules = Excludes(excludes or [], respect_gitignore)
    seen: set[Path] = set()
    for given in paths:
        path = Path(given)
        if path.is_dir():
            _walk(path, rules, found, seen)
        elif path.exists() or path.is_symlink():  # a file, FIFO or device; a dangling link
            if force_exclude and rules.excluded(path, is_dir=False):
                continue
            _add_file(path, found, seen, explicit=True)
            for companion in companions(path):
                if not (force_exclude and rules.excluded(companion, is_dir=False)):
                    _add_file(companion, found, seen, explicit=False)
        else:
            found.missing.append(given)
    return found


def companions(path: Path) -> list[Path]:
    """Files that must be read with a named file, so a pre-commit run on a changed parameter or
    variables file re-checks what it feeds: ``X.parameters*.json`` brings ``X.json`` and the
    other way round; a ``.tf`` or ``.tfvars`` file brings its whole module folder (Terraform
    evaluates folders, not files).
    ``.bicepparam`` files name their template themselves, and the Bicep loader reads it."""
    name = path.name.lower()
    folder = path.parent
    if name.endswith((".json", ".jsonc")) and ".parameters" in name:
        stem = path.name[: name.index(".parameters")]
        return [
            folder / f"{stem}{suffix}"
            for suffix in (".json", ".jsonc")
            if (folder / f"{stem}{suffix}").is_file()
        ]
    if name.endswith((".json", ".jsonc")):
        stem = path.name.rsplit(".", 1)[0]
        return sorted(p for p in folder.glob(f"{stem}.parameters*.json*") if p.is_file())
    if kind_of(path) in ("terraform", "tfvars"):
        try:
            siblings = sorted(folder.iterdir())
        except OSError:
            return []
        return [
            sibling
            for sibling in siblings
            if sibling != path and sibling.is_file() and _module_file(sibling.name.lower())
        ]
    return []


def _module_file(name: str) -> bool:
    if name.endswith((".tf", ".tf.json")):
        return True
    return name == "terraform.tfvars" or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def _add_file(path: Path, found: Discovery, seen: set[Path], explicit: bool) -> None:
    key = Path(os.path.normpath(path))
    if key in seen:
        return
    seen.add(key)
    kind = kind_of(key)
    if kind == "example":
        reason = "an example variables file; Terraform does not read it"
        found.reports.append(FileReport(str(key), "tfvars", "skipped", reason))
        return
    if kind is None:
        if explicit:
            reason = (
                "not a file type armlint reads (.json, .jsonc, .tf, .tfvars, .bicep, .bicepparam)"
            )
            found.reports.append(FileReport(str(key), "other", "skipped", reason))
        return
    if _is_special(key):
        # Reading a FIFO blocks for ever and /dev/zero never ends: such files are never read.
        reason = "not a regular file (a FIFO, socket or device); not read"
        found.reports.append(FileReport(str(key), "other", "skipped", reason))
        # The summary counts it as skipped; the note says which and why (issue 12).
        found.notes.append(f"skipped {key}: {reason}")
        return
    found.candidates.append(Candidate(key, kind))


def _is_special(path: Path) -> bool:
    """True for FIFOs, sockets and devices (also behind a symlink)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # a dangling or looping link: the format loader reports it as unreadable
    return not stat.S_ISREG(mode)


def _walk(root: Path, rules: Excludes, found: Discovery, seen: set[Path]) -> None:
    def on_error(error: OSError) -> None:
        found.reports.append(
            FileReport(str(error.filename), "other", "error", f"cannot read: {error.strerror}")
        )

    join = os.path.join  # strings until a file is kept: pathlib was most of a cached run's walk
    for directory, dirs, files in os.walk(root, onerror=on_error):
        dirs[:] = sorted(
            name
            for name in dirs
            if name not in ALWAYS_EXCLUDED_DIRS
            and not rules.excluded(join(directory, name), is_dir=True)
            and not os.path.islink(join(directory, name))  # a linked folder may loop back
        )
        for name in sorted(files):
            if rules.excluded(join(directory, name), is_dir=False):
                continue
            _add_file(Path(directory, name), found, seen, explicit=False)
