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
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from armlint.report.text_fit import PIECES, Cell, fit_table, grouped_table, one_line, wrap

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
LABEL_WIDTH = 260  # at least; a longer batch label widens the column
SLOT_WIDTH = 90
ROW_HEIGHT = 24
BAR_HEIGHT = 18
PHASE_HEADER = 22
AXIS_HEIGHT = 22
CHAR_WIDTH = 7  # a monospace character at the page's 11px is 6.6 px wide; rounded up
# Excluded VMs: names shown per reason before 'and N more' (text, Markdown; HTML folds the rest).
SHOWN_NAMES = 12
MIN_PROSE_WIDTH = 20  # wrapped text keeps this many columns however narrow the terminal


# --- entry points -----------------------------------------------------------------------------


def render_plan(plan: Any, fmt: str, width: int | None = None) -> str:
    """The plan in ``fmt`` (text, json, markdown, html); ``plan`` is a Plan or its dict;
    ``width`` is the terminal width text tables fit (None: natural width)."""
    data = plan.to_dict() if hasattr(plan, "to_dict") else plan
    renderers = {
        "text": lambda data: _plan_text(data, width),
        "json": _json,
        "markdown": _plan_markdown,
        "html": _plan_html,
    }
    return _pick(renderers, fmt, "plan")(data)


def render_inventory(rows: list[dict], fmt: str, width: int | None = None) -> str:
    """The inventory in ``fmt`` (text, json, csv, markdown, html); ``width`` as for plans."""
    renderers = {
        "text": lambda rows: _inventory_text(rows, width),
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


def excluded_groups(data: dict) -> list[dict]:
    """The excluded VMs summarised by reason, most VMs first: ``count``, ``reason``, ``names``
    (each evaluated name once, with how many VMs carry it) and ``unknown`` (the ``path:line``
    of each VM whose name the template leaves unknown, so no raw expression is shown).

    An exclusion without a ``name`` key (a plan dict from before it had one) counts as named
    by its ``vm``."""
    by_reason: dict[str, list[dict]] = {}
    for item in data["excluded"]:
        by_reason.setdefault(item["reason"], []).append(item)
    groups = [_excluded_group(reason, items) for reason, items in by_reason.items()]
    return sorted(groups, key=lambda group: (-group["count"], group["reason"]))


def _excluded_group(reason: str, items: list[dict]) -> dict:
    counts: dict[str, int] = {}
    unknown = []
    for item in items:
        name = item.get("name", item["vm"])
        if name is None:
            unknown.append(f"{item.get('path', '')}:{item.get('line', 0)}")
        else:
            counts[name] = counts.get(name, 0) + 1
    names = [
        {"name": name, "count": counts[name], "text": _times(name, counts[name])}
        for name in sorted(counts, key=lambda name: (name.casefold(), name))
    ]
    group = {"reason": reason, "count": len(items), "names": names, "unknown": sorted(unknown)}
    group["lines"] = excluded_lines(group)
    return group


def _times(name: str, count: int) -> str:
    return name if count == 1 else f"{name} ({count})"


def excluded_heading(data: dict) -> str:
    """'598 VMs for 21 reasons (every VM with its file and line: --format json)'."""
    reasons = len({item["reason"] for item in data["excluded"]})
    return (
        f"{_count(len(data['excluded']), 'VM')} for {_count(reasons, 'reason')}"
        " (every VM with its file and line: --format json)"
    )


def excluded_lines(group: dict, shown: int = SHOWN_NAMES) -> list[str]:
    """A group's names ('web (3), db, … and 40 more') and unknown names as sentences."""
    texts = [entry["text"] for entry in group["names"]]
    lines = []
    if texts:
        more = len(texts) - shown
        lines.append(", ".join(texts[:shown]) + (f" and {more} more" if more > 0 else ""))
    unknown = group["unknown"]
    if unknown:
        files = {where.rsplit(":", 1)[0] for where in unknown}
        example = f"in {_count(len(files), 'file')}, e.g. {unknown[0]}"
        lines.append(f"name unknown for {_count(len(unknown), 'VM')} ({example})")
    return lines


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
    Labels are never cut: the label column is as wide as the longest batch label, and each bar
    holds its VM count with its first VM written out in full to its right (one bar per row).
    """
    slots = batch_slots(data)
    labels = {batch["batch"]: batch_label(batch) for batch in data["batches"]}
    label_width = max([LABEL_WIDTH, *(len(text) * CHAR_WIDTH + 16 for text in labels.values())])
    bars, bands, y = [], [], AXIS_HEIGHT
    for phase in data["phases"]:
        in_phase = [b for b in data["batches"] if b["phase"] == phase["phase"]]
        if not in_phase:
            continue
        bands.append({"phase": phase["phase"], "y": y, "height": PHASE_HEADER})
        y += PHASE_HEADER
        for batch in in_phase:
            left = label_width + slots[batch["batch"]] * SLOT_WIDTH
            bars.append(_bar(batch, labels[batch["batch"]], left, y))
            y += ROW_HEIGHT
        bands[-1]["height"] = y - bands[-1]["y"]
    total_slots = max(slots.values(), default=-1) + 1
    right = [bar["after_x"] + len(bar["after"]) * CHAR_WIDTH for bar in bars]
    return {
        "bars": bars,
        "bands": bands,
        "ticks": [_tick(slot, label_width) for slot in range(total_slots)],
        "width": max([label_width + max(total_slots, 1) * SLOT_WIDTH, *right]) + 10,
        "height": y + 4,
        "label_width": label_width,
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


def batch_label(batch: dict) -> str:
    """'Batch 3 westeurope zone 2 set as-sql UD 1': what the timeline's label column says."""
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
    return f"Batch {batch['batch']} {where}"


def _bar(batch: dict, label: str, left: int, y: int) -> dict:
    vms = batch["vms"]
    width = SLOT_WIDTH - 4
    return {
        "x": left + 2,
        "y": y + (ROW_HEIGHT - BAR_HEIGHT) // 2,
        "width": width,
        "height": BAR_HEIGHT,
        "label_y": y + ROW_HEIGHT // 2 + 4,
        "label": label,
        "title": f"Batch {batch['batch']}: {', '.join(vms)}; {window_text(batch['window'])}",
        "text": _count(len(vms), "VM"),
        "text_x": left + 6,
        "after": bar_after(vms),
        "after_x": left + 2 + width + 6,
        "count": len(vms),
        "uncertain": batch["uncertain"],
    }


def bar_after(vms: list[str]) -> str:
    """What follows a bar: its first VM in full and how many more ('sql-01 and 2 more')."""
    more = f" and {len(vms) - 1} more" if len(vms) > 1 else ""
    return vms[0] + more


def _tick(slot: int, label_width: int) -> dict:
    return {"x": label_width + slot * SLOT_WIDTH + SLOT_WIDTH // 2, "label": f"slot {slot + 1}"}


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


def text_table(headers: list[str], rows: Sequence[Sequence[Cell]], width: int | None = None) -> str:
    return fit_table(headers, rows, width)


def _schedule_batches(data: dict) -> list[dict]:
    """The schedule batches in ``schedule_rows`` order."""
    return [batch for group in data.get("schedules", []) for batch in group["batches"]]


def _prose(text: str, width: int | None, indent: str = "", first: str = "") -> str:
    """A paragraph wrapped to ``width`` (one line when None); continuation lines start with
    ``indent``, the first with ``first``."""
    if width is None:
        return first + one_line(text)
    lines = wrap(one_line(text), max(width - len(indent), MIN_PROSE_WIDTH))
    return "\n".join((first if number == 0 else indent) + line for number, line in enumerate(lines))


def _plan_text(data: dict, width: int | None = None) -> str:
    phases = text_table(
        ["Phase", "Regions"],
        [[str(p["phase"]), ", ".join(p["regions"])] for p in data["phases"]],
        width,
    )
    # VM lists stay lists: one VM per line when a row is printed as a block.
    rows = [[*list(batch_row(b).values())[:-1], b["vms"]] for b in data["batches"]]
    batches = text_table(list(BATCH_HEADERS.values()), rows, width)
    scheduled = [
        [*list(row.values())[:-1], batch["vms"]]
        for row, batch in zip(schedule_rows(data), _schedule_batches(data), strict=True)
    ]
    schedules = text_table(list(SCHEDULE_HEADERS.values()), scheduled, width)
    assumptions = "\n".join(_prose(item, width, "  ", "- ") for item in data["assumptions"])
    parts = [
        PLAN_TITLE,
        _prose(ILLUSTRATIVE, width),
        _prose(plan_summary(data), width),
        "Phases\n" + phases,
        "Batches\n" + batches,
        *(["Maintenance schedules\n" + schedules] if scheduled else []),
        _excluded_text(data, width),
        *_findings_text(finding_rows(data), width),
        "Assumptions\n" + assumptions,
    ]
    return "\n\n".join(parts) + "\n"


def _excluded_text(data: dict, width: int | None) -> str:
    """Excluded VMs by reason: the count, the reason, then the names, each wrapped."""
    groups = excluded_groups(data)
    if not groups:
        return "Excluded\nnone"
    heading = "Excluded: " + excluded_heading(data)
    digits = len(str(groups[0]["count"]))
    indent = " " * (digits + 2)
    blocks = [_prose(heading, width)]
    for group in groups:
        lines = [_prose(group["reason"], width, indent, str(group["count"]).rjust(digits) + "  ")]
        lines += [_prose(line, width, indent + "  ", indent) for line in excluded_lines(group)]
        blocks.append("\n".join(lines))
    return "\n".join(blocks)


def _findings_text(rows: list[dict[str, str]] | None, width: int | None = None) -> list[str]:
    """One `path:line:col: ID [severity] message` line each, as `armlint check` prints them
    (wrapped, continuation lines indented, when the width is known)."""
    if rows is None:
        return []
    lines = [
        _prose(
            f"{row['location']}: {row['rule']} [{row['severity']}] {row['message']}", width, "  "
        )
        for row in rows
    ]
    return ["Findings\n" + ("\n".join(lines) if lines else "none")]


def _inventory_text(rows: list[dict], width: int | None = None) -> str:
    """Without a width (a file or a pipe): one line per VM, every column. With one: the VMs
    grouped under their file, the columns that matter most for patching first, and those that
    do not fit left out, with a line naming them."""
    if not rows:
        return "no VMs\n"
    if width is None:
        columns = inventory_columns(rows)
        cells = [[inventory_cell(row[c]) for c in columns] for row in rows]
        return text_table(columns, cells, width) + "\n"
    columns = [c for c in INVENTORY_VIEW_ORDER if c in rows[0]]
    groups = [
        (path, [[_inventory_view_cell(row, c) for c in columns] for row in members])
        for path, members in rows_by_file(rows)
    ]
    table, hidden = grouped_table(columns, groups, width, keep=4)
    if hidden:
        note = f"Not shown, to fit {width} columns: {', '.join(hidden)} (--format csv has them all)"
        table += "\n\n" + _prose(note, width)
    return table + "\n"


# The inventory's columns in text (fitted to a terminal) and HTML, most telling first: the rightmost
# are the first left out, never the first four ('path' is the heading of each file's group).
INVENTORY_VIEW_ORDER = (
    "name",
    "line",
    "participates",
    "reason",
    "patch_mode",
    "enable_automatic_updates",
    "provision_vm_agent",
    "os",
    "kind",
    "findings",
    "location",
    "zones",
    "availability_set",
    "assessment_mode",
    "hotpatching",
    "image",
    "api_version",
    "unknown",
)


def rows_by_file(rows: list[dict]) -> list[tuple[str, list[dict]]]:
    """The rows grouped by ``path``, files in first-seen order (the inventory's order)."""
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["path"], []).append(row)
    return list(groups.items())


def _inventory_view_cell(row: dict, column: str) -> str:
    """A cell under its file's heading: the name loses the ' (path)' the planner adds to tell
    same-named VMs of different files apart, which the heading already says."""
    text = inventory_cell(row[column])
    if column == "name":
        return text.removesuffix(f" ({row['path']})")
    return text


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
    environment = _environment(markdown)
    # HTML: a value as the pieces a line may break between ('{% for p in v | pieces %}').
    environment.filters["pieces"] = _pieces
    return environment.get_template(template).render(context)


def _plan_context(data: dict) -> dict:
    return {
        "title": PLAN_TITLE,
        "illustrative": ILLUSTRATIVE,
        "summary": plan_summary(data),
        "phases": data["phases"],
        "headers": BATCH_HEADERS,
        "batches": [batch_row(batch) for batch in data["batches"]],
        "uncertain": [batch["uncertain"] for batch in data["batches"]],
        "batch_vms": [batch["vms"] for batch in data["batches"]],
        "schedule_vms": [batch["vms"] for batch in _schedule_batches(data)],
        "schedule_headers": SCHEDULE_HEADERS,
        "schedules": schedule_rows(data),
        "excluded": excluded_groups(data),
        "excluded_heading": excluded_heading(data),
        "shown_names": SHOWN_NAMES,
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


def _inventory_html_context(rows: list[dict]) -> dict:
    """The HTML inventory: one table, a heading row per file, every other column; each cell
    a list of pieces the page may break between (after '/', '.', '_', ...), never inside."""
    present = inventory_columns(rows)
    columns = [column for column in INVENTORY_VIEW_ORDER if column in present]
    files = [
        {
            "path": path,
            "rows": [
                {
                    "participates": inventory_cell(row["participates"]),
                    "cells": [_html_cell(row, c) for c in columns],
                }
                for row in members
            ],
        }
        for path, members in rows_by_file(rows)
    ]
    return {
        "title": INVENTORY_TITLE,
        "summary": _inventory_summary(rows, len(files)),
        "columns": [{"key": column, "label": _pieces(column)} for column in columns],
        "files": files,
    }


def _pieces(text: str) -> list[str]:
    return PIECES.findall(text) or [""]


# HTML inventory columns whose values may wrap between pieces ('findings' and 'unknown' wrap at
# their spaces only, between whole items; the others stay on one line).
WRAPPING_COLUMNS = ("name", "reason", "image", "availability_set")


def _html_cell(row: dict, column: str) -> list[str]:
    text = _inventory_view_cell(row, column)
    return _pieces(text) if column in WRAPPING_COLUMNS else [text]


def _inventory_summary(rows: list[dict], files: int) -> str:
    """'634 VMs in 412 files: 30 take part in platform patching, 598 do not, 6 unknown'."""
    taking = sum(1 for row in rows if row["participates"] is True)
    unknown = sum(1 for row in rows if row["participates"] == "unknown")
    text = (
        f"{_count(len(rows), 'VM')} in {_count(files, 'file')}: {taking} take part in "
        f"platform patching, {len(rows) - taking - unknown} do not"
    )
    return text + (f", {unknown} unknown" if unknown else "")


def _inventory_markdown(rows: list[dict]) -> str:
    return _render("inventory.md.j2", _inventory_context(rows), markdown=True)


def _inventory_html(rows: list[dict]) -> str:
    return _render("inventory.html.j2", _inventory_html_context(rows), markdown=False)
