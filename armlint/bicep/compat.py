"""Position-preserving rewrites that let tree-sitter-bicep 1.1 parse valid modern Bicep.

The grammar lags behind the Bicep language. Real files (the Azure Verified Modules in
particular) use syntax it does not know, and one such line can turn the rest of a file into a
single ERROR node. Reporting those as parse errors would be false alarms on valid Bicep, so
before parsing we rewrite the few known gaps into shapes the grammar accepts:

* ``//`` or ``/*`` at the start of a string is lexed as a comment: every ``/`` inside string text
  becomes ``_`` (string values are always read back from the original bytes);
* ``type`` declarations (with their decorators), ``import`` and ``extension`` statements are
  blanked out: armlint ignores them anyway;
* parameter and output types the grammar cannot read (``resourceInput<'...'>.properties.x``,
  object types with decorated members) become ``object`` / ``object?``; typed variables
  (``var x string = ...``) lose the type;
* the spread operator ``...x`` becomes ``__:x`` in objects and blanks in arrays; the offsets are
  returned so the evaluator knows these entries are spreads;
* in a ``.bicepparam`` file, ``param x = value`` becomes ``var   x = value`` (the grammar has no
  parameter assignment); the offsets are returned too.

Every rewrite keeps the byte length of every line, so node positions in the rewritten text are
positions in the original file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

STATEMENT_KEYWORDS = frozenset(
    {
        "param",
        "var",
        "resource",
        "module",
        "output",
        "type",
        "func",
        "import",
        "metadata",
        "targetScope",
        "using",
        "extension",
        "provider",
        "extends",
    }
)
BLANKED_STATEMENTS = frozenset({"type", "import", "extension", "provider"})
_IDENT = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(rb"[0-9]+")
_SIMPLE_TYPE = re.compile(r"^(string|int|bool|object|array|any)(\[\])*\??$")
_TWO_CHAR_PUNCT = (b"==", b"!=", b"=~", b"!~", b"<=", b">=", b"&&", b"||", b"??", b".?", b"::")


@dataclass(slots=True)
class Token:
    kind: str  # 'ident' | 'punct' | 'string' | 'number' | 'newline' | 'comment' | 'other'
    start: int
    end: int
    depth: int  # bracket depth before the token
    text: bytes = b""


@dataclass(slots=True)
class Rewritten:
    """The text handed to tree-sitter, plus what the rewrites need the evaluator to know."""

    data: bytes
    spreads: set[int] = field(default_factory=set)  # start offsets of spread entries
    param_assignments: set[int] = field(default_factory=set)  # .bicepparam 'param' offsets
    type_texts: dict[int, str] = field(default_factory=dict)  # offset -> original type text


class _Scanner:
    """A small Bicep lexer: strings (with interpolation), comments, brackets, identifiers."""

    def __init__(self, data: bytes, out: bytearray) -> None:
        self.data = data
        self.out = out
        self.tokens: list[Token] = []
        self.brackets: list[int] = []  # stack of opening bracket bytes

    def run(self) -> list[Token]:
        pos = 0
        while pos < len(self.data):
            pos = self._token(pos, self.tokens)
        return self.tokens

    def _token(self, pos: int, into: list[Token]) -> int:
        data = self.data
        ch = data[pos : pos + 1]
        depth = len(self.brackets)
        if ch == b"\n":
            into.append(Token("newline", pos, pos + 1, depth))
            return pos + 1
        if ch in b" \t\r":
            return pos + 1
        if data.startswith(b"//", pos) or data.startswith(b"#disable", pos):
            end = data.find(b"\n", pos)
            end = len(data) if end == -1 else end
            into.append(Token("comment", pos, end, depth))
            return end
        if data.startswith(b"/*", pos):
            end = data.find(b"*/", pos + 2)
            end = len(data) if end == -1 else end + 2
            into.append(Token("comment", pos, end, depth))
            return end
        if ch == b"'":
            end = self._string(pos)
            into.append(Token("string", pos, end, depth))
            return end
        match = _IDENT.match(data, pos)
        if match:
            into.append(Token("ident", pos, match.end(), depth, match.group()))
            return match.end()
        match = _NUMBER.match(data, pos)
        if match:
            into.append(Token("number", pos, match.end(), depth, match.group()))
            return match.end()
        return self._punct(pos, into, depth)

    def _punct(self, pos: int, into: list[Token], depth: int) -> int:
        data = self.data
        if data.startswith(b"...", pos):
            into.append(Token("punct", pos, pos + 3, depth, b"..."))
            return pos + 3
        for two in _TWO_CHAR_PUNCT:
            if data.startswith(two, pos):
                into.append(Token("punct", pos, pos + 2, depth, two))
                return pos + 2
        ch = data[pos : pos + 1]
        if ch in b"{[(":
            self.brackets.append(ch[0])
        elif ch in b"}])" and self.brackets:
            self.brackets.pop()
        into.append(Token("punct", pos, pos + 1, len(self.brackets) if ch in b"}])" else depth, ch))
        return pos + 1

    def _string(self, pos: int) -> int:
        data = self.data
        if data.startswith(b"'''", pos):
            end = data.find(b"'''", pos + 3)
            end = len(data) if end == -1 else end + 3
            self._hide_slashes(pos + 3, max(pos + 3, end - 3))
            return end
        pos += 1
        while pos < len(data):
            ch = data[pos : pos + 1]
            if ch == b"\\":
                pos += 2
            elif ch == b"'":
                return pos + 1
            elif ch == b"\n":
                return pos  # unterminated: leave it to the parser to report
            elif data.startswith(b"${", pos):
                pos = self._interpolation(pos + 2)
            else:
                if ch == b"/":
                    self.out[pos] = ord("_")
                pos += 1
        return pos

    def _interpolation(self, pos: int) -> int:
        """Skip an interpolated expression; nested strings are rewritten like any other."""
        saved = self.brackets
        self.brackets = []
        inner: list[Token] = []
        while pos < len(self.data):
            if self.data[pos : pos + 1] == b"}" and not self.brackets:
                break
            pos = self._token(pos, inner)
        self.brackets = saved
        return pos + 1

    def _hide_slashes(self, start: int, end: int) -> None:
        for index in range(start, end):
            if self.out[index] == ord("/"):
                self.out[index] = ord("_")


def _statements(tokens: list[Token]) -> list[list[Token]]:
    """Split top-level tokens into statements; decorators join the statement they decorate."""
    statements: list[list[Token]] = []
    current: list[Token] = []
    line_start = True
    for token in tokens:
        if token.kind == "newline":
            line_start = True
            continue
        at_statement_start = line_start and token.depth == 0
        is_keyword = token.kind == "ident" and token.text.decode() in STATEMENT_KEYWORDS
        starts = at_statement_start and (is_keyword or token.text == b"@")
        if starts and current and not _only_decorators(current):
            statements.append(current)
            current = []
        if token.kind != "comment":
            current.append(token)
            line_start = False
    if current:
        statements.append(current)
    return statements


def _only_decorators(tokens: list[Token]) -> bool:
    """True while a statement has seen nothing but decorators (``@a(...) @b(...)``)."""
    for token in tokens:
        if token.depth == 0 and token.kind == "ident" and token.text.decode() in STATEMENT_KEYWORDS:
            return False
    return True


def _keyword(statement: list[Token]) -> Token | None:
    for token in statement:
        if token.depth == 0 and token.kind == "ident" and token.text.decode() in STATEMENT_KEYWORDS:
            return token
    return None


def _blank(out: bytearray, start: int, end: int) -> None:
    for index in range(start, end):
        if out[index] not in (0x0A, 0x0D):
            out[index] = 0x20


def _write(out: bytearray, start: int, text: bytes) -> None:
    out[start : start + len(text)] = text


def _type_span(statement: list[Token], keyword_index: int) -> tuple[int, int] | None:
    """The tokens between the declared name and '=' (or the end of the statement)."""
    after_name = keyword_index + 2
    if after_name >= len(statement):
        return None
    end_index = len(statement)
    for index in range(after_name, len(statement)):
        token = statement[index]
        if token.depth == 0 and token.text == b"=":
            end_index = index
            break
    if end_index == after_name:
        return None
    return statement[after_name].start, statement[end_index - 1].end


def _rewrite_type(out: bytearray, data: bytes, span: tuple[int, int], result: Rewritten) -> None:
    start, end = span
    text = data[start:end].decode("utf-8", "replace")
    result.type_texts[start] = text
    nullable = text.rstrip().endswith("?")
    if _SIMPLE_TYPE.match(text):
        return
    replacement = b"object?" if nullable else b"object"
    if end - start < len(replacement):
        replacement = b"int?" if nullable else b"int"
    if end - start < len(replacement):
        return
    _blank(out, start, end)
    _write(out, start, replacement)


def _rewrite_statement(
    statement: list[Token], data: bytes, out: bytearray, result: Rewritten, param_file: bool
) -> None:
    keyword = _keyword(statement)
    if keyword is None:
        return
    word = keyword.text.decode()
    if word in BLANKED_STATEMENTS:
        _blank(out, statement[0].start, statement[-1].end)
        return
    index = statement.index(keyword)
    if word == "param" and param_file:
        _write(out, keyword.start, b"var  ")
        result.param_assignments.add(keyword.start)
        return
    span = _type_span(statement, index) if word in ("param", "output", "var") else None
    if span is None:
        return
    if word == "var":
        _blank(out, span[0], span[1])
    else:
        _rewrite_type(out, data, span, result)


def _rewrite_non_null_assertions(tokens: list[Token], out: bytearray) -> None:
    """``x.y!`` asserts non-null and changes no value; the grammar rejects it after a property."""
    previous: Token | None = None
    for token in tokens:
        if (
            token.text == b"!"
            and previous is not None
            and previous.end == token.start
            and (previous.kind == "ident" or previous.text in (b")", b"]"))
        ):
            out[token.start] = 0x20
        if token.kind not in ("newline", "comment"):
            previous = token


def _rewrite_spreads(tokens: list[Token], out: bytearray, result: Rewritten) -> None:
    openers: list[bytes] = []
    for token in tokens:
        if token.kind != "punct":
            continue
        if token.text in (b"{", b"[", b"("):
            openers.append(token.text)
        elif token.text in (b"}", b"]", b")"):
            if openers:
                openers.pop()
        elif token.text == b"..." and openers and out[token.start] != 0x20:
            result.spreads.add(token.start)
            _write(out, token.start, b"__:" if openers[-1] == b"{" else b"   ")


def rewrite(data: bytes, *, param_file: bool = False) -> Rewritten:
    """Return the text to parse; same length and same line breaks as ``data``."""
    out = bytearray(data)
    tokens = _Scanner(data, out).run()
    result = Rewritten(b"")
    for statement in _statements(tokens):
        _rewrite_statement(statement, data, out, result, param_file)
    _rewrite_spreads(tokens, out, result)
    _rewrite_non_null_assertions(tokens, out)
    result.data = bytes(out)
    return result
