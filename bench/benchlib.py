"""What the benchmark scripts share: where things are, which corpus files are of which format,
timing of fresh ``python -m armlint`` processes, rounds taken in turn with a ratio per round,
and instruction counts (valgrind's callgrind). Standard library only."""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
LARGEST = CORPUS / "Azure__avdaccelerator" / "workload" / "arm" / "deploy-baseline.json"
# Input formats as armlint's discovery names them (armlint.run.discover.kind_of).
FORMATS = {"ARM": ("json",), "Terraform": ("terraform", "tfvars"), "Bicep": ("bicep", "bicepparam")}
# Excludes that leave one format of the corpus (gitignore-style patterns, see --exclude).
EXAMPLES = ["*.tfvars.sample", "*.tfvars.example"]  # Terraform's, counted there
ONLY = {
    "ARM": ["*.tf", "*.tfvars", "*.bicep", "*.bicepparam", *EXAMPLES],
    "Terraform": ["*.json", "*.bicep", "*.bicepparam"],
    "Bicep": ["*.json", "*.tf", "*.tfvars", *EXAMPLES],
}


def only(fmt: str):
    """The excludes that leave one format, anchored at the corpus: plain strings are relative to
    the current folder, and the corpus sits outside it, so they would exclude nothing."""
    from armlint.globs import Patterns

    return [Patterns(ONLY[fmt], CORPUS)]


def forget_what_runs_learn() -> None:
    """Empty armlint's in-process caches of what earlier runs read (parsed expressions, the rule
    engine's verdicts per facts view, stable paths), so that a run timed after a warm-up costs
    what one command does; the rule pack and other static data stay loaded."""
    from armlint.arm.expressions import _parse_cached
    from armlint.checks.engine import _shared_memo
    from armlint.model import repository_top, stable_path

    _parse_cached.cache_clear()
    _shared_memo.cache_clear()
    stable_path.cache_clear()
    repository_top.cache_clear()


def require_corpus() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")


def corpus_files(fmt: str | None = None) -> list[Path]:
    """The files armlint reads in the corpus, of one format or of all."""
    from armlint.run.discover import discover

    found = discover([str(CORPUS)])
    kinds = FORMATS[fmt] if fmt else tuple(k for ks in FORMATS.values() for k in ks)
    return [Path(c.path) for c in found.candidates if c.kind in kinds]  # text since session 9


def megabytes(paths: list[Path]) -> float:
    return sum(path.stat().st_size for path in paths) / 1e6


def armlint_process(arguments: list[str], cwd: Path | None = None) -> tuple[float, dict]:
    """Wall time of one fresh ``python -m armlint`` and its JSON report (when it printed one)."""
    environment = dict(os.environ, CI="1")  # no progress line on a terminal
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    seconds = time.perf_counter() - start
    if completed.returncode not in (0, 1):
        sys.exit(
            f"armlint {' '.join(arguments)} failed ({completed.returncode}): {completed.stderr}"
        )
    report = json.loads(completed.stdout) if completed.stdout.startswith("{") else {}
    return seconds, report


def child_environment(env: dict | None = None) -> dict[str, str]:
    """The environment of a fresh ``python -m armlint``: as an installed armlint runs (from
    bytecode: this box sets PYTHONDONTWRITEBYTECODE), no progress line, ``env`` added."""
    environment = dict(os.environ, CI="1", **(env or {}))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    return environment


PIP_WHEEL = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]


def build_environment(checkout: Path, folder: Path) -> Path:
    """A virtual environment in ``folder`` with ``checkout`` installed from a wheel; returns
    its ``bin`` folder."""
    # From a copy of what the wheel holds: setuptools builds in the source folder, and a stale
    # build/ there could add files the checkout no longer has.
    source = folder / "source"
    for name in ("armlint", "rules", "schemas"):
        shutil.copytree(
            checkout / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(checkout / name, source / name)
    wheels = folder / "wheel"
    subprocess.run([*PIP_WHEEL, "--wheel-dir", str(wheels), str(source)], check=True, cwd=folder)
    environment = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
    wheel = next(wheels.glob("armlint-*.whl"))
    subprocess.run(
        [str(environment / "bin" / "pip"), "install", "--quiet", str(wheel)], check=True, cwd=folder
    )
    return environment / "bin"


def child_run(
    arguments: list[str],
    cwd: Path | None = None,
    env: dict | None = None,
    python: str = sys.executable,
    command: list[str] | None = None,
):
    """One fresh ``python -m armlint`` (``python``: this interpreter, or an installed
    environment's), or ``command`` (an installed ``armlint`` script) when given: (CPU seconds
    of the child, start-up included, wall seconds, the completed process). CPU from
    ``RUSAGE_CHILDREN``, which counts only finished children."""
    environment = child_environment(env)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(
        [*(command or [python, "-m", "armlint"]), *arguments],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, completed


def best_of(repeat: int, measure) -> tuple[float, object]:
    """The fastest of ``repeat`` runs (other work on the machine only ever adds time)."""
    runs = [measure() for _ in range(repeat)]
    return min(runs, key=lambda run: run[0])


def machine() -> str:
    return f"python {sys.version.split()[0]}, {os.cpu_count()} cores"


def load() -> str:
    """The load average (1, 5, 15 minutes): other work on the machine slows every CPU figure."""
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


# Rounds taken in turn. This box's speed swings by up to 50% within minutes, even idle: timing
# all runs of one side and then all of the other lets a swing in between decide a ratio. Each
# round runs every case once, so a ratio taken within a round sees both sides at one speed;
# the median of the rounds' ratios is reported with its range.

Run = tuple[float, float]  # (CPU seconds, wall seconds)


def cpu_seconds() -> float:
    """User + system CPU of this process and of its finished children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work: Callable[[], object]) -> Run:
    """(CPU seconds, wall seconds) of one call, armlint's caches of earlier runs emptied first."""
    forget_what_runs_learn()
    cpu, wall = cpu_seconds(), time.perf_counter()
    work()
    return cpu_seconds() - cpu, time.perf_counter() - wall


def rounds_in_turn(repeat: int, cases: dict[str, Callable[[], object]]) -> dict[str, list[Run]]:
    """Each case's runs over ``repeat`` rounds, every round running each case once in order
    (warm-ups are the caller's)."""
    runs: dict[str, list[Run]] = {name: [] for name in cases}
    for _ in range(repeat):
        for name, work in cases.items():
            runs[name].append(timed(work))
    return runs


def median_ms(runs: list[Run]) -> str:
    """Median CPU / median wall of the runs, in milliseconds."""
    cpu = statistics.median(c for c, _ in runs) * 1000
    wall = statistics.median(w for _, w in runs) * 1000
    return f"{cpu:7.1f} / {wall:7.1f} ms"


def spread(values: list[float], digits: int = 2) -> str:
    """Median of the ratios and their range: ``9.40x (8.91-10.13)``."""
    median, low, high = statistics.median(values), min(values), max(values)
    return f"{median:.{digits}f}x ({low:.{digits}f}-{high:.{digits}f})"


def round_ratios(ours: list[Run], floor: list[Run]) -> str:
    """The median of per-round ratios, CPU and wall, each with its range."""
    cpu = spread([a[0] / b[0] for a, b in zip(ours, floor, strict=True)])
    wall = spread([a[1] / b[1] for a, b in zip(ours, floor, strict=True)])
    return f"{cpu} CPU, {wall} wall"


# Instruction counts. valgrind's callgrind counts the instructions a process executes, which
# other work on the machine does not move. The cost of one in-process run is the difference
# between two child processes that do the same warm-up, one followed by no run and one by a
# run: imports, the corpus's discovery and the warm-up cancel out.

CHILD = "--instructions-child"  # the hidden option that runs a script as such a child


def counting_environment(
    env: dict | None = None, checkout: Path | None = ROOT, cwd: Path | None = None
) -> dict[str, str]:
    """A fixed environment, so that counts match from one shell to the next: a fixed hash
    seed (the order of sets of strings), the armlint to count (``armlint_from``), and only the
    variables armlint needs (the size of the environment moves the counts too: 300 bytes more
    moved a floor run by 46,000)."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME") if name in os.environ}
    chosen = armlint_from(checkout, cwd or checkout or ROOT)
    return {**kept, "CI": "1", "PYTHONHASHSEED": "0", **chosen, **(env or {})}


def armlint_from(checkout: Path | None, cwd: Path) -> dict[str, str]:
    """The variables that make a ``python -m armlint`` child run in ``cwd`` import
    ``checkout``'s armlint, not the one the interpreter's environment has installed in
    editable mode (another checkout's, when a baseline is counted with a branch's venv).

    ``python -m`` searches its current folder first: run in the checkout, it needs nothing
    (the counts of every earlier session). Elsewhere the checkout goes first on PYTHONPATH
    and the current folder is not searched (PYTHONSAFEPATH, Python 3.11+); every import of
    start-up then searches the checkout too (1.3 M instructions of a one-template check).
    None: the interpreter's installed armlint (a wheel installed apart), never the folder's."""
    if checkout is None:
        return {"PYTHONSAFEPATH": "1"}
    if Path(cwd).resolve() == Path(checkout).resolve():
        return {}
    return {"PYTHONSAFEPATH": "1", "PYTHONPATH": str(checkout)}


def start_counting(
    command: list[str],
    env: dict | None = None,
    cwd: Path | None = None,
    checkout: Path | None = ROOT,
):
    """``command`` started under callgrind (not waited for: children run side by side), with
    ``checkout``'s armlint (see ``armlint_from``), in ``cwd`` (else the checkout's folder)."""
    folder = cwd or checkout or ROOT
    return subprocess.Popen(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=folder,
        env=counting_environment(env, checkout, folder),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def instructions_counted(process: subprocess.Popen) -> int:
    """The instructions callgrind counted for a process from ``start_counting``."""
    _, stderr = process.communicate()
    counts = [line.split()[-1] for line in stderr.splitlines() if "Collected" in line]
    if process.returncode not in (0, 1) or not counts:
        sys.exit(f"valgrind failed ({process.returncode}): {stderr[-800:]}")
    return int(counts[-1])


def count_instructions(
    command: list[str],
    env: dict | None = None,
    cwd: Path | None = None,
    checkout: Path | None = ROOT,
):
    """Instructions of one process, start-up included, with ``checkout``'s armlint."""
    return instructions_counted(start_counting(command, env, cwd, checkout))


def instructions_per_run(script: str, cases: list[str], checkout: Path = ROOT) -> dict[str, int]:
    """Instructions of one run of each case of ``script`` after its warm-up, by difference
    (see above), with ``checkout``'s armlint. Each child is first run without valgrind: it
    writes the bytecode, which would otherwise be compiled in one counted child and read in
    the other."""

    def child(case: str, runs: int) -> list[str]:
        return [sys.executable, script, CHILD, case, "--runs", str(runs)]

    # A script's own folder comes first on its path, not the current one: the checkout is
    # put next (the script's folder holds no armlint), ahead of an editable install.
    path = {"PYTHONPATH": str(checkout)}
    for case in cases:
        environment = counting_environment(path, checkout)
        subprocess.run(child(case, 0), cwd=checkout, env=environment, check=True)
    started = {
        (case, runs): start_counting(child(case, runs), path, checkout=checkout)
        for case in cases
        for runs in (0, 1)
    }
    counted = {key: instructions_counted(process) for key, process in started.items()}
    return {case: counted[case, 1] - counted[case, 0] for case in cases}


def add_child_options(parser: argparse.ArgumentParser) -> None:
    """The hidden options of a script run as an instruction-counting child."""
    parser.add_argument(CHILD, metavar="CASE", help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=1, help=argparse.SUPPRESS)


def run_as_child(work: Callable[[], object], runs: int) -> None:
    """A warm-up run of ``work``, then ``runs`` runs, each after emptying armlint's caches of
    earlier runs; then exit without the interpreter's finalization, whose cost grows with what
    the runs left behind and is no part of a run."""
    work()
    for _ in range(runs):
        forget_what_runs_learn()
        work()
    sys.stdout.flush()
    os._exit(0)


def instruction_ratio(ours: int, floor: int) -> str:
    return f"{ours / 1e6:9,.1f} M instructions, {ours / floor:.2f}x"
