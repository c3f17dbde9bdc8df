"""Text tables that fit a terminal: aligned columns when they fit, wrapped cells (and headers,
at '_') when the widest columns can give room, one block per row ("record" layout) when even
that is too wide, or, for a grouped table, the least telling columns left out.

Values come from templates somebody else wrote, so every cell is made one printable line
first; wrapping then breaks at spaces, and inside long names after '/', '.', ',', '_' or '-'
(a Terraform address or a path reads better broken there than at a fixed column).
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Sequence

SEPARATOR = "  "
# A wrapped column never gets narrower than this (or its widest value, if less).
MIN_WRAP_WIDTH = 20
# A column is only added to a grouped table if the long ones can keep a sixth of the width
# (at least COMFORT_FLOOR).
COMFORT_SHARE = 6
COMFORT_FLOOR = 20
# The kept columns of a grouped table, when they do not fit comfortably, shrink to these.
SQUEEZED = (MIN_WRAP_WIDTH, 12, 6)
# Break opportunities: runs of spaces, after '/', '.', ',', '_', '-' or ')', and before '('
# (paths, dotted addresses, expressions such as concat(a, b)). The pieces join back to the text.
PIECES = re.compile(r"\s+|\(+[^\s/.,_()\-]*[/.,_)\-]?|[^\s/.,_()\-]+[/.,_)\-]?|[/.,_)\-]")
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


def fit_table(
    headers: Sequence[str], rows: Sequence[Sequence[Cell]], width: int | None = None
) -> str:
    """An aligned table within ``width`` columns, else the record layout. A list cell is one
    item per line (its items joined by ', ' when there is no width: one line per row)."""
    table: list[Sequence[Cell]] = [headers, *rows]
    if width is None:
        cells: list[list[Cell]] = [[_joined(cell) for cell in row] for row in table]
        joined = [[str(cell) for cell in row] for row in cells]
        widths = _natural(joined, list(range(len(headers))), wrap_headers=False)
        return "\n".join(line.rstrip() for line in _lines(cells, widths))
    clean = [[_clean(cell) for cell in row] for row in table]
    longest = [
        [max(cell, key=len, default="") if isinstance(cell, list) else cell for cell in row]
        for row in clean
    ]
    fitted = _widths(longest, list(range(len(headers))), width, MIN_WRAP_WIDTH)
    if fitted is None:
        return record_layout(headers, rows, width)
    return "\n".join(line.rstrip() for line in _lines(clean, fitted))


def _lines(cells: Sequence[Sequence[Cell]], widths: list[int]) -> list[str]:
    lines = _table_lines(cells[0], widths)
    for row in cells[1:]:
        lines += _row_lines(row, widths)
    return lines


def _clean(cell: Cell) -> Cell:
    return [one_line(item) for item in cell] if isinstance(cell, list) else one_line(cell)


def grouped_table(
    headers: list[str],
    groups: list[tuple[str, list[list[str]]]],
    width: int | None = None,
    keep: int = 1,
) -> tuple[str, list[str]]:
    """Titled groups of rows (one file each) under one header, all aligned, and the headers
    left out to fit ``width``: columns empty in every row first, then from the right while
    the long columns could not keep a sixth of the width; never the first ``keep``. Cells
    wrap as in ``fit_table``; a group's title is wrapped on its own lines."""
    rows = [row for _, group in groups for row in group]
    cells = [[one_line(cell) for cell in row] for row in [headers, *rows]]
    shown = [c for c in range(len(headers)) if c < keep or any(row[c] for row in rows)]
    comfort = max(COMFORT_FLOOR, (width or 0) // COMFORT_SHARE)
    widths: list[int] | None = _widths(cells, shown, width, comfort)
    while widths is None and len(shown) > keep:
        shown.pop()
        widths = _widths(cells, shown, width, comfort)
    for least in SQUEEZED:  # even the kept columns do not fit: squeeze them
        widths = widths or _widths(cells, shown, width, least)
    final = widths or _natural(cells, shown, wrap_headers=True)
    lines = _table_lines([cells[0][c] for c in shown], final)
    for title, group in groups:
        lines += ["", *wrap(one_line(title), width or max(len(title), 1))]
        for row in group:
            lines += _row_lines([one_line(row[c]) for c in shown], final)
    hidden = [header for c, header in enumerate(headers) if c not in shown]
    return "\n".join(line.rstrip() for line in lines), hidden


def _table_lines(header: Sequence[Cell], widths: list[int]) -> list[str]:
    return [*_row_lines(header, widths), SEPARATOR.join("-" * w for w in widths)]


def _natural(cells: list[list[str]], columns: list[int], wrap_headers: bool) -> list[int]:
    """Each column's widest value, or its header (its longest piece when headers wrap)."""
    widths = []
    for c in columns:
        values = max((len(row[c]) for row in cells[1:]), default=0)
        header = cells[0][c]
        shortest = max(map(len, PIECES.findall(header))) if wrap_headers else len(header)
        widths.append(max(values, shortest))
    return widths


def _widths(
    cells: list[list[str]], columns: list[int], width: int | None, least: int
) -> list[int] | None:
    """Widths for ``columns`` within ``width``: natural when they fit; else headers wrap and
    every column starts at ``least`` (or its natural width, if less) and the spare room is
    shared out like water, first up to what most of a column's values need (its 90th
    percentile, so one very long name does not take the room of every reason), then up to its
    natural width; None when the starting widths alone are too wide."""
    natural = _natural(cells, columns, wrap_headers=False)
    room = (width or 0) - len(SEPARATOR) * (len(columns) - 1)
    if width is None or sum(natural) <= room:
        return natural
    natural = _natural(cells, columns, wrap_headers=True)
    widths = [min(n, least) for n in natural]
    spare = room - sum(widths)
    if spare < 0:
        return None
    typical = [min(n, _percentile_90(cells, c)) for n, c in zip(natural, columns, strict=True)]
    spare = _fill(widths, [max(t, w) for t, w in zip(typical, widths, strict=True)], spare)
    _fill(widths, natural, spare)
    return widths


def _percentile_90(cells: list[list[str]], column: int) -> int:
    lengths = sorted(len(row[column]) for row in cells[1:])
    return lengths[(len(lengths) * 9) // 10] if lengths else 0


def _fill(widths: list[int], wanted: list[int], spare: int) -> int:
    """Share ``spare`` out like water, in place: equal shares, a column never past its
    ``wanted`` width (one needing less keeps only what it needs); returns what is left."""
    hungry = sorted(
        (i for i in range(len(widths)) if wanted[i] > widths[i]), key=wanted.__getitem__
    )
    while hungry and spare > 0:
        share = max(spare // len(hungry), 1)
        column = hungry.pop(0)
        given = min(wanted[column] - widths[column], share)
        widths[column] += given
        spare -= given
        if widths[column] < wanted[column]:
            hungry.append(column)
    return spare


def _row_lines(row: Sequence[Cell], widths: list[int]) -> list[str]:
    wrapped = [_wrap_cell(cell, w) for cell, w in zip(row, widths, strict=True)]
    height = max(len(lines) for lines in wrapped)
    return [
        SEPARATOR.join(
            (lines[i] if i < len(lines) else "").ljust(w)
            for lines, w in zip(wrapped, widths, strict=True)
        )
        for i in range(height)
    ]


def _wrap_cell(cell: Cell, width: int) -> list[str]:
    if isinstance(cell, list):
        return [line for item in cell for line in wrap(item, width)] or [""]
    return wrap(cell, width)


def _joined(cell: Cell) -> str:
    return ", ".join(map(one_line, cell)) if isinstance(cell, list) else one_line(cell)


def record_layout(headers: Sequence[str], rows: Sequence[Sequence[Cell]], width: int) -> str:
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
