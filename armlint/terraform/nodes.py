"""The HCL syntax tree armlint evaluates: bodies, blocks, attributes and expressions.

Every node carries the ``Location`` of its own text, so a fact can point at the exact value
that produced it. The tree is built by ``hclsyntax`` (native syntax) or ``tfjson`` (JSON
syntax); nothing here imports the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from armlint.model import Location


@dataclass(slots=True)
class Expr:
    loc: Location


@dataclass(slots=True)
class Literal(Expr):
    value: Any  # str, int, float, bool or None


@dataclass(slots=True)
class Template(Expr):
    """A quoted string with interpolations; ``parts`` are ``str`` or ``Expr``."""

    parts: list


@dataclass(slots=True)
class Name(Expr):
    """A bare identifier: ``var``, ``local``, ``each``, a resource type, a for variable."""

    name: str


@dataclass(slots=True)
class GetAttr(Expr):
    obj: Expr
    name: str


@dataclass(slots=True)
class Index(Expr):
    obj: Expr
    key: Expr


@dataclass(slots=True)
class Splat(Expr):
    """``x[*].a.b`` or ``x.*.a``: ``steps`` are applied to every element."""

    obj: Expr
    steps: list  # ('attr', name) | ('index', Expr)


@dataclass(slots=True)
class Call(Expr):
    name: str
    args: list
    expand_last: bool = False  # f(args...)


@dataclass(slots=True)
class Conditional(Expr):
    cond: Expr
    then: Expr
    other: Expr


@dataclass(slots=True)
class Binary(Expr):
    op: str
    left: Expr
    right: Expr


@dataclass(slots=True)
class Unary(Expr):
    op: str  # '-' | '!'
    operand: Expr


@dataclass(slots=True)
class TupleExpr(Expr):
    items: list


@dataclass(slots=True)
class ObjectItem:
    key: Expr  # a Literal for identifier keys, otherwise the key expression
    value: Expr
    key_loc: Location


@dataclass(slots=True)
class ObjectExpr(Expr):
    items: list  # ObjectItem


@dataclass(slots=True)
class ForExpr(Expr):
    key_var: str | None
    value_var: str
    collection: Expr
    key_expr: Expr | None  # only for object results
    value_expr: Expr
    cond: Expr | None
    grouping: bool = False  # {for ... : k => v...}


@dataclass(slots=True)
class Unsupported(Expr):
    """Syntax armlint does not evaluate (template directives, heredoc templates)."""

    reason: str


@dataclass(slots=True)
class Attribute:
    name: str
    expr: Expr
    loc: Location  # the attribute name


@dataclass(slots=True)
class Body:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def blocks_of(self, block_type: str) -> list[Block]:
        return [block for block in self.blocks if block.type == block_type]


@dataclass(slots=True)
class Block:
    type: str
    labels: list[str]
    body: Body
    loc: Location  # the block's first token


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
