"""What exploring allowedValues costs on the ARM corpus, in counts that do not move with the
load of the machine (issue 16 item 1).

Run: python bench/explore_cost.py [--instructions]
The ARM files are read once; then the templates are evaluated (``TemplateLoader.load``, no rule
engine) exploring and with ``--no-explore``, each under cProfile after a warm-up run. Printed:
Python function calls of each run and of the combinations' evaluations alone, the
combinations explored and how many of them were walked (the others reuse an earlier
combination's walk, ``arm.combinations``), and the records made. ``--instructions`` also
counts the instructions of one loader run of each kind with valgrind's callgrind (two child
processes each, with and without a run after the warm-up; see ``benchlib``): about a minute
and a half of CPU, against about five for ``bench/arm_cpu.py --instructions``.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats

from benchlib import (
    CORPUS,
    add_child_options,
    corpus_files,
    instructions_per_run,
    machine,
    require_corpus,
    run_as_child,
)

EXPLORING, PLAIN = "loader, exploring", "loader --no-explore"


def templates() -> list:
    """(template, its parameter files) as ``arm.files.load_files`` pairs them."""
    from armlint.arm import kinds
    from armlint.arm.loader import parameter_files_for, read_json

    documents = {path: read_json(path) for path in corpus_files("ARM")}
    found = {p: kinds.json_kind(d.value) if d.ok else "error" for p, d in documents.items()}
    parameters = [path for path, kind in found.items() if kind == kinds.PARAMETERS]
    return [
        (documents[path], [documents[p] for p in parameter_files_for(path, parameters)])
        for path, kind in found.items()
        if kind == kinds.TEMPLATE
    ]


class Counted:
    """Counts the combinations, the walks and the calls inside the combinations' walks."""

    def __init__(self) -> None:
        from armlint.arm.loader import TemplateLoader

        self.combinations = self.walks = 0
        self.profile = cProfile.Profile()
        finish, evaluate = TemplateLoader._finish, TemplateLoader._evaluate
        combination = TemplateLoader._evaluate_combination
        in_combination = []  # the first evaluation may choose values too: not counted

        def counted_finish(records, label, combination):
            self.combinations += bool(combination)
            return finish(records, label, combination)

        def counted_combination(loader, template, given, context):
            in_combination.append(True)
            try:
                return combination(loader, template, given, context)
            finally:
                in_combination.pop()

        def counted_evaluate(loader, template, given, context):
            if context.memo is None or not in_combination:
                return evaluate(loader, template, given, context)
            self.walks += 1
            self.profile.enable()
            try:
                return evaluate(loader, template, given, context)
            finally:
                self.profile.disable()

        TemplateLoader._finish = staticmethod(counted_finish)
        TemplateLoader._evaluate_combination = counted_combination
        TemplateLoader._evaluate = counted_evaluate


def load_all(pairs, explore: bool) -> int:
    from armlint.arm.loader import TemplateLoader

    loader = TemplateLoader([CORPUS], explore=explore)
    return sum(len(loader.load(template, given).records) for template, given in pairs)


def calls(function) -> int:
    profile = cProfile.Profile()
    profile.runcall(function)
    return pstats.Stats(profile).total_calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    add_child_options(parser)
    args = parser.parse_args()
    require_corpus()
    pairs = templates()
    if args.instructions_child:
        explore = args.instructions_child == EXPLORING
        run_as_child(lambda: load_all(pairs, explore), args.runs)
    print(f"{machine()}; {len(pairs)} ARM templates of the corpus")
    load_all(pairs, True)  # warm-up: imports, parsed expressions, the API profiles
    exploring = calls(lambda: load_all(pairs, True))
    plain = calls(lambda: load_all(pairs, False))
    counted = Counted()
    records = load_all(pairs, True)
    inside = pstats.Stats(counted.profile).total_calls
    print(f"Python calls, exploring       {exploring:>10,}  ({records} records)")
    print(f"Python calls, --no-explore    {plain:>10,}")
    print(f"calls that exploring adds     {exploring - plain:>10,}")
    print(f"calls in combinations' walks  {inside:>10,}")
    print(f"combinations {counted.combinations}, walked {counted.walks}")
    if args.instructions:
        counts = instructions_per_run(__file__, [EXPLORING, PLAIN])
        for label, count in counts.items():
            print(f"instructions, {label:<19} {count / 1e6:9,.1f} M")
        print(
            f"instructions exploring adds     {(counts[EXPLORING] - counts[PLAIN]) / 1e6:9,.1f} M"
        )


if __name__ == "__main__":
    main()
