"""Exploring: results that read the same explored parameters share one ``ReadSet``, whose
choices in the combination under way are worked out once (issue 16, session 8)."""

from __future__ import annotations

from armlint.arm.combinations import CombinationMemo
from armlint.arm.template import Budget


def test_results_that_read_the_same_parameters_share_their_choices():
    memo = CombinationMemo({}, ["size", "mode"])
    budget = Budget()
    subjects = [object(), object()]
    computed: list[object] = []

    def evaluate(subject: object, size: str) -> None:
        def compute() -> str:
            memo.read("size")
            computed.append(subject)
            return f"{size} for {id(subject)}"

        memo.shared(("key", id(subject)), subject, (), compute, budget)

    for size in ("A", "B", "A"):
        memo.choose([("size", size), ("mode", "x")])
        for subject in subjects:
            evaluate(subject, size)
    assert computed == subjects * 2  # the third combination found both
    assert list(memo._read_sets) == [("size",)]  # one set of reads for both subjects
