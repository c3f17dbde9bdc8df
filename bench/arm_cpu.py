"""ARM on the corpus against the json.loads floor, in CPU time and wall time (issue 16).

Run: python bench/arm_cpu.py [--repeat N]
The machine is shared, so wall time is noisy; CPU time (``time.process_time``) counts only this
process's work. Each figure is the median of N runs in this process after a warm-up (imports,
the rule pack and the file system cache count for neither side). The fresh-process line runs
``armlint check`` on one corpus template and reports the child's CPU time
(``resource.getrusage(RUSAGE_CHILDREN)``), start-up included.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time

from benchlib import (
    CORPUS,
    child_run,
    corpus_files,
    forget_what_runs_learn,
    machine,
    only,
    require_corpus,
)

ONE_TEMPLATE = CORPUS / "Azure__AzureStack-QuickStart-Templates" / "101-vm-windows-create"


def timed(function) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one call, armlint's caches of earlier runs emptied first."""
    forget_what_runs_learn()
    cpu, wall = time.process_time(), time.perf_counter()
    function()
    return time.process_time() - cpu, time.perf_counter() - wall


def floor(paths) -> None:
    for path in paths:
        with contextlib.suppress(ValueError):  # the one invalid corpus file; armlint reads it too
            json.loads(path.read_bytes().decode("utf-8-sig"))


def armlint(explore: bool) -> None:
    from armlint.run.pipeline import RunOptions, run_check

    run_check(RunOptions(paths=[str(CORPUS)], exclude=only("ARM"), jobs=1, explore=explore))


def median_of(repeat: int, function) -> tuple[float, float]:
    runs = [timed(function) for _ in range(repeat)]
    return statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs)


def fresh_process_cpu(arguments: list[str]) -> tuple[float, float]:
    """CPU and wall seconds of one fresh ``python -m armlint`` (start-up included)."""
    cpu, wall, _ = child_run(arguments)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    require_corpus()
    paths = corpus_files("ARM")
    print(f"{machine()}; {len(paths)} ARM files; median of {args.repeat}; CPU / wall")
    armlint(True)  # warm-up
    base_cpu, base_wall = median_of(args.repeat, lambda: floor(paths))
    print(f"read + json.loads      {base_cpu * 1000:7.1f} ms / {base_wall * 1000:7.1f} ms")
    for label, explore in (("armlint, exploring", True), ("armlint --no-explore", False)):
        cpu, wall = median_of(args.repeat, lambda explore=explore: armlint(explore))
        print(
            f"{label:<22} {cpu * 1000:7.1f} ms / {wall * 1000:7.1f} ms"
            f"   {cpu / base_cpu:5.1f}x / {wall / base_wall:5.1f}x the floor"
        )
    template = str(ONE_TEMPLATE / "azuredeploy.json")
    fresh_process_cpu(["check", "--no-cache", template])  # bytecode written once
    runs = [fresh_process_cpu(["check", "--no-cache", template]) for _ in range(args.repeat)]
    cpu = statistics.median(c for c, _ in runs)
    wall = statistics.median(w for _, w in runs)
    print(
        f"one template, fresh    {cpu * 1000:7.1f} ms / {wall * 1000:7.1f} ms  (start-up included)"
    )


if __name__ == "__main__":
    main()
