"""The Markdown report: summary table, one findings table per file, escaped values."""

from __future__ import annotations

from armlint.report import ReportOptions, render


def test_summary_and_tables(sample):
    text = render("markdown", sample, ReportOptions())
    assert text.startswith("# armlint report\n\nChecked 5 files (3 linted, 1 skipped, 1 failed)")
    assert (
        "| Files | Linted | Skipped | Failed | VMs/scale sets | Errors | Warnings | Info "
        "| Unknown | Suppressed |\n"
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        "| 5 | 3 | 1 | 1 | 3 | 2 | 3 | 1 | 1 | 1 |\n"
    ) in text
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "## Notes",
        "## infra/broken.json",
        "## infra/main.tf",
        "## infra/vm.json",
        "## Files not linted",
    ]
    assert (
        "| 20 | 9 | AZP104 assessment-mode-missing | warning | "
        "Microsoft.Compute/virtualMachines/vm1 | assessmentMode is not set |"
    ) in text
    assert "| infra/notes.txt | skipped | not an infrastructure file |" in text


def test_every_table_row_has_the_header_width(sample):
    text = render("markdown", sample, ReportOptions(show_unknown=True, show_suppressed=True))
    for block in text.split("\n\n"):
        rows = [line for line in block.splitlines() if line.startswith("|")]
        if rows:
            widths = {row.replace("\\|", "").count("|") for row in rows}
            assert len(widths) == 1, block


def test_suppressed_and_unknown_only_on_request(sample):
    hidden = render("markdown", sample, ReportOptions())
    assert "ticket 42" not in hidden and "AZP002" not in hidden
    shown = render("markdown", sample, ReportOptions(show_unknown=True, show_suppressed=True))
    assert "*(suppressed: accepted until the migration (ticket 42))*" in shown
    assert "AZP002 unknown-value" in shown


def test_pipes_html_and_markdown_are_escaped(single):
    message = "a | b <script>alert(1)</script> [link](http://x) *em* `code`\nsecond"
    text = render("markdown", single(message, path="a|b_<i>.json"), ReportOptions())
    assert "## a\\|b\\_&lt;i&gt;.json" in text
    row = next(line for line in text.splitlines() if line.startswith("| 2 |"))
    assert row.endswith(
        "| a \\| b &lt;script&gt;alert(1)&lt;/script&gt; \\[link\\](http://x) \\*em\\* "
        "\\`code\\`<br>second |"
    )
    assert "<script>" not in text


def test_clean_run(clean):
    text = render("markdown", clean, ReportOptions())
    assert "Found 0 problems" in text
    assert "## " not in text
