"""The HTML page: self-contained, and data can never become markup."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from armlint.report import ReportOptions, render

EVIL = "<script>alert(1)</script>"


class TagCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(page: str) -> list[tuple[str, dict]]:
    collector = TagCollector()
    collector.feed(page)
    return collector.tags


def test_data_is_escaped_everywhere(single):
    result = single(f"bad {EVIL}", path=f"dir/{EVIL}.json", resource=f"vm {EVIL}")
    result.notes = [f"note {EVIL}"]
    page = render("html", result, ReportOptions(tool_version=EVIL))
    assert "<script" not in page.lower()
    # message, path, resource, note and version
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    assert "script" not in {tag for tag, _ in tags_of(page)}


def test_self_contained(sample):
    page = render("html", sample, ReportOptions(show_unknown=True, show_suppressed=True))
    tags = tags_of(page)
    names = {tag for tag, _ in tags}
    assert not names & {"script", "link", "img", "iframe", "object", "embed"}
    assert not re.search(r"(src|href)\s*=", page)
    assert "@import" not in page and "url(" not in page
    csp = [attrs for tag, attrs in tags if attrs.get("http-equiv") == "Content-Security-Policy"]
    assert csp and csp[0]["content"].startswith("default-src 'none'")


def test_content(sample):
    page = render("html", sample, ReportOptions(tool_version="0.1.0"))
    assert '<p class="version">armlint 0.1.0</p>' in page
    assert "<h2>infra/vm.json</h2>" in page
    assert "parameters(&#39;patchMode&#39;) (vm.json:23)" in page  # provenance
    assert "AZP002" not in page and "ticket 42" not in page
    assert "<td>infra/notes.txt</td><td>skipped</td>" in page
    assert page.startswith("<!DOCTYPE html>")


def test_suppressed_marked_when_shown(sample):
    page = render("html", sample, ReportOptions(show_suppressed=True))
    assert '<tr class="suppressed">' in page
    assert "suppressed: accepted until the migration (ticket 42)" in page


def test_clean_run(clean):
    page = render("html", clean, ReportOptions())
    assert "Found 0 problems" in page
    assert "<section>" not in page


def test_notes_come_after_the_findings_one_line_per_kind(sample):
    """Issue 13: on a large audit the notes drowned the findings (the page put them first)."""
    unfetched = "terraform: {} module call(s) with registry or remote sources were not fetched"
    sample.notes = [f"{unfetched.format(n)} (in app/{n})" for n in (2, 3, 7)]
    page = render("html", sample, ReportOptions())
    assert page.index("<h2>infra/vm.json</h2>") < page.index('<h2 id="notes">Notes</h2>')
    shown = page.split('<h2 id="notes">Notes</h2>', 1)[1].split("<details>", 1)[0]
    assert shown.count("<li>") == 1 and "3 times" in shown
    assert "all 3 notes" in page  # the full list folded under the grouped line
    verbose = render("html", sample, ReportOptions(verbose=True))
    assert verbose.split('<h2 id="notes">', 1)[1].count("<li>") == 3
