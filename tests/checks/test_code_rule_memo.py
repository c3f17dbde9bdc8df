"""The rule engine keeps each code rule's results by what the rule reads of a record
(``code_rules.CODE_RULE_READS``, issue 16): records that differ elsewhere run it once, and
their findings still point at each record's own places."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from armlint.checks import code_rules
from armlint.checks import engine as engine_module
from armlint.checks.code_rules import CODE_RULE_READS, CODE_RULES
from armlint.checks.derive import derive
from armlint.checks.engine import CheckOptions, Engine, facts_view
from armlint.checks.pack import load_pack
from armlint.checks.tables import load_tables
from armlint.model import (
    FACT_NAMES,
    SOURCE_ABSENT,
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    SOURCE_MAYBE_SET,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    MaintenanceSchedule,
    Unknown,
    VmRecord,
)


def agent_as_text(path: str, trace: tuple[str, ...] = (), zones=("1",)) -> VmRecord:
    """provisionVMAgent written as the string 'true': AZP108 (rules/AZP108.yaml)."""
    here = Location(path, 1, 1)
    facts = {
        "os": Fact("Windows", here),
        "provision_vm_agent": Fact("true", Location(path, 9, 7), SOURCE_EVALUATED, trace),
        "zones": Fact(list(zones), Location(path, 4, 3)),  # read by no code rule
    }
    return VmRecord(path, "arm", "vm", "Microsoft.Compute/virtualMachines", "vm1", here, facts)


@pytest.fixture
def azp108_calls(monkeypatch):
    """Engines as a fresh process makes them, counting the runs of AZP108's code."""
    engine_module._shared_memo.cache_clear()
    calls = []
    real = CODE_RULES["azp108"]

    def counted(record, view, profile, tables):
        calls.append(record.path)
        return real(record, view, profile, tables)

    monkeypatch.setitem(code_rules.CODE_RULES, "azp108", counted)
    yield calls
    engine_module._shared_memo.cache_clear()


def azp108(findings) -> list:
    return [finding for finding in findings if finding.rule == "AZP108"]


def test_records_that_read_alike_run_a_code_rule_once_and_keep_their_own_places(azp108_calls):
    first = Engine(load_pack(), CheckOptions()).check_record(agent_as_text("a.json"))
    # Another unit's engine, another file, a fact no code rule reads set otherwise.
    second = Engine(load_pack(), CheckOptions()).check_record(agent_as_text("b.json", zones="2"))
    assert azp108_calls == ["a.json"]
    assert [f.location for f in azp108(first)] == [Location("a.json", 9, 7)]
    assert [f.location for f in azp108(second)] == [Location("b.json", 9, 7)]
    assert azp108(first)[0].message == azp108(second)[0].message


def test_a_fact_read_with_another_source_runs_the_rule_again(azp108_calls):
    engine = Engine(load_pack(), CheckOptions())
    first = engine.check_record(agent_as_text("a.json", trace=("parameters('agent')",)))
    second = engine.check_record(agent_as_text("a.json", trace=("variables('agent')",)))
    assert azp108_calls == ["a.json", "a.json"]
    assert "parameters('agent')" in azp108(first)[0].message
    assert "variables('agent')" in azp108(second)[0].message


# Values that steer the code rules, by fact; other facts take the odd ones. Sources and traces
# vary too: the rules read whether a property is written and word where it came from.
UNKNOWN = Unknown("a parameter without a value")
HERE = Location("vm.json", 3, 5)


def schedule(scope, patch_mode="User", duration="02:00", recurrence="1Day") -> MaintenanceSchedule:
    return MaintenanceSchedule(
        "guest",
        scope=scope,
        duration=duration,
        recurrence=recurrence,
        location=Location("vm.json", 40, 5),
        patch_mode=patch_mode,
        positions=(("patch_mode", Location("vm.json", 44, 9)),),
    )


POOLS = {
    "os": ("Windows", "Linux", UNKNOWN),
    "patch_mode": ("Manual", "AutomaticByOS", "AutomaticByPlatform", "ImageDefault", UNKNOWN),
    "assessment_mode": ("ImageDefault", "AutomaticByPlatform", "Sometimes", UNKNOWN),
    "reboot_setting": ("IfRequired", "Never", "Unknown", "Often", UNKNOWN),
    "enable_automatic_updates": (True, False, "false", UNKNOWN),
    "provision_vm_agent": (True, "true", UNKNOWN),
    "enable_hotpatching": (True, False, 1, UNKNOWN),
    "bypass_platform_safety_checks": (True, "yes", UNKNOWN),
    "automatic_by_platform_settings": (True, UNKNOWN),
    "api_version": ("2019-07-01", "2020-06-01", "2022-03-01", "2024-07-01", "latest", UNKNOWN),
    "maintenance_schedule": (
        schedule("InGuestPatch"),
        schedule("InGuestPatch", patch_mode=None, duration="00:30", recurrence="2Hours"),
        schedule("Host"),
        UNKNOWN,
    ),
}
ODD = ("Windows", "Manual", "2024-07-01", True, False, 1, None, UNKNOWN)
SOURCES = (
    SOURCE_LITERAL,
    SOURCE_EVALUATED,
    SOURCE_DEFAULT,
    SOURCE_ABSENT,
    SOURCE_UNKNOWN,
    SOURCE_MAYBE_SET,
)
facts = st.dictionaries(
    st.sampled_from(FACT_NAMES),
    st.builds(
        Fact,
        st.deferred(lambda: st.one_of(*(st.sampled_from(pool) for pool in POOLS.values()))),
        st.just(HERE),
        st.sampled_from(SOURCES),
        st.sampled_from(((), ("parameters('a')",), ("variables('b')", "b.parameters.json"))),
    ),
)
# A fact's value drawn from its own pool most of the time, so that the rules fire.
own_values = st.fixed_dictionaries(
    {}, optional={name: st.sampled_from(POOLS.get(name, ODD)) for name in FACT_NAMES}
)
TERRAFORM_TYPES = ("azurerm_windows_virtual_machine", "azurerm_linux_virtual_machine")
ARGUMENTS = ("automatic_updates_enabled", "enable_automatic_updates", "reboot_setting")
records = st.builds(
    lambda values, extra, fields: _record(values, extra, fields),
    own_values,
    facts,
    st.fixed_dictionaries(
        {
            "path": st.sampled_from(("vm.json", "main.tf")),
            "format": st.sampled_from(("arm", "bicep", "terraform", "plan")),
            "kind": st.sampled_from(("vm", "vmss")),
            "resource_type": st.sampled_from(
                ("Microsoft.Compute/virtualMachines", *TERRAFORM_TYPES)
            ),
            "name": st.sampled_from(("vm1", "vm2")),
            "location": st.sampled_from((HERE, Location("main.tf", 8, 1))),
            "azurerm_version": st.sampled_from((None, "3.20.0", "4.10.0", "4.50.0")),
            "azurerm_version_source": st.sampled_from(("", "the lock file")),
            "provider_arguments": st.one_of(
                st.none(), st.dictionaries(st.sampled_from(ARGUMENTS), st.just(HERE))
            ),
            "automatic_updates_attr": st.sampled_from((None, "enable_automatic_updates")),
            "arm_type": st.sampled_from(("", "Microsoft.Compute/virtualMachines")),
            "scenario": st.sampled_from(((), (("patchMode", "Manual"),))),
        }
    ),
)


def _record(values: dict, extra: dict, fields: dict) -> VmRecord:
    all_facts = dict(extra)
    for index, (name, value) in enumerate(values.items()):
        all_facts[name] = Fact(value, HERE, SOURCES[index % 4], ("parameters('p')",) * (index % 2))
    return VmRecord(facts=all_facts, **fields)


def _only_what_it_reads(rule: str, record: VmRecord, other: VmRecord) -> VmRecord:
    """``other`` with the facts and fields ``rule`` declares it reads taken from ``record``."""
    fact_names, field_names = CODE_RULE_READS[rule]
    kept = {name: fact for name, fact in other.facts.items() if name not in fact_names}
    kept.update({name: fact for name, fact in record.facts.items() if name in fact_names})
    return other.replace(facts=kept, **{name: getattr(record, name) for name in field_names})


def _outcomes(rule: str, record: VmRecord, profile: str) -> list:
    view = facts_view(record)
    view.update(derive(view, profile, load_tables()))
    return list(CODE_RULES[rule](record, view, profile, load_tables()))


def provider_default_vm(pinned: str) -> VmRecord:
    """AZP101 through azurerm's own patch_mode default (rules/data/terraform.yaml: sent as
    AutomaticByOS before 4.42.0), whose message names where the provider version was pinned."""
    facts = {
        "os": Fact("Windows", HERE),
        "patch_mode": Fact("AutomaticByOS", HERE, SOURCE_DEFAULT),
        "enable_automatic_updates": Fact(False, HERE),
    }
    return VmRecord(
        "main.tf",
        "terraform",
        "vm",
        "azurerm_windows_virtual_machine",
        "vm1",
        HERE,
        facts,
        azurerm_version="4.10.0",
        azurerm_version_source=pinned,
    )


@settings(max_examples=150, deadline=None)
@given(records, records)
# Rare at random: the provider's default patch mode sent, worded with where it was pinned.
@example(provider_default_vm("the lock file"), provider_default_vm(""))
def test_each_code_rule_reads_only_what_it_declares(record, other):
    """The engine keeps a code rule's results by its declared reads alone (Engine._code_results)."""
    assert set(CODE_RULE_READS) == set(CODE_RULES)
    for rule in CODE_RULES:
        alike = _only_what_it_reads(rule, record, other)
        for profile in ("current", "preview-2020"):
            assert _outcomes(rule, record, profile) == _outcomes(rule, alike, profile), rule
