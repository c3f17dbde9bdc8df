"""``armlint check --against REF``: the files as they are at a git ref are the before side."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from armlint.checks.transition_rules import transition_findings
from armlint.compare.diff import compared, load_side
from armlint.compare.pairing import pair_records
from armlint.model import Fact, Location, RunResult, VmRecord
from armlint.run.findings import CHECK_ENGINES, apply_gates, without_gates
from armlint.run.options import RunOptions
from armlint.run.pipeline import load_records, run_check


def check_against(ref: str, options: RunOptions, repo: Path | None = None) -> RunResult:
    """A check of ``options.paths`` plus the AZP4xx changes against git ``ref``, with the gates
    (suppressions, per-file configuration, baseline) applied once to the two together."""
    if options.shard is not None:
        raise GitError("--against compares whole files and cannot be sharded; drop --shard")
    ungated = without_gates(options)
    result = run_check(ungated)
    changes = run_against(ref, options.paths, ungated, repo)
    result.findings = sorted(result.findings + changes.findings, key=lambda f: f.sort_key)
    result.notes.extend(changes.notes)
    result.unknown_count += changes.unknown_count
    apply_gates(result, options, CHECK_ENGINES)
    return result


class GitError(Exception):
    """git failed or the paths are not in a git repository (a usage error for the CLI)."""


@dataclass
class Mirror:
    """The before side written to a temporary folder that mirrors the working-tree paths."""

    root: Path
    origins: dict[str, str] = field(default_factory=dict)  # mirrored relative path -> path at REF


def run_against(
    ref: str, paths: list[str], options: RunOptions, repo: Path | None = None
) -> RunResult:
    """Compare the files at ``paths`` (working tree) with the same files at git ``ref``.

    Each file at REF is read with ``git show REF:path`` into a temporary folder mirroring the
    paths, with the readable files of the same folders (parameter files, tfvars, bicepparam,
    the other files of a Terraform module) so both sides evaluate alike. A file renamed since
    REF (``git diff --find-renames``) is compared with its old name; a file new since REF has no
    before. With REF 'HEAD' from a pre-commit hook, the working tree is what is committed:
    pre-commit stashes unstaged changes before running hooks; run by hand, unstaged edits count.
    """
    root = (repo or _repo_root(paths)).resolve()
    if not _ref_exists(root, ref):
        return _without_history(ref, paths, options)
    after_files = _after_files(paths, options)
    renames = _renames(root, ref)
    with tempfile.TemporaryDirectory(prefix="armlint-before-") as temporary:
        mirror = Mirror(Path(temporary).resolve())
        for path in after_files:
            relative = _repo_relative(path, root)
            _mirror_file(root, ref, relative, renames.get(relative, relative), mirror)
        _mirror_companions(root, ref, after_files, renames, mirror)
        before = _load_mirror(paths, options, root, ref, mirror)
        after = load_side(paths, options, exports=False)
        pairs = _pair_mirrored(before.records, after.records, root, mirror)
        findings = transition_findings(pairs, options.profile, ref)
    notes = [*after.notes, *(f"{ref}: {_strip(note, mirror.root)}" for note in before.notes)]
    return compared(after, findings, notes, options)


def _git(root: Path, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
    """git with an argument list (never a shell), in the repository, output as bytes."""
    try:
        completed = subprocess.run(["git", *arguments], cwd=root, capture_output=True, check=False)
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from error
    if check and completed.returncode != 0:
        message = completed.stderr.decode("utf-8", "replace").strip()
        raise GitError(f"git {' '.join(arguments)} failed: {message}")
    return completed


def _repo_root(paths: list[str]) -> Path:
    first = Path(paths[0]) if paths else Path(".")
    start = first if first.is_dir() else first.parent
    completed = _git(
        start.resolve() if start.exists() else Path.cwd(), "rev-parse", "--show-toplevel"
    )
    return Path(completed.stdout.decode("utf-8").strip())


def _after_files(paths: list[str], options: RunOptions) -> list[Path]:
    from armlint.run.discover import discover

    found = discover(paths, options.exclude)
    return [candidate.path for candidate in found.candidates]


def _repo_relative(path: Path | str, root: Path) -> str:
    try:
        return Path(path).resolve().relative_to(root).as_posix()
    except ValueError as error:
        raise GitError(f"{path} is not inside the git repository {root}") from error


def _renames(root: Path, ref: str) -> dict[str, str]:
    """New path -> path at REF for the renames git reports.

    The whole tree is diffed, not only the given paths: with a pathspec naming only the new
    file, git cannot see the old one and reports an addition instead of a rename.
    """
    completed = _git(root, "diff", "--find-renames", "--name-status", "-z", ref, "--")
    fields = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    renames: dict[str, str] = {}
    position = 0
    while position < len(fields) and fields[position]:
        status = fields[position]
        if status.startswith(("R", "C")):
            old, new = fields[position + 1], fields[position + 2]
            if status.startswith("R"):
                renames[new] = old
            position += 3
        else:
            position += 2
    return renames


def _show(root: Path, ref: str, relative: str) -> bytes | None:
    """The file's bytes at REF, or None when it does not exist there (a new file)."""
    completed = _git(root, "show", f"{ref}:{relative}", check=False)
    return completed.stdout if completed.returncode == 0 else None


def _ref_exists(root: Path, ref: str) -> bool:
    """True for a commit; False in a repository without commits (a first commit's hook).

    Any other ref that does not resolve is the user's mistake and raises ``GitError``.
    """
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode == 0:
        return True
    if _git(root, "rev-list", "-n", "1", "--all", check=False).stdout.strip():
        raise GitError(f"'{ref}' is not a commit in {root}")
    return False


def _without_history(ref: str, paths: list[str], options: RunOptions) -> RunResult:
    after = load_side(paths, options, exports=False)
    note = f"the repository has no commits yet, so '{ref}' has no files: every VM is new"
    return compared(after, [], [*after.notes, note], options)


def _mirror_file(root: Path, ref: str, relative: str, origin: str, mirror: Mirror) -> bool:
    if relative in mirror.origins:
        return True
    data = _show(root, ref, origin)
    if data is None:
        return False
    target = mirror.root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    mirror.origins[relative] = origin
    return True


def _mirror_companions(root, ref, after_files: list[Path], renames, mirror: Mirror) -> None:
    """The readable files of each folder at REF, so parameters and modules evaluate alike."""
    from armlint.run.discover import kind_of

    folders: dict[str, str] = {}
    for path in after_files:
        relative = _repo_relative(path, root)
        origin = renames.get(relative, relative)
        folders.setdefault(_parent(relative), _parent(origin))
    for folder, origin_folder in folders.items():
        for name in _list_folder(root, ref, origin_folder):
            if kind_of(Path(name)) in (None, "example"):
                continue
            relative = f"{folder}/{name}" if folder else name
            origin = f"{origin_folder}/{name}" if origin_folder else name
            _mirror_file(root, ref, relative, origin, mirror)


def _parent(relative: str) -> str:
    return relative.rsplit("/", 1)[0] if "/" in relative else ""


def _list_folder(root: Path, ref: str, folder: str) -> list[str]:
    spec = f"{ref}:{folder}" if folder else f"{ref}:"
    completed = _git(root, "ls-tree", "--name-only", "-z", spec, check=False)
    if completed.returncode != 0:
        return []
    names = completed.stdout.decode("utf-8", "surrogateescape").split("\0")
    return [name for name in names if name and "/" not in name]


def _load_mirror(paths, options: RunOptions, root: Path, ref: str, mirror: Mirror) -> RunResult:
    mirrored = [str(mirror.root / _repo_relative(p, root)) for p in paths]
    existing = [p for p in mirrored if Path(p).exists()]
    if not existing:
        return RunResult()
    side = replace(
        options,
        paths=existing,
        parameters=_mirror_extra(options.parameters, root, ref, mirror),
        var_files=_mirror_extra(options.var_files, root, ref, mirror),
        explore=False,
        progress=None,
    )
    result = load_records(side)
    result.records = [_relocated(record, mirror) for record in result.records]
    return result


def _mirror_extra(paths: list[str], root: Path, ref: str, mirror: Mirror) -> list[str]:
    """Parameter and variable files named on the command line, as they are at REF."""
    mapped = []
    for path in paths:
        try:
            relative = _repo_relative(path, root)
        except GitError:
            mapped.append(path)  # outside the repository: the same file on both sides
            continue
        if _mirror_file(root, ref, relative, relative, mirror):
            mapped.append(str(mirror.root / relative))
    return mapped


def _pair_mirrored(befores, afters, root: Path, mirror: Mirror):
    """Pair within each file: the after file's repo path is the mirrored file's path."""
    grouped: dict[str, list[VmRecord]] = {}
    for record in befores:
        grouped.setdefault(record.mirror_path, []).append(record)
    by_file: dict[str, list[VmRecord]] = {}
    for record in afters:
        by_file.setdefault(_repo_relative(record.path, root), []).append(record)
    pairs = []
    for relative, records in by_file.items():
        pairs.extend(pair_records(grouped.get(relative, []), records))
    return pairs


def _relocated(record: VmRecord, mirror: Mirror) -> VmRecord:
    """A before record whose locations name the files as they are at REF (old names included)."""
    relative = _mirrored_relative(record.path, mirror)

    def move(where: Location | None) -> Location | None:
        if where is None:
            return None
        return replace(where, path=_origin_path(where.path, mirror))

    facts = {
        name: Fact(fact.value, move(fact.location), fact.source, _strip_all(fact.trace, mirror))
        for name, fact in record.facts.items()
    }
    return replace(
        record,
        path=_origin_path(record.path, mirror),
        location=replace(record.location, path=_origin_path(record.location.path, mirror)),
        facts=facts,
        mirror_path=relative,
    )


def _mirrored_relative(path: str, mirror: Mirror) -> str:
    """The path inside the mirror, '' for a file outside it."""
    try:
        return Path(path).resolve().relative_to(mirror.root).as_posix()
    except ValueError:
        return ""


def _origin_path(path: str, mirror: Mirror) -> str:
    relative = _mirrored_relative(path, mirror)
    if not relative:
        return path
    return mirror.origins.get(relative, relative)


def _strip(text: str, root: Path) -> str:
    return text.replace(str(root) + os.sep, "").replace(str(root), ".")


def _strip_all(trace: tuple[str, ...], mirror: Mirror) -> tuple[str, ...]:
    return tuple(_strip(step, mirror.root) for step in trace)
