"""The ARM template expression language: recognising, parsing and evaluating ``"[...]"`` strings.

A JSON string that starts with ``[`` and ends with ``]`` is an expression such as
``[concat('vm', copyIndex())]``; ``[[`` at the start escapes a literal bracket. ``parse_expression``
turns the text into a small immutable tree and caches it, because templates repeat the same
expressions many times. ``evaluate`` computes a plain Python value, or ``Unknown`` when the value
depends on something only known at deployment. Only ``ExpressionError`` (syntax) and
``EvaluationError`` (meaning) ever leave this module.

``if``, ``and``, ``or``, ``coalesce`` and ``lambda`` need their arguments unevaluated, so they are
evaluated here; every other function is in ``functions.FUNCTIONS``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from armlint.arm.functions import (
    Budget,
    BudgetExhaustedError,
    EvaluationError,
    FunctionSpec,
    LambdaValue,
    PartialObject,
    ResourceId,
    Scope,
    call_function,
    check_arity,
    deep_equal,
    find_unknown,
    get_index,
    get_property,
    lookup,
    type_name,
)
from armlint.compute.arm_body import sent_branch
from armlint.model import FrozenValue, Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "MAX_DEPTH",
    "Access",
    "Budget",
    "BudgetExhaustedError",
    "Call",
    "EvaluationError",
    "ExpressionError",
    "Index",
    "Literal",
    "Node",
    "PartialObject",
    "Property",
    "ResourceId",
    "Scope",
    "evaluate",
    "evaluate_node",
    "is_expression",
    "parse_expression",
    "unescape",
]

# Deeper nesting is refused with ExpressionError; it also keeps parsing and evaluation (both
# recursive, one or two Python frames per level) far from Python's recursion limit.
MAX_DEPTH = 200
# ARM refuses longer integers anyway (they are 64-bit); checking the length first also avoids
# Python's limit on int() of very long digit strings.
_MAX_INT_DIGITS = 19


class ExpressionError(ValueError):
    """A syntax error; ``offset`` is the character offset in the text given to the parser."""

    def __init__(self, message: str, offset: int) -> None:
        super().__init__(f"{message} (at offset {offset})")
        self.message = message
        self.offset = offset


def is_expression(value: Any) -> bool:
    # Compared by one-character slices, not startswith/endswith: each of those calls parses
    # its optional arguments, and this is asked of every string a VM's paths pass through.
    return isinstance(value, str) and value[:1] == "[" and value[-1:] == "]" and value[1:2] != "["


def unescape(value: str) -> str:
    """``[[text]`` is the literal ``[text]``: ARM drops the first bracket."""
    return value[1:] if value.startswith("[[") else value


# ---------------------------------------------------------------------------------------------
# Syntax tree


# The nodes are plain value classes (model.FrozenValue): equal, hashed and shown by their fields
# as the frozen dataclasses they were (tests compare parsed trees), without the start-up cost of
# creating dataclasses (about 4 million instructions each). A node is never changed after parsing.


class Literal(FrozenValue):
    __slots__ = ("value", "offset")

    def __init__(self, value: str | int, offset: int) -> None:
        self.value = value
        self.offset = offset


class Call(FrozenValue):
    __slots__ = ("name", "key", "args", "offset", "namespace")

    def __init__(
        self, name: str, key: str, args: tuple[Node, ...], offset: int, namespace: str = ""
    ) -> None:
        self.name = name  # as written
        self.key = key  # lower case, for the function table
        self.args = args
        self.offset = offset
        self.namespace = namespace  # user-defined functions are called as namespace.member(...)


class Property(FrozenValue):
    __slots__ = ("name", "offset")

    def __init__(self, name: str, offset: int) -> None:
        self.name = name
        self.offset = offset


class Index(FrozenValue):
    __slots__ = ("index", "offset")

    def __init__(self, index: Node, offset: int) -> None:
        self.index = index
        self.offset = offset


class Access(FrozenValue):
    """A value followed by ``.name`` and ``[index]`` steps, kept flat so long chains cost no
    recursion."""

    __slots__ = ("target", "steps", "offset")

    def __init__(self, target: Node, steps: tuple[Property | Index, ...], offset: int) -> None:
        self.target = target
        self.steps = steps
        self.offset = offset


Node = Literal | Call | Access


# ---------------------------------------------------------------------------------------------
# Tokenizer

_TOKEN = re.compile(
    r"""\s*(?:
        # the most frequent first (each starts with its own characters: the order changes nothing
        # else)
        (?P<punct>[()\[\],.])
      | (?P<name>[A-Za-z_$][A-Za-z0-9_$]*)
        # a string, unrolled so that a long one is one step per run of characters, not per character
      | '(?P<string>[^']*(?:''[^']*)*)'
      | (?P<integer>-?[0-9]+)
      | (?P<end>\Z)
      | (?P<bad>.)
    )""",
    re.VERBOSE | re.DOTALL,
)

Token = tuple[str, "Any", int]  # kind, value, offset; a punctuation mark is its own kind

# The groups of _TOKEN by number: a match's ``lastindex`` and ``start(number)`` cost less than
# ``lastgroup`` and ``start(name)``, which look the name up.
_PUNCT, _NAME, _STRING, _INTEGER, _END = 1, 2, 3, 4, 5


def _tokenize(text: str, start: int, end: int) -> list[Token]:
    """The tokens up to and including the end. ``finditer`` finds them one after the other,
    as ``match`` called at each token's end did (every position matches: ``bad`` takes any
    character), in one C iterator: with the parser taking tokens by index, parsing the
    corpus's 534 distinct expressions went from 85.0 M instructions to 50.8 M (s11-eval)."""
    tokens: list[Token] = []
    append = tokens.append
    for found in _TOKEN.finditer(text, start, end):
        group = found.lastindex
        offset = found.start(group)
        if group == _PUNCT:
            char = text[offset]
            append((char, char, offset))
        elif group == _NAME:
            append(("name", found.group(group), offset))
        elif group == _STRING:
            # offset - 1: the opening quote
            append(("string", found.group(group).replace("''", "'"), offset - 1))
        elif group == _INTEGER:
            append(("integer", found.group(group), offset))
        elif group == _END:
            append(("end", "", offset))
            break
        else:
            char = text[offset]
            if char == "'":
                raise ExpressionError("unterminated string literal", offset)
            raise ExpressionError(f"unexpected character {char!r}", offset)
    return tokens


# ---------------------------------------------------------------------------------------------
# Parser


def _describe(token: Token) -> str:
    kind, value, _ = token
    if kind == "end":
        return "the end of the expression"
    if kind == "string":
        return "a string"
    return f"'{value}'"


class _Parser:
    """Recursive descent over ``value := primary ('.' name | '[' value ']')*`` where a primary
    is a string, an integer or a call ``name(args)`` / ``namespace.name(args)``.

    The tokens end with the end token, and every path that takes it raises: a token is taken
    by ``self.pos += 1`` and the next one looked at by index, without a method call per token
    (``_next``/``_is_punct``: parsing was 5% of a corpus run, where each distinct expression is
    parsed once)."""

    __slots__ = ("tokens", "pos", "depth")

    def __init__(self, text: str, start: int, end: int) -> None:
        self.tokens = _tokenize(text, start, end)
        self.pos = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self._value()
        token = self.tokens[self.pos]
        if token[0] != "end":
            raise ExpressionError(f"unexpected {_describe(token)} after the expression", token[2])
        return node

    def _expect(self, char: str, context: str) -> None:
        token = self.tokens[self.pos]
        self.pos += 1
        if token[0] != char:
            raise ExpressionError(
                f"expected '{char}' {context}, found {_describe(token)}", token[2]
            )

    def _enter(self, offset: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ExpressionError(f"expression nests deeper than {MAX_DEPTH} levels", offset)

    def _value(self) -> Node:
        tokens = self.tokens
        token = tokens[self.pos]
        self.pos += 1
        kind, value, offset = token
        if kind == "name":
            node: Node = self._call(value, offset)
        elif kind == "string":
            node = Literal(value, offset)
        elif kind == "integer":
            node = Literal(self._integer(value, offset), offset)
        else:
            raise ExpressionError(f"expected a value, found {_describe(token)}", offset)
        kind = tokens[self.pos][0]
        if kind != "." and kind != "[":
            return node
        steps: list[Property | Index] = []
        while kind == "." or kind == "[":
            self.pos += 1
            if kind == ".":
                steps.append(self._property())
            else:
                offset_of_bracket = tokens[self.pos - 1][2]
                self._enter(offset_of_bracket)
                steps.append(Index(self._value(), offset_of_bracket))
                self._expect("]", "to close the index")
                self.depth -= 1
            kind = tokens[self.pos][0]
        return Access(node, tuple(steps), node.offset)

    def _property(self) -> Property:
        kind, value, offset = token = self.tokens[self.pos]
        self.pos += 1
        if kind != "name":
            raise ExpressionError(f"expected a property name, found {_describe(token)}", offset)
        return Property(value, offset)

    def _integer(self, digits: str, offset: int) -> int:
        if len(digits.lstrip("-").lstrip("0")) > _MAX_INT_DIGITS:
            raise ExpressionError("integer literal is out of the 64-bit range", offset)
        number = int(digits)
        if not -(2**63) <= number <= 2**63 - 1:
            raise ExpressionError("integer literal is out of the 64-bit range", offset)
        return number

    def _call(self, name: str, offset: int) -> Call:
        tokens = self.tokens
        pos = self.pos
        namespace = ""
        # namespace.name(: the name is not the end token, so two tokens follow the dot
        if tokens[pos][0] == "." and tokens[pos + 1][0] == "name" and tokens[pos + 2][0] == "(":
            namespace = name
            name = tokens[pos + 1][1]
            self.pos = pos = pos + 2
        if tokens[pos][0] != "(":  # the message made only then: one f-string less per call
            self._expect("(", f"after the function name '{name}'")
        self.pos = pos + 1
        self._enter(offset)
        args: list[Node] = []
        if tokens[self.pos][0] == ")":
            self.pos += 1
        else:
            while True:
                args.append(self._value())
                token = tokens[self.pos]
                self.pos += 1
                if token[0] == ")":
                    break
                if token[0] != ",":
                    raise ExpressionError(
                        f"expected ',' or ')' in the arguments of '{name}', "
                        f"found {_describe(token)}",
                        token[2],
                    )
        self.depth -= 1
        return Call(name, name.lower(), tuple(args), offset, namespace)


def parse_expression(text: str) -> Node:
    """Parses ``"[...]"`` (or just what is inside the brackets); offsets refer to ``text``."""
    if not isinstance(text, str):
        raise ExpressionError(f"an expression must be a string, got {type(text).__name__}", 0)
    return _parse_cached(text)


@lru_cache(maxsize=32_768)
def _parse_cached(text: str) -> Node:
    start, end = (1, len(text) - 1) if is_expression(text) else (0, len(text))
    try:
        return _Parser(text, start, end).parse()
    except RecursionError:  # only when the caller itself is already very deep
        raise ExpressionError("expression nests too deeply to parse", start) from None


# ---------------------------------------------------------------------------------------------
# Evaluation


def evaluate(text: str, scope: Scope) -> Any:
    """The value of an expression string: plain data, possibly with ``Unknown`` inside."""
    node = _parse_cached(text) if isinstance(text, str) else parse_expression(text)
    return evaluate_node(node, scope)


def evaluate_node(node: Node, scope: Scope) -> Any:
    """The value of an already parsed expression."""
    try:
        value = _eval(node, scope)
    except RecursionError:
        raise EvaluationError("expression or value nests too deeply to evaluate") from None
    if isinstance(value, LambdaValue):
        raise EvaluationError("lambda() is only allowed as an argument of a function such as map()")
    return value


def _eval(node: Node, scope: Scope) -> Any:
    kind = type(node)
    if kind is Literal:
        return node.value
    if kind is Call:
        return _eval_call(node, scope)
    return _eval_access(node, scope)


# The specs of the functions called so far, by lower-case name and argument count, once that
# count was found right: each call looked the name up and checked the count again (a copy
# loop's instances and every scope evaluate the same parsed expressions).
_CHECKED_SPECS: dict[tuple[str, int], FunctionSpec] = {}


def _eval_call(node: Call, scope: Scope) -> Any:
    scope.budget.spend()
    if node.namespace:
        args = [_eval(arg, scope) for arg in node.args]
        return scope.user_function(f"{node.namespace}.{node.name}", args)
    form = _SPECIAL_FORMS.get(node.key)
    if form is not None:
        return form(node, scope)
    count = len(node.args)
    spec = _CHECKED_SPECS.get((node.key, count))
    if spec is None:
        spec = lookup(node.key)
        if spec is None:
            return Unknown(f"function '{node.name}()' is not evaluated by armlint")
        check_arity(spec, node.name, count)
        _CHECKED_SPECS[node.key, count] = spec
    args = []
    for arg in node.args:  # a loop, not a comprehension: one Python frame less per level
        # A literal without a call to _eval: 3,855 of the corpus's 6,394 arguments (the
        # names of parameters and variables, mostly).
        args.append(arg.value if type(arg) is Literal else _eval(arg, scope))
    return call_function(spec, node.name, args, scope)


def _eval_access(node: Access, scope: Scope) -> Any:
    target, first = node.target, node.steps[0]
    if type(first) is Property and _is_variable_call(target):
        value = scope.variable_member(target, first.name, _eval)
    else:
        value = _eval(target, scope)
    for step in node.steps:
        if isinstance(value, Unknown):
            return value
        if type(step) is Property:
            value = get_property(value, step.name)
        else:
            value = get_index(value, _eval(step.index, scope))
    return value


def _is_variable_call(node: Node) -> bool:
    """``variables('name')`` with the name written literally."""
    return (
        type(node) is Call
        and node.key == "variables"
        and not node.namespace
        and len(node.args) == 1
        and type(node.args[0]) is Literal
        and isinstance(node.args[0].value, str)
    )


# ---------------------------------------------------------------------------------------------
# Lazy functions


def _arity(node: Call, low: int, high: int | None) -> None:
    count = len(node.args)
    if count < low or (high is not None and count > high):
        expected = (
            f"at least {low}" if high is None else str(low) if low == high else f"{low}-{high}"
        )
        raise EvaluationError(f"{node.name}() expects {expected} argument(s), got {count}")


def _eval_unless_failing(node: Node, scope: Scope, fallback: Unknown) -> Any:
    """Evaluates an argument that might not be used at deployment: its error then only means
    the result is unknown. An exhausted budget still stops everything."""
    try:
        return _eval(node, scope)
    except BudgetExhaustedError:
        raise
    except EvaluationError:
        # A caller's own budget class may raise a plain EvaluationError; spending nothing
        # re-raises if that error was the budget running out.
        scope.budget.spend(0)
        return fallback


def _form_if(node: Call, scope: Scope) -> Any:
    _arity(node, 3, 3)
    condition = _eval(node.args[0], scope)
    if condition is True:
        return _eval(node.args[1], scope)
    if condition is False:
        return _eval(node.args[2], scope)
    if not isinstance(condition, Unknown):
        raise EvaluationError(f"if() condition must be a bool, got {type_name(condition)}")
    when_true = _eval_unless_failing(node.args[1], scope, condition)
    when_false = _eval_unless_failing(node.args[2], scope, condition)
    both_known = find_unknown(when_true) is None and find_unknown(when_false) is None
    if both_known and deep_equal(when_true, when_false) is True:
        return when_true
    # An object or null: checked as the object (compute/arm_body.sent_branch says why).
    sent = sent_branch(when_true, when_false)
    return condition if sent is None else sent


def _kleene(node: Call, scope: Scope, deciding: bool) -> Any:
    """and() (deciding=False) and or() (deciding=True), left to right, stopping at the first
    argument equal to ``deciding``; unknown arguments make the result unknown otherwise."""
    _arity(node, 2, None)
    undecided: Unknown | None = None
    for arg in node.args:
        if undecided is None:
            value = _eval(arg, scope)
        else:
            value = _eval_unless_failing(arg, scope, undecided)
        if value is deciding:
            return deciding
        if isinstance(value, Unknown):
            undecided = undecided or value
        elif not isinstance(value, bool) and undecided is None:
            # after an unknown this argument may never be reached at deployment
            raise EvaluationError(f"{node.name}() expects bools, got {type_name(value)}")
    return undecided if undecided is not None else not deciding


def _form_and(node: Call, scope: Scope) -> Any:
    return _kleene(node, scope, deciding=False)


def _form_or(node: Call, scope: Scope) -> Any:
    return _kleene(node, scope, deciding=True)


def _form_coalesce(node: Call, scope: Scope) -> Any:
    _arity(node, 1, None)
    for arg in node.args:
        value = _eval(arg, scope)
        if value is not None:
            return value  # an Unknown too: it may or may not be null
    return None


def _form_lambda(node: Call, scope: Scope) -> Any:
    _arity(node, 2, None)
    params = []
    for arg in node.args[:-1]:
        name = _eval(arg, scope)
        if not isinstance(name, str):
            raise EvaluationError(
                f"lambda() parameter names must be strings, got {type_name(name)}"
            )
        params.append(name)
    return _Lambda(tuple(params), node.args[-1], scope)


_SPECIAL_FORMS = {
    "if": _form_if,
    "and": _form_and,
    "or": _form_or,
    "coalesce": _form_coalesce,
    "lambda": _form_lambda,
}


class _Lambda(LambdaValue):
    def __init__(self, params: tuple[str, ...], body: Node, scope: Scope) -> None:
        self.params = params
        self.body = body
        self.scope = scope

    def __call__(self, *values: Any) -> Any:
        return _eval(
            self.body, _LambdaScope(self.scope, dict(zip(self.params, values, strict=True)))
        )


class _LambdaScope(Scope):
    """The scope of a lambda body: its variables, then everything the enclosing scope sees."""

    def __init__(self, parent: Scope, bindings: dict[str, Any]) -> None:
        super().__init__(parent.budget)
        self._parent = parent
        self._bindings = bindings

    def lambda_variable(self, name: str) -> Any:
        if name in self._bindings:
            return self._bindings[name]
        for key, value in self._bindings.items():
            if key.lower() == name.lower():
                return value
        return self._parent.lambda_variable(name)

    def parameter(self, name: str) -> Any:
        return self._parent.parameter(name)

    def variable(self, name: str) -> Any:
        return self._parent.variable(name)

    def copy_index(self, loop: str | None) -> int | Unknown:
        return self._parent.copy_index(loop)

    def resource_group(self) -> dict:
        return self._parent.resource_group()

    def subscription(self) -> dict:
        return self._parent.subscription()

    def deployment(self) -> dict:
        return self._parent.deployment()

    def environment(self) -> dict:
        return self._parent.environment()

    def reference(self, args: list) -> Any:
        return self._parent.reference(args)

    def user_function(self, name: str, args: list) -> Any:
        return self._parent.user_function(name, args)
