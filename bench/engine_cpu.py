"""The rule engine alone on the corpus's records of one format, in CPU time (issue 16).

Run: python bench/engine_cpu.py [--repeat N] [--format ARM|Bicep|Terraform]
One ``run_check`` collects the records each unit hands to the rule engine (exploring and with
``--no-explore``); then only ``pipeline._checked`` runs on them, N times, and the median CPU
time (``time.process_time``) is printed with the number of records and findings. Reading and
evaluating the templates count for nothing here, so the engine's own cost shows plainly.
"""

from __future__ import annotations

import argparse
import statistics
import time

from benchlib import CORPUS, machine, only, require_corpus


def collected_records(fmt: str, explore: bool) -> list[list]:
    """The record lists the pipeline checks, one per unit, as the engine sees them."""
    from armlint.run import pipeline

    batches: list[list] = []
    checked = pipeline._checked

    def collect(records, options, notes):
        batches.append(list(records))
        return checked(records, options, notes)

    pipeline._checked = collect
    try:
        options = pipeline.RunOptions(
            paths=[str(CORPUS)], exclude=only(fmt), jobs=1, explore=explore
        )
        pipeline.run_check(options)
    finally:
        pipeline._checked = checked
    return batches


def engine_run(batches: list[list], explore: bool) -> int:
    """Check every batch as a fresh process would: without what earlier runs decided."""
    from armlint.checks import engine
    from armlint.run import pipeline

    engine._shared_memo.cache_clear()
    options = pipeline.RunOptions(paths=[str(CORPUS)], explore=explore)
    return sum(len(pipeline._checked(records, options, [])) for records in batches)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--format", default="ARM", choices=("ARM", "Bicep", "Terraform"))
    args = parser.parse_args()
    require_corpus()
    print(f"{machine()}; {args.format} records; median of {args.repeat}; CPU")
    for label, explore in (("exploring", True), ("--no-explore", False)):
        batches = collected_records(args.format, explore)
        records = sum(len(batch) for batch in batches)
        findings = engine_run(batches, explore)  # warm-up: tables, compiled conditions
        runs = []
        for _ in range(args.repeat):
            start = time.process_time()
            engine_run(batches, explore)
            runs.append(time.process_time() - start)
        print(
            f"{label:<13} {records:5} records  {findings:5} findings"
            f"  engine {statistics.median(runs) * 1000:7.1f} ms"
        )


if __name__ == "__main__":
    main()
