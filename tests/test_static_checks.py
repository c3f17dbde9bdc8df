"""Lint, format and type checks, run by the default test run (so by .ci/run) and failing it.

The project's own commands exactly: ``ruff check .``, ``ruff format --check .`` and ``mypy``
(configured in pyproject.toml [tool.mypy]). Each runs as a process in the repository root;
a missing tool fails the test (they are in the ``test`` extras), it is never skipped.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_the_checker_is_clean(command):
    completed = subprocess.run(
        [sys.executable, "-m", *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
