"""Reading the ARM files of the corpus: json.loads, the fast reader and the eager parser (issue 16).

Run: python bench/json_read.py [--repeat N] [--instructions] [--only LABEL ...]
The texts are read and decoded first, so only parsing is timed (CPU time, median of N, the
garbage collector off as armlint's loader has it). ``--instructions`` also counts one pass
of each case with valgrind's callgrind (load does not move it; see ``benchlib``), and its
ratio to ``json.loads``; ``--only`` keeps the cases named (``json.loads`` always stays). ``parse`` is what armlint uses: json.loads
with positions computed when asked (none are asked here); ``parse_eager`` the position-keeping
parser it falls back to (comments, duplicate keys, NaN...). The last line asks every position of
every container, which no run does (it asks about one container in twenty).

The "bound" lines are what an exact reader built on json.loads costs at least: the objects
made as ``JsonObject`` by json.loads itself (no Python call, but duplicate keys lost unseen); the
same with the duplicate keys found without a Python call per object, by counting colons (see
``colons_counted``: no parent links, no arrays converted, no ``src``); and a Python hook that
does only what cannot be skipped (make the object, refuse duplicate keys, say which document
it belongs to), with no parent links and no arrays converted.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from itertools import chain, compress, repeat
from operator import is_

from benchlib import (
    add_child_options,
    corpus_files,
    forget_what_runs_learn,
    instruction_ratio,
    instructions_per_run,
    load,
    machine,
    require_corpus,
    run_as_child,
)

from armlint.arm.jsonpos import (
    JsonArray,
    JsonObject,
    SourceText,
    decode_bytes,
    parse,
    parse_eager,
)


def texts() -> list[str]:
    read = []
    for path in corpus_files("ARM"):
        try:
            text = decode_bytes(path.read_bytes())
            json.loads(text)
        except ValueError:  # the one invalid corpus file: the eager parser's in both readers
            continue
        read.append(text)
    return read


def every_position(value) -> None:
    pending = [value]
    while pending:
        container = pending.pop()
        if isinstance(container, JsonObject):
            container.span, container.value_spans  # noqa: B018  # computed on first use
            pending.extend(container.values())
        elif isinstance(container, JsonArray):
            container.span, container.item_spans  # noqa: B018
            pending.extend(container)


def json_object_hook(text: str) -> object:
    return json.loads(text, object_pairs_hook=JsonObject)


def colons_counted(text: str) -> object:
    """json.loads making the objects in C, duplicate keys found by counting: in JSON text a colon
    separates a member or sits in a string, so the text's colons are the keys read plus the
    colons in the strings read, unless a member was dropped. (An escaped colon, ``\\u003a``,
    is in the strings only: such text would need the exact reader.)"""
    value = json.loads(text, object_hook=JsonObject)
    if "\\u003" in text or colons_read(value) != text.count(":"):
        raise ValueError("duplicate keys or an escaped colon: the exact reader's")
    return value


def colons_read(root: object) -> int:
    """The keys of a value json.loads read plus the colons in its strings, one depth at a time
    with itertools (C): no Python step per container."""
    objects = [root] if type(root) is JsonObject else []
    arrays = [root] if type(root) is list else []
    colons = root.count(":") if type(root) is str else 0
    while objects or arrays:
        keys = [*chain.from_iterable(objects)]
        values = [*chain.from_iterable(map(dict.values, objects)), *chain.from_iterable(arrays)]
        kinds = [*map(type, values)]
        strings = compress(values, map(is_, kinds, repeat(str)))
        colons += len(keys) + "".join(keys).count(":") + "".join(strings).count(":")
        objects = [*compress(values, map(is_, kinds, repeat(JsonObject)))]
        arrays = [*compress(values, map(is_, kinds, repeat(list)))]
    return colons


def smallest_python_hook(text: str) -> object:
    src = SourceText("bench.json", text)

    def hook(pairs: list) -> JsonObject:
        made = JsonObject(pairs)
        if len(made) != len(pairs):
            raise ValueError("duplicate keys")
        made.src = src
        return made

    return json.loads(text, object_pairs_hook=hook)


def median_cpu(repeat: int, function, corpus: list[str]) -> float:
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        for text in corpus:
            function(text)
        runs.append(time.process_time() - start)
    return statistics.median(runs)


FLOOR = "json.loads"


def cases() -> dict:
    """The floor first: the instruction ratios are taken against it."""
    return {
        FLOOR: json.loads,
        "bound: JsonObject by C": json_object_hook,
        "bound: C, colons counted": colons_counted,
        "bound: a Python hook": smallest_python_hook,
        "parse (fast)": parse,
        "parse_eager": parse_eager,
        "parse + every position": lambda text: every_position(parse(text)[0]),
    }


def each_text(function, corpus: list[str]):
    """One pass of ``function`` over the texts, the collector off as armlint's loader has it."""

    def work() -> None:
        gc.disable()
        for text in corpus:
            function(text)
        gc.enable()

    return work


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="also count (valgrind)")
    parser.add_argument("--only", nargs="+", metavar="LABEL", help="these cases (and the floor)")
    add_child_options(parser)
    args = parser.parse_args()
    require_corpus()
    corpus = texts()
    chosen = {
        label: function
        for label, function in cases().items()
        if label == FLOOR or not args.only or label in args.only
    }
    if args.instructions_child:
        # run_as_child empties armlint's caches before each counted run: imported here, the
        # modules that hold them are imported by both children, not counted as part of a run.
        forget_what_runs_learn()
        run_as_child(each_text(chosen[args.instructions_child], corpus), args.runs)
    size = sum(map(len, corpus)) / 1e6
    print(
        f"{machine()}; {len(corpus)} ARM files, {size:.1f} M characters; CPU, median of "
        f"{args.repeat}; load {load()}"
    )
    gc.disable()
    for label, function in chosen.items():
        cpu = median_cpu(args.repeat, function, corpus)
        print(f"{label:<24} {cpu * 1000:8.1f} ms")
    gc.enable()
    if args.instructions:
        counts = instructions_per_run(__file__, list(chosen))
        for label in chosen:
            print(f"{label:<24} {instruction_ratio(counts[label], counts[FLOOR])}")
    print(f"load average after: {load()}")


if __name__ == "__main__":
    main()
