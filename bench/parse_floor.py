"""Terraform and Bicep against their parsers alone (issue 16's targets), CPU time and wall.

Run: python bench/parse_floor.py [--repeat N] [--only terraform|bicep|folder]

In this process, after a warm-up run of each: armlint's ``run_check`` on the corpus with every
other format excluded, against python-hcl2's own ``parses_to_tree`` on the same Terraform
files (target: at most 0.3 times) and against tree-sitter-bicep's parse alone of the same
Bicep files (target: at most 2 times). Then a three-file Terraform folder as a fresh
``armlint check --no-cache`` process (target: under 150 ms CPU). CPU time is user + system
from getrusage, this process and its children; each figure is the median of N runs, the two
sides of a ratio taken in turn so that load from other work falls on both.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import statistics
import subprocess
import sys
import time

from benchlib import CORPUS, ONLY, corpus_files, forget_what_runs_learn, machine, require_corpus

FOLDER = CORPUS / "Azure__terraform" / "quickstart" / "101-vm-cluster-linux"  # 3 .tf files
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def measure(work) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call, armlint's caches of earlier runs emptied first."""
    forget_what_runs_learn()
    cpu, wall = cpu_seconds(), time.perf_counter()
    work()
    return cpu_seconds() - cpu, time.perf_counter() - wall


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


def compare(label: str, ours, floor, repeat: int, target: float) -> None:
    ours(), floor()  # warm-up: imports, parser set-up, the file system cache
    runs = [(measure(ours), measure(floor)) for _ in range(repeat)]
    ours_cpu = statistics.median(a[0] for a, _ in runs)
    ours_wall = statistics.median(a[1] for a, _ in runs)
    floor_cpu = statistics.median(b[0] for _, b in runs)
    floor_wall = statistics.median(b[1] for _, b in runs)
    print(
        f"{label}: armlint {ours_cpu * 1000:.0f} ms CPU / {ours_wall * 1000:.0f} ms wall; "
        f"floor {floor_cpu * 1000:.0f} / {floor_wall * 1000:.0f} ms; "
        f"{ours_cpu / floor_cpu:.2f}x CPU, {ours_wall / floor_wall:.2f}x wall (target {target}x)"
    )


def fresh_process(repeat: int) -> None:
    arguments = [sys.executable, "-m", "armlint", "check", "--no-cache", str(FOLDER)]

    def once() -> None:
        subprocess.run(arguments, stdout=subprocess.DEVNULL, env=CHILD_ENV, check=False)

    once()  # warm-up: bytecode and data caches, as after installation
    runs = [measure(once) for _ in range(repeat)]
    cpu = statistics.median(run[0] for run in runs) * 1000
    wall = statistics.median(run[1] for run in runs) * 1000
    print(f"three-file Terraform folder, fresh process: {cpu:.0f} ms CPU, {wall:.0f} ms wall")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--only", choices=["terraform", "bicep", "folder"], help="one of the three lines"
    )
    args = parser.parse_args()
    require_corpus()
    print(f"{machine()}; median of {args.repeat}")
    if args.only in (None, "terraform"):
        terraform = corpus_files("Terraform")
        print(f"Terraform: {len(terraform)} files")
        compare("Terraform", armlint_run("Terraform"), hcl2_floor(terraform), args.repeat, 0.3)
    if args.only in (None, "bicep"):
        bicep = corpus_files("Bicep")
        print(f"Bicep: {len(bicep)} files")
        compare("Bicep", armlint_run("Bicep"), tree_sitter_floor(bicep), args.repeat, 2)
    if args.only in (None, "folder"):
        fresh_process(args.repeat)


if __name__ == "__main__":
    main()
