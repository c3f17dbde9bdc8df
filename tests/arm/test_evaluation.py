"""ARM template evaluation end to end: parameter files, nested scopes, symbolic names, loops,
unknown values and exact lines, through the same pipeline the command line uses."""

import json
from pathlib import Path

from armlint.model import Unknown
from armlint.run.pipeline import RunOptions, load_records, run_check

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arm" / "eval"


def line_of(path: Path, text: str, occurrence: int = 0) -> int:
    lines = [n for n, line in enumerate(path.read_text().splitlines(), 1) if text in line]
    return lines[occurrence]


def records(path: Path, **options):
    return load_records(RunOptions(paths=[str(path)], explore=False, **options)).records


def findings(path: Path, **options):
    return run_check(RunOptions(paths=[str(path)], **options)).findings


def by_name(items):
    return {record.name: record for record in items}


def test_inner_scope_gets_parameters_from_the_parent_and_outer_scope_sees_the_parent():
    vms = by_name(records(FIXTURES / "nested.json"))
    inner, outer = vms["inner-vm"], vms["outer-vm"]
    assert inner.value("patch_mode") == "Manual"
    assert any(
        "passed by deployment 'inner-deployment'" in step for step in inner.fact("patch_mode").trace
    )
    assert outer.value("patch_mode") == "Manual"
    assert outer.value("image_sku") == "2019-Datacenter"
    nested = FIXTURES / "nested.json"
    assert inner.fact("patch_mode").location.line == line_of(nested, "parameters('mode')")
    assert outer.fact("patch_mode").location.line == line_of(nested, "parameters('outerMode')]", 1)


def test_symbolic_names_copy_loop_and_existing_resources():
    vms = records(FIXTURES / "symbolic.json")
    assert sorted(vm.name for vm in vms) == ["app-0", "app-1"]
    assert [vm.value("zones") for vm in sorted(vms, key=lambda v: v.name)] == [["1"], ["2"]]
    assert {vm.group for vm in vms} == {"Microsoft.Compute/virtualMachines/vmLoop"}
    assert sorted(vm.index for vm in vms) == [0, 1]


def test_unknown_values_stay_unknown_and_are_reported_as_azp002():
    (vm,) = records(FIXTURES / "unknowns.json")
    assert isinstance(vm.value("patch_mode"), Unknown)
    assert "has no value" in vm.value("patch_mode").reason
    assert isinstance(vm.value("location"), Unknown)
    assert isinstance(vm.value("enable_automatic_updates"), Unknown)
    shown = findings(FIXTURES / "unknowns.json", show_unknown=True)
    unknown = [f for f in shown if f.rule == "AZP002"]
    template = FIXTURES / "unknowns.json"
    expected = {
        line_of(template, "enableAutomaticUpdates"),
        line_of(template, "parameters('patchMode')"),
    }
    assert {f.location.line for f in unknown} >= expected
    assert not [f for f in shown if f.rule == "AZP102"]
    hidden = run_check(RunOptions(paths=[str(FIXTURES / "unknowns.json")]))
    assert not [f for f in hidden.findings if f.rule == "AZP002"]
    assert hidden.unknown_count == len(unknown)


def test_bom_crlf_and_comments_keep_exact_lines():
    result = findings(FIXTURES / "bom-crlf-comments.json")
    (finding,) = [f for f in result if f.rule == "AZP102"]
    assert (finding.location.line, finding.location.column) == (15, 35)


def test_parameter_file_beside_the_template_is_used():
    (vm,) = records(FIXTURES / "params")
    fact = vm.fact("patch_mode")
    assert fact.value == "Manual"
    assert any(step.startswith("set in vm.parameters.json:") for step in fact.trace)
    result = findings(FIXTURES / "params")
    (finding,) = [f for f in result if f.rule == "AZP102"]
    assert "vm.parameters.json:5" in finding.message


def test_explicit_parameter_file_option():
    (vm,) = records(
        FIXTURES / "params" / "vm.json",
        parameters=[str(FIXTURES / "params" / "vm.parameters.json")],
    )
    assert vm.value("patch_mode") == "Manual"


def test_allowed_values_are_explored_and_the_finding_names_the_choice():
    example = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"
    result = findings(example)
    (finding,) = [f for f in result if f.rule == "AZP102"]
    # The choice is a field of its own, rendered after the message as reports show it.
    assert finding.scenario == "patchMode='Manual'"
    # The trace is focused: the one parameter whose allowedValues choice makes the finding
    # hold, not every parameter explored (the others sit at their defaults).
    assert finding.text == (
        "patchMode is 'Manual' (from parameters('patchMode') (web-tier.json:5) <- one of its"
        " allowedValues) but enableAutomaticUpdates is true (platform default); Manual needs"
        " false (when patchMode='Manual')"
    )
    assert finding.location.line == 14


def test_an_unknown_enclosing_object_blocks_rules_instead_of_reporting_its_properties():
    # One of two objects on an unknown condition: which properties are sent is unknown. (An
    # object-or-null choice is checked as the object: tests/rules/test_exploration_conditions.py.)
    template = FIXTURES / "maybe-set.json"
    (vm,) = records(template)
    assert vm.fact("patch_mode").source == "maybe-set"
    shown = findings(template, show_unknown=True)
    assert not [f for f in shown if f.rule == "AZP301"]
    blocked = [f for f in shown if f.rule == "AZP002" and "AZP301" in f.message]
    assert blocked and blocked[0].location.line == line_of(template, '"linuxConfiguration": "[if')


# patchMode and six more parameters the VM's facts read, two allowedValues each: 128
# combinations, more than the loader explores, so it varies each parameter on its own with the
# others at their defaults.
MANY_CHOICES = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "patchMode": {"type": "string", "defaultValue": "AutomaticByOS",
                  "allowedValues": ["AutomaticByOS", "Manual"]},
    "location": {"type": "string", "defaultValue": "westeurope",
                 "allowedValues": ["westeurope", "northeurope"]},
    "zone": {"type": "string", "defaultValue": "1", "allowedValues": ["1", "2"]},
    "sku": {"type": "string", "defaultValue": "2022-datacenter-azure-edition",
            "allowedValues": ["2022-datacenter-azure-edition", "2022-datacenter"]},
    "version": {"type": "string", "defaultValue": "latest",
                "allowedValues": ["latest", "20348.2849.241206"]},
    "timeZone": {"type": "string", "defaultValue": "UTC",
                 "allowedValues": ["UTC", "W. Europe Standard Time"]},
    "assessmentMode": {"type": "string", "defaultValue": "ImageDefault",
                       "allowedValues": ["ImageDefault", "AutomaticByPlatform"]}
  },
  "resources": [
    {
      "type": "Microsoft.Compute/virtualMachines",
      "apiVersion": "2024-07-01",
      "name": "vm1",
      "location": "[parameters('location')]",
      "zones": ["[parameters('zone')]"],
      "properties": {
        "storageProfile": {"imageReference": {"publisher": "MicrosoftWindowsServer",
          "offer": "WindowsServer", "sku": "[parameters('sku')]",
          "version": "[parameters('version')]"}},
        "osProfile": {
          "windowsConfiguration": {
            "timeZone": "[parameters('timeZone')]",
            "patchSettings": {"patchMode": "[parameters('patchMode')]",
                              "assessmentMode": "[parameters('assessmentMode')]"}
          }
        }
      }
    }
  ]
}
"""


def test_a_parameter_left_at_its_default_is_not_named_in_the_condition(tmp_path):
    """Each parameter is explored on its own, the others at their defaults: the Manual finding
    holds only with the six others at their defaults, but that says nothing about when it holds,
    so only patchMode is named (pipeline._only_at_its_default)."""
    template = tmp_path / "vm.json"
    template.write_text(MANY_CHOICES, encoding="utf-8")
    (finding,) = [f for f in findings(template) if f.rule == "AZP102"]
    assert finding.text == (
        "patchMode is 'Manual' (from parameters('patchMode') (vm.json:5) <- one of its"
        " allowedValues) but enableAutomaticUpdates is true (platform default); Manual needs"
        " false (when patchMode='Manual')"
    )
    assert (finding.location.line, finding.location.column) == (31, 35)  # windowsConfiguration


def _availability_set(name: str, fault_domains: int) -> dict:
    return {
        "type": "Microsoft.Compute/availabilitySets",
        "apiVersion": "2023-03-01",
        "name": name,
        "location": "westeurope",
        "properties": {"platformFaultDomainCount": fault_domains},
    }


def test_a_skipped_scale_set_leaves_the_previous_vm_its_own_availability_set(tmp_path):
    """A scale set that only changes capacity makes no record; the outer template's set of the
    same name must not replace the counts the VM took from its own (nested) template."""
    inner_vm = {
        "type": "Microsoft.Compute/virtualMachines",
        "apiVersion": "2023-03-01",
        "name": "app",
        "location": "westeurope",
        "properties": {
            "availabilitySet": {"id": "[resourceId('Microsoft.Compute/availabilitySets', 'as1')]"},
        },
    }
    inner = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [_availability_set("as1", 2), inner_vm],
    }
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": "nested",
        "properties": {
            "mode": "Incremental",
            "expressionEvaluationOptions": {"scope": "inner"},
            "template": inner,
        },
    }
    capacity_only = {
        "type": "Microsoft.Compute/virtualMachineScaleSets",
        "apiVersion": "2023-03-01",
        "name": "scale",
        "location": "westeurope",
        "sku": {"name": "Standard_D2s_v3", "capacity": 3},
    }
    outer = {**inner, "resources": [deployment, _availability_set("as1", 3), capacity_only]}
    path = tmp_path / "azuredeploy.json"
    path.write_text(json.dumps(outer, indent=2), encoding="utf-8")
    [vm] = records(path)
    assert vm.name == "app" and vm.value("fault_domain_count") == 2
