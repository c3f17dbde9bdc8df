"""The rule engine alone on the corpus's records of one format, in CPU time (issue 16).

Run: python bench/engine_cpu.py [--repeat N] [--format ARM|Bicep|Terraform]
                                [--instructions [--checkout DIR] | --opcodes]
One ``run_check`` collects the records each unit hands to the rule engine (exploring and with
``--no-explore``); then only ``pipeline._checked`` runs on them, N times, and the median CPU
time (``time.process_time``) is printed with the number of records and findings. Reading and
evaluating the templates count for nothing here, so the engine's own cost shows plainly.
The first run works out the fact locations that the engine reads, so the timed runs after it
find them known.

``--instructions`` counts instead the instructions of one engine run with valgrind's callgrind
(load does not move them; a fixed hash seed makes them repeat): each mode in two fresh
processes that collect the records alike (the engine is warmed up on other records, so that
none of theirs has its locations worked out), one of which then runs the engine once; the
difference is the engine's. ``--checkout`` counts another checkout's armlint (``git worktree
add --detach /tmp/before REF``) for before/after figures. About two minutes a process on an
idle box. ``--opcodes`` counts the Python bytecodes one engine run executes instead
(``sys.settrace`` with opcode events, the same warm-up): exact and quick, blind to C work.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import CORPUS, ROOT, forget_what_runs_learn, machine, only, require_corpus

MODES = (("exploring", True), ("--no-explore", False))
# Records to warm the engine up on (tables, the pack, compiled conditions) in counted runs.
WARM_UP = ("Azure__ResourceModules",)


def collected_records(fmt: str, explore: bool, paths: list[str] | None = None) -> list[list]:
    """The record lists the pipeline checks, one per unit, as the engine sees them (not checked
    yet: the run's own check is skipped)."""
    from armlint.run import pipeline

    batches: list[list] = []
    checked = pipeline._checked

    def collect(records, options, notes):
        batches.append(list(records))
        return []

    pipeline._checked = collect
    try:
        options = pipeline.RunOptions(
            paths=paths or [str(CORPUS)], exclude=only(fmt), jobs=1, explore=explore
        )
        pipeline.run_check(options)
    finally:
        pipeline._checked = checked
    return batches


def engine_run(batches: list[list], explore: bool) -> int:
    """Check every batch as a fresh process would: without what earlier runs decided."""
    from armlint.run import pipeline

    forget_what_runs_learn()
    options = pipeline.RunOptions(paths=[str(CORPUS)], explore=explore)
    return sum(len(pipeline._checked(records, options, [])) for records in batches)


def timed(fmt: str, repeat: int) -> None:
    print(f"{machine()}; {fmt} records; median of {repeat}; CPU")
    for label, explore in MODES:
        batches = collected_records(fmt, explore)
        records = sum(len(batch) for batch in batches)
        findings = engine_run(batches, explore)  # warm-up: tables, compiled conditions
        runs = []
        for _ in range(repeat):
            start = time.process_time()
            engine_run(batches, explore)
            runs.append(time.process_time() - start)
        print(
            f"{label:<13} {records:5} records  {findings:5} findings"
            f"  engine {statistics.median(runs) * 1000:7.1f} ms"
        )


def child(fmt: str, explore: bool, runs: int) -> None:
    """One counted process: warm up on other records, collect, run the engine ``runs`` times."""
    engine_run(collected_records("ARM", False, [str(CORPUS / name) for name in WARM_UP]), False)
    batches = collected_records(fmt, explore)
    for _ in range(runs):
        engine_run(batches, explore)


def opcodes(fmt: str) -> None:
    """The Python bytecodes one engine run executes, per mode (load does not move them)."""
    engine_run(collected_records("ARM", False, [str(CORPUS / name) for name in WARM_UP]), False)
    print(f"{fmt} records; millions of Python bytecodes of one engine run")
    for label, explore in MODES:
        batches = collected_records(fmt, explore)
        count = 0

        def each_opcode(frame, event, arg):
            nonlocal count
            count += event == "opcode"
            return each_opcode

        def each_call(frame, event, arg):
            frame.f_trace_opcodes = True
            return each_opcode

        sys.settrace(each_call)
        try:
            engine_run(batches, explore)
        finally:
            sys.settrace(None)
        print(f"{label:<13} engine {count / 1e6:7.2f} M", flush=True)


def instructions(checkout: Path, fmt: str, explore: bool, runs: int) -> int:
    code = (
        f"import sys; sys.path[:0] = [{str(checkout)!r}, {str(ROOT / 'bench')!r}]; "
        f"import engine_cpu; engine_cpu.child({fmt!r}, {explore}, {runs})"
    )
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    completed = subprocess.run(
        [*valgrind, sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": "0"},
        cwd=ROOT,
        check=False,
    )
    counts = [line.split()[-1] for line in completed.stderr.splitlines() if "Collected" in line]
    if completed.returncode != 0 or not counts:
        sys.exit(f"valgrind failed: {completed.stderr[-800:]}")
    return int(counts[-1])


def counted(fmt: str, checkout: Path) -> None:
    print(f"{checkout}: {fmt} records; millions of instructions of one engine run")
    for label, explore in MODES:
        without = instructions(checkout, fmt, explore, 0)
        with_engine = instructions(checkout, fmt, explore, 1)
        print(f"{label:<13} engine {(with_engine - without) / 1e6:7.0f} M", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--format", default="ARM", choices=("ARM", "Bicep", "Terraform"))
    parser.add_argument(
        "--instructions", action="store_true", help="count instructions with valgrind instead"
    )
    parser.add_argument("--checkout", default=str(ROOT), help="the armlint to count")
    parser.add_argument("--opcodes", action="store_true", help="count Python bytecodes instead")
    args = parser.parse_args()
    require_corpus()
    if args.instructions:
        counted(args.format, Path(args.checkout).resolve())
    elif args.opcodes:
        opcodes(args.format)
    else:
        timed(args.format, args.repeat)


if __name__ == "__main__":
    main()
