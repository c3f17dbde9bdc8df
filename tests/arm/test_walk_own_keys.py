"""What the walk reads of a resource's own text (``existing``, ``copy``, ``condition``, child
``resources``): in a resource whose keys are all spelt as the template schema spells them, an
absent key is known absent without ``get_ci`` lowering every key for it (issue 16, session
11); a key written in another case is still found, as ARM finds it."""

from __future__ import annotations

import json

import pytest

from armlint.arm import walk
from armlint.arm.jsonpos import get_ci
from armlint.run.options import RunOptions
from armlint.run.pipeline import load_records
from tests.arm.test_combinations import _count_calls

VM_TYPE = "Microsoft.Compute/virtualMachines"


@pytest.mark.parametrize(
    "resource",
    [
        {"type": VM_TYPE, "copy": {"name": "a", "count": 2}},
        {"type": VM_TYPE, "Copy": {"name": "a", "count": 2}},
        {"type": VM_TYPE, "COPY": 1, "Copy": 2},  # the first written in another case
        {"type": VM_TYPE, "Copy": 1, "copy": 2},  # the one written as asked first
        {"type": VM_TYPE, "name": "copy", "tags": {"copy": 1}},  # in a value, not a key
        {"type": VM_TYPE, "cop": 1, "copyx": 2, "xcopy": 3},
        {"type": VM_TYPE},
        {},
    ],
)
def test_a_key_is_found_as_get_ci_finds_it(resource):
    as_schema = resource.keys() <= walk.SCHEMA_KEYS
    for key in ("copy", "condition", "resources", "existing", "type"):
        assert walk._own(resource, as_schema, key) == get_ci(resource, key)
        assert walk._own(resource, False, key) == get_ci(resource, key)


def test_no_two_schema_keys_are_the_same_in_lower_case():
    assert len({key.lower() for key in walk.SCHEMA_KEYS}) == len(walk.SCHEMA_KEYS)


def _vm(name: str, **own) -> dict:
    return {
        "type": VM_TYPE,
        "apiVersion": "2023-03-01",
        "name": name,
        "location": "westeurope",
        "properties": {"osProfile": {"windowsConfiguration": {}}},
        **own,
    }


def test_keys_written_in_another_case_still_count(tmp_path):
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            _vm("[concat('looped', copyIndex())]", Copy={"name": "vms", "count": 2}),
            _vm("never", Condition=False),
            _vm("referenced", EXISTING=True),
            _vm("plain"),
        ],
    }
    path = tmp_path / "cases.json"
    path.write_text(json.dumps(template, indent=2))
    records = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert sorted(record.name for record in records) == ["looped0", "looped1", "plain"]


def test_absent_own_keys_are_not_looked_up_key_by_key(tmp_path, monkeypatch):
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [_vm("plain")],
    }
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(template, indent=2))
    lookups = _count_calls(monkeypatch, walk, "get_ci")
    (record,) = load_records(RunOptions(paths=[str(path)], explore=False)).records
    assert record.name == "plain"
    own = ("existing", "copy", "condition", "resources")
    assert [key for where, key in lookups if where.get("type") == VM_TYPE and key in own] == []
