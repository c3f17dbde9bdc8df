"""The availability-first patch planner: regions and pairs, placement, batches, off-peak windows,
the plan rules AZP501-AZP504 and the posture inventory.

Whether an image is supported comes in as a callable (``PlanSettings.image_supported``), so
planning never imports ``armlint.checks``; only ``plan_report`` and ``inventory_report`` read the
rule pack, for the names and severities of AZP501-AZP504.
"""

from armlint.planner.inventory import inventory
from armlint.planner.participation import Decision, decide, default_image_supported
from armlint.planner.plan import Batch, Exclusion, Phase, Plan, PlanSettings, build_plan
from armlint.planner.regions import PlanError, RegionTable, load_region_table
from armlint.planner.report import inventory_report, plan_report
from armlint.planner.rules import PLAN_RULES, plan_findings

__all__ = [
    "PLAN_RULES",
    "Batch",
    "Decision",
    "Exclusion",
    "Phase",
    "Plan",
    "PlanError",
    "PlanSettings",
    "RegionTable",
    "build_plan",
    "decide",
    "default_image_supported",
    "inventory",
    "inventory_report",
    "load_region_table",
    "plan_findings",
    "plan_report",
]
