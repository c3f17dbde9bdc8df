"""What importing the ARM evaluator costs every check (issue 16: one ARM template under 60 ms
CPU as a fresh process; README "Start-up inside arm/ and compute/").

Creating a dataclass compiles its methods from source text at import: about 2 million
instructions each, 4 million when frozen, which was two thirds of importing ``armlint.arm`` and
``armlint.compute``; importing ``typing`` about 15 million. A regular expression compiled at
import costs 0.4 to 2 million. These tests read the modules as they are (no process is
started): a failure names the class to make a plain one, the name to import only under
``TYPE_CHECKING``, or the pattern to compile on first use."""

import dataclasses
import importlib
import pkgutil
import re
import typing

import pytest

import armlint.arm
import armlint.compute
from armlint.arm import jsonpos

# Compiled at import because every check of a template uses them: the tokenizer of every
# expression, and the reader's position pass (members, commas, spaces).
PATTERNS_EVERY_CHECK_USES = {
    "armlint.arm.expressions._TOKEN",
    "armlint.arm.jsonpos._PLAIN_KEY",
    "armlint.arm.jsonpos._COMMA",
    "armlint.arm.jsonpos._NEXT_NAME",
    "armlint.arm.jsonpos._SPACE",
}


def _modules() -> list:
    names = [
        f"{package.__name__}.{info.name}"
        for package in (armlint.arm, armlint.compute)
        for info in pkgutil.iter_modules(package.__path__)
    ]
    return [importlib.import_module(name) for name in [armlint.arm.__name__, *names]]


def _own_classes(module) -> list[type]:
    return [
        value
        for value in vars(module).values()
        if isinstance(value, type) and value.__module__ == module.__name__
    ]


def test_the_arm_and_compute_modules_define_no_dataclass_and_do_not_import_typing():
    modules = _modules()
    assert len(modules) > 15  # every module of both packages was found
    dataclass_types = [
        f"{module.__name__}.{cls.__name__}"
        for module in modules
        for cls in _own_classes(module)
        if dataclasses.is_dataclass(cls)
    ]
    importing_dataclasses = [
        module.__name__
        for module in modules
        if any(
            value is dataclasses or value is dataclasses.dataclass
            for value in vars(module).values()
        )
    ]
    # typing alone is about 15 million instructions; annotations import it only under
    # TYPE_CHECKING (as armlint.model does).
    importing_typing = [
        f"{module.__name__}.{name}"
        for module in modules
        for name, value in vars(module).items()
        if value is typing or getattr(value, "__module__", None) == "typing"
    ]
    assert dataclass_types == []
    assert importing_dataclasses == []
    assert importing_typing == []


def test_only_patterns_every_check_uses_are_compiled_at_import():
    compiled = {
        f"{module.__name__}.{name}"
        for module in _modules()
        for name, value in vars(module).items()
        if isinstance(value, re.Pattern)
    }
    assert compiled <= PATTERNS_EVERY_CHECK_USES


@pytest.mark.parametrize(
    ("text", "compiled"),
    [('{"a": [1, 2.5, "x"]}', False), ('{"a": 1 // a comment Azure accepts\n}', True)],
)
def test_the_eager_parsers_patterns_are_compiled_only_when_a_file_needs_it(text, compiled):
    jsonpos._eager_patterns.cache_clear()
    value, _ = jsonpos.parse(text)
    assert value["a"] in ([1, 2.5, "x"], 1)
    assert (jsonpos._eager_patterns.cache_info().currsize == 1) is compiled
