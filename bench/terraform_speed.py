"""How long ``armlint.terraform.load`` takes on the corpus's Terraform files, in one process.

Prints the first load (it also builds or reads the cached HCL parser), the best of N loads of
all .tf/.tfvars files together, and the median of loading each file on its own (best of N per
file, so one slow scheduling hiccup does not move the median).

Run: python bench/terraform_speed.py [CORPUS] [--repeat N]
(default corpus: ../shared/corpus beside the repository)
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import armlint.terraform as terraform  # noqa: E402  (after the path set-up above)


def corpus_files(corpus: Path) -> list[Path]:
    return sorted(
        path for path in corpus.rglob("*") if path.is_file() and path.suffix in (".tf", ".tfvars")
    )


def seconds(files: list[Path]) -> float:
    start = time.perf_counter()
    terraform.load(files)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("corpus", nargs="?", default=str(ROOT.parent / "shared" / "corpus"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    files = corpus_files(Path(args.corpus))
    print(f"python {sys.version.split()[0]}, {len(files)} files, best of {args.repeat}")
    print(f"first load (parser set-up included) {seconds(files) * 1000:8.1f} ms")
    whole = min(seconds(files) for _ in range(args.repeat))
    print(f"all files in one load               {whole * 1000:8.1f} ms")
    per_file = [min(seconds([path]) for _ in range(args.repeat)) for path in files]
    print(f"per-file median                     {statistics.median(per_file) * 1000:8.1f} ms")
    print(f"per-file total                      {sum(per_file) * 1000:8.1f} ms")


if __name__ == "__main__":
    main()
