"""The text format, checked against golden output."""

from __future__ import annotations

import os

from armlint.model import Location
from armlint.report import ReportOptions, render

DEFAULT = """\
infra/broken.json:3:1: AZP001 [error] Expecting ',' delimiter
infra/main.tf:9:3: AZP105 [warning] enable_hotpatching is true but patch_mode is AutomaticByOS
infra/vm.json:12:7: AZP102 [error] patchMode is 'Manual' (from parameters('patchMode')) but \
enableAutomaticUpdates is true (platform default); Manual needs false
infra/vm.json:20:9: AZP104 [warning] assessmentMode is not set
infra/vm.json:25:9: AZP104 [warning] assessmentMode is not set on the second profile
infra/vm.json:40:3: AZP110 [info] rebootSetting is not set; the platform uses IfRequired

note: terraform: remote module 'git::https://example.test/m.git' was not loaded
Checked 5 files (3 linted, 1 skipped, 1 failed), 3 VMs/scale sets: 2 errors, 3 warnings, 1 info; \
1 unknown value (use --show-unknown to list it); \
1 suppressed (use --show-suppressed to list it)
"""

SHOW_ALL = """\
infra/broken.json:3:1: AZP001 [error] Expecting ',' delimiter
infra/main.tf:5:3: AZP102 [error] patchMode is 'Manual' (literal) but enableAutomaticUpdates is \
true; Manual needs false (suppressed: accepted until the migration (ticket 42))
infra/main.tf:9:3: AZP105 [warning] enable_hotpatching is true but patch_mode is AutomaticByOS
infra/vm.json:12:7: AZP102 [error] patchMode is 'Manual' (from parameters('patchMode')) but \
enableAutomaticUpdates is true (platform default); Manual needs false
infra/vm.json:20:9: AZP104 [warning] assessmentMode is not set
infra/vm.json:25:9: AZP104 [warning] assessmentMode is not set on the second profile
infra/vm.json:30:5: AZP002 [info] patch_mode cannot be known before deployment: reference(...)
infra/vm.json:40:3: AZP110 [info] rebootSetting is not set; the platform uses IfRequired

note: terraform: remote module 'git::https://example.test/m.git' was not loaded
Checked 5 files (3 linted, 1 skipped, 1 failed), 3 VMs/scale sets: 2 errors, 3 warnings, 1 info; \
1 unknown value; 1 suppressed
"""


def test_default_hides_unknown_and_suppressed_but_counts_them(sample):
    assert render("text", sample, ReportOptions()) == DEFAULT


def test_show_unknown_and_suppressed_lists_them(sample):
    options = ReportOptions(show_unknown=True, show_suppressed=True)
    assert render("text", sample, options) == SHOW_ALL


def test_clean_run_says_found_0_problems(clean):
    expected = "Checked 1 file (1 linted, 0 skipped, 0 failed), 1 VM/scale set. Found 0 problems\n"
    assert render("text", clean, ReportOptions()) == expected


def test_only_unknown_values_is_still_0_problems(clean, sample):
    clean.findings = [f for f in sample.findings if f.rule == "AZP002"]
    clean.unknown_count = 1
    assert render("text", clean, ReportOptions()) == (
        "Checked 1 file (1 linted, 0 skipped, 0 failed), 1 VM/scale set. Found 0 problems; "
        "1 unknown value (use --show-unknown to list it)\n"
    )


def test_plural_unknown_values(clean):
    clean.unknown_count = 4
    assert render("text", clean, ReportOptions()).endswith(
        "; 4 unknown values (use --show-unknown to list them)\n"
    )


def test_color_wraps_path_rule_and_severity(single):
    text = render("text", single("bad"), ReportOptions(color=True))
    first = text.splitlines()[0]
    assert first == ("\x1b[1mvm.json\x1b[0m:2:3: \x1b[1mAZP102\x1b[0m [\x1b[31merror\x1b[0m] bad")


def test_no_color_means_no_escape_codes(sample):
    assert "\x1b" not in render("text", sample, ReportOptions())


def test_paths_relative_to_root(single, tmp_path):
    absolute = str(tmp_path / "infra" / "vm.json")
    text = render("text", single(path=absolute), ReportOptions(root=str(tmp_path)))
    assert text.startswith("infra/vm.json:2:3: AZP102 [error] message\n")


def test_path_outside_root_is_relative_not_absolute(single, tmp_path):
    outside = str(tmp_path / "other" / "vm.json")
    options = ReportOptions(root=str(tmp_path / "repo"))
    shown = os.path.relpath(outside).replace(os.sep, "/")
    assert render("text", single(path=outside), options).startswith(f"{shown}:2:3:")


def test_file_level_finding_points_at_line_1(single):
    result = single(location=Location("vm.json", 0, 0))
    assert render("text", result, ReportOptions()).startswith("vm.json:1:1: AZP102")


def test_control_characters_cannot_break_lines_or_drive_the_terminal(single):
    text = render("text", single("two\nlines \x1b[2J and\r"), ReportOptions())
    assert text.splitlines()[0] == "vm.json:2:3: AZP102 [error] two\\nlines \\x1b[2J and\\r"
