"""bench/benchlib.py counts the armlint of the checkout it is given (issue 16's instruction
counts compare a baseline checkout with a branch): neither the child's current folder nor the
checkout the interpreter's environment has installed in editable mode may decide which code
runs."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _benchlib():
    spec = importlib.util.spec_from_file_location("benchlib", ROOT / "bench" / "benchlib.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.skipif(sys.version_info < (3, 11), reason="PYTHONSAFEPATH is Python 3.11's")
def test_a_counted_child_runs_the_armlint_of_the_checkout_given(tmp_path):
    other = tmp_path / "other-checkout"
    (other / "armlint").mkdir(parents=True)
    (other / "armlint" / "__init__.py").write_text("", encoding="utf-8")
    (other / "armlint" / "__main__.py").write_text("print('other checkout')", encoding="utf-8")
    benchlib = _benchlib()
    # Run in the checkout (the default), or from this checkout, whose armlint the interpreter
    # also has installed (editable).
    for folder in (other, ROOT):
        completed = subprocess.run(
            [sys.executable, "-m", "armlint"],
            cwd=folder,
            env=benchlib.counting_environment(checkout=other, cwd=folder),
            capture_output=True,
            text=True,
            check=False,
        )
        assert completed.stdout == "other checkout\n", (folder, completed.stderr)
