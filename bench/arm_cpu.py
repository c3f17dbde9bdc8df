"""ARM on the corpus against the json.loads floor, in CPU time, wall time and instructions
(issue 16: exploring at most 10x the floor, ``--no-explore`` at most 5x).

Run: python bench/arm_cpu.py [--repeat N] [--instructions]
In this process, after a warm-up: N rounds, each running the floor (reading the ARM files and
``json.loads``), armlint exploring and armlint ``--no-explore`` once, in turn. Each ratio is the
median of the rounds' own ratios (with their range), so a swing of the machine's speed between
rounds does not move it; CPU and wall are the medians of the runs. ``--instructions`` also
counts one run of each side with valgrind's callgrind, which load does not move (two child
processes per side, with and without a run after the warm-up; see ``benchlib``). The
fresh-process line runs ``armlint check`` on one corpus template: the child's CPU time
(``RUSAGE_CHILDREN``), start-up included, median of N, and with ``--instructions`` its count.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys

from benchlib import (
    CORPUS,
    add_child_options,
    child_run,
    corpus_files,
    count_instructions,
    instruction_ratio,
    instructions_per_run,
    load,
    machine,
    median_ms,
    only,
    require_corpus,
    round_ratios,
    rounds_in_turn,
    run_as_child,
)

ONE_TEMPLATE = CORPUS / "Azure__AzureStack-QuickStart-Templates" / "101-vm-windows-create"
FLOOR = "read + json.loads"


def floor(paths) -> None:
    for path in paths:
        with contextlib.suppress(ValueError):  # the one invalid corpus file; armlint reads it too
            json.loads(path.read_bytes().decode("utf-8-sig"))


def armlint(explore: bool) -> None:
    from armlint.run.pipeline import RunOptions, run_check

    run_check(RunOptions(paths=[str(CORPUS)], exclude=only("ARM"), jobs=1, explore=explore))


def cases(paths) -> dict:
    """The floor first: each armlint case is divided by it."""
    return {
        FLOOR: lambda: floor(paths),
        "armlint, exploring": lambda: armlint(True),
        "armlint --no-explore": lambda: armlint(False),
    }


def one_template(repeat: int, counting: bool) -> None:
    arguments = ["check", "--no-cache", str(ONE_TEMPLATE / "azuredeploy.json")]
    child_run(arguments)  # bytecode written once
    runs = [child_run(arguments)[:2] for _ in range(repeat)]
    print(f"{'one template, fresh':<22} {median_ms(runs)}   (start-up included)")
    if counting:
        count = count_instructions([sys.executable, "-m", "armlint", *arguments])
        print(f"{'':<22} {count / 1e6:9,.1f} M instructions")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    add_child_options(parser)
    args = parser.parse_args()
    require_corpus()
    paths = corpus_files("ARM")
    work = cases(paths)
    if args.instructions_child:
        run_as_child(work[args.instructions_child], args.runs)
    print(f"{machine()}; {len(paths)} ARM files; {args.repeat} rounds in turn; load {load()}")
    armlint(True)  # warm-up: imports, the rule pack, the file system cache
    runs = rounds_in_turn(args.repeat, work)
    counts = instructions_per_run(__file__, list(work)) if args.instructions else {}
    print(f"{'':<22}  median CPU / wall       ratio to the floor: median of rounds (range)")
    for label, measured in runs.items():
        ratios = "" if label == FLOOR else round_ratios(measured, runs[FLOOR])
        print(f"{label:<22} {median_ms(measured)}   {ratios}")
        if counts:
            print(f"{'':<22} {instruction_ratio(counts[label], counts[FLOOR])}")
    one_template(args.repeat, args.instructions)
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
