"""Is a parsed result-cache entry well formed? The constraints of
schemas/cache-entry.schema.json, checked in plain Python.

An entry is untrusted input, so it is checked before use. jsonschema did it in about half of a
fully cached run (its import and a validator call per finding); these checks cost a few
isinstance calls per value. They accept nothing the schema refuses and are a little stricter
(an integer written as ``3.0``, a rule id followed by a newline): tests compare the two on
entries armlint writes and on fuzzed ones (tests/pipeline/test_cache_hits.py,
tests/hardening/test_fuzz_cache.py). Keep them in step with the schema.
"""

from __future__ import annotations

import re

FORMAT = 4  # the schema's "format" const; workunits._result_to writes it
_RULE = re.compile(r"AZP[0-9]{3}")
_STAMP = re.compile(r"[0-9a-f]{64}")
_TOP = {"format", "files", "findings", "notes", "resources", "dependencies"}
_FILE = {"path", "kind", "status", "reason"}
_LOCATION = {"path", "line", "column", "end_line", "end_column"}
_FINDING = {
    "rule",
    "name",
    "severity",
    "message",
    "location",
    "resource",
    "provenance",
    "fingerprint",
    "suppressed",
}
# The keys a finding or an entry may have besides the required ones, made once: a set union
# per check was a share of a fully cached run's lookups.
_FINDING_ALLOWED = _FINDING | {"scenario", "parameter_file", "fix"}
_TOP_ALLOWED = _TOP | {"stamp"}
_FIX = {"title", "applicability", "edits"}
_EDIT = {"path", "start", "end", "new_text", "location"}


def well_formed(entry: object) -> bool:
    if not isinstance(entry, dict) or not _keys(entry, _TOP, _TOP_ALLOWED):
        return False
    stamp = entry.get("stamp", "0" * 64)
    return (
        _is_int(entry["format"])
        and entry["format"] == FORMAT
        and isinstance(stamp, str)
        and _STAMP.fullmatch(stamp) is not None
        and _all(entry["files"], _file)
        and _all(entry["findings"], _finding)
        and _all(entry["notes"], _is_str)
        and _all(entry["resources"], lambda pair: _pair(pair, _is_str))
        and _all(entry["dependencies"], lambda pair: _pair(pair, _str_or_none))
    )


def _keys(value: dict, required: set[str], allowed: set[str] | None = None) -> bool:
    """``value`` has every ``required`` key and none but the ``allowed`` (or required) ones."""
    keys = value.keys()
    if allowed is None:
        return keys == required
    return required <= keys and keys <= allowed


def _all(value: object, check) -> bool:
    return isinstance(value, list) and all(check(item) for item in value)


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _str_or_none(value: object) -> bool:
    return value is None or isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: object) -> bool:
    return _is_int(value) and value >= 0  # type: ignore[operator]


def _pair(value: object, second) -> bool:
    return isinstance(value, list) and len(value) == 2 and _is_str(value[0]) and second(value[1])


def _file(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _keys(value, _FILE)
        and _is_str(value["path"])
        and _is_str(value["kind"])
        and value["status"] in ("linted", "skipped", "error")
        and _is_str(value["reason"])
    )


def _location(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _keys(value, _LOCATION)
        and _is_str(value["path"])
        and all(_count(value[name]) for name in ("line", "column", "end_line", "end_column"))
    )


def _finding(value: object) -> bool:
    if not isinstance(value, dict) or not _keys(value, _FINDING, _FINDING_ALLOWED):
        return False
    texts = ("name", "message", "resource", "fingerprint", "suppressed")
    return (
        _is_str(value["rule"])
        and _RULE.fullmatch(value["rule"]) is not None
        and value["severity"] in ("error", "warning", "info", "")
        and all(_is_str(value[name]) for name in texts)
        and _location(value["location"])
        and _all(value["provenance"], _is_str)
        and all(_is_str(value[name]) for name in ("scenario", "parameter_file") if name in value)
        and (value.get("fix") is None or _fix(value["fix"]))
    )


def _fix(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _keys(value, _FIX)
        and _is_str(value["title"])
        and value["applicability"] in ("safe", "unsafe")
        and _all(value["edits"], _edit)
    )


def _edit(value: object) -> bool:
    return (
        isinstance(value, dict)
        and _keys(value, _EDIT)
        and _is_str(value["path"])
        and _count(value["start"])
        and _count(value["end"])
        and _is_str(value["new_text"])
        and (value["location"] is None or _location(value["location"]))
    )
