"""One ``armlint check`` of the whole corpus, shared by the corpus tests (it is their cost)."""

from __future__ import annotations

import subprocess
import sys

import pytest

COMMAND = [sys.executable, "-m", "armlint", "check", ".", "--format", "json", "--show-unknown"]


@pytest.fixture(scope="session")
def corpus_check(corpus_dir) -> subprocess.CompletedProcess:
    """``python -m armlint check . --format json --show-unknown --no-cache`` run inside the
    corpus folder: a real process (its exit code and stderr are asserted), paths relative to
    the corpus (so the snapshot does not depend on where it sits), no result cache (a cached
    result could hide a change)."""
    return subprocess.run(
        [*COMMAND, "--no-cache"],
        cwd=corpus_dir,
        capture_output=True,
        text=True,
        check=False,
    )
