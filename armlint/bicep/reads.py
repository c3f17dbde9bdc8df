"""Which @allowed choices each cached value read, so that exploration re-evaluates only those.

Exploration (``loader.explore``) evaluates a root once per combination of the @allowed values
its VM facts depend on. Most of a template does not depend on them: the same templates are
kept across combinations, and before each combination ``Reads.invalidate`` drops exactly the
cached values (parameters, variables, outputs, resource and module instances, bodies and
properties, module templates) that read a choice which changed. The rest is reused as is.

What a value read is recorded as it is computed (``Memo.get`` runs the computation in a frame
of its own): every choice consulted, and every cached value reused, whose reads are added to
the reader's. So a value's reads are complete by construction, through variables, parameter
defaults, module parameters and outputs, conditions and loops, whatever the expression does
with what it read; a value computed again reads the same choices when they have the same
values (evaluation is deterministic), so reusing it gives the same answer.

One more key, ``CYCLE``, stands for what depends on the order of evaluation (a value that met
itself while being computed): it is dropped before every combination.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

CYCLE = ("", "evaluation order")  # not a (file, parameter) pair: never an @allowed choice
NO_READS: frozenset = frozenset()


class Reads:
    """The frames of the computations under way, and the cached entries by what they read."""

    __slots__ = ("frames", "memos", "readers")

    def __init__(self) -> None:
        self.frames: list[set] = []
        self.memos: list[Memo] = []
        # choice key -> the (entries, key) pairs cached with it among their reads
        self.readers: dict[Any, list[tuple[dict, Any]]] = {}

    def read(self, key: Any) -> None:
        if self.frames:
            self.frames[-1].add(key)

    def note(self, reads: frozenset) -> None:
        """A cached value is reused: its reader read what it read."""
        if self.frames:
            self.frames[-1].update(reads)

    def tracked(self, compute: Callable[[], Any]) -> tuple[Any, frozenset]:
        frame: set = set()
        self.frames.append(frame)
        try:
            value = compute()
        finally:
            self.frames.pop()
            if frame and self.frames:
                self.frames[-1].update(frame)
        return value, frozenset(frame) if frame else NO_READS

    def remember(self, reads: frozenset, entries: dict, key: Any) -> None:
        for read in reads:
            self.readers.setdefault(read, []).append((entries, key))

    def release(self) -> None:
        """Forget every cached value once the records are made: the cache holds templates
        that hold it (cycles), which the cyclic collector would have to find and walk; empty,
        they are freed as soon as the load drops them."""
        for memo in self.memos:
            memo.entries.clear()
        self.memos.clear()
        self.readers.clear()

    def invalidate(self, changed: set) -> None:
        """Drop every cached entry that read one of ``changed`` (and those that met a cycle)."""
        for read in (*changed, CYCLE):
            for entries, key in self.readers.pop(read, ()):
                entries.pop(key, None)


class Memo:
    """Cached values of one template (or one resource or module instance), each with its reads."""

    __slots__ = ("busy", "entries", "reads")

    def __init__(self, reads: Reads) -> None:
        self.reads = reads
        reads.memos.append(self)
        self.entries: dict[Any, tuple[Any, frozenset]] = {}
        self.busy: set = set()

    def get(
        self,
        key: Any,
        compute: Callable[[], Any],
        on_cycle: Callable[[], Any] | None = None,
    ) -> Any:
        """The cached value of ``key``, else ``compute()``'s. ``on_cycle`` answers a request
        for ``key`` made while it is being computed (without it, the value is computed again)."""
        entry = self.entries.get(key)  # a (value, reads) pair: never None itself
        if entry is not None:
            if entry[1]:
                self.reads.note(entry[1])
            return entry[0]
        if on_cycle is not None:
            if key in self.busy:
                self.reads.read(CYCLE)
                return on_cycle()
            self.busy.add(key)
        try:
            value, reads = self.reads.tracked(compute)
        finally:
            self.busy.discard(key)
        self.entries[key] = (value, reads)
        if reads:
            self.reads.remember(reads, self.entries, key)
        return value
