"""Text edits on the original file text: offsets from locations, literals per format, and the
insertion of a property into an object while keeping the surrounding layout."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache

from armlint.model import Location, TextEdit


@lru_cache(maxsize=8)
def line_starts(text: str) -> tuple[int, ...]:
    """The offset of each line; kept for the last few texts: the fixes of one file ask for
    them once per finding, and a large template has tens of thousands of lines."""
    starts = [0]
    pos = text.find("\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return tuple(starts)


def offset_of(starts: Sequence[int], line: int, column: int) -> int:
    """Lines and columns are 1-based and count characters, as every ``Location`` does."""
    return starts[line - 1] + column - 1


def span_of(text: str, location: Location) -> tuple[int, int]:
    starts = line_starts(text)
    start = offset_of(starts, location.line, location.column)
    end_line = location.end_line or location.line
    end = offset_of(starts, end_line, location.end_column or location.column)
    return start, max(start, end)


def literal(value: object, file_format: str, like: str = "") -> str:
    """A value as the file's language writes it; a string keeps the quote of ``like``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        quote = "'" if file_format == "bicep" or like.startswith("'") else '"'
        return f"{quote}{value}{quote}"
    return str(value)


def edit(path: str, text: str, start: int, end: int, new_text: str) -> TextEdit:
    """An edit with its span also as lines and columns (1-based, end exclusive)."""
    starts = line_starts(text)
    line = bisect_right(starts, start)
    end_line = bisect_right(starts, end)
    where = Location(
        path, line, start - starts[line - 1] + 1, end_line, end - starts[end_line - 1] + 1
    )
    return TextEdit(path, start, end, new_text, where)


def _indent_of_line(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    match = re.match(r"[ \t]*", text[line_start:])
    return match.group(0) if match else ""


def _child_indent(text: str, open_at: int, close_at: int, fallback_step: str) -> str:
    """The indentation of the object's first member line, else the object's own plus a step."""
    inner = text[open_at + 1 : close_at]
    for line in inner.split("\n")[1:]:
        stripped = line.lstrip(" \t")
        if stripped and not stripped.startswith(("}", "]", ")")):
            return line[: len(line) - len(stripped)]
    return _indent_of_line(text, open_at) + fallback_step


def insert_member(
    path: str, text: str, location: Location, name: str, value: str, file_format: str
) -> TextEdit | None:
    """Insert ``name: value`` as the first member of the object (or HCL block) at ``location``.

    The object's opening brace is at the location's start. A member goes first so that no
    trailing comma has to be found; a multi-line object gets its own line with the indentation of
    its members, a one-line object stays on one line.
    """
    open_at, close_at = span_of(text, location)
    open_at = text.find("{", open_at, close_at if close_at > open_at else len(text))
    if open_at == -1:
        return None
    close_at = text.rfind("}", open_at, close_at if close_at > open_at else len(text))
    if close_at == -1:
        return None
    body = text[open_at + 1 : close_at]
    empty = not body.strip()
    member = _member(name, value, file_format)
    if "\n" not in body:  # a one-line object: `{ "a": 1 }` becomes `{ "x": v, "a": 1 }`
        if file_format != "arm":
            return None  # Bicep and HCL need a line per member
        if empty:
            return edit(
                text=text, path=path, start=open_at + 1, end=close_at, new_text=f" {member} "
            )
        lead = len(body) - len(body.lstrip(" \t"))
        at = open_at + 1 + lead
        return edit(path, text, at, at, f"{member}, ")
    newline = "\r\n" if "\r\n" in text else "\n"
    indent = _child_indent(text, open_at, close_at, "  ")
    separator = "," if file_format == "arm" and not empty else ""
    line_end = text.find("\n", open_at)
    # The member line goes right after the line holding the brace.
    insert_at = line_end + 1
    return edit(path, text, insert_at, insert_at, f"{indent}{member}{separator}{newline}")


def insert_after_line(
    path: str, text: str, location: Location, name: str, value: str, file_format: str
) -> TextEdit:
    """Insert ``name = value`` on its own line after the line of ``location`` (a sibling member),
    with that line's indentation: the new setting sits beside the one it belongs with."""
    start, _end = span_of(text, location)
    line_end = text.find("\n", start)
    newline = "\r\n" if "\r\n" in text else "\n"
    at = len(text) if line_end == -1 else line_end + 1
    member = _member(name, value, file_format)
    return edit(path, text, at, at, f"{_indent_of_line(text, start)}{member}{newline}")


def _member(name: str, value: str, file_format: str) -> str:
    if file_format == "arm":
        return f'"{name}": {value}'
    if file_format == "bicep":
        return f"{name}: {value}"
    return f"{name} = {value}"


def key_before(text: str, offset: int) -> str | None:
    """The property name that an object at ``offset`` is the value of (JSON, Bicep or HCL)."""
    head = text[max(0, offset - 200) : offset]
    match = re.search(r"""["']?([A-Za-z_][A-Za-z0-9_]*)["']?\s*[:=]?\s*$""", head)
    return match.group(1) if match else None


def apply_edits(text: str, edits: list[TextEdit]) -> str | None:
    """Splice non-overlapping edits (from the end, so offsets stay right); None on an overlap."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end), reverse=True)
    result = text
    previous_start = len(text) + 1
    for edit in ordered:
        if edit.end > previous_start:
            return None
        result = result[: edit.start] + edit.new_text + result[edit.end :]
        previous_start = edit.start
    return result


def remove_member(path: str, text: str, value: Location, file_format: str) -> TextEdit | None:
    """Remove the member (``"key": value``, ``key: value`` or ``key = value``) whose value spans
    ``value``, with the comma that separated it in JSON and Bicep one-line objects.

    A member alone on its line(s) goes with its whole lines, so the siblings keep their
    indentation; in JSON the comma after the previous member goes too when the removed member
    was the last one. None when the text around the value is not a plain member (a trailing
    comment, a second member on the same line): the fix is then not offered.
    """
    start, end = span_of(text, value)
    key_start = _key_start(text, start, "=" if file_format == "terraform" else ":")
    if key_start is None:
        return None
    line_start = text.rfind("\n", 0, key_start) + 1
    after = _skip_blanks(text, end)
    trailing_comma = after < len(text) and text[after] == ","
    rest_at = _skip_blanks(text, after + 1) if trailing_comma else after
    own_line = not text[line_start:key_start].strip() and (
        rest_at >= len(text) or text[rest_at] in "\r\n"
    )
    if own_line:
        line_end = text.find("\n", rest_at)
        cut_end = len(text) if line_end == -1 else line_end + 1
        if file_format != "arm" or trailing_comma:
            return edit(path, text, line_start, cut_end, "")
        return _remove_last_json_line(path, text, line_start, cut_end)
    if file_format == "terraform":
        return None  # HCL members are a line each
    if trailing_comma:  # `{ "a": 1, "b": 2 }` -> `{ "b": 2 }`
        return edit(path, text, key_start, rest_at, "")
    before = _skip_blanks_back(text, key_start)
    if before > 0 and text[before - 1] == ",":  # `{ "a": 1, "b": 2 }` -> `{ "a": 1 }`
        return edit(path, text, before - 1, end, "")
    return None


def rename_key(path: str, text: str, value: Location, old: str, new: str) -> TextEdit | None:
    """Rename the HCL argument whose value spans ``value``; the ``=`` keeps its column (the
    alignment ``terraform fmt`` writes) unless the longer name leaves no room for it."""
    start, _end = span_of(text, value)
    key_start = _key_start(text, start, "=")
    if key_start is None or text[key_start : key_start + len(old)] != old:
        return None
    equals = text.find("=", key_start + len(old))
    padding = max(1, equals - key_start - len(new))
    return edit(path, text, key_start, equals, new + " " * padding)


def _remove_last_json_line(path: str, text: str, line_start: int, cut_end: int) -> TextEdit | None:
    """The last member of a JSON object: its lines go, and so does the previous member's comma
    (a previous line ending in a comment or anything but a comma or an opening brace: None)."""
    before = _skip_blanks_back(text, line_start)
    if before == 0:
        return None
    previous = text[before - 1]
    if previous in "{[":
        return edit(path, text, line_start, cut_end, "")
    if previous != ",":
        return None
    # One edit from the comma to the end of the removed lines: the previous line keeps its end.
    kept_end = text[before:line_start]
    return edit(path, text, before - 1, cut_end, kept_end)


def _key_start(text: str, value_start: int, separator: str) -> int | None:
    """Where the key of the member whose value starts at ``value_start`` begins."""
    at = _skip_blanks_back(text, value_start)
    if at == 0 or text[at - 1] != separator:
        return None
    at = _skip_blanks_back(text, at - 1)
    if at > 0 and text[at - 1] in "\"'":
        opening = text.rfind(text[at - 1], 0, at - 1)
        return None if opening == -1 else opening
    match = re.search(r"[A-Za-z_][A-Za-z0-9_-]*$", text[max(0, at - 200) : at])
    return None if match is None else at - len(match.group(0))


def _skip_blanks(text: str, at: int) -> int:
    while at < len(text) and text[at] in " \t":
        at += 1
    return at


def _skip_blanks_back(text: str, at: int) -> int:
    while at > 0 and text[at - 1] in " \t\r\n":
        at -= 1
    return at
