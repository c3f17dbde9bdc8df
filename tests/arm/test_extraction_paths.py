"""Paths ARM extraction does not walk (issue 16, session 11, s11-extract): the facts under an
OS configuration block that is not written are that absence, from one reach of the block;
the image reference's keys are reached from its node; ``focus_trace`` in one pass; a node's
steps as a chain, for its location. Each answer must be the one walking every path gives."""

import json

import pytest

from armlint.arm import extract
from armlint.arm.extract import ArmNode
from armlint.arm.jsonpos import parse
from armlint.arm.template import FileContext, TemplateScope
from armlint.compute import arm_body
from armlint.compute.arm_body import focus_trace, reach
from armlint.compute.schema import (
    IMAGE_FACTS,
    IMAGE_REFERENCE,
    OS_CONFIG_FACTS,
    platform_default,
    spec_path,
)
from armlint.model import Location
from armlint.run.pipeline import RunOptions, load_records
from tests.arm.test_extraction_work import TEMPLATE

WINDOWS_IMAGE = {"publisher": "MicrosoftWindowsServer", "offer": "WindowsServer", "sku": "2022"}
LINUX_IMAGE = {"publisher": "Canonical", "offer": "UbuntuServer", "sku": "[parameters('sku')]"}


def _template(properties: dict) -> dict:
    parameters = {
        "sku": {"type": "string", "defaultValue": "22_04-lts"},
        "profile": {"type": "object", "defaultValue": {"computerName": "vm1"}},
    }
    vm = {**TEMPLATE["resources"][0], "properties": properties}
    return {**TEMPLATE, "parameters": parameters, "resources": [vm]}


def _records_and_root(tmp_path, properties: dict):
    """The record armlint makes, and a fresh node of the same resource to walk by hand."""
    text = json.dumps(_template(properties), indent=2)
    path = tmp_path / "vm.json"
    path.write_text(text)
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    template, src = parse(text, str(path))
    scope = TemplateScope(template, src, {}, FileContext())
    return record, ArmNode(template["resources"][0], scope, Location(str(path), 1, 1))


def _same(fact, reached_fact) -> bool:
    return (fact.value, fact.source, fact.trace, fact.location) == (
        reached_fact.value,
        reached_fact.source,
        reached_fact.trace,
        reached_fact.location,
    )


def _paths_walked(monkeypatch) -> list:
    """Each path ``reach`` follows from now on (as both modules call it)."""
    walked = []
    original = arm_body.reach

    def recording(root, path, settle=True):
        walked.append(path)
        return original(root, path, settle)

    monkeypatch.setattr(arm_body, "reach", recording)
    monkeypatch.setattr(extract, "reach", recording)
    return walked


OS_PROFILES = {
    "no osProfile": {},
    "no configuration block": {"osProfile": {"computerName": "vm1"}},
    "a null block": {"osProfile": {"windowsConfiguration": None, "linuxConfiguration": None}},
    "a profile from a parameter": {"osProfile": "[parameters('profile')]"},
    "a profile that is not an object": {"osProfile": "vm1"},
}


@pytest.mark.parametrize("image", [WINDOWS_IMAGE, LINUX_IMAGE], ids=["Windows", "Linux"])
@pytest.mark.parametrize("profile", OS_PROFILES.values(), ids=OS_PROFILES.keys())
def test_the_facts_under_a_block_not_written_are_those_each_path_reaches(tmp_path, image, profile):
    properties = {**profile, "storageProfile": {"imageReference": image}}
    record, root = _records_and_root(tmp_path, properties)
    os_name = record.value("os")
    assert os_name in ("Windows", "Linux")
    for spec in OS_CONFIG_FACTS:
        if spec.windows_only and os_name != "Windows":
            continue
        reached = reach(root, ("properties", *spec_path(spec, os_name)))
        default = platform_default(os_name, spec.name)
        if spec.type == "presence":
            assert spec.name not in record.facts
        else:
            assert _same(record.facts[spec.name], reached.fact(default, default is not None))
    assert "linux_enable_hotpatching" not in record.facts


def test_no_path_under_a_block_not_written_is_walked(tmp_path, monkeypatch):
    walked = _paths_walked(monkeypatch)
    properties = {"osProfile": {}, "storageProfile": {"imageReference": WINDOWS_IMAGE}}
    record, _ = _records_and_root(tmp_path, properties)
    assert record.value("patch_mode") == "AutomaticByOS"  # the Windows default
    assert not [path for path in walked if "patchSettings" in path]


def test_a_written_block_still_has_each_path_reached(tmp_path):
    config = {"patchSettings": {"patchMode": "AutomaticByPlatform"}, "timeZone": "UTC"}
    properties = {"osProfile": {"windowsConfiguration": config}}
    record, root = _records_and_root(tmp_path, properties)
    assert record.value("patch_mode") == "AutomaticByPlatform"
    assert record.value("time_zone") == "UTC"
    updates = reach(
        root, ("properties", "osProfile", "windowsConfiguration", "enableAutomaticUpdates")
    )
    assert _same(record.facts["enable_automatic_updates"], updates.fact(True, True))


def test_the_image_keys_are_reached_from_the_image_reference(tmp_path, monkeypatch):
    walked = _paths_walked(monkeypatch)
    properties = {"storageProfile": {"imageReference": LINUX_IMAGE}}
    record, root = _records_and_root(tmp_path, properties)
    for name, key in IMAGE_FACTS[:3]:
        reached = reach(root, ("properties", *IMAGE_REFERENCE, key))
        assert _same(record.facts[name], reached.fact())
    assert record.value("image_sku") == "22_04-lts"
    assert ("sku",) in walked and ("id",) in walked
    assert "image_id" not in record.facts


TRACE = (
    "parameters('other') (vm.json:4)",
    "concat",
    "variables('config') (vm.json:9)",
    "parameters('patchMode') (vm.json:6)",
    "if",
    "variables('last') (vm.json:12)",
    "format",
)


@pytest.mark.parametrize(
    ("trace", "key", "focused"),
    [
        (TRACE[:2], "patchMode", TRACE[:2]),  # two steps or fewer: as they are
        (TRACE, "patchMode", TRACE[3:5]),  # its own parameter, to the next read
        (TRACE, "PATCHMODE", TRACE[3:5]),  # named case-insensitively
        (TRACE, "timeZone", TRACE[5:]),  # else the last variable
        (TRACE[:5], "timeZone", TRACE[2:3]),
        (("parameters('a')", "concat", "parameters('b')"), "c", ("parameters('a')", "concat")),
        (("concat", "if", "format"), "c", ("concat", "if", "format")),  # no read at all
    ],
)
def test_focus_trace(trace, key, focused):
    assert focus_trace(trace, key) == focused


def test_a_nested_value_is_located_at_its_deepest_written_key(tmp_path):
    properties = {
        "osProfile": {"windowsConfiguration": "[createObject('enableAutomaticUpdates', false())]"},
        "storageProfile": {"imageReference": WINDOWS_IMAGE},
    }
    record, root = _records_and_root(tmp_path, properties)
    updates = record.facts["enable_automatic_updates"]
    assert updates.value is False
    # Computed by an expression, the object has no positions: the fact is placed at the
    # key that holds the expression, the deepest step that has them.
    text = (tmp_path / "vm.json").read_text().splitlines()
    assert '"windowsConfiguration": "[createObject(' in text[updates.location.line - 1]
    sku = reach(root, ("properties", *IMAGE_REFERENCE, "sku"))
    assert '"sku": "2022"' in text[sku.location.line - 1]
