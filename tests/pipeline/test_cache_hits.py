"""The result cache serves every unit it stored, and validating its entries stays cheap."""

import copy
import json
from pathlib import Path

import pytest

from armlint.run import pipeline, workunits
from armlint.run.pipeline import RunOptions, run_check
from tests.cache_packs import rewrite_entries, stored_entries

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
    return [json.loads(entry) for entry in stored_entries(private_cache).values()]


def test_the_python_checks_accept_and_refuse_what_the_schema_does(private_cache):
    """cache_entry.well_formed replaced jsonschema on the read path: the same verdicts on
    the entries a run writes and on those entries broken in each way the schema forbids."""
    from jsonschema import Draft202012Validator

    from armlint.paths import schemas_dir
    from armlint.run.cache_entry import well_formed

    run_check(RunOptions(paths=[str(EXAMPLES)], cache=True))
    valid = [entry for entry in _entries(private_cache) if entry["findings"]]
    assert valid
    broken, dependencies = [], []
    for entry in valid[:3]:
        for field, bad in (("line", "7"), ("column", -1), ("extra", 1), ("end_line", True)):
            changed = copy.deepcopy(entry)
            changed["findings"][0]["location"][field] = bad
            broken.append(changed)
        for field, bad in (("severity", "fatal"), ("rule", "NOPE"), ("fix", 3), ("x", "")):
            changed = copy.deepcopy(entry)
            changed["findings"][0][field] = bad
            broken.append(changed)
        for field, bad in (("format", 5), ("stamp", "zz"), ("notes", [1]), ("files", {})):
            changed = copy.deepcopy(entry)
            changed[field] = bad
            broken.append(changed)
        for dependency, good in (
            (["a.hcl", None], True),
            (["p", "unreadable"], True),
            (["x", 1], False),
        ):
            changed = copy.deepcopy(entry)
            changed["dependencies"] = [dependency]  # null: absent (format 6)
            (dependencies if good else broken).append(changed)
    schema = json.loads(
        (Path(schemas_dir()) / "cache-entry.schema.json").read_text(encoding="utf-8")
    )
    validator = Draft202012Validator(schema)
    valid += dependencies
    for entry in valid + broken:
        assert well_formed(entry) == validator.is_valid(entry), entry
    assert all(well_formed(entry) for entry in valid)
    assert not any(well_formed(entry) for entry in broken)


def test_a_fully_cached_run_does_not_import_jsonschema(tmp_path):
    """Validating entries with jsonschema (its import and a call per finding) was half of a
    fully cached run; the stamp and cache_entry.well_formed replace it."""
    import os
    import subprocess
    import sys

    environment = dict(os.environ, ARMLINT_CACHE_DIR=str(tmp_path / "cache"))
    script = (
        "import sys; from armlint.cli import main; code = main(['check', sys.argv[1], "
        "'--format', 'json']); print(sorted(m for m in sys.modules if m.startswith('jsonschema'))"
        ", file=sys.stderr)"
    )
    command = [sys.executable, "-c", script, str(EXAMPLES / "arm")]
    runs = [
        subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
        for _ in range(2)
    ]
    assert all(run.returncode in (0, 1) for run in runs), runs[-1].stderr
    assert runs[0].stdout == runs[1].stdout
    assert stored_entries(tmp_path / "cache"), "nothing was cached"
    assert runs[1].stderr.strip().splitlines()[-1] == "[]", runs[1].stderr


def test_a_hand_edited_entry_is_ignored_and_named(private_cache, tmp_path):
    """A change that keeps the entry well formed (a finding's message) breaks its stamp."""
    path = tmp_path / "main.json"
    path.write_text(json.dumps(LINKED_BY_URI), encoding="utf-8")
    options = RunOptions(paths=[str(path)], cache=True, show_unknown=True)
    first = run_check(options).findings
    [(key, entry)] = stored_entries(private_cache).items()
    data = json.loads(entry)
    data["findings"][0]["message"] = "edited by hand"
    rewrite_entries(private_cache, lambda _, entry: json.dumps(data).encode())
    assert workunits.lookup_cached(key) == (
        None,
        "changed since armlint wrote it (its stamp does not match)",
    )
    verbose = run_check(RunOptions(**{**options.__dict__, "note_cache_misses": True}))
    assert [f.text for f in verbose.findings] == [f.text for f in first]
    assert any("(its stamp does not match); checked afresh" in n for n in verbose.notes), (
        verbose.notes
    )


def test_a_truncated_entry_is_ignored(private_cache, tmp_path):
    path = tmp_path / "main.json"
    path.write_text(json.dumps(LINKED_BY_URI), encoding="utf-8")
    run_check(RunOptions(paths=[str(path)], cache=True))
    [key] = stored_entries(private_cache)
    assert workunits.lookup_cached(key)[0] is not None
    rewrite_entries(private_cache, lambda _, entry: entry[: len(entry) // 2])
    assert workunits.lookup_cached(key) == (None, "not valid JSON")
