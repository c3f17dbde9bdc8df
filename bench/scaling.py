"""Does the time grow linearly with the input? 1, 10 and 100 copies of the ARM part of the corpus.

Run: python bench/scaling.py [--copies 1 10 100] [--jobs N] [--repeat N]
The copies are hard links in a temporary folder (no disk space; armlint sees separate paths in
separate folders), falling back to real copies across file systems. Prints the time per
copy count, the time per file, and the ratio of each step to the previous: 10 copies should
take about 10 times as long as 1 (a little less, since start-up is paid once).
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from benchlib import CORPUS, armlint_process, best_of, corpus_files, machine, require_corpus


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
    parser.add_argument("--repeat", type=int, default=1)
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
            seconds, report = best_of(args.repeat, lambda a=arguments: armlint_process(a))
        total = report["summary"]["files"]["total"]
        line = f"{copies:>4} copies {total:>6} files {seconds:8.2f} s {seconds / total * 1000:6.2f} ms/file"
        if previous is not None:
            growth = copies / previous[0]
            line += f"   x{seconds / previous[1]:.2f} time for x{growth:g} input"
        print(line)
        previous = (copies, seconds)


if __name__ == "__main__":
    main()
