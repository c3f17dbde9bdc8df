"""Text tables that fit a terminal: aligned columns when they fit, wrapped cells when the
widest columns can give room, one block per row ("record" layout) when even that is too wide.

Values come from templates somebody else wrote, so every cell is made one printable line
first; wrapping then breaks at spaces, and inside long names after '/', '.', ',', '_' or '-'
(a Terraform address or a path reads better broken there than at a fixed column).
"""

from __future__ import annotations

import os
import re
import shutil
import sys

SEPARATOR = "  "
# A wrapped column never gets narrower than this (or its header, or its widest value if less).
MIN_WRAP_WIDTH = 12
# Break opportunities: runs of spaces, and the end of each piece that ends in a separator.
PIECES = re.compile(r"\s+|[^\s/.,_-]*[/.,_-]|[^\s/.,_-]+")
RECORD_INDENT = "  "


def output_width(stream=None) -> int | None:
    """The width text output should fit: ``COLUMNS`` when set (as ``shutil`` reads it), the
    terminal's width when writing to one, else None (files and pipes get whole lines)."""
    stream = stream or sys.stdout
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty():
        return shutil.get_terminal_size().columns
    return None


def one_line(value: object) -> str:
    """No control characters (terminal escapes, line breaks) from untrusted values."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))


def wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces or after a
    separator; a piece longer than the line is cut (the only way it can fit)."""
    lines: list[str] = []
    current = ""
    for piece in PIECES.findall(text):
        if piece.isspace():
            current += " " if current else ""
            continue
        if len(current) + len(piece) > width and current.strip():
            lines.append(current.rstrip())
            current = ""
        current += piece
        while len(current) > width:
            lines.append(current[:width])
            current = current[width:]
    if current.strip() or not lines:
        lines.append(current.rstrip())
    return lines


Cell = str | list[str]


def fit_table(headers: list[str], rows: list[list[Cell]], width: int | None = None) -> str:
    """An aligned table within ``width`` columns (None: no limit), else the record layout.
    A list cell is its items joined by ', ' in a table, one item per line in a record."""
    cells = [[_joined(cell) for cell in row] for row in [headers, *rows]]
    natural = [max(len(row[column]) for row in cells) for column in range(len(headers))]
    widths = natural if width is None else column_widths(headers, natural, width)
    if widths is None:
        return record_layout(headers, rows, width or 0)
    lines = [*_row_lines(cells[0], widths), SEPARATOR.join("-" * w for w in widths)]
    for row in cells[1:]:
        lines += _row_lines(row, widths)
    return "\n".join(line.rstrip() for line in lines)


def column_widths(headers: list[str], natural: list[int], width: int) -> list[int] | None:
    """Natural widths when they fit; else the widest columns shrunk (never below their
    minimum) until they do; None when the minimums alone are too wide."""
    room = width - len(SEPARATOR) * (len(natural) - 1)
    if sum(natural) <= room:
        return natural
    minimum = [min(n, max(len(h), MIN_WRAP_WIDTH)) for h, n in zip(headers, natural, strict=True)]
    if sum(minimum) > room:
        return None
    widths = list(natural)
    # Take one character at a time from the widest column that can still give one.
    excess = sum(widths) - room
    while excess > 0:
        column = max(
            (c for c in range(len(widths)) if widths[c] > minimum[c]), key=lambda c: widths[c]
        )
        give = min(excess, widths[column] - max(minimum[column], _second_widest(widths, column)))
        widths[column] -= max(give, 1)
        excess -= max(give, 1)
    return widths


def _second_widest(widths: list[int], column: int) -> int:
    others = [w for c, w in enumerate(widths) if c != column]
    return max(others, default=0)


def _row_lines(row: list[str], widths: list[int]) -> list[str]:
    wrapped = [wrap(cell, w) for cell, w in zip(row, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    return [
        SEPARATOR.join(
            (lines[i] if i < len(lines) else "").ljust(w)
            for lines, w in zip(wrapped, widths, strict=True)
        )
        for i in range(height)
    ]


def _joined(cell: Cell) -> str:
    return ", ".join(map(one_line, cell)) if isinstance(cell, list) else one_line(cell)


def record_layout(headers: list[str], rows: list[list[Cell]], width: int) -> str:
    """One block per row: its first cell as a title, then 'header  value' lines (values
    wrapped under themselves, a list one item per line); empty values are left out."""
    label = max(len(header) for header in headers[1:]) if len(headers) > 1 else 0
    value_width = max(width - len(RECORD_INDENT) - label - len(SEPARATOR), MIN_WRAP_WIDTH)
    blocks = []
    for row in rows:
        first = _joined(row[0])
        # 'Batch 3' for a number, the name itself otherwise.
        title = f"{headers[0]} {first}" if first.isdigit() else first
        lines = wrap(title, max(width, MIN_WRAP_WIDTH))
        for header, value in zip(headers[1:], row[1:], strict=True):
            items = value if isinstance(value, list) else [value]
            parts = [part for item in items if item for part in wrap(one_line(item), value_width)]
            for number, part in enumerate(parts):
                title = header if number == 0 else ""
                lines.append(f"{RECORD_INDENT}{title.ljust(label)}{SEPARATOR}{part}".rstrip())
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
