"""Evaluation shared between the allowedValues combinations of one template (issue 16).

Exploring evaluates a template once per combination of the explored parameters' values, yet
most expressions read none of them: a VM's image, name or location is the same whichever
``patchMode`` is chosen. ``CombinationMemo`` keeps, for each value of the root template that
``TemplateScope.resolve`` evaluated, the result, the explored parameters the evaluation read
(directly or through variables, parameter defaults and values passed to nested deployments)
with the choice each had, and the budget steps it spent. A later combination reuses the result
when those parameters have the same choices and spending the same steps would not exhaust the
budget: exactly when evaluating again would give the same result, so findings do not change.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class Entry:
    value: Any  # the template value evaluated: kept alive so that its id is never reused
    result: Any  # the Evaluated
    reads: dict[str, Any]  # explored parameter (lower case) -> the choice it had
    steps: int  # budget steps the evaluation spent


class CombinationMemo:
    """Results of one template's evaluations, shared by the combinations explored for it."""

    def __init__(self, root: dict, explored: Iterable[str]) -> None:
        self.root = root  # only the root template's scopes share results (see TemplateScope)
        self.explored = frozenset(name.lower() for name in explored)
        self.chosen: dict[str, Any] = {}
        self.entries: dict[tuple, Entry] = {}
        # One set per evaluation under way: the explored parameters it has read so far.
        self._frames: list[set[str]] = []

    def choose(self, combination: Iterable[tuple[str, Any]]) -> None:
        """The combination evaluated next."""
        self.chosen = {name.lower(): value for name, value in combination}

    def read(self, name: str) -> None:
        """A parameter (lower case) is read by the evaluations under way."""
        if name in self.explored and self._frames:
            self._frames[-1].add(name)

    def read_all(self, names: Iterable[str]) -> None:
        """Parameters read by a result that is reused (a cached variable, a shared entry)."""
        if self._frames:
            self._frames[-1].update(names)

    def start(self) -> None:
        self._frames.append(set())

    def finish(self) -> set[str]:
        """The reads of the evaluation that ends; they are reads of the one around it too."""
        reads = self._frames.pop()
        if self._frames:
            self._frames[-1].update(reads)
        return reads

    def lookup(self, key: tuple, value: Any, budget) -> Any:
        """The shared result for ``key`` if it holds for the current combination, else None."""
        entry = self.entries.get(key)
        if entry is None or entry.value is not value or budget.steps < entry.steps:
            return None
        chosen = self.chosen
        # Identity: the choices are the very items of the allowedValues list (a different
        # object with an equal value only costs an evaluation).
        if any(chosen.get(name) is not choice for name, choice in entry.reads.items()):
            return None
        budget.steps -= entry.steps
        self.read_all(entry.reads)
        return entry.result

    def store(self, key: tuple, value: Any, result: Any, reads: set[str], steps: int) -> None:
        choices = {name: self.chosen.get(name) for name in reads}
        self.entries[key] = Entry(value, result, choices, steps)
