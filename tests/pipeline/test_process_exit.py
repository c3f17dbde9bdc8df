"""The ``armlint`` command leaves what it made to the operating system (issue 16, start-up).

At exit the interpreter's last collections walk every object still alive, armlint's modules,
the parser and the rule pack included: about 14 million instructions, 7% of a one-template
check as a fresh process (README, "Start-up at exit"). ``console_main`` freezes them first
(``gc.freeze``); ``main()`` does not, since a caller that runs it in-process (these tests)
needs a collector that still collects."""

import gc
import re
import subprocess
import sys
from pathlib import Path

import pytest

from armlint import cli

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def unfrozen():
    assert gc.get_freeze_count() == 0
    yield
    gc.unfreeze()


@pytest.fixture
def default_threshold():
    before = gc.get_threshold()
    gc.set_threshold(700)
    yield
    gc.set_threshold(*before)


def test_the_command_freezes_what_is_alive_when_it_ends(
    unfrozen, default_threshold, monkeypatch, capsys
):
    # --version ends in SystemExit, as --help and usage errors do: frozen all the same.
    monkeypatch.setattr("sys.argv", ["armlint", "--version"])
    with pytest.raises(SystemExit):
        cli.console_main()
    assert capsys.readouterr().out.startswith("armlint ")
    assert gc.get_freeze_count() > 0


def test_the_command_collects_young_objects_less_often(
    unfrozen, default_threshold, monkeypatch, capsys
):
    """Start-up's objects live to the end: collecting every 700 new ones was about 5 M
    instructions of a one-template check re-visiting them (README, session 9, s9-start)."""
    monkeypatch.setattr("sys.argv", ["armlint", "--version"])
    with pytest.raises(SystemExit):
        cli.console_main()
    assert gc.get_threshold()[0] == cli.YOUNG_COLLECTION_THRESHOLD >= 10_000


def test_main_itself_leaves_the_collector_as_it_was(unfrozen, default_threshold, capsys):
    assert cli.main(["rules"]) == 0
    assert "AZP101" in capsys.readouterr().out
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold()[0] == 700


def test_the_installed_command_and_python_m_armlint_go_through_it():
    scripts = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^armlint = "armlint\.cli:console_main"$', scripts, re.MULTILINE)
    assert "sys.exit(console_main())" in (ROOT / "armlint" / "__main__.py").read_text()


# A fresh process that runs the command through console_main, with an object whose __del__
# says when the interpreter's teardown destroys it, and optionally an atexit handler.
CANARY_RUN = """
import atexit, sys
from armlint import cli

class Canary:
    def __del__(self):
        print("torn down", file=sys.stderr)

cli.canary = Canary()
if sys.argv[1:] == ["handler"]:
    atexit.register(print, "handler ran", file=sys.stderr)
sys.argv = ["armlint", "rules"]
sys.exit(cli.console_main())
"""


def _canary_run(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", CANARY_RUN, *arguments], capture_output=True, text=True, check=False
    )


def test_the_command_ends_without_the_interpreter_teardown():
    """Nothing registered to run at exit: the process ends at once (the teardown of every
    module was about 5 M instructions), its output written and its exit code kept."""
    completed = _canary_run()
    assert completed.returncode == 0
    assert "AZP101" in completed.stdout
    assert "torn down" not in completed.stderr


def test_an_exit_handler_still_runs():
    """A registered atexit handler (multiprocessing's, a coverage tool's): a normal exit."""
    completed = _canary_run("handler")
    assert completed.returncode == 0 and "AZP101" in completed.stdout
    assert "handler ran" in completed.stderr and "torn down" in completed.stderr
