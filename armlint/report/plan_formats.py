"""Plan and inventory output: text, JSON, CSV (inventory only), Markdown and HTML.

Both inputs are plain data: a plan is anything with ``to_dict()`` (``armlint.planner.Plan``) or
that dict itself, the inventory a list of row dicts, so this module needs nothing beyond the
standard library and jinja2 (HTML and Markdown only, imported when used).

Every value in a plan or an inventory comes from templates somebody else wrote, so every
format treats it as untrusted: HTML autoescapes (and the page forbids scripts through its
Content-Security-Policy), Markdown escapes HTML and Markdown punctuation, the Mermaid block
keeps letters, digits, spaces, dots and dashes only, text replaces control characters, and CSV
defuses cells that a spreadsheet would read as a formula.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, timedelta
from pathlib import Path
from typing import Any

TEMPLATES = Path(__file__).resolve().parent / "templates"

PLAN_FORMATS = ("text", "json", "markdown", "html")
INVENTORY_FORMATS = ("text", "json", "csv", "markdown", "html")

PLAN_TITLE = "armlint patch plan"
INVENTORY_TITLE = "armlint patch inventory"
ILLUSTRATIVE = (
    "Illustrative: one batching Azure's availability-first orchestration could choose, "
    "not a schedule. Batches run one after another inside a region; regions of one phase "
    "run side by side; one slot stands for one off-peak window of unknown length."
)

# Markdown: characters that start emphasis, code, links, headings, strikethrough or cells.
MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]#|~])")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Mermaid task names and section titles: anything else could end the name or start a keyword.
MERMAID_UNSAFE = re.compile(r"[^A-Za-z0-9 .\-]")
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Mermaid gantt needs dates; slot n is drawn as day n after this arbitrary start.
GANTT_START = date(2000, 1, 1)

# SVG timeline geometry (pixels).
LABEL_WIDTH = 260
SLOT_WIDTH = 90
ROW_HEIGHT = 24
BAR_HEIGHT = 18
PHASE_HEADER = 22
AXIS_HEIGHT = 22
BAR_CHARS = 12  # monospace characters that fit in a bar at the page's 11px


# --- entry points -----------------------------------------------------------------------------


def render_plan(plan: Any, fmt: str) -> str:
    """The plan in ``fmt`` (text, json, markdown, html); ``plan`` is a Plan or its dict."""
    data = plan.to_dict() if hasattr(plan, "to_dict") else plan
    renderers = {
        "text": _plan_text,
        "json": _json,
        "markdown": _plan_markdown,
        "html": _plan_html,
    }
    return _pick(renderers, fmt, "plan")(data)


def render_inventory(rows: list[dict], fmt: str) -> str:
    """The inventory in ``fmt`` (text, json, csv, markdown, html)."""
    renderers = {
        "text": _inventory_text,
        "json": lambda data: _json({"vms": data}),
        "csv": _inventory_csv,
        "markdown": _inventory_markdown,
        "html": _inventory_html,
    }
    return _pick(renderers, fmt, "inventory")(rows)


def _pick(renderers: dict, fmt: str, what: str):
    try:
        return renderers[fmt]
    except KeyError:
        known = ", ".join(renderers)
        raise ValueError(f"unknown {what} format {fmt!r}; choose one of: {known}") from None


def _json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


# --- shared views -----------------------------------------------------------------------------


def window_text(window: dict) -> str:
    """'22:00-06:00 Europe/Amsterdam (UTC 21:00-05:00 / 20:00-04:00)'; one part per zone."""
    return "; ".join(_entry_text(entry) for entry in window.get("by_time_zone", []))


def _entry_text(entry: dict) -> str:
    if entry.get("any_hour"):
        return "any hour (Flexible scale set)"
    zone = entry.get("time_zone") or "time zone unknown"
    utc = " / ".join(entry.get("utc") or []) or "unknown"
    fixed = ", fixed offset" if entry.get("fixed_offset") else ""
    return f"{entry.get('local')} {zone} (UTC {utc}{fixed})"


def batch_row(batch: dict) -> dict[str, str]:
    """A batch as display strings, in table column order."""
    return {
        "batch": str(batch["batch"]),
        "phase": str(batch["phase"]),
        "region": str(batch["region"]),
        "zone": _dash(batch["zone"]),
        "set": _dash(set_name(batch["availability_set"])),
        "ud": _dash(batch["update_domain"]),
        "uncertain": "yes" if batch["uncertain"] else "",
        "window": window_text(batch["window"]),
        "vms": ", ".join(batch["vms"]),
    }


def schedule_rows(data: dict) -> list[dict[str, str]]:
    """Every batch of every schedule group as display strings, in SCHEDULE_HEADERS order."""
    rows = []
    for group in data.get("schedules", []):
        window = schedule_window_text(group["window"])
        for batch in group["batches"]:
            rows.append(
                {
                    "batch": str(batch["batch"]),
                    "schedule": group["schedule"],
                    "step": str(batch["step"]),
                    "set": _dash(set_name(batch["availability_set"])),
                    "ud": _dash(batch["update_domain"]),
                    "window": window,
                    "recurrence": _dash(group["recurrence"]),
                    "vms": ", ".join(batch["vms"]),
                }
            )
    return rows


def schedule_window_text(window: dict) -> str:
    """'22:00-01:00 W. Europe Standard Time (UTC 20:00-23:00 on 2026-01-03)'."""
    zone = window.get("time_zone") or "time zone unknown"
    if window.get("local") is None:
        return f"start {window.get('start') or 'unknown'}, duration {window.get('duration') or 'unknown'} {zone}"
    utc = f"UTC {window['utc']} on {window['date']}" if window.get("utc") else "UTC unknown"
    return f"{window['local']} {zone} ({utc})"


SCHEDULE_HEADERS = {
    "batch": "Batch",
    "schedule": "Maintenance configuration",
    "step": "Step",
    "set": "Availability set",
    "ud": "UD",
    "window": "Window",
    "recurrence": "Recurrence",
    "vms": "VMs",
}


BATCH_HEADERS = {
    "batch": "Batch",
    "phase": "Phase",
    "region": "Region",
    "zone": "Zone",
    "set": "Availability set",
    "ud": "UD",
    "uncertain": "Uncertain",
    "window": "Off-peak window",
    "vms": "VMs",
}


def finding_rows(data: dict) -> list[dict[str, str]] | None:
    """The plan's findings as display strings; None when the plan carries no findings array
    (a bare ``Plan``), so formats can leave the section out rather than claim there are none."""
    if "findings" not in data:
        return None
    return [
        {
            "rule": finding["rule"],
            "name": finding["name"],
            "severity": finding["severity"],
            "location": f"{finding['path']}:{finding['line']}:{finding['column']}",
            "message": finding["message"],
        }
        for finding in data["findings"]
    ]


def plan_summary(data: dict) -> str:
    """One line with the plan's size, so a reader knows the scale before the tables."""
    batches = data["batches"]
    units = sum(len(batch["vms"]) for batch in batches)
    parts = [
        _count(len(batches), "batch", "batches") + f" in {_count(len(data['phases']), 'phase')}",
        _count(units, "VM or scale-set zone", "VMs or scale-set zones") + " batched",
        f"{len(data['excluded'])} excluded",
    ]
    groups = data.get("schedules", [])
    if groups:
        scheduled = sum(len(b["vms"]) for group in groups for b in group["batches"])
        parts.insert(
            2,
            _count(scheduled, "VM", "VMs") + f" on {_count(len(groups), 'maintenance schedule')}",
        )
    uncertain = sum(1 for batch in batches if batch["uncertain"])
    if uncertain:
        parts.append(_count(uncertain, "uncertain batch", "uncertain batches"))
    if "findings" in data:
        parts.append(_findings_count(data["findings"]))
    return "; ".join(parts)


def _findings_count(findings: list[dict]) -> str:
    text = _count(len(findings), "finding")
    plurals = {"error": "errors", "warning": "warnings", "info": "info"}
    by_severity = [
        _count(sum(1 for f in findings if f["severity"] == severity), severity, plural)
        for severity, plural in plurals.items()
        if any(f["severity"] == severity for f in findings)
    ]
    return f"{text} ({', '.join(by_severity)})" if by_severity else text


def _count(number: int, singular: str, plural: str = "") -> str:
    if number == 1:
        return f"1 {singular}"
    return f"{number} {plural or singular + 's'}"


def set_name(value: str | None) -> str | None:
    """An availability set as tables show it: the last segment of a resource id, so that
    '/subscriptions/{subscriptionId}/.../availabilitySets/as-sql' takes a column of 'as-sql'
    (the JSON keeps the id as written)."""
    if value is None:
        return None
    return value.rstrip("/").rsplit("/", 1)[-1] or value


def _dash(value: Any) -> str:
    return "-" if value is None else str(value)


def inventory_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return " ".join(str(item) for item in value)
    return str(value)


# The documented inventory columns, for a header when there are no rows.
INVENTORY_COLUMNS = (
    "name",
    "path",
    "line",
    "kind",
    "os",
    "patch_mode",
    "assessment_mode",
    "enable_automatic_updates",
    "provision_vm_agent",
    "hotpatching",
    "image",
    "api_version",
    "location",
    "zones",
    "availability_set",
    "participates",
    "reason",
    "unknown",
    "findings",
)


def inventory_columns(rows: list[dict]) -> list[str]:
    return list(rows[0]) if rows else list(INVENTORY_COLUMNS)


def timeline(data: dict) -> dict:
    """Slots and bars for the SVG timeline and the Mermaid gantt.

    Slot model (illustrative): a region's batches follow one another, the regions of one phase
    start together, and a phase starts when the slowest region of the previous one is done.
    """
    slots = batch_slots(data)
    bars, bands, y = [], [], AXIS_HEIGHT
    for phase in data["phases"]:
        in_phase = [b for b in data["batches"] if b["phase"] == phase["phase"]]
        if not in_phase:
            continue
        bands.append({"phase": phase["phase"], "y": y, "height": PHASE_HEADER})
        y += PHASE_HEADER
        for batch in in_phase:
            bars.append(_bar(batch, slots[batch["batch"]], y))
            y += ROW_HEIGHT
        bands[-1]["height"] = y - bands[-1]["y"]
    total_slots = max(slots.values(), default=-1) + 1
    return {
        "bars": bars,
        "bands": bands,
        "ticks": [_tick(slot) for slot in range(total_slots)],
        "width": LABEL_WIDTH + max(total_slots, 1) * SLOT_WIDTH + 10,
        "height": y + 4,
        "label_width": LABEL_WIDTH,
    }


def batch_slots(data: dict) -> dict[int, int]:
    """Batch number -> slot (0-based) under the timeline's slot model."""
    slots: dict[int, int] = {}
    start = 0
    for phase in sorted({batch["phase"] for batch in data["batches"]}):
        position: dict[str, int] = {}
        for batch in data["batches"]:
            if batch["phase"] != phase:
                continue
            offset = position.get(batch["region"], 0)
            slots[batch["batch"]] = start + offset
            position[batch["region"]] = offset + 1
        start += max(position.values(), default=0)
    return slots


def _bar(batch: dict, slot: int, y: int) -> dict:
    where = " ".join(
        part
        for part in (
            batch["region"],
            f"zone {batch['zone']}" if batch["zone"] is not None else "",
            f"set {set_name(batch['availability_set'])}" if batch["availability_set"] else "",
            f"UD {batch['update_domain']}" if batch["update_domain"] is not None else "",
        )
        if part
    )
    vms = ", ".join(batch["vms"])
    return {
        "x": LABEL_WIDTH + slot * SLOT_WIDTH + 2,
        "y": y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
        "width": SLOT_WIDTH - 4,
        "height": BAR_HEIGHT,
        "label_y": y + ROW_HEIGHT // 2 + 4,
        "label": f"Batch {batch['batch']} {where}",
        "title": f"Batch {batch['batch']}: {vms}; {window_text(batch['window'])}",
        "text": bar_text(batch["vms"]),
        "text_x": LABEL_WIDTH + slot * SLOT_WIDTH + 6,
        "count": len(batch["vms"]),
        "uncertain": batch["uncertain"],
    }


def bar_text(vms: list[str]) -> str:
    """What fits inside a bar: the first VM, shortened, and how many more ('sql-01 +1')."""
    more = f" +{len(vms) - 1}" if len(vms) > 1 else ""
    room = BAR_CHARS - len(more)
    first = vms[0] if len(vms[0]) <= room else vms[0][: room - 1] + "…"
    return first + more


def _tick(slot: int) -> dict:
    return {"x": LABEL_WIDTH + slot * SLOT_WIDTH + SLOT_WIDTH // 2, "label": f"slot {slot + 1}"}


def gantt_tasks(data: dict) -> list[dict]:
    """Mermaid gantt sections (one per phase) of tasks (one per batch), names made safe."""
    slots = batch_slots(data)
    sections = []
    for phase in data["phases"]:
        tasks = [
            {
                "name": mermaid_text(f"Batch {b['batch']} {b['region']} {_dash(b['zone'])}"),
                "id": f"b{b['batch']}",
                "start": (GANTT_START + timedelta(days=slots[b["batch"]])).isoformat(),
                "tags": "crit, " if b["uncertain"] else "",
            }
            for b in data["batches"]
            if b["phase"] == phase["phase"]
        ]
        if tasks:
            sections.append({"title": f"Phase {phase['phase']}", "tasks": tasks})
    return sections


def mermaid_text(value: str) -> str:
    return MERMAID_UNSAFE.sub("-", value)


# --- text -------------------------------------------------------------------------------------


def one_line(value: Any) -> str:
    """No control characters (terminal escapes, line breaks) from untrusted values."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))


def text_table(headers: list[str], rows: list[list[str]]) -> str:
    cells = [[one_line(cell) for cell in row] for row in [headers, *rows]]
    widths = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(line.rstrip() for line in lines)


def _plan_text(data: dict) -> str:
    phases = text_table(
        ["Phase", "Regions"], [[str(p["phase"]), ", ".join(p["regions"])] for p in data["phases"]]
    )
    rows = [batch_row(batch) for batch in data["batches"]]
    batches = text_table(list(BATCH_HEADERS.values()), [list(row.values()) for row in rows])
    scheduled = schedule_rows(data)
    schedules = text_table(
        list(SCHEDULE_HEADERS.values()), [list(row.values()) for row in scheduled]
    )
    excluded = text_table(["VM", "Reason"], [[e["vm"], e["reason"]] for e in data["excluded"]])
    assumptions = "\n".join(f"- {one_line(item)}" for item in data["assumptions"])
    parts = [
        PLAN_TITLE,
        ILLUSTRATIVE,
        one_line(plan_summary(data)),
        "Phases\n" + phases,
        "Batches\n" + batches,
        *(["Maintenance schedules\n" + schedules] if scheduled else []),
        "Excluded\n" + excluded,
        *_findings_text(finding_rows(data)),
        "Assumptions\n" + assumptions,
    ]
    return "\n\n".join(parts) + "\n"


def _findings_text(rows: list[dict[str, str]] | None) -> list[str]:
    """One `path:line:col: ID [severity] message` line each, as `armlint check` prints them."""
    if rows is None:
        return []
    lines = [
        one_line(f"{row['location']}: {row['rule']} [{row['severity']}] {row['message']}")
        for row in rows
    ]
    return ["Findings\n" + ("\n".join(lines) if lines else "none")]


def _inventory_text(rows: list[dict]) -> str:
    if not rows:
        return "no VMs\n"
    columns = inventory_columns(rows)
    table = text_table(columns, [[inventory_cell(row[c]) for c in columns] for row in rows])
    return table + "\n"


# --- CSV --------------------------------------------------------------------------------------


def _inventory_csv(rows: list[dict]) -> str:
    columns = inventory_columns(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_safe(inventory_cell(row[column])) for column in columns])
    return buffer.getvalue()


def csv_safe(text: str) -> str:
    """A leading apostrophe keeps a spreadsheet from evaluating the cell (OWASP CSV injection)."""
    return "'" + text if text.startswith(FORMULA_START) else text


# --- Markdown and HTML (jinja2) ---------------------------------------------------------------


def markdown_cell(value: Any) -> str:
    """A value made safe for a Markdown table cell or line: no HTML, links, emphasis or pipes."""
    escaped = html.escape(str(value), quote=False)
    escaped = MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    return LINE_BREAK.sub("<br>", escaped)


def _environment(markdown: bool):
    import jinja2  # only the HTML and Markdown formats need it

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        # Markdown escapes every printed value by default (finalize); HTML autoescapes.
        autoescape=not markdown,
        finalize=markdown_cell if markdown else None,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _render(template: str, context: dict, markdown: bool) -> str:
    return _environment(markdown).get_template(template).render(context)


def _plan_context(data: dict) -> dict:
    return {
        "title": PLAN_TITLE,
        "illustrative": ILLUSTRATIVE,
        "summary": plan_summary(data),
        "phases": data["phases"],
        "headers": BATCH_HEADERS,
        "batches": [batch_row(batch) for batch in data["batches"]],
        "uncertain": [batch["uncertain"] for batch in data["batches"]],
        "schedule_headers": SCHEDULE_HEADERS,
        "schedules": schedule_rows(data),
        "excluded": data["excluded"],
        "findings": finding_rows(data),
        "assumptions": data["assumptions"],
    }


def _plan_markdown(data: dict) -> str:
    context = _plan_context(data) | {"gantt": gantt_tasks(data)}
    return _render("plan.md.j2", context, markdown=True)


def _plan_html(data: dict) -> str:
    context = _plan_context(data) | {"timeline": timeline(data)}
    return _render("plan.html.j2", context, markdown=False)


def _inventory_context(rows: list[dict]) -> dict:
    columns = inventory_columns(rows)
    return {
        "title": INVENTORY_TITLE,
        "columns": columns,
        "rows": [[inventory_cell(row[column]) for column in columns] for row in rows],
    }


def _inventory_markdown(rows: list[dict]) -> str:
    return _render("inventory.md.j2", _inventory_context(rows), markdown=True)


def _inventory_html(rows: list[dict]) -> str:
    return _render("inventory.html.j2", _inventory_context(rows), markdown=False)
