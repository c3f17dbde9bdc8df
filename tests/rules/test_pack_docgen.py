"""docs/rules/ is generated from the rule files and must be up to date."""

from __future__ import annotations

import subprocess
import sys

from armlint.docgen import differences, load_rules, load_sources, no_html, render_pages, table_cell


def test_docs_rules_is_up_to_date():
    run = subprocess.run(
        [sys.executable, "-m", "armlint.docgen", "--check"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr


def test_check_reports_changed_missing_and_stale_pages(tmp_path):
    pages = render_pages(load_rules(), load_sources())
    for name, text in pages.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert differences(pages, tmp_path) == []
    (tmp_path / "AZP101.md").write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "AZP102.md").unlink()
    (tmp_path / "AZP999.md").write_text("old\n", encoding="utf-8")
    problems = differences(pages, tmp_path)
    assert len(problems) == 3
    assert any("out of date" in p and "AZP101" in p for p in problems)
    assert any("missing" in p and "AZP102" in p for p in problems)
    assert any("AZP999" in p for p in problems)


def test_every_rule_has_a_page_and_an_index_row():
    pages = render_pages(load_rules(), load_sources())
    rules = load_rules()
    assert set(pages) == {f"{r['id']}.md" for r in rules} | {"index.md"}
    for rule in rules:
        page = pages[f"{rule['id']}.md"]
        assert page.startswith(f"# {rule['id']} {rule['name']}\n")
        assert f"[{rule['id']}]({rule['id']}.md)" in pages["index.md"]
        assert "## Sources" in page


def test_no_html_escapes_tags_outside_code_only():
    text = "a <b>tag</b> and `<kept>`\n```json\n<also kept>\n```\n<script>"
    assert (
        no_html(text) == "a &lt;b>tag&lt;/b> and `<kept>`\n```json\n<also kept>\n```\n&lt;script>"
    )


def test_table_cells_stay_in_their_cell():
    assert table_cell("a | b\nc") == "a \\| b c"
    assert table_cell(["vm", "vmss"]) == "vm, vmss"
