"""A longer run of the fuzz tests in tests/hardening (test_fuzz_*.py).

Run: python bench/fuzz.py [--cases N] [-- PYTEST-ARGS...]
Every property runs N examples (default 50,000), the whole-check property N/20 (it checks real
damaged corpus files in-process, about 10 ms each). CI runs the same tests with their own,
smaller counts. Prints pytest's result and the wall time; the exit code is pytest's.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FUZZ_TESTS = sorted(str(path) for path in (ROOT / "tests" / "hardening").glob("test_fuzz_*.py"))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=50_000, help="examples per property")
    parser.add_argument("pytest_args", nargs="*", help="more pytest arguments, after --")
    args = parser.parse_args()
    environment = dict(os.environ, ARMLINT_FUZZ_CASES=str(args.cases))
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", "--durations=0"]
    print(f"{args.cases} examples per property ({args.cases // 20} for the whole check)")
    start = time.perf_counter()
    completed = subprocess.run(
        [*command, *FUZZ_TESTS, *args.pytest_args], env=environment, cwd=ROOT
    )
    print(f"wall time {time.perf_counter() - start:.1f} s")
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())
