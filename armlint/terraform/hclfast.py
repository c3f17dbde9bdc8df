"""A hand-written HCL reader that builds the ``nodes`` tree directly, as hclsyntax would.

The reference path (``lalr`` runs python-hcl2's grammar, then ``hclsyntax._Converter`` walks
the tree) creates a token object per terminal, a tree node per reduction and then the
``nodes``: about 3 of armlint's 4 Terraform seconds on the corpus. This module lexes the text
with a few regexes into flat lists and parses it by recursive descent straight into
``nodes``, about four times sooner.

It must give exactly what the reference gives, positions included, so it follows hcl2's
grammar (hcl2.lark) and its quirks rule by rule:

- a node spans its first to its last token (lark's ``propagate_positions``), and a binary
  operation keeps the newlines and comments that follow it (``binary_op: ... new_line_or_comment?``,
  LALR shifts them), so its end is the end of the last of them;
- a newline just before a binary operator belongs to the operator (hcl2's postlexer), so the
  expression goes on on the next line;
- a newline is allowed only where the grammar has ``new_line_or_comment?``.

Anything it does not handle the same way (template directives, escaped template strings,
interpolations in block labels, a syntax error, nesting too deep) raises
``FastPathUnavailable`` and the caller takes the reference path, which also words errors.
tests/terraform/test_tf_fastread.py compares both paths on the corpus and on tricky cases.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from armlint.model import Location
from armlint.terraform import nodes as n
from armlint.terraform.hclsyntax import FastPathUnavailable, _merge_text, heredoc_text, unescape

# hcl2.lark's STRING_CHARS, one character (or escape) at a time. hcl2 writes it as
# (?:(?!\$\$\{)(?!\$\{)(?!%%\{)(?!%\{)[^"\\]|\\.|(?:\$(?!\$?\{))|(?:%(?!%?\{))): its first
# alternative takes a "$" or "%" exactly when the last two do, so this shorter form matches the
# same text (and compiles and runs in half the steps).
_STRING_CHAR = r"(?:[^\"\\$%]|\\.|\$(?!\$?\{)|%(?!%?\{))"

# Outside strings. Group order is the order of preference, as in lark's scanner.
_CODE = re.compile(
    r"(?P<WS>[ \t\r]+)"
    r"|(?P<NL>\n[ \t]*|#[^\n]*\n|//[^\n]*\n|/\*[\s\S]*?\*/)"
    rf"|(?P<STRING>\"{_STRING_CHAR}*\")"  # a string without interpolations: one token
    r"|(?P<QUOTE>\")"
    r"|(?P<HEREDOC><<-?[a-zA-Z])"
    # hcl2.lark's FLOAT_LITERAL keeps a leading minus ("-1.5" is one literal, "-1" is not).
    r"|(?P<FLOAT>-?[0-9]+(?:\.[0-9]+(?:[eE][+-]?[0-9]+)?|[eE][+-]?[0-9]+))"
    r"|(?P<INT>[0-9]+)"
    r"|(?P<NAME>[a-zA-Z_][a-zA-Z0-9_-]*)"
    r"|(?P<OP>==|!=|<=|>=|&&|\|\||=>|\.\.\.|\.\*|\[\*\]|::|[-+*/%<>!?(){}\[\],.=:])"
)
# Inside a string with interpolations (lark's priorities: escapes before plain characters).
# This one and the next are compiled on first use (re's cache): a file without interpolations
# or heredocs never needs them, and compiling one costs about as much as lexing a small file.
_IN_STRING = (
    r"(?P<ESCAPED>\$\$\{[^}]*\}|%%\{[^}]*\})"
    rf"|(?P<CHARS>{_STRING_CHAR}+)"
    r"|(?P<INTERP>\$\{)"
    r"|(?P<QUOTE>\")"
)
# hcl2.lark's HEREDOC_TEMPLATE and HEREDOC_TEMPLATE_TRIM.
_HEREDOC = r"<<(-?)(?P<marker>[a-zA-Z][a-zA-Z0-9._-]*)\r?\n(?:(?:.|\n)*?\r?\n)??\s*(?P=marker)\r?\n"
# hcl2's postlexer merges a newline into a following operator of these (never "-").
_MERGES_NEWLINE = frozenset(("==", "!=", "<", ">", "<=", ">=", "*", "/", "%", "&&", "||", "+", "?"))
# Binary operators by precedence level, loosest first (hcl2.lark's ladder).
_LEVEL = {
    "||": 0,
    "&&": 1,
    "==": 2,
    "!=": 2,
    "<": 3,
    ">": 3,
    "<=": 3,
    ">=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
}
_LITERALS = {"true": True, "false": False, "null": None}
_END = "$END"


def parse_body(text: str, path: str) -> n.Body:
    """The file's ``Body``, or ``FastPathUnavailable`` (the reference path decides)."""
    try:
        reader = _Reader(text + "\n", path)  # hcl2 appends a newline too
        body = reader.body(top=True)
    except RecursionError:
        raise FastPathUnavailable("nested too deeply for the fast reader") from None
    return body


# --- lexing ------------------------------------------------------------------------------


def _lex(text: str) -> tuple[list, list, list, list]:
    """Tokens as parallel lists: kind, text, start offset, end offset.

    Kinds: NL, STRING (a whole string without interpolations), QUOTE, CHARS, ESCAPED,
    INTERP, HEREDOC, FLOAT, INT, NAME, and operators as their own text; ``$END`` last.
    """
    kinds: list = []
    values: list = []
    starts: list = []
    ends: list = []
    size = len(text)
    pos = 0
    in_string = False
    depth = 0  # braces open in the current interpolation (or at the top)
    saved: list = []  # the depth outside each open interpolation
    # in_string_match is code until the first string with interpolations compiles its own.
    code = in_string_match = _CODE.match
    while pos < size:
        match = in_string_match(text, pos) if in_string else code(text, pos)
        if match is None:
            raise FastPathUnavailable(f"no token at offset {pos}")
        kind = match.lastgroup
        end = match.end()
        if kind == "WS":
            pos = end
            continue
        value = match.group()
        if in_string:
            if kind == "QUOTE":
                in_string = False
            elif kind == "INTERP":
                in_string = False
                saved.append(depth)
                depth = 0
        elif kind == "OP":
            kind = value
            if value == "{":
                depth += 1
            elif value == "}":
                if depth == 0 and saved:
                    in_string = True  # the interpolation ends, the string goes on
                    depth = saved.pop()
                else:
                    depth -= 1
            elif value in _MERGES_NEWLINE and kinds and kinds[-1] == "NL":
                # The postlexer puts the newline into the operator: it is no token of its own.
                kinds.pop(), values.pop(), starts.pop(), ends.pop()
        elif kind == "QUOTE":
            in_string = True  # only a QUOTE enters a string, so the pattern is ready below
            if in_string_match is code:
                in_string_match = re.compile(_IN_STRING).match
        elif kind == "HEREDOC":
            heredoc = re.compile(_HEREDOC).match(text, pos)
            if heredoc is None:
                raise FastPathUnavailable("not a heredoc")
            end = heredoc.end()
            value = heredoc.group()
        elif kind == "FLOAT" and kinds and kinds[-1] == ".":
            raise FastPathUnavailable("digits after a dot")  # lark reads a.0.1 as two indexes
        kinds.append(kind)
        values.append(value)
        starts.append(pos)
        ends.append(end)
        pos = end
    if in_string or saved:
        raise FastPathUnavailable("unterminated string")
    kinds.append(_END)
    values.append("")
    starts.append(size)
    ends.append(size)
    return kinds, values, starts, ends


def _line_starts(text: str) -> list:
    starts = [0]
    find = text.find
    pos = find("\n")
    while pos >= 0:
        starts.append(pos + 1)
        pos = find("\n", pos + 1)
    return starts


# --- parsing -----------------------------------------------------------------------------


class _Reader:
    """Recursive descent over the token lists; ``self.i`` is the next token.

    Expression methods return ``(node, first, last)``: the node and the indexes of the first
    and last tokens of its syntax (they differ from the node's own span for "(x)", whose node
    is x but whose syntax includes the parentheses).
    """

    def __init__(self, text: str, path: str) -> None:
        self.kinds, self.values, self.starts, self.ends = _lex(text)
        self.lines = _line_starts(text)
        self.path = path
        self.i = 0

    # positions

    def loc(self, first: int, last: int) -> Location:
        """lark's span: from the first token's start to the last token's end (1-based)."""
        lines = self.lines
        start, end = self.starts[first], self.ends[last]
        line = bisect_right(lines, start)
        end_line = bisect_right(lines, end)
        return Location(
            self.path, line, start - lines[line - 1] + 1, end_line, end - lines[end_line - 1] + 1
        )

    # token helpers

    def fail(self, what: str):
        raise FastPathUnavailable(f"{what} at token {self.i}")

    def expect(self, kind: str) -> int:
        index = self.i
        if self.kinds[index] != kind:
            self.fail(f"expected {kind}")
        self.i = index + 1
        return index

    def newlines(self) -> int | None:
        """Skip ``new_line_or_comment?``; the index of its last token, or None."""
        kinds, index = self.kinds, self.i
        if kinds[index] != "NL":
            return None
        while kinds[index + 1] == "NL":
            index += 1
        self.i = index + 1
        return index

    # bodies and blocks

    def body(self, top: bool = False) -> n.Body:
        """``body: (new_line_or_comment? (attribute | block))* new_line_or_comment?``"""
        result = n.Body()
        kinds = self.kinds
        closing = _END if top else "}"
        while True:
            self.newlines()
            kind = kinds[self.i]
            if kind == closing:
                return result
            if kind != "NAME":
                self.fail("expected an attribute or a block")
            if kinds[self.i + 1] == "=":
                attribute = self.attribute()
                result.attributes[attribute.name] = attribute
            else:
                result.blocks.append(self.block())

    def attribute(self) -> n.Attribute:
        name = self.i
        self.i += 2  # the name and "="
        expr = self.expression()[0]
        return n.Attribute(self.values[name], expr, self.loc(name, name))

    def block(self) -> n.Block:
        kinds, values = self.kinds, self.values
        first = self.i
        self.i += 1
        labels = []
        while True:
            kind = kinds[self.i]
            if kind == "NAME":
                labels.append(values[self.i])
            elif kind == "STRING":
                labels.append(unescape(values[self.i][1:-1]))
            else:
                break
            self.i += 1
        self.newlines()
        self.expect("{")
        body = self.body()
        last = self.expect("}")
        return n.Block(values[first], labels, body, self.loc(first, last))

    # expressions

    def expression(self) -> tuple:
        """``?expression: or_expr "?" ... ":" expression -> conditional | or_expr``"""
        cond, first, last = self.binary(0)
        if self.kinds[self.i] != "?":
            return cond, first, last
        self.i += 1
        self.newlines()
        then = self.expression()[0]
        self.newlines()
        self.expect(":")
        self.newlines()
        other, _, last = self.expression()
        return n.Conditional(self.loc(first, last), cond, then, other), first, last

    def binary(self, lowest: int) -> tuple:
        """Left-associative operators of level ``lowest`` or tighter (precedence climbing).

        Each operation keeps the newlines that follow it, as the grammar's trailing
        ``new_line_or_comment?`` does: the innermost operation at the right edge takes them.
        """
        left, first, last = self.unary()
        kinds = self.kinds
        while True:
            operator = kinds[self.i]
            level = _LEVEL.get(operator)
            if level is None or level < lowest:
                return left, first, last
            self.i += 1
            self.newlines()
            right, _, last = self.binary(level + 1)
            trailing = self.newlines()
            if trailing is not None:
                last = trailing
            left = n.Binary(self.loc(first, last), operator, left, right)

    def unary(self) -> tuple:
        """``!unary_op: ("-" | "!") expr_term`` or an ``expr_term``."""
        kind = self.kinds[self.i]
        if kind != "-" and kind != "!":
            return self.term()
        first = self.i
        self.i += 1
        operand, _, last = self.term()
        return n.Unary(self.loc(first, last), kind, operand), first, last

    def term(self) -> tuple:
        """A primary expression and its ``.name``, ``[index]``, ``.0`` and splat suffixes."""
        node, first, last = self.primary()
        kinds = self.kinds
        while True:
            kind = kinds[self.i]
            if kind == ".":
                after = kinds[self.i + 1]
                if after == "NAME":
                    last = self.i + 1
                    node = n.GetAttr(self.loc(first, last), node, self.values[last])
                elif after == "INT":
                    last = self.i + 1
                    key = n.Literal(self.loc(last, last), int(self.values[last]))
                    node = n.Index(self.loc(first, last), node, key)
                else:
                    self.fail("expected a name or an index after '.'")
                self.i = last + 1
            elif kind == "[":
                key, last = self.braces_index()
                node = n.Index(self.loc(first, last), node, key)
            elif kind == ".*" or kind == "[*]":
                star = self.i
                self.i += 1
                steps, last = self.splat_steps(star)
                node = n.Splat(self.loc(first, last), node, steps)
            else:
                return node, first, last

    def braces_index(self) -> tuple:
        """``braces_index: "[" new_line_or_comment? expression new_line_or_comment? "]"``"""
        self.i += 1
        self.newlines()
        key = self.expression()[0]
        self.newlines()
        return key, self.expect("]")

    def splat_steps(self, last: int) -> tuple:
        """``(get_attr | index)*`` after ``.*`` or ``[*]``: every one that follows."""
        kinds, values = self.kinds, self.values
        steps: list = []
        while True:
            kind = kinds[self.i]
            if kind == "." and kinds[self.i + 1] == "NAME":
                last = self.i + 1
                steps.append(("attr", values[last]))
                self.i = last + 1
            elif kind == "." and kinds[self.i + 1] == "INT":
                last = self.i + 1
                steps.append(("index", n.Literal(self.loc(last, last), int(values[last]))))
                self.i = last + 1
            elif kind == "[":
                key, last = self.braces_index()
                steps.append(("index", key))
            else:
                return steps, last

    def primary(self) -> tuple:
        index = self.i
        kind = self.kinds[index]
        value = self.values[index]
        if kind == "NAME":
            following = self.kinds[index + 1]
            if following == "(" or following == "::":
                return self.call()
            self.i = index + 1
            if value in _LITERALS:
                return n.Literal(self.loc(index, index), _LITERALS[value]), index, index
            return n.Name(self.loc(index, index), value), index, index
        if kind == "STRING":
            self.i = index + 1
            return n.Literal(self.loc(index, index), unescape(value[1:-1])), index, index
        if kind == "INT" or kind == "FLOAT":
            self.i = index + 1
            number = int(value) if kind == "INT" else float(value)
            return n.Literal(self.loc(index, index), number), index, index
        if kind == "(":
            self.i = index + 1
            self.newlines()
            inner = self.expression()[0]
            self.newlines()
            return inner, index, self.expect(")")
        if kind == "[":
            return self.tuple_or_for()
        if kind == "{":
            return self.object_or_for()
        if kind == "QUOTE":
            return self.template()
        if kind == "HEREDOC":
            self.i = index + 1
            text = heredoc_text(value)
            where = self.loc(index, index)
            if text is None:
                return n.Unsupported(where, "heredoc templates are not evaluated"), index, index
            return n.Literal(where, text), index, index
        return self.fail(f"unexpected {kind}")

    def call(self) -> tuple:
        """``function_call: identifier ("::" identifier "::" identifier)? "(" arguments? ")"``"""
        first = self.i
        names = [self.values[first]]
        self.i += 1
        if self.kinds[self.i] == "::":
            for _ in range(2):
                self.expect("::")
                names.append(self.values[self.expect("NAME")])
        self.expect("(")
        self.newlines()
        args, expand = self.arguments()
        self.newlines()
        last = self.expect(")")
        return n.Call(self.loc(first, last), "::".join(names), args, expand), first, last

    def arguments(self) -> tuple:
        """``expression (nl? "," nl? expression)* ("," | "...")? nl?``: a newline may come
        before a comma that another argument follows, never before the last one."""
        kinds = self.kinds
        args: list = []
        if kinds[self.i] == ")" or kinds[self.i] == "NL":
            return args, False
        while True:
            args.append(self.expression()[0])
            newline = self.newlines() is not None
            kind = kinds[self.i]
            if kind == "...":
                if newline:
                    self.fail("a newline before '...'")
                self.i += 1
                return args, True
            if kind != ",":
                return args, False
            self.i += 1
            self.newlines()
            if kinds[self.i] == ")":
                if newline:
                    self.fail("a newline before a trailing comma")
                return args, False

    def tuple_or_for(self) -> tuple:
        """``tuple: "[" (expression ","?)* "]"`` (newlines anywhere) or a for expression."""
        first = self.i
        self.i += 1
        self.newlines()
        if self.is_for():
            return self.for_expr(first, is_object=False)
        kinds = self.kinds
        items = []
        while kinds[self.i] != "]":
            items.append(self.expression()[0])
            self.newlines()
            if kinds[self.i] == ",":
                self.i += 1
                self.newlines()
            elif kinds[self.i] != "]":
                self.fail("expected ',' or ']'")
        last = self.i
        self.i += 1
        return n.TupleExpr(self.loc(first, last), items), first, last

    def object_or_for(self) -> tuple:
        """``object: "{" (object_elem ","?)* "}"`` (newlines anywhere) or a for expression."""
        first = self.i
        self.i += 1
        self.newlines()
        if self.is_for():
            return self.for_expr(first, is_object=True)
        kinds = self.kinds
        items = []
        while kinds[self.i] != "}":
            items.append(self.object_elem())
            self.newlines()
            if kinds[self.i] == ",":
                self.i += 1
                self.newlines()
        last = self.i
        self.i += 1
        return n.ObjectExpr(self.loc(first, last), items), first, last

    def object_elem(self) -> n.ObjectItem:
        """``object_elem: object_elem_key ("=" | ":") expression``; a bare name key is a
        string (hclsyntax's ``object_key``)."""
        key, first, last = self.expression()
        if self.kinds[self.i] != "=" and self.kinds[self.i] != ":":
            self.fail("expected '=' or ':'")
        self.i += 1
        value = self.expression()[0]
        if isinstance(key, n.Name):
            key = n.Literal(key.loc, key.name)
        return n.ObjectItem(key, value, self.loc(first, last))

    def is_for(self) -> bool:
        """``for`` opens a for expression unless it is an object key (``{ for = 1 }``)."""
        return (
            self.kinds[self.i] == "NAME"
            and self.values[self.i] == "for"
            and self.kinds[self.i + 1] not in ("=", ":")
        )

    def for_expr(self, first: int, is_object: bool) -> tuple:
        """``for_tuple_expr`` and ``for_object_expr`` with their ``for_intro``."""
        kinds = self.kinds
        self.i += 1  # "for"
        self.newlines()
        names = [self.values[self.expect("NAME")]]
        if kinds[self.i] == ",":
            self.i += 1
            names.append(self.values[self.expect("NAME")])
            self.newlines()
        self.newlines()
        self.expect_word("in")
        self.newlines()
        collection = self.expression()[0]
        self.newlines()
        self.expect(":")
        self.newlines()
        key_expr = None
        if is_object:
            key_expr = self.expression()[0]
            self.expect("=>")
            self.newlines()
        value_expr = self.expression()[0]
        self.newlines()
        grouping = False
        if is_object and kinds[self.i] == "...":
            grouping = True
            self.i += 1
            self.newlines()
        cond = None
        if kinds[self.i] == "NAME" and self.values[self.i] == "if":
            self.i += 1
            self.newlines()
            cond = self.expression()[0]
            self.newlines()
        last = self.expect("}" if is_object else "]")
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        node = n.ForExpr(
            self.loc(first, last),
            key_var,
            value_var,
            collection,
            key_expr,
            value_expr,
            cond,
            grouping,
        )
        return node, first, last

    def expect_word(self, word: str) -> None:
        if self.kinds[self.i] != "NAME" or self.values[self.i] != word:
            self.fail(f"expected {word!r}")
        self.i += 1

    def template(self) -> tuple:
        """A quoted string with interpolations (hclsyntax's ``x_string``)."""
        kinds, values = self.kinds, self.values
        first = self.i
        self.i += 1
        parts: list = []
        while True:
            kind = kinds[self.i]
            if kind == "QUOTE":
                break
            if kind == "CHARS":
                parts.append(unescape(values[self.i]))
                self.i += 1
            elif kind == "ESCAPED":
                parts.append(values[self.i][1:])  # $${ and %%{ are a literal ${ and %{
                self.i += 1
            else:  # INTERP
                self.i += 1
                parts.append(self.expression()[0])
                self.expect("}")
        last = self.i
        self.i += 1
        where = self.loc(first, last)
        merged = _merge_text(parts)
        if all(isinstance(part, str) for part in merged):
            return n.Literal(where, "".join(merged)), first, last
        if len(merged) == 1:
            merged[0].loc = where  # "${x}" alone is x itself
            return merged[0], first, last
        return n.Template(where, merged), first, last
