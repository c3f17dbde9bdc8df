"""The memo's ``always`` slot (issue 16, session 10): a result that read no explored parameter
and no copy-loop index is found by one attribute read, in every combination and instance; a
result that read one is still found only under the same choices (or indexes).
"""

from __future__ import annotations

from armlint.arm.combinations import CombinationMemo
from armlint.arm.template import Budget

SMALL, LARGE = ["Small"], ["Large"]  # allowedValues items: told apart by identity


class Indexes:
    """A scope as the memo sees it: only its copy-loop indexes."""

    def __init__(self, *indexes: int) -> None:
        self.indexes = indexes

    def indexes_key(self) -> tuple:
        return self.indexes


class Evaluation:
    """A compute() that counts its calls, reads what it is told, and spends ``steps``."""

    def __init__(self, memo: CombinationMemo, reads: tuple[str, ...] = (), steps: int = 3):
        self.memo, self.reads, self.steps, self.calls = memo, reads, steps, 0

    def __call__(self) -> tuple[str, int]:
        self.calls += 1
        for name in self.reads:
            if name == "index":
                self.memo.read_index()
            else:
                self.memo.read(name)
        self.memo.budget.steps -= self.steps
        return ("result", self.calls)


def _memo(steps: int = 1000) -> CombinationMemo:
    memo = CombinationMemo({}, ["size"], Budget(steps))
    memo.choose([("size", SMALL)])
    return memo


def test_a_result_that_read_nothing_is_kept_in_the_always_slot_and_reused() -> None:
    memo = _memo()
    plain = Evaluation(memo)
    first = memo.shared(("k",), "text", None, plain)
    memo.choose([("size", LARGE)])
    assert memo.shared(("k",), "text", Indexes(2), plain) is first
    assert plain.calls == 1
    assert memo.entries[("k",)].always.result is first
    assert memo.budget.steps == 1000 - 2 * 3  # the reuse spends the steps it cost


def test_a_result_that_read_a_choice_is_not_reused_when_the_choice_differs() -> None:
    memo = _memo()
    reading = Evaluation(memo, reads=("size",))
    small = memo.shared(("k",), "text", None, reading)
    assert memo.entries[("k",)].always is None
    memo.choose([("size", LARGE)])
    large = memo.shared(("k",), "text", None, reading)
    assert (reading.calls, large) == (2, ("result", 2))
    memo.choose([("size", SMALL)])
    assert memo.shared(("k",), "text", None, reading) is small
    assert reading.calls == 2


def test_a_result_that_read_a_copy_index_is_kept_per_indexes() -> None:
    memo = _memo()
    indexed = Evaluation(memo, reads=("index",))
    first = memo.shared(("k",), "text", Indexes(0), indexed)
    assert memo.entries[("k",)].always is None
    assert memo.shared(("k",), "text", Indexes(1), indexed) == ("result", 2)
    assert memo.shared(("k",), "text", Indexes(0), indexed) is first
    assert indexed.calls == 2


def test_the_always_slot_belongs_to_its_key_and_subject() -> None:
    memo = _memo()
    plain = Evaluation(memo)
    first = memo.shared(("k",), "text", None, plain)
    assert memo.shared(("other",), "text", None, plain) == ("result", 2)
    assert memo.shared(("k",), "another subject", None, plain) == ("result", 3)
    assert memo.shared(("k",), "another subject", None, plain) is not first
    assert plain.calls == 3


def test_a_reused_result_that_read_nothing_adds_no_read_to_the_evaluation_around_it() -> None:
    memo = _memo()
    plain, reading = Evaluation(memo), Evaluation(memo, reads=("size",))
    memo.shared(("inner",), "text", None, plain)
    memo.shared(("reading",), "text", None, reading)
    memo.start()
    memo.shared(("inner",), "text", None, plain)
    assert memo.finish() == set()
    memo.start()
    memo.shared(("reading",), "text", None, reading)
    assert memo.finish() == {"size"}
    assert (plain.calls, reading.calls) == (1, 1)


def test_a_result_is_not_reused_when_its_steps_would_exhaust_the_budget() -> None:
    memo = _memo(steps=5)
    plain = Evaluation(memo, steps=3)
    memo.shared(("k",), "text", None, plain)
    memo.shared(("k",), "text", None, plain)  # 2 steps left: evaluated again
    assert plain.calls == 2
