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

Statements are split and typed on top-level tokens only. Inside brackets (most of a file: the
bodies of resources and modules) only strings, comments, brackets, ``...`` and ``!`` matter,
so the scanner jumps from one such byte to the next there instead of reading every token;
``rewrite(data, skim=False)`` reads every token and is the reference the tests compare with.

Most of a file needs none of this, and many files need none at all: one regular expression
(``_MAY_NEED_REWRITE``) looks for anything that could start one of the rewrites above, and a
file with none of them is handed to the parser as it is (the scan cost about a third of the
parse). It errs towards rewriting: a match inside a comment or a string only costs time. The
one rewrite it does not look for is hiding a ``/`` that is not followed by ``/`` or ``*``: no
comment can start there, so tree-sitter reads the same tree either way (the corpus test
compares the trees).
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
# the keywords as the scanner's tokens hold them (an identifier is ASCII: no decoding to compare)
_KEYWORD_BYTES = frozenset(word.encode() for word in STATEMENT_KEYWORDS)
BLANKED_STATEMENTS = frozenset({"type", "import", "extension", "provider"})
_SIMPLE_TYPE = re.compile(r"^(string|int|bool|object|array|any)(\[\])*\??$")


@dataclass(slots=True)
class Token:
    kind: str  # "ident" | "punct" | "string" | "number" | "newline"
    start: int
    end: int
    depth: int  # bracket depth (a closing bracket has the depth after it)
    text: bytes = b""


# ``_statements`` only asks a newline token its kind: the skimming scanner shares this one
_NEWLINE = Token("newline", -1, -1, 0, b"\n")


@dataclass(slots=True)
class Rewritten:
    """The text handed to tree-sitter, plus what the rewrites need the evaluator to know."""

    data: bytes
    spreads: set[int] = field(default_factory=set)  # start offsets of spread entries
    param_assignments: set[int] = field(default_factory=set)  # .bicepparam 'param' offsets
    type_texts: dict[int, str] = field(default_factory=dict)  # offset -> original type text
    imported: set[str] = field(default_factory=set)  # names bound by (blanked) import statements


# Spaces before a token are taken with it (one match instead of two); only spaces that end
# the text are a token of their own.
_TOKEN = re.compile(
    rb"""
    [ \t\r]*+
    (?:(?P<newline>\n)
    |(?P<comment>//[^\n]*|\#disable[^\n]*|/\*.*?(?:\*/|\Z))
    |(?P<string>')
    |(?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    |(?P<number>[0-9]+)
    |(?P<punct>\.\.\.|==|!=|=~|!~|<=|>=|&&|\|\||\?\?|\.\?|::|.))
    |(?P<space>[ \t\r]+)
    """,
    re.S | re.X,
)
_COMMENT = re.compile(rb"//[^\n]*|\#disable[^\n]*|/\*.*?(?:\*/|\Z)", re.S)
_STRING_STOP = re.compile(rb"[\\'\n]|\$\{")
# Inside brackets, what the skimming scanner passes over in one match: bytes that can start
# none of a string, a comment, a bracket, '...' or '!' (``'{}[]()/.!#``), a '.' that starts no
# '...', and a one-line string that needs nothing (not a multi-line one, no escape, no
# interpolation or '$' at all, no '/' to hide). ``_nested`` handles the byte it stops at.
_NESTED_SKIP = re.compile(rb"(?:[^'{}\[\]()/.!#]++|'(?!'')[^'\\\n$/]*+'|\.(?!\.\.))*+")
# Anything that may need a rewrite; see the module docstring. Each pattern is wider than the
# rewrite it stands for. Separate searches, each starting with a literal, are several times
# faster than one alternation (which the regex engine tries at every byte). A statement keyword
# followed by ':' is an object key, not a statement.
_SIMPLE_TYPE_AHEAD = (
    rb"(?!(?:string|int|bool|object|array|any)(?:\[\])*\??[ \t\r]*+(?:=|\n|\Z|//|/\*))"
)
_MAY_NEED_REWRITE = tuple(
    re.compile(pattern)
    for pattern in (
        rb"\.\.\.",  # a spread
        rb"!(?![=~])(?<=[\w)\]]!)",  # a non-null assertion
        rb"'''",  # a multi-line string
        *(
            rb"%s(?<!\w%s)\s++\w++\s++%s" % (word, word, _SIMPLE_TYPE_AHEAD)
            for word in (b"param", b"output")  # a declared type that is not a simple one
        ),
        rb"var(?<!\wvar)\s++\w++\s*+(?!=)",  # a typed variable
    )
)
# Then the two that need a look at the start of their line: a statement keyword of a blanked
# statement, unless a name, a number or '.' comes right before it on its line (a statement
# starts on a new line, after decorators at most; 'resource extension ...', 'x.type' and
# 'VM type' in a comment are no statements), and '//' or '/*', which may start a comment
# inside a string when a quote, or the '}' that ends an interpolation, comes before it.
# One search per keyword: each starts with a literal, which the regex engine looks for far
# faster than an alternation (the matches are the same, and only whether one counts matters).
_BLANKED_KEYWORDS = tuple(
    re.compile(rb"%s\b(?!\s*:)" % word) for word in (b"type", b"import", b"extension", b"provider")
)
_SLASHES = re.compile(rb"/[/*]")
_IDENT_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_")
_NAME_OR_DOT = _IDENT_BYTES | {0x2E}


class _Scanner:
    """A small Bicep lexer: strings (with interpolation), comments, brackets, identifiers.

    Only top-level tokens are kept (statements are split and typed at depth 0); the spread
    operator and non-null assertions are rewritten on the fly, at any depth.
    """

    def __init__(self, data: bytes, out: bytearray, result: Rewritten, skim: bool = True) -> None:
        self.data = data
        self.out = out
        self.result = result
        self.skim = skim
        self.brackets: list[int] = []  # stack of opening bracket bytes
        self.previous: tuple[str, int, bytes] = ("", -1, b"")  # kind, end, text

    def run(self) -> list[Token]:
        tokens: list[Token] = []
        if self.skim:
            return self._skim(tokens)
        pos = 0
        size = len(self.data)
        while pos < size:
            pos = self._token(pos, tokens)
        return tokens

    def _skim(self, tokens: list[Token]) -> list[Token]:
        """``_token`` at the top level, written out in the loop (a file's top level is tens of
        thousands of tokens: decorators and parameter lines), and ``_nested`` inside brackets.
        ``_interpolation`` swaps ``self.brackets`` but always puts the same list back."""
        data = self.data
        size = len(data)
        brackets = self.brackets
        match = _TOKEN.match
        append = tokens.append
        pos = 0
        while pos < size:
            if brackets:
                pos = self._nested(pos, tokens)
                continue
            found = match(data, pos)
            if found is None:  # unreachable: '.' matches any byte; kept for safety
                pos += 1
                continue
            kind: str = found.lastgroup  # type: ignore[assignment]  # every alternative is named
            end = found.end()
            if kind == "space" or kind == "comment":
                pos = end
                continue
            start = found.start(kind)
            if kind == "string":
                end = self._string(start)
                self.previous = (kind, end, b"")
                append(Token(kind, start, end, 0, b""))
            else:
                text = found.group(kind)
                if kind == "punct":
                    self._punct(text, start, 0)  # a top-level token's depth is 0 either way
                if kind == "newline":
                    append(_NEWLINE)
                else:
                    self.previous = (kind, end, text)
                    append(Token(kind, start, end, 0, text))
            pos = end
        return tokens

    def _nested(self, pos: int, tokens: list[Token]) -> int:
        """Inside brackets: jump to the next byte that matters and handle it as ``_token``
        would, until the bracket that brings the depth back to 0 (a top-level token)."""
        data = self.data
        size = len(data)
        skip = _NESTED_SKIP.match
        while self.brackets:
            pos = skip(data, pos).end()  # type: ignore[union-attr]  # matches '' at least
            if pos >= size:
                return size
            byte = data[pos]
            if byte == 0x27:  # "'"
                pos = self._string(pos)
            elif byte == 0x2F or byte == 0x23:  # '/' or '#': a comment, else one byte
                pos = self._comment_end(pos)
            elif byte == 0x2E:  # '.'
                pos = self._dots(pos)
            elif byte == 0x21:  # '!'
                pos = self._bang(pos)
            elif byte in b"{[(":
                self.brackets.append(byte)
                pos += 1
            else:
                self.brackets.pop()
                pos += 1
                if not self.brackets:
                    text = data[pos - 1 : pos]
                    self.previous = ("punct", pos, text)
                    tokens.append(Token("punct", pos - 1, pos, 0, text))
        return pos

    def _comment_end(self, pos: int) -> int:
        match = _COMMENT.match(self.data, pos)
        return match.end() if match else pos + 1

    def _dots(self, pos: int) -> int:
        if not self.data.startswith(b"...", pos):
            return pos + 1
        self._punct(b"...", pos, len(self.brackets))
        return pos + 3

    def _bang(self, pos: int) -> int:
        """A postfix '!' right after a name, ')' or ']' (what ``_punct`` checks on tokens)."""
        data = self.data
        if data[pos + 1 : pos + 2] in (b"=", b"~"):
            return pos + 2  # '!=' and '!~'
        start = pos
        while start > 0 and data[start - 1] in _IDENT_BYTES:
            start -= 1
        word = data[start:pos]
        # The token before is a name when the run of name bytes holds a non-digit
        # (a number token is digits only, and "1ab" is the number 1 and then the name ab).
        if (word and not word.isdigit()) or data[pos - 1 : pos] in (b")", b"]"):
            self.out[pos] = 0x20
        return pos + 1

    def _token(self, pos: int, into: list[Token] | None) -> int:
        match = _TOKEN.match(self.data, pos)
        if match is None:  # unreachable: '.' matches any byte; kept for safety
            return pos + 1
        kind: str = match.lastgroup  # type: ignore[assignment]  # every alternative is named
        end = match.end()
        if kind == "space" or kind == "comment":
            return end
        pos = match.start(kind)
        depth = len(self.brackets)
        text = b""
        if kind == "string":
            end = self._string(pos)
        else:
            text = match.group(kind)
            if kind == "punct":
                depth = self._punct(text, pos, depth)
        if kind != "newline":
            self.previous = (kind, end, text)
        if into is not None and depth == 0:
            into.append(Token(kind, pos, end, depth, text))
        return end

    def _punct(self, text: bytes, pos: int, depth: int) -> int:
        """Track brackets; rewrite '...' and a postfix '!'. Returns the token's depth."""
        if text in (b"{", b"[", b"("):
            self.brackets.append(text[0])
        elif text in (b"}", b"]", b")"):
            if self.brackets:
                self.brackets.pop()
            return len(self.brackets)
        elif text == b"..." and self.brackets:
            # '{ ...x }' becomes '{ __:x }' and '[ ...x ]' becomes '[    x ]'
            self.result.spreads.add(pos)
            _write(self.out, pos, b"__:" if self.brackets[-1] == 0x7B else b"   ")
        elif text == b"!":
            kind, end, previous = self.previous
            if end == pos and (kind == "ident" or previous in (b")", b"]")):
                self.out[pos] = 0x20  # 'x.y!' asserts non-null and changes no value
        return depth

    def _string(self, pos: int) -> int:
        data = self.data
        if data.startswith(b"'''", pos):
            end = data.find(b"'''", pos + 3)
            end = len(data) if end == -1 else end + 3
            self._hide_slashes(pos + 3, max(pos + 3, end - 3))
            return end
        pos += 1
        while True:
            stop = _STRING_STOP.search(data, pos)
            if stop is None:
                self._hide_slashes(pos, len(data))
                return len(data)
            self._hide_slashes(pos, stop.start())
            found = stop.group()
            if found == b"\\":
                pos = stop.start() + 2
            elif found == b"'":
                return stop.end()
            elif found == b"\n":
                return stop.start()  # unterminated: leave it to the parser to report
            else:
                pos = self._interpolation(stop.end())

    def _interpolation(self, pos: int) -> int:
        """Skip an interpolated expression; nested strings are rewritten like any other."""
        saved = self.brackets
        self.brackets = []
        while pos < len(self.data):
            if self.data[pos] in b" \t\r":
                pos += 1  # a token takes the spaces before it, the closing '}' too
                continue
            if self.data[pos] == 0x7D and not self.brackets:  # '}'
                break
            pos = self._token(pos, None)
        self.brackets = saved
        return pos + 1

    def _hide_slashes(self, start: int, end: int) -> None:
        # string text is never rewritten before this: the original bytes tell if it has a '/'
        if self.data.find(b"/", start, end) != -1:
            self.out[start:end] = self.out[start:end].replace(b"/", b"_")


def _statements(tokens: list[Token]) -> list[list[Token]]:
    """Split top-level tokens into statements; decorators join the statement they decorate."""
    statements: list[list[Token]] = []
    current: list[Token] = []
    # Whether ``current`` has its keyword yet, kept as tokens arrive: asking again for every
    # decorator made 40,000 decorator lines quadratic (20,000 took 26 s).
    has_keyword = False
    line_start = True
    for token in tokens:
        if token.kind == "newline":
            line_start = True
            continue
        at_statement_start = line_start and token.depth == 0
        is_keyword = token.kind == "ident" and token.text in _KEYWORD_BYTES
        starts = at_statement_start and (is_keyword or token.text == b"@")
        if starts and current and has_keyword:
            statements.append(current)
            current, has_keyword = [], False
        current.append(token)
        has_keyword = has_keyword or (is_keyword and token.depth == 0)
        line_start = False
    if current:
        statements.append(current)
    return statements


def _keyword(statement: list[Token]) -> int | None:
    """The index of the statement's keyword."""
    for index, token in enumerate(statement):
        if token.depth == 0 and token.kind == "ident" and token.text in _KEYWORD_BYTES:
            return index
    return None


_IMPORT_LIST = re.compile(rb"\{([^}]*)\}")
_IMPORT_ALL = re.compile(rb"\*\s+as\s+([A-Za-z_][A-Za-z0-9_]*)")


def _imported_names(text: bytes) -> set[str]:
    """``import {a, b as c} from 'x'`` binds a and c; ``import * as ns from 'x'`` binds ns."""
    names = {match.group(1).decode() for match in _IMPORT_ALL.finditer(text)}
    for match in _IMPORT_LIST.finditer(text):
        for item in match.group(1).split(b","):
            words = item.split()
            if words:
                names.add(words[-1].decode("utf-8", "replace"))
    return names


# every byte but '\n' and '\r' becomes a space
_BLANKS = bytes(byte if byte in (0x0A, 0x0D) else 0x20 for byte in range(256))


def _blank(out: bytearray, start: int, end: int) -> None:
    out[start:end] = out[start:end].translate(_BLANKS)


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
    index = _keyword(statement)
    if index is None:
        return
    keyword = statement[index]
    word = keyword.text.decode()
    if word in BLANKED_STATEMENTS:
        if word == "import":
            result.imported |= _imported_names(data[statement[0].start : statement[-1].end])
        _blank(out, statement[0].start, statement[-1].end)
        return
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


def rewrite(data: bytes, *, param_file: bool = False, skim: bool = True) -> Rewritten:
    """Return the text to parse; same length and same line breaks as ``data``.

    ``skim=False`` reads every token inside brackets too, and rewrites even a file that
    ``may_need_rewrite`` clears: the reference for the tests."""
    if skim and not param_file and not may_need_rewrite(data):
        return Rewritten(data)
    out = bytearray(data)
    result = Rewritten(b"")
    tokens = _Scanner(data, out, result, skim).run()
    for statement in _statements(tokens):
        _rewrite_statement(statement, data, out, result, param_file)
    result.data = bytes(out)
    return result


def may_need_rewrite(data: bytes) -> bool:
    """False when nothing in ``data`` can start a rewrite that changes the parse."""
    if any(pattern.search(data) for pattern in _MAY_NEED_REWRITE):
        return True
    for keyword in _BLANKED_KEYWORDS:
        for match in keyword.finditer(data):
            before = _line_before(data, match.start()).rstrip()
            if not before or before[-1] not in _NAME_OR_DOT:
                return True
    for match in _SLASHES.finditer(data):
        before = _line_before(data, match.start())
        if b"'" in before or b"}" in before:
            return True
    return False


def _line_before(data: bytes, pos: int) -> bytes:
    return data[data.rfind(b"\n", 0, pos) + 1 : pos]
