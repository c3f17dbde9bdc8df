"""A JSON reader that keeps the position of every key and value.

It accepts what Azure accepts: a UTF-8 byte-order mark, CRLF, ``//`` and ``/* */`` comments.
Objects and arrays stay plain ``dict`` and ``list`` subclasses (as in cfn-lint), so the rest of
armlint handles them like ordinary values; each container also records the spans of its
children, because booleans, numbers and ``None`` cannot carry a position themselves.
Spans are character offsets; ``SourceText.location`` turns them into lines and columns lazily.

Two readers give the same values and the same spans. ``parse`` reads with the standard
library's C scanner (``json.loads``) and computes a container's spans only when something asks
for them (a finding, a trace, a fact's location: about one container in twenty in a template),
from its parent's, which are computed the same way; anything ``json.loads`` does not read the
way Azure does (comments, duplicate keys, NaN, too many digits, deep nesting) is read again by
the position-keeping parser (``parse_eager``), which reports it exactly as before.
"""

from __future__ import annotations

import gc
import json
import re
import sys
from functools import cache
from json.decoder import scanstring  # type: ignore[attr-defined]  # not in typeshed

from armlint.fileio import decode_utf8
from armlint.model import Location

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

MAX_DEPTH = 200  # two Python frames per level must stay inside the recursion limit
# A span computed on demand comes from reading the parent's children (their ends found by the C
# scanner), so a deep value's text is scanned once per level above it: the positions of a
# container this many levels down or more come from the eager parser's reading of the whole
# text (the corpus files nest 8 levels at the median, 29 at most; see _from_eager).
MAX_LAZY_DEPTH = 40
# Up to Python 3.11 json.loads's C scanner counts its nesting against the interpreter's
# recursion limit, which parse lowers to refuse nesting deeper than MAX_DEPTH without a Python
# step per container; from 3.12 on it has a C limit of its own (thousands of levels), so there
# the hook measures each container's height instead (README, s11-read).
_HEIGHTS = sys.version_info >= (3, 12)
_BLOCK = 1024  # characters per block of SourceText's line index

_GAP_START = frozenset(" \t\n\r/")
# The common member: a property name without escapes, then the colon. One regex call reads
# what would otherwise take a string scan and two skips; anything else takes the general path.
_PLAIN_NAME = r'"([^"\\\x00-\x1f]*)"[ \t\n\r]*:[ \t\n\r]*'
_PLAIN_KEY = re.compile(_PLAIN_NAME)
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*")  # between members or items, without comments
# The comma after a member and a plain next name, in one call: _Positioned reads the top levels
# member by member, and one regex call less per member saves more than 2% of the reading
# (README, s9-read). Compiling it costs every check about 1.1 M instructions of start-up, so
# the first name of an object is read with _PLAIN_KEY rather than with a third pattern.
_NEXT_NAME = re.compile(r"[ \t\n\r]*,[ \t\n\r]*" + _PLAIN_NAME)


class JsonError(ValueError):
    """A syntax error, with the character offset where it was found."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset


class SourceText:
    """The text of one file and the means to turn offsets into lines and columns."""

    __slots__ = ("path", "text", "_blocks", "duplicates", "_locations")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        # Per block of text: the newlines before it and the offset of the last one (-1: none),
        # for the blocks indexed so far (see _index_to).
        self._blocks: tuple[list[int], list[int]] = ([0], [-1])
        # Locations are immutable; exploring asks for the same ones once per combination.
        self._locations: dict[tuple[int, int], Location] = {}
        self.duplicates: list[tuple[str, tuple[int, int], tuple[int, int]]] = []

    def _index_to(self, block: int) -> None:
        """Index the blocks up to ``block``. A file asks for a few dozen positions, most of them
        near its top (the parameters and variables that traces name): indexing the whole file
        at the first ask cost 5% of evaluation, the offsets of all its lines more still (one
        Python step per line)."""
        counts, lasts = self._blocks
        text = self.text
        newlines, last = counts[-1], lasts[-1]
        for begin in range((len(counts) - 1) * _BLOCK, block * _BLOCK, _BLOCK):
            newlines += text.count("\n", begin, begin + _BLOCK)
            found = text.rfind("\n", begin, begin + _BLOCK)
            last = found if found != -1 else last
            counts.append(newlines)
            lasts.append(last)

    def line_col(self, offset: int) -> tuple[int, int]:
        counts, lasts = self._blocks
        block = offset // _BLOCK
        if block >= len(counts):
            self._index_to(block)
        begin = block * _BLOCK
        text = self.text
        line_start = text.rfind("\n", begin, offset)
        if line_start == -1:
            line_start = lasts[block]
        return counts[block] + text.count("\n", begin, offset) + 1, offset - line_start

    def location(self, span: tuple[int, int]) -> Location:
        known = self._locations.get(span)
        if known is None:
            known = self._locations[span] = self._new_location(span)
        return known

    def _new_location(self, span: tuple[int, int]) -> Location:
        start, end = span
        line, column = self.line_col(start)
        end_line, end_column = self.line_col(end) if end > start else (line, column)
        return Location(self.path, line, column, end_line, end_column)


class JsonObject(dict):
    """A JSON object that knows where it and each of its keys and values are."""

    # The spans live in private slots behind properties rather than behind ``__getattr__``:
    # a class with ``__getattr__`` makes every attribute and method look-up on its instances
    # (``obj.get``, ``obj.items``, ``obj.src``) take the interpreter's slow, unspecialised path,
    # and evaluation makes many more of those than it asks positions.
    __slots__ = ("_src", "_span", "_key_spans", "_value_spans", "_at")
    _src: SourceText
    _at: list  # where json.loads found it (see _position)

    @property
    def src(self) -> SourceText:
        try:
            return self._src
        except AttributeError:  # built by json.loads: found through its parents (_source_of)
            return _source_of(self)

    @src.setter
    def src(self, src: SourceText) -> None:
        self._src = src

    @property
    def span(self) -> tuple[int, int]:
        try:
            return self._span
        except AttributeError:  # not known yet: computed once, from where json.loads found it
            return _position(self, "_span")

    @span.setter
    def span(self, span: tuple[int, int]) -> None:
        self._span = span

    @property
    def key_spans(self) -> dict[str, tuple[int, int]]:
        try:
            return self._key_spans
        except AttributeError:
            return _position(self, "_key_spans")

    @key_spans.setter
    def key_spans(self, spans: dict[str, tuple[int, int]]) -> None:
        self._key_spans = spans

    @property
    def value_spans(self) -> dict[str, tuple[int, int]]:
        try:
            return self._value_spans
        except AttributeError:
            return _position(self, "_value_spans")

    @value_spans.setter
    def value_spans(self, spans: dict[str, tuple[int, int]]) -> None:
        self._value_spans = spans

    def key_span_of(self, key: str) -> tuple[int, int] | None:
        """The span of one member's name (None: no such member). When the spans were not
        computed yet, the text is read only as far as that member (see _member_span)."""
        try:
            return self._key_spans.get(key)
        except AttributeError:
            return _member_span(self, key, 0)

    def value_span_of(self, key: str) -> tuple[int, int] | None:
        """The span of one member's value (None: no such member); see key_span_of."""
        try:
            return self._value_spans.get(key)
        except AttributeError:
            return _member_span(self, key, 1)

    def location(self) -> Location:
        return self.src.location(self.span)

    def key_line(self, key: str) -> int:
        """The line of one member's name (KeyError: no such member), as a trace names it."""
        return self.src.line_col(_found(self.key_span_of(key), key)[0])[0]

    def key_location(self, key: str) -> Location:
        return self.src.location(_found(self.key_span_of(key), key))

    def value_location(self, key: str) -> Location:
        return self.src.location(_found(self.value_span_of(key), key))

    def __deepcopy__(self, memo):  # keep positions through copies
        clone = JsonObject()
        for key, value in self.items():
            clone[key] = _deepcopy(value, memo)
        copy_positions(self, clone)
        return clone


class JsonArray(list):
    """A JSON array that knows where it and each of its items are."""

    __slots__ = ("_src", "_span", "_item_spans", "_at")  # properties: see JsonObject
    _src: SourceText
    _at: list

    @property
    def src(self) -> SourceText:
        try:
            return self._src
        except AttributeError:
            return _source_of(self)

    @src.setter
    def src(self, src: SourceText) -> None:
        self._src = src

    @property
    def span(self) -> tuple[int, int]:
        try:
            return self._span
        except AttributeError:
            return _position(self, "_span")

    @span.setter
    def span(self, span: tuple[int, int]) -> None:
        self._span = span

    @property
    def item_spans(self) -> list[tuple[int, int]]:
        try:
            return self._item_spans
        except AttributeError:
            return _position(self, "_item_spans")

    @item_spans.setter
    def item_spans(self, spans: list[tuple[int, int]]) -> None:
        self._item_spans = spans

    def location(self) -> Location:
        return self.src.location(self.span)

    def item_location(self, index: int) -> Location:
        return self.src.location(self.item_spans[index])

    def __deepcopy__(self, memo):
        clone = JsonArray(_deepcopy(v, memo) for v in self)
        copy_positions(self, clone)
        return clone


def _deepcopy(value, memo):
    from copy import deepcopy

    return deepcopy(value, memo)


def copy_positions(source: JsonObject | JsonArray, target: JsonObject | JsonArray) -> None:
    """Give ``target`` (a copy of ``source`` with the same keys or items) the positions of
    ``source``: those it has, and the means to compute the others when asked."""
    names = _OBJECT_SLOTS if isinstance(source, JsonObject) else _ARRAY_SLOTS
    for name in names:  # the slots themselves: one not computed yet stays so, not computed here
        value = getattr(source, name, _UNSET)  # no exception raised in Python for an empty slot
        if value is not _UNSET:
            setattr(target, name, value)


# -- positions on demand for what json.loads built ------------------------------------------


# Where a container that json.loads built is, a list (cheaper to make than an object, and
# json.loads makes one per container): [UP, KEY, SPAN, CHILDREN, HEIGHT, NEXT]. UP is the
# parent's place (None: the document's value) and KEY the container's key or index there, set
# when the parent is made; HEIGHT the levels of containers from it down, itself included, kept
# only where json.loads's nesting needs it (_HEIGHTS). The rest is filled when asked: SPAN its
# own span; CHILDREN its children's spans read so far (an object's (key_spans, value_spans), an
# array's item_spans) and NEXT where the next child's text starts (DONE: all read). Children are
# read in order and only as far as asked: the span of the first resource does not need the text
# of the others. The document's place alone has a seventh item, SRC: its SourceText, and an
# eighth, EAGER, once a position MAX_LAZY_DEPTH levels down is asked: the eager parser's value.
# A place refers to no container of its tree, so the trees stay free of reference cycles and are
# freed as soon as they are dropped.
UP, KEY, SPAN, CHILDREN, HEIGHT, NEXT, SRC, EAGER = range(8)
DONE = -1


class _Unusual(Exception):
    """The text needs the eager parser: what json.loads reads differs from what Azure reads,
    or it nests deeper than MAX_DEPTH (found by the heights, see _HEIGHTS)."""


def _source_of(container: JsonObject | JsonArray) -> SourceText:
    """The text a container json.loads built comes from, kept in the document's place only
    and found through the parents' places (then kept on the container): storing it on every
    container cost 3 M instructions a run, and the hook that stored it needed a JSONDecoder
    per text (README, s10-read2), while about one container in twenty is ever asked."""
    try:
        place = container._at
    except AttributeError:  # built by the eager parser or by hand without a source
        raise AttributeError("src") from None
    while place[UP] is not None:
        place = place[UP]
    src = container._src = place[SRC]
    return src


def _position(container: JsonObject | JsonArray, slot: str) -> Any:
    """Compute the position kept in ``slot`` of a container json.loads built and keep it on it;
    AttributeError for a container built by hand without it."""
    try:
        place = container._at
    except AttributeError:  # built by the eager parser or by hand: positions were never set
        raise AttributeError(slot[1:]) from None
    if _deep(place):
        _from_eager(container, place)
        return getattr(container, slot)
    text = container.src.text
    if slot == "_span":
        container._span = _own_span(place, text)
    elif isinstance(container, JsonObject):
        container._key_spans, container._value_spans = _all_children(place, text)
    else:
        container._item_spans = _all_children(place, text)
    return getattr(container, slot)


def _deep(place: list) -> bool:
    """Whether a container sits MAX_LAZY_DEPTH levels down or more (its place's UP links
    counted when a position is asked: measuring every container's height as it was read cost
    3.5% of the reading, README s11-read)."""
    for _ in range(MAX_LAZY_DEPTH - 1):
        place = place[UP]
        if place is None:
            return False
    return True


def _from_eager(container: JsonObject | JsonArray, place: list) -> None:
    """Give a deep container the spans of its twin in the eager parser's reading of the whole
    text (read once per document, kept in the document's place): positions on demand would
    read the text once per level above it."""
    path = []
    while place[UP] is not None:
        path.append(place[KEY])
        place = place[UP]
    if len(place) == EAGER:
        src = place[SRC]
        place.append(parse_eager(src.text, src.path)[0])
    twin = place[EAGER]
    for key in reversed(path):
        twin = twin[key]
    if isinstance(container, JsonObject):
        container._span, container._key_spans = twin._span, twin._key_spans
        container._value_spans = twin._value_spans
    else:
        container._span, container._item_spans = twin._span, twin._item_spans


# The slots that hold positions, as copy_positions copies them: the source text, the place
# json.loads found the container at, and the spans computed so far.
_OBJECT_SLOTS = ("_src", "_at", "_span", "_key_spans", "_value_spans")
_ARRAY_SLOTS = ("_src", "_at", "_span", "_item_spans")
_UNSET = object()
_WHITESPACE = " \t\n\r"
_SPACE = re.compile(r"[ \t\n\r]*")
# json.loads's own scanner (C) without hooks: where a child value ends, at C speed.
_scan_value = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # not in typeshed


def _own_span(place: list, text: str) -> tuple[int, int]:
    if place[SPAN] is None:
        if place[UP] is None:
            start = _SPACE.match(text).end()  # type: ignore[union-attr]  # matches even ""
            place[SPAN] = (start, len(text.rstrip(_WHITESPACE)))
        else:
            place[SPAN] = _child_span(place[UP], text, place[KEY])
    return place[SPAN]


def _own_start(place: list, text: str) -> int:
    """Where the container starts: its parent's children need be read only up to it."""
    if place[SPAN] is not None or place[UP] is None:
        return _own_span(place, text)[0]
    return _child_start(place[UP], text, place[KEY])


def _member_span(obj: JsonObject, key: str, side: int) -> tuple[int, int] | None:
    """One member's key span (side 0) or value span (side 1) of an object json.loads built,
    its siblings read only as far as it (trace labels and value lines ask one member at a
    time: README, s10-read)."""
    try:
        place = obj._at
    except AttributeError:  # built by the eager parser or by hand: positions were never set
        raise AttributeError(("key_spans", "value_spans")[side]) from None
    if _deep(place):
        _from_eager(obj, place)
        return (obj._key_spans, obj._value_spans)[side].get(key)
    text = obj.src.text
    spans = _open(place, text)
    while key not in spans and place[NEXT] != DONE:
        _read_child(place, text)
    if place[NEXT] == DONE:  # all read: the next member asked takes the slots, no exception
        obj._key_spans, obj._value_spans = place[CHILDREN]
    return place[CHILDREN][side].get(key)


def _found(span: tuple[int, int] | None, key: str) -> tuple[int, int]:
    if span is None:
        raise KeyError(key)
    return span


def _all_children(place: list, text: str) -> Any:
    _open(place, text)
    while place[NEXT] != DONE:
        _read_child(place, text)
    return place[CHILDREN]


def _child_span(place: list, text: str, key: Any) -> tuple[int, int]:
    spans = _open(place, text)
    while (span := _known(spans, key)) is None:
        _read_child(place, text)
    return span


def _child_start(place: list, text: str, key: Any) -> int:
    """Where a child's value starts, without reading the value when it is the next child."""
    spans = _open(place, text)
    while (span := _known(spans, key)) is None:
        if isinstance(spans, list):
            if key == len(spans):
                return place[NEXT]
        else:
            name, _, value_start = _name_at(text, place[NEXT])
            if name == key:
                return value_start
        _read_child(place, text)
    return span[0]


def _known(spans: dict | list, key: Any) -> tuple[int, int] | None:
    if isinstance(spans, dict):
        return spans.get(key)
    return spans[key] if key < len(spans) else None


def _open(place: list, text: str) -> Any:
    """The spans of the children read so far (an object's value_spans, an array's
    item_spans), set up on first use."""
    if place[CHILDREN] is None:
        start = _own_start(place, text)
        is_object = text[start] == "{"
        place[CHILDREN] = ({}, {}) if is_object else []
        first = _SPACE.match(text, start + 1).end()  # type: ignore[union-attr]
        place[NEXT] = DONE if text[first] in "]}" else first
    children = place[CHILDREN]
    return children[1] if isinstance(children, tuple) else children


def _read_child(place: list, text: str) -> None:
    """Read the next child's spans (text that json.loads read: only whitespace between tokens,
    no duplicate keys)."""
    pos = place[NEXT]
    children = place[CHILDREN]
    if isinstance(children, tuple):
        key, key_end, value_start = _name_at(text, pos)
        value_end = _scan_value(text, value_start)[1]
        children[0][key] = (pos, key_end)
        children[1][key] = (value_start, value_end)
    else:
        value_end = _scan_value(text, pos)[1]
        children.append((pos, value_end))
    comma = _COMMA.match(text, value_end)
    place[NEXT] = DONE if comma is None else comma.end()


def _name_at(text: str, pos: int) -> tuple[str, int, int]:
    """The property name at ``pos``, where it ends and where its value starts."""
    plain = _PLAIN_KEY.match(text, pos)
    if plain is not None:
        return plain.group(1), plain.end(1) + 1, plain.end()
    key, key_end = scanstring(text, pos + 1, True)  # escapes in the name
    colon = _SPACE.match(text, key_end).end()  # type: ignore[union-attr]
    return key, key_end, _SPACE.match(text, colon + 1).end()  # type: ignore[union-attr]


def _not_json(word: str):
    raise _Unusual  # NaN and Infinity: json.loads takes them, the eager parser reports them


# Levels of containers read member by member with their spans, from the document's value
# down: the positions most runs ask (every resource's span, the parameters' names) are then
# known without reading the text again, and only values below are read by json.loads's scanner
# in one piece each (the first resource's span used to cost reading everything before it).
POSITIONED_LEVELS = 2
# The greatest height of a container json.loads read (below those levels) that cannot mean
# nesting deeper than MAX_DEPTH, where the hooks measure heights (_HEIGHTS).
_TOO_TALL = MAX_DEPTH - POSITIONED_LEVELS


def _member_hook(pairs: list[tuple[str, Any]]) -> JsonObject:
    """An object json.loads read, linked to its containers as ``_array`` links an array's.
    One Python frame per object: the linking loop is written here rather than called (a second
    frame per object cost 4% of the reading). Its containers find their source through the
    document's place (_source_of), so one decoder serves every text (_scan_positioned)."""
    obj = JsonObject(pairs)
    if len(obj) != len(pairs):
        raise _Unusual  # duplicate keys: AZP003 needs both places
    place: list[Any] = [None, 0, None, None, 1, None]
    for key, value in pairs:
        kind = type(value)  # a specialised call; ``value.__class__`` is a generic look-up
        if kind is str:
            continue  # most values: one test, not two
        # Objects before arrays: 57,000 of the corpus's values are objects, 5,600 arrays
        # and 8,600 other scalars (-0.7% of the reading; README, s10-read).
        if kind is JsonObject:
            child = value._at
        elif kind is list:
            value = obj[key] = _array(value)
            child = value._at
        else:
            continue
        child[UP] = place
        child[KEY] = key
        if _HEIGHTS and child[HEIGHT] >= place[HEIGHT]:  # 3.12 on: see _HEIGHTS
            place[HEIGHT] = child[HEIGHT] + 1
            if place[HEIGHT] > _TOO_TALL:
                raise _Unusual  # nesting deeper than MAX_DEPTH: the eager parser refuses it
    obj._at = place
    return obj


# json.loads's scanner with the hooks, made once: a JSONDecoder per text cost 13,900
# instructions (4.6 M a run; README, s10-read2). The json module shares its own default decoder
# the same way: the C scanner keeps no state between calls.
_scan_positioned = json.JSONDecoder(  # type: ignore[attr-defined]  # scan_once: not in typeshed
    object_pairs_hook=_member_hook, parse_constant=_not_json
).scan_once


def _read_fast(text: str, src: SourceText) -> object:
    """The value json.loads reads, its containers ready to compute their positions."""
    start = _SPACE.match(text).end()  # type: ignore[union-attr]  # matches even ""
    if start == len(text) or text[start] not in "{[":
        return json.loads(text, parse_constant=_not_json)  # no container: nothing to position
    value, end = _Positioned(text, src).container(start, POSITIONED_LEVELS)
    if _SPACE.match(text, end).end() != len(text):  # type: ignore[union-attr]
        raise _Unusual  # extra data: the eager parser says where
    value._at.append(src)  # place[SRC]: the containers below find it there (_source_of)
    return value


class _Positioned:
    """Reads containers member by member, keeping their spans in their places as if asked;
    below ``levels`` each value is read whole by json.loads's scanner. Anything json.loads
    would refuse, or read otherwise than Azure, raises _Unusual (or ValueError)."""

    __slots__ = ("text", "src")

    def __init__(self, text: str, src: SourceText) -> None:
        self.text, self.src = text, src

    def container(self, start: int, levels: int) -> tuple[JsonObject | JsonArray, int]:
        first = _SPACE.match(self.text, start + 1).end()  # type: ignore[union-attr]
        made: JsonObject | JsonArray
        place: list[Any]
        if self.text[start] == "{":
            made = JsonObject()
            place = [None, 0, None, ({}, {}), 1, DONE]
            end = self._members(made, place, first, levels)
        else:
            made = JsonArray()
            place = [None, 0, None, [], 1, DONE]
            end = self._items(made, place, first, levels)
        place[SPAN] = (start, end)
        made._src, made._at = self.src, place  # a few per text: kept, no walk to the root
        return made, end

    def _members(self, obj: JsonObject, place: list, pos: int, levels: int) -> int:
        """Read the members from ``pos``: where the object ends."""
        text = self.text
        key_spans, value_spans = place[CHILDREN]
        if text.startswith("}", pos):
            return pos + 1
        plain = _PLAIN_KEY.match(text, pos)
        while True:
            if plain is not None:
                key, value_start = plain.group(1), plain.end()
                name_start, name_end = plain.span(1)
                key_span = (name_start - 1, name_end + 1)  # with its quotes
            else:
                key, key_span, value_start = self._escaped_name(pos)
            if key in obj:
                raise _Unusual  # duplicate keys: AZP003 needs both places
            # The value read here rather than by a method: a frame less per member of the top
            # levels (1% of the reading; README, s10-read).
            if levels > 1 and text.startswith(("{", "["), value_start):
                value, value_end = self.container(value_start, levels - 1)
            else:  # read whole by the C scanner; StopIteration (no value here): see parse
                value, value_end = _scan_positioned(text, value_start)
                if type(value) is list:
                    value = _array(value)
            obj[key] = value
            key_spans[key] = key_span
            value_spans[key] = (value_start, value_end)
            kind = type(value)
            if kind is JsonObject or kind is JsonArray:
                child = value._at
                child[UP], child[KEY] = place, key
            # The comma and a plain next name in one match (most members): one regex call less.
            plain = _NEXT_NAME.match(text, value_end)
            if plain is None:
                comma = _COMMA.match(text, value_end)
                if comma is None:
                    return self._closed(value_end, "}")
                pos = comma.end()

    def _escaped_name(self, pos: int) -> tuple[str, tuple[int, int], int]:
        """A property name that is not plain (escapes): the name, its span, its value's start."""
        text = self.text
        if not text.startswith('"', pos):
            raise _Unusual
        key, key_end = scanstring(text, pos + 1, True)  # ValueError when malformed
        colon = _SPACE.match(text, key_end).end()  # type: ignore[union-attr]
        if not text.startswith(":", colon):
            raise _Unusual
        return key, (pos, key_end), _SPACE.match(text, colon + 1).end()  # type: ignore[union-attr]

    def _items(self, arr: JsonArray, place: list, pos: int, levels: int) -> int:
        """Read the items from ``pos``: where the array ends."""
        text = self.text
        item_spans = place[CHILDREN]
        if text.startswith("]", pos):
            return pos + 1
        while True:
            if levels > 1 and text.startswith(("{", "["), pos):  # as in _members
                value, end = self.container(pos, levels - 1)
            else:
                value, end = _scan_positioned(text, pos)
                if type(value) is list:
                    value = _array(value)
            kind = type(value)
            if kind is JsonObject or kind is JsonArray:
                child = value._at
                child[UP], child[KEY] = place, len(arr)
            arr.append(value)
            item_spans.append((pos, end))
            comma = _COMMA.match(text, end)
            if comma is None:
                return self._closed(end, "]")
            pos = comma.end()

    def _closed(self, pos: int, bracket: str) -> int:
        close = _SPACE.match(self.text, pos).end()  # type: ignore[union-attr]
        if not self.text.startswith(bracket, close):
            raise _Unusual
        return close + 1


def _array(items: list) -> JsonArray:
    """A list json.loads built as a ``JsonArray`` (nested lists too), its containers linked to
    it as _member_hook links an object's (the same loop over indexes: one frame per array)
    and measures its height where that is needed (_HEIGHTS)."""
    arr = JsonArray(items)
    place: list[Any] = [None, 0, None, None, 1, None]
    for index, value in enumerate(items):
        kind = type(value)
        if kind is str:
            continue
        if kind is JsonObject:  # the order of _member_hook's tests
            child = value._at
        elif kind is list:
            value = arr[index] = _array(value)
            child = value._at
        else:
            continue
        child[UP] = place
        child[KEY] = index
        if _HEIGHTS and child[HEIGHT] >= place[HEIGHT]:  # 3.12 on: see _HEIGHTS
            place[HEIGHT] = child[HEIGHT] + 1
            if place[HEIGHT] > _TOO_TALL:
                raise _Unusual  # nesting deeper than MAX_DEPTH: the eager parser refuses it
    arr._at = place
    return arr


def decode_bytes(data: bytes) -> str:
    """Bytes to text the way Azure reads templates: UTF-8 with an optional BOM; UTF-16 with BOM."""
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        # UTF-32's mark starts like UTF-16's: say what it is rather than fail on a NUL later.
        raise UnicodeDecodeError("utf-32", data, 0, 4, "UTF-32 text; save the file as UTF-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    return decode_utf8(data)  # "utf-8-sig", without importing that codec (start-up)


def parse(text: str, path: str = "<string>") -> tuple[object, SourceText]:
    """Parse JSON text; raise JsonError with an offset on the first syntax error.

    json.loads reads first; positions are computed when asked. Text it does not read as
    Azure does goes to the eager parser, which raises the error or reports the duplicates."""
    src = SourceText(path, text)
    collecting = gc.isenabled()
    gc.disable()  # see parse_eager
    limit = sys.getrecursionlimit()
    # Text nesting deeper than MAX_DEPTH then makes json.loads raise RecursionError (up to
    # Python 3.11; later, the hooks' heights: see _HEIGHTS), and the eager parser refuses it.
    sys.setrecursionlimit(_stack_depth() + MAX_DEPTH)
    try:
        return _read_fast(text, src), src
    # StopIteration: json.loads's scanner found no value where _Positioned asked for one.
    except (ValueError, _Unusual, RecursionError, StopIteration):
        pass  # the eager parser reads it again and says what is wrong, if anything
    finally:
        sys.setrecursionlimit(limit)
        if collecting:
            gc.enable()
    return parse_eager(text, path)


def _stack_depth() -> int:
    """The Python frames below the caller's, the caller's included."""
    frame: FrameType | None = sys._getframe(1)
    depth = 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def parse_eager(text: str, path: str = "<string>") -> tuple[object, SourceText]:
    """Parse JSON text with every position at once; raise JsonError with an offset on the
    first syntax error."""
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


@cache
def _eager_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """What the eager parser skips between tokens (whitespace and comments) and its numbers,
    compiled when a file first needs that parser: compiling them cost about 2 million
    instructions (a millisecond) of every check's start-up, and most files never need it."""
    return (
        re.compile(r"(?:[ \t\n\r]+|//[^\n]*|/\*.*?\*/)*", re.S),
        re.compile(r"(-?(?:0|[1-9][0-9]*))(\.[0-9]+)?([eE][-+]?[0-9]+)?"),
    )


class _Parser:
    __slots__ = ("src", "text", "length", "gap", "number")

    def __init__(self, src: SourceText) -> None:
        self.src = src
        self.text = src.text
        self.length = len(src.text)
        self.gap, self.number = _eager_patterns()

    def skip(self, pos: int) -> int:
        """The position of the next token after whitespace and comments."""
        text = self.text
        if pos >= self.length or text[pos] not in _GAP_START:
            return pos  # most tokens follow each other directly
        end = self.gap.match(text, pos).end()  # type: ignore[union-attr]  # matches even ""
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
        match = self.number.match(text, pos)
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
        obj._src, obj._key_spans, obj._value_spans = self.src, key_spans, value_spans
        text = self.text
        pos = self.skip(start + 1)
        if pos < self.length and text[pos] == "}":
            obj._span = (start, pos + 1)
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
                obj._span = (start, pos + 1)
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
        arr._src, arr._item_spans = self.src, spans
        text = self.text
        pos = self.skip(start + 1)
        if pos < self.length and text[pos] == "]":
            arr._span = (start, pos + 1)
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
                arr._span = (start, pos + 1)
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
