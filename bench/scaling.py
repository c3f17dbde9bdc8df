"""Does the CPU time grow linearly with the input, and how much memory does a large input take?
1, 10 and 100 copies of one format's part of the corpus, ARM by default (issue 16: linear, peak
under 150 MB at 100).

Run: python bench/scaling.py [--copies 1 10 100] [--jobs N] [--format json|text] [--repeat N]
                             [--input ARM|Bicep|Terraform]

Each count is one fresh ``armlint check FOLDER --no-cache --format json`` (the result cache off,
so every file is read and checked; JSON, because it holds every finding and file at once, as
SARIF does, and its summary tells that every file was counted; ``--format text`` for the
default report). The copies are hard links in a temporary folder (no disk space; armlint sees
separate paths in separate folders), falling back to real copies across file systems.

Figures per count: CPU time (user + system of armlint and its workers, from ``getrusage`` of
the children, so a loaded machine inflates the wall time much more than this), CPU per file,
each step's CPU ratio against its input ratio, and the peak resident set of the largest armlint
process (``ru_maxrss``: the main process or one worker, not their sum). Each run is measured
from its own fresh process, because a process's ``RUSAGE_CHILDREN`` maximum only ever grows.
The load average is printed beside each line: CPU time holds up under load, wall time does not.

How long: the 100 copies are 33,500 files and about 380 s of CPU; on the 2-core box with other
work running (load 6-8) 1 copy takes about 6 s wall, 10 copies about 50 s and 100 copies about
8 minutes, so the default run takes about 9 minutes. ``--copies 1 10`` is the quick check
(under a minute). The Bicep files (110 per copy) take about a third of the ARM files' CPU, the
Terraform files (435 per copy, with their ``.tfvars``) about half as much again as Bicep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import CORPUS, FORMATS, ROOT, corpus_files, machine, require_corpus

# Runs armlint as its only child, its report into argv[1]; prints the child's CPU seconds,
# wall seconds, peak RSS in kilobytes (Linux units) and exit code as one JSON line.
MEASURE = """
import json, os, resource, subprocess, sys, time
with open(sys.argv[1], "w") as report:
    start = time.perf_counter()
    completed = subprocess.run([sys.executable, "-m", "armlint", *sys.argv[2:]], stdout=report,
                               stderr=subprocess.PIPE, text=True, check=False)
    wall = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime, "wall": wall,
                  "peak_kb": usage.ru_maxrss, "code": completed.returncode,
                  "stderr": completed.stderr[-2000:]}))
"""


def populate(target: Path, files: list[Path], copies: int) -> None:
    for number in range(copies):
        for source in files:
            destination = target / f"copy{number:03d}" / source.relative_to(CORPUS)
            destination.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(source, destination)
            except OSError:
                shutil.copy2(source, destination)


def measured_check(arguments: list[str], report: Path) -> dict:
    """One fresh ``python -m armlint`` as an installed armlint runs (from bytecode), measured
    by a fresh process of its own; exits on a crash."""
    environment = dict(os.environ, CI="1")  # no progress line on a terminal
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    completed = subprocess.run(
        [sys.executable, "-c", MEASURE, str(report), *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=environment,
        check=True,
    )
    run = json.loads(completed.stdout.splitlines()[-1])
    if run["code"] not in (0, 1):
        sys.exit(f"armlint {' '.join(arguments)} failed ({run['code']}): {run['stderr']}")
    # Linux reports kilobytes, macOS bytes.
    run["peak_mb"] = run["peak_kb"] / 1024 / (1024 if sys.platform == "darwin" else 1)
    return run


def counted_files(report: Path, fmt: str) -> int | None:
    """The number of files the JSON summary accounts for (None for other formats)."""
    if fmt != "json":
        return None
    return json.loads(report.read_text(encoding="utf-8"))["summary"]["files"]["total"]


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--jobs", type=int, help="armlint's --jobs (default: armlint's own)")
    parser.add_argument("--format", choices=["json", "text"], default="json")
    parser.add_argument("--repeat", type=int, default=1, help="runs per count; medians shown")
    parser.add_argument("--input", choices=list(FORMATS), default="ARM", help="which files")
    args = parser.parse_args()
    require_corpus()
    files = corpus_files(args.input)
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    # Bytecode first, so the first count does not pay for compiling armlint.
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "armlint")], check=True)
    print(
        f"{machine()}; {len(files)} {args.input} files per copy; --format {args.format}"
        f" --no-cache {' '.join(jobs) or '(default jobs)'}; median of {args.repeat}"
    )
    previous = None
    for copies in args.copies:
        runs = []
        with tempfile.TemporaryDirectory(prefix="armlint-scaling-") as folder:
            checked, report = Path(folder) / "copies", Path(folder) / "report"
            populate(checked, files, copies)
            arguments = ["check", str(checked), "--format", args.format, "--no-cache", *jobs]
            for _ in range(args.repeat):
                before = load_average()
                runs.append(measured_check(arguments, report))
                total = counted_files(report, args.format)
                if total is not None and total != copies * len(files):
                    sys.exit(f"{copies} copies: the report counts {total} files")
                runs[-1]["load"] = f"{before} -> {load_average()}"
        cpu = statistics.median(run["cpu"] for run in runs)
        wall = statistics.median(run["wall"] for run in runs)
        peak = statistics.median(run["peak_mb"] for run in runs)
        count = copies * len(files)
        line = (
            f"{copies:>4} copies {count:>6} files {wall:8.1f} s wall {cpu:8.2f} s CPU"
            f" {cpu / count * 1000:6.2f} ms CPU/file  peak {peak:5.0f} MB"
        )
        if previous is not None:
            line += f"  x{cpu / previous[1]:.2f} CPU for x{copies / previous[0]:g} input"
        print(f"{line}  (load {', '.join(run['load'] for run in runs)})", flush=True)
        previous = (copies, cpu)


if __name__ == "__main__":
    main()
