"""One glob dialect for every pattern armlint reads: gitignore's, through ``pathspec`` (a set of
name globs alone, such as ``*.tf`` or ``build/``, through one equivalent regular expression).

``exclude`` (configuration and ``--exclude``), ``per-file`` ``files`` and ``.gitignore`` files
all mean what git would make of them: ``*`` stays inside one folder, ``**`` crosses folders, a
trailing ``/`` matches a folder and everything below it, a pattern without a ``/`` (other than
a trailing one) matches a name at any depth, a leading ``/`` anchors it to the base folder and
``!`` re-includes. Each ``Patterns`` keeps the folder its patterns are relative to: the
configuration file's folder for configured patterns, the current folder for the command
line's, the ``.gitignore`` file's folder for its lines.

Also here: the project root that reports show paths relative to (``project_root``).
"""

from __future__ import annotations

import os
import re
from functools import cache

GITIGNORE = ".gitignore"


class Patterns:
    """gitignore-style patterns relative to ``base`` (an absolute folder)."""

    def __init__(self, lines: list[str] | tuple[str, ...], base: str | os.PathLike[str]) -> None:
        self.lines = tuple(line for line in lines if line.strip())
        self.base = os.path.abspath(base)
        # Name globs alone ("*.tf", "build/") are matched by one regular expression: pathspec's
        # import and its per-pattern loop were about a fifth of a fully cached run. Made at
        # the first verdict: a fully cached run reuses its recorded walk and asks none, and
        # compiling the expression of the corpus bench's six globs was 1.9 M instructions.
        # Other patterns go to pathspec at once, so an invalid one is refused here as before.
        names_alone = bool(self.lines) and all(map(_is_name_glob, self.lines))
        self._names: re.Pattern[str] | None = None
        self._spec = _compiled(self.lines) if self.lines and not names_alone else None
        self._ready = not names_alone  # else ``_compile`` at the first verdict

    def __bool__(self) -> bool:
        return bool(self.lines)

    def matches(self, path: str | os.PathLike[str], is_dir: bool = False) -> bool:
        """True when ``path`` (absolute or relative to the current folder) is matched.

        A path outside ``base`` is never matched, as git ignores nothing outside its folder.
        """
        return self.verdict(path, is_dir) is True

    def verdict(self, path: str | os.PathLike[str], is_dir: bool = False) -> bool | None:
        """True if the last pattern that applies matches, False if it re-includes (``!``),
        None if no pattern applies (so an outer ``.gitignore`` keeps its say)."""
        if not self.lines:
            return None
        relative = relative_to(path, self.base)
        if not relative:  # outside base, or base itself
            return None
        return self.verdict_relative(relative, is_dir)

    def verdict_relative(self, relative: str, is_dir: bool = False) -> bool | None:
        """``verdict`` for a path under ``base`` given relative to it (forward slashes)."""
        relative = relative + "/" if is_dir else relative
        if not self._ready:
            self._compile()
        if self._names is not None:
            return True if self._names.search(relative) else None
        if self._spec is None:
            return None  # no pattern at all
        return self._spec.check_file(relative).include

    def _compile(self) -> None:
        self._names = _names_regex(self.lines)
        self._spec = None if self._names is not None else _compiled(self.lines)
        self._ready = True


# A name glob: no "/" but a trailing one, no "!", "?", "[", "\\", "**", space or "#": git's
# meaning is then "any path component is such a name" (a folder's for a trailing "/"). Tested
# on strings, not with a regular expression: compiling one is a share of a fully cached run.
_NAME_GLOB_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.*-"


def _is_name_glob(line: str) -> bool:
    """Whether ``line`` is one or more of ``_NAME_GLOB_CHARACTERS`` without "**", and
    perhaps a trailing "/"."""
    name = line[:-1] if line.endswith("/") else line
    return name != "" and "**" not in name and name.strip(_NAME_GLOB_CHARACTERS) == ""


@cache
def _names_regex(lines: tuple[str, ...]) -> re.Pattern[str] | None:
    """One expression for patterns that are all name globs (None when one is not): it matches
    a relative path (a folder's with a trailing "/") exactly when pathspec's GitIgnoreSpec
    would exclude it; tests/discover/test_name_globs.py compares the two."""
    if not all(map(_is_name_glob, lines)):
        return None
    alternatives = []
    for line in lines:
        name = line.rstrip("/")
        if name.strip(".") == "":
            return None  # "." and "..": leave them to pathspec
        first, *rest = (re.escape(part) for part in name.split("*"))
        # A component that starts anywhere: "(?:^|/)[^/]*" before the rest is implied by a
        # search, and without it the expression starts with a literal the engine scans for
        # (matching every position was most of the exclude checks).
        parts = ["(?:^|/)" + first, *rest] if first else rest
        alternatives.append("[^/]*".join(parts) + ("/" if line.endswith("/") else "(?:/|$)"))
    return re.compile("|".join(alternatives))


@cache
def _compiled(lines: tuple[str, ...]):
    import pathspec  # imported on first use: most runs have no pattern at all

    return pathspec.GitIgnoreSpec.from_lines(lines)


def relative_to(path: str | os.PathLike[str], base: str) -> str | None:
    """``path`` relative to ``base`` with forward slashes, '' for base itself, None outside."""
    absolute = os.path.abspath(path)
    if os.sep == "/":
        # POSIX, without os.path.relpath (a quarter of a cached run's discovery, and most of
        # the walk of a folder outside the repository): both paths normalised, a path is under
        # the base exactly when it starts with the base and a separator.
        base = _single_root(os.path.abspath(base))
        absolute = _single_root(absolute)
        if absolute == base:
            return ""
        inside = base if base.endswith("/") else base + "/"
        return absolute[len(inside) :] if absolute.startswith(inside) else None
    relative = os.path.relpath(absolute, base)
    if relative == os.curdir:
        return ""
    if relative == os.pardir or relative.startswith(os.pardir + os.sep):
        return None
    return relative.replace(os.sep, "/")


def _single_root(path: str) -> str:
    # abspath keeps a leading "//" (POSIX leaves it to the system; Linux reads it as "/"), and
    # relpath, which this stands in for, reads it as "/" too.
    return "/" + path.lstrip("/") if path.startswith("//") else path


def split_patterns(values: list[str]) -> list[str]:
    """``--exclude a/,b/`` and ``--exclude a/ --exclude b/`` say the same, as for ``--select``."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def gitignore_patterns(folder: str) -> Patterns | None:
    """The ``.gitignore`` file of ``folder`` as patterns, or None when it has none (or it
    cannot be read: an unreadable ignore file ignores nothing, as in git)."""
    try:
        with open(os.path.join(folder, GITIGNORE), encoding="utf-8", errors="replace") as stream:
            text = stream.read()
    except OSError:
        return None
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return Patterns(lines, folder) if lines else None


def git_top_level(start: str) -> str | None:
    """The nearest folder at or above ``start`` that holds ``.git`` (a folder, or a file in a
    worktree or submodule); found without running git, which may not be installed. Paths
    here are text: a one-template check builds no ``Path`` (pathlib's import; issue 16)."""
    for folder in _self_and_parents(os.path.abspath(start)):
        if os.path.exists(os.path.join(folder, ".git")):
            return folder
    return None


def _self_and_parents(folder: str) -> list[str]:
    """``folder`` (absolute) and the folders above it, as ``(path, *path.parents)``."""
    chain = [folder]
    while (parent := os.path.dirname(chain[-1])) != chain[-1]:
        chain.append(parent)
    return chain


def project_root(start: str, config_file: str | None = None) -> str:
    """The folder reports show paths relative to: the git top level, else the configuration
    file's folder, else ``start``; so a run from a subfolder or with absolute arguments
    names files as the repository does (what code scanning and annotations need)."""
    top = git_top_level(start)
    if top is not None:
        return top
    if config_file:
        return os.path.dirname(os.path.abspath(config_file))
    return os.path.abspath(start)


def ancestor_gitignores(folder: str, top: str | None) -> list[Patterns]:
    """``.gitignore`` files of the folders from ``top`` down to ``folder``'s parent, so a
    walk that starts in a subfolder still honours the repository's ignore files above it."""
    if top is None:
        return []
    folder = os.path.abspath(folder)
    if relative_to(folder, top) is None:
        return []
    parents = _self_and_parents(folder)[1:]
    chain = [parent for parent in parents if relative_to(parent, top) is not None]
    found = []
    for parent in reversed(chain):
        patterns = gitignore_patterns(parent)
        if patterns is not None:
            found.append(patterns)
    return found
