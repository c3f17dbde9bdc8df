"""ARM evaluation alone on the corpus: the VM records of every template, reading excluded.

Run: python bench/arm_eval.py [--repeat N] [--explore] [--once | --read-only]
Each round reads the ARM files again (not timed: positions are worked out on the documents and
kept there), then evaluates every template with its parameter files as ``armlint check`` does
(``TemplateLoader.load``, one folder's files at a time). Prints the CPU time of evaluation
(``time.process_time``, median of N rounds after one warm-up) and a digest of the records,
findings and notes, which must not change when the evaluator gets faster. ``--once`` evaluates
once after the warm-up and prints nothing; ``--read-only`` does the same work without that
evaluation: for ``valgrind --tool=callgrind``, run it with ``--once`` and with ``--read-only``
and take the difference of the instruction counts.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import statistics
import time

from benchlib import corpus_files, machine, require_corpus


def documents(paths):
    """(template, its parameter files) for every template, as ``armlint.arm.files`` pairs them."""
    from armlint.arm import kinds
    from armlint.arm.loader import parameter_files_for, read_json

    read = {path: read_json(path) for path in paths}
    found = {path: kinds.json_kind(doc.value) if doc.ok else "error" for path, doc in read.items()}
    parameters = [path for path, kind in found.items() if kind == kinds.PARAMETERS]
    pairs = []
    for path, kind in found.items():
        if kind == kinds.TEMPLATE:
            beside = [p for p in parameters if p.parent == path.parent]
            chosen = parameter_files_for(path, beside)
            pairs.append((read[path], [read[p] for p in chosen if read[p].ok]))
    return pairs


def evaluate(pairs, explore: bool) -> list:
    from armlint.arm.loader import TemplateLoader

    loader = TemplateLoader([], explore=explore)
    return [loader.load(template, parameter_docs) for template, parameter_docs in pairs]


def digest(results) -> str:
    """Every record, finding and note as ``repr`` shows them (locations read, so worked out)."""
    hashed = hashlib.sha256()
    for result in results:
        for item in (*result.records, *result.findings, *result.notes):
            hashed.update(repr(item).encode())
    return hashed.hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explore", action="store_true")
    parser.add_argument("--once", action="store_true")
    parser.add_argument("--read-only", action="store_true")
    args = parser.parse_args()
    require_corpus()
    paths = corpus_files("ARM")
    gc.disable()  # as arm.load does
    evaluate(documents(paths), args.explore)  # warm-up: imports, parsed expressions
    pairs = documents(paths)
    if args.once or args.read_only:
        if args.once:
            evaluate(pairs, args.explore)
        return
    times = []
    for _ in range(args.repeat):
        start = time.process_time()
        results = evaluate(pairs, args.explore)
        times.append(time.process_time() - start)
        pairs = documents(paths)
    mode = "exploring" if args.explore else "--no-explore"
    print(
        f"{machine()}; {len(pairs)} templates, {mode}; evaluation CPU median of {args.repeat}:"
        f" {statistics.median(times) * 1000:.1f} ms; records digest {digest(results)}"
    )


if __name__ == "__main__":
    main()
