"""InGuestPatch maintenance configurations: AZP120 (refused without a patch mode), AZP121 (the
guest scope's documented limits) and AZP112 seeing the configuration's scope.

Sources: the maintenance-configurations doc (MicrosoftDocs/azure-compute-docs
articles/virtual-machines/maintenance-configurations.md, S21: guest scope limits and supported
resources), the provider (hashicorp/terraform-provider-azurerm
internal/services/maintenance/maintenance_configuration_resource.go, S25), Azure/bicep issue
8959 (I13). The per-format bad/good fixtures run in test_fixtures.py and
test_fixtures_tf_bicep.py; these tests vary one thing at a time.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path

import pytest

from armlint import cli
from armlint.checks.code_rules import _recurrence_hours, _window_minutes

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
GOOD = {
    "arm": FIXTURES / "arm" / "rules" / "AZP120_good.json",
    "bicep": FIXTURES / "bicep" / "rules" / "AZP120_good.bicep",
    "terraform": FIXTURES / "terraform" / "rules" / "AZP120_good" / "main.tf",
}
# The VM's patch mode as each format spells it.
PATCH_MODE = {
    "arm": '"AutomaticByPlatform"',
    "bicep": "'AutomaticByPlatform'",
    "terraform": '"AutomaticByPlatform"',
}


def findings(path: Path) -> list[dict]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(["check", "--no-cache", "--jobs", "1", "--format", "json", str(path)])
    assert code in (0, 1), err.getvalue()
    return json.loads(out.getvalue())["findings"]


def variant(tmp_path: Path, fmt: str, *edits: tuple[str, str]) -> Path:
    text = GOOD[fmt].read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    folder = tmp_path / fmt
    folder.mkdir()
    target = folder / GOOD[fmt].name
    target.write_text(text, encoding="utf-8")
    return folder if fmt == "terraform" else target


def rules(path: Path) -> set[str]:
    return {f["rule"] for f in findings(path)}


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_azp112_follows_the_configuration_scope(fmt, tmp_path):
    """A VM left at AutomaticByOS with an InGuestPatch schedule: AZP112. The same assignment of
    a Host-scope configuration is a platform schedule (S21), not a patch schedule: no AZP112."""
    by_os = (PATCH_MODE[fmt], PATCH_MODE[fmt].replace("AutomaticByPlatform", "AutomaticByOS"))
    (tmp_path / "guest").mkdir()
    (tmp_path / "host").mkdir()
    guest = variant(tmp_path / "guest", fmt, by_os)
    host = variant(tmp_path / "host", fmt, by_os, ("InGuestPatch", "Host"))
    assert "AZP112" in rules(guest)
    assert "AZP112" not in rules(host)


@pytest.mark.parametrize("fmt", sorted(GOOD))
def test_azp120_and_azp121_only_for_the_guest_scope(fmt, tmp_path):
    """A 05:00 window would be AZP121 under InGuestPatch; under OSImage it is not judged."""
    long_window = ("03:00", "05:00")
    guest = variant(tmp_path, fmt, long_window)
    assert "AZP121" in rules(guest)
    (tmp_path / "os").mkdir()
    os_image = variant(tmp_path / "os", fmt, long_window, ("InGuestPatch", "OSImage"))
    assert not {"AZP120", "AZP121"} & rules(os_image)


@pytest.mark.parametrize(
    ("duration", "reported"),
    [("01:29", True), ("01:30", False), ("03:55", False), ("03:56", True), ("00:45", True)],
)
def test_azp121_window_bounds(duration, reported, tmp_path):
    path = variant(tmp_path, "arm", ('"03:00"', f'"{duration}"'))
    assert ("AZP121" in rules(path)) is reported


def test_azp120_platform_patch_mode_passes_and_the_terraform_properties_map_counts(tmp_path):
    """The provider takes InGuestPatchMode from the properties map instead of the argument."""
    path = variant(
        tmp_path,
        "terraform",
        ('in_guest_user_patch_mode = "User"', 'properties = { InGuestPatchMode = "Platform" }'),
    )
    assert "AZP120" not in rules(path)


def test_window_and_recurrence_parsing():
    assert _window_minutes("03:55") == 235
    assert _window_minutes("3 hours") is None  # not hh:mm: not judged
    assert _recurrence_hours("Hour") == 1
    assert _recurrence_hours("2Hours") == 2
    assert _recurrence_hours("6hours") == 6
    assert _recurrence_hours("1Day") is None
    assert _recurrence_hours("1Week Saturday") is None
