"""The result cache serves every unit it stored, and validating its entries stays cheap."""

import copy
import json
from pathlib import Path

import pytest

from armlint.run import pipeline, workunits
from armlint.run.pipeline import RunOptions, run_check

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# A deployment linked by URI: the unit's result holds an AZP002 finding whose severity the
# rule pack fills in later (model.pack_finding), so it is stored with an empty severity.
LINKED_BY_URI = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "linked",
            "properties": {
                "mode": "Incremental",
                "templateLink": {"uri": "https://example.com/vm.json"},
            },
        }
    ],
}


@pytest.fixture
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_a_result_with_a_pack_finding_is_served_from_the_cache(
    tmp_path, private_cache, monkeypatch
):
    path = tmp_path / "main.json"
    path.write_text(json.dumps(LINKED_BY_URI), encoding="utf-8")
    options = RunOptions(paths=[str(path)], cache=True, show_unknown=True)
    first = run_check(options).findings
    assert [f.rule for f in first] == ["AZP002"]
    checked = []
    original = pipeline.check_unit
    monkeypatch.setattr(
        pipeline, "check_unit", lambda *args: checked.append(args) or original(*args)
    )
    second = run_check(options).findings
    assert checked == [], "the second run should not check the unit again"
    assert [(f.rule, f.severity, f.text) for f in second] == [
        (f.rule, f.severity, f.text) for f in first
    ]


def _entries(private_cache) -> list:
    return [json.loads(p.read_text()) for p in (private_cache / "results").rglob("*.json")]


def test_inlined_definitions_accept_and_refuse_what_the_schema_does(private_cache):
    from jsonschema import Draft202012Validator

    from armlint.paths import schemas_dir

    run_check(RunOptions(paths=[str(EXAMPLES)], cache=True))
    valid = [entry for entry in _entries(private_cache) if entry["findings"]]
    assert valid
    broken = []
    for entry in valid[:3]:
        for field, bad in (("line", "7"), ("column", -1), ("extra", 1)):
            changed = copy.deepcopy(entry)
            changed["findings"][0]["location"][field] = bad
            broken.append(changed)
        changed = copy.deepcopy(entry)
        changed["findings"][0]["severity"] = "fatal"
        broken.append(changed)
    schema = json.loads((schemas_dir() / "cache-entry.schema.json").read_text(encoding="utf-8"))
    with_references = Draft202012Validator(schema)
    inlined = workunits._entry_validator()
    for entry in valid + broken:
        assert inlined.is_valid(entry) == with_references.is_valid(entry)
    assert not any(inlined.is_valid(entry) for entry in broken)
