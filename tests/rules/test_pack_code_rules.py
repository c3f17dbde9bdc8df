"""The code rules AZP108, AZP301 and AZP302 on hand-built records."""

from __future__ import annotations

import copy

from armlint.checks.code_rules import CODE_RULES
from armlint.checks.engine import hit_message
from armlint.checks.hits import Blocked, Hit
from armlint.checks.pack import load_pack
from armlint.checks.tables import load_tables
from armlint.model import (
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    Fact,
    Location,
    Unknown,
    VmRecord,
)

HERE = Location("vm.json", 1, 1)


def record(os: str = "Windows", api_version="2024-07-01", **written) -> VmRecord:
    facts = {
        "os": Fact(os, HERE),
        "api_version": Fact(api_version, HERE),
        "patch_mode": Fact(
            "AutomaticByOS" if os == "Windows" else "ImageDefault", HERE, SOURCE_DEFAULT
        ),
        "provision_vm_agent": Fact(True, HERE, SOURCE_DEFAULT),
    }
    if os == "Windows":
        facts["enable_automatic_updates"] = Fact(True, HERE, SOURCE_DEFAULT)
    for name, value in written.items():
        facts[name] = Fact(value, Location("vm.json", 10, 5), SOURCE_LITERAL)
    return VmRecord("vm.json", "arm", "vm", "Microsoft.Compute/virtualMachines", "vm1", HERE, facts)


def run(rule: str, rec: VmRecord, profile: str = "current") -> list:
    """The rule's outcomes, each hit with its text as the engine renders it from the rule file."""
    view = {name: fact.value for name, fact in rec.facts.items()}
    pack_rule = load_pack().rules[rule.upper()]
    return [
        outcome.replace(message=hit_message(pack_rule, rec, view, outcome))
        if isinstance(outcome, Hit)
        else outcome
        for outcome in CODE_RULES[rule](rec, view, profile, load_tables())
    ]


# --- AZP101 -----------------------------------------------------------------------------------


def tf_record(resource_type: str, **written) -> VmRecord:
    rec = record(**written)
    rec.format, rec.resource_type = "terraform", resource_type
    return rec


def test_azp101_reports_a_written_automatic_by_os_with_updates_off():
    (hit,) = run("azp101", record(patch_mode="AutomaticByOS", enable_automatic_updates=False))
    assert hit.at == "enable_automatic_updates"
    assert "'AutomaticByOS' (literal)" in hit.message


def test_azp101_ignores_a_default_patch_mode_azure_chooses_itself():
    rec = record(enable_automatic_updates=False)
    assert run("azp101", rec) == []
    assert run("azp101", tf_record("azurerm_virtual_machine", enable_automatic_updates=False)) == []


def test_azp101_counts_the_terraform_providers_own_default_before_4_42():
    # rules/data/terraform.yaml: v4.41.0 defaults patch_mode to AutomaticByOS.
    rec = tf_record("azurerm_windows_virtual_machine", enable_automatic_updates=False)
    rec.azurerm_version, rec.azurerm_version_source = "4.41.0", "azurerm 4.41.0 (lock)"
    (hit,) = run("azp101", rec)
    assert "azurerm_windows_virtual_machine default in azurerm 4.41.0 (lock)" in hit.message


def test_azp101_no_provider_default_from_4_42_and_when_unpinned():
    # Commit af2226db2d (PR 30394, v4.42.0): patch_mode has no default; create sends "".
    rec = tf_record("azurerm_windows_virtual_machine", enable_automatic_updates=False)
    rec.azurerm_version = "4.42.0"
    assert run("azp101", rec) == []
    rec.azurerm_version = None  # unpinned: the newest release's behaviour
    assert run("azp101", rec) == []


def test_azp101_orchestrated_scale_set_still_sends_automatic_by_os():
    rec = tf_record(
        "azurerm_orchestrated_virtual_machine_scale_set", enable_automatic_updates=False
    )
    rec.azurerm_version = "5.2.0"
    assert len(run("azp101", rec)) == 1


# --- AZP111 -----------------------------------------------------------------------------------


def test_azp111_reports_an_argument_the_pinned_version_does_not_have():
    rec = tf_record("azurerm_windows_virtual_machine_scale_set")
    where = Location("main.tf", 4, 3)
    rec.azurerm_version, rec.azurerm_version_source = "4.81.0", "azurerm 4.81.0"
    rec.provider_arguments = {"automatic_updates_enabled": where}
    (hit,) = run("azp111", rec)
    assert hit.location == where
    assert "added in azurerm 5.0.0" in hit.message and "use enable_automatic_updates" in hit.message
    rec.azurerm_version = "5.0.0"
    assert run("azp111", rec) == []


def test_azp111_reports_a_removed_argument_and_ignores_arm():
    rec = tf_record("azurerm_windows_virtual_machine")
    rec.azurerm_version = "5.1.0"
    rec.provider_arguments = {"enable_automatic_updates": Location("main.tf", 5, 3)}
    (hit,) = run("azp111", rec)
    assert "removed in azurerm 5.0.0" in hit.message
    rec.format = "arm"
    assert run("azp111", rec) == []


def test_azp101_passes_matching_settings():
    assert run("azp101", record(patch_mode="AutomaticByOS")) == []
    assert run("azp101", record(patch_mode="Manual", enable_automatic_updates=False)) == []
    assert run("azp101", record(os="Linux", patch_mode="ImageDefault")) == []
    # A string is not the boolean false; AZP108 reports the type.
    assert run("azp101", record(patch_mode="AutomaticByOS", enable_automatic_updates="false")) == []


def test_azp101_is_blocked_by_unknowns_unless_a_known_fact_decides():
    rec = record(patch_mode="AutomaticByOS")
    rec.facts["enable_automatic_updates"] = Fact(Unknown("parameter"), HERE, "unknown")
    assert run("azp101", rec) == [Blocked(fact="enable_automatic_updates")]
    rec.facts["patch_mode"] = Fact("Manual", HERE, SOURCE_LITERAL)
    assert run("azp101", rec) == []


# --- AZP108 -----------------------------------------------------------------------------------


def test_azp108_reboot_setting_unknown_is_refused_by_terraform_only():
    # ARM's enum has Unknown; the provider's StringInSlice does not (terraform.yaml).
    assert run("azp108", record(reboot_setting="Unknown")) == []
    (hit,) = run("azp108", tf_record("azurerm_linux_virtual_machine", reboot_setting="Unknown"))
    assert hit.at == "reboot_setting"


def test_azp108_passes_valid_values_and_defaults():
    assert run("azp108", record()) == []
    assert (
        run("azp108", record(assessment_mode="AutomaticByPlatform", reboot_setting="Never")) == []
    )


def test_azp108_reports_each_bad_property():
    hits = run("azp108", record(assessment_mode="AutomaticByOS", reboot_setting="Sometimes"))
    assert [hit.at for hit in hits] == ["assessment_mode", "reboot_setting"]
    assert "'AutomaticByOS'" in hits[0].message
    assert "did you mean 'AutomaticByPlatform'" in hits[0].message


def test_azp108_compares_exactly_and_suggests_the_right_case():
    (hit,) = run("azp108", record(assessment_mode="automaticByPlatform"))
    assert "did you mean 'AutomaticByPlatform'" in hit.message


def test_azp108_reports_booleans_written_as_text():
    # The text is rules/AZP108.yaml's not_boolean template filled in.
    assert [
        (hit.at, hit.message) for hit in run("azp108", record(enable_automatic_updates="false"))
    ] == [
        (
            "enable_automatic_updates",
            "enableAutomaticUpdates is 'false' (literal), not a boolean; write true or false",
        )
    ]


def test_azp108_is_blocked_by_an_unknown_value():
    rec = record()
    rec.facts["assessment_mode"] = Fact(Unknown("parameter without value"), HERE, "unknown")
    assert run("azp108", rec) == [Blocked(fact="assessment_mode")]


# --- AZP301 -----------------------------------------------------------------------------------


def test_azp301_ignores_defaults():
    assert run("azp301", record(api_version="2019-07-01")) == []


def test_azp301_reports_one_hit_per_property_too_new_for_the_api_version():
    rec = record(
        api_version="2020-06-01",
        patch_mode="AutomaticByOS",
        assessment_mode="ImageDefault",
        enable_hotpatching=False,
    )
    hits = run("azp301", rec)
    assert sorted(hit.at for hit in hits) == ["assessment_mode", "enable_hotpatching"]
    assessment = next(hit for hit in hits if hit.at == "assessment_mode")
    assert "2021-03-01" in assessment.message and "2020-06-01" in assessment.message


def test_azp301_knows_linux_patch_mode_came_later():
    assert run("azp301", record(os="Linux", api_version="2020-06-01", patch_mode="ImageDefault"))
    assert not run(
        "azp301", record(os="Linux", api_version="2020-12-01", patch_mode="ImageDefault")
    )
    assert not run("azp301", record(api_version="2020-06-01", patch_mode="Manual"))


def test_azp301_compares_preview_versions_by_date():
    assert run("azp301", record(api_version="2016-04-30-preview", patch_mode="Manual"))


def test_azp301_is_blocked_by_an_unknown_api_version():
    rec = record(api_version=Unknown("apiProfile not mapped"), patch_mode="Manual")
    assert run("azp301", rec) == [Blocked(fact="api_version")]


def test_azp301_is_blocked_by_an_unknown_os_only_where_the_os_decides():
    os = Unknown("no configuration")
    between = record(api_version="2020-06-01", patch_mode="AutomaticByPlatform")
    between.facts["os"] = Fact(os, HERE, "unknown")
    assert run("azp301", between) == [Blocked(fact="os")]
    older = record(api_version="2019-12-01", patch_mode="AutomaticByPlatform")
    older.facts["os"] = Fact(os, HERE, "unknown")
    assert [hit.at for hit in run("azp301", older)] == ["patch_mode"]


def test_azp301_leaves_non_api_versions_to_azp303():
    assert run("azp301", record(api_version="latest", patch_mode="Manual")) == []


def test_azp301_counts_a_written_value_even_when_unknown():
    rec = record(api_version="2019-07-01")
    rec.facts["patch_mode"] = Fact(Unknown("parameter"), HERE, "unknown")
    assert [hit.at for hit in run("azp301", rec)] == ["patch_mode"]


# --- AZP302 -----------------------------------------------------------------------------------


def test_azp302_reports_patch_settings_below_the_recommended_version():
    (hit,) = run("azp302", record(api_version="2020-12-01", patch_mode="AutomaticByPlatform"))
    assert hit.at == "api_version"
    assert "2021-03-01" in hit.message and "patchMode" in hit.message


def test_azp302_ignores_records_without_patch_settings():
    assert run("azp302", record(api_version="2019-07-01")) == []


def test_azp302_uses_the_profiles_recommendation():
    rec = record(api_version="2020-06-01", patch_mode="AutomaticByPlatform")
    assert run("azp302", rec, "current")
    assert not run("azp302", rec, "preview-2020")


def test_azp302_is_blocked_by_an_unknown_api_version():
    rec = record(api_version=Unknown("apiProfile not mapped"), patch_mode="Manual")
    rec.facts["patch_mode"] = Fact("Manual", HERE, SOURCE_EVALUATED)
    assert run("azp302", rec) == [Blocked(fact="api_version")]


def test_code_rule_texts_come_from_the_rule_files():
    """Every code rule's hit names a template its rule file has; the text follows the file."""
    pack = load_pack()
    cases = {
        "azp101": record(patch_mode="AutomaticByOS", enable_automatic_updates=False),
        "azp108": record(assessment_mode="AutomaticByOS", enable_automatic_updates="false"),
        "azp301": record(api_version="2019-07-01", patch_mode="AutomaticByPlatform"),
        "azp302": record(api_version="2020-12-01", patch_mode="AutomaticByPlatform"),
    }
    for name, rec in cases.items():
        rule = pack.rules[name.upper()]
        view = {fact: value.value for fact, value in rec.facts.items()}
        hits = [
            o for o in CODE_RULES[name](rec, view, "current", load_tables()) if isinstance(o, Hit)
        ]
        assert hits, name
        for hit in hits:
            assert hit.template == "message" or hit.template in rule.messages, (name, hit)
            edited = copy.copy(rule)  # a plain class (start-up): not dataclasses.replace
            edited.message = "EDITED {name}"
            edited.messages = dict.fromkeys(rule.messages, "EDITED {name}")
            assert hit_message(edited, rec, view, hit) == "EDITED 'vm1'"
