"""Property tests of the position-keeping JSON reader (armlint/arm/jsonpos.py, arm/loader.py).

1. Every key, value and item span covers exactly the text of what it names, whatever the
   layout, comments and duplicate keys.
2. What ``json.loads`` accepts as strict JSON (no NaN/Infinity) is accepted with the same value;
   what it refuses is refused with ``JsonError`` unless the text holds a comment.
3. Arbitrary bytes and text never raise anything but ``JsonError`` (read_json: never at all).

About 2,100 examples in the test suite (see fuzz_settings); bench/fuzz.py runs more.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hardening_helpers import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from armlint.arm.jsonpos import JsonArray, JsonError, JsonObject, parse
from armlint.arm.loader import read_json

pytestmark = pytest.mark.slow  # fuzzers

# -- generating JSON text with a known value ----------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
KEYS = st.text(max_size=6) | st.sampled_from(["a", "A", "name", "type", ""])
# Objects as lists of pairs so that duplicate keys happen; ARM (and armlint) keep the last one.
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=5).map(lambda items: ("array", items))
        | st.lists(st.tuples(KEYS, children), max_size=5).map(lambda pairs: ("object", pairs))
    ),
    max_leaves=15,
)
GAPS = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  ", " // note\n", "/* c */", "/**/\n"])


def expected_value(tree):
    if isinstance(tree, tuple) and tree[0] == "array":
        return [expected_value(item) for item in tree[1]]
    if isinstance(tree, tuple):
        return {key: expected_value(value) for key, value in tree[1]}
    return tree


def render(tree, gap) -> str:
    """JSON text of the tree with a drawn gap (whitespace or a comment) at every place JSON
    allows whitespace."""
    if isinstance(tree, tuple) and tree[0] == "array":
        parts = [gap() + render(item, gap) + gap() for item in tree[1]]
        return "[" + ",".join(parts or [gap()]) + "]"
    if isinstance(tree, tuple):
        parts = [
            f"{gap()}{json.dumps(key)}{gap()}:{gap()}{render(value, gap)}{gap()}"
            for key, value in tree[1]
        ]
        return "{" + ",".join(parts or [gap()]) + "}"
    return json.dumps(tree, ensure_ascii=False)


def same(left, right) -> bool:
    """Equal, and of the same JSON type all the way down (1 is not 1.0, True is not 1)."""
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(same(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(map(same, left, right))
    return type(left) is type(right) and left == right


def assert_spans(value, text: str) -> None:
    """Each span's text, read on its own, is exactly the key or value it belongs to."""
    if isinstance(value, JsonObject):
        assert same(json.loads(strip(text, value.span)), expected_plain(value))
        for key, item in value.items():
            assert json.loads(text[slice(*value.key_spans[key])]) == key
            assert same(json.loads(strip(text, value.value_spans[key])), expected_plain(item))
            assert_spans(item, text)
    elif isinstance(value, JsonArray):
        assert len(value.item_spans) == len(value)
        for item, span in zip(value, value.item_spans, strict=True):
            assert same(json.loads(strip(text, span)), expected_plain(item))
            assert_spans(item, text)


def assert_locations(value, text: str) -> None:
    """Lines and columns of every value span, counted the slow and obvious way."""

    def line_column(offset: int) -> tuple[int, int]:
        before = text[:offset]
        return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1

    if isinstance(value, JsonObject):
        spans = list(value.value_spans.values())
        children = list(value.values())
    elif isinstance(value, JsonArray):
        spans, children = value.item_spans, list(value)
    else:
        return
    for span, child in zip(spans, children, strict=True):
        where = value.src.location(span)
        assert (where.line, where.column) == line_column(span[0])
        assert (where.end_line, where.end_column) == line_column(span[1])
        assert_locations(child, text)


def strip(text: str, span: tuple[int, int]) -> str:
    """The span's text with comments removed, so that json.loads can read a container."""
    value, _ = parse(text[slice(*span)])
    return json.dumps(expected_plain(value))


def expected_plain(value):
    if isinstance(value, dict):
        return {key: expected_plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [expected_plain(item) for item in value]
    return value


@fuzz_settings(150)
@given(TREES, st.lists(GAPS, min_size=1, max_size=12))
def test_positions_point_at_what_they_name(tree, gaps):
    text = render(tree, itertools.cycle(gaps).__next__)
    value, src = parse(text)
    assert same(expected_plain(value), expected_value(tree))
    assert_spans(value, text)
    assert_locations(value, text)
    assert src.text == text


# -- agreement with json.loads ------------------------------------------------------------------


def strict_loads(text: str):
    def refuse(word):
        raise ValueError(f"{word} is not strict JSON")

    return json.loads(text, parse_constant=refuse)


def assert_agrees_with_json_loads(text: str) -> None:
    try:
        wanted = strict_loads(text)
    except (ValueError, RecursionError):
        wanted = None
        refused = True
    else:
        refused = False
    try:
        value, _ = parse(text)
    except JsonError:
        assert refused, f"json.loads reads {text!r}, armlint does not"
        return
    if refused:
        assert "/" in text, f"armlint reads {text!r}, which is not JSON and has no comment"
    else:
        assert same(expected_plain(value), wanted)


JSON_CHARACTERS = '{}[],:" 0123456789.eE+-truefalsn\t\n\r\\/u*aNI'


@fuzz_settings(250)
@given(st.text(alphabet=JSON_CHARACTERS, max_size=40))
def test_json_like_text_agrees_with_json_loads(text):
    assert_agrees_with_json_loads(text)


EDITS = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.integers(min_value=0),
    st.sampled_from(list(JSON_CHARACTERS)),
)


def edited(text: str, edits) -> str:
    for kind, where, char in edits:
        position = where % (len(text) + 1)
        if kind == "insert":
            text = text[:position] + char + text[position:]
        elif kind == "delete":
            text = text[:position] + text[position + 1 :]
        else:
            text = text[:position] + char + text[position + 1 :]
    return text


@fuzz_settings(150)
@given(TREES, st.lists(EDITS, min_size=1, max_size=3))
def test_edited_json_agrees_with_json_loads(tree, edits):
    text = edited(json.dumps(expected_value(tree)), edits)
    assert_agrees_with_json_loads(text)


# -- anything at all ----------------------------------------------------------------------------

MARKS = st.sampled_from([b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00"])


@fuzz_settings(250)
@given(MARKS, st.binary(max_size=200))
def test_random_bytes_give_a_document_or_one_parse_error(mark, data):
    document = read_json(Path("fuzz.json"), data=mark + data)
    if document.ok:
        assert all(f.rule == "AZP003" for f in document.findings)
    else:
        (finding,) = document.findings
        assert finding.rule == "AZP001" and "\n" not in finding.message
        assert finding.location.line >= 1 and finding.location.column >= 1


@fuzz_settings(250)
@given(st.text(max_size=60))
def test_random_text_raises_only_json_error(text):
    try:
        parse(text)
    except JsonError as error:
        assert 0 <= error.offset <= len(text)
