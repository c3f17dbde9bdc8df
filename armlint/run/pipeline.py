"""One run: discover -> load (each format) -> check -> a ``RunResult`` for the reports.

Each input format is imported only when files of that format are present, so checking JSON
alone never pays for the Terraform or Bicep parsers.
"""

from __future__ import annotations

import errno
import gc
import os
import time
from collections.abc import Callable
from functools import cache, partial
from operator import attrgetter

# Imported here, not in the functions run per unit: an import statement costs about 8,000
# instructions even when its module is loaded (issue 16). Each of these is light, or needed by
# every run anyway.
from armlint import arm  # the format's implementation is imported when it is called
from armlint.checks.hits import UnlistedUnknown
from armlint.checks.pack import load_pack
from armlint.fileio import preload, preload_named_arguments, read_regular
from armlint.model import (
    FileReport,
    Finding,
    LoadResult,
    RunResult,
    VmRecord,
    internal_error_message,
)
from armlint.run.discover import discover
from armlint.run.findings import CHECK_ENGINES, finish
from armlint.run.options import Gates, MissingPaths, Progress, RunOptions
from armlint.run.workunits import (
    DependenciesSeen,
    UnitResult,
    cache_key,
    digest_of,
    in_shard,
    lookup_cached,
    make_units,
    store,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["Gates", "MissingPaths", "Progress", "RunOptions", "load_records", "run_check"]

LIVE_NOTE_PREFIX = "live exports:"  # armlint.live.records.TEMPLATE_RULES_NOTE
PARALLEL_MIN_FILES = 16


def _discover(options: RunOptions):
    found = discover(
        options.paths,
        options.exclude,
        respect_gitignore=options.respect_gitignore,
        force_exclude=options.force_exclude,
    )
    if found.missing:
        raise MissingPaths(", ".join(found.missing))
    return found


def load_records(options: RunOptions, dependencies: list[str] | None = None) -> RunResult:
    """Discover and load every file; records and load-time findings, no rule checks yet.

    The same units, size limit and loaders as ``run_check``, so plan, inventory and diff see
    exactly the records a check sees. The files read besides those discovered (linked
    templates) are added to ``dependencies`` when given, for a cache of what follows."""
    _read_named_arguments(options)
    found = _discover(options)
    result = RunResult(files=list(found.reports), notes=list(found.notes))
    candidates, too_large = _within_size_limit(found.candidates, options.max_bytes)
    for report, finding in too_large:
        result.files.append(report)
        result.findings.append(finding)
    for unit in make_units(candidates):
        loaded, read_besides = _load_unit(unit, options)
        _merge(result, loaded)
        if dependencies is not None:
            dependencies.extend(read_besides)
    return result


def discover_for(options: RunOptions):
    """The files a check or ``load_records`` with ``options`` reads (``Discovery``)."""
    return _discover(options)


def run_check(options: RunOptions, found=None, basis=None) -> RunResult:
    """Check every unit (in parallel when asked), then pass the findings through
    ``armlint.run.findings`` (selection, severities, unknowns, order, the gates).
    ``found``: what ``discover_for(options)`` returned, when the caller walked already.
    ``basis`` (``armlint.run.replay.Basis``), when given, learns what the result rests on."""
    from armlint.run.suppressions import skipping

    _read_named_arguments(options)
    packs = _result_packs() if options.cache else None  # one pack written per run
    result, units = _planned(options, found, packs)
    unmentioned: set[str] = set()  # files whose bytes the cache keys read hold no suppression
    for unit_result in _unit_results(units, options, unmentioned, packs):
        result.files.extend(unit_result.files)
        result.notes.extend(unit_result.notes)
        result.resource_keys.update(unit_result.resources)
        result.findings.extend(unit_result.findings)
        result.unknown_count += unit_result.unknowns  # finish counts the AZP002 listed
    result.files.sort(key=lambda report: report.path)
    result.notes = _live_note_once(result.notes)
    with skipping(unmentioned):  # each file is read once for its key and its suppressions
        result = finish(result, options, CHECK_ENGINES)
    if basis is not None:
        _rests_on(basis, result, options, packs, found is None)
    return result


def _rests_on(basis, result: RunResult, options: RunOptions, packs, walked_here: bool) -> None:
    """Tell ``basis`` what the result rests on: what the result cache stamped (the walk, the
    files whose stat or digest the run used), every file the report names (the suppression
    scan read them, and the source lines under findings come from them) and the baseline."""
    if packs is None or not walked_here:
        basis.refuse("no result cache, or a walk made elsewhere")
        return
    if packs.unrecordable:
        basis.refuse(packs.unrecordable)
    if any(note.startswith("internal error") for note in result.notes):
        basis.refuse("an internal error")  # as _to_cache: a bug's result must not outlive it
    basis.saw(packs.seen, packs.absent)
    basis.add(report.path for report in result.files if report.status != "skipped")
    basis.add(finding.location.path for finding in result.findings)
    if options.gates is not None and options.gates.baseline:
        basis.add([options.gates.baseline])


def _planned(options: RunOptions, found=None, packs=None) -> tuple[RunResult, list]:
    """The units to check, and a result that already holds what discovery and the size limit
    reported. Discovery's candidates (a path each) die here unless the caller keeps
    ``found``: units name their files by string, and the candidates of 100 copies of the ARM
    corpus hold about 25 MB (tracemalloc) for the whole run. With the result cache
    (``packs``), the walk recorded by an earlier run is reused while its folders are
    unchanged (armlint/run/cache_walk.py)."""
    if found is None and packs is not None:
        from armlint.run.cache_walk import discover_cached

        found = discover_cached(options, packs)
        if found.missing:
            raise MissingPaths(", ".join(found.missing))
    found = _discover(options) if found is None else found
    # With the cache, the size limit's stat of each file is the one its stamp is compared with.
    stat = os.stat if packs is None else packs.status
    candidates, too_large = _within_size_limit(found.candidates, options.max_bytes, stat)
    units = [u for u in make_units(candidates) if in_shard(u, options.shard)]
    # Files discovery could not read belong to no unit: shard 1 reports them.
    first_shard = options.shard is None or options.shard[0] == 1
    result = RunResult(
        files=list(found.reports) if first_shard else [],
        notes=list(found.notes) if first_shard else [],
    )
    if first_shard:
        for report, finding in too_large:
            result.files.append(report)
            result.findings.append(finding)
    return result, units


def _live_note_once(notes: list[str]) -> list[str]:
    """Each folder with exports says which rules it skipped; the run says it once."""
    live = [note for note in notes if note.startswith(LIVE_NOTE_PREFIX)]
    return [n for n in notes if not n.startswith(LIVE_NOTE_PREFIX)] + live[:1]


def _read_named_arguments(options: RunOptions) -> None:
    """--parameters and --var-file given as pipes are read now, once (armlint.fileio)."""
    named = [*options.parameters, *options.var_files]
    options.named_data = preload_named_arguments(named, options.max_bytes)


def _within_size_limit(candidates, max_bytes: int, stat=os.stat):
    """Files above the size limit are reported, never read: a parser would take minutes and
    gigabytes on them. Returns the candidates to read and (report, finding) for the others.
    ``stat``: ``os.stat``, or the result cache's, which keeps it for the file's stamp."""
    kept, refused = [], []
    for candidate in candidates:
        try:
            size = stat(candidate.path).st_size
        except OSError:
            size = 0  # the loader reports why it cannot read it
        if size > max_bytes:
            # Imported here: the ARM loader brings the whole ARM evaluator, which a Terraform
            # or Bicep check never needs otherwise.
            from armlint.arm.loader import too_large_finding

            finding = too_large_finding(str(candidate.path), size, max_bytes)
            report = FileReport(str(candidate.path), candidate.kind, "error", finding.message)
            refused.append((report, finding))
        else:
            kept.append(candidate)
    return kept, refused


def _unit_results(units, options: RunOptions, unmentioned: set[str] | None = None, packs=None):
    """Results in unit order whatever the number of processes, so output never depends on it.
    With the cache (``packs``, the run's), the files whose bytes do not contain "armlint"
    join ``unmentioned``."""
    settings = cache_settings(options, packs) if options.cache else ""
    pending, results = [], {}
    odd: dict[int, str] = {}  # why a cache entry that was there could not be used
    keys: dict[int, str | None] = {}  # one read of each file: the entry is stored by this key
    for index, unit in enumerate(units):
        if options.cache:
            keys[index], cached, odd[index] = _from_cache(unit, settings, packs, unmentioned)
        else:
            cached, odd[index] = None, ""
        if cached is None:
            pending.append(index)
        else:
            results[index] = cached
    worker_options = _without_callbacks(options)
    # Starting processes costs more than a handful of files take to check.
    pending_files = sum(len(units[i].files) for i in pending)
    if options.jobs > 1 and len(pending) > 1 and pending_files >= PARALLEL_MIN_FILES:
        work = [(units[i], worker_options) for i in pending]
        fresh = _in_workers(min(options.jobs, len(pending)), work)
    else:
        fresh = [check_unit(units[i], worker_options) for i in pending]
    for number, (index, unit_result) in enumerate(zip(pending, fresh, strict=True), 1):
        results[index] = unit_result
        if options.cache:
            _to_cache(packs, keys[index], unit_result)
        if odd[index] and options.note_cache_misses:  # after storing: about this run only
            unit_result.notes.append(_cache_note(units[index], odd[index]))
        if options.progress:
            options.progress(number, len(pending))
    if packs is not None:
        packs.flush()
    return [results[index] for index in range(len(units))]


def _in_workers(processes: int, work: list[tuple]) -> list:
    """``check_unit`` over ``work`` in a pool that never outlives this process: on Ctrl-C,
    SIGTERM or any error the workers are terminated, not left holding stdout and stderr."""
    import multiprocessing

    from armlint.workers import hold_signals, release_signals, watch_parent

    held = hold_signals()  # until the workers can ignore what is meant for this process
    try:
        pool = multiprocessing.Pool(processes, initializer=watch_parent, initargs=(os.getpid(),))
    except BaseException:
        release_signals(held)
        raise
    try:
        release_signals(held)  # a Ctrl-C that came meanwhile is raised here: pool terminated
        fresh = pool.starmap(check_unit, work, chunksize=1)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
    return fresh


def _without_callbacks(options: RunOptions) -> RunOptions:
    return options.replace(progress=None, jobs=1)


def cache_settings(options: RunOptions, packs=None) -> str:
    """Everything besides the files themselves that changes a unit's result. ``packs``: the
    run's result cache, whose file stamps spare reading the rule pack's unchanged files."""
    from armlint import __version__
    from armlint.paths import rules_dir
    from armlint.run.digests import hexdigest

    pack = []
    rule_files = _yaml_files(str(rules_dir()))
    for path in rule_files:
        content = digest_of(path, packs=packs) or f"unreadable:{path}"
        pack.append(os.path.basename(path).encode() + content.encode())
    if packs is not None:
        packs.read_by_every_run(rule_files)
    return "|".join(
        [
            __version__,
            hexdigest(b"".join(pack)),  # the digest of the parts one after the other
            options.profile,
            str(options.explore),
            str(options.show_unknown),  # without it a unit's AZP002 are counted, not kept
            str(options.max_bytes),
            ",".join(sorted(_absolute(p) for p in options.paths)),
            ",".join(_named_file_digests(options)),
            repr(options.deployment),
        ]
    )


def _named_file_digests(options: RunOptions) -> list[str]:
    """The digests of the contents of --parameters and --var-file files (OpenSSL's: file
    contents, see ``digests.hexdigest``)."""
    named = [*options.parameters, *options.var_files]
    if not named:
        return []
    import hashlib

    digests = []
    for name in named:
        try:  # a pipe was read once before: read_regular returns those bytes
            digests.append(hashlib.sha256(read_regular(name, options.max_bytes)).hexdigest())
        except (OSError, ValueError):
            digests.append(f"unreadable:{name}")
    return digests


def _yaml_files(folder: str) -> list[str]:
    """The ``.yaml`` files under ``folder`` in ``sorted(Path(folder).rglob("*.yaml"))``'s
    order (part by part), listed with os.scandir: pathlib's glob was a share of the key."""
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir():
            found.extend(_yaml_files(entry.path))
        elif entry.name.endswith(".yaml"):
            found.append(entry.path)
    return sorted(found, key=lambda path: path.split(os.sep))


def _absolute(path: str) -> str:
    """``str(Path(path).resolve())`` without pathlib, whose import (with urllib.parse and
    ipaddress) was about a twentieth of a fully cached run: ``resolve`` is ``realpath`` and
    then a ``stat`` that turns a symlink loop into an error, where this takes ``abspath``."""
    try:
        real = os.path.realpath(path)
        os.stat(real)
    except ValueError:  # a NUL byte: resolve() raised it too
        return os.path.abspath(path)
    except OSError as error:
        if error.errno == errno.ELOOP:  # resolve()'s RuntimeError
            return os.path.abspath(path)
        # Anything else (a missing file, no permission) resolve() ignored: the real path.
    return real


def _result_packs():
    from armlint.run.cache_pack import ResultPacks

    return ResultPacks()


def _from_cache(unit, settings: str, packs, unmentioned: set[str] | None = None):
    """(the unit's key or None, cached result or None, why an entry that was there was ignored
    or '')."""
    key = cache_key(unit, settings, unmentioned, packs)
    return (key, *lookup_cached(key, packs)) if key else (None, None, "")


def _cache_note(unit, reason: str) -> str:
    # Counted per kind in the text summary; `--verbose` and JSON list each one.
    first = unit.files[0] if unit.files else unit.key
    return f"cache: ignored the cached result for {first}: {reason}; checked afresh"


def _to_cache(packs, key: str | None, unit_result) -> None:
    """Stored by the key the lookup computed: the content that was checked (reading the files
    again for it would cost a read and a digest each, and could name changed content)."""
    if any(note.startswith("internal error") for note in unit_result.notes):
        return  # a bug's result must not outlive the fix
    from armlint.run.cache_pack import SETTLED_NS  # with the cache only

    seen = unit_result.loaded
    if seen is not None and not seen.held(SETTLED_NS):
        # A linked template, module or lock file changed during the run (or just before):
        # the entry would pair this result with the digest of other content.
        packs.not_recordable("a file a unit read besides its own changed during the run")
        return
    if key:
        store(key, unit_result, packs)


def check_unit(unit, options: RunOptions):
    """Load and check one unit; all rules run, selection and severities are applied later.

    The cyclic collector is held off meanwhile, as ``arm.load`` holds it off for loading: the
    unit's records live until its findings are made, and a young collection after the load
    walked them (about 16 collections per run of the ARM corpus, none finding garbage: 4.4 M
    instructions of 1,818 M, issue 16). What a unit makes and drops is freed at once (no
    reference cycles, tests/arm/test_reference_cycles.py); its result survives it."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _check_unit(unit, options)
    finally:
        if collecting:
            gc.enable()


def _check_unit(unit, options: RunOptions):
    preload(options.named_data)
    started_ns = time.time_ns()  # before the load: see DependenciesSeen
    try:
        result, dependencies = _load_unit(unit, options)
    except Exception as error:  # one unit's bug must not stop the run
        message = internal_error_message(f"while reading {unit.key}", error)
        reports = [FileReport(path, unit.kind, "error", message) for path in unit.files]
        findings = [internal_error_finding(path, message) for path in unit.files]
        return UnitResult(files=reports, findings=findings, notes=[message])
    findings = list(result.findings)
    unknowns = 0  # AZP002 counted, not listed (see _checked)
    for finding in _checked(result.records, options, result.notes):
        if isinstance(finding, UnlistedUnknown):
            unknowns += 1
        else:
            findings.append(finding)
    findings = _with_fixes(findings, result.records, options)
    checked = UnitResult(
        files=result.files,
        findings=findings,
        notes=list(dict.fromkeys(result.notes)),
        resources=sorted({(r.path, r.identity) for r in result.records}),
        dependencies=dependencies,
        unknowns=unknowns,
    )
    checked.loaded = DependenciesSeen(started_ns, dependencies)
    return checked


def _with_fixes(findings: list[Finding], records: list[VmRecord], options: RunOptions):
    """Fixes are proposed beside the records they need, so they travel with cached results."""
    fixable = load_pack().fixable()
    if not any(finding.rule in fixable for finding in findings):
        return findings  # nothing to fix: armlint.fix stays unimported (start-up)
    from armlint.fix.propose import propose

    return propose(findings, records, options.profile, fixable)


def _checked(
    records: list[VmRecord], options: RunOptions, notes: list[str]
) -> list[Finding | UnlistedUnknown]:
    """The rule engine's findings on the unit's records. A run that does not list unknown
    values (``show_unknown``) only counts them: the engine's AZP002 findings come as
    ``UnlistedUnknown``s, one per finding they would make (live exports keep theirs, which
    ``without_template_rules`` sorts). The result cache keys on ``show_unknown`` and keeps the
    count (``UnitResult.unknowns``), so a cached run counts them alike."""
    from armlint.checks.engine import CheckOptions, Engine

    live = any(record.format == "live" for record in records)
    listed = options.show_unknown or live
    engine = Engine(load_pack(), CheckOptions(options.profile, None, unknowns_listed=listed))
    findings = _check_records(engine, records)
    if live:
        from armlint.live.records import without_template_rules

        findings = without_template_rules(findings, records)
    plan_records = [record for record in records if record.format == "plan"]
    if plan_records:
        from armlint.checks.transition_rules import plan_transition_findings

        findings.extend(plan_transition_findings(plan_records, options.profile))
    notes.extend(engine.errors)
    return findings


def _load_unit(unit, options: RunOptions) -> tuple[LoadResult, list[str]]:
    """The unit's records, findings, file reports and notes, and its dependencies: what the
    loaders read or looked for besides the unit's files (``_outside``)."""
    result = LoadResult()
    if unit.kind == "json":
        # Given as strings: arm.load makes each a Path, and a Path made again from a Path is
        # parsed again (Python 3.11).
        loaded = arm.load(
            unit.files,
            parameters=options.parameters,
            roots=options.paths,
            explore=options.explore,
            max_bytes=options.max_bytes,
            exports=options.exports,
            progress=options.progress,
            deployment=options.deployment,
            live=_live_exports(),
        )
        _merge(result, loaded.result)
        if loaded.live:
            _merge(result, _load_live(loaded.live))
        if loaded.plans:
            _merge(result, _load_terraform([], loaded.plans, options))
    elif unit.kind == "terraform":
        from pathlib import Path  # Terraform and Bicep take Paths; ARM takes text (issue 16)

        _merge(result, _load_terraform([Path(name) for name in unit.files], [], options))
    else:
        from pathlib import Path

        from armlint import bicep

        paths = [Path(name) for name in unit.files]
        _merge(
            result,
            _guarded(
                "Bicep",
                paths,
                lambda: bicep.load(paths, explore=options.explore, deployment=options.deployment),
            ),
        )
    return result, _outside(result.dependencies, unit.files)


def _outside(paths: list[str], files: tuple[str, ...]) -> list[str]:
    """``paths`` but the unit's own files (their contents are in the unit's key), once each."""
    if not paths:
        return []
    own = set(files)
    return [path for path in dict.fromkeys(paths) if path not in own]


@cache
def _live_exports():
    """Exported Azure state (az vm list, Resource Graph, Get-AzVM...) is read like a template;
    large exports by a faster reader. Made once per process, not once per unit: it holds two
    functions, and its two import statements cost about 16,000 instructions (issue 16)."""
    from armlint.arm.files import LiveExports
    from armlint.live.fastread import read_export_fast

    return LiveExports(read_export_fast, _looks_like_live)


def _looks_like_live(value) -> bool:
    """Asked only of JSON that is not a template: most runs never import the shapes."""
    from armlint.live.shapes import looks_like_live

    return looks_like_live(value)


def _load_live(documents: list) -> LoadResult:
    from pathlib import Path

    from armlint.live.records import load_exports

    paths = [Path(document.path) for document in documents]
    return _guarded("export", paths, lambda: load_exports(documents))


def _check_records(engine, records: list[VmRecord]) -> list[Finding | UnlistedUnknown]:
    """Check each record; a finding that holds only for some allowed-value choices says which
    (``Finding.scenario``), and one evaluated with a parameter file names it."""
    all_scenarios: dict[tuple, list] = {}
    resources = [_scenario_key(record) for record in records]
    for record, resource in zip(records, resources, strict=True):
        all_scenarios.setdefault(resource, []).append(record.scenario)
    grouped: dict[tuple, tuple[Finding, list]] = {}
    checked = CheckedRecords()
    for record, scenario_key in zip(records, resources, strict=True):
        keys = checked.keys_of(record)
        if keys is None:  # a record unlike those checked so far
            keys = []
            for finding in engine.check_record(record):
                key = _group_key(finding, scenario_key)
                grouped.setdefault(key, (finding, []))
                keys.append(key)
            checked.add(record, keys)
        for key in keys:
            grouped[key][1].append(record.scenario)
    findings: list[Finding | UnlistedUnknown] = []
    choices: dict[tuple, _Choices] = {}  # summed up once per resource, for all its findings
    for (_, _, _, scenario_key), (finding, firing) in grouped.items():
        if isinstance(finding, UnlistedUnknown):
            findings.append(finding)  # counted only: no scenario or parameter file to tell
            continue
        every = all_scenarios[scenario_key]
        if len(firing) < len(every):
            if scenario_key not in choices:
                choices[scenario_key] = _Choices(every)
            finding.scenario = _discriminating(firing, choices[scenario_key])
        finding.parameter_file = scenario_key[2]
        findings.append(finding)
    return findings


def _group_key(finding: Finding | UnlistedUnknown, scenario_key: tuple) -> tuple:
    """Findings of one resource with equal keys are one finding, held for the choices of all
    the records that fired it. An unlisted unknown stands for its own place: it hashes alike
    for all and compares by place, so a dict works a place out only when the rest of two keys
    hashes alike (``UnlistedUnknown.__eq__``)."""
    if isinstance(finding, UnlistedUnknown):
        return (finding.rule, finding, finding.message, scenario_key)
    return (finding.rule, finding.location, finding.message, scenario_key)


class CheckedRecords:
    """Records already checked, by resource, with the findings' group keys.

    Exploring allowedValues makes one record per combination, and about half of them equal
    another in everything but the scenario (the choice did not reach the VM). The rules see
    only the record's content, so such a record fires the same findings: it is counted for
    them without checking it again. The scenario itself only joins the finding's provenance,
    and ``_check_records`` keeps the first firing record's finding anyway.
    """

    def __init__(self) -> None:
        # By resource and fact values (``_Content.key``): a record is compared in full only
        # with those whose values are equal, found by one look-up rather than one comparison
        # with each record of the resource checked before.
        self._seen: dict[tuple, list[tuple[_Content, list[tuple]]]] = {}
        self._asked: _Content | None = None  # the last record asked about, added next if new

    def keys_of(self, record: VmRecord) -> list[tuple] | None:
        """The group keys of an equal record checked before, else None."""
        if not record.scenario:
            return None  # one record per resource: nothing to share
        content = self._asked = _Content(record)
        for seen, keys in self._seen.get(content.key, ()):
            if seen.equals(content):
                return keys
        return None

    def add(self, record: VmRecord, keys: list[tuple]) -> None:
        if record.scenario:
            asked = self._asked
            content = asked if asked is not None and asked.record is record else _Content(record)
            self._seen.setdefault(content.key, []).append((content, keys))


class _Content:
    """A record as ``CheckedRecords`` compares it: its fact values and their types first (a
    tuple each, compared at C speed: most records of a resource differ in one value, and ``==``
    takes True for 1, which a message renders differently), then every field but the
    scenario. ``key`` holds its resource with the values and types when they can be hashed,
    else the resource alone."""

    __slots__ = ("record", "key", "values", "types")

    def __init__(self, record: VmRecord) -> None:
        self.record = record
        self.values = values = tuple(map(_fact_value, record.facts.values()))
        self.types = types = tuple(map(type, values))
        resource = _scenario_key(record)
        self.key: tuple = (resource, values, types)
        try:
            hash(self.key)
        except TypeError:  # a list among the values (zones): compared with each of its resource
            self.key = resource

    def equals(self, other: _Content) -> bool:
        return (
            self.values == other.values
            and self.types == other.types
            and _equal_but_scenario(self.record, other.record)
        )


_fact_value = attrgetter("value")


def _equal_but_scenario(one: VmRecord, other: VmRecord) -> bool:
    """``==`` on the two records with their scenarios left out, without copying them: one
    tuple of fields each, compared in C, where a field that is the same object on both sides
    (a fact shared between combinations) costs nothing."""
    fields = _fields_but_scenario()
    return fields(one) == fields(other)


@cache
def _fields_but_scenario() -> Callable[[VmRecord], tuple]:
    names = [name for name in VmRecord.__slots__ if name != "scenario"]
    # The facts last: their values were compared already, and comparing two distinct fact
    # objects runs Python code (and works out their locations); most other fields are the
    # same object or a short string.
    return attrgetter(*sorted(names, key=lambda name: name == "facts"))


class _Choices:
    """The allowed-value choices of one resource (its records' scenarios) as a finding that
    holds for some of them is told: each parameter's name, how many values it takes, and
    the value it takes in most choices, if any."""

    def __init__(self, every: list) -> None:
        from armlint.checks.engine import render_value

        maps = [dict(scenario) for scenario in every]
        self.names = list(dict.fromkeys(name for scenario in maps for name in scenario))
        self.possible: dict[str, int] = {}
        self.default: dict[str, str | None] = {}
        for name in self.names:
            rendered = [render_value(scenario[name]) for scenario in maps if name in scenario]
            self.possible[name] = len(set(rendered))
            self.default[name] = _most_of(rendered)


def _most_of(values: list[str]) -> str | None:
    """The value seen in more than half of ``values``, if one is."""
    from collections import Counter

    value, seen = Counter(values).most_common(1)[0]
    return value if seen * 2 > len(values) else None


def _only_at_its_default(name: str, chosen: list, choices: _Choices) -> bool:
    """When each parameter was varied on its own, the others sat at their defaults: a value
    seen in most choices is that default and says nothing about when the finding holds."""
    from armlint.checks.engine import render_value

    return len(chosen) == 1 and render_value(chosen[0]) == choices.default[name]


def _scenario_key(record: VmRecord) -> tuple[str, str, str]:
    return (record.path, record.identity, record.parameter_file)


def _discriminating(firing: list, choices: _Choices) -> str:
    """Only the parameters whose choice matters: 'patchMode='Manual'' rather than every choice."""
    from armlint.checks.engine import render_value

    parts = []
    firing_maps = [dict(scenario) for scenario in firing]
    for name in choices.names:
        chosen = list(dict.fromkeys(s[name] for s in firing_maps if name in s))
        if _only_at_its_default(name, chosen, choices):
            continue
        if chosen and len(chosen) < choices.possible[name]:
            values = ", ".join(render_value(value) for value in chosen)
            parts.append(f"{name}={values}" if len(chosen) == 1 else f"{name} in ({values})")
    return ", ".join(parts) or "some allowedValues choices"


def _merge(result: RunResult | LoadResult, loaded: RunResult | LoadResult) -> None:
    result.records.extend(loaded.records)
    result.findings.extend(loaded.findings)
    result.files.extend(loaded.files)
    result.notes.extend(loaded.notes)
    if isinstance(result, LoadResult) and isinstance(loaded, LoadResult):
        # A unit's (``_load_unit``); a run's result keeps none: its units' cache entries do.
        result.dependencies.extend(loaded.dependencies)


def _guarded(label: str, files: list[Path], load: Callable[[], LoadResult]) -> LoadResult:
    """A loader failure is reported for its files, never as a traceback that stops the run."""
    try:
        return load()
    except Exception as error:
        return LoadResult.failed(label, files, error)


def internal_error_finding(path: str, message: str) -> Finding:
    """AZP001 at 1:1, so a run whose only file failed inside armlint does not pass."""
    from armlint.arm.loader import parse_error

    return parse_error(path, 1, 1, message)


def _load_terraform(tf_files: list[Path], plans: list, options: RunOptions) -> LoadResult:
    from armlint import terraform

    result = LoadResult()
    if tf_files:
        from pathlib import Path

        var_files = [Path(p) for p in options.var_files]
        _merge(
            result,
            _guarded(
                "Terraform",
                tf_files,
                lambda: terraform.load(tf_files, var_files, options.deployment),
            ),
        )
    for path in plans:
        _merge(result, _guarded("Terraform", [path], partial(terraform.load_plan, path)))
    return result


def image_support_checker(profile: str):
    """The planner's question 'is this image supported?', answered from the rule pack's tables."""
    from armlint.checks.derive import derive
    from armlint.checks.engine import facts_view
    from armlint.checks.tables import load_tables
    from armlint.model import Unknown

    tables = load_tables()

    def image_supported(record: VmRecord):
        derived = derive(facts_view(record), profile, tables)
        if derived.get("image_kind") == "custom":
            return False
        supported = derived.get("image_supported")
        if supported is None:
            return Unknown("the VM has no image reference armlint can see")
        return supported

    return image_supported
