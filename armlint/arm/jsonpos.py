"""A JSON reader that keeps the position of every key and value.

It accepts what Azure accepts: a UTF-8 byte-order mark, CRLF, ``//`` and ``/* */`` comments.
Objects and arrays stay plain ``dict`` and ``list`` subclasses (as in cfn-lint), so the rest of
armlint handles them like ordinary values; each container also records the spans of its
children, because booleans, numbers and ``None`` cannot carry a position themselves.
Spans are character offsets; ``SourceText.location`` turns them into lines and columns lazily.
"""

from __future__ import annotations

import gc
import re
from bisect import bisect_right
from json.decoder import scanstring  # type: ignore[attr-defined]  # not in typeshed

from armlint.model import Location

MAX_DEPTH = 200  # two Python frames per level must stay inside the recursion limit

_SKIP = re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.S)
_NUMBER = re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_GAP_START = frozenset(" \t\n\r/")
# The common member: a property name without escapes, then the colon. One regex call reads
# what would otherwise take a string scan and two skips; anything else takes the general path.
_PLAIN_KEY = re.compile(r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*')
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between members or items, without comments


class JsonError(ValueError):
    """A syntax error, with the character offset where it was found."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class SourceText:
    """The text of one file and the means to turn offsets into lines and columns."""

    __slots__ = ("path", "text", "_line_starts", "duplicates", "_locations")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self._line_starts: list[int] | None = None
        # Locations are immutable; exploring asks for the same ones once per combination.
        self._locations: dict[tuple[int, int], Location] = {}
        self.duplicates: list[tuple[str, tuple[int, int], tuple[int, int]]] = []

    def _starts(self) -> list[int]:
        if self._line_starts is None:
            starts = [0]
            find = self.text.find
            pos = find("\n")
            while pos != -1:
                starts.append(pos + 1)
                pos = find("\n", pos + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        starts = self._starts()
        index = bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def location(self, span: tuple[int, int]) -> Location:
        known = self._locations.get(span)
        if known is None:
            known = self._locations[span] = self._new_location(span)
        return known

    def _new_location(self, span: tuple[int, int]) -> Location:
        # line_col twice, inlined: findings and facts ask for hundreds of thousands of these
        starts = self._line_starts or self._starts()
        start, end = span
        line = bisect_right(starts, start)
        end_line = bisect_right(starts, end, line - 1) if end > start else line
        return Location(
            self.path,
            line,
            start - starts[line - 1] + 1,
            end_line,
            max(end, start) - starts[end_line - 1] + 1,
        )


class JsonObject(dict):
    """A JSON object that knows where it and each of its keys and values are."""

    __slots__ = ("src", "span", "key_spans", "value_spans")
    src: SourceText
    span: tuple[int, int]
    key_spans: dict[str, tuple[int, int]]
    value_spans: dict[str, tuple[int, int]]

    def location(self) -> Location:
        return self.src.location(self.span)

    def key_location(self, key: str) -> Location:
        return self.src.location(self.key_spans[key])

    def value_location(self, key: str) -> Location:
        return self.src.location(self.value_spans[key])

    def __deepcopy__(self, memo):  # keep positions through copies
        clone = JsonObject()
        for key, value in self.items():
            clone[key] = _deepcopy(value, memo)
        _copy_meta(self, clone)
        return clone


class JsonArray(list):
    """A JSON array that knows where it and each of its items are."""

    __slots__ = ("src", "span", "item_spans")
    src: SourceText
    span: tuple[int, int]
    item_spans: list[tuple[int, int]]

    def location(self) -> Location:
        return self.src.location(self.span)

    def item_location(self, index: int) -> Location:
        return self.src.location(self.item_spans[index])

    def __deepcopy__(self, memo):
        clone = JsonArray(_deepcopy(v, memo) for v in self)
        clone.src, clone.span, clone.item_spans = self.src, self.span, self.item_spans
        return clone


def _deepcopy(value, memo):
    from copy import deepcopy

    return deepcopy(value, memo)


def _copy_meta(source: JsonObject, target: JsonObject) -> None:
    target.src = source.src
    target.span = source.span
    target.key_spans = source.key_spans
    target.value_spans = source.value_spans


def decode_bytes(data: bytes) -> str:
    """Bytes to text the way Azure reads templates: UTF-8 with an optional BOM; UTF-16 with BOM."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        # UTF-32's mark starts like UTF-16's: say what it is rather than fail on a NUL later.
        raise UnicodeDecodeError("utf-32", data, 0, 4, "UTF-32 text; save the file as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return data.decode("utf-8-sig")


def parse(text: str, path: str = "<string>") -> tuple[object, SourceText]:
    """Parse JSON text; raise JsonError with an offset on the first syntax error."""
    src = SourceText(path, text)
    collecting = gc.isenabled()
    # A parse allocates only acyclic containers; cyclic garbage collection during it would only
    # traverse them again and again (about 15% of the parse time).
    gc.disable()
    try:
        value = _Parser(src).document()
    finally:
        if collecting:
            gc.enable()
    return value, src


class _Parser:
    __slots__ = ("src", "text", "length")

    def __init__(self, src: SourceText) -> None:
        self.src = src
        self.text = src.text
        self.length = len(src.text)

    def skip(self, pos: int) -> int:
        """The position of the next token after whitespace and comments."""
        text = self.text
        if pos >= self.length or text[pos] not in _GAP_START:
            return pos  # most tokens follow each other directly
        end = _SKIP.match(text, pos).end()  # type: ignore[union-attr]  # matches even ""
        if text.startswith("/*", end):  # complete comments were skipped: this one never ends
            raise JsonError("unterminated /* comment", end)
        return end

    def document(self) -> object:
        pos = self.skip(0)
        if pos >= self.length:
            raise JsonError("the file is empty (no JSON value)", pos)
        value, end = self.value(pos, 0)
        end = self.skip(end)
        if end != self.length:
            raise JsonError("extra data after the JSON value", end)
        return value

    def value(self, pos: int, depth: int) -> tuple[object, int]:
        text = self.text
        if pos >= self.length:
            raise JsonError("unexpected end of file, expected a value", pos)
        char = text[pos]
        if char == '"':
            try:
                return scanstring(text, pos + 1, True)
            except ValueError:
                return self.string(pos)  # raises the JsonError
        if char == "{":
            return self.object(pos, depth + 1)
        if char == "[":
            return self.array(pos, depth + 1)
        if text.startswith("true", pos):
            return True, pos + 4
        if text.startswith("false", pos):
            return False, pos + 5
        if text.startswith("null", pos):
            return None, pos + 4
        match = _NUMBER.match(text, pos)
        if match:
            integer, fraction, exponent = match.groups()
            if fraction or exponent:
                return float(integer + (fraction or "") + (exponent or "")), match.end()
            return self.integer(integer, pos), match.end()
        for word in ("NaN", "Infinity", "-Infinity"):
            if text.startswith(word, pos):
                raise JsonError(f"{word} is not valid JSON", pos)
        raise JsonError(f"expected a value, found {text[pos]!r}", pos)

    @staticmethod
    def integer(digits: str, pos: int) -> int:
        try:
            return int(digits)
        except ValueError:  # Python refuses to convert more than 4300 digits (CVE-2020-10735)
            raise JsonError(f"number with {len(digits)} digits is too long", pos) from None

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return scanstring(self.text, pos + 1, True)
        except ValueError as error:
            offset = getattr(error, "pos", pos)
            message = getattr(error, "msg", str(error))
            raise JsonError(message[0].lower() + message[1:], offset) from None

    def object(self, start: int, depth: int) -> tuple[JsonObject, int]:
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH} levels", start)
        obj = JsonObject()
        key_spans: dict[str, tuple[int, int]] = {}
        value_spans: dict[str, tuple[int, int]] = {}
        obj.src, obj.key_spans, obj.value_spans = self.src, key_spans, value_spans
        text = self.text
        pos = self.skip(start + 1)
        if pos < self.length and text[pos] == "}":
            obj.span = (start, pos + 1)
            return obj, pos + 1
        while True:
            plain = _PLAIN_KEY.match(text, pos)
            if plain is not None:
                key, key_span = plain.group(1), (pos, plain.end(1) + 1)
                value_start = self.skip(plain.end())
            else:
                key, key_span, value_start = self.member_start(pos)
            value, value_end = self.value(value_start, depth)
            if key in key_spans:
                self.src.duplicates.append((key, key_spans[key], key_span))
            obj[key] = value
            key_spans[key] = key_span
            value_spans[key] = (value_start, value_end)
            comma = _COMMA.match(text, value_end)
            if comma is not None:
                pos = self.skip(comma.end())
                continue
            pos = self.skip(value_end)
            if pos < self.length and text[pos] == ",":
                pos = self.skip(pos + 1)
                continue
            if pos < self.length and text[pos] == "}":
                obj.span = (start, pos + 1)
                return obj, pos + 1
            raise JsonError("expected ',' or '}' after a property value", pos)

    def member_start(self, pos: int) -> tuple[str, tuple[int, int], int]:
        """A property name with escapes or comments around it: name, its span, value start."""
        text = self.text
        if pos >= self.length or text[pos] != '"':
            raise JsonError("expected a property name in double quotes", pos)
        key, key_end = self.string(pos)
        colon = self.skip(key_end)
        if colon >= self.length or text[colon] != ":":
            raise JsonError("expected ':' after a property name", colon)
        return key, (pos, key_end), self.skip(colon + 1)

    def array(self, start: int, depth: int) -> tuple[JsonArray, int]:
        if depth > MAX_DEPTH:
            raise JsonError(f"nesting deeper than {MAX_DEPTH} levels", start)
        arr = JsonArray()
        spans: list[tuple[int, int]] = []
        arr.src, arr.item_spans = self.src, spans
        text = self.text
        pos = self.skip(start + 1)
        if pos < self.length and text[pos] == "]":
            arr.span = (start, pos + 1)
            return arr, pos + 1
        while True:
            value, end = self.value(pos, depth)
            arr.append(value)
            spans.append((pos, end))
            comma = _COMMA.match(text, end)
            if comma is not None:
                pos = self.skip(comma.end())
                continue
            pos = self.skip(end)
            if pos < self.length and text[pos] == ",":
                pos = self.skip(pos + 1)
                continue
            if pos < self.length and text[pos] == "]":
                arr.span = (start, pos + 1)
                return arr, pos + 1
            raise JsonError("expected ',' or ']' after an array item", pos)


def get_ci(obj: dict, key: str):
    """Look a property up the way ARM does: case-insensitively. Returns (actual_key, value)."""
    if key in obj:
        return key, obj[key]
    lowered = key.lower()
    for actual, value in obj.items():
        if actual.lower() == lowered:
            return actual, value
    return None, None
