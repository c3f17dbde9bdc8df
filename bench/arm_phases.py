"""Instructions of the phases of one ARM ``--no-explore`` run on the corpus (issue 16): the
part that is neither reading nor evaluation, measured on its own.

Run: python bench/arm_phases.py [--checkout DIR] [PHASE ...]   (needs valgrind)
Phases: discover (``discover_for``), load (``load_records``: discovery and loading, no
checks), run (``run_check``); the checks' part is run minus load. Each is counted as one run
after a warm-up, the difference of two children (see ``benchlib``); both children first
empty the caches of earlier runs, so the modules that costs to import are in both.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from benchlib import (
    CORPUS,
    ROOT,
    add_child_options,
    forget_what_runs_learn,
    instructions_per_run,
    only,
    require_corpus,
    run_as_child,
)


def _options():
    from armlint.run.pipeline import RunOptions

    return RunOptions(paths=[str(CORPUS)], exclude=only("ARM"), jobs=1, explore=False)


def discover() -> None:
    from armlint.run.pipeline import discover_for

    discover_for(_options())


def load() -> None:
    from armlint.run.pipeline import load_records

    load_records(_options())


def run() -> None:
    from armlint.run.pipeline import run_check

    run_check(_options())


PHASES = {"discover": discover, "load": load, "run": run}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("phases", nargs="*", help="discover, load, run (default: all three)")
    parser.add_argument("--checkout", type=Path, default=ROOT, help="the armlint to count")
    add_child_options(parser)
    args = parser.parse_args()
    require_corpus()
    if args.instructions_child:
        forget_what_runs_learn()  # imports what it empties, in both children alike
        run_as_child(PHASES[args.instructions_child], args.runs)
    unknown = set(args.phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    counts = instructions_per_run(__file__, args.phases or list(PHASES), args.checkout)
    for phase, count in counts.items():
        print(f"{phase:<10} {count / 1e6:9,.1f} M instructions")


if __name__ == "__main__":
    main()
