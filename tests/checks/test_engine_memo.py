"""What the rule engine keeps between records (issue 16): derived facts and condition verdicts
by the whole facts view, shared by a process's engines; findings still point at each record's
own places and say its own sources."""

from __future__ import annotations

import pytest

from armlint.checks import derive as derive_module
from armlint.checks import engine as engine_module
from armlint.checks.engine import CheckOptions, Engine, view_key
from armlint.checks.pack import load_pack
from armlint.model import SOURCE_DEFAULT, SOURCE_LITERAL, Fact, Location, VmRecord


def manual_vm(path: str, updates=True) -> VmRecord:
    """A Windows VM with patchMode Manual and automatic updates on: AZP102 (rules/AZP102.yaml)."""
    here = Location(path, 1, 1)
    facts = {
        "os": Fact("Windows", here),
        "patch_mode": Fact("Manual", Location(path, 7, 9), SOURCE_LITERAL),
        "enable_automatic_updates": Fact(updates, Location(path, 8, 9), SOURCE_DEFAULT),
    }
    return VmRecord(path, "arm", "vm", "Microsoft.Compute/virtualMachines", "vm1", here, facts)


@pytest.fixture
def fresh(monkeypatch):
    """Engines as a fresh process makes them, counting the derivations they work out."""
    engine_module._shared_memo.cache_clear()
    calls = []
    real = derive_module.derive

    def counted(view, profile, tables):
        calls.append(view.get("enable_automatic_updates"))
        return real(view, profile, tables)

    monkeypatch.setattr(derive_module, "derive", counted)
    yield calls
    engine_module._shared_memo.cache_clear()


def azp102(findings) -> list:
    return [finding for finding in findings if finding.rule == "AZP102"]


def test_an_equal_view_is_decided_once_and_its_findings_point_at_its_own_record(fresh):
    first = Engine(load_pack(), CheckOptions()).check_record(manual_vm("a.json"))
    # Another unit's engine (the pipeline makes one per unit) on another file's equal VM.
    second = Engine(load_pack(), CheckOptions()).check_record(manual_vm("b.json"))
    assert len(fresh) == 1  # derived once, for both
    assert [f.location for f in azp102(first)] == [Location("a.json", 8, 9)]
    assert [f.location for f in azp102(second)] == [Location("b.json", 8, 9)]
    assert azp102(second)[0].provenance[0].endswith("(b.json:1:1)")


def test_one_is_not_true_for_the_kept_verdicts(fresh):
    engine = Engine(load_pack(), CheckOptions())
    assert azp102(engine.check_record(manual_vm("a.json", updates=True)))
    assert not azp102(engine.check_record(manual_vm("a.json", updates=1)))
    assert len(fresh) == 2


def test_view_keys_tell_types_apart_inside_containers_too():
    assert view_key({"zones": [1]}) != view_key({"zones": [True]})
    assert view_key({"zones": ["1"]}) == view_key({"zones": ["1"]})
    assert view_key({"x": 1.0}) != view_key({"x": 1})
    assert view_key({"x": {1, 2}}) is None  # unhashable: checked without the memo
