"""Instructions it takes to import the ARM evaluator (armlint/arm/ and armlint/compute/), module
by module, as every ARM check does at start-up (issue 16: one ARM template under 60 ms CPU).

Run: python bench/arm_imports.py [--checkout DIR] (needs valgrind)

Each module is imported in a fresh interpreter (``python -S``, the checkout first on the path,
no editable-install hook) after everything these modules import from outside the two folders
(the standard library, ``armlint.model``, ``fileio``, ``paths``, ``datacache``), and after the
modules listed before it; callgrind counts the instructions, so other work on the machine does
not move the figures, and a fixed hash seed makes them repeat exactly. A module's figure is
the count with it minus the count without it: its bytecode read, its body run (classes,
regular expressions, tables) and the import machinery's work for it. ``--checkout`` measures
another checkout (``git worktree add --detach /tmp/before REF``) for before/after figures.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTSIDE = (
    "import re, json, gc, itertools, functools, pathlib, collections.abc; "
    "import armlint.model, armlint.fileio, armlint.paths, armlint.datacache"
)
# In the order a check imports them (each after those it needs).
MODULES = (
    "armlint.arm",
    "armlint.arm.jsonpos",
    "armlint.arm.kinds",
    "armlint.arm.combinations",
    "armlint.arm.functions",
    "armlint.compute.images",
    "armlint.compute.schema",
    "armlint.compute.arm_body",
    "armlint.arm.expressions",
    "armlint.arm.template",
    "armlint.arm.extract",
    "armlint.arm.fleet",
    "armlint.arm.walk",
    "armlint.arm.loader",
    "armlint.arm.files",
)


def instructions(checkout: Path, code: str) -> int:
    completed = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-S",
            "-c",
            f"import sys; sys.path.insert(0, {str(checkout)!r}); {code}",
        ],
        capture_output=True,
        text=True,
        env={"PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"},
        check=False,
    )
    counts = [line.split()[-1] for line in completed.stderr.splitlines() if "Collected" in line]
    if not counts:
        sys.exit(f"valgrind failed: {completed.stderr[-500:]}")
    return int(counts[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checkout", default=str(ROOT), help="the checkout to measure")
    checkout = Path(parser.parse_args().checkout).resolve()
    code = OUTSIDE
    instructions(checkout, code + "; import armlint.arm.files")  # writes the bytecode caches
    before = instructions(checkout, code)
    total = 0
    print(f"{checkout}: millions of instructions to import each module")
    for module in MODULES:
        code += f"; import {module}"
        count = instructions(checkout, code)
        print(f"{module:28} {(count - before) / 1e6:6.2f}")
        total += count - before
        before = count
    print(f"{'all of them':28} {total / 1e6:6.2f}")


if __name__ == "__main__":
    main()
