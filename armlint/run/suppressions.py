"""Inline suppressions: hide a finding on purpose, with a reason, and keep the hiding tidy.

Forms (every one needs a reason; ``until=YYYY-MM-DD`` anywhere in the reason sets an expiry):

* a comment on the finding's line or on the line before it::

      // armlint: ignore AZP102 legacy app, replaced in Q3 until=2027-01-01   (JSON, Bicep, HCL)
      # armlint: ignore AZP102,missing-vm-agent owned by team X               (Terraform)

* in an ARM template, a resource's (or the template's) ``metadata``; it covers every finding
  inside that resource's braces, nested deployments and child resources included::

      "metadata": {"armlint": {"ignore": {"AZP102": "reason", "AZP101,AZP104": "reason"}}}

Rules are named by id or by name, several separated by commas. A suppression suppresses
nothing, and is reported as AZP902, when it has no reason, names no known rule or has a
malformed date; it is reported as AZP901 (and suppresses nothing) once its date has passed,
and as AZP902 when a rule it names was run but found nothing there (ruff's RUF100).

Text is matched line by line. A ``/* ... */`` comment counts only on the line it starts on,
and Terraform heredocs and Bicep multi-line strings are not tracked: a line inside one that
looks like ``# armlint: ignore`` is taken as a comment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from operator import attrgetter

from armlint.model import Finding, Location, RunResult, Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from datetime import date

    from armlint.checks.pack import RulePack

EXPIRED_RULE = "AZP901"
UNUSED_RULE = "AZP902"
UNKNOWN_RULE = "AZP002"
LINE_END = 1 << 31  # a column past the end of any line: "the whole line"

ReadText = Callable[[str], str]
EnabledFor = Callable[[str], "set[str] | None"]
Checked = Callable[[str, str], bool]  # (path, rule id) -> was the rule run and listed there

# Compiled on first use (re caches them): most runs find no comment naming armlint.
_DIRECTIVE = r"(?s)armlint:\s*ignore\b(?P<rest>.*)"
_RULE_LIST = r"(?s)\s*(?P<rules>[\w.-]+(?:\s*,\s*[\w.-]+)*)(?P<reason>.*)"
_UNTIL = r"\buntil=(?P<date>\S*)"
_ISO_DATE = r"\d{4}-\d{2}-\d{2}\Z"

# Comment syntax per file extension: (string quote character, comment openers).
_JSON_SYNTAX = ('"', ("//", "/*"))
_HCL_SYNTAX = ('"', ("#", "//", "/*"))
_BICEP_SYNTAX = ("'", ("//", "/*"))
_SYNTAX_BY_SUFFIX = {
    ".json": _JSON_SYNTAX,
    ".jsonc": _JSON_SYNTAX,
    ".tf": _HCL_SYNTAX,
    ".tfvars": _HCL_SYNTAX,
    ".hcl": _HCL_SYNTAX,
    ".bicep": _BICEP_SYNTAX,
    ".bicepparam": _BICEP_SYNTAX,
}


def read_source(path: str) -> str:
    """The default reader: UTF-8 (a byte-order mark dropped), undecodable bytes replaced;
    a regular file only (armlint.fileio), so a FIFO is never opened for a comment scan."""
    from armlint.fileio import DEFAULT_CAP, decode_utf8, read_regular

    return decode_utf8(read_regular(path, DEFAULT_CAP), errors="replace")


class Suppression(Value):
    """One ``armlint: ignore`` comment or one ARM ``metadata`` ignore entry."""

    __slots__ = (
        "path",
        "line",  # where the suppression itself is written (AZP901/AZP902 point here)
        "column",
        "start",  # (line, column) range of the findings it covers, both inclusive
        "end",
        "written",  # the rule ids or names as written
        "reason",  # the reason as written, expiry included
        "rules",  # written name -> rule id
        "until",
        "problem",  # why it suppresses nothing at all; '' when it is well formed
        "unknown",  # names that are no rule (the known ones still work)
        "used",  # rule ids it matched a finding of
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        path: str,
        line: int,
        column: int,
        start: tuple[int, int],
        end: tuple[int, int],
        written: tuple[str, ...],
        reason: str,
        rules: dict[str, str] | None = None,
        until: date | None = None,
        problem: str = "",
        unknown: tuple[str, ...] = (),
        used: set[str] | None = None,
    ) -> None:
        self.path = path
        self.line = line
        self.column = column
        self.start = start
        self.end = end
        self.written = written
        self.reason = reason
        self.rules = {} if rules is None else rules
        self.until = until
        self.problem = problem
        self.unknown = unknown
        self.used = set() if used is None else used

    def expired(self, today: date) -> bool:
        return self.until is not None and self.until < today

    def active(self, today: date) -> bool:
        return not self.problem and not self.expired(today)

    def covers(self, finding: Finding) -> bool:
        where = finding.location
        return (
            _path_key(where.path) == _path_key(self.path)
            and finding.rule in self.rules.values()
            and self.start <= (where.line, where.column) <= self.end
        )

    def names(self) -> str:
        return ",".join(self.written) or "(no rule)"


# -- entry point --------------------------------------------------------------------------


def apply_suppressions(
    result: RunResult,
    today: date | None,
    *,
    enabled: set[str] | None = None,
    enabled_for: EnabledFor | None = None,
    severities: dict[str, str] | None = None,
    read_text: ReadText = read_source,
) -> None:
    """Mark suppressed findings in place and add AZP901/AZP902 for expired and unused ones.

    ``enabled`` is the set of rule ids the run reported (None: all); ``enabled_for(path)``,
    when given, refines it per file (per-file configuration). A suppression of a rule that was
    not run is never "unused". ``severities`` are rule id -> severity overrides, applied to the
    AZP901/AZP902 findings made here. Each file is read once, through ``read_text``.
    ``today`` None is the date today.
    """
    from armlint.checks.pack import load_pack

    pack = load_pack()
    suppressions = collect_suppressions(_paths_to_scan(result), pack, read_text)
    if not suppressions:
        return
    if today is None:
        from datetime import date  # most runs find no suppression (start-up)

        today = date.today()
    _match(result.findings, suppressions, today)
    checked = _checked_rules(result, enabled, enabled_for)
    hygiene = [
        _hygiene_finding(rule, message, suppression, pack, severities or {})
        for suppression in suppressions
        for rule, message in _problems(suppression, today, checked)
        if checked(suppression.path, rule)
    ]
    # A suppression may name AZP902 itself (ruff allows `noqa: RUF100` the same way).
    _match(hygiene, suppressions, today)
    result.findings = sorted(result.findings + hygiene, key=lambda f: f.sort_key)


# Files (by _path_key) that this run read for their cache keys and whose bytes hold no
# "armlint": the scan skips them rather than reading and decoding each file a second time.
# Set only for the gates of one run (``skipping``), and used only by the default reader.
_UNMENTIONED: set[str] = set()


class skipping:  # named as the function it was: ``with skipping(paths):``
    """While the block runs, the scan does not read ``paths``: their bytes, as the run read
    them for its cache keys, do not contain "armlint" (so they hold no suppression).

    A class, not ``contextlib.contextmanager``: importing contextlib was about 3 M instructions
    of every run's start-up (issue 16)."""

    def __init__(self, paths: Iterable[str]) -> None:
        self._paths = paths

    def __enter__(self) -> None:
        _UNMENTIONED.update(_path_key(path) for path in self._paths)

    def __exit__(self, *_exception: object) -> None:
        _UNMENTIONED.clear()


def collect_suppressions(
    paths: Iterable[str], pack: RulePack, read_text: ReadText = read_source
) -> list[Suppression]:
    """Every suppression written in ``paths``; a file that cannot be read has none."""
    found: list[Suppression] = []
    for path in paths:
        if read_text is read_source and _path_key(path) in _UNMENTIONED:
            continue  # the run read it for its cache key: no "armlint" in it
        try:
            text = read_text(path)
        except (OSError, ValueError):
            continue  # the loaders already reported an unreadable file
        if "armlint" not in text:
            continue  # most files: no need to look closer
        found.extend(comment_suppressions(path, text))
        if _syntax(path) is _JSON_SYNTAX and '"armlint"' in text.lower():
            found.extend(metadata_suppressions(path, text))
    for suppression in found:
        _resolve_rules(suppression, pack)
    return found


# -- comments -----------------------------------------------------------------------------


def comment_suppressions(path: str, text: str) -> list[Suppression]:
    """``armlint: ignore`` comments; each covers its own line and the line after it."""
    syntax = _syntax(path)
    if syntax is None:
        return []
    found = []
    for number, line in enumerate(text.split("\n"), 1):
        if "armlint" not in line:
            continue
        comment = _comment_in(line.rstrip("\r"), syntax)
        if comment is None:
            continue
        column, body = comment
        directive = re.search(_DIRECTIVE, body)
        if directive is None or body[: directive.start()].strip(" \t*/#") != "":
            continue  # a comment that merely mentions armlint
        rest = directive.group("rest")
        if body.startswith("/*"):
            rest = rest.split("*/", 1)[0]
        written, reason = _split_rules(rest)
        found.append(
            _suppression(path, number, column, (number, 1), (number + 1, LINE_END), written, reason)
        )
    return found


def _comment_in(line: str, syntax: tuple[str, tuple[str, ...]]) -> tuple[int, str] | None:
    """The (1-based column, text) of the comment on a line, skipping quoted strings."""
    quote, openers = syntax
    in_string = False
    index = 0
    while index < len(line):
        char = line[index]
        if in_string:
            if char == "\\":
                index += 2
                continue
            in_string = char != quote
        elif char == quote:
            in_string = True
        else:
            for opener in openers:
                if line.startswith(opener, index):
                    return index + 1, line[index:]
        index += 1
    return None


def _split_rules(rest: str) -> tuple[tuple[str, ...], str]:
    """'AZP102, AZP101 reason' -> (('AZP102', 'AZP101'), 'reason')."""
    match = re.match(_RULE_LIST, rest)
    if match is None or not rest[:1].isspace():
        return (), rest.strip()
    written = tuple(part.strip() for part in match.group("rules").split(","))
    return written, _clean_reason(match.group("reason"))


def _clean_reason(text: str) -> str:
    # People write "AZP102: reason" or "AZP102 -- reason"; the separator is not the reason.
    return text.strip().lstrip(":-\u2013\u2014").strip()


# -- ARM metadata -------------------------------------------------------------------------


def metadata_suppressions(path: str, text: str) -> list[Suppression]:
    """``metadata.armlint.ignore`` of the template and of every resource, at any depth."""
    from armlint.arm.jsonpos import JsonError, JsonObject, parse

    try:
        document, _ = parse(text, path)
    except (JsonError, RecursionError):
        return []  # the loader reports the syntax error (AZP001)
    if not isinstance(document, JsonObject):
        return []
    found = []
    for owner in [document, *_resources(document)]:
        found.extend(_metadata_entries(path, owner))
    return found


def _resources(template) -> Iterator:
    """Resources of a template: an array or a symbolic-name object; child resources and the
    resources of inline nested deployments included."""
    from armlint.arm.jsonpos import JsonObject, get_ci

    pending = [template]
    while pending:
        container = pending.pop()
        for resource in _items(get_ci(container, "resources")[1]):
            if not isinstance(resource, JsonObject):
                continue
            yield resource
            pending.append(resource)  # its child resources
            _, properties = get_ci(resource, "properties")
            if isinstance(properties, JsonObject):
                _, inner = get_ci(properties, "template")
                if isinstance(inner, JsonObject):
                    pending.append(inner)


def _items(value) -> list:
    if isinstance(value, dict):
        return list(value.values())
    return value if isinstance(value, list) else []


def _metadata_entries(path: str, owner) -> list[Suppression]:
    from armlint.arm.jsonpos import JsonObject, get_ci

    _, metadata = get_ci(owner, "metadata")
    if not isinstance(metadata, JsonObject):
        return []
    key, settings = get_ci(metadata, "armlint")
    if key is None:
        return []
    start, end = _span(owner)
    if not isinstance(settings, JsonObject) or not isinstance(
        get_ci(settings, "ignore")[1], JsonObject
    ):
        where = metadata.key_location(key)
        broken = _suppression(path, where.line, where.column, start, end, (), "")
        broken.problem = 'metadata.armlint must be {"ignore": {"RULE": "reason"}}'
        return [broken]
    _, ignore = get_ci(settings, "ignore")
    found = []
    for names, reason in ignore.items():
        where = ignore.key_location(names)
        written = tuple(part.strip() for part in names.split(",") if part.strip())
        text = reason.strip() if isinstance(reason, str) else ""
        found.append(_suppression(path, where.line, where.column, start, end, written, text))
    return found


def _span(owner) -> tuple[tuple[int, int], tuple[int, int]]:
    where: Location = owner.location()
    return (where.line, where.column), (where.end_line, where.end_column)


# -- building and resolving ---------------------------------------------------------------


def _suppression(path, line, column, start, end, written, reason) -> Suppression:
    suppression = Suppression(path, line, column, start, end, written, reason)
    until = re.search(_UNTIL, reason)
    if until is not None:
        text = until.group("date")
        try:
            if not re.match(_ISO_DATE, text):
                raise ValueError(text)
            from datetime import date  # only for an expiry date (start-up)

            suppression.until = date.fromisoformat(text)
        except ValueError:
            suppression.problem = (
                f"until={text} is not a date (YYYY-MM-DD), so this suppression of "
                f"{suppression.names()} suppresses nothing"
            )
    if not written:
        suppression.problem = (
            "the suppression names no rule: write `armlint: ignore AZP102 <reason>`"
        )
    elif not re.sub(_UNTIL, "", reason).strip():
        suppression.problem = (
            f"the suppression of {suppression.names()} has no reason, so it suppresses nothing; "
            f"a reason is required: `armlint: ignore {suppression.names()} <reason>`"
        )
    return suppression


def _resolve_rules(suppression: Suppression, pack: RulePack) -> None:
    """Ids and names to rule ids; prefixes are not accepted, a suppression names its rules."""
    names = pack.by_name()
    for written in suppression.written:
        rule_id = written.upper() if written.upper() in pack.rules else names.get(written)
        if rule_id is None:
            suppression.unknown += (written,)
        else:
            suppression.rules[written] = rule_id
    if suppression.unknown and not suppression.rules and not suppression.problem:
        suppression.problem = f"the suppression names no known rule: {_quoted(suppression.unknown)}"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


# -- matching and reporting ---------------------------------------------------------------


def _match(findings: list[Finding], suppressions: list[Suppression], today: date) -> None:
    by_path: dict[str, list[Suppression]] = {}
    for suppression in suppressions:
        if suppression.active(today):
            by_path.setdefault(_path_key(suppression.path), []).append(suppression)
    for finding in findings:
        for suppression in by_path.get(_path_key(finding.location.path), ()):
            if suppression.covers(finding):
                suppression.used.add(finding.rule)
                if not finding.suppressed:
                    finding.suppressed = suppression.reason


def _problems(suppression: Suppression, today: date, checked: Checked) -> list[tuple[str, str]]:
    """(rule, message) pairs for what is wrong with one suppression."""
    if suppression.problem:
        return [(UNUSED_RULE, suppression.problem)]
    if suppression.expired(today):
        return [
            (
                EXPIRED_RULE,
                f"the suppression of {suppression.names()} expired on {suppression.until}; "
                "the findings it hid are reported again until it is renewed with a reason "
                "or removed",
            )
        ]
    problems = []
    if suppression.unknown:
        listed = _quoted(suppression.unknown)
        problems.append((UNUSED_RULE, f"the suppression names no known rule: {listed}"))
    unused = [
        written
        for written, rule_id in suppression.rules.items()
        if rule_id not in suppression.used
        and rule_id not in (EXPIRED_RULE, UNUSED_RULE)
        and checked(suppression.path, rule_id)
    ]
    if unused:
        problems.append(
            (
                UNUSED_RULE,
                f"the suppression of {','.join(unused)} matches no finding; the problem is "
                "fixed or moved, so the suppression can go",
            )
        )
    return problems


def _checked_rules(
    result: RunResult, enabled: set[str] | None, enabled_for: EnabledFor | None
) -> Checked:
    """Whether a rule was run and listed for a file, so that finding nothing means something."""
    # Unknown values are counted but listed only with --show-unknown; when they are hidden,
    # a suppression of AZP002 cannot be judged.
    listed_unknowns = any(f.rule == UNKNOWN_RULE for f in result.findings)
    hidden = {UNKNOWN_RULE} if result.unknown_count and not listed_unknowns else set()

    def checked(path: str, rule_id: str) -> bool:
        if rule_id in hidden:
            return False
        rules = enabled_for(path) if enabled_for is not None else enabled
        return rules is None or rule_id in rules

    return checked


def _hygiene_finding(
    rule_id: str, message: str, suppression: Suppression, pack: RulePack, severities: dict
) -> Finding:
    import hashlib  # only with a finding: OpenSSL's import is a share of a clean run's start-up

    rule = pack.rules[rule_id]
    identity = f"{_portable(suppression.path)}|{rule_id}|{suppression.names()}|{suppression.reason}"
    return Finding(
        rule=rule_id,
        name=rule.name,
        severity=severities.get(rule_id, rule.severity),
        message=message,
        location=Location(suppression.path, suppression.line, suppression.column),
        # Line-free, so a baseline or a code-scanning alert follows the suppression when it moves.
        fingerprint=hashlib.sha1(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16],
    )


# -- paths --------------------------------------------------------------------------------


def _paths_to_scan(result: RunResult) -> list[str]:
    """Every file the run read or reported on, each once (a clean file may hold a stale
    suppression, which is exactly what AZP902 is for)."""
    paths: dict[str, str] = {}
    for report in result.files:
        if report.status != "skipped":
            paths.setdefault(_path_key(report.path), report.path)
    for finding in result.findings:
        paths.setdefault(_path_key(finding.location.path), finding.location.path)
    return [path for path in paths.values() if _syntax(path) is not None]


def _syntax(path: str) -> tuple[str, tuple[str, ...]] | None:
    return _SYNTAX_BY_SUFFIX.get(os.path.splitext(path)[1].lower())


def _path_key(path: str) -> str:
    return os.path.normcase(os.path.normpath(path))


def _portable(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/")
