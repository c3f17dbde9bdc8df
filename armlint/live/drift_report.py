"""The drift report in text, JSON, SARIF and Markdown.

Text and Markdown read per VM: the pairing, then each differing setting with its live and
template values and what the next deployment does with it; then the VMs only on one side.
JSON holds the same, plus the findings as ``armlint check --format json`` writes them. SARIF is
the findings alone (AZP401-AZP404, AZP601-AZP604), through the check's SARIF writer.
"""

from __future__ import annotations

import json
from typing import Any

from armlint.live.drift import Difference, Drift, Pair
from armlint.model import SOURCE_DEFAULT, VmRecord

DRIFT_FORMATS = ("text", "json", "sarif", "markdown")


def render(drift: Drift, fmt: str, report_options) -> str:
    if fmt == "json":
        return json.dumps(_document(drift, report_options), indent=2) + "\n"
    if fmt == "markdown":
        return _markdown(drift)
    if fmt == "sarif":
        from armlint.report import render as render_findings

        return render_findings("sarif", drift.result, report_options)
    return _text(drift)


# -- shared wording ----------------------------------------------------------------------------


def _value(difference: Difference, side: str) -> str:
    from armlint.checks.engine import render_value

    fact = difference.live if side == "live" else difference.template
    value = difference.live_value if side == "live" else difference.template_value
    if value is None:
        return "not set"
    text = render_value(value)
    return text + " (default)" if fact.source == SOURCE_DEFAULT else text


def _what(difference: Difference) -> str:
    rule = f" ({difference.rule})" if difference.rule else ""
    return {
        "changes": "the next deployment changes it",
        "cannot change": "cannot change: fixed at creation",
        "refused": "refused: Azure does not allow this switch",
        "unknown": "unknown until deployment",
        "not in the template": "not in the template; left as it is or reset, undocumented",
    }[difference.status] + rule


def _label(name: str) -> str:
    from armlint.checks.transition_rules import label_of

    return label_of(name)


def _headline(drift: Drift) -> str:
    counts = drift.counts()
    return (
        f"{counts['template_vms']} template VMs, {counts['live_vms']} live VMs:"
        f" {counts['paired']} paired ({counts['drifted']} with drift),"
        f" {counts['undeployed']} not deployed, {counts['undeclared']} not declared,"
        f" {counts['ambiguous']} ambiguous"
    )


def _findings_line(drift: Drift) -> str:
    summary = drift.result.summary()
    severity = summary["by_severity"]
    return (
        f"{summary['findings']} findings: {severity['error']} errors,"
        f" {severity['warning']} warnings, {severity['info']} info"
    )


# -- text -------------------------------------------------------------------------------------


def _text(drift: Drift) -> str:
    lines = [_headline(drift), ""]
    for pair in drift.pairs:
        lines.extend(_text_pair(pair))
    if drift.undeployed:
        lines.append("Declared in the templates, not in the exports (AZP603)")
        for record, why in drift.undeployed:
            lines.append(f"  {record.name:<12} {record.location.short()}  {why}")
        lines.append("")
    if drift.undeclared:
        lines.append("Live, declared by no template (AZP602)")
        for record in drift.undeclared:
            lines.append(f"  {record.name:<12} {record.location.short()}  {_group(record)}")
        lines.append("")
    if drift.ambiguous:
        lines.append("Ambiguous: several live VMs fit (AZP604), not compared")
        for entry in drift.ambiguous:
            names = ", ".join(f"{_group(c)}/{c.name}" for c in entry.candidates)
            lines.append(f"  {entry.template.name:<12} {entry.template.location.short()}  {names}")
        lines.append("")
    lines.extend(f"note: {note}" for note in drift.result.notes)
    lines.append(_findings_line(drift))
    return "\n".join(lines) + "\n"


def _text_pair(pair: Pair) -> list[str]:
    head = (
        f"{pair.template.name}  {pair.template.location.short()}  <->  live"
        f" {pair.live.location.short()} ({_group(pair.live)}, by {pair.matched_by})"
    )
    if not pair.differences:
        return [head, "  no drift in patch settings", ""]
    rows = [
        (_label(d.fact), _value(d, "live"), _value(d, "template"), _what(d))
        for d in pair.differences
    ]
    widths = [
        max(len(row[i]) for row in [("setting", "live", "template", ""), *rows]) for i in range(3)
    ]
    header = "  ".join(
        h.ljust(w) for h, w in zip(("setting", "live", "template"), widths, strict=True)
    )
    lines = [head, f"  {header}".rstrip()]
    for row in rows:
        cells = "  ".join(cell.ljust(width) for cell, width in zip(row[:3], widths, strict=True))
        lines.append(f"  {cells}  {row[3]}".rstrip())
    return [*lines, ""]


def _group(record: VmRecord) -> str:
    return str(record.resource_group or "?")


# -- markdown ---------------------------------------------------------------------------------


def _markdown(drift: Drift) -> str:
    lines = ["# armlint drift", "", _headline(drift) + ".", ""]
    for pair in drift.pairs:
        lines.append(f"## {_md(pair.template.name)}")
        lines.append("")
        lines.append(
            f"Template `{pair.template.location.short()}`, live `{pair.live.location.short()}`"
            f" (resource group {_md(_group(pair.live))}, paired by {pair.matched_by})."
        )
        lines.append("")
        if not pair.differences:
            lines.extend(["No drift in patch settings.", ""])
            continue
        lines.extend(["| setting | live | template | next deployment |", "|---|---|---|---|"])
        for d in pair.differences:
            cells = (_label(d.fact), _value(d, "live"), _value(d, "template"), _what(d))
            lines.append("| " + " | ".join(_md(cell) for cell in cells) + " |")
        lines.append("")
    for title, rows in (
        (
            "Declared, not deployed (AZP603)",
            [(r.name, r.location.short(), why) for r, why in drift.undeployed],
        ),
        (
            "Deployed, not declared (AZP602)",
            [(r.name, r.location.short(), _group(r)) for r in drift.undeclared],
        ),
        (
            "Ambiguous pairings (AZP604)",
            [
                (
                    e.template.name,
                    e.template.location.short(),
                    ", ".join(c.identity for c in e.candidates),
                )
                for e in drift.ambiguous
            ],
        ),
    ):
        if rows:
            lines.extend([f"## {title}", "", "| VM | where | detail |", "|---|---|---|"])
            lines.extend("| " + " | ".join(_md(cell) for cell in row) + " |" for row in rows)
            lines.append("")
    lines.extend(f"> note: {_md(note)}" for note in drift.result.notes)
    lines.extend(["", _findings_line(drift)])
    return "\n".join(lines) + "\n"


def _md(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


# -- json -------------------------------------------------------------------------------------


def _document(drift: Drift, report_options) -> dict[str, Any]:
    from armlint.report.json_report import finding_object

    root = getattr(report_options, "root", "")
    return {
        "version": getattr(report_options, "tool_version", ""),
        "summary": drift.counts(),
        "pairs": [_pair_object(pair) for pair in drift.pairs],
        "undeployed": [{**_record_object(r), "reason": why} for r, why in drift.undeployed],
        "undeclared": [_record_object(r) for r in drift.undeclared],
        "ambiguous": [
            {
                "template": _record_object(e.template),
                "candidates": [_record_object(c) for c in e.candidates],
            }
            for e in drift.ambiguous
        ],
        "findings": [finding_object(f, root) for f in drift.result.findings],
        "findings_summary": drift.result.summary(),
        "notes": list(drift.result.notes),
    }


def _pair_object(pair: Pair) -> dict[str, Any]:
    return {
        "template": _record_object(pair.template),
        "live": _record_object(pair.live),
        "matched_by": pair.matched_by,
        "differences": [
            {
                "setting": d.fact,
                "live": _plain(d.live_value),
                "template": _plain(d.template_value),
                "template_source": d.template.source,
                "status": d.status,
                "rule": d.rule or None,
                "live_line": d.live.location.line if d.live.location else None,
                "template_line": d.template.location.line if d.template.location else None,
            }
            for d in pair.differences
        ],
    }


def _record_object(record: VmRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "kind": record.kind,
        "identity": record.identity,
        "resource_group": record.resource_group or None,
        "path": record.location.path,
        "line": record.location.line,
        "column": record.location.column,
    }


def _plain(value: Any) -> Any:
    from armlint.model import Unknown

    if isinstance(value, Unknown):
        return {"unknown": value.reason}
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return str(value)


__all__ = ["DRIFT_FORMATS", "render"]
