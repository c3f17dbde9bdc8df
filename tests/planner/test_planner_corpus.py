"""The real-world corpus (../shared/corpus beside the repository) through the planner: every
format of plan and inventory is produced, every participating VM is in exactly one batch (one
per zone for a scale set over several zones) and the JSON matches the schemas."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from armlint.paths import schemas_dir
from armlint.pipeline import RunOptions, image_support_checker, load_records
from armlint.planner import (
    PlanSettings,
    build_plan,
    decide,
    inventory_report,
    plan_report,
)
from armlint.planner.placement import zones_of
from armlint.report.plan_formats import INVENTORY_FORMATS, PLAN_FORMATS

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no corpus at {CORPUS}")


@pytest.fixture(scope="module")
def loaded():
    # As `armlint plan` loads: one scenario per template, no allowedValues exploration.
    return load_records(RunOptions(paths=[str(CORPUS)], explore=False))


@pytest.fixture(scope="module")
def settings():
    return PlanSettings(image_supported=image_support_checker("current"))


@pytest.fixture(scope="module")
def plan(loaded, settings):
    return build_plan(loaded.records, settings)


def schema(name: str) -> dict:
    return json.loads((schemas_dir() / name).read_text(encoding="utf-8"))


def test_the_corpus_has_vms_batches_and_exclusions(loaded, plan):
    assert len(loaded.records) > 500
    assert plan.batches and plan.excluded


def all_batches(plan):
    """Availability-first batches and the batches of schedule groups."""
    return [*plan.batches, *(batch for group in plan.schedules for batch in group.batches)]


def test_every_participating_unit_is_in_exactly_one_batch(loaded, plan, settings):
    placed = Counter(id(record) for batch in all_batches(plan) for record in batch.records)
    for record in loaded.records:
        if decide(record, settings.image_supported).participates:
            zones, _ = zones_of(record)
            assert placed[id(record)] == len(zones), record.identity
        else:
            assert id(record) not in placed, record.identity
    names = [name for batch in all_batches(plan) for name in batch.vms]
    assert len(names) == len(set(names))


def test_every_vm_is_either_batched_or_excluded(loaded, plan):
    batched = {id(record) for batch in all_batches(plan) for record in batch.records}
    assert len(batched) + len(plan.excluded) == len(loaded.records)


@pytest.mark.parametrize("fmt", PLAN_FORMATS)
def test_plan_in_every_format(loaded, settings, fmt):
    import jsonschema

    text, findings = plan_report(loaded.records, loaded.findings, settings, fmt)
    assert "Traceback" not in text
    if fmt == "json":
        data = json.loads(text)
        jsonschema.validate(data, schema("plan.schema.json"))
        assert len(data["findings"]) == len(findings)
    elif fmt == "html":
        HTMLParser().feed(text)
        assert '<table id="batches">' in text
    else:
        assert "Batches" in text and "Assumptions" in text


@pytest.mark.parametrize("fmt", INVENTORY_FORMATS)
def test_inventory_in_every_format(loaded, settings, fmt):
    import jsonschema

    text, _ = inventory_report(loaded.records, loaded.findings, settings, fmt)
    if fmt == "json":
        data = json.loads(text)
        jsonschema.validate(data, schema("inventory.schema.json"))
        assert len(data["vms"]) == len(loaded.records)
    elif fmt == "csv":
        assert len(list(csv.DictReader(io.StringIO(text)))) == len(loaded.records)
    else:
        assert text.strip()


def test_findings_use_known_rules_and_the_one_unreadable_file(loaded, settings):
    _, findings = plan_report(loaded.records, loaded.findings, settings, "json")
    assert not [f for f in findings if f.rule == "AZP002"]
    assert [f.rule for f in findings if f.rule < "AZP500"] == ["AZP001"]
    assert {f.rule for f in findings} <= {"AZP001", "AZP501", "AZP502", "AZP503", "AZP504"}
