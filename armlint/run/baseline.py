"""A baseline: today's findings, recorded so that a CI gate fails only on new ones.

Findings are keyed by a fingerprint that survives moving code: ``finding.fingerprint`` when the
check set one (file, resource identity, rule and property; never a line number), otherwise a
hash of the path, the rule and the message with its numbers taken out. The file is JSON::

    {"version": 1, "armlint_version": "0.1.0",
     "entries": [{"fingerprint": "...", "rule": "AZP102", "path": "vm.json",
                  "resource": "Microsoft.Compute/virtualMachines/app-01", "message": "..."}]}

Only ``fingerprint`` is used for matching; the other fields are for the people reviewing it.
Entries are sorted and carry no date, so re-writing an unchanged baseline changes nothing.
Suppression hygiene (AZP901, AZP902) is never recorded: an expired or unused suppression must
come back, not be accepted.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable

from armlint.model import Finding, RunResult

BASELINE_VERSION = 1
BASELINE_REASON = "baseline"  # the SARIF report maps reasons starting with this to 'external'
NEVER_BASELINED = frozenset({"AZP901", "AZP902"})
UNKNOWN_RULE = "AZP002"
STALE_LISTED = 5  # stale entries named in the note; the rest are counted

_NUMBERS = re.compile(r"\d+")


class BaselineError(Exception):
    """A baseline file that is missing or unreadable: one line, exit code 2."""


def finding_fingerprint(finding: Finding) -> str:
    """The key a finding is recorded and matched by."""
    if finding.fingerprint:
        return finding.fingerprint
    # Line numbers inside messages ("lines 3 and 7") must not break the match when code moves.
    text = "|".join(
        [_portable(finding.location.path), finding.rule, _NUMBERS.sub("#", finding.text)]
    )
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def write_baseline(result: RunResult, path: str | os.PathLike[str]) -> int:
    """Record the run's active findings in ``path`` (atomically); returns the entry count."""
    from armlint import __version__
    from armlint.report import write_atomic

    entries = _entries(result.active_findings())
    document = {"version": BASELINE_VERSION, "armlint_version": __version__, "entries": entries}
    write_atomic(path, json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    return len(entries)


def _entries(findings: Iterable[Finding]) -> list[dict[str, str]]:
    entries: dict[str, dict[str, str]] = {}
    for finding in findings:
        if finding.rule in NEVER_BASELINED:
            continue
        fingerprint = finding_fingerprint(finding)
        entries.setdefault(
            fingerprint,
            {
                "fingerprint": fingerprint,
                "rule": finding.rule,
                "path": _portable(finding.location.path),
                "resource": finding.resource,
                "message": finding.text,
            },
        )
    return sorted(entries.values(), key=lambda e: (e["path"], e["rule"], e["fingerprint"]))


def apply_baseline(
    result: RunResult, path: str | os.PathLike[str], *, enabled: set[str] | None = None
) -> list[str]:
    """Mark findings recorded in the baseline as suppressed ('baseline'), in place.

    Returns notes about entries that no longer match. Only entries this run could have matched
    count as stale: their file was checked (a shard or a narrower path leaves others alone) and
    their rule was run (``enabled``, None meaning every rule) and listed.
    """
    entries = read_baseline(path)
    known = {entry["fingerprint"] for entry in entries}
    matched: set[str] = set()
    for finding in result.findings:
        if finding.rule in NEVER_BASELINED:
            continue
        fingerprint = finding_fingerprint(finding)
        if fingerprint in known:
            matched.add(fingerprint)  # an inline suppression may have got there first
            if not finding.suppressed:
                finding.suppressed = BASELINE_REASON
    could_match = _could_match(result, enabled)
    stale = [e for e in entries if e["fingerprint"] not in matched and could_match(e)]
    return [_stale_note(stale, path)] if stale else []


def read_baseline(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    """The entries of a baseline file; BaselineError when it is missing or malformed."""
    from armlint.fileio import DEFAULT_CAP, read_regular

    try:
        text = read_regular(path, DEFAULT_CAP).decode("utf-8-sig")
    except FileNotFoundError:
        raise BaselineError(f"baseline file not found: {os.fspath(path)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise BaselineError(f"cannot read the baseline {os.fspath(path)}: {error}") from None
    try:
        document = json.loads(text)
    except ValueError as error:
        raise BaselineError(f"{os.fspath(path)}: not valid JSON: {error}") from None
    return _checked_entries(document, os.fspath(path))


def _checked_entries(document, name: str) -> list[dict[str, str]]:
    if not isinstance(document, dict) or not isinstance(document.get("entries"), list):
        raise BaselineError(f"{name}: not an armlint baseline (no 'entries' list)")
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(
            f"{name}: baseline version {document.get('version')!r} is not supported"
            f" (expected {BASELINE_VERSION}); write it again with this armlint"
        )
    for number, entry in enumerate(document["entries"], 1):
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("fingerprint"), str)
            and isinstance(entry.get("rule"), str)
            and isinstance(entry.get("path", ""), str)
        ):
            raise BaselineError(f"{name}: entry {number} needs string 'fingerprint' and 'rule'")
    return document["entries"]


def _could_match(result: RunResult, enabled: set[str] | None):
    checked_paths = {
        _portable(report.path) for report in result.files if report.status != "skipped"
    }
    checked_paths |= {_portable(f.location.path) for f in result.findings}
    unknowns_listed = any(f.rule == UNKNOWN_RULE for f in result.findings)

    def could_match(entry: dict[str, str]) -> bool:
        rule = entry["rule"]
        if rule == UNKNOWN_RULE and not unknowns_listed:
            return False  # unknown values are only listed with --show-unknown
        if enabled is not None and rule not in enabled and rule != UNKNOWN_RULE:
            return False
        return _portable(entry.get("path", "")) in checked_paths

    return could_match


def _stale_note(stale: list[dict[str, str]], path) -> str:
    named = [_describe(entry) for entry in stale[:STALE_LISTED]]
    if len(stale) > STALE_LISTED:
        named.append(f"and {len(stale) - STALE_LISTED} more")
    count = (
        "1 baseline entry no longer matches"
        if len(stale) == 1
        else f"{len(stale)} baseline entries no longer match"
    )
    return (
        f"{count}: {', '.join(named)}; the findings are fixed or gone, so write the baseline"
        f" {os.fspath(path)} again to drop them"
    )


def _describe(entry: dict[str, str]) -> str:
    where = entry.get("resource") or entry.get("path", "")
    return f"{entry['rule']} {where} ({entry.get('path', '')})"


def _portable(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/") if path else ""
