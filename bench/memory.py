"""Peak memory (maximum resident set size) of armlint, measured from outside the process.

Run: python bench/memory.py [FILE ...]
Default: the largest corpus file (deploy-baseline.json, 2.4 MB, 684 nested deployments), then
the whole corpus with one process and with the default number. Each case runs in a fresh
measuring process, because a process's RUSAGE_CHILDREN maximum only ever grows.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from benchlib import CORPUS, LARGEST, machine

# Runs armlint as its only child and prints the child's peak RSS in kilobytes (Linux units).
MEASURE = """
import os, resource, subprocess, sys
environment = dict(os.environ, CI="1")
subprocess.run([sys.executable, "-m", "armlint", *sys.argv[1:]], stdout=subprocess.DEVNULL,
               env=environment, check=False)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def peak_megabytes(arguments: list[str]) -> float:
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, *arguments], capture_output=True, text=True, check=True
    )
    kilobytes = int(completed.stdout.split()[-1])
    return kilobytes * (1 if sys.platform != "darwin" else 1 / 1024) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    print(f"{machine()}; peak RSS of a fresh `armlint check --no-cache`")
    cases = [(str(path), ["check", str(path)]) for path in args.files]
    if not cases:
        if not LARGEST.is_file():
            sys.exit(f"no corpus at {CORPUS}")
        size = LARGEST.stat().st_size / 1e6
        cases = [
            (f"{LARGEST.name} ({size:.1f} MB)", ["check", str(LARGEST)]),
            ("whole corpus, --jobs 1", ["check", str(CORPUS), "--jobs", "1"]),
            ("whole corpus, default jobs (largest process)", ["check", str(CORPUS)]),
        ]
    print(f"{'armlint --version (interpreter floor)':<48} {peak_megabytes(['--version']):6.1f} MB")
    for label, arguments in cases:
        print(f"{label:<48} {peak_megabytes([*arguments, '--no-cache']):6.1f} MB")


if __name__ == "__main__":
    main()
