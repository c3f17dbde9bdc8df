"""The position-keeping JSON reader: same values as json.loads, exact positions, ARM's leniency."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armlint.arm.jsonpos import JsonArray, JsonError, JsonObject, decode_bytes, parse

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(json_values, st.sampled_from([None, 1, 2, 4]))
def test_same_value_as_json_loads(value, indent):
    text = json.dumps(value, indent=indent)
    parsed, _ = parse(text)
    assert parsed == json.loads(text)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6), json_values, min_size=1, max_size=5))
def test_value_positions_point_at_the_value_of_their_key(obj):
    text = json.dumps({"outer": obj}, indent=2)
    parsed, _src = parse(text)
    inner = parsed["outer"]
    for key in obj:
        start, end = inner.value_spans[key]
        assert json.loads(text[start:end]) == obj[key]
        key_start, key_end = inner.key_spans[key]
        assert json.loads(text[key_start:key_end]) == key


def test_lines_and_columns_with_crlf_bom_and_comments():
    data = '\ufeff{\r\n  // a comment\r\n  "a": /* inline */ 1,\r\n  "b": [true, "x"]\r\n}\r\n'
    value, _src = parse(decode_bytes(data.encode("utf-8")))
    assert value == {"a": 1, "b": [True, "x"]}
    assert isinstance(value, JsonObject)
    loc = value.value_location("a")
    assert (loc.line, loc.column) == (3, 21)
    array = value["b"]
    assert isinstance(array, JsonArray)
    assert (array.item_location(1).line, array.item_location(1).column) == (4, 15)


def test_bom_is_removed_when_decoding_bytes():
    assert decode_bytes(b"\xef\xbb\xbf{}") == "{}"
    assert decode_bytes('{"a": 1}'.encode("utf-16")) == '{"a": 1}'


def test_duplicate_keys_are_recorded_with_both_positions():
    value, src = parse('{\n  "a": 1,\n  "a": 2\n}')
    assert value == {"a": 2}
    ((key, first, second),) = src.duplicates
    assert key == "a"
    assert src.line_col(first[0]) == (2, 3)
    assert src.line_col(second[0]) == (3, 3)


@pytest.mark.parametrize(
    ("text", "message", "offset"),
    [
        ("", "empty", 0),
        ("   \n ", "empty", 5),
        ('{"a": 1,}', "property name", 8),
        ('{"a" 1}', "':'", 5),
        ("[1, 2", "','", 5),
        ('{"a": NaN}', "NaN", 6),
        ('{"a": 1} x', "extra data", 9),
        ('{"a": /* open', "unterminated", 6),
        ('{"a": "x\ny"}', "control character", 8),
    ],
)
def test_syntax_errors_have_offsets(text, message, offset):
    with pytest.raises(JsonError) as caught:
        parse(text)
    assert message in caught.value.message
    assert caught.value.offset == offset


def test_deep_nesting_is_an_error_not_a_crash():
    with pytest.raises(JsonError) as caught:
        parse("[" * 10_000 + "]" * 10_000)
    assert "nesting deeper" in caught.value.message
