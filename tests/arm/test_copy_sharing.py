"""The instances of a VM copy loop share the groups of facts that read no copy-loop index
(issue 16, ``arm.extract.CopySharing``): worked out once, not once per instance; a group that
read the index, directly or through a cached variable or property, is worked out for each."""

import json

from armlint.compute import arm_body
from armlint.run.pipeline import RunOptions, load_records

# Manual for the second instance only, through a variable that the name reads first (cached
# in the instance's scope when the patch mode reads it).
MODE = "[if(equals(copyIndex(), 1), 'Manual', 'AutomaticByPlatform')]"
IMAGE = {
    "publisher": "MicrosoftWindowsServer",
    "offer": "WindowsServer",
    "sku": "[parameters('sku')]",
    "version": "latest",
}


def _vm(name: str, properties) -> dict:
    return {
        "type": "Microsoft.Compute/virtualMachines",
        "apiVersion": "2023-03-01",
        "name": name,
        "location": "westeurope",
        "copy": {"name": "vms", "count": 3},
        "properties": properties,
    }


TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"sku": {"type": "string", "defaultValue": "2022-datacenter"}},
    "variables": {
        "mode": MODE,
        # The whole properties object read the index: each of its paths did.
        "properties": {
            "osProfile": {"windowsConfiguration": {"patchSettings": {"patchMode": MODE}}},
            "storageProfile": {"imageReference": IMAGE},
        },
    },
    "resources": [
        _vm(
            "[concat('a', copyIndex(), variables('mode'))]",
            {
                "osProfile": {
                    "windowsConfiguration": {"patchSettings": {"patchMode": "[variables('mode')]"}}
                },
                "storageProfile": {"imageReference": IMAGE},
            },
        ),
        _vm("[concat('b', copyIndex())]", "[variables('properties')]"),
    ],
}


def _records(tmp_path, monkeypatch):
    path = tmp_path / "vms.json"
    path.write_text(json.dumps(TEMPLATE, indent=2))
    images = []
    image_facts = arm_body.BodyExtractor._image_facts

    def counting(extractor):
        images.append(extractor.root.value.get("name"))
        return image_facts(extractor)

    monkeypatch.setattr(arm_body.BodyExtractor, "_image_facts", counting)
    return load_records(RunOptions(paths=[str(path)], explore=False)).records, images


def test_facts_that_read_no_index_are_worked_out_once_per_copy_loop(tmp_path, monkeypatch):
    records, images = _records(tmp_path, monkeypatch)
    first = [record for record in records if record.name.startswith("a")]
    assert len(first) == 3
    assert [record.value("image_sku") for record in first] == ["2022-datacenter"] * 3
    assert images.count(TEMPLATE["resources"][0]["name"]) == 1
    assert first[1].facts["image_sku"] is first[0].facts["image_sku"]


def test_facts_that_read_the_index_are_worked_out_for_each_instance(tmp_path, monkeypatch):
    records, images = _records(tmp_path, monkeypatch)
    modes = {record.name: record.value("patch_mode") for record in records}
    # Through a variable the name had already cached in the instance's scope:
    assert modes["a0AutomaticByPlatform"] == "AutomaticByPlatform"
    assert modes["a1Manual"] == "Manual"
    assert modes["a2AutomaticByPlatform"] == "AutomaticByPlatform"
    # Through the properties node, evaluated for the OS and reused by the patch settings:
    assert [modes[f"b{index}"] for index in range(3)] == [
        "AutomaticByPlatform",
        "Manual",
        "AutomaticByPlatform",
    ]
    assert images.count(TEMPLATE["resources"][1]["name"]) == 3


def test_a_group_under_properties_that_read_the_index_is_worked_out_for_each(tmp_path):
    # The first instance has no osProfile: its patch settings, all defaults, read nothing
    # below ``properties`` but what ``properties`` read, the index; the second has its own.
    image = {**IMAGE, "sku": "2022-datacenter"}
    manual = {"windowsConfiguration": {"patchSettings": {"patchMode": "Manual"}}}
    template = {
        **TEMPLATE,
        "variables": {
            "bare": {"storageProfile": {"imageReference": image}},
            "manual": {"osProfile": manual, "storageProfile": {"imageReference": image}},
        },
        "resources": [
            _vm(
                "[concat('c', copyIndex())]",
                "[if(equals(copyIndex(), 0), variables('bare'), variables('manual'))]",
            )
        ],
    }
    path = tmp_path / "vms.json"
    path.write_text(json.dumps(template, indent=2))
    records = load_records(RunOptions(paths=[str(path)], explore=False)).records
    modes = {record.name: record.value("patch_mode") for record in records}
    assert modes == {"c0": "AutomaticByOS", "c1": "Manual", "c2": "Manual"}
