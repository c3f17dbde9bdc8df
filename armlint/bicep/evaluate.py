"""Evaluating Bicep expressions over the syntax tree.

``evaluate(node, template, env)`` returns a ``V``. Whatever cannot be known before deployment
(``resourceGroup()``, ``reference()``, runtime resource properties, secure parameters without a
value, registry module outputs) is ``Unknown(reason)``; it is a value, never an exception. A
step budget per root evaluation keeps pathological files bounded: once it is spent, every
further expression is Unknown and the loader adds a note.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from armlint.bicep import functions, strings
from armlint.bicep.program import TRIVIA, named, written_members
from armlint.bicep.values import (
    Lambda,
    ModuleRef,
    ResourceRef,
    Site,
    V,
    first_unknown,
    lookup,
    merge_origin,
    plain,
)
from armlint.compute.arm_body import sent_branch, sent_step
from armlint.model import Unknown

if TYPE_CHECKING:
    from armlint.bicep.template import Template

MAX_LOOP_ITEMS = 1000
MAX_DEPTH = 150  # nested evaluations (expressions, variables, modules) before giving up
LITERAL_CAPABLE = frozenset({"number", "boolean", "null", "string", "object", "array"})


class OutputsRef:
    """``mod.outputs``: outputs are evaluated one by one, only when used."""

    __slots__ = ("module",)

    def __init__(self, module: Any) -> None:
        self.module = module


class Namespace:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


def site(template: Template, node: Any) -> Site:
    return Site(template.source, node)


def unknown(reason: str, template: Template, node: Any, origin: list[V] | None = None) -> V:
    trace, deps = merge_origin(origin or [])
    return V(Unknown(reason), site(template, node), trace, False, deps)


def evaluate(node: Any, template: Template, env: dict[str, V]) -> V:
    engine = template.engine
    engine.steps += 1
    if engine.steps > engine.budget:
        engine.exhausted = True
        return unknown("evaluation step budget exhausted", template, node)
    kind = node.type  # each read of a node's type makes a new string
    handler = _HANDLERS.get(kind)
    if handler is None:
        if node.is_error or node.is_missing:
            return unknown("syntax error", template, node)
        return unknown(f"'{template.source.text(node)[:40]}' is not evaluated", template, node)
    if engine.depth >= MAX_DEPTH:
        return unknown("expression nested too deeply to evaluate", template, node)
    engine.depth += 1
    try:
        result = handler(node, template, env)
    finally:
        engine.depth -= 1
    if result.literal and kind not in LITERAL_CAPABLE:
        result = result.computed()  # a literal reached through an expression is evaluated
    return result


# --- literals ---------------------------------------------------------------------------------


def _number(node: Any, template: Template, env: dict) -> V:
    text = template.source.text(node)
    try:
        value: Any = int(text)
    except ValueError:
        value = Unknown(f"number {text!r} is not an integer")
    return V(value, site(template, node), literal=True)


def _boolean(node: Any, template: Template, env: dict) -> V:
    return V(template.source.text(node) == "true", site(template, node), literal=True)


def _null(node: Any, template: Template, env: dict) -> V:
    return V(None, site(template, node), literal=True)


def _string(node: Any, template: Template, env: dict) -> V:
    pieces = strings.parts(template.source, node)
    if all(isinstance(piece, str) for piece in pieces):
        return V("".join(pieces), site(template, node), literal=True)
    texts: list[str] = []
    used: list[V] = []
    for piece in pieces:
        if isinstance(piece, str):
            texts.append(piece)
            continue
        if piece is None:
            return unknown("empty interpolation", template, node)
        value = evaluate(piece, template, env)
        used.append(value)
        missing = first_unknown(value.value)
        if missing is not None:
            return unknown(missing.reason, template, node, used)
        texts.append(functions.to_text(plain(value)))
    trace, deps = merge_origin(used)
    return V("".join(texts), site(template, node), trace, False, deps)


def _object(node: Any, template: Template, env: dict) -> V:
    written = written_members(node, template.program)  # read once per node
    if written is not None:
        return _written_object(node, written, template, env)
    members: dict[str, V] = {}
    literal = True
    spreads = template.source.rewritten.spreads
    for prop in named(node):
        parts = named(prop) if prop.type == "object_property" else []
        if len(parts) < 2 or parts[0].type == "resource_declaration":
            continue
        key_node, value_node = parts[0], parts[-1]
        value = evaluate(value_node, template, env).at(site(template, value_node))
        if key_node.start_byte in spreads:
            if isinstance(value.value, dict):
                members.update(value.value)
            literal = False
            continue
        key = _key(key_node, template, env)
        if key is None:
            literal = False
            continue
        members[key] = value
        literal = literal and value.literal
    return V(members, site(template, node), literal=literal)


def _written_object(node: Any, written: list, template: Template, env: dict) -> V:
    """An object without spreads or computed keys: the members ``written_members`` read, each
    evaluated in order as in ``_object``."""
    members: dict[str, V] = {}
    literal = True
    for key, value_node in written:
        value = evaluate(value_node, template, env).at(site(template, value_node))
        members[key] = value
        literal = literal and value.literal
    return V(members, site(template, node), literal=literal)


def _key(node: Any, template: Template, env: dict) -> str | None:
    if node.type == "string":
        value = _string(node, template, env).value
        return value if isinstance(value, str) else None
    return template.source.text(node)


def _array(node: Any, template: Template, env: dict) -> V:
    items: list[V] = []
    literal = True
    spreads = template.source.rewritten.spreads
    for child, value in _array_elements(named(node), template, env):
        value = value.at(site(template, child))
        spread = child.start_byte - 3 in spreads or child.start_byte in spreads
        if spread and isinstance(value.value, list):
            items.extend(value.value)
            literal = False
            continue
        items.append(value)
        literal = literal and value.literal
    return V(items, site(template, node), literal=literal)


def _array_elements(children: list[Any], template: Template, env: dict):
    """Evaluate array elements; ``f(x)`` is re-joined where the grammar split it in two.

    tree-sitter-bicep 1.1 reads a one-argument call in an array (``[ string(x) ]``) as an
    identifier followed by a parenthesized expression; adjacency tells the two apart.
    """
    index = 0
    while index < len(children):
        child = children[index]
        following = children[index + 1] if index + 1 < len(children) else None
        if (
            child.type == "identifier"
            and following is not None
            and following.type == "parenthesized_expression"
            and following.start_byte == child.end_byte
        ):
            arguments = named(following)
            yield child, call_named(template.source.text(child), arguments, template, env, child)
            index += 2
            continue
        yield child, evaluate(child, template, env)
        index += 1


# --- names and access -------------------------------------------------------------------------


def _identifier(node: Any, template: Template, env: dict) -> V:
    name = template.source.text(node)
    if name in env:
        return env[name]
    return template.symbol(name, node)


def _parenthesized(node: Any, template: Template, env: dict) -> V:
    inner = named(node)
    if not inner:
        return unknown("empty parentheses", template, node)
    return evaluate(inner[0], template, env)


def _is_safe(node: Any) -> bool:
    return any(child.type in (".?", "?") for child in node.children if not child.is_named)


def _member(node: Any, template: Template, env: dict) -> V:
    target_node = node.child_by_field_name("object")
    prop_node = node.child_by_field_name("property")
    if target_node is None or prop_node is None:
        return unknown("incomplete property access", template, node)
    target_text = template.source.text(target_node)
    if target_node.type == "identifier" and target_text in ("az", "sys") and target_text not in env:
        return V(Namespace(template.source.text(prop_node)), site(template, node))
    target = evaluate(target_node, template, env)
    return access(target, template.source.text(prop_node), _is_safe(node), template, node)


def _subscript(node: Any, template: Template, env: dict) -> V:
    target_node = node.child_by_field_name("object")
    index_node = node.child_by_field_name("index")
    if target_node is None or index_node is None:
        return unknown("incomplete index access", template, node)
    target = evaluate(target_node, template, env)
    index = evaluate(index_node, template, env)
    if index.unknown:
        return unknown(index.value.reason, template, node, [target, index])
    if isinstance(target.value, ResourceRef | ModuleRef):
        handle = type(target.value)(target.value.template, target.value.decl, index.value)
        return V(handle, target.loc, target.trace, False, target.deps | index.deps)
    if isinstance(index.value, str):
        return access(target, index.value, _is_safe(node), template, node, index)
    return _item(target, index, _is_safe(node), template, node)


def _item(target: V, index: V, safe: bool, template: Template, node: Any) -> V:
    value = target.value
    if isinstance(value, Unknown):
        return unknown(value.reason, template, node, [target, index])
    if value is None and safe:
        return V(None, site(template, node), target.trace, False, target.deps)
    if (
        isinstance(value, list)
        and isinstance(index.value, int)
        and not isinstance(index.value, bool)
    ):
        position = index.value
        if 0 <= position < len(value):
            return value[position].through(target.trace, target.deps | index.deps)
        if safe:
            return V(None, site(template, node), target.trace, False, target.deps)
        return unknown(f"index {position} is out of range", template, node, [target, index])
    return unknown("cannot index this value", template, node, [target, index])


def access(
    target: V, name: str, safe: bool, template: Template, node: Any, extra: V | None = None
) -> V:
    """``target.name`` with ARM's case-insensitive property names."""
    value = target.value
    origin = [target] if extra is None else [target, extra]
    if isinstance(value, Unknown):
        return unknown(value.reason, template, node, origin)
    if value is None:
        if safe:
            return V(None, site(template, node), target.trace, False, target.deps)
        return unknown(f"property '{name}' of null", template, node, origin)
    if isinstance(value, dict):
        found = lookup(value, name)
        if found is not None:
            return found.through(target.trace, target.deps)
        if safe:
            return V(None, site(template, node), target.trace, False, target.deps)
        return unknown(f"the object has no property '{name}'", template, node, origin)
    if isinstance(value, ResourceRef):
        return template.resource_property(target, name, node)
    if isinstance(value, ModuleRef):
        return template.module_property(target, name, node)
    if isinstance(value, OutputsRef):
        return template.module_output(value.module, target, name, node)
    return unknown(f"cannot read '{name}' of this value", template, node, origin)


def _resource_expression(node: Any, template: Template, env: dict) -> V:
    parent_node = node.child_by_field_name("object")
    child_node = node.child_by_field_name("resource")
    if parent_node is None or child_node is None:
        return unknown("incomplete resource access", template, node)
    parent = evaluate(parent_node, template, env)
    if isinstance(parent.value, ResourceRef):
        child_name = template.source.text(child_node)
        for child in parent.value.decl.children:
            if child.symbolic == child_name:
                return V(ResourceRef(template, child, None), site(template, node))
    return unknown(f"'{template.source.text(node)}' is not a known resource", template, node)


# --- operators --------------------------------------------------------------------------------


def _truth(v: V) -> bool | Unknown:
    if isinstance(v.value, bool):
        return v.value
    if isinstance(v.value, Unknown):
        return v.value
    return Unknown(f"condition is not a boolean ({functions.describe(v.value)})")


def _ternary(node: Any, template: Template, env: dict) -> V:
    condition = evaluate(node.child_by_field_name("condition"), template, env)
    truth = _truth(condition)
    yes_node = node.child_by_field_name("consequence")
    no_node = node.child_by_field_name("alternative")
    if yes_node is None or no_node is None:
        return unknown("incomplete conditional", template, node)
    # The trace follows where the value comes from, not why it was chosen; the condition's
    # dependencies still count (a fact chosen by an @allowed parameter is explored).
    if isinstance(truth, bool):
        chosen = evaluate(yes_node if truth else no_node, template, env)
        return chosen.through((), condition.deps)
    yes = evaluate(yes_node, template, env)
    no = evaluate(no_node, template, env)
    if first_unknown(plain(yes)) is None and plain(yes) == plain(no):
        return yes.through((), condition.deps)
    condition_text = template.source.text(node.child_by_field_name("condition"))[:80]
    reason = f"depends on {condition_text}"
    if isinstance(condition.value, Unknown):
        reason = f"{reason}: {condition.value.reason}"
        sent = _sent(yes, no)
        if sent is not None:  # as ARM's if() (compute/arm_body.sent_branch says why)
            step = sent_step(condition_text, condition.value.reason)
            return sent.through((step,), condition.deps)
    return unknown(reason, template, node, [condition])


def _sent(yes: V, no: V) -> V | None:
    if sent_branch(yes.value, no.value) is None:
        return None
    return yes if yes.value is not None else no


def _unary(node: Any, template: Template, env: dict) -> V:
    operand_node = node.child_by_field_name("argument")
    operator = node.child_by_field_name("operator")
    if operand_node is None or operator is None:
        return unknown("incomplete expression", template, node)
    operand = evaluate(operand_node, template, env)
    result = functions.unary(operator.type, operand.value)
    trace, deps = merge_origin([operand])
    return V(result, site(template, node), trace, False, deps)


def _binary(node: Any, template: Template, env: dict) -> V:
    operator = node.child_by_field_name("operator")
    left_node = node.child_by_field_name("left")
    right_node = node.child_by_field_name("right")
    if operator is None or left_node is None or right_node is None:
        return unknown("incomplete expression", template, node)
    op = operator.type
    left = evaluate(left_node, template, env)
    if op in ("&&", "||", "??"):
        return _short_circuit(op, left, right_node, template, env, node)
    right = evaluate(right_node, template, env)
    result = functions.binary(op, left.value, right.value)
    if op in ("==", "!=") and isinstance(result, Unknown):
        result = _compare_resource_id(op, left, right, result)
    trace, deps = merge_origin([left, right])
    return V(result, site(template, node), trace, False, deps)


def _compare_resource_id(op: str, left: V, right: V, result: Any) -> Any:
    """A resource id is unknown until deployment, but it is neither null nor empty."""
    for one, other in ((left, right), (right, left)):
        if one.ref is not None and isinstance(one.value, Unknown) and other.value in (None, ""):
            return op == "!="
    return result


def _short_circuit(op: str, left: V, right_node: Any, template: Template, env: dict, node) -> V:
    here = site(template, node)
    if op == "??":
        if left.value is None:
            return evaluate(right_node, template, env).through((), left.deps)
        return left
    decided = op == "||"  # the left value that decides alone
    truth = _truth(left)
    if truth is decided:
        return V(decided, here, left.trace, False, left.deps)
    right = evaluate(right_node, template, env)
    right_truth = _truth(right)
    trace, deps = merge_origin([left, right])
    if isinstance(truth, bool):
        return V(right_truth, here, trace, False, deps)
    if right_truth is decided:
        return V(decided, here, right.trace, False, right.deps)
    return V(truth, here, trace, False, deps)


# --- loops, lambdas, calls --------------------------------------------------------------------


def loop_items(iterable: V) -> list[V] | Unknown:
    value = iterable.value
    if isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        # the items depend on what the array depends on; its trace would only add noise
        return [item.through((), iterable.deps) for item in value[:MAX_LOOP_ITEMS]]
    return Unknown(f"a loop needs an array, not {functions.describe(value)}")


def loop_env(env: dict, item_name, index_name, item: V, index: int, here: Site) -> dict:
    scoped = dict(env)
    if item_name:
        scoped[item_name] = item
    if index_name:
        scoped[index_name] = V(index, here)
    return scoped


def _for(node: Any, template: Template, env: dict) -> V:
    from armlint.bicep.program import read_shape

    shape = read_shape(node)
    body = node.child_by_field_name("body")
    iterable = evaluate(shape.iterable, template, env) if shape.iterable else None
    if iterable is None or body is None:
        return unknown("incomplete loop", template, node)
    items = loop_items(iterable)
    if isinstance(items, Unknown):
        return unknown(items.reason, template, node, [iterable])
    results: list[V] = []
    here = site(template, node)
    for index, item in enumerate(items):
        scoped = loop_env(env, shape.item_name, shape.index_name, item, index, here)
        value = _loop_body(body, template, scoped)
        if value is not None:
            results.append(value)
    return V(results, here, iterable.trace, False, iterable.deps)


def _loop_body(body: Any, template: Template, env: dict) -> V | None:
    if body.type != "if_statement":
        return evaluate(body, template, env)
    parts = named(body)
    if len(parts) < 2:
        return None
    condition = evaluate(parts[0], template, env)
    if condition.value is False:
        return None
    value = evaluate(parts[1], template, env)
    if condition.value is True:
        return value
    return unknown("loop filter cannot be decided", template, body, [condition])


def _lambda(node: Any, template: Template, env: dict) -> V:
    parts = [child for child in node.named_children if child.type not in TRIVIA]
    if not parts:
        return unknown("incomplete lambda", template, node)
    body = parts[-1]
    names: list[str] = []
    for part in parts[:-1]:
        names.extend(
            template.source.text(leaf) for leaf in _identifiers(part) if leaf.type == "identifier"
        )
    return V(Lambda(names, body, env, template), site(template, node))


def _identifiers(node: Any) -> list[Any]:
    if node.type == "identifier":
        return [node]
    found = []
    for child in node.named_children:
        found.extend(_identifiers(child))
    return found


def call_lambda(function: Lambda, args: list[V]) -> V:
    scoped = dict(function.env)
    for name, value in zip(function.params, args, strict=False):
        scoped[name] = value
    return evaluate(function.body, function.template, scoped)


def _call(node: Any, template: Template, env: dict) -> V:
    function_node = node.child_by_field_name("function")
    arguments_node = node.child_by_field_name("arguments")
    arg_nodes = named(arguments_node) if arguments_node is not None else []
    if function_node is None:
        return unknown("incomplete call", template, node)
    if function_node.type == "identifier":
        name = template.source.text(function_node)
        return call_named(name, arg_nodes, template, env, node)
    if function_node.type == "member_expression":
        target = evaluate(function_node, template, env)
        if isinstance(target.value, Namespace):
            return call_named(target.value.name, arg_nodes, template, env, node, builtin=True)
        method = function_node.child_by_field_name("property")
        label = template.source.text(method) if method is not None else "method"
        return unknown(f"{label}() is known only at deployment", template, node, [target])
    return unknown("this call is not evaluated", template, node)


def call_named(
    name: str, arg_nodes: list[Any], template: Template, env: dict, node: Any, builtin=False
) -> V:
    if not builtin and name in template.program.functions and name not in env:
        return template.call_user_function(name, arg_nodes, env, node)
    args = [evaluate(arg, template, env) for arg in arg_nodes]
    return functions.call(name, args, functions.CallSite(template, node, site(template, node)))


_HANDLERS = {
    "number": _number,
    "boolean": _boolean,
    "null": _null,
    "string": _string,
    "object": _object,
    "array": _array,
    "identifier": _identifier,
    "parenthesized_expression": _parenthesized,
    "member_expression": _member,
    "subscript_expression": _subscript,
    "resource_expression": _resource_expression,
    "ternary_expression": _ternary,
    "unary_expression": _unary,
    "binary_expression": _binary,
    "for_statement": _for,
    "lambda_expression": _lambda,
    "call_expression": _call,
}


def truth(v: V) -> bool | Unknown:
    """A condition's value: a bool, or Unknown (also when it is not a boolean at all)."""
    return _truth(v)
