"""What the result cache costs and saves (issue 16): fresh ``armlint check`` processes on the
ARM part of the corpus with ``--no-cache``, with an empty result cache (the first cached run)
and with a full one (the second), in CPU time (the child's, ``RUSAGE_CHILDREN``) and wall time.

Run: python bench/cache_cost.py [--repeat N] [--all]
A private cache folder (ARMLINT_CACHE_DIR) is warmed once, so the rule pack's JSON copy and
the Terraform grammar are built before timing; only its ``results`` folder is emptied before
each first cached run. ``--all`` times the whole corpus instead of its ARM files.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
from pathlib import Path

from benchlib import CORPUS, ONLY, child_run, machine, require_corpus


def timed(arguments: list[str], cache: Path) -> tuple[float, float]:
    """(CPU, wall) seconds of one fresh ``python -m armlint`` in the corpus folder."""
    cpu, wall, _ = child_run(arguments, cwd=CORPUS, env={"ARMLINT_CACHE_DIR": str(cache)})
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--all", action="store_true", help="the whole corpus, not its ARM files")
    args = parser.parse_args()
    require_corpus()
    # From inside the corpus: command-line excludes are relative to the current folder.
    excludes = [] if args.all else [x for p in ONLY["ARM"] for x in ("--exclude", p)]
    check = ["check", ".", "--format", "json", "--jobs", "1", *excludes]
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        timed([*check, "--no-cache"], cache)  # warm-up: bytecode, rule pack, grammar
        rows: dict[str, list[tuple[float, float]]] = {"--no-cache": [], "first": [], "second": []}
        for _ in range(args.repeat):
            rows["--no-cache"].append(timed([*check, "--no-cache"], cache))
            shutil.rmtree(cache / "results", ignore_errors=True)
            rows["first"].append(timed(check, cache))
            rows["second"].append(timed(check, cache))
    print(f"{machine()}; {'whole corpus' if args.all else 'ARM files'}; median of {args.repeat}")
    base = statistics.median(cpu for cpu, _ in rows["--no-cache"])
    for label, runs in rows.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        print(f"{label:<11} CPU {cpu:6.2f} s ({cpu / base:5.2f}x)  wall {wall:6.2f} s")


if __name__ == "__main__":
    main()
