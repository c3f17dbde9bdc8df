"""Does the time grow linearly with the input? 1, 10 and 100 copies of the ARM part of the corpus.

Run: python bench/scaling.py [--copies 1 10 100] [--jobs N]
The copies are hard links in a temporary folder (no disk space; armlint sees separate paths in
separate folders), falling back to real copies across file systems. Prints the wall and CPU
time (of the process and its workers) per copy count, the CPU time per file, the peak memory of
the largest process, and the ratio of each step to the previous: 10 copies should take about
10 times the CPU of 1 (a little less, since start-up is paid once).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import tempfile
from pathlib import Path

from benchlib import CORPUS, child_run, corpus_files, machine, require_corpus


def populate(target: Path, files: list[Path], copies: int) -> None:
    for number in range(copies):
        for source in files:
            destination = target / f"copy{number:03d}" / source.relative_to(CORPUS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, destination)
            except OSError:
                shutil.copy2(source, destination)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--jobs", type=int)
    args = parser.parse_args()
    require_corpus()
    files = corpus_files("ARM")
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    print(f"{machine()}; {len(files)} ARM files per copy; {' '.join(jobs) or 'default jobs'}")
    previous = None
    for copies in args.copies:
        with tempfile.TemporaryDirectory(prefix="armlint-scaling-") as folder:
            populate(Path(folder), files, copies)
            arguments = ["check", folder, "--format", "json", "--no-cache", *jobs]
            cpu, seconds, completed = child_run(arguments)
        total = json.loads(completed.stdout)["summary"]["files"]["total"]
        # ru_maxrss of children: the largest resident set of any process run so far (KiB);
        # the largest input comes last, so this is its peak (one worker or the main process).
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        line = (
            f"{copies:>4} copies {total:>6} files {seconds:8.2f} s wall {cpu:8.2f} s CPU"
            f" {cpu / total * 1000:6.2f} ms CPU/file  peak {peak:5.0f} MB"
        )
        if previous is not None:
            growth = copies / previous[0]
            line += f"   x{cpu / previous[1]:.2f} CPU for x{growth:g} input"
        print(line, flush=True)
        previous = (copies, cpu)


if __name__ == "__main__":
    main()
