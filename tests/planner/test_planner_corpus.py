"""The real-world corpus (../shared/corpus beside the repository) through the planner: every
format of plan and inventory is produced, every participating VM is in exactly one batch (one
per zone for a scale set over several zones) and the JSON matches the schemas."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from collections import Counter
from html.parser import HTMLParser

import pytest

from armlint.planner import (
    PlanSettings,
    build_plan,
    decide,
    inventory_report,
    plan_report,
)
from armlint.planner.placement import zones_of
from armlint.report.plan_formats import INVENTORY_FORMATS, PLAN_FORMATS, plan_summary
from armlint.run.pipeline import RunOptions, image_support_checker, load_records
from tests.schema_check import validate

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def loaded(corpus_dir):
    # As `armlint plan` loads: one scenario per template, no allowedValues exploration.
    return load_records(RunOptions(paths=[str(corpus_dir)], explore=False))


@pytest.fixture(scope="module")
def settings():
    return PlanSettings(image_supported=image_support_checker("current"))


@pytest.fixture(scope="module")
def plan(loaded, settings):
    return build_plan(loaded.records, settings)


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


def unescaped(text: str, fmt: str) -> str:
    """The text a reader sees: HTML entities and Markdown backslash escapes undone."""
    if fmt == "html":
        return html.unescape(text)
    if fmt == "markdown":
        return re.sub(r"\\(.)", r"\1", text)
    return text


@pytest.fixture(scope="module")
def plan_json(loaded, settings):
    text, findings = plan_report(loaded.records, loaded.findings, settings, "json")
    return json.loads(text), findings


@pytest.fixture(scope="module")
def inventory_json(loaded, settings):
    text, _ = inventory_report(loaded.records, loaded.findings, settings, "json")
    return json.loads(text)


def test_the_json_plan_is_the_plan(plan_json, plan):
    data, findings = plan_json
    validate(data, "plan.schema.json")
    assert [batch["vms"] for batch in data["batches"]] == [list(b.vms) for b in plan.batches]
    assert len(data["excluded"]) == len(plan.excluded)
    assert len(data["findings"]) == len(findings)


@pytest.mark.parametrize("fmt", [fmt for fmt in PLAN_FORMATS if fmt != "json"])
def test_every_plan_format_shows_the_same_plan(loaded, settings, plan_json, fmt):
    data, _ = plan_json
    text, _ = plan_report(loaded.records, loaded.findings, settings, fmt)
    # The headline counts batches, phases, batched units, exclusions and findings.
    assert plan_summary(data) in unescaped(text, fmt)
    assert data["batches"][0]["vms"][0] in unescaped(text, fmt)
    if fmt == "html":
        HTMLParser().feed(text)
        batches = text.split('<table id="batches">', 1)[1].split("</table>", 1)[0]
        assert batches.split("</thead>", 1)[1].count("<tr") == len(data["batches"])
    else:
        assert "Batches" in text and "Assumptions" in text


@pytest.mark.parametrize("fmt", INVENTORY_FORMATS)
def test_inventory_has_one_row_per_vm_in_every_format(loaded, settings, inventory_json, fmt):
    names = [vm["name"] for vm in inventory_json["vms"]]
    assert len(names) == len(loaded.records)
    text, _ = inventory_report(loaded.records, loaded.findings, settings, fmt)
    if fmt == "json":
        validate(json.loads(text), "inventory.schema.json")
        rows = [vm["name"] for vm in json.loads(text)["vms"]]
    elif fmt == "csv":
        rows = [row["name"] for row in csv.DictReader(io.StringIO(text))]
    elif fmt == "html":
        HTMLParser().feed(text)
        table = text.split('<table id="inventory">', 1)[1].split("</table>", 1)[0]
        cells = re.findall(r'<tr class="vm[^"]*"><td class="name">(.*?)</td>', table)
        rows = [html.unescape(cell.replace("<wbr>", "")) for cell in cells]
        # Grouped under its file's heading, a name drops the ' (path)' that only told files apart.
        names = [vm["name"].removesuffix(f" ({vm['path']})") for vm in inventory_json["vms"]]
    elif fmt == "markdown":
        lines = [line for line in text.splitlines() if line.startswith("| ")]
        rows = [unescaped(line[2:].split(" | ", 1)[0], fmt) for line in lines[2:]]
    else:
        lines = text.splitlines()
        assert lines[1].startswith("---")
        rows = [line.split("  ", 1)[0] for line in lines[2:] if line.strip()]
    assert rows == names


def test_findings_use_known_rules_and_the_one_unreadable_file(loaded, settings):
    _, findings = plan_report(loaded.records, loaded.findings, settings, "json")
    assert not [f for f in findings if f.rule == "AZP002"]
    assert [f.rule for f in findings if f.rule < "AZP500"] == ["AZP001"]
    assert {f.rule for f in findings} <= {"AZP001", "AZP501", "AZP502", "AZP503", "AZP504"}
