"""Plan and inventory output in every format; untrusted names stay inert."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from planner_fleet import supported, vm

from armlint.model import Unknown
from armlint.planner import PlanSettings, build_plan, inventory, plan_findings
from armlint.report.plan_formats import render_inventory, render_plan
from tests.schema_check import validate

HOSTILE = "<script>alert(1)</script>"
CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def records():
    return [
        vm(HOSTILE, 10, location="westeurope", zones=["1"]),
        vm("we-z2a", 40, location="westeurope", zones=["2"]),
        vm("ne|01", 70, location="northeurope"),
        vm("web", 100, group="web", index=0, location="eastus", availability_set="as-web"),
        vm("web", 100, group="web", index=1, location="eastus", availability_set="as-web"),
        vm("flex", 130, kind="vmss", location="westus3", orchestration_mode="Flexible"),
        vm("lost", 160, location=Unknown("resourceGroup().location")),
        vm("=cmd|' /C calc'!A0", 190, patch_mode="Manual"),
    ]


@pytest.fixture(scope="module")
def plan(records):
    return build_plan(records, PlanSettings(image_supported=supported))


@pytest.fixture(scope="module")
def rows(records, plan):
    return inventory(records, plan_findings(plan, records), settings=plan.settings)


# --- JSON -------------------------------------------------------------------------------------


def test_plan_json_is_to_dict_and_matches_the_schema(plan):
    data = json.loads(render_plan(plan, "json"))
    assert data == plan.to_dict()
    assert render_plan(plan.to_dict(), "json") == render_plan(plan, "json")
    validate(data, "plan.schema.json")


def test_inventory_json_matches_the_schema(rows):
    data = json.loads(render_inventory(rows, "json"))
    assert data == {"vms": rows}
    validate(data, "inventory.schema.json")


def test_unknown_formats_are_refused(plan, rows):
    with pytest.raises(ValueError, match="unknown plan format 'csv'"):
        render_plan(plan, "csv")
    with pytest.raises(ValueError, match="unknown inventory format 'sarif'"):
        render_inventory(rows, "sarif")


# --- text and CSV -----------------------------------------------------------------------------


def test_plan_text_is_an_aligned_table(plan):
    text = render_plan(plan, "text")
    lines = text.splitlines()
    header = lines.index("Batches") + 1
    assert lines[header].split()[:3] == ["Batch", "Phase", "Region"]
    separator = lines[header + 1]
    starts = [
        i for i, ch in enumerate(separator) if ch == "-" and (i == 0 or separator[i - 1] == " ")
    ]
    for row in lines[header + 2 : header + 2 + len(plan.batches)]:
        assert row[starts[1] - 2 : starts[1]] == "  "  # every row's second column starts aligned
    assert "any hour (Flexible scale set)" in text


def test_text_replaces_control_characters(records):
    sneaky = vm("evil\x1b[31m\nname", 10, location="eastus")
    text = render_plan(build_plan([sneaky], PlanSettings(image_supported=supported)), "text")
    assert "\x1b" not in text
    assert "evil?[31m?name" in text


def test_inventory_csv_round_trips_and_defuses_formulas(rows):
    parsed = list(csv.DictReader(io.StringIO(render_inventory(rows, "csv"))))
    names = [row["name"] for row in parsed]
    assert len(names) == len(rows)
    assert HOSTILE in names
    assert "'=cmd|' /C calc'!A0" in names
    assert "=cmd|' /C calc'!A0" not in names
    lost = next(row for row in parsed if row["name"] == "lost")
    assert lost["location"] == "unknown"
    assert lost["unknown"] == "location"


def test_inventory_text_lists_every_row(rows):
    text = render_inventory(rows, "text")
    assert len(text.splitlines()) == len(rows) + 2


# --- Markdown ---------------------------------------------------------------------------------


def test_plan_markdown_has_a_mermaid_gantt_and_escapes_values(plan):
    text = render_plan(plan, "markdown")
    assert "```mermaid\ngantt\n" in text
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert "section Phase 1" in block
    assert block.count(", 1d\n") == len(plan.batches)
    assert ":crit, b" in block  # the uncertain batch
    assert "<script>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "ne\\|01" in text


def test_markdown_table_rows_have_one_cell_per_header(plan):
    text = render_plan(plan, "markdown")
    table = text.split("## Batches\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    cells = {line.replace("\\|", "").count("|") for line in table}
    assert cells == {10}


def test_inventory_markdown_escapes_values(rows):
    text = render_inventory(rows, "markdown")
    assert "<script>" not in text
    assert text.count("\n|") == len(rows) + 2


# --- HTML -------------------------------------------------------------------------------------


class PageParser(HTMLParser):
    """Collects what a browser would see: elements, their attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def test_plan_html_escapes_untrusted_names(plan):
    page = render_plan(plan, "html")
    parsed = parse(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert HOSTILE not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert any(HOSTILE in text for text in parsed.text)  # shown as text, not run


def test_plan_html_has_the_tables_and_an_svg_bar_per_batch(plan):
    parsed = parse(render_plan(plan, "html"))
    ids = {attrs.get("id") for _, attrs in parsed.tags}
    assert {"phases", "batches", "excluded", "assumptions"} <= ids
    bars = [attrs for tag, attrs in parsed.tags if tag == "g" and "bar" in attrs.get("class", "")]
    assert len(bars) == len(plan.batches)
    assert sum(1 for attrs in bars if "uncertain" in attrs["class"]) == 1
    assert any(tag == "svg" for tag, _ in parsed.tags)


def test_plan_html_is_self_contained(plan, rows):
    for page in (render_plan(plan, "html"), render_inventory(rows, "html")):
        parsed = parse(page)
        tags = {tag for tag, _ in parsed.tags}
        assert not tags & {"script", "link", "img", "iframe", "object", "embed"}
        for _, attrs in parsed.tags:
            assert not {"src", "href"} & set(attrs)
        assert "url(" not in page
        assert "@import" not in page
        assert "default-src 'none'" in page


def test_inventory_html_escapes_untrusted_names(rows):
    page = render_inventory(rows, "html")
    parsed = parse(page)
    assert "script" not in {tag for tag, _ in parsed.tags}
    assert "&lt;script&gt;" in page
    cells = [attrs for tag, attrs in parsed.tags if tag == "td"]
    # Every column but the path, which heads each file's group.
    assert len(cells) == len(rows) * (len(rows[0]) - 1)
    headings = [attrs for tag, attrs in parsed.tags if tag == "tr" and attrs.get("class") == "file"]
    assert len(headings) == len({row["path"] for row in rows})


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed")
def test_plan_html_loads_in_headless_chromium(plan, tmp_path):
    page = tmp_path / "plan.html"
    page.write_text(render_plan(plan, "html"), encoding="utf-8")
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--dump-dom",
        page.as_uri(),
    ]
    environment = {**os.environ, "HOME": str(tmp_path)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=environment, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert '<table id="batches">' in done.stdout
    assert HOSTILE not in done.stdout
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in done.stdout
