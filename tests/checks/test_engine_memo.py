"""What the rule engine keeps between records (issue 16): derived facts and condition verdicts
by the whole facts view, shared by a process's engines; findings still point at each record's
own places and say its own sources."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from armlint.checks import derive as derive_module
from armlint.checks import engine as engine_module
from armlint.checks.derive import DERIVE_INPUTS, derive
from armlint.checks.engine import (
    CheckOptions,
    Engine,
    PlaceholderFault,
    facts_view,
    render_message,
    view_key,
)
from armlint.checks.pack import load_pack
from armlint.checks.tables import load_tables
from armlint.model import (
    FACT_NAMES,
    SOURCE_DEFAULT,
    SOURCE_LITERAL,
    Fact,
    LaterLocation,
    Location,
    MaintenanceSchedule,
    Unknown,
    VmRecord,
)


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

    # The name the engine calls (imported at its module level since session 10, s10-checks).
    monkeypatch.setattr(engine_module, "derive", counted)
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


def test_a_fact_no_condition_and_no_derivation_reads_does_not_split_the_views(fresh):
    engine = Engine(load_pack(), CheckOptions())
    for zones in (["1"], ["2"], None):
        record = manual_vm("a.json")
        if zones is not None:
            record.facts["zones"] = Fact(zones, Location("a.json", 9, 9), SOURCE_LITERAL)
        assert azp102(engine.check_record(record))
    assert len(fresh) == 1


# Values that steer derive, by fact: a listed and an unlisted image, each OS, valid and invalid
# patch modes, api-versions before and after patchMode; other facts take the odd ones.
UNKNOWN = Unknown("a parameter without a value")
POOLS = {
    "os": ("Windows", "Linux", UNKNOWN, 1),
    "patch_mode": (
        "Manual",
        "AutomaticByOS",
        "AutomaticByPlatform",
        "ImageDefault",
        "automaticbyos",
        UNKNOWN,
    ),
    "enable_automatic_updates": (True, False, 1, UNKNOWN),
    "image_publisher": ("MicrosoftWindowsServer", "Canonical", UNKNOWN),
    "image_offer": ("WindowsServer", "UbuntuServer", UNKNOWN),
    "image_sku": ("2022-datacenter-azure-edition", "2019-Datacenter", UNKNOWN),
    "image_id": ("/subscriptions/s/images/i", UNKNOWN),
    "api_version": ("2019-07-01", "2024-07-01", "not-a-version", UNKNOWN),
    # A guest patch schedule, platform ones, and scopes that say nothing (derive.py).
    "maintenance_schedule": (
        MaintenanceSchedule("guest", scope="InGuestPatch"),
        MaintenanceSchedule("host", scope=" Host "),
        MaintenanceSchedule("blank", scope=" "),
        MaintenanceSchedule("unknown", scope=UNKNOWN),
        UNKNOWN,
    ),
}
ODD = ("Windows", "Manual", "2024-07-01", True, False, 1, None, UNKNOWN)
# Every fact a record can have, kind and format.
ALL_NAMES = [*FACT_NAMES, "kind", "format"]
views = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(POOLS.get(name, ODD)) for name in ALL_NAMES}
)


@settings(max_examples=150, deadline=None)
@given(views)
# A typo suggested as AutomaticByOS becomes Manual when automatic updates are off: rare at random.
@example({"os": "Windows", "patch_mode": "automaticbyos", "enable_automatic_updates": False})
@example({"maintenance_schedule": MaintenanceSchedule("guest", scope="InGuestPatch")})
def test_derive_reads_only_its_declared_inputs(view):
    """The engine keeps derived facts by DERIVE_INPUTS' values alone (Engine._view_outcome)."""
    inputs_only = {name: value for name, value in view.items() if name in DERIVE_INPUTS}
    for profile in ("current", "preview-2020"):
        assert derive(view, profile, load_tables()) == derive(inputs_only, profile, load_tables())


def test_a_message_works_out_only_the_places_and_sources_its_template_reads():
    """A template reads one or two of a view's entries; the others' locations (worked out from
    the JSON around them when read, model.LaterLocation) stay unread."""
    asked = []

    def find(name: str) -> Location:
        asked.append(name)
        return Location("a.json", 20, 3)

    record = manual_vm("a.json")
    for name in ("os", "patch_mode", "enable_automatic_updates"):
        fact = record.facts[name]
        record.facts[name] = Fact(fact.value, LaterLocation(find, name), fact.source)
    text = render_message("{patch_mode} at {patch_mode.location}", record, facts_view(record))
    assert text == "'Manual' at a.json:20"
    assert asked == ["patch_mode"]


def test_a_fault_while_working_out_a_placeholder_is_not_taken_for_a_template_mistake():
    """An unknown attribute is a template mistake (the template is shown as written); a location
    that fails to be worked out is a fault, and reaches the engine's fault handling as it did
    when placeholders were worked out before formatting."""

    def broken(name: str) -> Location:
        raise AttributeError("the JSON around it is gone")

    record = manual_vm("a.json")
    fact = record.facts["patch_mode"]
    record.facts["patch_mode"] = Fact(fact.value, LaterLocation(broken, "patch_mode"), fact.source)
    assert render_message("{patch_mode.nope}", record, facts_view(record)) == "{patch_mode.nope}"
    with pytest.raises(PlaceholderFault):
        render_message("{patch_mode} at {patch_mode.location}", record, facts_view(record))
