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
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SNAPSHOT = Path(__file__).with_name("snapshot.json")

pytestmark = pytest.mark.skipif(
    not CORPUS.is_dir() and not os.environ.get("CI"), reason=f"no corpus at {CORPUS}"
)


def corpus_output(tmp_path: Path) -> str:
    env = dict(os.environ, ARMLINT_CACHE_DIR=str(tmp_path / "cache"))
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", "check", ".", "--format", "json", "--show-unknown"],
        cwd=CORPUS,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert completed.returncode in (0, 1), completed.stderr
    report = json.loads(completed.stdout)
    report.pop("version", None)  # a release bump is not a behaviour change
    return json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def test_corpus_output_matches_the_snapshot(tmp_path):
    actual = corpus_output(tmp_path)
    if os.environ.get("ARMLINT_UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(actual, encoding="utf-8")
    expected = SNAPSHOT.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(
            expected.splitlines(), actual.splitlines(), "snapshot.json", "now", lineterm="", n=2
        )
        shown = "\n".join(list(diff)[:200])
        pytest.fail(f"corpus output changed (explain it, then regenerate):\n{shown}")
