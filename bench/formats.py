"""Cost per file of each input format, and proof that a JSON-only run never loads the
Terraform or Bicep parsers.

Run: python bench/formats.py [CORPUS]   (default: ../shared/corpus beside the repository)
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import sys; from armlint.cli import main; "
    "main(['check', '--no-cache', sys.argv[1]]); "
    "print(sorted(m for m in ('hcl2', 'lark', 'tree_sitter', 'tree_sitter_bicep', 'jsonschema',"
    " 'jinja2') if m in sys.modules))"
)


def per_file(files: list[Path], load) -> tuple[float, float, float]:
    times = []
    for path in files:
        start = time.perf_counter()
        load([path])
        times.append(time.perf_counter() - start)
    return sum(times), statistics.median(times) * 1000, max(times) * 1000


def main() -> None:
    from armlint import bicep, terraform

    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpus"
    tf_files = sorted(corpus.rglob("*.tf"))
    bicep_files = sorted(corpus.rglob("*.bicep"))
    terraform.load(tf_files[:1])  # parser set-up, paid once per process
    bicep.load(bicep_files[:1])
    for label, files, load in (
        ("terraform", tf_files, terraform.load),
        ("bicep", bicep_files, bicep.load),
    ):
        total, median, worst = per_file(files, load)
        print(
            f"{label:<10} {len(files)} files, one at a time: total {total:.2f} s, "
            f"median {median:.1f} ms, max {worst:.0f} ms"
        )
    sample = ROOT / "examples" / "arm" / "web-tier.json"
    loaded = (
        subprocess.run(
            [sys.executable, "-c", PROBE, str(sample)], capture_output=True, text=True, check=False
        )
        .stdout.strip()
        .splitlines()[-1]
    )
    print(f"heavy modules imported by a JSON-only check: {loaded}")


if __name__ == "__main__":
    main()
