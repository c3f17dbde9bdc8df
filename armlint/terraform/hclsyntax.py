"""Native HCL syntax: text to the ``nodes`` tree, keeping the position of every value.

python-hcl2's ``with_meta`` option does nothing in 8.x (upstream issue 291), so positions come
from the parse tree of hcl2's own grammar, with lark's ``propagate_positions`` rule: 1-based
lines and character columns. ``lalr`` runs that grammar about 3x faster than hcl2 does; when
it cannot (a syntax error, unexpected tables) hcl2 parses the text and its lark tree is
copied into the same ``SyntaxTree`` shape, so one converter serves both.
``lalr``, hcl2 and lark are imported inside functions, on the first file the fast reader
(``hclfast``) does not take: a check of ordinary files imports none of them.
"""

from __future__ import annotations

import gc
import re
from contextlib import contextmanager

from armlint.model import Location
from armlint.terraform import nodes as n

# Regular expressions that most files never need are compiled on first use (re's own cache),
# not at import: compiling one costs as much as reading a small file.
_HEREDOC_START = r"<<(-?)([A-Za-z][A-Za-z0-9._-]*)\r?\n"


class FastPathUnavailable(Exception):
    """This text (or this grammar and lark) is not for the fast path; use hcl2's parser."""


class SyntaxToken:
    """A terminal with its 1-based start and end (the end column is one past the last char)."""

    __slots__ = ("type", "value", "line", "column", "end_line", "end_column")

    def __init__(self, type_, value, line, column, end_line, end_column) -> None:
        self.type = type_
        self.value = value
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column

    def __str__(self) -> str:
        return self.value

    def update(self, type=None, value=None) -> SyntaxToken:
        """lark's ``Token.update``: hcl2's postlexer merges a newline into an operator with it."""
        return SyntaxToken(
            self.type if type is None else type,
            self.value if value is None else value,
            self.line,
            self.column,
            self.end_line,
            self.end_column,
        )


class SyntaxTree:
    """A rule's node; ``line`` is None when no child has a position (an empty body)."""

    __slots__ = ("data", "children", "line", "column", "end_line", "end_column")

    def __init__(self, data, children, line, column, end_line, end_column) -> None:
        self.data = data
        self.children = children
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column


def parse_tree(text: str) -> SyntaxTree:
    """hcl2's grammar run by ``lalr`` (``lalr.parse_tree``), or ``FastPathUnavailable``.

    ``lalr`` (and with it its tables) is imported on the first file the fast reader does not
    take: most checks never need it."""
    from armlint.terraform.lalr import parse_tree as run_tables

    return run_tables(text)


class HclSyntaxError(ValueError):
    """A syntax error with its 1-based position (1:1 when the parser gave none)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = max(line, 1)
        self.column = max(column, 1)


def parse(text: str, path: str) -> n.Body:
    """Parse HCL text into a ``Body``; raise ``HclSyntaxError`` on any parser failure."""
    with collector_paused():
        return _body(text, path)


def _body(text: str, path: str) -> n.Body:
    from armlint.terraform.hclfast import parse_body

    try:
        return parse_body(text, path)
    except FastPathUnavailable:
        pass  # the reference path below decides (and words any syntax error)
    return reference_body(text, path)


def reference_body(text: str, path: str) -> n.Body:
    """hcl2's grammar (run by ``lalr``, else by hcl2) and the converter: what ``hclfast``
    must equal."""
    # Its own frame, so the parse tree is freed before the collector is back on.
    tree = _parse_tree(text)
    try:
        return _Converter(path).body(tree.children[0])
    except RecursionError:
        raise HclSyntaxError("the file is nested too deeply to read") from None


@contextmanager
def collector_paused():
    """Hold the cyclic garbage collector off; it comes back on as it was, even on errors.

    The parse tree is a few hundred thousand objects for a large file, all alive until it is
    converted, none in a reference cycle: left on, the collector would walk the growing tree
    (and everything loaded before) again and again, a third of the parse time. Reference
    counting still frees every object that is dropped.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_template(text: str, loc: Location) -> n.Expr:
    """Parse a string of Terraform JSON syntax, where templates live inside JSON strings.

    Every node of the result is placed at ``loc``: a JSON string has no inner positions.
    """
    parts: list = []
    pos = 0
    while True:
        start = text.find("${", pos)
        if start < 0 or "%{" in text[pos:start].replace("%%{", ""):
            break
        if start > 0 and text[start - 1] == "$":  # $${ is a literal ${
            parts.append(text[pos : start - 1] + "${")
            pos = start + 2
            continue
        end = _interpolation_end(text, start + 2)
        if end < 0:
            raise HclSyntaxError(f"unterminated interpolation in {text!r}", loc.line, loc.column)
        parts.append(text[pos:start])
        body = parse("x = " + text[start + 2 : end], loc.path)
        expr = body.attributes["x"].expr
        _relocate(expr, loc)
        parts.append(expr)
        pos = end + 1
    rest = text[pos:]
    if "%{" in rest.replace("%%{", ""):
        return n.Unsupported(loc, "template directives (%{...}) are not evaluated")
    parts.append(rest.replace("%%{", "%{"))
    merged = [part for part in _merge_text(parts) if part != ""]
    if len(merged) == 1 and isinstance(merged[0], n.Expr):
        return merged[0]  # "${x}" alone keeps the type of x, as in Terraform
    if all(isinstance(part, str) for part in merged):
        return n.Literal(loc, "".join(merged))
    return n.Template(loc, merged)


def _interpolation_end(text: str, pos: int) -> int:
    """The index of the ``}`` closing an interpolation, skipping nested braces and strings."""
    depth, quoted = 0, False
    while pos < len(text):
        char = text[pos]
        if quoted:
            if char == "\\":
                pos += 1
            elif char == '"':
                quoted = False
        elif char == '"':
            quoted = True
        elif char == "{":
            depth += 1
        elif char == "}":
            if depth == 0:
                return pos
            depth -= 1
        pos += 1
    return -1


def _relocate(expr, loc: Location) -> None:
    """Move a parsed sub-tree to one location."""
    if isinstance(expr, n.Expr):
        expr.loc = loc
    if isinstance(expr, n.ObjectItem):
        expr.key_loc = loc
    for name in getattr(type(expr), "__slots__", ()):
        value = getattr(expr, name, None)
        if isinstance(value, n.Expr | n.ObjectItem):
            _relocate(value, loc)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, n.Expr | n.ObjectItem):
                    _relocate(item, loc)
                elif isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], n.Expr):
                    _relocate(item[1], loc)


def _parse_tree(text: str) -> SyntaxTree:
    try:
        return parse_tree(text)
    except FastPathUnavailable:
        pass  # hcl2's own parser decides, and words any syntax error
    from armlint.terraform.lalr import from_lark

    try:
        tree = from_lark(_lark_tree(text))
    except RecursionError:
        raise HclSyntaxError("the file is nested too deeply to read") from None
    assert isinstance(tree, SyntaxTree)  # lark's parse is its start rule's tree, never a token
    return tree


def _lark_tree(text: str):
    from hcl2.api import parses_to_tree
    from lark.exceptions import LarkError, UnexpectedCharacters, UnexpectedEOF, UnexpectedToken

    try:
        return parses_to_tree(text)
    except UnexpectedCharacters as error:
        shown = text[error.pos_in_stream : error.pos_in_stream + 1] if error.pos_in_stream else ""
        message = f"unexpected character {shown!r}" if shown else "unexpected character"
        raise HclSyntaxError(message, error.line, error.column) from None
    except UnexpectedToken as error:
        raise HclSyntaxError(_token_message(error), error.line, error.column) from None
    except UnexpectedEOF:
        line = text.count("\n") + 1
        raise HclSyntaxError(
            "unexpected end of file (an unclosed block or bracket?)", line
        ) from None
    except LarkError as error:
        raise HclSyntaxError(f"HCL parser error: {_one_line(error)}") from None
    except RecursionError:
        raise HclSyntaxError("the file is nested too deeply to read") from None


def _token_message(error) -> str:
    token = error.token
    if token.type == "$END":
        return "unexpected end of file (an unclosed block or bracket?)"
    if str(token)[:1] in ("\n", "\r"):
        return "unexpected end of line (a value or closing bracket is missing)"
    shown = str(token).strip() or token.type
    if len(shown) > 30:
        shown = shown[:27] + "..."
    return f"unexpected {shown!r}"


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split())
    return text[:200] if text else type(error).__name__


# --- string helpers ----------------------------------------------------------------------

_ESCAPE = r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)"  # with re.S
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


def unescape(chars: str) -> str:
    """Decode HCL string escapes (``\\n``, ``\\"``, ``\\uNNNN``)."""
    if "\\" not in chars:
        return chars  # most strings: no escape to decode

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, "\\" + code)

    return re.sub(_ESCAPE, replace, chars, flags=re.S)


def heredoc_text(token: str) -> str | None:
    """The text of a heredoc, or None when it contains interpolations or directives."""
    match = re.match(_HEREDOC_START, token)
    if match is None:
        return None
    strip_indent, marker = match.group(1) == "-", match.group(2)
    lines = token[match.end() :].replace("\r\n", "\n").split("\n")
    while lines and lines[-1].strip() in ("", marker):  # the closing marker line
        last = lines.pop()
        if last.strip() == marker:
            break
    if strip_indent:
        widths = [len(line) - len(line.lstrip(" \t")) for line in lines if line.strip()]
        cut = min(widths, default=0)
        lines = [line[cut:] for line in lines]
    body = "".join(line + "\n" for line in lines)
    unescaped = body.replace("$${", "\0D").replace("%%{", "\0P")
    if "${" in unescaped or "%{" in unescaped:
        return None
    return unescaped.replace("\0D", "${").replace("\0P", "%{")


# --- tree conversion -----------------------------------------------------------------------


class _Converter:
    """Walks hcl2's lark tree once and builds ``nodes``."""

    def __init__(self, path: str) -> None:
        self.path = path

    def loc(self, item: SyntaxTree | SyntaxToken) -> Location:
        # A node with no positioned child (an empty body) is placed at 1:1, as before.
        line = item.line or 1
        column = item.column or 1
        return Location(self.path, line, column, item.end_line or line, item.end_column or column)

    # body, blocks, attributes

    def body(self, tree) -> n.Body:
        result = n.Body()
        for child in _trees(tree):
            if child.data == "attribute":
                attribute = self.attribute(child)
                result.attributes[attribute.name] = attribute
            elif child.data == "block":
                result.blocks.append(self.block(child))
        return result

    def attribute(self, tree) -> n.Attribute:
        name_tree = tree.children[0]
        expr = self.expr(tree.children[-1])
        return n.Attribute(_name_of(name_tree), expr, self.loc(name_tree))

    def block(self, tree) -> n.Block:
        parts = _trees(tree)
        body_tree = next(part for part in parts if part.data == "body")
        header = [
            part for part in parts if part.data != "body" and part.data != "new_line_or_comment"
        ]
        block_type = _name_of(header[0])
        labels = [self.label(part) for part in header[1:]]
        return n.Block(block_type, labels, self.body(body_tree), self.loc(tree))

    def label(self, tree) -> str:
        if tree.data == "string":
            return "".join(unescape(str(part.children[0])) for part in _trees(tree))
        return _name_of(tree)

    # expressions

    def expr(self, tree) -> n.Expr:
        handler = _EXPRESSIONS.get(tree.data)
        if handler is None:
            return n.Unsupported(self.loc(tree), f"HCL syntax {tree.data!r} is not evaluated")
        return handler(self, tree)

    def x_expr_term(self, tree) -> n.Expr:
        for part in tree.children:  # "(" expression ")" or the term itself
            if part.__class__ is SyntaxTree and part.data != "new_line_or_comment":
                return self.expr(part)
        return n.Unsupported(self.loc(tree), "an empty expression term")

    def x_identifier(self, tree) -> n.Expr:
        return n.Name(self.loc(tree), str(tree.children[0]))

    def x_keyword(self, tree) -> n.Expr:
        return n.Name(self.loc(tree), str(tree.children[0]))

    def x_literal_value(self, tree) -> n.Expr:
        word = str(tree.children[0])
        return n.Literal(self.loc(tree), {"true": True, "false": False, "null": None}[word])

    def x_int_lit(self, tree) -> n.Expr:
        return n.Literal(self.loc(tree), int(str(tree.children[0])))

    def x_float_lit(self, tree) -> n.Expr:
        return n.Literal(self.loc(tree), float(str(tree.children[0])))

    def x_string(self, tree) -> n.Expr:
        parts: list = []
        for part in _trees(tree):
            inner = part.children[0]
            if inner.__class__ is SyntaxToken:
                parts.append(self.string_chars(inner))
            elif inner.data == "interpolation":
                parts.append(self.expr(_trees(inner)[0]))
            else:
                return n.Unsupported(
                    self.loc(tree), "template directives (%{...}) are not evaluated"
                )
        merged = _merge_text(parts)
        if all(isinstance(part, str) for part in merged):
            return n.Literal(self.loc(tree), "".join(merged))
        if len(merged) == 1:
            # "${x}" alone is x itself, not x turned into a string (Terraform 0.11 style).
            merged[0].loc = self.loc(tree)
            return merged[0]
        return n.Template(self.loc(tree), merged)

    def string_chars(self, token) -> str:
        text = str(token)
        if token.type == "ESCAPED_INTERPOLATION":
            return text[1:]
        if token.type == "ESCAPED_DIRECTIVE":
            return text[1:]
        return unescape(text)

    def x_template_string(self, tree) -> n.Expr:
        return n.Unsupported(self.loc(tree), "escaped template strings are not evaluated")

    def x_heredoc_template(self, tree) -> n.Expr:
        text = heredoc_text(str(tree.children[0]))
        if text is None:
            return n.Unsupported(self.loc(tree), "heredoc templates are not evaluated")
        return n.Literal(self.loc(tree), text)

    x_heredoc_template_trim = x_heredoc_template

    def x_conditional(self, tree) -> n.Expr:
        cond, then, other = [part for part in _trees(tree) if part.data != "new_line_or_comment"]
        return n.Conditional(self.loc(tree), self.expr(cond), self.expr(then), self.expr(other))

    def x_binary_op(self, tree) -> n.Expr:
        left_tree, term = [part for part in _trees(tree) if part.data != "new_line_or_comment"]
        operator_tree, right_tree = [
            part for part in _trees(term) if part.data != "new_line_or_comment"
        ]
        operator = str(operator_tree.children[0]).strip()
        return n.Binary(self.loc(tree), operator, self.expr(left_tree), self.expr(right_tree))

    def x_unary_op(self, tree) -> n.Expr:
        operator = str(tree.children[0]).strip()
        return n.Unary(self.loc(tree), operator, self.expr(tree.children[1]))

    def x_tuple(self, tree) -> n.Expr:
        items = [self.expr(part) for part in _trees(tree) if part.data != "new_line_or_comment"]
        return n.TupleExpr(self.loc(tree), items)

    def x_object(self, tree) -> n.Expr:
        items = []
        for elem in _trees(tree):
            if elem.data != "object_elem":
                continue
            key_tree, value_tree = _trees(elem)
            items.append(
                n.ObjectItem(self.object_key(key_tree), self.expr(value_tree), self.loc(key_tree))
            )
        return n.ObjectExpr(self.loc(tree), items)

    def object_key(self, tree) -> n.Expr:
        inner = _trees(tree)[0]
        key = self.expr(inner)
        # A bare identifier key is the key's name, never a variable reference.
        if isinstance(key, n.Name):
            return n.Literal(key.loc, key.name)
        return key

    def x_function_call(self, tree) -> n.Expr:
        names = [str(part.children[0]) for part in _trees(tree) if part.data == "identifier"]
        args_tree = next((part for part in _trees(tree) if part.data == "arguments"), None)
        args, expand = [], False
        if args_tree is not None:
            for part in args_tree.children:
                if part.__class__ is SyntaxTree:
                    if part.data != "new_line_or_comment":
                        args.append(self.expr(part))
                elif part.type == "ELLIPSIS":
                    expand = True
        return n.Call(self.loc(tree), "::".join(names), args, expand)

    def x_index_expr_term(self, tree) -> n.Expr:
        obj_tree, index_tree = _trees(tree)
        return n.Index(self.loc(tree), self.expr(obj_tree), self.index_key(index_tree))

    def index_key(self, tree) -> n.Expr:
        if tree.data == "short_index":
            token = tree.children[-1]
            return n.Literal(self.loc(token), int(str(token)))
        inner = [part for part in _trees(tree) if part.data != "new_line_or_comment"]
        return self.expr(inner[0])

    def x_get_attr_expr_term(self, tree) -> n.Expr:
        obj_tree, attr_tree = _trees(tree)
        return n.GetAttr(self.loc(tree), self.expr(obj_tree), _name_of(_trees(attr_tree)[0]))

    def x_attr_splat_expr_term(self, tree) -> n.Expr:
        obj_tree, splat_tree = _trees(tree)
        return n.Splat(self.loc(tree), self.expr(obj_tree), self.splat_steps(splat_tree))

    x_full_splat_expr_term = x_attr_splat_expr_term

    def splat_steps(self, tree) -> list:
        steps: list[tuple[str, object]] = []
        for part in _trees(tree):
            if part.data == "get_attr":
                steps.append(("attr", _name_of(_trees(part)[0])))
            else:
                steps.append(("index", self.index_key(part)))
        return steps

    def x_for_tuple_expr(self, tree) -> n.Expr:
        return self.for_expr(tree, is_object=False)

    def x_for_object_expr(self, tree) -> n.Expr:
        return self.for_expr(tree, is_object=True)

    def for_expr(self, tree, is_object: bool) -> n.Expr:
        parts = [
            part
            for part in tree.children
            if part.__class__ is SyntaxTree and part.data != "new_line_or_comment"
        ]
        intro, rest = parts[0], parts[1:]
        cond = None
        if rest and rest[-1].data == "for_cond":
            cond_tree = rest.pop()
            cond = self.expr(next(p for p in _trees(cond_tree) if p.data != "new_line_or_comment"))
        names = [str(p.children[0]) for p in _trees(intro) if p.data == "identifier"]
        collection_tree = next(
            p for p in _trees(intro) if p.data not in ("identifier", "new_line_or_comment")
        )
        key_var, value_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        grouping = any(t.__class__ is SyntaxToken and t.type == "ELLIPSIS" for t in tree.children)
        key_expr = self.expr(rest[0]) if is_object else None
        value_expr = self.expr(rest[1] if is_object else rest[0])
        return n.ForExpr(
            self.loc(tree),
            key_var,
            value_var,
            self.expr(collection_tree),
            key_expr,
            value_expr,
            cond,
            grouping,
        )


def _trees(tree: SyntaxTree) -> list:
    return [child for child in tree.children if child.__class__ is SyntaxTree]


# Expression handlers by rule name, looked up once per node (not getattr with a built name).
_EXPRESSIONS = {
    name[2:]: handler for name, handler in vars(_Converter).items() if name.startswith("x_")
}


def _name_of(tree) -> str:
    if tree.__class__ is SyntaxTree:
        if tree.data == "string":
            return "".join(unescape(str(part.children[0])) for part in _trees(tree))
        return str(tree.children[0])
    return str(tree)


def _merge_text(parts: list) -> list:
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    return merged
