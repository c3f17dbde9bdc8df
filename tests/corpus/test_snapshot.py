"""Snapshot of the full JSON output of `armlint check` on the real-world corpus (cfn-lint's
snapshot idea): every restructuring shows exactly which findings, unknowns and notes it changes.

A deliberate change is accepted by regenerating the snapshot and explaining each changed finding
in the commit message:

    ARMLINT_UPDATE_SNAPSHOT=1 python -m pytest tests/corpus/test_snapshot.py

The run is made from inside the corpus folder with `.` as the path, so the stored paths do not
depend on where the repository and the corpus sit on disk.
"""

import difflib
import json
import os
from pathlib import Path

import pytest

SNAPSHOT = Path(__file__).with_name("snapshot.json")

pytestmark = pytest.mark.corpus  # ../shared/corpus from tests/conftest.py: skipped, or failed in CI


def corpus_output(completed) -> str:
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    report.pop("version", None)  # a release bump is not a behaviour change
    return json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_corpus_output_matches_the_snapshot(corpus_check):
    # The run: tests/corpus/conftest.py (inside the corpus folder, `.` as the path).
    actual = corpus_output(corpus_check)
    if os.environ.get("ARMLINT_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "snapshot.json", "now", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:200])
        pytest.fail(f"corpus output changed (explain it, then regenerate):\n{shown}")
