"""Exploring: what does not change between allowedValues combinations is worked out once per
file (issue 16, session 9): a resource's own copy loop, condition and child resources (each an
absent key for most resources, which ``get_ci`` finds by scanning every key), and a VM's
api-version fact, which the combinations that read the same choices share as one ``Fact``."""

from __future__ import annotations

from armlint.arm import loader, walk
from armlint.run.options import RunOptions
from armlint.run.pipeline import load_records
from tests.arm.test_combinations import _count_calls, _outcome
from tests.arm.test_explore_first_walk import VM_TYPE, _write


def test_a_resource_s_copy_condition_and_children_are_looked_up_once(tmp_path, monkeypatch):
    path = _write(tmp_path, "Manual")  # patchMode explored: three combinations, two walked
    lookups = _count_calls(monkeypatch, walk, "_own")  # get_ci given the lowered keys
    records = load_records(RunOptions(paths=[str(path)])).records
    assert len(records) == 3
    asked = [
        key
        for where, _, key in lookups
        if where.get("type") == VM_TYPE and key in ("copy", "condition", "resources")
    ]
    assert sorted(asked) == ["condition", "copy", "resources"]


def test_the_api_version_fact_is_shared_between_combinations(tmp_path, monkeypatch):
    path = _write(tmp_path, "[parameters('fallbackMode')]")  # every combination walked
    records = load_records(RunOptions(paths=[str(path)])).records
    facts = [record.facts["api_version"] for record in records]
    assert [fact.value for fact in facts] == ["2023-03-01"] * 3
    assert facts[1] is facts[0] and facts[2] is facts[0]
    shared = _outcome(path)
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)
