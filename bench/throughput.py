"""Throughput on the whole corpus: files/s, MB/s and wall time, for all of it and per format.

Run: python bench/throughput.py [--repeat N] [--jobs N]
Each figure is the best of N fresh ``armlint check --no-cache`` processes (start-up included);
--jobs is passed on (default: armlint's own default, the number of cores).
"""

from __future__ import annotations

import argparse

from benchlib import (
    CORPUS,
    FORMATS,
    ONLY,
    armlint_process,
    best_of,
    corpus_files,
    machine,
    megabytes,
    require_corpus,
)


def measure(label: str, excludes: list[str], jobs: list[str], repeat: int, size: float) -> None:
    # From inside the corpus: command-line excludes are relative to the current folder.
    arguments = ["check", ".", "--format", "json", "--no-cache", *jobs]
    for pattern in excludes:
        arguments += ["--exclude", pattern]
    seconds, report = best_of(repeat, lambda: armlint_process(arguments, cwd=CORPUS))
    files = report["summary"]["files"]["total"]
    print(
        f"{label:<10} {files:>5} files {size:6.2f} MB  {seconds:6.2f} s"
        f"  {files / seconds:7.1f} files/s  {size / seconds:5.2f} MB/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    require_corpus()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"{machine()}; best of {args.repeat} fresh processes; {' '.join(jobs) or 'default jobs'}")
    measure("all", [], jobs, args.repeat, megabytes(corpus_files()))
    for fmt in FORMATS:
        measure(fmt, ONLY[fmt], jobs, args.repeat, megabytes(corpus_files(fmt)))


if __name__ == "__main__":
    main()
