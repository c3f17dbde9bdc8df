"""Screenshots of the reports people read: the inventory and the plan as HTML, and the text
output in a wide (200) and a narrow (80) terminal, on examples/ and on the whole corpus.

Run: python bench/screenshots.py [--out docs/img] [--work DIR] [--corpus PATH]
Needs headless Chromium (`apt-get install -y chromium`); `pngquant`, when present, makes the
PNGs smaller (256 colours). armlint runs in the corpus folder itself (paths
relative to where it runs, as in a repository) and in this checkout for examples/.

The screenshots are for people: look at every one (overflowing tables, words broken into
letters, huge lists) before committing them. The HTML and text files are kept in --work.
"""

from __future__ import annotations

import argparse
import html
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
WINDOW = (1400, 1000)
TEXT_FONT_PX = 13  # the <pre> page's font size; a character is about 0.6 of it wide
SHOWCASE = [
    "tests/fixtures/planner/showcase-fleet.json",
    "tests/fixtures/planner/showcase-schedules.json",
]
# name -> (command, folder key, extra arguments)
REPORTS = {
    "inventory-corpus": ("inventory", "corpus", []),
    "plan-corpus": ("plan", "corpus", []),
    "inventory-examples": ("inventory", "examples", ["--exclude", "live/"]),
    # docs/plan.md's picture: examples/ and the showcase fleet (zones, a 12-VM set, schedules)
    "plan-examples": ("plan", "examples", [*SHOWCASE, "--exclude", "live/"]),
}
# Text renderings: name -> (command, folder key, terminal columns, anchor line to start at).
TEXT_SHOTS = {
    "plan-text-200": ("plan", "corpus", 200, "Batches"),
    "plan-excluded-80": ("plan", "corpus", 80, "Excluded"),
    "inventory-text-200": ("inventory", "corpus", 200, ""),
    "inventory-text-80": ("inventory", "corpus", 80, ""),
}
# HTML screenshots: name -> (report, where the shot starts ('' the top), window height).
HTML_SHOTS = {
    "inventory": ("inventory-corpus", "", 1000),
    "plan-corpus": ("plan-corpus", "", 1000),
    "plan-corpus-excluded": ("plan-corpus", '<h2 id="excluded-section">', 1000),
    "plan": ("plan-examples", "", 2150),
}


def armlint(
    command: str, folder: str, arguments: list[str], fmt: str, columns: int | None, corpus: Path
) -> str:
    """armlint's output (exit 0 or 1: findings are fine here) run where a user would."""
    where, path = (corpus, ".") if folder == "corpus" else (ROOT, "examples")
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("COLUMNS", None)
    if columns is not None:
        environment["COLUMNS"] = str(columns)
    done = subprocess.run(
        [sys.executable, "-m", "armlint", command, path, *arguments, "--format", fmt],
        cwd=where,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode not in (0, 1):
        raise SystemExit(f"armlint {command} {path} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def text_page(text: str, title: str, anchor: str) -> str:
    """The text as a terminal shows it: a <pre> page, escaped, from the line ``anchor`` (or
    '``anchor``: ...') on when given."""
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if line == anchor or line.startswith(anchor + ":")]
    if anchor and starts:
        lines = lines[starts[0] :]
    body = "\n".join(html.escape(line) for line in lines)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title><style>"
        "body { margin: 0; background: #0d1117; }"
        f"pre {{ margin: 0; padding: 12px; color: #e6edf3; font: {TEXT_FONT_PX}px/1.35 "
        "'DejaVu Sans Mono', ui-monospace, monospace; }"
        "</style></head><body><pre>" + body + "</pre></body></html>"
    )


def shrink(png: Path) -> None:
    """256 colours (pngquant, when installed): a third of the size, text still sharp."""
    pngquant = shutil.which("pngquant")
    if pngquant is None:
        return
    command = [pngquant, "--force", "--skip-if-larger", "--output", str(png), "256", str(png)]
    subprocess.run(command, capture_output=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img")
    parser.add_argument("--work", type=Path, default=None, help="keep the pages here")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--only", nargs="*", default=None, help="screenshot names to take")
    args = parser.parse_args(argv)
    corpus = args.corpus.resolve()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("chromium not found: apt-get install -y chromium")
    work = args.work or Path(tempfile.mkdtemp(prefix="armlint-shots-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    wanted = set(args.only) if args.only else None
    outputs: dict[tuple, str] = {}

    def run(command: str, folder: str, extra: list[str], fmt: str, columns: int | None) -> str:
        key = (command, folder, tuple(extra), fmt, columns)
        if key not in outputs:
            outputs[key] = armlint(command, folder, extra, fmt, columns, corpus)
        return outputs[key]

    for name, (report, marker, height) in HTML_SHOTS.items():
        if wanted is not None and name not in wanted:
            continue
        command, folder, extra = REPORTS[report]
        page = work / f"{name}.html"
        page.write_text(from_marker(run(command, folder, extra, "html", None), marker))
        take(chromium, page, args.out / f"{name}.png", (WINDOW[0], height), work)
    for name, (command, folder, columns, anchor) in TEXT_SHOTS.items():
        if wanted is not None and name not in wanted:
            continue
        text = run(command, folder, [], "text", columns)
        (work / f"{name}.txt").write_text(text, encoding="utf-8")
        page = work / f"{name}.html"
        page.write_text(text_page(text, name, anchor), encoding="utf-8")
        width = int(columns * TEXT_FONT_PX * 0.61) + 40
        take(chromium, page, args.out / f"{name}.png", (width, 900), work)
    print(f"pages and text in {work}; screenshots in {args.out}")
    return 0


def take(chromium: str, page: Path, png: Path, size: tuple[int, int], work: Path) -> None:
    screenshot_uri(chromium, page.as_uri(), png, size, work / "profile")
    print(f"{png.name}: {png.stat().st_size // 1024} KB")


def from_marker(page: str, marker: str) -> str:
    """The page from ``marker`` on (its head and styles kept): headless Chromium screenshots
    the top of a page, and a '#fragment' comes out blank."""
    if not marker:
        return page
    body = page.index("<body>") + len("<body>")
    return page[:body] + page[page.index(marker) :]


def screenshot_uri(chromium: str, uri: str, png: Path, size: tuple[int, int], profile: Path):
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
        f"--screenshot={png}",
        uri,
    ]
    if png.exists():
        png.unlink()
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    if done.returncode != 0 or not png.exists():
        raise SystemExit(f"chromium failed on {uri}: {done.stderr[-2000:]}")
    shrink(png)


if __name__ == "__main__":
    raise SystemExit(main())
