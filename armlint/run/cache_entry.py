"""Is a parsed result-cache entry well formed? The constraints of
schemas/cache-entry.schema.json, checked in plain Python.

An entry is untrusted input, so it is checked before use. jsonschema did it in about half of a
fully cached run (its import and a validator call per finding); these checks compare each
object's keys and the tuple of its members' types. They accept nothing the schema refuses and are a little stricter
(an integer written as ``3.0``, a rule id followed by a newline): tests compare the two on
entries armlint writes and on fuzzed ones (tests/pipeline/test_cache_hits.py,
tests/hardening/test_fuzz_cache.py). Keep them in step with the schema.
"""

from __future__ import annotations

from operator import itemgetter

from armlint.run.cache_pack import hex_digits_alone

FORMAT = 6  # the schema's "format" const; workunits._result_to writes it
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
_TOP_ALLOWED = _TOP | {"stamp", "unknowns"}
_FIX = {"title", "applicability", "edits"}
_EDIT = {"path", "start", "end", "new_text", "location"}
_STATUSES = ("linted", "skipped", "error")
_SEVERITIES = ("error", "warning", "info", "")
_JUST_TEXT = {str}
# Each object is checked with as few Python calls as can be, since these checks were most of a
# fully cached run's lookups: its keys compared with a set, and its members, taken in a fixed
# order, as one tuple of their exact types (``tuple(map(type, ...))``, all in C), so a bool is
# not taken for an integer.
_FILE_MEMBERS = itemgetter("path", "kind", "status", "reason")
_FILE_TYPES = (str, str, str, str)
_LOCATION_MEMBERS = itemgetter("path", "line", "column", "end_line", "end_column")
_LOCATION_TYPES = (str, int, int, int, int)
_LOCATION_NUMBERS = itemgetter("line", "column", "end_line", "end_column")
_FINDING_TEXTS = itemgetter(
    "rule", "name", "severity", "message", "resource", "fingerprint", "suppressed"
)
_FINDING_TEXT_TYPES = (str,) * 7
_FIX_MEMBERS = itemgetter("title", "applicability", "edits")
_FIX_TYPES = (str, str, list)
_EDIT_MEMBERS = itemgetter("path", "start", "end", "new_text")
_EDIT_TYPES = (str, int, int, str)
_PAIR_TYPES: set[tuple[type, ...]] = {(str, str)}
# A dependency's digest is None when it was absent, "unreadable" for a special file
# (workunits.dependency_digest).
_DEPENDENCY_TYPES: set[tuple[type, ...]] = {(str, str), (str, type(None))}


def well_formed(entry: object) -> bool:
    if type(entry) is not dict or not _TOP <= entry.keys() <= _TOP_ALLOWED:
        return False
    stamp = entry.get("stamp", "0" * 64)
    unknowns = entry.get("unknowns", 0)
    return (
        type(unknowns) is int
        and unknowns >= 0
        and type(entry["format"]) is int
        and entry["format"] == FORMAT
        and type(stamp) is str
        and len(stamp) == 64
        and hex_digits_alone(stamp)
        and _all(entry["files"], _file)
        and _all(entry["findings"], _finding)
        and _texts(entry["notes"])
        and _pairs(entry["resources"], _PAIR_TYPES)
        and _pairs(entry["dependencies"], _DEPENDENCY_TYPES)
    )


def _all(value: object, check) -> bool:
    return type(value) is list and all(map(check, value))


def _texts(value: object) -> bool:
    """A list of strings."""
    return type(value) is list and set(map(type, value)) <= _JUST_TEXT


def _pairs(value: object, types: set[tuple[type, ...]]) -> bool:
    """A list of lists whose items' types are one of ``types``."""
    if type(value) is not list or not all(type(pair) is list for pair in value):
        return False
    return {tuple(map(type, pair)) for pair in value} <= types


def _file(value: object) -> bool:
    return (
        type(value) is dict
        and value.keys() == _FILE
        and tuple(map(type, _FILE_MEMBERS(value))) == _FILE_TYPES
        and value["status"] in _STATUSES
    )


def _location(value: object) -> bool:
    return (
        type(value) is dict
        and value.keys() == _LOCATION
        and tuple(map(type, _LOCATION_MEMBERS(value))) == _LOCATION_TYPES
        and min(_LOCATION_NUMBERS(value)) >= 0
    )


def _finding(value: object) -> bool:
    if type(value) is not dict or not _FINDING <= value.keys() <= _FINDING_ALLOWED:
        return False
    optional = value.get("scenario", ""), value.get("parameter_file", "")
    return (
        tuple(map(type, _FINDING_TEXTS(value))) == _FINDING_TEXT_TYPES
        and _rule_id(value["rule"])
        and value["severity"] in _SEVERITIES
        and _location(value["location"])
        and _texts(value["provenance"])
        and set(map(type, optional)) == _JUST_TEXT
        and (value.get("fix") is None or _fix(value["fix"]))
    )


def _rule_id(text: str) -> bool:
    """``AZP[0-9]{3}`` exactly (no newline after it, as the schema's ``$`` would allow); on
    strings, since compiling that expression at import was a share of a fully cached run."""
    number = text[3:]
    return len(text) == 6 and text.startswith("AZP") and number.isascii() and number.isdigit()


def _fix(value: object) -> bool:
    return (
        type(value) is dict
        and value.keys() == _FIX
        and tuple(map(type, _FIX_MEMBERS(value))) == _FIX_TYPES
        and value["applicability"] in ("safe", "unsafe")
        and _all(value["edits"], _edit)
    )


def _edit(value: object) -> bool:
    return (
        type(value) is dict
        and value.keys() == _EDIT
        and tuple(map(type, _EDIT_MEMBERS(value))) == _EDIT_TYPES
        and min(value["start"], value["end"]) >= 0
        and (value["location"] is None or _location(value["location"]))
    )
