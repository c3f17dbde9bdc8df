"""The ``armlint`` command leaves what it made to the operating system (issue 16, start-up).

At exit the interpreter's last collections walk every object still alive, armlint's modules,
the parser and the rule pack included: about 14 million instructions, 7% of a one-template
check as a fresh process (README, "Start-up at exit"). ``console_main`` freezes them first
(``gc.freeze``); ``main()`` does not, since a caller that runs it in-process (these tests)
needs a collector that still collects."""

import gc
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

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
    # Both enter through armlint.__main__.main, which answers an unchanged check from its
    # record (armlint/run/replay.py) and otherwise runs console_main.
    assert re.search(r'^armlint = "armlint\.__main__:main"$', scripts, re.MULTILINE)
    entry = (ROOT / "armlint" / "__main__.py").read_text()
    assert "sys.exit(main())" in entry
    assert "return console_main(invocation)" in entry


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


def test_report_files_are_whole_when_the_process_ends_at_once(tmp_path):
    """os._exit skips the flush of any file object still open: every report file must be
    written and closed before it. Reports well beyond a write buffer (8 KB), from the fixture
    rule templates, through the same fast end (the canary is not torn down)."""
    report, junit = tmp_path / "report.json", tmp_path / "report.xml"
    fixtures = ROOT / "tests" / "fixtures" / "arm" / "rules"
    arguments = ["check", "--format", "json", "--output", f"json:{report}"]
    arguments += ["--output", f"junit:{junit}", str(fixtures)]
    script = CANARY_RUN.replace('["armlint", "rules"]', f'["armlint", *{arguments!r}]')
    environment = {**os.environ, "ARMLINT_CACHE_DIR": str(tmp_path / "cache")}
    completed = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False
    )
    assert completed.returncode == 1 and "torn down" not in completed.stderr
    assert len(completed.stdout) > 20_000
    assert report.read_text(encoding="utf-8") == completed.stdout
    assert len(json.loads(completed.stdout)["findings"]) > 20
    suites = ElementTree.parse(junit).getroot()  # a file cut short does not parse
    assert int(suites.get("tests")) == len(list(suites.iter("testcase"))) > 50
