"""What the result cache costs and saves (issue 16): fresh ``armlint check`` processes on the
ARM part of the corpus with ``--no-cache``, with an empty result cache (the first cached run)
and with a full one (the second), in CPU time (the child's, ``RUSAGE_CHILDREN``) and wall time.

Run: python bench/cache_cost.py [--repeat N] [--all | --against]
A private cache folder (ARMLINT_CACHE_DIR) is warmed once, so the rule pack's JSON copy and
the Terraform grammar are built before timing; only its ``results`` folder is emptied before
each first cached run. ``--all`` times the whole corpus instead of its ARM files.
``--against`` times ``check --against HEAD tests/fixtures examples`` in this repository
instead (the pull-request gate on a large folder; unchanged since HEAD when the work tree is
clean). Each run's report must be byte-identical to the ``--no-cache`` one.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
from pathlib import Path

from benchlib import CORPUS, ONLY, ROOT, child_run, machine, require_corpus

REPORTS: dict[str, str] = {}  # the first report of each kind of run, to compare the others


def timed(arguments: list[str], cache: Path, folder: Path = CORPUS) -> tuple[float, float]:
    """(CPU, wall) seconds of one fresh ``python -m armlint`` in ``folder`` (git and any other
    process it waits for included)."""
    cpu, wall, done = child_run(arguments, cwd=folder, env={"ARMLINT_CACHE_DIR": str(cache)})
    if done.returncode not in (0, 1):
        raise SystemExit(f"armlint {' '.join(arguments)} failed: {done.stderr}")
    expected = REPORTS.setdefault("report", done.stdout)
    if done.stdout != expected:
        raise SystemExit(f"armlint {' '.join(arguments)}: the report differs")
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--all", action="store_true", help="the whole corpus, not its ARM files")
    which.add_argument("--against", action="store_true", help="check --against HEAD, see above")
    args = parser.parse_args()
    if args.against:
        where = ROOT
        check = ["check", "--against", "HEAD", "tests/fixtures", "examples", "--format", "json"]
        what = "check --against HEAD tests/fixtures examples"
    else:
        require_corpus()
        where = CORPUS
        # From inside the corpus: command-line excludes are relative to the current folder.
        excludes = [] if args.all else [x for p in ONLY["ARM"] for x in ("--exclude", p)]
        check = ["check", ".", "--format", "json", "--jobs", "1", *excludes]
        what = "whole corpus" if args.all else "ARM files"
    with tempfile.TemporaryDirectory() as folder:
        cache = Path(folder)
        timed([*check, "--no-cache"], cache, where)  # warm-up: bytecode, rule pack, grammar
        rows: dict[str, list[tuple[float, float]]] = {"--no-cache": [], "first": [], "second": []}
        for _ in range(args.repeat):
            rows["--no-cache"].append(timed([*check, "--no-cache"], cache, where))
            shutil.rmtree(cache / "results", ignore_errors=True)
            rows["first"].append(timed(check, cache, where))
            rows["second"].append(timed(check, cache, where))
    load = " ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"{machine()}; {what}; median of {args.repeat}; load average {load}")
    base = statistics.median(cpu for cpu, _ in rows["--no-cache"])
    for label, runs in rows.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        # Three decimals: the second run is a few hundredths of a second, and its ratio is
        # judged against 0.10.
        print(f"{label:<11} CPU {cpu:7.3f} s ({cpu / base:6.3f}x)  wall {wall:6.2f} s")


if __name__ == "__main__":
    main()
