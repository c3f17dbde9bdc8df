"""The HCL syntax tree armlint evaluates: bodies, blocks, attributes and expressions.

Every node carries the ``Location`` of its own text, so a fact can point at the exact value
that produced it. The tree is built by ``hclsyntax`` (native syntax) or ``tfjson`` (JSON
syntax); nothing here imports the parser.
"""

from __future__ import annotations

from armlint.model import Location, Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any


class Node(Value):
    """What the syntax nodes share: equality and ``repr`` by their fields (the fast reader's
    tree is compared with the reference parser's, and repr digests are a test's snapshot)."""

    __slots__ = ()


class Expr(Node):
    __slots__ = ("loc",)

    def __init__(self, loc: Location) -> None:
        self.loc = loc


class Literal(Expr):
    __slots__ = ("value",)

    def __init__(self, loc: Location, value: Any) -> None:
        self.loc = loc
        self.value = value  # str, int, float, bool or None


class Template(Expr):
    """A quoted string with interpolations; ``parts`` are ``str`` or ``Expr``."""

    __slots__ = ("parts",)

    def __init__(self, loc: Location, parts: list) -> None:
        self.loc = loc
        self.parts = parts


class Name(Expr):
    """A bare identifier: ``var``, ``local``, ``each``, a resource type, a for variable."""

    __slots__ = ("name",)

    def __init__(self, loc: Location, name: str) -> None:
        self.loc = loc
        self.name = name


class GetAttr(Expr):
    __slots__ = ("obj", "name")

    def __init__(self, loc: Location, obj: Expr, name: str) -> None:
        self.loc = loc
        self.obj = obj
        self.name = name


class Index(Expr):
    __slots__ = ("obj", "key")

    def __init__(self, loc: Location, obj: Expr, key: Expr) -> None:
        self.loc = loc
        self.obj = obj
        self.key = key


class Splat(Expr):
    """``x[*].a.b`` or ``x.*.a``: ``steps`` are applied to every element."""

    __slots__ = ("obj", "steps")

    def __init__(self, loc: Location, obj: Expr, steps: list) -> None:
        self.loc = loc
        self.obj = obj
        self.steps = steps  # ('attr', name) | ('index', Expr)


class Call(Expr):
    __slots__ = ("name", "args", "expand_last")

    def __init__(self, loc: Location, name: str, args: list, expand_last: bool = False) -> None:
        self.loc = loc
        self.name = name
        self.args = args
        self.expand_last = expand_last  # f(args...)


class Conditional(Expr):
    __slots__ = ("cond", "then", "other")

    def __init__(self, loc: Location, cond: Expr, then: Expr, other: Expr) -> None:
        self.loc = loc
        self.cond = cond
        self.then = then
        self.other = other


class Binary(Expr):
    __slots__ = ("op", "left", "right")

    def __init__(self, loc: Location, op: str, left: Expr, right: Expr) -> None:
        self.loc = loc
        self.op = op
        self.left = left
        self.right = right


class Unary(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, loc: Location, op: str, operand: Expr) -> None:
        self.loc = loc
        self.op = op  # '-' | '!'
        self.operand = operand


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, loc: Location, items: list) -> None:
        self.loc = loc
        self.items = items


class ObjectItem(Node):
    __slots__ = ("key", "value", "key_loc")

    def __init__(self, key: Expr, value: Expr, key_loc: Location) -> None:
        self.key = key  # a Literal for identifier keys, otherwise the key expression
        self.value = value
        self.key_loc = key_loc


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, loc: Location, items: list) -> None:
        self.loc = loc
        self.items = items  # ObjectItem


class ForExpr(Expr):
    __slots__ = (
        "key_var", "value_var", "collection", "key_expr", "value_expr", "cond", "grouping"
    )  # fmt: skip

    def __init__(
        self,
        loc: Location,
        key_var: str | None,
        value_var: str,
        collection: Expr,
        key_expr: Expr | None,
        value_expr: Expr,
        cond: Expr | None,
        grouping: bool = False,
    ) -> None:
        self.loc = loc
        self.key_var = key_var
        self.value_var = value_var
        self.collection = collection
        self.key_expr = key_expr  # only for object results
        self.value_expr = value_expr
        self.cond = cond
        self.grouping = grouping  # {for ... : k => v...}


class Unsupported(Expr):
    """Syntax armlint does not evaluate (template directives, heredoc templates)."""

    __slots__ = ("reason",)

    def __init__(self, loc: Location, reason: str) -> None:
        self.loc = loc
        self.reason = reason


class Attribute(Node):
    __slots__ = ("name", "expr", "loc")

    def __init__(self, name: str, expr: Expr, loc: Location) -> None:
        self.name = name
        self.expr = expr
        self.loc = loc  # the attribute name


class Body(Node):
    __slots__ = ("attributes", "blocks")

    def __init__(
        self, attributes: dict[str, Attribute] | None = None, blocks: list[Block] | None = None
    ) -> None:
        self.attributes = {} if attributes is None else attributes
        self.blocks = [] if blocks is None else blocks

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


class Block(Node):
    __slots__ = ("type", "labels", "body", "loc")

    def __init__(self, type: str, labels: list[str], body: Body, loc: Location) -> None:
        self.type = type
        self.labels = labels
        self.body = body
        self.loc = loc  # the block's first token


def is_literal(expr: Expr) -> bool:
    """True for a value written out in full: no reference, call or operator inside."""
    if isinstance(expr, Literal):
        return True
    if isinstance(expr, Template):
        return all(isinstance(part, str) for part in expr.parts)
    if isinstance(expr, Unary) and expr.op == "-":
        return is_literal(expr.operand)
    if isinstance(expr, TupleExpr):
        return all(is_literal(item) for item in expr.items)
    if isinstance(expr, ObjectExpr):
        return all(is_literal(item.key) and is_literal(item.value) for item in expr.items)
    return False
