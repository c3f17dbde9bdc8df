"""One ``armlint check`` of the whole corpus, shared by the corpus tests (it is their cost)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable

import pytest

COMMAND = [sys.executable, "-m", "armlint", "check", ".", "--format", "json", "--show-unknown"]


@pytest.fixture(scope="session")
def corpus_check(corpus_dir, tmp_path_factory) -> subprocess.CompletedProcess:
    """``python -m armlint check . --format json --show-unknown --no-cache`` run inside the
    corpus folder: a real process (its exit code and stderr are asserted), paths relative to
    the corpus (so the snapshot does not depend on where it sits), no result cache (a cached
    result could hide a change). Once per test run, even when two pytest-xdist workers run
    test_corpus.py and test_snapshot.py."""

    def run() -> dict:
        completed = subprocess.run(
            [*COMMAND, "--no-cache"],
            cwd=corpus_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        return {"returncode": completed.returncode, "stdout": completed.stdout,
                "stderr": completed.stderr}  # fmt: skip

    return subprocess.CompletedProcess(COMMAND, **once_per_run(tmp_path_factory, "corpus", run))


def once_per_run(tmp_path_factory, name: str, compute: Callable[[], dict]) -> dict:
    """``compute()`` once for the whole run. Under pytest-xdist each worker has its own session
    fixtures; the first worker here computes under a lock in the folder the workers share (the
    parent of each worker's base temporary folder) and leaves the JSON for the other."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    try:
        import fcntl
    except ImportError:  # Windows: each worker computes it
        fcntl = None
    if worker is None or fcntl is None:
        return compute()
    shared = tmp_path_factory.getbasetemp().parent
    stored = shared / f"{name}.json"
    with open(shared / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if stored.is_file():
            return json.loads(stored.read_text(encoding="utf-8"))
        value = compute()
        stored.write_text(json.dumps(value), encoding="utf-8")
        return value
