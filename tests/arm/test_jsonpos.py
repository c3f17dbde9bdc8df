"""The position-keeping JSON reader: same values as json.loads, exact positions, ARM's leniency."""

import pytest

from armlint.arm.jsonpos import (
    JsonArray,
    JsonError,
    JsonObject,
    SourceText,
    decode_bytes,
    parse,
)

# Same values as json.loads and exact spans for any text: tests/hardening/test_fuzz_jsonpos.py


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


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n",
        "x" * 9000,  # one long line over several blocks of the line index
        "\n".join("y" * (n % 97) for n in range(900)),
        "a\r\n" * 3000 + "z" * 5000 + "\n\n",
    ],
    ids=["empty", "newline", "long-line", "many-lines", "crlf-then-long-line"],
)
def test_line_and_column_of_every_offset(text):
    src = SourceText("t.json", text)
    for offset in range(0, len(text) + 1, 7):
        before = text[:offset]
        expected = before.count("\n") + 1, offset - before.rfind("\n")
        assert src.line_col(offset) == expected, offset


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
