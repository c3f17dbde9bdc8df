"""Fresh-process CPU time of an installed armlint (issue 16: one ARM template under 60 ms CPU,
a three-file Terraform folder under 150 ms CPU).

Run: python bench/startup.py [--repeat N] [--baseline CHECKOUT] [--instructions] [--quick] [--keep]

What is measured is armlint as a user's ``pip install armlint`` runs it, not the developer's
editable install: the script builds a wheel of this checkout (``pip wheel --no-deps
--no-build-isolation``, so it needs the test extras' setuptools), installs it with its
dependencies into a throwaway virtual environment in a temporary folder outside the repository,
and runs that environment's ``armlint`` console script from a temporary working folder. So
neither the editable install's import hook (its ``.pth`` file imports pathlib and importlib.util
in every Python process, about 25 ms) nor the checkout's sources are on the path, and pip has
compiled the bytecode at install time. ``--baseline CHECKOUT`` builds another checkout the same
way (``git worktree add --detach /tmp/before REF``) and runs the two in turn, for before/after
figures under the same load; ``--instructions`` also counts the instructions of one run of each
case with valgrind's callgrind, a figure that other work on the machine does not move (about
1.5 to 2 million per millisecond of CPU on the project's box); ``--keep`` keeps the environments.

Every case runs once first (the warm-up: the rule pack's JSON copy is written to a private
cache folder, ``ARMLINT_CACHE_DIR``, that later runs read, as every run after the first does on
a user's machine); each figure is then the median of N fresh processes, CPU time (user + system
of the child from ``getrusage(RUSAGE_CHILDREN)``) and wall time. ``--no-cache`` stays on every
check case: no result is carried from one process to the next. The load average is printed
before and after: other work on the machine slows every figure.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import build_environment

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
ONE_TEMPLATE = CORPUS / "Azure__AzureStack-QuickStart-Templates" / "101-vm-windows-create"
TERRAFORM_FOLDER = CORPUS / "Azure__terraform" / "quickstart" / "101-vm-cluster-linux"
AZURESTACK = CORPUS / "Azure__AzureStack-QuickStart-Templates"
TARGETS = {"one corpus template (issue 16)": 60, "three-file Terraform folder (issue 16)": 150}


def cases(quick: bool) -> dict[str, list[str]]:
    found = {
        "python -c pass (the interpreter)": ["<python>", "-c", "pass"],
        "armlint --version": ["--version"],
        "one template (examples/arm/web-tier.json)": [
            "check",
            "--no-cache",
            str(ROOT / "examples" / "arm" / "web-tier.json"),
        ],
        "one corpus template (issue 16)": [
            "check",
            "--no-cache",
            str(ONE_TEMPLATE / "azuredeploy.json"),
        ],
        "three-file Terraform folder (issue 16)": ["check", "--no-cache", str(TERRAFORM_FOLDER)],
    }
    if not quick:
        found["AzureStack corpus (210 files)"] = ["check", "--no-cache", str(AZURESTACK)]
    return found


def command_for(arguments: list[str], bin_folder: Path) -> list[str]:
    if arguments[0] == "<python>":
        return [str(bin_folder / "python"), *arguments[1:]]
    return [str(bin_folder / "armlint"), *arguments]


def child_environment(cache: Path) -> dict[str, str]:
    environment = dict(os.environ, CI="1", ARMLINT_CACHE_DIR=str(cache))
    # An installed armlint runs from compiled bytecode; with this set, a child whose bytecode is
    # missing would time the compiler on every run instead.
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


def run_once(command: list[str], environment: dict[str, str], cwd: Path) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of one fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(
        command, cwd=cwd, env=environment, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if completed.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} failed ({completed.returncode}): {completed.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def instructions(command: list[str], environment: dict[str, str], cwd: Path) -> int:
    """Instructions one fresh process executes (valgrind's callgrind; load does not move it)."""
    completed = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    counts = [line.split()[-1] for line in completed.stderr.splitlines() if "Collected" in line]
    return int(counts[-1]) if counts else 0


def load() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def measure(sides: dict[str, Path], repeat: int, quick: bool, work: Path, counting: bool) -> None:
    """Each case: a warm-up per side, then ``repeat`` rounds that run every side in turn (so
    that load from other work falls on all of them alike)."""
    environments = {name: child_environment(work / f"cache-{name}") for name in sides}
    print(f"median of {repeat} fresh processes, CPU / wall; load average {load()}")
    print(f"{'':<44} " + "   ".join(f"{name:>17}" for name in sides))
    for label, arguments in cases(quick).items():
        if any(str(CORPUS) in argument for argument in arguments) and not CORPUS.is_dir():
            print(f"{label:<44} skipped (no corpus at {CORPUS})")
            continue
        commands = {name: command_for(arguments, bin_folder) for name, bin_folder in sides.items()}
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for name, command in commands.items():  # warm-up: the rule pack's JSON copy
            run_once(command, environments[name], work)
        for _ in range(repeat):
            for name, command in commands.items():
                runs[name].append(run_once(command, environments[name], work))
        shown = []
        for name in sides:
            cpu = statistics.median(run[0] for run in runs[name]) * 1000
            wall = statistics.median(run[1] for run in runs[name]) * 1000
            shown.append(f"{cpu:6.0f} / {wall:6.0f} ms")
        target = f"   (target {TARGETS[label]} ms CPU)" if label in TARGETS else ""
        print(f"{label:<44} " + "   ".join(shown) + target)
        if counting:
            counts = [instructions(commands[name], environments[name], work) for name in sides]
            print(
                f"{'  instructions (millions)':<44} "
                + "   ".join(f"{c / 1e6:17.0f}" for c in counts)
            )
    print(f"load average after: {load()}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument(
        "--baseline",
        metavar="CHECKOUT",
        help="also time the armlint of this checkout (e.g. `git worktree add --detach DIR REF`)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the throwaway environments")
    parser.add_argument("--quick", action="store_true", help="leave out the 210-file case")
    parser.add_argument(
        "--instructions",
        action="store_true",
        help="also count each case's instructions once with valgrind (load does not move them)",
    )
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="armlint-startup-"))
    try:
        sides = {}
        if args.baseline:
            sides["baseline"] = build_environment(Path(args.baseline).resolve(), work / "baseline")
        sides["this checkout"] = build_environment(ROOT, work / "this")
        print(f"armlint installed from wheels into throwaway environments in {work}")
        version = subprocess.run(
            [str(sides["this checkout"] / "python"), "-c", "import sys; print(sys.version)"],
            capture_output=True,
            text=True,
            check=True,
        )
        print(f"python {version.stdout.split()[0]}, {os.cpu_count()} cores")
        measure(sides, args.repeat, args.quick, work, args.instructions)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
