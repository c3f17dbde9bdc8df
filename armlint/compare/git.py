"""``armlint check --against REF``: the files as they are at a git ref are the before side."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from armlint.checks.transition_rules import transition_findings
from armlint.compare.diff import compared, load_side
from armlint.compare.pairing import pair_records
from armlint.model import Fact, Location, RunResult, VmRecord
from armlint.run.discover import Discovery, discover
from armlint.run.findings import CHECK_ENGINES, apply_gates, without_gates
from armlint.run.options import RunOptions
from armlint.run.pipeline import discover_for, load_records, run_check
from armlint.run.workunits import UnitResult, lookup_cached, store


def check_against(ref: str, options: RunOptions, repo: Path | None = None) -> RunResult:
    """A check of ``options.paths`` plus the AZP4xx changes against git ``ref``, with the gates
    (suppressions, per-file configuration, baseline) applied once to the two together."""
    if options.shard is not None:
        raise GitError("--against compares whole files and cannot be sharded; drop --shard")
    ungated = without_gates(options)
    found = discover_for(ungated)  # one walk for the check and both sides' files
    result = run_check(ungated, found)
    changes = run_against(ref, options.paths, ungated, repo, found)
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
    ref: str,
    paths: list[str],
    options: RunOptions,
    repo: Path | None = None,
    found: Discovery | None = None,
) -> RunResult:
    """Compare the files at ``paths`` (working tree) with the same files at git ``ref``.

    Each file at REF is read from git into a temporary folder mirroring the paths, with the
    readable files of the same folders (parameter files, tfvars, bicepparam, the other files
    of a Terraform module) so both sides evaluate alike: one ``git ls-tree`` lists them and one
    ``git cat-file --batch`` reads them. A file renamed since REF (``git diff
    --find-renames``) is compared with its old name; a file new since REF has no before. With
    REF 'HEAD' from a pre-commit hook, the working tree is what is committed: pre-commit stashes
    unstaged changes before running hooks; run by hand, unstaged edits count. ``found``: what
    ``discover_for`` returned for ``options`` with these paths, when the caller walked already.

    With ``options.cache`` the comparison's findings and notes are cached by what they depend
    on (the objects git holds for the mirrored files, the working-tree files' content, REF as
    written, armlint's version, rule pack and options: ``_comparison_key``); a run served from
    the cache evaluates neither side and its result has no files or records.
    """
    root = (repo or _repo_root(paths)).resolve()
    commit = _commit_of(root, ref)
    if commit is None:
        return _without_history(ref, paths, options)
    if found is None:
        found = discover_for(options.replace(paths=list(paths)))
    after_files = _after_files(paths, options, found)
    renames = _renames(root, ref)
    plan = _mirror_plan(root, commit, after_files, renames, options)
    key = _comparison_key(ref, root, paths, options, plan, found) if options.cache else None
    odd = ""
    if key is not None:
        cached, odd = lookup_cached(key)
        if cached is not None:
            return compared(RunResult(), cached.findings, cached.notes, options)
    with tempfile.TemporaryDirectory(prefix="armlint-before-") as temporary:
        mirror = Mirror(Path(temporary).resolve())
        _write_mirror(root, plan, mirror)
        before = _load_mirror(paths, options, root, plan, mirror)
        dependencies: list[str] = []
        after = load_side(paths, options, exports=False, dependencies=dependencies)
        pairs = _pair_mirrored(before.records, after.records, root, mirror)
        findings = transition_findings(pairs, options.profile, ref)
    notes = [*after.notes, *(f"{ref}: {_strip(note, mirror.root)}" for note in before.notes)]
    if key is not None:
        store(key, UnitResult(findings=findings, notes=notes, dependencies=dependencies))
    if odd and options.note_cache_misses:  # after storing: about this run only
        notes.append(f"cache: ignored the cached comparison with {ref}: {odd}; compared afresh")
    return compared(after, findings, notes, options)


@dataclass
class MirrorPlan:
    """What the mirror holds, known before anything is read from git: mirrored relative path
    -> (path at REF, git object id), and the command line's parameter and variable files
    mapped to their mirrored copies (or kept, outside the repository)."""

    files: dict[str, tuple[str, str]] = field(default_factory=dict)
    parameters: list[str] = field(default_factory=list)
    var_files: list[str] = field(default_factory=list)


def _mirror_plan(
    root: Path, commit: str, after_files: list[Path], renames: dict[str, str], options
) -> MirrorPlan:
    """The same files the mirror held when each was asked of git on its own: each named file
    at its path at REF, then the readable files of its folder, then the named extras."""
    from armlint.run.discover import kind_of

    wanted: list[tuple[str, str]] = []  # (mirrored relative path, path at REF), in order
    folders: dict[str, str] = {}
    for path in after_files:
        relative = _repo_relative(path, root)
        origin = renames.get(relative, relative)
        wanted.append((relative, origin))
        folders.setdefault(_parent(relative), _parent(origin))
    extras = [
        (path, _relative_or_none(path, root)) for path in [*options.parameters, *options.var_files]
    ]
    listed = _list_tree(
        root,
        commit,
        {_parent(origin) for _, origin in wanted}
        | set(folders.values())
        | {_parent(relative) for _, relative in extras if relative is not None},
    )
    by_folder: dict[str, list[str]] = {}
    for name in listed:
        by_folder.setdefault(_parent(name), []).append(name)
    for folder, origin_folder in folders.items():
        for origin in by_folder.get(origin_folder, []):
            name = origin.rsplit("/", 1)[-1]
            if kind_of(Path(name)) not in (None, "example"):
                wanted.append((f"{folder}/{name}" if folder else name, origin))
    plan = MirrorPlan()
    for relative, origin in [*wanted, *((r, r) for _, r in extras if r is not None)]:
        if relative not in plan.files and origin in listed:
            plan.files[relative] = (origin, listed[origin])
    for path, inside in extras:
        target = plan.parameters if path in options.parameters else plan.var_files
        if inside is None:
            target.append(path)  # outside the repository: the same file on both sides
        elif inside in plan.files:
            target.append(inside)  # made absolute inside the mirror (_in_mirror)
    return plan


def _relative_or_none(path: str, root: Path) -> str | None:
    try:
        return _repo_relative(path, root)
    except GitError:
        return None


def _list_tree(root: Path, commit: str, folders: set[str]) -> dict[str, str]:
    """Path at REF -> object id of every file (blob) in ``folders`` and below, in one call."""
    limit = [] if "" in folders else sorted(folders)
    if sum(len(folder) for folder in limit) > 50_000:
        limit = []  # a very long command line: the whole tree costs less than failing
    completed = _git(root, "--literal-pathspecs", "ls-tree", "-r", "-z", commit, "--", *limit)
    listed = {}
    for line in completed.stdout.split(b"\0"):
        meta, tab, name = line.partition(b"\t")
        kind = meta.split(b" ")
        if tab and len(kind) == 3 and kind[1] == b"blob":
            listed[os.fsdecode(name)] = kind[2].decode("ascii")
    return listed


def _write_mirror(root: Path, plan: MirrorPlan, mirror: Mirror) -> None:
    """The planned files written into the mirror, their bytes read by one ``git cat-file``."""
    contents = _read_objects(root, sorted({oid for _, oid in plan.files.values()}))
    for relative, (origin, oid) in plan.files.items():
        target = mirror.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(contents[oid])
        mirror.origins[relative] = origin


def _read_objects(root: Path, oids: list[str]) -> dict[str, bytes]:
    """Object id -> bytes, for objects ``git ls-tree`` just listed."""
    if not oids:
        return {}
    request = "".join(f"{oid}\n" for oid in oids).encode("ascii")
    try:
        completed = subprocess.run(
            ["git", "cat-file", "--batch"], cwd=root, input=request, capture_output=True
        )
    except OSError as error:
        raise GitError(f"cannot run git: {error.strerror}") from error
    output, position, contents = completed.stdout, 0, {}
    for oid in oids:
        end = output.find(b"\n", position)
        header = output[position:end].split(b" ") if end >= 0 else []
        if len(header) != 3 or header[1] != b"blob":
            raise GitError(f"git cat-file could not read {oid} ({completed.returncode})")
        size = int(header[2])
        contents[oid] = output[end + 1 : end + 1 + size]
        position = end + 1 + size + 1  # the content is followed by a newline
    return contents


def _comparison_key(
    ref: str, root: Path, paths: list[str], options: RunOptions, plan: MirrorPlan, found
) -> str | None:
    """What a comparison's findings depend on, as one digest; None when a working-tree file
    cannot be read (it is reported fresh every time, as by the result cache).

    The before side is the mirrored files' git objects (content) at their mirrored and
    original paths; the after side the content of every file a check of ``paths`` reads (the
    files it links are checked by the dependencies stored with the entry, as for the result
    cache); and REF as written, since findings name it."""
    import hashlib

    from armlint.run.pipeline import cache_settings
    from armlint.run.workunits import digest_of

    digest = hashlib.sha256(b"against\0")
    digest.update(cache_settings(options.replace(explore=False)).encode("utf-8", "surrogatepass"))
    for part in (ref, str(root), *paths, *_exclude_texts(options)):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    for relative, (origin, oid) in sorted(plan.files.items()):
        digest.update(f"{relative}\0{origin}\0{oid}\0".encode("utf-8", "surrogatepass"))
    for name in [*plan.parameters, "|", *plan.var_files]:
        digest.update(name.encode("utf-8", "surrogatepass") + b"\0")
    for candidate in found.candidates:
        content = digest_of(str(candidate.path))
        if content is None:
            return None
        digest.update(os.fsencode(candidate.path) + b"\0" + content.encode("ascii"))
    return digest.hexdigest()


def _exclude_texts(options: RunOptions) -> list[str]:
    """The excludes (they also apply to the mirror: '*.tf' matches at any depth) and the other
    loading options that ``cache_settings`` leaves out, as text."""
    texts = [
        f"gitignore={options.respect_gitignore},force={options.force_exclude}",
        f"exports={options.exports}",  # the before side's load takes it from the check
    ]
    for pattern in options.exclude:
        if isinstance(pattern, str):
            texts.append(pattern)
        else:  # globs.Patterns
            texts.append(repr((pattern.lines, pattern.base)))
    return texts


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


def _after_files(paths: list[str], options: RunOptions, found: Discovery) -> list[Path]:
    """The working-tree files compared: discovered with the excludes and .gitignore whatever
    the options say (``found`` is that walk when the options say the same)."""
    if not (options.respect_gitignore and not options.force_exclude):
        found = discover(paths, options.exclude)
    return [Path(candidate.path) for candidate in found.candidates]  # a recorded walk's: str


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


def _commit_of(root: Path, ref: str) -> str | None:
    """The commit REF names; None in a repository without commits (a first commit's hook).

    Any other ref that does not resolve is the user's mistake and raises ``GitError``.
    """
    found = _git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if found.returncode == 0:
        return found.stdout.decode("ascii").strip()
    if _git(root, "rev-list", "-n", "1", "--all", check=False).stdout.strip():
        raise GitError(f"'{ref}' is not a commit in {root}")
    return None


def _without_history(ref: str, paths: list[str], options: RunOptions) -> RunResult:
    after = load_side(paths, options, exports=False)
    note = f"the repository has no commits yet, so '{ref}' has no files: every VM is new"
    return compared(after, [], [*after.notes, note], options)


def _parent(relative: str) -> str:
    return relative.rsplit("/", 1)[0] if "/" in relative else ""


def _load_mirror(paths, options: RunOptions, root: Path, plan: MirrorPlan, mirror: Mirror):
    mirrored = [str(mirror.root / _repo_relative(p, root)) for p in paths]
    existing = [p for p in mirrored if Path(p).exists()]
    if not existing:
        return RunResult()
    side = options.replace(
        paths=existing,
        parameters=[_in_mirror(path, plan, mirror) for path in plan.parameters],
        var_files=[_in_mirror(path, plan, mirror) for path in plan.var_files],
        explore=False,
        progress=None,
    )
    result = load_records(side)
    result.records = [_relocated(record, mirror) for record in result.records]
    return result


def _in_mirror(path: str, plan: MirrorPlan, mirror: Mirror) -> str:
    """A named parameter or variable file as it is at REF (a mirrored path), or itself."""
    return str(mirror.root / path) if path in plan.files else path


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
        return where.replace(path=_origin_path(where.path, mirror))

    facts = {
        name: Fact(fact.value, move(fact.location), fact.source, _strip_all(fact.trace, mirror))
        for name, fact in record.facts.items()
    }
    return record.replace(
        path=_origin_path(record.path, mirror),
        location=record.location.replace(path=_origin_path(record.location.path, mirror)),
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
