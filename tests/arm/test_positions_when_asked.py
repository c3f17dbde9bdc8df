"""Positions that ARM evaluation works out only when asked (issue 16, session 7): the line
index of a file grows to the position asked, a parameter file's origins ("set in
vm.parameters.json:6") are worked out when a trace names them, copying a container's positions
raises nothing for the spans not computed yet, and each template looks at the parameter files
of its own folder only."""

import json
import random
import sys
from pathlib import Path

from armlint.arm import jsonpos
from armlint.arm.jsonpos import SourceText, parse
from armlint.arm.loader import ParameterFiles, given_values, parameter_files_for, read_json
from armlint.arm.template import location_of, value_line
from armlint.model import Location


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - before.rfind("\n")


def test_the_line_index_covers_the_text_up_to_the_position_asked_only():
    text = "".join(f'  "line{number}": {number},\n' for number in range(5000))  # ~100 kB
    src = SourceText("big.json", text)
    near_top = text.index('"line40"')
    assert src.line_col(near_top) == (41, 3)
    indexed = len(src._blocks[0]) - 1  # blocks of jsonpos._BLOCK characters
    assert indexed * jsonpos._BLOCK <= near_top + jsonpos._BLOCK
    assert indexed < len(text) // jsonpos._BLOCK // 10
    # Asked anywhere, in any order, it answers as counting from the start does.
    offsets = [0, len(text), near_top, *random.Random(7).sample(range(len(text)), 200)]
    random.Random(8).shuffle(offsets)
    for offset in offsets:
        assert src.line_col(offset) == _line_col(text, offset)


def test_a_parameter_file_says_where_it_sets_a_value_only_when_a_trace_names_it(tmp_path):
    path = tmp_path / "vm.parameters.json"
    values = {f"p{number}": {"value": number} for number in range(300)}
    path.write_text(json.dumps({"parameters": values}, indent=2))
    document = read_json(path)
    given = given_values(document)
    assert all(callable(value.origin) for value in given.values())
    assert len(document.src._blocks[0]) == 1  # no line worked out yet
    parameters = document.value["parameters"]
    where = location_of(parameters["p250"], "value", Location("", 1, 1))
    assert given["p250"].origin_text() == f"set in vm.parameters.json:{where.line}"
    assert given["p250"].origin == given["p250"].origin_text()  # kept once worked out


def test_the_place_of_a_value_is_its_file_and_line_or_the_fallbacks():
    value, _ = parse('{\n  "a": 1,\n\n  "b": {"c": 2}\n}', "folder/main.json")
    assert value_line(value, "b", Location("x", 9, 9)) == "main.json:4"
    assert value_line(value["b"], "c", Location("x", 9, 9)) == "main.json:4"
    built = {"b": 1}  # an object an expression made: no positions
    assert value_line(built, "b", Location("other/vm.json", 7, 1)) == "vm.json:7"


def test_copying_positions_raises_nothing_for_spans_not_computed_yet():
    value, _ = parse('{"a": {"b": [1, {"c": 2}]}}', "x.json")
    inner = value["a"]["b"]
    copies = [(inner, jsonpos.JsonArray(inner)), (inner[1], jsonpos.JsonObject(inner[1]))]
    raised = []

    def tracer(frame, event, arg):
        if event == "exception" and frame.f_code is jsonpos.copy_positions.__code__:
            raised.append(arg[0])
        return tracer

    sys.settrace(tracer)
    try:
        for source, target in copies:
            jsonpos.copy_positions(source, target)
    finally:
        sys.settrace(None)
    assert raised == []
    for source, target in copies:  # the copies still work their spans out from the source's
        assert target.location() == source.location()


def test_each_template_gets_the_parameter_files_of_its_own_folder():
    folders = [Path("a"), Path("a/b"), Path("c")]
    names = ["main.parameters.json", "main.parameters.dev.json", "vm.parameters.jsonc", "x.json"]
    parameter_paths = [folder / name for folder in folders for name in names]
    files = ParameterFiles(parameter_paths)
    for folder in folders:
        for template in (folder / "main.json", folder / "vm.json", folder / "other.json"):
            expected = parameter_files_for(template, parameter_paths)
            assert files.beside(template) == expected
            assert all(path.parent == folder for path in expected)
    assert files.beside(Path("a/main.json")) == [
        Path("a/main.parameters.dev.json"),
        Path("a/main.parameters.json"),
    ]
