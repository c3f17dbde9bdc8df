"""A mixed fleet against a reviewed plan (tests/fixtures/planner/mixed_fleet.plan.json).

When the model changes on purpose, regenerate the file with
``ARMLINT_REGENERATE=1 pytest tests/planner/test_planner_golden.py`` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from planner_fleet import vm

from armlint.model import Unknown, VmRecord
from armlint.planner import PlanSettings, build_plan

GOLDEN = Path(__file__).resolve().parents[1] / "fixtures" / "planner" / "mixed_fleet.plan.json"
SUPPORTED_SKUS = {"22_04-lts-gen2", "2022-datacenter-azure-edition"}


def image_table(record: VmRecord) -> bool | Unknown:
    if record.value("image_id") is not None:
        return False  # custom images are not supported (S1)
    sku = record.value("image_sku")
    if isinstance(sku, Unknown):
        return Unknown("image sku is unknown")
    return sku in SUPPORTED_SKUS


def mixed_fleet() -> list[VmRecord]:
    windows = {"os": "Windows", "image_publisher": "MicrosoftWindowsServer"}
    windows |= {"image_offer": "WindowsServer", "image_sku": "2022-datacenter-azure-edition"}
    return [
        *(
            vm("we-app", 10, group="we-app", index=i, location="westeurope", zones=[str(i % 3 + 1)])
            for i in range(4)
        ),
        *(
            vm(
                f"ne-db-{i}",
                40,
                group="ne-db",
                index=i,
                location="North Europe",
                availability_set="as-db",
                **windows,
                time_zone="W. Europe Standard Time",
            )
            for i in range(11)
        ),
        vm("eus-web-1", 70, location="eastus"),
        vm("eus-web-2", 100, location="eastus"),
        vm(
            "w3-flex",
            130,
            kind="vmss",
            location="westus3",
            orchestration_mode="Flexible",
            zones=["1", "2"],
        ),
        vm("bs-api", 160, location="brazilsouth", time_zone="E. South America Standard Time"),
        vm("scus-api", 190, location="southcentralus"),
        vm("manual-01", 220, location="eastus", patch_mode="Manual"),
        vm("bypass-01", 250, location="eastus", bypass_platform_safety_checks=True),
        vm("noagent-01", 280, location="eastus", provision_vm_agent=False),
        vm("custom-01", 310, location="eastus", image_id="/subscriptions/s/images/golden"),
        vm("param-01", 340, location=Unknown("parameters('location')")),
        vm("sku-01", 370, location="eastus", image_sku=Unknown("parameters('sku')")),
    ]


def test_mixed_fleet_plan_matches_the_reviewed_file():
    settings = PlanSettings(
        best_effort_batch_size=5,
        availability_set_update_domains={"as-db": 3},
        image_supported=image_table,
    )
    produced = build_plan(mixed_fleet(), settings).to_dict()
    if os.environ.get("ARMLINT_REGENERATE"):
        GOLDEN.write_text(json.dumps(produced, indent=2) + "\n", encoding="utf-8")
    assert produced == json.loads(GOLDEN.read_text(encoding="utf-8"))
