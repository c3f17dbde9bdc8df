"""Terraform and Bicep against their parsers alone (issue 16's targets), CPU time, wall time
and instructions.

Run: python bench/parse_floor.py [--repeat N] [--only terraform|bicep|folder] [--instructions]

In this process, after a warm-up run of each: armlint's ``run_check`` on the corpus with every
other format excluded, against python-hcl2's own ``parses_to_tree`` on the same Terraform
files (target: at most 0.3 times) and against tree-sitter-bicep's parse alone of the same
Bicep files (target: at most 2 times). Then a three-file Terraform folder as a fresh
``armlint check --no-cache`` process (target: under 150 ms CPU). CPU time is user + system
from getrusage, this process and its children. The two sides of a ratio are taken in turn, N
rounds: each ratio is the median of the rounds' own ratios (with their range), so a swing of
the machine's speed between rounds does not move it; CPU and wall are medians of the runs.
``--instructions`` also counts one run of each side with valgrind's callgrind, which load does
not move (two child processes per side, with and without a run after the warm-up; see
``benchlib``), and the folder's fresh process whole.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys

from benchlib import (
    CORPUS,
    ONLY,
    add_child_options,
    child_environment,
    corpus_files,
    count_instructions,
    instruction_ratio,
    instructions_per_run,
    load,
    machine,
    median_ms,
    require_corpus,
    round_ratios,
    rounds_in_turn,
    run_as_child,
    timed,
)

FOLDER = CORPUS / "Azure__terraform" / "quickstart" / "101-vm-cluster-linux"  # 3 .tf files
TARGETS = {"Terraform": 0.3, "Bicep": 2}


def armlint_run(fmt: str):
    from armlint.globs import Patterns
    from armlint.run.pipeline import RunOptions, run_check

    # Anchored at the corpus: plain strings would be relative to the current folder.
    excludes = [Patterns(ONLY[fmt], CORPUS)]
    return lambda: run_check(RunOptions(paths=[str(CORPUS)], exclude=excludes, jobs=1))


def hcl2_floor(paths):
    from hcl2.api import parses_to_tree

    texts = [path.read_bytes().decode("utf-8-sig") for path in paths]

    def parse_all() -> None:
        for text in texts:
            with contextlib.suppress(Exception):  # armlint reports those files as AZP001
                parses_to_tree(text)

    return parse_all


def tree_sitter_floor(paths):
    import tree_sitter
    import tree_sitter_bicep

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))

    def parse_all() -> None:
        for path in paths:
            parser.parse(path.read_bytes())

    return parse_all


def sides(fmt: str) -> dict:
    """armlint on one format and its floor, as named cases (for a child, see ``benchlib``)."""
    paths = corpus_files(fmt)
    floor = hcl2_floor(paths) if fmt == "Terraform" else tree_sitter_floor(paths)
    return {f"{fmt}: armlint": armlint_run(fmt), f"{fmt}: floor": floor}


def compare(fmt: str, repeat: int, counting: bool) -> None:
    work = sides(fmt)
    ours, floor = f"{fmt}: armlint", f"{fmt}: floor"
    for side in work.values():  # warm-up: imports, parser set-up, the file system cache
        side()
    runs = rounds_in_turn(repeat, work)
    print(
        f"{fmt}: armlint {median_ms(runs[ours])}, floor {median_ms(runs[floor])}; "
        f"{round_ratios(runs[ours], runs[floor])} (target {TARGETS[fmt]}x)"
    )
    if counting:
        counts = instructions_per_run(__file__, list(work))
        print(f"{fmt}: floor {counts[floor] / 1e6:,.1f} M, armlint", end=" ")
        print(instruction_ratio(counts[ours], counts[floor]))


def fresh_process(repeat: int, counting: bool) -> None:
    arguments = [sys.executable, "-m", "armlint", "check", "--no-cache", str(FOLDER)]
    environment = child_environment()

    def once() -> None:
        subprocess.run(arguments, stdout=subprocess.DEVNULL, env=environment, check=False)

    once()  # warm-up: bytecode and data caches, as after installation
    runs = [timed(once) for _ in range(repeat)]
    print(f"three-file Terraform folder, fresh process: {median_ms(runs)} CPU / wall")
    if counting:
        print(f"{'':<44}{count_instructions(arguments) / 1e6:,.1f} M instructions")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", choices=["terraform", "bicep", "folder"], help="one of the three lines"
    )
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    add_child_options(parser)
    args = parser.parse_args()
    require_corpus()
    if args.instructions_child:
        fmt = args.instructions_child.split(":")[0]
        run_as_child(sides(fmt)[args.instructions_child], args.runs)
    print(f"{machine()}; {args.repeat} rounds in turn; load {load()}")
    for fmt in TARGETS:
        if args.only in (None, fmt.lower()):
            print(f"{fmt}: {len(corpus_files(fmt))} files")
            compare(fmt, args.repeat, args.instructions)
    if args.only in (None, "folder"):
        fresh_process(args.repeat, args.instructions)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
