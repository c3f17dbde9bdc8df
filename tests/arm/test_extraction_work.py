"""Work ARM extraction does not do (issue 16, session 10): a literal string on a property
path is not handed to evaluation, and the expressions inside a VM's image reference are
evaluated once each, not once more for the whole object."""

import json

from armlint.arm import expressions
from armlint.arm.extract import ArmNode
from armlint.arm.jsonpos import parse
from armlint.arm.template import FileContext, TemplateScope
from armlint.compute.arm_body import reach
from armlint.model import SOURCE_EVALUATED, SOURCE_LITERAL, Fact, Location
from armlint.run.pipeline import RunOptions, load_records

PUBLISHER = "[parameters('publisher')]"
OFFER = "[concat('Windows', 'Server')]"
TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"publisher": {"type": "string", "defaultValue": "MicrosoftWindowsServer"}},
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2023-03-01",
            "name": "vm1",
            "location": "westeurope",
            "properties": {
                "osProfile": {"windowsConfiguration": {"provisionVMAgent": True}},
                "storageProfile": {
                    "imageReference": {
                        "publisher": PUBLISHER,
                        "offer": OFFER,
                        "sku": "2022-datacenter",
                        "version": "[[latest]",
                    }
                },
            },
        }
    ],
}


def _values_passed(monkeypatch, owner, name: str, position: int) -> list:
    """Each value that ``owner.name`` is called with at ``position``, from now on."""
    passed = []
    original = getattr(owner, name)

    def recording(*args):
        passed.append(args[position])
        return original(*args)

    monkeypatch.setattr(owner, name, recording)
    return passed


def test_the_image_reference_keys_are_evaluated_once_each(tmp_path, monkeypatch):
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(TEMPLATE, indent=2))
    evaluated = _values_passed(monkeypatch, expressions, "evaluate", 0)
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert record.value("image_publisher") == "MicrosoftWindowsServer"
    assert record.value("image_offer") == "WindowsServer"
    assert record.value("image_version") == "[latest]"
    assert evaluated.count(PUBLISHER) == 1
    assert evaluated.count(OFFER) == 1


def _root_node(monkeypatch):
    template, src = parse(json.dumps(TEMPLATE, indent=2), "vm.json")
    scope = TemplateScope(template, src, {}, FileContext())
    resolved = _values_passed(monkeypatch, TemplateScope, "resolve", 1)
    node = ArmNode(template["resources"][0], scope, Location("vm.json", 1, 1))
    return node, resolved


def test_a_literal_string_on_a_path_is_not_evaluated(monkeypatch):
    node, resolved = _root_node(monkeypatch)
    image = ("properties", "storageProfile", "imageReference")
    sku = reach(node, (*image, "sku"))
    assert (sku.value, sku.source, sku.trace) == ("2022-datacenter", SOURCE_LITERAL, ())
    assert reach(node, ("name",)).value == "vm1"
    assert resolved == []
    # An escaped bracket is still unescaped, and an expression evaluated, as before.
    version = reach(node, (*image, "version"))
    assert (version.value, version.source) == ("[latest]", SOURCE_EVALUATED)
    publisher = reach(node, (*image, "publisher"))
    assert (publisher.value, publisher.source) == ("MicrosoftWindowsServer", SOURCE_EVALUATED)
    assert resolved[:2] == ["[[latest]", PUBLISHER]


def test_an_object_reached_without_settling_keeps_its_expressions(monkeypatch):
    node, resolved = _root_node(monkeypatch)
    image = ("properties", "storageProfile", "imageReference")
    unsettled = reach(node, image, settle=False)
    assert unsettled.present and unsettled.value["publisher"] == PUBLISHER
    assert resolved == []
    settled = reach(node, image)
    assert settled.value["publisher"] == "MicrosoftWindowsServer"


def _os_fact(tmp_path, parameters: dict, windows_configuration) -> Fact:
    template = {
        **TEMPLATE,
        "parameters": parameters,
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachines",
                "apiVersion": "2023-03-01",
                "name": "vm1",
                "location": "westeurope",
                "properties": {"osProfile": {"windowsConfiguration": windows_configuration}},
            }
        ],
    }
    path = tmp_path / "vm.json"
    path.write_text(json.dumps(template, indent=2))
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    return record.facts["os"]


def test_an_os_block_written_in_place_names_the_os_whatever_its_members_evaluate_to(tmp_path):
    agent = {"agent": {"type": "bool", "defaultValue": True}}
    block = {"provisionVMAgent": "[parameters('agent')]"}
    os_fact = _os_fact(tmp_path, agent, block)
    # Written as it is: the members' parameters are not what says the OS.
    assert (os_fact.value, os_fact.source, os_fact.trace) == ("Windows", SOURCE_LITERAL, ())


def test_an_os_block_that_is_an_expression_is_evaluated_and_traced(tmp_path):
    config = {"config": {"type": "object", "defaultValue": {"provisionVMAgent": True}}}
    os_fact = _os_fact(tmp_path, config, "[parameters('config')]")
    assert (os_fact.value, os_fact.source) == ("Windows", SOURCE_EVALUATED)
    assert any(step.startswith("parameters('config')") for step in os_fact.trace)


SETTINGS = "[concat('script-', parameters('publisher'))]"
SCRIPT = {"name": "script", "properties": {"type": "CustomScript", "settings": SETTINGS}}
HEALTH = {"name": "health", "properties": {"type": "[variables('healthType')]"}}


def _scale_set_health(tmp_path, monkeypatch, extensions) -> tuple[Fact, list]:
    template = {
        **TEMPLATE,
        "variables": {"healthType": "ApplicationHealthLinux", "health": HEALTH},
        "resources": [
            {
                "type": "Microsoft.Compute/virtualMachineScaleSets",
                "apiVersion": "2023-03-01",
                "name": "vmss1",
                "location": "westeurope",
                "properties": {
                    "virtualMachineProfile": {
                        "osProfile": {"linuxConfiguration": {}},
                        "extensionProfile": {"extensions": extensions},
                    }
                },
            }
        ],
    }
    path = tmp_path / "vmss.json"
    path.write_text(json.dumps(template, indent=2))
    evaluated = _values_passed(monkeypatch, expressions, "evaluate", 0)
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    return record.facts["health_extension"], evaluated


def test_a_scale_sets_extensions_are_not_evaluated_whole(tmp_path, monkeypatch):
    health, evaluated = _scale_set_health(tmp_path, monkeypatch, [SCRIPT, HEALTH])
    assert (health.value, health.source) == (True, SOURCE_EVALUATED)
    # Only each extension's type is evaluated, and traced as any property is.
    assert SETTINGS not in evaluated
    assert any(step.startswith("variables('healthType')") for step in health.trace)


def test_an_extension_written_as_an_expression_is_evaluated(tmp_path, monkeypatch):
    health, _ = _scale_set_health(tmp_path, monkeypatch, [SCRIPT, "[variables('health')]"])
    assert (health.value, health.source) == (True, SOURCE_EVALUATED)
