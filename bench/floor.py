"""How far armlint is from the floor: reading the ARM files and json.loads on each.

Run: python bench/floor.py [--repeat N]
Both sides run in this one process, single-threaded, after a warm-up run, so interpreter
start-up and imports count for neither: the floor reads each file's bytes, decodes them and
calls json.loads; armlint runs ``run_check`` (discover, position-keeping parse, evaluation,
rules) on the same files, with and without exploring allowedValues. Prints the best of N for
each and the multiples, then a fresh ``armlint check`` process with the default number of
jobs, start-up included, for scale.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import time

from benchlib import CORPUS, ONLY, armlint_process, corpus_files, machine, only, require_corpus


def floor_once(paths) -> float:
    start = time.perf_counter()
    for path in paths:
        data = path.read_bytes()
        with contextlib.suppress(ValueError):  # the one invalid corpus file; armlint reads it too
            json.loads(data.decode("utf-8-sig"))
    return time.perf_counter() - start


def armlint_once(explore: bool = True) -> float:
    """The corpus folder with every other format excluded: the files of corpus_files('ARM')."""
    from armlint.run.pipeline import RunOptions, run_check

    start = time.perf_counter()
    run_check(RunOptions(paths=[str(CORPUS)], exclude=only("ARM"), jobs=1, explore=explore))
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    require_corpus()
    paths = corpus_files("ARM")
    megabytes = sum(path.stat().st_size for path in paths) / 1e6
    print(f"{machine()}; {len(paths)} ARM files, {megabytes:.2f} MB; best of {args.repeat}")
    armlint_once()  # warm-up: imports, the rule pack, the file system cache
    floor = min(floor_once(paths) for _ in range(args.repeat))
    checked = min(armlint_once() for _ in range(args.repeat))
    print(f"read + json.loads        {floor * 1000:8.1f} ms  ({megabytes / floor:6.1f} MB/s)")
    print(f"armlint run_check        {checked * 1000:8.1f} ms  ({megabytes / checked:6.1f} MB/s)")
    print(f"multiple                 {checked / floor:8.1f} x")
    # Each allowedValues combination is a full evaluation again (up to 64 per template).
    single = min(armlint_once(explore=False) for _ in range(args.repeat))
    print(f"run_check --no-explore   {single * 1000:8.1f} ms  multiple {single / floor:.1f} x")
    excludes = [item for pattern in ONLY["ARM"] for item in ("--exclude", pattern)]
    # From inside the corpus: command-line excludes are relative to the current folder.
    seconds, _ = armlint_process(["check", ".", "--no-cache", *excludes], cwd=CORPUS)
    print(f"armlint check (fresh process, default jobs, start-up included) {seconds:.2f} s")


if __name__ == "__main__":
    main()
