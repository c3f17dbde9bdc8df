"""Reading and parsing one Bicep file: positions in characters, syntax errors as findings.

tree-sitter is imported inside ``_parser`` only, so that importing armlint.bicep stays free.
Node positions are UTF-8 byte offsets; ``SourceFile.location`` turns them into 1-based lines
and character columns. All text (strings, names) is read from the original bytes: the parser
sees the rewritten text from ``compat.rewrite``, which has the same byte layout.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armlint.bicep.compat import Rewritten, rewrite
from armlint.model import Finding, Location, pack_finding

PARSE_ERROR_RULE = "AZP001"
# Node kinds that are complete statements; an ERROR node that wraps them is only a container.
STATEMENT_KINDS = frozenset(
    {
        "metadata_declaration",
        "parameter_declaration",
        "variable_declaration",
        "resource_declaration",
        "module_declaration",
        "output_declaration",
        "type_declaration",
        "user_defined_function",
        "import_statement",
        "import_with_statement",
        "import_functionality",
        "target_scope_assignment",
        "using_statement",
        "decorators",
        "comment",
        "diagnostic_comment",
    }
)


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_bicep

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_bicep.language()))


@dataclass
class SourceFile:
    """One parsed .bicep or .bicepparam file."""

    path: Path
    display: str  # the path as given, used in locations and addresses
    kind: str  # 'bicep' | 'bicepparam'
    data: bytes
    rewritten: Rewritten
    root: Any  # tree-sitter root node
    findings: list[Finding] = field(default_factory=list)
    _line_starts: list[int] | None = None  # made when ``location_at`` first needs it
    # An ASCII file's character columns are its byte columns: no slice to decode per location.
    _ascii: bool = False
    # (start, end) byte offsets -> Location: the facts ask the same places again and again
    _locations: dict[tuple[int, int], Location] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.path.name

    @functools.cached_property
    def display_name(self) -> str:
        """The last part of ``display`` (a module's steps name the file as its caller shows it)."""
        return Path(self.display).name

    def text(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def line_of(self, node: Any) -> int:
        return node.start_point[0] + 1

    def where(self, node: Any) -> str:
        """Short 'file:line' used in trace steps."""
        return f"{self.name}:{self.line_of(node)}"

    def _column(self, line_start: int, byte_column: int) -> int:
        if self._ascii:
            return byte_column + 1
        return len(self.data[line_start : line_start + byte_column].decode("utf-8", "replace")) + 1

    def location(self, node: Any) -> Location:
        start, end = node.start_byte, node.end_byte
        found = self._locations.get((start, end))
        if found is None:
            (row, col), (end_row, end_col) = node.start_point, node.end_point
            # a point's column counts the bytes since its line's start (rows count '\n' only)
            found = self._locations[start, end] = Location(
                self.display,
                row + 1,
                self._column(start - col, col),
                end_row + 1,
                self._column(end - end_col, end_col),
            )
        return found

    def location_at(self, offset: int) -> Location:
        if self._line_starts is None:
            self._line_starts = _line_starts(self.data)
        row = bisect_right(self._line_starts, offset) - 1
        column = self._column(self._line_starts[row], offset - self._line_starts[row])
        return Location(self.display, row + 1, column, row + 1, column)


def _line_starts(data: bytes) -> list[int]:
    starts = [0]
    pos = data.find(b"\n")
    while pos != -1:
        starts.append(pos + 1)
        pos = data.find(b"\n", pos + 1)
    return starts


def parse_error(display: str, location: Location, message: str) -> Finding:
    return pack_finding(
        PARSE_ERROR_RULE, message, location, fingerprint=f"{display}:{PARSE_ERROR_RULE}:{message}"
    )


def parse_file(path: Path, display: str, data: bytes) -> SourceFile:
    """Parse ``data``; raises UnicodeDecodeError when it is not UTF-8."""
    data.decode("utf-8")
    kind = "bicepparam" if path.suffix.lower() == ".bicepparam" else "bicep"
    rewritten = rewrite(data, param_file=kind == "bicepparam")
    tree = _parser().parse(rewritten.data)
    source = SourceFile(path, display, kind, data, rewritten, tree.root_node)
    source._ascii = data.isascii()
    source.findings = _syntax_errors(source)
    return source


def _first_stray_child(node: Any) -> Any:
    """In an ERROR node, the first child that is not a complete statement: the real culprit."""
    for child in node.children:
        if child.type not in STATEMENT_KINDS or child.has_error:
            return child
    return node


def _snippet(source: SourceFile, node: Any) -> str:
    text = source.text(node).strip().splitlines()
    first = text[0] if text else ""
    return first if len(first) <= 40 else first[:37] + "..."


def _syntax_errors(source: SourceFile) -> list[Finding]:
    if not source.root.has_error:  # tree-sitter marks every ancestor of an ERROR or MISSING node
        return []
    findings: list[Finding] = []
    seen: set[tuple[int, int]] = set()

    def report(node: Any, message: str) -> None:
        location = source.location(node)
        key = (location.line, location.column)
        if key not in seen:
            seen.add(key)
            findings.append(parse_error(source.display, location, message))

    def walk(node: Any) -> None:
        if node.is_missing:
            report(node, f"syntax error: missing {node.type!r}")
            return
        if node.is_error:
            culprit = _first_stray_child(node)
            if culprit is node or not (culprit.has_error or culprit.is_missing):
                text = _snippet(source, culprit)
                report(culprit, f"syntax error: unexpected {text!r}" if text else "syntax error")
        for child in node.children:
            if child.has_error or child.is_missing:
                walk(child)

    walk(source.root)
    return findings
