"""Fixtures for the whole suite: where the shared corpus and specs are, one armlint cache folder.

The shared data (../shared/corpus, ../shared/spec) lives beside the repository, as it does beside
/work/main and every worktree next to it. A test that needs it asks for ``corpus_dir`` or
``spec_dir``: where the data is absent the test is skipped on a developer's machine, but in CI
(``CI`` set, as GitHub Actions, Azure Pipelines and GitLab do) it fails, so that a CI job which
lost the data cannot pass by skipping the real-world tests.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
_CACHE = pytest.StashKey[tuple[str, "dict[str, str | None]"]]()


def shared_folder(name: str) -> Path:
    """../shared/NAME, or skip (fail in CI) when it is not there."""
    folder = SHARED / name
    if folder.is_dir():
        return folder
    message = f"{folder} is not there (the shared data beside the repository)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must have it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return shared_folder("corpus")


@pytest.fixture(scope="session")
def spec_dir() -> Path:
    return shared_folder("spec")


def pytest_configure(config) -> None:
    """One ARMLINT_CACHE_DIR for the whole run (collection included), inherited by every
    subprocess armlint.

    The compiled Terraform grammar (about 2 s to build) is then built once per run instead of
    once per test, and no test reads or writes the user's ~/.cache/armlint (a stale result there
    could hide a change). Tests about the cache itself still set their own folder.

    Where PYTHONDONTWRITEBYTECODE is set (as on the machines this suite was timed on), every
    ``python -m armlint`` the tests start compiled all of armlint's modules again: about 1.2 s
    of CPU per process, most of the suite's time. The subprocesses then write their bytecode
    into the same temporary folder (PYTHONPYCACHEPREFIX), never into the work tree.

    With pytest-xdist (``-n 2`` in pyproject.toml) the controller sets this up before it starts
    its workers, which inherit the variables: the workers share the one folder (the grammar,
    cache and bytecode files are written atomically) and leave its removal to the controller.
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller's folder is in use
        return
    folder = tempfile.mkdtemp(prefix="armlint-test-cache-")
    variables: dict[str, str | None] = {"ARMLINT_CACHE_DIR": folder}
    if os.environ.get("PYTHONDONTWRITEBYTECODE") and not os.environ.get("PYTHONPYCACHEPREFIX"):
        variables.update(
            PYTHONDONTWRITEBYTECODE=None, PYTHONPYCACHEPREFIX=os.path.join(folder, "pycache")
        )
    config.stash[_CACHE] = (folder, {name: os.environ.get(name) for name in variables})
    _set_environment(variables)


def pytest_unconfigure(config) -> None:
    folder, previous = config.stash.get(_CACHE, (None, {}))
    if folder is None:
        return
    shutil.rmtree(folder, ignore_errors=True)
    _set_environment(previous)


def _set_environment(variables: dict[str, str | None]) -> None:
    """Set each variable to its value; None removes it."""
    for name, value in variables.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@dataclass
class CliRun:
    """What one ``armlint`` command line run in this process returned and printed."""

    code: int
    out: str
    err: str

    def json(self) -> dict:
        return json.loads(self.out)


@pytest.fixture
def armlint_cli(capsys) -> Callable[..., CliRun]:
    """``armlint ARGUMENTS`` through ``armlint.cli.main`` in this process, output captured.

    For tests about what armlint reports: no interpreter start-up or imports per call, and the
    Terraform grammar is built once per test run. Tests about the process itself (exit status
    seen by a shell, stdout encoding, an entry point) run ``python -m armlint`` instead.
    """
    from armlint import cli

    def run(*arguments: str) -> CliRun:
        capsys.readouterr()  # drop what the test printed before
        code = cli.main([str(argument) for argument in arguments])
        captured = capsys.readouterr()
        return CliRun(code, captured.out, captured.err)

    return run
