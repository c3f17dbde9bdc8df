"""The ``armlint`` command leaves what it made to the operating system (issue 16, start-up).

At exit the interpreter's last collections walk every object still alive, armlint's modules,
the parser and the rule pack included: about 14 million instructions, 7% of a one-template
check as a fresh process (README, "Start-up at exit"). ``console_main`` freezes them first
(``gc.freeze``); ``main()`` does not, since a caller that runs it in-process (these tests)
needs a collector that still collects."""

import gc
import re
from pathlib import Path

import pytest

from armlint import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


def test_the_command_freezes_what_is_alive_when_it_ends(unfrozen, monkeypatch, capsys):
    # --version ends in SystemExit, as --help and usage errors do: frozen all the same.
    monkeypatch.setattr("sys.argv", ["armlint", "--version"])
    with pytest.raises(SystemExit):
        cli.console_main()
    assert capsys.readouterr().out.startswith("armlint ")
    assert gc.get_freeze_count() > 0


def test_main_itself_leaves_the_collector_as_it_was(unfrozen, capsys):
    assert cli.main(["rules"]) == 0
    assert "AZP101" in capsys.readouterr().out
    assert gc.get_freeze_count() == 0


def test_the_installed_command_and_python_m_armlint_go_through_it():
    scripts = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^armlint = "armlint\.cli:console_main"$', scripts, re.MULTILINE)
    assert "sys.exit(console_main())" in (ROOT / "armlint" / "__main__.py").read_text()
