"""Fan-out with the default budgets: each level calls the next ten times (ARM linked templates
and Terraform modules six deep, Bicep modules seven deep). Before the budgets bounded the whole
run each took over 60 s and up to 3.5 GB. Prints seconds (wall and CPU) and peak memory.

    python bench/fanout.py
"""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.hardening.test_budgets import arm_tree, bicep_tree, terraform_tree  # noqa: E402

TREES = {
    "ARM (6 deep)": arm_tree,
    "Terraform (6 deep)": terraform_tree,
    "Bicep (7 deep)": bicep_tree,
}


def measure(build) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / ".git").mkdir()
        build(Path(folder))
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "armlint", "check", ".", "--no-cache", "--jobs", "1"],
            cwd=folder,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024


def main() -> None:
    for label, build in TREES.items():
        wall, cpu, peak = measure(build)
        print(f"{label:20} {wall:6.2f} s wall  {cpu:6.2f} s CPU  peak {peak:5.0f} MB")


if __name__ == "__main__":
    main()
