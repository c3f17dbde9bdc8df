"""Renders docs/rules/ from the rule pack: one page per rule and an index.

    python -m armlint.docgen            write docs/rules/
    python -m armlint.docgen --check    exit 1 when docs/rules/ differs from what would be written

The rule files are the single source; the pages are generated so they cannot drift from what
the linter does (a test runs --check).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

import yaml

from armlint.paths import rules_dir

TEMPLATE = "rule_doc.md.j2"
INDEX = "index.md"
_PACKAGE = Path(__file__).resolve().parent
_TEMPLATES = _PACKAGE / "report" / "templates"
_DEFAULT_OUT = _PACKAGE.parent / "docs" / "rules"
_FENCE = re.compile(r"^\s*(```|~~~)")


# --- text filters -----------------------------------------------------------------------------


def no_html(text: str) -> str:
    """Markdown with every '<' outside code made literal, so rule text can never be raw HTML."""
    lines = []
    in_fence = False
    for line in str(text).split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
            lines.append(line)
        else:
            lines.append(line if in_fence else _escape_outside_code_spans(line))
    return "\n".join(lines)


def _escape_outside_code_spans(line: str) -> str:
    # Split on backticks: the even pieces are outside `inline code`, where '<' could open a tag.
    pieces = line.split("`")
    return "`".join(
        piece.replace("<", "&lt;") if index % 2 == 0 else piece
        for index, piece in enumerate(pieces)
    )


def table_cell(value: Any) -> str:
    """Text that stays inside one markdown table cell."""
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(item) for item in value)
    text = " ".join(str(value).split())
    return no_html(text.replace("|", "\\|"))


# --- the pack as the template sees it ---------------------------------------------------------


def load_rules(directory: Path | None = None) -> list[dict]:
    folder = directory or Path(rules_dir())
    rules = []
    for path in sorted(folder.glob("AZP*.yaml")):
        with path.open(encoding="utf-8") as handle:
            rules.append(yaml.safe_load(handle))
    return rules


def load_sources(directory: Path | None = None) -> dict[str, dict]:
    folder = directory or Path(rules_dir())
    with (folder / "data" / "sources.yaml").open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def rule_kind(rule: dict) -> str:
    """How the rule is implemented, in words for the docs (from ``armlint.checks.registry``)."""
    from armlint.checks.registry import describe

    return describe(rule["id"])


def rule_context(rule: dict, sources: dict[str, dict]) -> dict[str, Any]:
    overrides = rule.get("profile_overrides") or {}
    return {
        "id": rule["id"],
        "name": rule["name"],
        "severity": rule["severity"],
        "severity_overrides": [
            (profile, change["severity"])
            for profile, change in sorted(overrides.items())
            if "severity" in change
        ]
        + [
            (f"{name} format", change["severity"])
            for name, change in sorted((rule.get("format_overrides") or {}).items())
        ],
        "summary": rule["summary"],
        "profiles": rule["profiles"],
        "applies_to": rule.get("applies_to") or ["files"],
        "kind": rule_kind(rule),
        "docs": rule["docs"],
        "fix": rule.get("fix") or {},
        "sources": [
            {"id": source, "link": _source_link(sources.get(source))} for source in rule["sources"]
        ],
    }


def _source_link(source: dict | None) -> str:
    if not source:
        return "(not in the source index)"
    title = no_html(source["title"]).replace("[", "\\[").replace("]", "\\]")
    return f"[{title}]({source['url']})" if source.get("url") else title


# --- rendering --------------------------------------------------------------------------------


def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(_TEMPLATES)),
        autoescape=False,  # markdown, not HTML; no_html keeps rule text from becoming HTML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["no_html"] = no_html
    environment.filters["cell"] = table_cell
    return environment


def render_pages(rules: list[dict], sources: dict[str, dict]) -> dict[str, str]:
    """File name -> content for every page docs/rules/ should hold."""
    template = _environment().get_template(TEMPLATE)
    contexts = [rule_context(rule, sources) for rule in sorted(rules, key=lambda r: r["id"])]
    pages = {
        f"{context['id']}.md": _tidy(template.render(page="rule", rule=context))
        for context in contexts
    }
    pages[INDEX] = _tidy(template.render(page="index", rules=contexts))
    return pages


def _tidy(text: str) -> str:
    return text.strip("\n") + "\n"


# --- files ------------------------------------------------------------------------------------


def differences(pages: dict[str, str], out: Path) -> list[str]:
    """What differs between the pages and the folder: changed, missing, and stale files."""
    problems = []
    for name, text in sorted(pages.items()):
        path = out / name
        if not path.is_file():
            problems.append(f"missing: {path}")
        elif path.read_text(encoding="utf-8") != text:
            problems.append(f"out of date: {path}")
    for path in sorted(out.glob("*.md")) if out.is_dir() else []:
        if path.name not in pages:
            problems.append(f"not generated from any rule: {path}")
    return problems


def write_pages(pages: dict[str, str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, text in pages.items():
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
    for path in out.glob("*.md"):
        if path.name not in pages:
            path.unlink()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m armlint.docgen", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/rules/ is out of date")
    parser.add_argument("--out", type=Path, default=_DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    pages = render_pages(load_rules(), load_sources())
    if args.check:
        problems = differences(pages, args.out)
        for problem in problems:
            print(problem, file=sys.stderr)
        if problems:
            print("run: python -m armlint.docgen", file=sys.stderr)
        return 1 if problems else 0
    write_pages(pages, args.out)
    print(f"wrote {len(pages)} pages to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
