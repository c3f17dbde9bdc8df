"""Reading and evaluating a template leaves no reference cycles behind (issue 16).

Without cycles a unit's JSON trees, scopes and nodes are freed by reference counting the
moment they are dropped; one cycle that reaches a scope (an ``ArmNode`` that kept itself as its
settled node did) kept the whole tree alive until the garbage collector walked it, which cost a
fifth of an ARM run. ``gc.collect`` returns the number of unreachable objects it found.
"""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from armlint import arm

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    ROOT / "tests" / "fixtures" / "avm" / "virtual-machine.json",  # allowedValues explored
    ROOT / "tests" / "fixtures" / "arm" / "eval" / "nested.json",  # nested deployments
    ROOT / "tests" / "fixtures" / "arm" / "eval" / "symbolic.json",  # copy loops
    ROOT / "examples" / "arm" / "web-tier.json",
]


def _unreachable_after(load) -> int:
    load()  # the first load imports modules and fills caches
    # Everything that exists now (garbage included) is moved out of the collector's sight: the
    # count below is of what the second load left, and the collection walks only its objects,
    # not the whole test process's heap (two full collections took 0.2 s per test late in a run).
    gc.freeze()
    collecting = gc.isenabled()
    gc.disable()
    try:
        load()
        return gc.collect()
    finally:
        gc.unfreeze()
        if collecting:
            gc.enable()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda path: path.name)
@pytest.mark.parametrize("explore", [True, False], ids=["explore", "no-explore"])
def test_loading_a_template_leaves_no_cyclic_garbage(path, explore):
    def load():
        result = arm.load([path], explore=explore).result
        assert result.records  # the VMs were evaluated, not skipped

    assert _unreachable_after(load) == 0


def test_a_top_level_array_leaves_no_cyclic_garbage():
    from armlint.arm.jsonpos import parse

    text = '[{"a": [1, [2, {"b": 3}]]}, [4]]'
    assert _unreachable_after(lambda: parse(text)[0][0]["a"][1][1].span) == 0


def test_the_collector_is_held_off_while_loading_and_restored_after(monkeypatch):
    """With no cycles to find, the collector's passes over the live trees are pure cost."""
    from armlint.arm import files

    seen = []

    def loading(paths, **options):
        seen.append(gc.isenabled())
        if options["explore"]:
            raise RuntimeError("a failure inside the loader")
        return files.JsonLoad()

    monkeypatch.setattr(files, "load_files", loading)
    assert gc.isenabled()
    arm.load([TEMPLATES[0]], explore=False)
    with pytest.raises(RuntimeError):
        arm.load([TEMPLATES[0]], explore=True)
    assert seen == [False, False]
    assert gc.isenabled()
    gc.disable()  # a caller that holds it off itself keeps it off
    try:
        arm.load([TEMPLATES[0]], explore=False)
        assert not gc.isenabled()
    finally:
        gc.enable()
