"""A named file brings what it must be evaluated with (the pre-commit case)."""

import os
from fnmatch import fnmatchcase
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from armlint.run.discover import _glob_test, discover

ROOT = Path(__file__).resolve().parents[2]
PARAMS = ROOT / "tests" / "fixtures" / "arm" / "eval" / "params"


def names(paths):
    found = discover([str(p) for p in paths]).candidates
    return sorted(os.path.basename(candidate.path) for candidate in found)  # text paths


def test_a_parameter_file_brings_its_template_and_back():
    assert names([PARAMS / "vm.parameters.json"]) == ["vm.json", "vm.parameters.json"]
    assert names([PARAMS / "vm.json"]) == ["vm.json", "vm.parameters.json"]


def test_a_tfvars_file_brings_its_module(tmp_path):
    (tmp_path / "main.tf").write_text('variable "x" {}\n')
    (tmp_path / "terraform.tfvars").write_text('x = "y"\n')
    (tmp_path / "other.tfvars").write_text('x = "z"\n')
    assert names([tmp_path / "terraform.tfvars"]) == ["main.tf", "terraform.tfvars"]


def test_the_changed_parameter_value_is_used_for_the_template():
    from armlint.run.pipeline import RunOptions, run_check

    result = run_check(RunOptions(paths=[str(PARAMS / "vm.parameters.json")]))
    assert [f.rule for f in result.findings if f.rule == "AZP102"] == ["AZP102"]


NAME_PARTS = ["a", "A", ".", "parameters", "json", "JSON", "jsonc", "*", "?", "[x]", "-", ""]


@given(
    st.lists(st.sampled_from(NAME_PARTS), max_size=6),
    st.lists(st.sampled_from(NAME_PARTS), max_size=6),
)
def test_the_glob_tests_agree_with_fnmatch(stem_parts: list[str], name_parts: list[str]) -> None:
    """The companions' patterns are told without fnmatch (issue 16, s11-rest): the same
    answers, a stem with glob characters of its own included."""
    stem, name = "".join(stem_parts), "".join(name_parts)
    for pattern in (f"{stem}.parameters*.json*", "*"):
        for candidate in (name, f"{stem}{name}", f"{stem}.parameters{name}"):
            assert _glob_test(pattern)(candidate) == fnmatchcase(candidate, pattern)
