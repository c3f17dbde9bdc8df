"""Evaluation shared between the allowedValues combinations of one template (issue 16).

Exploring evaluates a template once per combination of the explored parameters' values, yet
most expressions read none of them: a VM's image, name or location is the same whichever
``patchMode`` is chosen. ``CombinationMemo`` keeps, for each value of the root template that
``TemplateScope.resolve`` evaluated, the result, the explored parameters the evaluation read
(directly or through variables, parameter defaults and values passed to nested deployments)
with the choice each had, and the budget steps it spent. A later combination reuses the result
when those parameters have the same choices and spending the same steps would not exhaust the
budget: exactly when evaluating again would give the same result, so findings do not change.

The same holds one level up for the property paths the Compute model follows from a VM of the
root template (``shared_result`` with the VM's own table, see ``arm.extract``): a path whose
values read no explored parameter that changed is not walked again.

Inner-scoped nested deployments and linked templates share in the same way: their scopes are
told apart by ``scope_id`` (the scope that deploys them, the deployment resource, its copy-loop
indexes, the template, and the choices of the explored parameters its name read, which the
traces of the parameters it passes show), so a value evaluated in the same deployment of an
earlier combination is reused under the same conditions as a value of the root template.

The first evaluation, with every parameter at the value it would get, shares too: the memo
then watches every parameter that may be explored (``explored`` is a superset of what the
loader finally explores), and a parameter not chosen has the choice ``NOT_CHOSEN`` in every
evaluation, which no allowedValues item is.

A read can be narrower than "this parameter's choice": ``variables('vm').name`` depends on the
choices that the member ``name`` read, and on the variable's trace, which findings show whole.
When every member that read a choice is a plain ``[parameters('x')]`` of a chosen parameter, that
trace says "one of its allowedValues" whatever the choice: it then depends only on whether those
parameters are chosen (``chosen_read``), so a VM's name no longer changes with its size.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

    from armlint.arm.template import Budget, TemplateScope

NOT_CHOSEN = object()  # the choice of a parameter at its given or default value
# Read by an evaluation that called copyIndex(): its result holds for its copy-loop indexes only.
COPY_INDEX = "copyIndex()"  # not a parameter name: those are kept in lower case
# A read of whether a parameter is chosen, not of its choice (see chosen_read).
CHOSEN_SUFFIX = " isChosen"  # upper case: never part of a parameter name (kept in lower case)


def chosen_read(name: str) -> str:
    """The read of whether the explored parameter ``name`` (lower case) is chosen at all."""
    return name + CHOSEN_SUFFIX


class Entry:
    """One shared result. A plain class: creating a dataclass cost about 2 million
    instructions of every ARM check's start-up."""

    __slots__ = ("result", "reads", "steps")

    def __init__(self, result: Any, reads: tuple[str, ...], steps: int) -> None:
        self.result = result  # the Evaluated (or the Reached of a VM's property path)
        self.reads = reads  # the explored parameters (lower case) it read, COPY_INDEX too
        self.steps = steps  # budget steps the evaluation spent


class Shared:
    """The results of one subject (a value of the root template, a VM's property path).

    ``always`` holds the one that read no explored parameter and no copy-loop index: it
    holds in every combination and instance, and is two thirds of the hits, found so by one
    attribute read. ``by_indexes`` holds the others: those that read no copy-loop index under
    None, the others under their indexes; then, by the parameters read, the entries by the
    choices those had (by identity, as ``chosen`` holds them: the very items of allowedValues
    lists, alive with the template).
    """

    __slots__ = ("subject", "always", "by_indexes")

    def __init__(self, subject: Any) -> None:
        self.subject = subject  # kept alive, so that its id is never reused
        self.always: Entry | None = None
        self.by_indexes: dict[tuple | None, dict[tuple[str, ...], dict[tuple, Entry]]] = {}


class CombinationMemo:
    """Results of one template's evaluations, shared by the combinations explored for it and
    by the instances of its copy loops."""

    def __init__(self, root: dict, explored: Iterable[str], budget: Budget) -> None:
        self.root = root  # its scope has scope_id 0; nested deployments' get theirs (scope_id)
        self.explored = frozenset(name.lower() for name in explored)
        # The file's budget, which every scope of it spends from (``FileContext.budget``).
        self.budget = budget
        self.chosen: dict[str, Any] = {}
        self.entries: dict[tuple, Shared] = {}
        # Scopes of nested deployments by what tells them apart (see scope_id); 0 is the root.
        self.scopes: dict[tuple, int] = {}
        # The choices of the combination under way, by the parameters read (see _choices).
        self._choices_of: dict[tuple[str, ...], tuple] = {}
        # One set per evaluation under way: the explored parameters it has read so far.
        self._frames: list[set[str]] = []

    def choose(self, combination: Iterable[tuple[str, Any]]) -> None:
        """The combination evaluated next."""
        self.chosen = {name.lower(): value for name, value in combination}
        self._choices_of.clear()

    def read(self, name: str) -> None:
        """A parameter (lower case) is read by the evaluations under way."""
        if name in self.explored and self._frames:
            self._frames[-1].add(name)

    def read_index(self) -> None:
        """The evaluations under way read a copy-loop index."""
        if self._frames:
            self._frames[-1].add(COPY_INDEX)

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

    def take(self) -> set[str]:
        """The reads of the evaluation that ends, not passed on to the one around it: the
        caller decides what they count as there (``TemplateScope.variable_member``)."""
        return self._frames.pop()

    def scope_id(
        self, parent: int, resource: dict, indexes: tuple, template: dict, reads: set[str]
    ) -> int:
        """A small number for the scope of a nested deployment, the same in every combination
        where what it depends on is the same: the deploying scope (``parent``), the deployment
        ``resource`` and its copy-loop ``indexes``, the ``template`` deployed (each object
        lives as long as the file's evaluation, so its id is not reused), and the choices of
        the explored parameters read while working out the deployment's name (``reads``)."""
        names = tuple(sorted(reads))
        key = (parent, id(resource), indexes, id(template), names, self._choices(names))
        return self.scopes.setdefault(key, len(self.scopes) + 1)

    def shared(
        self,
        key: tuple,
        subject: Any,
        scope: TemplateScope | None,
        compute: Callable[..., Any],
        *arguments: Any,
    ) -> Any:
        """``compute(*arguments)``, or its result from an earlier evaluation of the same ``key`` (the
        same ``subject``) when the explored parameters it read had the same choices and, if it
        read a copy-loop index, the indexes of ``scope`` (None: a whole walk, no indexes) were
        the same; then it spends the same steps, and nothing is reused that spending them
        would exhaust the budget for. The indexes are asked only when a result read one:
        most never do, and a hit is taken often enough for a call to count. The arguments
        are passed apart so that a hit builds no ``functools.partial``."""
        frames, budget = self._frames, self.budget
        slot = self.entries.get(key)
        if slot is not None and slot.subject is subject:
            found = slot.always
            if found is None:
                by_indexes = slot.by_indexes
                found = self._find(by_indexes.get(None))
                if found is None and (len(by_indexes) > 1 or None not in by_indexes):
                    found = self._find(by_indexes.get(_indexes_of(scope)))
            if found is not None and budget.steps >= found.steps:
                budget.steps -= found.steps
                if frames and found.reads:
                    frames[-1].update(found.reads)
                return found.result
        before = budget.steps
        frames.append(set())
        try:
            result = compute(*arguments)
        finally:
            reads = frames.pop()
            if frames:
                frames[-1].update(reads)
        if not budget.exhausted:
            if slot is None or slot.subject is not subject:
                slot = self.entries[key] = Shared(subject)
            if not reads:
                slot.always = Entry(result, (), before - budget.steps)
                return result
            names = tuple(sorted(reads))
            variant = _indexes_of(scope) if COPY_INDEX in reads else None
            by_choices = slot.by_indexes.setdefault(variant, {}).setdefault(names, {})
            choices = self._choices_of.get(names)
            if choices is None:
                choices = self._choices(names)
            by_choices[choices] = Entry(result, names, before - budget.steps)
        return result

    def _find(self, by_reads: dict | None) -> Entry | None:
        if not by_reads:
            return None
        choices_of = self._choices_of  # _choices without a call, once worked out
        for names, by_choices in by_reads.items():
            choices = choices_of.get(names)  # names read something: none read nothing
            entry = by_choices.get(self._choices(names) if choices is None else choices)
            if entry is not None:
                return entry
        return None

    def _choices(self, names: tuple[str, ...]) -> tuple:
        """The choices of these parameters in the combination under way; the same few sets
        of names are asked for again and again, so each is worked out once per combination."""
        found = self._choices_of.get(names)
        if found is None:
            chosen = self.chosen
            # Identity: a different object with an equal value only costs an evaluation (and
            # 1 == True would not). COPY_INDEX is never chosen.
            found = tuple(
                [
                    name[: -len(CHOSEN_SUFFIX)] in chosen
                    if name.endswith(CHOSEN_SUFFIX)
                    else id(chosen.get(name, NOT_CHOSEN))
                    for name in names
                ]
            )
            self._choices_of[names] = found
        return found


def _indexes_of(scope: TemplateScope | None) -> tuple:
    """The copy-loop indexes of a scope as a key; none for a whole walk."""
    return () if scope is None else scope.indexes_key()
