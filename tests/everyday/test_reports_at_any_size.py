"""Readable reports at any size (issue 13, item 9 and the 'text tables fitted to the terminal
width' of item 6): the plan's excluded VMs summarised by reason with evaluated names, labels
never cut, the inventory HTML grouped by file with words never broken into letters, and text
that fits a wide (200) and a narrow (80, 60) terminal. Run through the real command line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest
from everyday_helpers import ROOT, armlint

LONG_NAME = "web-frontend-with-a-long-descriptive-name-01"
# Five Manual VMs with evaluated names (app-0..app-4), two whose name needs a parameter that
# has no value (the raw expression must not be shown), and one long-named VM that takes part.
FLEET = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"prefix": {"type": "string"}},
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-03-01",
            "name": "[concat('app-', copyIndex())]",
            "copy": {"name": "apps", "count": 5},
            "location": "westeurope",
            "properties": {
                "osProfile": {"windowsConfiguration": {"patchSettings": {"patchMode": "Manual"}}}
            },
        },
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-03-01",
            "name": "[concat(parameters('prefix'), 'db', copyIndex())]",
            "copy": {"name": "dbs", "count": 2},
            "location": "westeurope",
            "properties": {
                "osProfile": {"windowsConfiguration": {"patchSettings": {"patchMode": "Manual"}}}
            },
        },
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2024-03-01",
            "name": LONG_NAME,
            "location": "westeurope",
            "zones": ["1"],
            "properties": {
                "osProfile": {
                    "linuxConfiguration": {
                        "provisionVMAgent": True,
                        "patchSettings": {"patchMode": "AutomaticByPlatform"},
                    }
                },
                "storageProfile": {
                    "imageReference": {
                        "publisher": "Canonical",
                        "offer": "0001-com-ubuntu-server-jammy",
                        "sku": "22_04-lts-gen2",
                        "version": "latest",
                    }
                },
            },
        },
    ],
}
RAW_EXPRESSION = "concat(parameters('prefix')"
MANUAL = "patch mode is 'Manual', not AutomaticByPlatform"


@pytest.fixture
def fleet(repo: Path) -> Path:
    """The repository with the fleet template in infra/ (and the bad one in templates/)."""
    (repo / "infra").mkdir()
    (repo / "infra" / "fleet.json").write_text(json.dumps(FLEET, indent=2), encoding="utf-8")
    return repo


def run(fleet: Path, env: dict, *args: str, columns: int | None = None) -> str:
    environment = {k: v for k, v in env.items() if k != "COLUMNS"}
    if columns is not None:
        environment["COLUMNS"] = str(columns)
    done = armlint(*args, cwd=fleet, env=environment)
    assert done.returncode in (0, 1), done.stderr
    return done.stdout


# --- the plan's excluded VMs ------------------------------------------------------------------


def test_plan_text_summarises_excluded_vms_by_reason_with_evaluated_names(fleet, env):
    text = run(fleet, env, "plan", "infra")
    excluded = text.split("Excluded", 1)[1].split("\nFindings", 1)[0]
    assert "7 VMs for 1 reason" in excluded
    lines = excluded.splitlines()
    assert f"7  {MANUAL}" in lines  # the count, then the reason, once
    assert "   app-0, app-1, app-2, app-3, app-4" in lines  # evaluated names, one line
    assert "name unknown for 2 VMs (in 1 file, e.g. infra/fleet.json:" in excluded
    assert RAW_EXPRESSION not in excluded  # never the raw ARM expression


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_plan_html_and_markdown_summarise_excluded_vms(fleet, env, fmt):
    page = run(fleet, env, "plan", "infra", "--format", fmt)
    section = page.split("Excluded", 1)[1].split("Findings", 1)[0]
    if fmt == "html":  # what a reader sees: no break hints, entities undone
        section = unescape(section.replace("<wbr>", ""))
    assert section.count(MANUAL) == 1
    assert "app-4" in section and "name unknown for 2 VM" in section
    assert RAW_EXPRESSION not in section


def test_plan_json_exclusions_carry_the_evaluated_name_and_a_relative_path(fleet, env):
    data = json.loads(run(fleet, env, "plan", str(fleet / "infra"), "--format", "json"))
    by_name = {item["name"]: item for item in data["excluded"]}
    assert set(by_name) == {"app-0", "app-1", "app-2", "app-3", "app-4", None}
    assert {item["path"] for item in data["excluded"]} == {"infra/fleet.json"}
    unknown = [item for item in data["excluded"] if item["name"] is None]
    assert [item["line"] for item in unknown] == [opening_line(fleet, RAW_EXPRESSION)] * 2


def opening_line(fleet: Path, text: str) -> int:
    """The line of the '{' opening the resource whose name contains ``text``."""
    lines = (fleet / "infra" / "fleet.json").read_text(encoding="utf-8").splitlines()
    number = next(i for i, line in enumerate(lines) if text in line)
    while lines[number].strip() != "{":
        number -= 1
    return number + 1


def test_a_large_excluded_group_shows_some_names_and_a_count_of_the_rest(tmp_path, env):
    many = json.loads(json.dumps(FLEET))
    many["resources"][0]["copy"]["count"] = 40
    (tmp_path / "many.json").write_text(json.dumps(many), encoding="utf-8")
    text = run(tmp_path, env, "plan", "many.json")
    excluded = text.split("Excluded", 1)[1].split("\nFindings", 1)[0]
    assert "and 28 more" in excluded  # 12 of the 40 names shown
    assert len(excluded.splitlines()) < 10


# --- labels and names are never cut ------------------------------------------------------------


def test_plan_timeline_shows_the_whole_first_vm_name(fleet, env):
    page = run(fleet, env, "plan", "infra", "--format", "html")
    svg = page.split("<svg", 1)[1].split("</svg>", 1)[0]
    texts = [unescape(t) for t in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    assert LONG_NAME in texts
    assert not any(text.endswith("…") for text in texts)


def test_inventory_html_is_grouped_by_file_and_never_breaks_words(fleet, env):
    page = run(fleet, env, "inventory", ".", "--format", "html")
    assert "word-break" not in page and "anywhere" not in page
    headings = re.findall(r'<tr class="file"><th colspan="\d+">([^<]*)</th></tr>', page)
    assert headings == ["infra/fleet.json", "templates/legacy.json"]
    names = re.findall(r'<td class="name">(.*?)</td>', page)
    # A name breaks only between pieces the page offers (<wbr>), and reads back whole.
    shown = [unescape(name.replace("<wbr>", "")) for name in names]
    assert LONG_NAME in shown and "vm1" in shown
    assert "web-<wbr>frontend-<wbr>" in page


# --- text fitted to the terminal ---------------------------------------------------------------


@pytest.mark.parametrize("columns", [200, 80, 60])
@pytest.mark.parametrize("command", ["plan", "inventory"])
def test_text_fits_the_terminal_width(fleet, env, command, columns):
    text = run(fleet, env, command, ".", columns=columns)
    too_wide = [line for line in text.splitlines() if len(line) > columns]
    assert too_wide == []
    for name in ("app-0", "app-4", "vm1"):
        assert name in text


def test_wide_terminal_shows_a_table_and_narrow_one_blocks(fleet, env):
    wide = run(fleet, env, "plan", "infra", columns=200)
    assert re.search(r"^Batch +Phase +Region +Zone", wide, re.MULTILINE)
    narrow = run(fleet, env, "plan", "infra", columns=60)
    assert "\nBatch 1\n  Phase             1\n" in narrow
    assert LONG_NAME.split("-name-")[0] in narrow


def test_inventory_names_the_columns_it_leaves_out_to_fit(fleet, env):
    wide = run(fleet, env, "inventory", "infra", columns=200)
    narrow = run(fleet, env, "inventory", "infra", columns=80)
    assert wide.splitlines()[0].split()[:4] == ["name", "line", "participates", "reason"]
    assert "Not shown, to fit 80 columns: " in narrow and "api_version" in narrow
    assert len(wide.splitlines()[0].split()) > len(narrow.splitlines()[0].split())
    assert "\ninfra/fleet.json\n" in narrow  # each file heads its group


def test_pipes_and_files_keep_one_line_per_vm(fleet, env):
    text = run(fleet, env, "inventory", "infra")
    lines = text.splitlines()
    assert len(lines) == 2 + 8 and max(map(len, lines)) > 200
    assert lines[0].split()[:2] == ["name", "path"]


# --- the screenshot script ------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("chromium") is None, reason="chromium is not installed")
def test_the_screenshot_script_writes_pngs(fleet, tmp_path):
    out = tmp_path / "img"
    command = [sys.executable, str(ROOT / "bench" / "screenshots.py"), "--out", str(out)]
    command += ["--corpus", str(fleet), "--work", str(tmp_path / "work")]
    command += ["--only", "plan-corpus-excluded", "inventory-text-80"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    for name in ("plan-corpus-excluded", "inventory-text-80"):
        png = (out / f"{name}.png").read_bytes()
        assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 2000
    assert "app-0" in (tmp_path / "work" / "inventory-text-80.txt").read_text(encoding="utf-8")
