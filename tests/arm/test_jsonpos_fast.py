"""The fast JSON reader (json.loads, positions computed when asked) against the eager
position-keeping parser (armlint/arm/jsonpos.py): the same values and the same span for every
container, key and item, in whatever order the positions are asked; and text that json.loads
reads differently from Azure (comments, duplicate keys, NaN, too many digits, deep nesting)
read by the eager parser, so findings and errors are those it gives.

Generated documents: tests/hardening/test_fuzz_jsonpos.py checks ``parse`` against the text
itself (with comments, which take the eager parser); the property here checks the fast reader
against the eager one on comment-free documents, which it reads.
"""

from __future__ import annotations

import itertools
import json
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armlint.arm import jsonpos
from armlint.arm.jsonpos import JsonArray, JsonError, JsonObject, SourceText, parse, parse_eager

ROOT = Path(__file__).resolve().parents[2]


def read_fast(text: str):
    """The fast reader alone, without the fall-back to the eager parser."""
    return jsonpos._read_fast(text, SourceText("t.json", text))


def pairs_of(fast, eager, found: list) -> list:
    """Every (fast, eager) pair of containers, in document order; values and types equal."""
    assert type(fast) is type(eager)
    if isinstance(eager, JsonObject):
        assert list(fast) == list(eager)
        found.append((fast, eager))
        for key in eager:
            pairs_of(fast[key], eager[key], found)
    elif isinstance(eager, JsonArray):
        assert len(fast) == len(eager)
        found.append((fast, eager))
        for fast_item, eager_item in zip(fast, eager, strict=True):
            pairs_of(fast_item, eager_item, found)
    else:
        assert fast == eager
    return found


def assert_same_positions(fast, eager, order: str = "forward") -> None:
    """Equal values and spans, asking the fast reader's positions in the given order:
    backward asks the deepest and last containers first, so their parents are read then."""
    pairs = pairs_of(fast, eager, [])
    if order == "backward":
        pairs.reverse()
    elif order != "forward":
        random.Random(order).shuffle(pairs)
    for fast_container, eager_container in pairs:
        if isinstance(eager_container, JsonObject):
            assert fast_container.value_spans == eager_container.value_spans
            assert fast_container.key_spans == eager_container.key_spans
        else:
            assert fast_container.item_spans == eager_container.item_spans
        assert fast_container.span == eager_container.span
        assert fast_container.location() == eager_container.location()


def assert_read_alike(text: str, orders=("forward", "backward", "shuffled")) -> None:
    """``parse`` gives what the eager parser gives: the same error, or the same value,
    positions and duplicate keys."""
    try:
        eager, eager_src = parse_eager(text)
    except JsonError as error:
        with pytest.raises(JsonError) as raised:
            parse(text)
        assert (raised.value.message, raised.value.offset) == (error.message, error.offset)
        return
    value, src = parse(text)
    assert src.duplicates == eager_src.duplicates
    for order in orders:
        value, src = parse(text)
        assert_same_positions(value, eager, order)


def fixture_texts() -> list[tuple[str, str]]:
    paths = sorted(ROOT.glob("tests/fixtures/**/*.json")) + sorted(ROOT.glob("examples/**/*.json"))
    texts = []
    for path in paths:
        try:
            texts.append((str(path.relative_to(ROOT)), jsonpos.decode_bytes(path.read_bytes())))
        except (UnicodeDecodeError, OSError):
            continue  # not text: read_json's business, tested with the loader
    return texts


def test_every_fixture_reads_alike_and_most_read_fast():
    texts = fixture_texts()
    fast_count = 0
    for name, text in texts:
        try:
            read_fast(text)
            fast_count += 1
        except (ValueError, RecursionError, jsonpos._Unusual):
            pass  # read by the eager parser: assert_read_alike still compares
        try:
            assert_read_alike(text, ("backward",))  # the deepest first: parents read later
        except AssertionError as error:
            raise AssertionError(f"{name}: {error}") from error
    assert len(texts) > 100
    assert fast_count > 0.8 * len(texts)


DEEP = 45  # above MAX_LAZY_DEPTH: read fast, the deep positions from the eager parser


@pytest.mark.parametrize(
    "text",
    [
        pytest.param('{"a": 1, "b": {"a": 2, "a": 3}, "a": [4]}', id="duplicate-keys"),
        pytest.param('{"a": NaN}', id="nan"),
        pytest.param("[Infinity, 1]", id="infinity"),
        pytest.param('{"a": -Infinity}', id="minus-infinity"),
        pytest.param('// note\n{"a": 1}', id="line-comment"),
        pytest.param('{"a": /* c */ [1]}', id="block-comment"),
        pytest.param('\ufeff{"a": 1}', id="bom-left-in-text"),
        pytest.param('{\r\n  "a": [1,\r\n    2],\r\n  "b": {"c": "d"}\r\n}\r\n', id="crlf"),
        pytest.param("[" * 201 + "]" * 201, id="depth-201"),
        pytest.param('{"a":' * 201 + "1" + "}" * 201, id="depth-201-objects"),
        pytest.param('{"a": [' * 101 + "1" + "]}" * 101, id="depth-202-mixed"),
        pytest.param("[" * 200 + "]" * 200, id="depth-200"),
        pytest.param('{"a":' * DEEP + "1" + "}" * DEEP, id="deep-objects"),
        pytest.param('{"a":' * 30 + "[1]" + "}" * 30, id="deep-but-fast"),
        pytest.param("[" + "7" * 4300 + "]", id="4300-digits"),
        pytest.param("[" + "7" * 4301 + "]", id="4301-digits"),
        pytest.param('{"x": [1e400, -0, 0.5, 1E+2, -12]}', id="numbers"),
        pytest.param('{"a\\u0062": 1, "\\"q\\"": [2], "\\ud83d\\ude00": {"c": 3}}', id="escapes"),
        pytest.param('{"é": "ü", "k": ["日本", {"😀": 1}], "z": "\\ud800"}', id="non-ascii"),
        pytest.param('{ "a" \t:\n 1 ,\t"b" :[ 1 , { } , [ ] ] }', id="whitespace"),
        pytest.param('{"a\\n" \t: {"b\\t": 1}}', id="escaped-key-spaced-colon"),
        pytest.param('  [[], {}, [[]], {"a": {}}]  \n', id="empty-containers"),
        pytest.param('"text"', id="top-level-string"),
        pytest.param(" 42 ", id="top-level-number"),
        pytest.param("", id="empty"),
        pytest.param('{"a": 1} x', id="extra-data"),
        pytest.param('{"a": 1,}', id="trailing-comma"),
        pytest.param("[1, ]", id="trailing-comma-in-array"),
        pytest.param('{"a": }', id="no-value"),
        pytest.param('{"a": {"b": 1, "c": }}', id="no-value-second-level"),
        pytest.param('{"a": [{"b": }]}', id="no-value-below-the-top-levels"),
        pytest.param("{'a': 1}", id="single-quotes"),
        pytest.param('{"a": "x\ny"}', id="control-character"),
    ],
)
def test_tricky_text_reads_as_the_eager_parser_reads_it(text):
    assert_read_alike(text)


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1, "a": 2}',
        '{"a": NaN}',
        '{"a": 1} // c',
        "[" + "7" * 4301 + "]",
    ],
)
def test_what_json_loads_reads_otherwise_is_left_to_the_eager_parser(text):
    with pytest.raises((ValueError, jsonpos._Unusual)):
        read_fast(text)


def nest(depth: int, inner: str = "1") -> str:
    return '{"a": [' * (depth // 2) + inner + "]}" * (depth // 2)


def test_deep_text_is_read_fast_and_its_deep_positions_come_from_the_eager_parser():
    """Nesting is no longer measured as the text is read (3.5% of the reading, README s11-read):
    a container MAX_LAZY_DEPTH levels down or more takes its spans from the eager parser's
    reading of the text, once per document, when one is asked; those above are computed."""
    text = nest(2 * DEEP, '{"b": [1, {"c": 2}]}')
    value, eager = read_fast(text), parse_eager(text, "t.json")[0]
    root = value._at
    shallow, shallow_twin = value, eager
    for _ in range(10):
        shallow, shallow_twin = shallow["a"][0], shallow_twin["a"][0]
    assert shallow.key_spans == shallow_twin.key_spans
    assert len(root) == jsonpos.EAGER  # nothing read by the eager parser for it
    deep, deep_twin = shallow, shallow_twin
    while "a" in deep:
        deep, deep_twin = deep["a"][0], deep_twin["a"][0]
    assert deep.value_span_of("b") == deep_twin.value_spans["b"]
    assert root[jsonpos.EAGER] == eager  # read once, kept in the document's place
    assert deep["b"].item_spans == deep_twin["b"].item_spans
    assert_same_positions(value, eager, "backward")


def test_nesting_deeper_than_max_depth_is_refused_as_the_eager_parser_refuses_it():
    """Without the heights, json.loads's own nesting bound does it: parse lowers the recursion
    limit (up to Python 3.11), wherever on the stack it is called, and puts it back."""
    limit = sys.getrecursionlimit()

    def parse_from(depth: int, text: str):
        return parse_from(depth - 1, text) if depth else parse(text)

    for frames in (0, limit - 3 * jsonpos.MAX_DEPTH):  # the eager parser: two frames a level
        with pytest.raises(JsonError, match="nesting deeper than 200 levels"):
            parse_from(frames, nest(202))
        assert type(parse_from(frames, nest(150))[0]) is JsonObject
        assert sys.getrecursionlimit() == limit
    with pytest.raises(JsonError):
        parse('{"a": NaN}')  # read again by the eager parser, which refuses it
    assert sys.getrecursionlimit() == limit


def test_the_heights_refuse_deep_nesting_where_the_recursion_limit_does_not(monkeypatch):
    """From Python 3.12 on json.loads's nesting has a C limit of its own (thousands of levels):
    there the hooks measure heights (jsonpos._HEIGHTS), tried here with the limit raised."""
    text = nest(250)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(5000)
    try:
        monkeypatch.setattr(jsonpos, "_HEIGHTS", False)
        assert type(read_fast(text)) is JsonObject  # what a 3.12 would read without them
        monkeypatch.setattr(jsonpos, "_HEIGHTS", True)
        with pytest.raises(jsonpos._Unusual):
            read_fast(text)
        assert read_fast(nest(150))["a"][0]._at[jsonpos.HEIGHT] == 150 - 2
    finally:
        sys.setrecursionlimit(limit)


def test_duplicate_keys_still_reported_with_both_places():
    text = '{\n  "a": {"b": 1},\n  "a": 2\n}'
    value, src = parse(text)
    assert value == {"a": 2}
    ((key, first, second),) = src.duplicates
    assert (key, text[slice(*first)], text[slice(*second)]) == ("a", '"a"', '"a"')
    assert (src.line_col(first[0]), src.line_col(second[0])) == ((2, 3), (3, 3))


def count_scanned(monkeypatch) -> list[int]:
    """The characters each later read of a value's text covers, one item per read."""
    scanned: list[int] = []
    scan = jsonpos._scan_value

    def counting(text, pos):
        found = scan(text, pos)
        scanned.append(found[1] - pos)
        return found

    monkeypatch.setattr(jsonpos, "_scan_value", counting)
    return scanned


def test_the_top_levels_are_read_with_their_positions(monkeypatch):
    """The document's members and theirs (each resource, each parameter) get their spans as
    the text is read: asking for them reads nothing again."""
    document = {
        "parameters": {"size": {"type": "string"}, "os": {"type": "string"}},
        "resources": [{"type": "a", "properties": {"x": [1]}}, {"type": "b"}, [2, {}]],
        "outputs": {},
    }
    text = json.dumps(document, indent=2)
    value, eager = parse(text)[0], parse_eager(text)[0]
    scanned = count_scanned(monkeypatch)
    assert value.key_spans == eager.key_spans and value.value_spans == eager.value_spans
    for name in ("parameters", "outputs"):
        assert value[name].key_spans == eager[name].key_spans
        assert value[name].value_spans == eager[name].value_spans
    assert value["resources"].item_spans == eager["resources"].item_spans
    for got, expected in zip(value["resources"], eager["resources"], strict=True):
        assert got.span == expected.span
    assert value["parameters"]["os"].span == eager["parameters"]["os"].span
    assert scanned == []
    # Below those levels positions are read when asked, as far as asked.
    assert value["resources"][0].value_spans == eager["resources"][0].value_spans
    assert scanned == [
        len('"a"'),
        len(text[slice(*eager["resources"][0].value_spans["properties"])]),
    ]


class CountingPattern:
    """A compiled pattern that counts its ``match`` calls (re.Pattern cannot be subclassed)."""

    def __init__(self, pattern) -> None:
        self.pattern, self.calls = pattern, 0

    def match(self, text, pos=0):
        self.calls += 1
        return self.pattern.match(text, pos)


def test_the_top_levels_read_a_comma_and_a_plain_name_in_one_match(monkeypatch):
    """Between two members of the top levels one regular expression reads the comma and the
    next plain name; the comma alone is matched only where an object ends (or an array's item
    does, or the name is not plain). README, "The ARM reader: the top levels ... (s9-read)"."""
    parameters = {f"p{i}": {"type": "string"} for i in range(30)}
    document = {"a": 1, "parameters": parameters, "b": {"y": 3, 'A"x': 2}, "c": True}
    text = json.dumps(document, indent=2)
    comma = CountingPattern(jsonpos._COMMA)
    monkeypatch.setattr(jsonpos, "_COMMA", comma)
    value = read_fast(text)
    # The ends of the document, of "parameters" and of "b", and the escaped name in "b".
    assert comma.calls == 4
    assert_same_positions(value, parse_eager(text, "t.json")[0])


def test_positions_are_read_only_as_far_as_asked(monkeypatch):
    big = json.dumps([{"k": "v" * 50}] * 200)
    inner = '{"a": 1, "resources": [{"x": [1, 2]}, ' + big + '], "outputs": ' + big + "}"
    # Two levels down: the reader keeps the top levels' positions as it reads them.
    text = '{"x": {"y": ' + inner + "}}"
    value, _ = parse(text)
    value = value["x"]["y"]
    scanned = count_scanned(monkeypatch)
    first = value["resources"][0]
    assert text[slice(*first.span)] == '{"x": [1, 2]}'
    assert 0 < sum(scanned) < 100  # "a", then the first resource: neither the second nor outputs
    eager, _ = parse_eager(text)
    assert first.value_spans == eager["x"]["y"]["resources"][0].value_spans


def test_one_member_is_read_only_as_far_as_it():
    """``key_span_of``, ``value_span_of`` and ``key_line`` read the siblings only up to the
    member asked (a trace names a parameter by its line); an absent member reads them all and
    gives None; the eager parser's positions and a container made by hand answer alike."""
    later = json.dumps({f"later{i}": {"x": [i] * 20} for i in range(20)})
    text = '{"x": {"y": {"first": [1, 2],\n "second": {"b": 2}, "rest": ' + later + "}}}"
    eager = parse_eager(text)[0]["x"]["y"]
    for side in ("key_span_of", "value_span_of", "key_line"):
        scanned: list[int] = []
        value = parse(text)[0]["x"]["y"]
        with pytest.MonkeyPatch.context() as monkeypatch:
            scanned = count_scanned(monkeypatch)
            found = getattr(value, side)("second")
        assert found == getattr(eager, side)("second")
        assert len(scanned) == 2 and sum(scanned) < 30  # "first" and "second", not "rest"
    assert value.value_span_of("absent") is None and value.key_span_of("absent") is None
    assert value.value_spans == eager.value_spans and value.key_spans == eager.key_spans
    assert value.key_line("rest") == eager.key_line("rest") == 2
    with pytest.raises(KeyError):
        value.key_line("absent")
    with pytest.raises(KeyError):
        value.value_location("absent")
    assert value.key_location("rest") == eager.key_location("rest")
    with pytest.raises(AttributeError):
        JsonObject({"a": 1}).value_span_of("a")
    with pytest.raises(AttributeError):
        JsonObject({"a": 1}).key_span_of("a")


def test_copies_take_positions_without_computing_them():
    # Below the levels the reader keeps positions of as it reads (POSITIONED_LEVELS).
    text = '{"x": [{"a": {"b": [1, {"c": 2}]}}]}'
    value, eager = parse(text)[0]["x"][0], parse_eager(text)[0]["x"][0]
    copy, array = JsonObject(value["a"]), JsonArray(value["a"]["b"])
    jsonpos.copy_positions(value["a"], copy)
    jsonpos.copy_positions(value["a"]["b"], array)
    assert value["a"]._at[jsonpos.SPAN] is None  # not computed by the copy
    assert copy.value_spans == eager["a"].value_spans and copy.span == eager["a"].span
    assert array.item_spans == eager["a"]["b"].item_spans
    hand_made = JsonObject()
    jsonpos.copy_positions(eager["a"], hand_made)  # the eager parser's positions are copied
    assert hand_made.key_spans == eager["a"].key_spans
    value["a"]["b"][1].value_spans = {"c": (0, 1)}  # set by hand: copied as set
    renamed = JsonObject(value["a"]["b"][1])
    jsonpos.copy_positions(value["a"]["b"][1], renamed)
    assert renamed.value_spans == {"c": (0, 1)}
    assert renamed.span == eager["a"]["b"][1].span


def test_a_container_made_by_hand_has_no_positions():
    with pytest.raises(AttributeError):
        JsonObject().span  # noqa: B018
    with pytest.raises(AttributeError):
        JsonArray().item_spans  # noqa: B018
    with pytest.raises(AttributeError):
        JsonObject().anything_else  # noqa: B018
    value, _ = parse('{"a": [1]}')
    with pytest.raises(AttributeError):
        value["a"].value_spans  # noqa: B018  # an array has item spans only
    with pytest.raises(AttributeError):
        value.item_spans  # noqa: B018


def test_a_container_finds_its_source_through_the_documents_place():
    """Containers json.loads built keep no source of their own (a store per container): they
    find the document's in its place, once; one decoder reads every text, each keeps its own."""
    text = '{"x": {"a": {"b": [1, {"c": 2}]}}}'
    first, first_src = parse(text, "first.json")
    second, second_src = parse(text.replace("2", "3"), "second.json")
    deep = first["x"]["a"]["b"][1]
    with pytest.raises(AttributeError):
        deep._src  # noqa: B018  # not stored when read
    assert deep.src is first_src and deep._src is first_src  # found, then kept
    assert deep.location() == parse_eager(text, "first.json")[0]["x"]["a"]["b"][1].location()
    assert second["x"]["a"]["b"][1].src is second_src and first["x"].src is first_src
    items, items_src = parse('[{"a": [[{"b": 1}]]}]')  # an array as the document
    assert items[0]["a"][0][0].src is items_src and items[0]["a"][0].src is items_src
    copy = JsonObject(first["x"]["a"])
    jsonpos.copy_positions(first["x"]["a"], copy)
    assert copy.src is first_src
    hand_made = JsonArray()
    with pytest.raises(AttributeError):
        hand_made.src  # noqa: B018
    hand_made.src = second_src
    assert hand_made.src is second_src


def test_positions_are_properties_not_a_getattr_hook():
    # A class with __getattr__ sends every look-up on its instances (obj.get, obj.items, obj.src)
    # down the interpreter's slow unspecialised path; evaluation makes far more of those than it
    # asks positions, so the lazy positions sit behind properties instead.
    for kind in (JsonObject, JsonArray):
        assert not hasattr(kind, "__getattr__")
        assert isinstance(vars(kind)["span"], property)
    text = '{"x": {"a": {"b": [1, 2]}, "c": {"d": 1}}}'  # below POSITIONED_LEVELS: lazy
    fast, eager = parse(text)[0]["x"], parse_eager(text)[0]["x"]
    assert fast["c"]._at[jsonpos.CHILDREN] is None  # not computed yet
    assert fast["c"].value_spans == eager["c"].value_spans  # computed through the property
    assert fast["a"]["b"].item_spans == eager["a"]["b"].item_spans


# -- generated documents -----------------------------------------------------------------------

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
KEYS = st.text(max_size=5) | st.sampled_from(["a", "name", "type", '"', "\\", "é"])
TREES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(KEYS, children, max_size=4)
        # pairs, so that duplicate keys happen (the eager parser reads those)
        | st.lists(st.tuples(KEYS, children), max_size=3).map(lambda pairs: ("pairs", pairs))
    ),
    max_leaves=14,
)
SPACES = st.sampled_from(["", " ", "\n", "\r\n", "\t", "  \n  "])


def render(tree, space, string=json.dumps) -> str:
    """JSON text of the tree with drawn whitespace wherever JSON allows it; ``string`` writes
    each key and string value."""
    if isinstance(tree, tuple):
        pairs = tree[1]
    elif isinstance(tree, dict):
        pairs = list(tree.items())
    elif isinstance(tree, list):
        items = [space() + render(item, space, string) + space() for item in tree]
        return "[" + ",".join(items or [space()]) + "]"
    elif isinstance(tree, str):
        return string(tree)
    else:
        return json.dumps(tree)
    members = [
        f"{space()}{string(key)}{space()}:{space()}{render(value, space, string)}{space()}"
        for key, value in pairs
    ]
    return "{" + ",".join(members or [space()]) + "}"


def unicode_escapes(value: str) -> str:
    """A JSON string with every character written as a \\u escape (a quote as \\u0022, a colon
    as \\u003a); characters beyond the BMP as json.dumps writes them (a surrogate pair)."""
    return (
        '"'
        + "".join(f"\\u{ord(c):04x}" if ord(c) < 0x10000 else json.dumps(c)[1:-1] for c in value)
        + '"'
    )


STRING_WRITERS = {
    "utf-8": lambda value: json.dumps(value, ensure_ascii=False),
    "ascii": json.dumps,
    "unicode-escapes": unicode_escapes,
}


@settings(max_examples=100, deadline=None, database=None)
@given(
    TREES,
    st.lists(SPACES, min_size=1, max_size=6),
    st.sampled_from(["utf-8", "ascii"]),
    st.sampled_from(["forward", "backward", "shuffled"]),
)
def test_generated_documents_read_alike(tree, spaces, writer, order):
    text = render(tree, itertools.cycle(spaces).__next__, STRING_WRITERS[writer])
    eager, eager_src = parse_eager(text)
    value, src = parse(text)
    assert src.duplicates == eager_src.duplicates
    assert_same_positions(value, eager, order)


# Strings made of JSON's own punctuation: quotes, backslashes and colons inside strings are
# what a reader that looks at the text (a count, a regular expression) gets wrong.
TRICKY_TEXT = st.text(st.sampled_from('a:"\\{}[], /\u00e9\u2028\U0001f600'), max_size=6)
TRICKY_TREES = st.recursive(
    SCALARS | TRICKY_TEXT,
    lambda children: (
        st.lists(children, max_size=4)
        | st.lists(st.tuples(TRICKY_TEXT | KEYS, children), max_size=3).map(lambda p: ("pairs", p))
    ),
    max_leaves=12,
)


def nested(text: str, depth: int) -> str:
    """The text ``depth`` containers down, objects and arrays in turn."""
    for level in range(depth):
        text = '{"d": ' + text + "}" if level % 2 else "[" + text + "]"
    return text


@settings(max_examples=100, deadline=None, database=None)
@given(
    TRICKY_TREES,
    st.lists(SPACES, min_size=1, max_size=4),
    st.sampled_from(sorted(STRING_WRITERS)),
    st.sampled_from([0, 3, jsonpos.MAX_LAZY_DEPTH - 2, jsonpos.MAX_LAZY_DEPTH + 1]),
    st.booleans(),
    st.sampled_from(["forward", "backward", "shuffled"]),
)
def test_tricky_strings_any_depth_and_a_bom_read_alike(tree, spaces, writer, depth, bom, order):
    """Escaped quotes and colons in keys and strings (also as \\u0022 and \\u003a), duplicate
    keys, nesting on both sides of MAX_LAZY_DEPTH, a byte-order mark: ``parse`` reads what the
    eager parser reads, with the same positions and the same duplicates."""
    text = nested(render(tree, itertools.cycle(spaces).__next__, STRING_WRITERS[writer]), depth)
    data = ("\ufeff" + text if bom else text).encode()
    assert jsonpos.decode_bytes(data) == text  # the mark is dropped before parsing
    assert_read_alike(text, (order,))


def calls_reading(text: str) -> list[str]:
    """The Python functions of jsonpos that reading ``text`` calls, one item per call."""
    calls = []

    def count(frame, event, arg):
        if event == "call" and frame.f_code.co_filename == jsonpos.__file__:
            calls.append(frame.f_code.co_name)

    sys.setprofile(count)
    try:
        read_fast(text)
    finally:
        sys.setprofile(None)
    return calls


def test_one_python_frame_per_container_below_the_top_levels():
    """Reading below the top levels costs one Python call per object and per array (the hook
    links the children itself): a second frame per container cost 4% of the reading
    (README, "The ARM reader: one frame per object")."""
    leaves = [{"name": f"n{i}", "value": [i, {"deep": True}]} for i in range(40)]
    text = json.dumps({"top": {"second": {"third": leaves}}})
    objects, arrays = 1 + 2 * len(leaves), len(leaves) + 1  # "third" and what it holds
    calls = calls_reading(text)
    assert calls.count("_member_hook") == objects
    assert calls.count("_array") == arrays
    assert len(calls) < objects + arrays + 12  # the top two levels' reader: a few calls


def test_no_python_frame_per_member_of_the_top_levels():
    """The top two levels' members are read in their object's (or array's) loop, a scalar or a
    value read whole by json.loads's scanner without a Python call of its own (a method per
    member cost 1% of the reading: README, s10-read)."""
    parameters = {f"p{i}": "x" for i in range(30)}
    text = json.dumps({"parameters": parameters, "resources": list(range(30)), "n": 1})
    calls = calls_reading(text)
    assert len(calls) < 15, calls  # the containers, their ends: not one per member
