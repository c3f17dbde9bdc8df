"""Work ARM evaluation does not repeat (issue 16): a VM's name is evaluated once for its
record, its sibling matching and all its child resources; an object or array
with nothing to evaluate inside is its own resolved value, positions and all."""

import json

from armlint.arm import expressions, walk
from armlint.arm.jsonpos import parse
from armlint.arm.template import FileContext, TemplateScope
from armlint.run.pipeline import RunOptions, load_records

VM_NAME = "[concat(parameters('prefix'), '-vm')]"
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"prefix": {"type": "string", "defaultValue": "web"}},
    "variables": {
        "image": {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "tags": ["a"]},
        "mixed": {"publisher": "[parameters('prefix')]", "sku": "2022-datacenter", "n": [1, 2]},
    },
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2023-03-01",
            "name": VM_NAME,
            "location": "westeurope",
            "properties": {
                "osProfile": {"windowsConfiguration": {"provisionVMAgent": True}},
                "storageProfile": {"imageReference": "[variables('image')]"},
            },
            "resources": [
                {
                    "type": "extensions",
                    "apiVersion": "2023-03-01",
                    "name": "health",
                    "properties": {"type": "ApplicationHealthWindows"},
                },
                {
                    "type": "providers/configurationAssignments",
                    "apiVersion": "2023-04-01",
                    "name": "[concat(parameters('prefix'), '-assignment')]",
                    "properties": {},
                },
            ],
        }
    ],
}


def test_a_vm_name_is_evaluated_once_for_the_record_and_its_children(tmp_path, monkeypatch):
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(TEMPLATE, indent=2))
    evaluated = []
    evaluate = expressions.evaluate

    def counting(text, scope):
        evaluated.append(text)
        return evaluate(text, scope)

    monkeypatch.setattr(expressions, "evaluate", counting)
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert record.name == "web-vm"
    assert record.value("health_extension") is True
    assert record.value("maintenance_assignment") is True
    # Once for the record, its health and maintenance matching and its child resources.
    assert evaluated.count(VM_NAME) == 1


def test_a_container_with_nothing_to_evaluate_is_its_own_value():
    text = json.dumps(TEMPLATE, indent=2)
    template, src = parse(text, "vm.json")
    scope = TemplateScope(template, src, {}, FileContext())
    literal = template["variables"]["image"]
    assert scope.resolve(literal).value is literal
    assert scope.resolve(literal["tags"]).value is literal["tags"]
    mixed = template["variables"]["mixed"]
    resolved = scope.resolve(mixed).value
    assert resolved is not mixed
    assert resolved == {"publisher": "web", "sku": "2022-datacenter", "n": [1, 2]}
    assert resolved["n"] is mixed["n"]
    assert resolved.value_location("sku") == mixed.value_location("sku")
    sku_line = next(n for n, line in enumerate(text.splitlines(), 1) if '"sku"' in line)
    assert resolved.value_location("sku").line == sku_line


def _nested(depth: int) -> dict:
    """A template whose only resource is an inline deployment, ``depth`` levels down to a VM."""
    if depth == 0:
        return {"resources": [{**TEMPLATE["resources"][0], "resources": []}]}
    deployment = {
        "type": "Microsoft.Resources/deployments",
        "apiVersion": "2022-09-01",
        "name": f"level{depth}",
        "properties": {"mode": "Incremental", "template": _nested(depth - 1)},
    }
    return {"parameters": TEMPLATE["parameters"], "resources": [deployment]}


def test_each_nested_template_is_scanned_for_vms_once(tmp_path, monkeypatch):
    path = tmp_path / "nested.json"
    path.write_text(json.dumps({**TEMPLATE, **_nested(5)}, indent=2))
    scanned = []
    declared = walk._declared_resources

    def counting(template):
        scanned.append(id(template))
        return declared(template)

    monkeypatch.setattr(walk, "_declared_resources", counting)
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert record.name == "web-vm"
    # Each of the six templates: once for its resources that matter, once for whether it may
    # deploy VMs (the outermost is not asked); each level used to ask it of every level below.
    assert len(set(scanned)) == 6
    assert max(scanned.count(template) for template in scanned) <= 2


def test_the_os_configuration_paths_are_worked_out_once_not_per_vm(tmp_path, monkeypatch):
    from armlint.compute import arm_body

    second = {**TEMPLATE["resources"][0], "name": "[concat(parameters('prefix'), '-vm2')]"}
    path = tmp_path / "two.json"
    path.write_text(json.dumps({**TEMPLATE, "resources": [TEMPLATE["resources"][0], second]}))
    worked_out = []
    spec_path = arm_body.spec_path

    def counting(spec, os_name):
        worked_out.append(spec.name)
        return spec_path(spec, os_name)

    monkeypatch.setattr(arm_body, "_CONFIG_FACT_PATHS", {})
    monkeypatch.setattr(arm_body, "spec_path", counting)
    records = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert [record.value("patch_mode") for record in records] == ["AutomaticByOS"] * 2
    assert len(worked_out) == len(arm_body.OS_CONFIG_FACTS)  # for both Windows VMs
