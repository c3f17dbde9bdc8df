"""A command's ``main(argv)`` run in the test process as a separate process would run it.

Starting ``python -m armlint`` costs an interpreter and armlint's imports per call; where the
process itself is not what a test is about, this gives the same exit code and output at a
fraction of the cost. Tests about the process (signals, a closed pipe, stdout encoding, the
entry point) still start one.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def run_main(
    main: Callable[[list[str]], int],
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    stdin: TextIO,
    stdout: TextIO | None = None,
) -> subprocess.CompletedProcess:
    """``main(argv)`` in ``cwd`` with exactly the variables ``env`` and ``stdin``; stdout and
    stderr captured (stdout written to ``stdout`` instead when given). The working folder,
    environment and streams are restored afterwards."""
    out, err = io.StringIO(), io.StringIO()
    saved_environment, saved_folder, saved_stdin = dict(os.environ), os.getcwd(), sys.stdin
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        sys.stdin = stdin
        with contextlib.redirect_stdout(stdout or out), contextlib.redirect_stderr(err):
            code = _exit_code(main, argv)
    finally:
        sys.stdin = saved_stdin
        os.chdir(saved_folder)
        os.environ.clear()
        os.environ.update(saved_environment)
    return subprocess.CompletedProcess(argv, code, out.getvalue(), err.getvalue())


def _exit_code(main: Callable[[list[str]], int], argv: list[str]) -> int:
    """What the shell would see: main's return value, or the code of a SystemExit (argparse
    raises one for a usage error or --help), as Python's exit turns it into a status."""
    try:
        return main(argv)
    except SystemExit as stop:
        if stop.code is None:
            return 0
        return stop.code if isinstance(stop.code, int) else 1
