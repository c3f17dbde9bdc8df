"""A plain check of one ARM template imports neither git comparison, the planner nor the
baseline writer: each was a share of the start-up of every `armlint check` (issue 16)."""

import json
import subprocess
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"
NOT_NEEDED = ("armlint.compare.git", "armlint.planner", "armlint.run.baseline")


def _modules_after(arguments: list[str]) -> list[str]:
    code = (
        "import sys, json\n"
        "from armlint.cli import main\n"
        "try:\n"
        f"    main({arguments!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    return json.loads(completed.stderr.strip().splitlines()[-1])


def test_a_plain_check_does_not_import_what_it_does_not_use():
    loaded = _modules_after(["check", "--no-cache", "--format", "json", str(TEMPLATE)])
    assert "armlint.arm.loader" in loaded  # the check really ran
    assert not [name for name in loaded if name.startswith(NOT_NEEDED)]


def test_location_still_binds_through_the_planner_region_names():
    loaded = _modules_after(
        ["check", "--no-cache", "--format", "json", "--location", "westeurope", str(TEMPLATE)]
    )
    assert "armlint.planner.regions" in loaded
