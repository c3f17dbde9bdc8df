"""Evaluation of one ARM template: parameters, variables, copy loops and nested deployments.

A ``TemplateScope`` answers ``parameters()``, ``variables()`` and ``copyIndex()`` for the
expression evaluator and records, for every value, the chain of parameters and variables it was
resolved through (the trace that findings show). Values that cannot be known before deployment
come back as ``Unknown``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from operator import is_

from armlint.arm import expressions
from armlint.arm.combinations import CombinationMemo, chosen_read
from armlint.arm.jsonpos import JsonArray, JsonObject, SourceText, copy_positions, get_ci
from armlint.model import LOCATION_ORIGIN, DeploymentContext, Location, Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

MAX_COPY_COUNT = 800  # ARM's own limit for copy loops
MAX_NESTING = 10
# Copying a literal value costs no expression steps, yet a variable holding a big array is
# copied again for every copy-loop instance that reads it: one step per this many items keeps
# that work inside the file's budget (about the time one function call takes).
ITEMS_PER_STEP = 8
STEP_BUDGET = 400_000  # one file with everything it links; README "Budgets"
BUDGET_EXHAUSTED = "evaluation budget exhausted (template too complex)"


# Plain classes, not dataclasses: every ARM check imports this module, and creating a dataclass
# cost about 2 million instructions (a millisecond) of start-up each.


class ParameterValue:
    """A value given for a parameter from outside the template (parameter file, parent deployment)."""

    __slots__ = ("value", "origin", "scope")

    def __init__(
        self,
        value: Any,
        # 'set in vm.parameters.json:6', "passed by deployment 'x' (main.json:40)"; a callable
        # when working out the position is only worth it for parameters that are actually read.
        origin: str | Callable[[], str],
        scope: TemplateScope | None = None,  # when set, ``value`` is still to be evaluated there
    ) -> None:
        self.value = value
        self.origin = origin
        self.scope = scope

    def origin_text(self) -> str:
        if callable(self.origin):
            self.origin = self.origin()  # kept: each scope that reads the parameter asks again
        return self.origin


class Budget:
    """Evaluation steps left for one file; shared by every scope of that file."""

    __slots__ = ("steps", "exhausted")

    def __init__(self, steps: int = STEP_BUDGET, exhausted: bool = False) -> None:
        self.steps = steps
        self.exhausted = exhausted

    def spend(self, amount: int = 1) -> None:
        self.steps -= amount
        if self.steps < 0:
            self.exhausted = True
            raise expressions.EvaluationError(BUDGET_EXHAUSTED)


class Evaluated:
    """A value with its trace: the parameters and variables it came through."""

    __slots__ = ("value", "trace")

    def __init__(self, value: Any, trace: tuple[str, ...] = ()) -> None:
        self.value = value
        self.trace = trace


class FileContext:
    """What all scopes of one file share: the budget, notes and parameter reads."""

    __slots__ = ("budget", "notes", "deployment", "memo", "walked", "index_reads")

    def __init__(
        self,
        budget: Budget | None = None,
        notes: list[str] | None = None,
        deployment: DeploymentContext | None = None,
        memo: CombinationMemo | None = None,
        walked: dict[tuple[str, int], tuple[dict, Any]] | None = None,
    ) -> None:
        self.budget = Budget(STEP_BUDGET) if budget is None else budget
        self.notes: list[str] = [] if notes is None else notes
        self.deployment = DeploymentContext() if deployment is None else deployment
        # While allowedValues combinations are explored: results they share (arm.combinations).
        self.memo = memo
        # What the walk works out from a template's text alone, by what and id of the template
        # object (which it keeps alive): the same in every evaluation of the file (arm.walk).
        self.walked: dict[tuple[str, int], tuple[dict, Any]] = {} if walked is None else walked
        # Without a memo: how many times a copy-loop index was read, by copyIndex() or through
        # a cached value that read one; an evaluation that leaves it unchanged read none
        # (arm.extract.CopySharing).
        self.index_reads = 0


class TemplateScope(expressions.Scope):
    """The evaluation scope of one template (or one inner-scoped nested template)."""

    # A plain attribute, set in __init__, in place of ``Scope``'s property: the evaluator reads
    # it for every function call and every value it resolves, and the property's getter was
    # one Python call each time (about 1% of evaluation).
    budget: Budget = None

    def __init__(
        self,
        template: dict,
        src: SourceText,
        given: dict[str, ParameterValue],
        context: FileContext,
        copy_indexes: dict[str | None, int] | None = None,
        depth: int = 0,
        scope_id: int | None = None,
    ) -> None:
        self.template = template
        self.src = src
        self.given = {name.lower(): value for name, value in given.items()}
        self.context = context
        self.budget = context.budget
        self.copy_indexes = copy_indexes or {}
        self.depth = depth
        # While exploring, what tells this scope apart in the results shared between
        # combinations (CombinationMemo.scope_id); None: this scope shares nothing.
        memo = context.memo
        if scope_id is None and memo is not None and depth == 0 and template is memo.root:
            scope_id = 0
        self.scope_id = scope_id
        self.reads: set[str] = set()
        self._parameters = _section(template, "parameters")
        self._variables = _section(template, "variables")
        self._variable_cache: dict[str, Evaluated] = {}
        self._places: dict[tuple[str, str], str] = {}  # see _declared_at
        self._parameter_cache: dict[str, Evaluated] = {}
        # The explored parameters each cached value read (only while exploring; see memo).
        self._cached_reads: dict[tuple[str, str], set[str]] = {}
        # Of a cached variable's object, what reading one member reads (see variable_member).
        self._member_reads: dict[str, dict[str, frozenset[str]] | None] = {}
        # Without a memo: the cached values whose evaluation read a copy-loop index.
        self._index_dependent: set[tuple[str, str]] = set()
        self._indexes_made: tuple[dict, tuple] | None = None
        self._in_progress: set[str] = set()
        self._trace: list[str] | None = None

    # -- the expression evaluator's questions --------------------------------------------

    # parameter() and variable() note the trace without calling _note: they answer 2,788 of
    # the corpus's 5,126 function calls.

    def parameter(self, name: str) -> Any:
        result = self.parameter_with_trace(name)
        if self._trace is not None:
            self._trace.extend(result.trace)
        return result.value

    def variable(self, name: str) -> Any:
        result = self.variable_with_trace(name)
        if self._trace is not None:
            self._trace.extend(result.trace)
        return result.value

    def variable_member(self, call: Any, member: str, evaluate: Callable) -> Any:
        """``variables('v')`` of which only ``member`` is read: while combinations share
        results, the evaluation under way reads what that member read, and whether the
        parameters that the variable's trace names are chosen (arm.combinations), when the
        variable's object allows it (``_narrowed``); else everything the variable read."""
        memo = self._sharing_memo()
        if memo is None:
            return evaluate(call, self)
        memo.start()
        try:
            return evaluate(call, self)
        finally:
            reads = memo.take()
            members = self._member_reads.get(call.args[0].value.lower())
            narrowed = members.get(member.lower()) if members else None
            memo.read_all(reads if narrowed is None else narrowed)

    def copy_index(self, loop: str | None) -> Any:
        self.context.index_reads += 1
        if self.context.memo is not None:
            self.context.memo.read_index()
        if loop is None:
            if None in self.copy_indexes:
                return self.copy_indexes[None]
            return Unknown("copyIndex() used outside a copy loop")
        for key, value in self.copy_indexes.items():
            if key is not None and key.lower() == loop.lower():
                return value
        return Unknown(f"copyIndex('{loop}') refers to a loop that is not being expanded")

    def resource_group(self) -> dict:
        return self._with_given_location(super().resource_group())

    def deployment(self) -> dict:
        return self._with_given_location(super().deployment())

    def _with_given_location(self, partial: dict) -> dict:
        """``--location`` binds the location of the resource group and of the deployment."""
        location = self.context.deployment.location
        if location:
            partial["location"] = location
            self._note((LOCATION_ORIGIN,))
        return partial

    # -- with traces ------------------------------------------------------------------------

    def parameter_with_trace(self, name: str) -> Evaluated:
        lowered = name.lower()
        self.reads.add(lowered)
        memo = self.context.memo
        if memo is not None:
            memo.read(lowered)
        cached = self._parameter_cache.get(lowered)
        if cached is None:
            cached = self._tracked(("p", lowered), self._parameter_uncached, name)
            self._parameter_cache[lowered] = cached
        elif memo is not None:
            memo.read_all(self._cached_reads.get(("p", lowered), ()))
        elif self._index_dependent:
            self._index_read_again(("p", lowered))
        return cached

    def _tracked(
        self, key: tuple[str, str], compute: Callable[..., Evaluated], *args: Any
    ) -> Evaluated:
        """``compute(*args)``, a value this scope caches; while exploring, remember which
        explored parameters it read, so that a later use of the cached value counts them as
        read, and without a memo whether it read a copy-loop index (``FileContext.index_reads``).
        The method and its arguments, not a closure: one Python call less per value."""
        context = self.context
        memo = context.memo
        if memo is None:
            before = context.index_reads
            result = compute(*args)
            if context.index_reads != before:
                self._index_dependent.add(key)
            return result
        memo.start()
        try:
            return compute(*args)
        finally:
            self._cached_reads[key] = memo.finish()

    def _index_read_again(self, key: tuple[str, str]) -> None:
        """A cached value used again counts as reading the copy-loop index when it did."""
        if key in self._index_dependent:
            self.context.index_reads += 1

    def _parameter_uncached(self, name: str) -> Evaluated:
        key, declaration = get_ci(self._parameters, name)
        label = f"parameters('{key or name}')"
        if key is not None and isinstance(self._parameters, JsonObject):
            label += self._declared_at("p", self._parameters, key)
        given = self.given.get(name.lower())
        if given is not None:
            return self._given_value(given, label)
        if not isinstance(declaration, dict):
            if key is None:
                return Evaluated(Unknown(f"parameters('{name}') is not declared"), (label,))
            return Evaluated(Unknown(f"parameter '{name}' is malformed"), (label,))
        default_key, default = get_ci(declaration, "defaultValue")
        if default_key is not None:
            value = self.resolve(default)
            return Evaluated(value.value, (label, "defaultValue", *value.trace))
        _, kind = get_ci(declaration, "type")
        if isinstance(kind, str) and kind.lower().startswith("secure"):
            reason = f"secure parameter '{key}' has no value"
        else:
            reason = f"parameter '{key}' has no value (no default, not in a parameter file)"
        return Evaluated(Unknown(reason), (label,))

    def _declared_at(self, kind: str, section: JsonObject, key: str) -> str:
        """' (vm.json:23)': where a parameter or variable is declared, for its trace. Kept for
        the scope and its copy-loop clones, which evaluate their values again (copyIndex())."""
        place = self._places.get((kind, key))
        if place is None:
            line = section.key_line(key)
            place = self._places[kind, key] = f" ({_file_name(section.src.path)}:{line})"
        return place

    def _given_value(self, given: ParameterValue, label: str) -> Evaluated:
        if given.scope is not None:
            inner = given.scope.resolve(given.value)
            return Evaluated(inner.value, (label, given.origin_text(), *inner.trace))
        return Evaluated(given.value, (label, given.origin_text()))

    def variable_with_trace(self, name: str) -> Evaluated:
        lowered = name.lower()
        cached = self._variable_cache.get(lowered)
        if cached is not None:
            if self.context.memo is not None:
                self.context.memo.read_all(self._cached_reads.get(("v", lowered), ()))
            elif self._index_dependent:
                self._index_read_again(("v", lowered))
            return cached
        key, raw = get_ci(self._variables, name)
        if key is None:
            copy_result = self._copy_variable(name)
            if copy_result is not None:
                return copy_result
            return Evaluated(Unknown(f"variables('{name}') is not declared"))
        if lowered in self._in_progress:
            return Evaluated(Unknown(f"variable '{key}' refers to itself"))
        label = f"variables('{key}')"
        if isinstance(self._variables, JsonObject):
            label += self._declared_at("v", self._variables, key)
        self._in_progress.add(lowered)
        try:
            inner = self._tracked(("v", lowered), self._resolve_variable, lowered, raw)
        finally:
            self._in_progress.discard(lowered)
        result = Evaluated(inner.value, (label, *inner.trace))
        self._variable_cache[lowered] = result
        return result

    def _resolve_variable(self, lowered: str, raw: Any) -> Evaluated:
        """``resolve(raw)``; while combinations share results, an object also keeps what
        reading each of its members reads (``variable_member``)."""
        memo = self._sharing_memo()
        if memo is None or not isinstance(raw, dict):
            return self.resolve(raw)
        key = ("members", self.scope_id, id(raw), *self._progress_key())
        shared = memo.shared(key, raw, self, self._resolve_members, raw, memo)
        inner, self._member_reads[lowered] = shared
        return inner

    def _resolve_members(
        self, raw: dict, memo: CombinationMemo
    ) -> tuple[Evaluated, dict[str, frozenset[str]] | None]:
        """A variable's object resolved as ``resolve`` resolves it, with the explored
        parameters each member read."""
        reads: dict[str, set[str]] = {}
        outer = self._trace
        self._trace = []
        try:
            self.budget.spend(1 + len(raw) // ITEMS_PER_STEP)
            result = JsonObject() if isinstance(raw, JsonObject) else {}
            for key, item in raw.items():
                memo.start()
                try:
                    result[key] = self._resolve_member(item, memo)
                finally:
                    reads.setdefault(str(key).lower(), set()).update(memo.finish())
            if isinstance(raw, JsonObject):
                copy_positions(raw, result)
            return Evaluated(result, tuple(dict.fromkeys(self._trace))), self._narrowed(raw, reads)
        except expressions.EvaluationError as error:  # only the budget: see _resolve
            return Evaluated(Unknown(error.message), tuple(dict.fromkeys(self._trace))), None
        finally:
            self._trace = outer

    def _narrowed(self, raw: dict, reads: dict[str, set[str]]) -> dict[str, frozenset[str]] | None:
        """What reading one member of the variable's object reads: the member's own reads,
        and for the object's trace (which ``variables('v').m`` takes whole) whether the
        parameters it names are chosen. That holds when each member that read an explored
        parameter is a plain ``[parameters('x')]`` given without evaluation (a chosen value,
        whose trace says "one of its allowedValues" whatever the choice); None otherwise
        (every member then counts as reading everything the object read)."""
        every: set[str] = set()
        for key, item in raw.items():
            if reads[str(key).lower()]:
                if not self._given_as_is(item):
                    return None
                every |= reads[str(key).lower()]
        chosen = {chosen_read(name) for name in every}
        return {key: frozenset(member | chosen) for key, member in reads.items()}

    def _given_as_is(self, text: Any) -> bool:
        """``[parameters('x')]`` of the root template, with x given a value that is not
        evaluated (a chosen allowedValues item): its trace is the same for every value."""
        if self.scope_id != 0 or not expressions.is_expression(text):
            return False
        try:
            node = expressions.parse_expression(text)
        except expressions.ExpressionError:
            return False
        if not (
            type(node) is expressions.Call
            and node.key == "parameters"
            and not node.namespace
            and len(node.args) == 1
            and isinstance(node.args[0].value, str)
            and type(node.args[0]) is expressions.Literal
        ):
            return False
        given = self.given.get(node.args[0].value.lower())
        return given is not None and given.scope is None

    def _copy_variable(self, name: str) -> Evaluated | None:
        """Variables declared through the variables section's own ``copy`` array."""
        _, copies = get_ci(self._variables, "copy")
        if not isinstance(copies, list):
            return None
        for entry in copies:
            if not isinstance(entry, dict):
                continue
            _, loop_name = get_ci(entry, "name")
            if isinstance(loop_name, str) and loop_name.lower() == name.lower():
                return self._expand_copy_variable(entry, loop_name)
        return None

    def _expand_copy_variable(self, entry: dict, loop_name: str) -> Evaluated:
        count = self.count_of(entry)
        if not isinstance(count, int):
            return Evaluated(count if isinstance(count, Unknown) else Unknown("copy count unknown"))
        _, template = get_ci(entry, "input")
        items = []
        trace: list[str] = []
        for index in range(count):
            scope = self.with_copy_index(loop_name, index)
            item = scope.resolve(template)
            items.append(item.value)
            trace.extend(t for t in item.trace if t not in trace)
        return Evaluated(items, (f"variables('{loop_name}') (copy)", *trace))

    # -- evaluation of JSON values ----------------------------------------------------------

    def resolve(self, value: Any) -> Evaluated:
        """Evaluate every expression inside a JSON value; containers keep their positions."""
        if value.__class__ is str:
            if not expressions.is_expression(value):
                # A literal, as a third of the strings asked are: nothing to evaluate, trace
                # or share, so none of the bookkeeping of _resolve_here.
                return Evaluated(expressions.unescape(value))
            # An expression, worth sharing: _worth_sharing would ask is_expression again.
            memo = self.context.memo  # _sharing_memo() without a call: every value comes here
            if memo is not None and self.scope_id is not None:
                return self._resolve_shared(value, memo)
            return self._resolve_here(value)
        memo = self.context.memo
        if memo is not None and self.scope_id is not None and _worth_sharing(value):
            return self._resolve_shared(value, memo)
        return self._resolve_here(value)

    def _resolve_shared(self, value: Any, memo: CombinationMemo) -> Evaluated:
        """``resolve`` through the results shared between allowedValues combinations and copy
        loop instances. The key is all that can differ between two evaluations of the same
        value besides the explored parameters and the copy-loop indexes (which
        ``CombinationMemo.shared`` tells apart when they were read): the scope (the root
        template's or a nested deployment's, ``scope_id``) and the variables being evaluated
        (a variable that refers to itself is unknown)."""
        # An expression is its text wherever it is written; a container is itself.
        if isinstance(value, str):
            subject, key = None, (self.scope_id, value)
        else:
            subject, key = value, (self.scope_id, id(value))
        if self._in_progress:
            key += self._progress_key()
        return memo.shared(key, subject, self, self._resolve_here, value)

    def _progress_key(self) -> tuple:
        """The variables being evaluated, as the end of a shared key (usually none)."""
        progress = self._in_progress
        return (frozenset(progress),) if progress else ()

    def indexes_key(self) -> tuple:
        """The copy-loop indexes as a key, made once per indexes dict (the walk may replace
        the dict of a fresh loop scope, so the key remembers which dict it was made from)."""
        made = self._indexes_made
        if made is None or made[0] is not self.copy_indexes:
            made = self._indexes_made = (self.copy_indexes, _frozen(self.copy_indexes))
        return made[1]

    def _resolve_here(self, value: Any) -> Evaluated:
        outer = self._trace
        self._trace = []
        try:
            # A string comes here only as an expression (resolve, _resolve_item and the memo
            # test it first): evaluated without a second is_expression (2,005 of the 6,193
            # tests of one corpus evaluation).
            if value.__class__ is str:
                resolved = self._evaluate_expression(value)
            else:
                resolved = self._resolve(value)
            return Evaluated(resolved, _distinct(self._trace))
        except expressions.EvaluationError as error:  # only the budget: see _resolve
            return Evaluated(Unknown(error.message), _distinct(self._trace))
        finally:
            self._trace = outer

    def evaluate_string(self, text: str) -> Evaluated:
        return self.resolve(text)

    def _resolve(self, value: Any) -> Any:
        if isinstance(value, str):
            if expressions.is_expression(value):
                return self._evaluate_expression(value)
            return expressions.unescape(value)
        if isinstance(value, dict):
            return self._resolve_object(value)
        if isinstance(value, list):
            return self._resolve_array(value)
        return value

    # A container with nothing to evaluate inside is returned itself, positions and all: a
    # copy cost a new object and its positions for each of the many literal objects a VM
    # passes through (nothing changes a resolved value afterwards).

    def _resolve_object(self, value: dict) -> dict:
        self.budget.spend(1 + len(value) // ITEMS_PER_STEP)
        memo = self._sharing_memo()
        if memo is None:
            resolved = {key: self._resolve(item) for key, item in value.items()}
        else:
            resolved = {key: self._resolve_member(item, memo) for key, item in value.items()}
        if _unchanged(resolved.values(), value.values()):
            return value
        if isinstance(value, JsonObject):
            result = JsonObject(resolved)
            copy_positions(value, result)  # without computing them (jsonpos)
            return result
        return resolved

    def _resolve_array(self, value: list) -> list:
        self.budget.spend(1 + len(value) // ITEMS_PER_STEP)
        memo = self._sharing_memo()
        # Without a memo, straight to _resolve: one Python frame less per item. Measured: with
        # the extra frame, a 1000-item array read 800 times took 12 s instead of 1 s in a
        # pytest-xdist worker (same call counts; tests/hardening/test_bad_inputs.py). Likely
        # cause, not proven: Python 3.11 allocates and frees a frame-stack chunk on every call
        # that crosses a chunk's end, and the extra frame put this loop on such a boundary.
        if memo is None:
            items = [self._resolve(item) for item in value]
        else:
            items = [self._resolve_member(item, memo) for item in value]
        if _unchanged(items, value):
            return value
        if isinstance(value, JsonArray):
            array = JsonArray(items)
            copy_positions(value, array)
            return array
        return items

    def _resolve_member(self, item: Any, memo: CombinationMemo | None) -> Any:
        if memo is not None and isinstance(item, str) and expressions.is_expression(item):
            return self._resolve_item(item, memo)
        return self._resolve(item)

    def _sharing_memo(self) -> CombinationMemo | None:
        memo = self.context.memo
        return memo if memo is not None and self.scope_id is not None else None

    def _resolve_item(self, text: str, memo: CombinationMemo) -> Any:
        """An expression inside an object or array, shared on its own: when one property of
        a variable's object reads a choice, the others are not evaluated again."""
        result = self._resolve_shared(text, memo)
        self._note(result.trace)
        return result.value

    def _evaluate_expression(self, text: str) -> Any:
        try:
            return expressions.evaluate(text, self)
        except (expressions.ExpressionError, expressions.EvaluationError) as error:
            return Unknown(f"cannot evaluate {_clip(text)}: {error.message}")
        except RecursionError:
            return Unknown(f"cannot evaluate {_clip(text)}: nested too deeply")

    def _note(self, steps: tuple[str, ...]) -> None:
        if self._trace is not None:
            self._trace.extend(steps)

    # -- loops ------------------------------------------------------------------------------

    def with_copy_index(self, loop: str | None, index: int) -> TemplateScope:
        """The same scope seen from inside one iteration of a copy loop."""
        clone = TemplateScope.__new__(TemplateScope)
        clone.__dict__.update(self.__dict__)
        indexes = dict(self.copy_indexes)
        indexes[loop] = index
        if loop is not None:
            indexes.setdefault(None, index)
            indexes[None] = index
        clone.copy_indexes = indexes
        clone._variable_cache = {}  # variables may use copyIndex()
        clone._parameter_cache = {}  # and so may values a parent deployment passes in
        clone._cached_reads = {}
        clone._member_reads = {}
        clone._index_dependent = set()
        clone._indexes_made = None
        clone._in_progress = set()
        clone._trace = None
        return clone

    def count_of(self, copy: dict) -> int | Unknown:
        _, raw = get_ci(copy, "count")
        count = self.resolve(raw).value
        if isinstance(count, Unknown):
            return count
        if isinstance(count, bool) or not isinstance(count, int):
            return Unknown(f"copy count is not a number: {count!r}")
        if count > MAX_COPY_COUNT:
            self.context.notes.append(
                f"{self.src.path}: copy count {count} is above ARM's limit of {MAX_COPY_COUNT};"
                f" only the first {MAX_COPY_COUNT} instances are checked"
            )
            return MAX_COPY_COUNT
        return max(count, 0)


def _worth_sharing(value: Any) -> bool:
    """Containers and expressions; a plain string costs less to read than to look up."""
    return isinstance(value, (dict, list)) or (
        isinstance(value, str) and expressions.is_expression(value)
    )


def _unchanged(new: Iterable, old: Iterable) -> bool:
    """Whether each resolved item is the item itself (both as long): compared in C, not by
    all() over a generator, which resumes a Python frame per item."""
    return all(map(is_, new, old))


def _distinct(trace: list[str]) -> tuple[str, ...]:
    """The trace's steps, each once, in order; a trace of one step or none without a dict
    (most of them)."""
    return tuple(trace) if len(trace) < 2 else tuple(dict.fromkeys(trace))


def _frozen(indexes: dict) -> tuple:
    """Copy-loop indexes as a key; an unknown count (an ``Unknown``) by its text."""
    return tuple((loop, v if isinstance(v, int) else repr(v)) for loop, v in indexes.items())


@lru_cache(maxsize=256)  # a handful of files per template, each named in many labels
def _file_name(path: str) -> str:
    """'vm.json': the file name is enough inside one template's trace."""
    return path.replace(chr(92), "/").rsplit("/", 1)[-1]


@lru_cache(maxsize=256)
def path_name(path: str) -> str:
    """``Path(path).name`` (of a file's path: no trailing separator), once per file: traces
    name a file for every value given. os.path, not pathlib: see armlint.paths.path_text."""
    return os.path.basename(path)


def value_line(container: Any, key: str, fallback: Location) -> str:
    """'vm.parameters.json:6': the file and line of a child value, as a trace names it, without
    working out its column and end; the fallback's when the container kept no positions."""
    span = container.value_span_of(key) if isinstance(container, JsonObject) else None
    if span is not None:  # the siblings read only as far as the key (jsonpos._member_span)
        src = container.src
        return f"{path_name(src.path)}:{src.line_col(span[0])[0]}"
    return f"{path_name(fallback.path)}:{fallback.line}"


def _section(template: dict, name: str) -> dict:
    _, section = get_ci(template, name)
    return section if isinstance(section, dict) else {}


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def location_of(container: Any, key: str | int, fallback: Location) -> Location:
    """The position of a child value, or the fallback when the container has none."""
    span = container.value_span_of(key) if isinstance(container, JsonObject) else None
    if span is not None:
        return container.src.location(span)
    if (
        isinstance(container, JsonArray)
        and isinstance(key, int)
        and key < len(container.item_spans)
    ):
        return container.item_location(key)
    return fallback
