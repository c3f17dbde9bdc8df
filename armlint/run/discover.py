"""Which files to read: walk the given paths, honour excludes, and say what each file is."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable
from operator import attrgetter, itemgetter

from armlint.model import FileReport, FrozenValue
from armlint.paths import path_text

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path

GITIGNORE = ".gitignore"  # armlint.globs.GITIGNORE, without importing globs for it
ALWAYS_EXCLUDED_DIRS = {".git", ".terraform", "node_modules", "__pycache__", ".venv", ".hg", ".svn"}


class Candidate(FrozenValue):
    __slots__ = ("path", "kind")
    _values = attrgetter(*__slots__)

    def __init__(self, path: Path | str, kind: str) -> None:
        # A string (normalised, as os.path.normpath gives it) from discover and from a
        # recorded walk (armlint/run/cache_walk.py): a Path each was a share of a fully
        # cached run, and pathlib's import a tenth of a one-template check (issue 16).
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
        # For the result cache's record of a walk (armlint/run/cache_walk.py): the folders
        # listed and those whose .gitignore was asked for (absolute), and whether everything
        # found follows from those listings alone (no link, special file or unreadable folder).
        self.walked: list[str] = []
        self.ignore_folders: list[str] = []
        self.plain = True


def kind_of(path: Path) -> str | None:
    return kind_of_name(path.name)


def kind_of_name(name: str) -> str | None:
    """``kind_of`` for a file name (no pathlib: discovery asks it of every walked file).
    Decided by the last extension, one look-up: ``str.endswith`` parses its arguments the
    slow way in Python 3.11 (about 400 instructions a call), and a JSON file took five of
    them (issue 16)."""
    stem, dot, extension = name.lower().rpartition(".")
    if not dot:
        return None
    if extension == "json":  # x.tf.json is Terraform, x.tfvars.json variables
        _, dot, before = stem.rpartition(".")
        return _KIND_BEFORE_JSON.get(before, "json") if dot else "json"
    kind = _KIND_BY_EXTENSION.get(extension)
    if kind == "example":  # x.tfvars.sample and x.tfvars.example; x.sample is nothing
        _, dot, before = stem.rpartition(".")
        return kind if dot and before == "tfvars" else None
    return kind


# The kind each last extension gives but ".json" (see above).
_KIND_BY_EXTENSION = {
    "jsonc": "json",
    "tf": "terraform",
    "tfvars": "tfvars",
    "bicep": "bicep",
    "bicepparam": "bicepparam",
    "sample": "example",
    "example": "example",
}
_KIND_BEFORE_JSON = {"tf": "terraform", "tfvars": "tfvars"}


class Excludes:
    """What a walk leaves out: the ``exclude`` patterns (each set relative to its own folder)
    and, unless turned off, the ``.gitignore`` files of the repository (see armlint.globs)."""

    def __init__(self, patterns: list, respect_gitignore: bool = True) -> None:
        from armlint.globs import Patterns, git_top_level, split_patterns

        texts = split_patterns([p for p in patterns if isinstance(p, str)])
        given = [p for p in patterns if isinstance(p, Patterns)]
        # Plain strings (the library's callers, tests) are relative to the current folder.
        self.patterns = [*given, Patterns(texts, os.getcwd())] if texts else given
        self.respect_gitignore = respect_gitignore
        self.top = git_top_level(os.getcwd()) if respect_gitignore else None
        self._gitignores: dict[str, list] = {}
        self._listed_without: set[str] = set()  # folders a walk saw without a .gitignore

    def listed(self, folder: str, has_gitignore: bool) -> None:
        """A walk read ``folder`` (absolute): without a .gitignore there, none is opened."""
        if self.respect_gitignore and not has_gitignore:
            self._listed_without.add(folder)

    def excluded(self, path: str | Path, is_dir: bool) -> bool:
        absolute = os.path.abspath(path)  # once: each pattern set would make it again
        if any(patterns.matches(absolute, is_dir) for patterns in self.patterns):
            return True
        if not self.respect_gitignore:
            return False
        return self._ignored_by_git(absolute, is_dir)

    def in_folder(self, folder: str) -> FolderExcludes:
        """``excluded`` for the children of ``folder`` (absolute), asked by name."""
        git = self._gitignores_above(folder) if self.respect_gitignore else []
        return FolderExcludes(_placed(self.patterns, folder), _placed(git, folder))

    def consulted(self) -> Iterable[str]:
        """The folders (absolute) whose .gitignore was looked for so far."""
        return self._gitignores.keys()

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
        top = self.top
        above: list = []
        if top is not None and folder != top and _under(folder, top) is not None:
            # Only inside the repository: a walk outside it asked os.path.dirname of each
            # folder for nothing (issue 16).
            parent = os.path.dirname(folder)
            above = self._gitignores_above(parent) if parent != folder else []
        own = None if folder in self._listed_without else _gitignore_patterns(folder)
        found = [*above, own] if own is not None else above
        self._gitignores[folder] = found
        return found


def _gitignore_patterns(folder: str):
    """``globs.gitignore_patterns``, imported only for a folder a walk did not list or listed
    with a .gitignore: the import statement, run for each of the ARM corpus's 564 folders,
    cost 4 M instructions (issue 16)."""
    from armlint.globs import gitignore_patterns

    return gitignore_patterns(folder)


class FolderExcludes:
    """``Excludes.excluded`` for the children of one folder, by name: where the folder sits
    under each pattern set's base is worked out once, not made absolute and relative again for
    each file and pattern set (that was most of the exclude checks of a cached run)."""

    def __init__(self, given: list[tuple], git: list[tuple]) -> None:
        self.given = given  # (Patterns, the folder's path under their base + "/", or "")
        self.git = git  # the same for the .gitignore files that apply, outermost first

    def excluded(self, name: str, is_dir: bool) -> bool:
        for patterns, prefix in self.given:
            if patterns.verdict_relative(prefix + name, is_dir) is True:
                return True
        ignored = False  # git: a later, deeper file's patterns override an earlier one's
        for patterns, prefix in self.git:
            verdict = patterns.verdict_relative(prefix + name, is_dir)
            if verdict is not None:
                ignored = verdict
        return ignored


def _placed(pattern_sets: list, folder: str) -> list[tuple]:
    """(patterns, prefix) for each set whose base is ``folder`` or above it: a child's path
    under the base is then prefix + name. A set whose base is not above ``folder`` matches
    none of its children (at most the base itself, which no set matches)."""
    placed = []
    for patterns in pattern_sets:
        relative = _under(folder, patterns.base)
        if patterns and relative is not None:
            placed.append((patterns, relative + "/" if relative else ""))
    return placed


def _under(folder: str, base: str) -> str | None:
    """``globs.relative_to`` for two paths that are absolute and normalised already (a walk's
    folders, the pattern sets' bases, the repository's top): a comparison of prefixes, without
    its two ``abspath`` calls, which were about half of a walk's exclude set-up per folder."""
    # Slices compared, not str.startswith and endswith: in Python 3.11 these parse their
    # arguments the slow way (about 400 instructions a call, four a call here; issue 16).
    if os.sep != "/" or folder[:2] == "//" or base[:2] == "//":
        from armlint.globs import relative_to

        return relative_to(folder, base)  # the general case: other separators, a "//" root
    if folder == base:
        return ""
    inside = base if base[-1:] == "/" else base + "/"
    return folder[len(inside) :] if folder[: len(inside)] == inside else None


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
    seen: set[str] = set()
    for given in paths:
        path = path_text(given)
        if os.path.isdir(path):
            _walk(path, rules, found, seen)
        elif os.path.lexists(path):  # a file, FIFO or device; a dangling link
            found.plain = False  # the walk's record is of folders only
            if force_exclude and rules.excluded(path, is_dir=False):
                continue
            _add_file(path, found, seen, explicit=True)
            for companion in companions(path):
                if not (force_exclude and rules.excluded(companion, is_dir=False)):
                    _add_file(companion, found, seen, explicit=False)
        else:
            found.missing.append(given)
            found.plain = False
    found.ignore_folders = list(rules.consulted())
    return found


def companions(path: str) -> list[str]:
    """Files that must be read with a named file, so a pre-commit run on a changed parameter or
    variables file re-checks what it feeds: ``X.parameters*.json`` brings ``X.json`` and the
    other way round; a ``.tf`` or ``.tfvars`` file brings its whole module folder (Terraform
    evaluates folders, not files).
    ``.bicepparam`` files name their template themselves, and the Bicep loader reads it.
    ``path`` as ``armlint.paths.path_text`` gives it; the companions as pathlib named them."""
    folder, base = os.path.split(path)
    name = base.lower()
    if name.endswith((".json", ".jsonc")) and ".parameters" in name:
        stem = base[: name.index(".parameters")]
        beside = [os.path.join(folder, f"{stem}{suffix}") for suffix in (".json", ".jsonc")]
        return [candidate for candidate in beside if os.path.isfile(candidate)]
    if name.endswith((".json", ".jsonc")):
        stem = base.rsplit(".", 1)[0]
        return _listed_files(folder, f"{stem}.parameters*.json*")
    if kind_of_name(base) in ("terraform", "tfvars"):
        return [
            sibling
            for sibling in _listed_files(folder, "*")
            if os.path.basename(sibling) != base and _module_file(os.path.basename(sibling).lower())
        ]
    return []


def _listed_files(folder: str, pattern: str) -> list[str]:
    """The regular files (or links to them) in ``folder`` whose names match the glob
    ``pattern``, sorted: ``sorted(p for p in Path(folder).glob(pattern) if p.is_file())`` (a
    case-sensitive match, hidden files included) as text; none when it cannot be listed."""
    try:
        names = os.listdir(folder or ".")
    except OSError:
        return []
    matches = _glob_test(pattern)
    found = (os.path.join(folder, name) for name in names if matches(name))
    return sorted(path for path in found if os.path.isfile(path))


def _glob_test(pattern: str) -> Callable[[str], bool]:
    """``fnmatchcase(name, pattern)`` as a test of names. The two patterns ``companions``
    gives are told without ``fnmatch``: its import and the regular expression it compiles
    were most of the 0.9 M instructions ``companions`` cost a one-template check (issue 16)."""
    if pattern == "*":
        return _any_name
    literal, star, rest = pattern.partition("*")
    if star and rest == ".json*" and not any(char in literal for char in "*?[]"):
        # "X.parameters*.json*": the literal start, then ".json" anywhere after it.
        return lambda name: name.startswith(literal) and ".json" in name[len(literal) :]
    from fnmatch import fnmatchcase

    return lambda name: fnmatchcase(name, pattern)


def _any_name(name: str) -> bool:
    return True


def _module_file(name: str) -> bool:
    if name.endswith((".tf", ".tf.json")):
        return True
    return name == "terraform.tfvars" or name.endswith((".auto.tfvars", ".auto.tfvars.json"))


def _add_file(
    path: str | Path,
    found: Discovery,
    seen: set[str],
    explicit: bool,
    kind: str | None = None,
    regular: bool = False,
) -> None:
    """Record one file. A walk passes the ``kind`` it worked out from the name, and
    ``regular`` when its folder listing says the file is a regular one (no ``stat`` then)."""
    name = os.path.normpath(path)
    if name in seen:
        return
    seen.add(name)
    key = name
    kind = kind_of_name(os.path.basename(name)) if kind is None else kind
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
    if not regular and _is_special(key):
        # Reading a FIFO blocks for ever and /dev/zero never ends: such files are never read.
        reason = "not a regular file (a FIFO, socket or device); not read"
        found.reports.append(FileReport(str(key), "other", "skipped", reason))
        # The summary counts it as skipped; the note says which and why (issue 12).
        found.notes.append(f"skipped {key}: {reason}")
        return
    found.candidates.append(Candidate(key, kind))


def _is_special(path: str) -> bool:
    """True for FIFOs, sockets and devices (also behind a symlink)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # a dangling or looping link: the format loader reports it as unreadable
    return not stat.S_ISREG(mode)


def _walk(root: str, rules: Excludes, found: Discovery, seen: set[str]) -> None:
    """Every file under ``root`` in os.walk's top-down order (folders and files sorted by
    name), through ``os.scandir``: a file's kind comes from its name and its type from the
    folder listing, so most files cost no ``stat`` and no ``Path`` (pathlib, one ``stat`` and
    the exclude checks of every file were most of a fully cached run's discovery)."""
    top = os.fspath(root)
    pending = [(top, os.path.abspath(top))]  # (folder as walked, its absolute path)
    while pending:
        directory, absolute = pending.pop()
        listed = _listing(directory, found)
        if listed is None:
            found.plain = False
            continue
        found.walked.append(absolute)
        folders, linked, files, has_gitignore = listed
        rules.listed(absolute, has_gitignore)
        here = rules.in_folder(absolute)
        # Children only append a name: os.path.join and abspath per file were a share of it.
        walked, under = _prefix(directory), _prefix(absolute)
        kept = sorted(
            name
            for name in folders
            if name not in ALWAYS_EXCLUDED_DIRS and not here.excluded(name, is_dir=True)
        )
        pending.extend((walked + name, under + name) for name in reversed(kept))
        if linked:
            found.plain = False  # its target may turn from a folder into a file on its own
        for name, entry, kind in sorted(files, key=_name):
            if here.excluded(name, is_dir=False):
                continue
            # A regular file that is not a link is known from the listing: no stat.
            regular = entry.is_file(follow_symlinks=False)
            found.plain = found.plain and regular  # a link's target may change on its own
            _add_file(walked + name, found, seen, False, kind, regular)


def _prefix(folder: str) -> str:
    """What ``os.path.join(folder, name)`` puts before ``name``."""
    return folder if not folder or folder.endswith(os.sep) else folder + os.sep


_name = itemgetter(0)


def _listing(directory: str, found: Discovery):
    """(folders, linked, files, has_gitignore) of ``directory``: the names of the folders to
    walk into (a link to a folder is not walked: it may loop back), whether a folder there is
    a link (as os.walk tells folders, by their targets); only the files of a kind armlint reads,
    as (name, DirEntry, kind) (most files of a repository are not: a walked one is not even
    reported, and dropping them here spares sorting them); whether a .gitignore is there.
    None, with the error reported, when the folder cannot be read."""
    folders: list[str] = []
    linked = False
    files: list[tuple[str, os.DirEntry[str], str]] = []
    has_gitignore = False
    try:
        with os.scandir(directory) as entries:
            for entry in entries:
                try:
                    is_dir = entry.is_dir()
                except OSError:
                    is_dir = False
                name = entry.name
                if is_dir:
                    # Told here, where the entry is at hand: a generator per folder over its
                    # folders' entries cost more than a call per linked one (issue 16).
                    if entry.is_symlink():
                        linked = True
                    else:
                        folders.append(name)
                elif (kind := kind_of_name(name)) is not None:
                    files.append((name, entry, kind))
                elif name == GITIGNORE:  # kind_of_name gives it no kind
                    has_gitignore = True
    except OSError as error:
        found.reports.append(
            FileReport(str(error.filename), "other", "error", f"cannot read: {error.strerror}")
        )
        return None
    return folders, linked, files, has_gitignore
