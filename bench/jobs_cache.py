"""--jobs 1 against --jobs 2 on the corpus (the JSON must be byte-identical), and a cold run
against a second run with the result cache.

Run: python bench/jobs_cache.py [CORPUS]   (default: ../shared/corpus beside the repository)
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(arguments: list[str], env: dict) -> tuple[float, bytes]:
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", "check", *arguments, "--format", "json"],
        capture_output=True,
        env=env,
        check=False,
    )
    return time.perf_counter() - start, completed.stdout


def main() -> None:
    corpus = sys.argv[1] if len(sys.argv) > 1 else str(ROOT.parent / "shared" / "corpus")
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["ARMLINT_CACHE_DIR"] = cache
        run([str(ROOT / "examples"), "--no-cache"], env)  # bytecode, as after installation
        serial, serial_out = run([corpus, "--jobs", "1", "--no-cache"], env)
        parallel, parallel_out = run([corpus, "--jobs", "2", "--no-cache"], env)
        cold, cold_out = run([corpus, "--jobs", "2"], env)
        warm, warm_out = run([corpus, "--jobs", "2"], env)
    print(
        f"--jobs 1: {serial:.2f} s   --jobs 2: {parallel:.2f} s   identical: {serial_out == parallel_out}"
    )
    print(
        f"cache: first run {cold:.2f} s, second run {warm:.2f} s ({cold / warm:.1f}x faster),"
        f" identical: {cold_out == warm_out == serial_out}"
    )


if __name__ == "__main__":
    main()
