"""What the benchmark scripts share: where things are, which corpus files are of which format,
and timing of fresh ``python -m armlint`` processes. Standard library only."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
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
    from armlint.model import stable_path

    _parse_cached.cache_clear()
    _shared_memo.cache_clear()
    stable_path.cache_clear()


def require_corpus() -> None:
    if not CORPUS.is_dir():
        sys.exit(f"no corpus at {CORPUS}")


def corpus_files(fmt: str | None = None) -> list[Path]:
    """The files armlint reads in the corpus, of one format or of all."""
    from armlint.run.discover import discover

    found = discover([str(CORPUS)])
    kinds = FORMATS[fmt] if fmt else tuple(k for ks in FORMATS.values() for k in ks)
    return [c.path for c in found.candidates if c.kind in kinds]


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


def child_run(arguments: list[str], cwd: Path | None = None, env: dict | None = None):
    """One fresh ``python -m armlint`` as an installed armlint runs (from bytecode: this box
    sets PYTHONDONTWRITEBYTECODE): (CPU seconds of the child, start-up included, wall seconds,
    the completed process). CPU from ``RUSAGE_CHILDREN``, which counts only finished children."""
    import resource

    environment = dict(os.environ, CI="1", **(env or {}))
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", *arguments],
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
