"""Reading and parsing one Bicep file: positions in characters, syntax errors as findings.

tree-sitter is imported inside ``_parser`` only, so that importing armlint.bicep stays free.
Node positions are UTF-8 byte offsets; ``SourceFile.location`` turns them into 1-based lines
and character columns. All text (strings, names) is read from the original bytes: the parser
sees the rewritten text from ``compat.rewrite``, which has the same byte layout.
"""

from __future__ import annotations

import functools
import re
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


TRIVIA = frozenset({"comment", "diagnostic_comment"})
# Where a file may be cut into pieces for the parser (``_parse_tree``): after a blank line, before
# a line that starts a statement (a decorator or a keyword), once the piece has this many bytes.
PIECE_BYTES = 4096
_STATEMENT_AFTER_BLANK_LINE = re.compile(
    rb"\n[ \t\r]*\n(?=@|(?:param|var|resource|module|output|type|func|import|metadata"
    rb"|targetScope|using|extension|provider)\b)"
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
    source = SourceFile(path, display, kind, data, rewritten, _parse_tree(rewritten.data))
    source._ascii = data.isascii()
    source.findings = _syntax_errors(source)
    return source


class Pieces:
    """The root of a file parsed in pieces (``_parse_tree``): the top-level nodes of every
    piece, in order, as the root of the whole file's tree lists them. Never an error (a piece
    with one sends the whole file to the parser)."""

    __slots__ = ("children",)
    has_error = False

    def __init__(self, trees: list[Any]) -> None:
        # a node keeps its tree alive: the trees need no other reference
        self.children = [child for tree in trees for child in tree.root_node.children]

    @property
    def named_children(self) -> list[Any]:
        return [child for child in self.children if child.is_named]


def _parse_tree(text: bytes) -> Any:
    """The root of ``text``'s syntax tree, parsed in pieces of about ``PIECE_BYTES`` when it can.

    Why pieces: after ``name.`` and ``name[`` the grammar keeps a second parse version (a
    ``x.resource<'...'>`` type, an array type ``x[]``) that dies at the next token, and on
    its way it calls tree-sitter-bicep's external scanner, which looks for the closing
    ``'''`` of a multi-line string up to the end of the input. So each member access costs
    the rest of the file, and a file's parse grows with the square of its size (a 71 kB AVM
    module: 40 ms whole, 5 ms statement by statement). Each piece is parsed as an included
    range, so node positions are the file's. The pieces start at lines that start a
    statement after a blank line; when each piece parses without an error, the pieces'
    statements are those of the whole file (a statement cannot run on into a line that
    starts with a keyword or a decorator). A piece with an error (a cut inside a string, a
    comment or brackets, or a real error) sends the whole file to the parser, as before, so
    syntax errors are found and worded as ever; so does a piece that ends with decorators,
    which belong to the next statement across the blank line (``program._decorators`` finds
    them as its previous sibling, which a piece boundary would hide).
    """
    parser = _parser()
    starts = _piece_starts(text)
    if len(starts) > 1:
        trees = _parse_pieces(parser, text, starts)
        if trees is not None:
            return Pieces(trees)
    return parser.parse(text).root_node


def _piece_starts(text: bytes) -> list[int]:
    starts = [0]
    for match in _STATEMENT_AFTER_BLANK_LINE.finditer(text, PIECE_BYTES - 2):
        start = match.end()
        if start - starts[-1] >= PIECE_BYTES:
            starts.append(start)
    return starts


def _parse_pieces(parser: Any, text: bytes, starts: list[int]) -> list[Any] | None:
    """One tree per piece; None when a piece has a syntax error or ends with decorators."""
    from tree_sitter import Range

    trees = []
    row = 0  # every piece starts at column 0
    try:
        for start, end in zip(starts, [*starts[1:], len(text)], strict=True):
            end_row = row + text.count(b"\n", start, end)
            last_newline = text.rfind(b"\n", start, end)
            end_column = end - (last_newline + 1 if last_newline >= 0 else start)
            parser.included_ranges = [Range((row, 0), (end_row, end_column), start, end)]
            tree = parser.parse(text)
            if tree.root_node.has_error or _ends_with_decorators(tree.root_node):
                return None
            trees.append(tree)
            row = end_row
    finally:
        parser.included_ranges = []
    return trees


def _ends_with_decorators(root: Any) -> bool:
    for child in reversed(root.named_children):
        if child.type not in TRIVIA:
            return child.type == "decorators"
    return False


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
