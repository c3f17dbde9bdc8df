"""Fresh-process timings: `armlint --version`, one typical template, the AzureStack corpus folder.

Run: python bench/startup.py [--repeat N]
Prints the best and median wall time of N fresh processes for each case (standard library only).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
CASES = {
    "--version": ["--version"],
    "one template": ["check", "--no-cache", str(ROOT / "examples" / "arm" / "web-tier.json")],
    "one template (corpus, 6 KB)": [
        "check",
        "--no-cache",
        str(
            CORPUS
            / "Azure__AzureStack-QuickStart-Templates"
            / "101-vm-windows-create"
            / "azuredeploy.json"
        ),
    ],
    "AzureStack corpus (210 files)": [
        "check",
        str(CORPUS / "Azure__AzureStack-QuickStart-Templates"),
        "--format",
        "json",
        "--no-cache",
    ],
    "AzureStack corpus, cached": [
        "check",
        str(CORPUS / "Azure__AzureStack-QuickStart-Templates"),
        "--format",
        "json",
    ],
}


# An installed armlint runs from compiled bytecode (pip writes it at install time); a shell
# with PYTHONDONTWRITEBYTECODE=1 would otherwise time the compiler on every run instead.
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def time_once(arguments: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "armlint", *arguments],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=False,
        env=CHILD_ENV,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"python {sys.version.split()[0]}, {args.repeat} fresh processes per case")
    for label, arguments in CASES.items():
        if any("corpus" in a for a in arguments) and not CORPUS.is_dir():
            print(f"{label:<32} skipped (no corpus at {CORPUS})")
            continue
        time_once(arguments)  # warm-up: bytecode and data caches, as after installation
        times = [time_once(arguments) for _ in range(args.repeat)]
        best, median = min(times) * 1000, statistics.median(times) * 1000
        print(f"{label:<32} best {best:7.1f} ms   median {median:7.1f} ms")


if __name__ == "__main__":
    main()
