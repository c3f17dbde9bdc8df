"""Plan settings from ``[tool.armlint.plan]`` and the command line, as ``PlanSettings`` fields.

Keys (the command line's flags in brackets): ``window = "22:00-06:00"`` (``--window``), the
local off-peak hours; ``batch-size = 10`` (``--batch-size``), VMs per best-effort batch outside
availability sets, armlint's assumption since the platform's size is not documented;
``update-domains = { "as-web" = 3 }`` (``--update-domains as-web=3``), update domain counts that
win over the templates; ``date = "2026-01-15"`` (``--date``), the day the UTC windows are shown
for. A command-line value wins over the file's; update-domains merge set by set.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from armlint.planner.regions import PlanError

_WINDOW = re.compile(r"^(\d{1,2})(?::00)?-(\d{1,2})(?::00)?$")


def plan_options(config_plan: dict[str, Any], command_line: dict[str, Any]) -> dict[str, Any]:
    """``PlanSettings`` keyword arguments; raises PlanError for a malformed value."""
    merged = {**config_plan, **{k: v for k, v in command_line.items() if v not in (None, {})}}
    domains = {**config_plan.get("update-domains", {}), **command_line.get("update-domains", {})}
    options: dict[str, Any] = {}
    if "window" in merged:
        options["off_peak_window"] = parse_window(str(merged["window"]))
    if "batch-size" in merged:
        options["best_effort_batch_size"] = int(merged["batch-size"])
    if domains:
        options["availability_set_update_domains"] = {str(k): int(v) for k, v in domains.items()}
    if "date" in merged:
        options["date"] = parse_date(str(merged["date"]))
    return options


def parse_window(text: str) -> tuple[int, int]:
    """'22:00-06:00' or '22-6': whole local hours, start and end."""
    match = _WINDOW.match(text.strip())
    if match is None:
        raise PlanError(f"plan window {text!r} must be START-END in whole hours, like 22:00-06:00")
    return int(match.group(1)), int(match.group(2))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PlanError(f"plan date {text!r} must be YYYY-MM-DD") from None


def parse_assignments(items: list[str], what: str) -> list[tuple[str, str]]:
    """NAME=VALUE pairs from the command line, in order; raises PlanError for a bad one."""
    pairs = []
    for item in items:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise PlanError(f"{what} {item!r} must be NAME=VALUE")
        pairs.append((name.strip(), value))
    return pairs
