"""What the result cache costs and saves (issue 16): fresh ``armlint check`` processes on the
ARM part of the corpus with ``--no-cache``, with an empty result cache (the first cached run),
with a full one (the second: answered from the record of the first, armlint/run/replay.py)
and with a full one but no record ("entries": the unit entries alone), in CPU time (the child's, ``RUSAGE_CHILDREN``) and wall time.

Run: python bench/cache_cost.py [--repeat N] [--all | --against] [--instructions] [--editable]
[--script]
armlint runs as a user's ``pip install`` runs it: a wheel of this checkout installed into a
throwaway environment (``benchlib.build_environment``, as bench/startup.py does), because the
editable install's import hook costs every process about 20 ms that no user pays (a fifth of
the second cached run). ``--editable`` runs this checkout's editable install instead. Each
process is ``python -m armlint``; ``--script`` runs the environment's ``armlint`` command
instead, as a shell, pre-commit or CI job does (no ``runpy``: 4 M instructions less a
process, 209.3 M against 213.4 M for a fully cached run; session 11).
A private cache folder (ARMLINT_CACHE_DIR) is warmed once, so the rule pack's JSON copy and
the Terraform grammar are built before timing; only its ``results`` folder is emptied before
each first cached run. ``--all`` times the whole corpus instead of its ARM files.
``--against`` times ``check --against HEAD tests/fixtures examples`` in this repository
instead (the pull-request gate on a large folder; unchanged since HEAD when the work tree is
clean). Each run's report must be byte-identical to the ``--no-cache`` one. The runs are
taken in turn, N rounds: each ratio is the median of the rounds' own ratios (with their range),
so a swing of the machine's speed between rounds does not move it. ``--instructions`` then
counts one more round's processes with valgrind's callgrind, which load does not move
(git's own processes under ``--against`` are not counted; nor are the CPU's SHA instructions,
which valgrind hides: OpenSSL's slower path is counted instead).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchlib import (
    CORPUS,
    ONLY,
    ROOT,
    build_environment,
    child_run,
    count_instructions,
    load,
    machine,
    require_corpus,
    spread,
)

REPORTS: dict[str, str] = {}  # the first report of each kind of run, to compare the others


def timed(
    arguments: list[str], cache: Path, folder: Path, python: str, script: list[str] | None = None
) -> tuple[float, float]:
    """(CPU, wall) seconds of one fresh ``python -m armlint`` (or ``script``) in ``folder``
    (git and any other process it waits for included)."""
    env = {"ARMLINT_CACHE_DIR": str(cache)}
    cpu, wall, done = child_run(arguments, cwd=folder, env=env, python=python, command=script)
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
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    parser.add_argument(
        "--editable",
        action="store_true",
        help="run this checkout's editable install instead of a wheel installed apart",
    )
    parser.add_argument(
        "--script",
        action="store_true",
        help="run the environment's armlint command instead of python -m armlint",
    )
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
        python = sys.executable
        if not args.editable:
            python = str(build_environment(ROOT, Path(folder) / "install") / "python")
        installed = "this checkout, editable" if args.editable else "a wheel installed apart"
        # The environment's armlint command (the editable install's too: .venv/bin/armlint).
        script = [str(Path(python).parent / "armlint")] if args.script else None
        how = "the armlint command" if args.script else "python -m armlint"
        print(
            f"{machine()}; {what}; {installed}, {how}; {args.repeat} rounds in turn; load {load()}"
        )
        cache = Path(folder) / "cache"
        cache.mkdir()
        # warm-up: bytecode, rule pack, grammar
        timed([*check, "--no-cache"], cache, where, python, script)
        rows: dict[str, list[tuple[float, float]]] = {
            "--no-cache": [],
            "first": [],
            "second": [],
            "entries": [],
        }
        for _ in range(args.repeat):
            for label, arguments in one_round(check, cache):
                rows[label].append(timed(arguments, cache, where, python, script))
        counted = ROOT if args.editable else None  # None: the wheel's armlint, not the source's
        counts = (
            counted_round(check, cache, where, script or [python, "-m", "armlint"], counted)
            if args.instructions
            else {}
        )
    base = rows["--no-cache"]
    for label, runs in rows.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        # Three decimals: the second run is a few hundredths of a second, and its ratio is
        # judged against 0.10.
        ratios = spread([a[0] / b[0] for a, b in zip(runs, base, strict=True)], digits=3)
        print(f"{label:<11} CPU {cpu:7.3f} s, {ratios} of --no-cache;  wall {wall:6.2f} s")
        if counts:
            count, ratio = counts[label] / 1e6, counts[label] / counts["--no-cache"]
            print(f"{'':<11} {count:9,.1f} M instructions, {ratio:.3f}x")
    print(f"load average after: {load()}")


def one_round(check: list[str], cache: Path):
    """(label, arguments) of a round's runs in order; the result cache is emptied before the
    first cached run (the second then finds what the first stored: the record of the whole
    run, armlint/run/replay.py). "entries" is a second run without that record, served by
    the unit entries alone, as a run with other arguments is (pre-commit's file lists)."""
    yield "--no-cache", [*check, "--no-cache"]
    shutil.rmtree(cache / "results", ignore_errors=True)
    yield "first", check
    yield "second", check
    shutil.rmtree(cache / "results" / "runs", ignore_errors=True)
    yield "entries", check


def counted_round(
    check: list[str], cache: Path, where: Path, command: list[str], checkout: Path | None
) -> dict[str, int]:
    """One round's instructions (one process at a time: the second needs the first's results);
    ``command`` starts armlint (``python -m armlint`` or the armlint script)."""
    environment = {"ARMLINT_CACHE_DIR": str(cache)}
    return {
        label: count_instructions([*command, *arguments], environment, where, checkout)
        for label, arguments in one_round(check, cache)
    }


if __name__ == "__main__":
    main()
