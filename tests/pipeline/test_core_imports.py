"""The shared path of every run (the model, the run pipeline, the checks, the reports a check
of one template uses, the command line) imports neither ``dataclasses`` nor ``typing``
(issue 16, start-up): creating a dataclass compiles its methods from source, about a
millisecond each, and ``dataclasses`` imports inspect, ast, dis and tokenize; ``typing`` alone
is about 15 million instructions. Their classes are plain classes with ``__slots__``
(``armlint.model.Value``); annotations import typing only under ``TYPE_CHECKING``.

The format folders (``armlint/arm``, ``compute``, ``terraform``, ``bicep``) are left out here:
tests/arm/test_one_file_imports.py covers a whole one-template check."""

import argparse
import json
import subprocess
import sys

import pytest

from armlint.cli import COMMANDS, main
from armlint.model import Finding, Fix, Location, TextEdit

CORE_MODULES = (
    "armlint.cli",
    "armlint.config",
    "armlint.model",
    "armlint.inputs",
    "armlint.datacache",
    "armlint.run.options",
    "armlint.run.discover",
    "armlint.run.workunits",
    "armlint.run.findings",
    "armlint.run.suppressions",
    "armlint.run.pipeline",
    "armlint.checks.pack",
    "armlint.checks.hits",
    "armlint.checks.conditions",
    "armlint.checks.engine",
    "armlint.checks.code_rules",
    "armlint.checks.derive",
    "armlint.checks.tables",
    "armlint.report",
    "armlint.report.common",
    "armlint.report.text",
    "armlint.report.json_report",
)
NOT_ON_THE_CORE_PATH = ("dataclasses", "inspect", "typing", "datetime")


# What importing the core modules leaves behind, seen in a fresh interpreter: the modules
# loaded, and the compiled patterns in the core modules' globals (in this process a test that
# already ran a check would have compiled those compiled at first use).
_AFTER_IMPORT = (
    "import json, re, sys\n"
    f"names = {CORE_MODULES!r}\n"
    "for name in names:\n"
    "    __import__(name)\n"
    "compiled = sorted(\n"
    "    f'{name}.{attribute}'\n"
    "    for name in names\n"
    "    for attribute, value in vars(sys.modules[name]).items()\n"
    "    if isinstance(value, re.Pattern) and not attribute.startswith('__')\n"
    ")\n"
    f"print(json.dumps([sorted(set(sys.modules) & set({NOT_ON_THE_CORE_PATH!r})), compiled]))\n"
)


@pytest.fixture(scope="module")
def after_core_import() -> tuple[list[str], list[str]]:
    """(the unwanted modules imported, the compiled patterns) after importing CORE_MODULES."""
    completed = subprocess.run(
        [sys.executable, "-c", _AFTER_IMPORT], capture_output=True, text=True, check=True
    )
    modules, compiled = json.loads(completed.stdout)
    return modules, compiled


def test_the_core_modules_import_neither_dataclasses_nor_typing(after_core_import):
    modules, _ = after_core_import
    assert modules == []


# Compiling a pattern costs 0.3-1.7 M instructions: the shared path keeps its patterns as
# text that ``re`` compiles at first use, or compiles them itself at first use (the
# api-version pattern: a Terraform check never reads one).
def test_the_core_modules_compile_no_pattern_at_import(after_core_import):
    _, compiled = after_core_import
    assert compiled == []


def test_a_no_cache_run_does_not_import_the_result_cache():
    """``--no-cache`` (and every check whose cache is off) needs neither the entries' checker
    nor the packs: the work units import them where the cache is read or written."""
    code = (
        "import sys\n"
        "import armlint.run.workunits, armlint.run.pipeline\n"
        "print(sorted(name for name in sys.modules if name.startswith('armlint.run.cache')))\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "[]", completed.stdout


def test_a_finding_is_written_for_the_cache_as_dataclasses_asdict_wrote_it():
    """The result cache writes ``Finding.to_dict()``: every field, nested values as dicts and
    tuples, as ``dataclasses.asdict`` gave them before the classes became plain ones."""
    where = Location("vm.json", 3, 5, 3, 9)
    fix = Fix(
        "set it", "safe", (TextEdit("vm.json", 10, 12, '"x"', where), TextEdit("a", 1, 2, ""))
    )
    finding = Finding("AZP102", "n", "error", "m", where, "r", ("p",), "f", "", "s", "p.json", fix)
    edit_dicts = (
        {"path": "vm.json", "start": 10, "end": 12, "new_text": '"x"', "location": where.to_dict()},
        {"path": "a", "start": 1, "end": 2, "new_text": "", "location": None},
    )
    assert finding.to_dict() == {
        "rule": "AZP102",
        "name": "n",
        "severity": "error",
        "message": "m",
        "location": {"path": "vm.json", "line": 3, "column": 5, "end_line": 3, "end_column": 9},
        "resource": "r",
        "provenance": ("p",),
        "fingerprint": "f",
        "suppressed": "",
        "scenario": "s",
        "parameter_file": "p.json",
        "fix": {"title": "set it", "applicability": "safe", "edits": edit_dicts},
    }
    assert list(finding.to_dict()) == list(Finding.__slots__)  # the fields, in their order
    copy = finding.replace(suppressed="why")
    assert copy.suppressed == "why" and copy.replace(suppressed="") == finding
    assert hash(where) == hash(Location("vm.json", 3, 5, 3, 9))


def test_version_builds_no_sub_command_and_help_lists_them_all(monkeypatch, capsys):
    """``armlint --version`` exits as soon as argparse reads it: building the seven
    sub-commands' parsers first was most of its start-up. ``--help`` still lists them all."""
    made = []
    build = argparse.ArgumentParser.__init__

    def counting(self, *args, **kwargs):
        made.append(kwargs.get("prog"))
        build(self, *args, **kwargs)

    monkeypatch.setattr(argparse.ArgumentParser, "__init__", counting)
    with pytest.raises(SystemExit):
        main(["--version"])
    assert made == ["armlint"]
    assert capsys.readouterr().out.startswith("armlint ")
    with pytest.raises(SystemExit):
        main(["--help"])
    listed = capsys.readouterr().out
    assert len(made) == 1 + 1 + len(COMMANDS)
    assert all(f"\n    {command}" in listed for command in COMMANDS)
