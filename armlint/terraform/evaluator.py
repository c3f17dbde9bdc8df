"""Evaluates HCL expressions of one module instance, with Unknown propagation and a trace.

References are resolved through the module instance (``var.``, ``local.``, ``module.``,
resources, ``data.``); bound names (``count``, ``each``, for-expression variables, dynamic
block iterators) come from the scope dict. Every reference resolved appends readable steps to
``Evaluator.trace`` so a fact can say where its value came from. A step budget stops runaway
evaluation; the cut is reported as Unknown and in the load notes.
"""

from __future__ import annotations

from armlint.budgets import MAX_STRING_CHARS, within_value_budget
from armlint.model import FrozenValue, Unknown
from armlint.terraform import nodes as n
from armlint.terraform.values import (
    ElemMeta,
    EvalError,
    ObjectValue,
    ResourceId,
    Undeclared,
    deep_unknown,
    to_bool,
    to_number,
    to_string,
    type_name,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from armlint.terraform.instance import ModuleInstance

NO_KEY = object()  # a resource or module reference written without an index
EACH_STEPS = "\0each-steps"  # scope entry: how the for_each collection was resolved


class Namespace(FrozenValue):
    """A reference root still missing its attribute: ``var``, ``azurerm_x``, ``data.azurerm_y``."""

    __slots__ = ("kind", "name")

    def __init__(self, kind: str, name: str = "") -> None:
        self.kind = kind
        self.name = name


class ResourceRef(FrozenValue):
    __slots__ = ("instance", "rtype", "rname", "key", "data")

    def __init__(
        self, instance: Any, rtype: str, rname: str, key: Any = NO_KEY, data: bool = False
    ) -> None:
        self.instance = instance
        self.rtype = rtype
        self.rname = rname
        self.key = key
        self.data = data

    @property
    def address(self) -> str:
        base = ("data." if self.data else "") + f"{self.rtype}.{self.rname}"
        prefix = self.instance.address + "." if self.instance.address else ""
        return prefix + base + index_suffix(self.key)


class ModuleRef(FrozenValue):
    __slots__ = ("instance", "name", "key")

    def __init__(self, instance: Any, name: str, key: Any = NO_KEY) -> None:
        self.instance = instance
        self.name = name
        self.key = key


def index_suffix(key: Any) -> str:
    if key is NO_KEY or key is None:
        return ""
    if isinstance(key, int):
        return f"[{key}]"
    return f'["{key}"]'


class Budget:
    """A step allowance shared by all evaluations of one module instance; ``shared`` is the
    allowance of the whole module tree of one root, which the instance's steps also spend, so
    a module calling the next ten times, six deep, stops at a bound instead of a million
    instances."""

    def __init__(self, steps: int, shared: Budget | None = None) -> None:
        self.limit = steps
        self.remaining = steps
        self.shared = shared

    @property
    def exhausted(self) -> bool:
        return self.remaining < 0


class Evaluator:
    def __init__(self, instance: ModuleInstance, budget: Budget) -> None:
        self.instance = instance
        self.budget = budget
        self.trace: list[str] = []

    # --- entry points -------------------------------------------------------------------

    def evaluate(self, expr: n.Expr, scope: dict) -> tuple[Any, tuple[str, ...]]:
        """Evaluate to a settled value (no reference objects) and the steps it went through.

        The steps are returned, not added to an outer trace: the caller decides where they go.
        """
        saved, self.trace = self.trace, []
        try:
            value = settle(self.eval(expr, scope))
        except Undeclared as error:
            value = Unknown(str(error))
        except EvalError as error:
            value = Unknown(f"evaluation error: {error}")
        except RecursionError:
            value = Unknown("the expression is nested too deeply to evaluate")
        steps = tuple(dict.fromkeys(self.trace))
        self.trace = saved
        return value, steps

    def eval(self, expr: n.Expr, scope: dict) -> Any:
        budget = self.budget
        budget.remaining -= 1
        if budget.remaining < 0:
            return Unknown(f"evaluation stopped: step budget of {budget.limit} exhausted")
        shared = budget.shared
        if shared is not None:
            shared.remaining -= 1
            if shared.remaining < 0:
                return Unknown(
                    f"evaluation stopped: module tree budget of {shared.limit} exhausted"
                )
        handler = _HANDLERS.get(type(expr))
        if handler is None:
            return Unknown(f"{type(expr).__name__} expressions are not evaluated")
        return handler(self, expr, scope)

    # --- simple nodes -------------------------------------------------------------------

    def _literal(self, expr: n.Literal, scope: dict) -> Any:
        return expr.value

    def _unsupported(self, expr: n.Unsupported, scope: dict) -> Any:
        return Unknown(expr.reason)

    def _template(self, expr: n.Template, scope: dict) -> Any:
        pieces = []
        for part in expr.parts:
            if isinstance(part, str):
                pieces.append(part)
                continue
            value = settle(self.eval(part, scope))
            blocker = deep_unknown(value)
            if blocker is not None:
                return blocker
            if value is None:
                raise EvalError("a null value cannot be interpolated into a string")
            pieces.append(to_string(value))
            if sum(map(len, pieces)) > MAX_STRING_CHARS:
                return within_value_budget("".join(pieces), "a string template")
        return "".join(pieces)

    def _tuple(self, expr: n.TupleExpr, scope: dict) -> Any:
        return [self.element(item, scope) for item in expr.items]

    def element(self, expr: n.Expr, scope: dict) -> Any:
        """One element of an object or tuple; an undeclared reference only spoils itself."""
        try:
            return settle(self.eval(expr, scope))
        except Undeclared as error:
            return Unknown(str(error))

    def _object(self, expr: n.ObjectExpr, scope: dict) -> Any:
        result = ObjectValue()
        for item in expr.items:
            key = settle(self.eval(item.key, scope))
            if isinstance(key, Unknown):
                return key
            key = to_string(key)
            saved, self.trace = self.trace, []
            value = self.element(item.value, scope)
            steps = tuple(dict.fromkeys(self.trace))
            self.trace = saved
            self.trace.extend(steps)
            result[key] = value
            result.meta[key] = ElemMeta(item.value.loc, n.is_literal(item.value), steps)
        return result

    # --- references ---------------------------------------------------------------------

    def _name(self, expr: n.Name, scope: dict) -> Any:
        if expr.name in scope:
            if expr.name == "each":
                self.trace.extend(scope.get(EACH_STEPS, ()))
            return scope[expr.name]
        if expr.name in ("count", "each"):
            raise EvalError(f"{expr.name} is used outside a resource with {expr.name}")
        if expr.name in ("var", "local", "module", "data", "path"):
            return Namespace(expr.name)
        if expr.name == "terraform":
            return {"workspace": "default"}
        if expr.name == "self":
            return Unknown("self is known after apply")
        return Namespace("resource_type", expr.name)

    def _get_attr(self, expr: n.GetAttr, scope: dict) -> Any:
        saved, self.trace = self.trace, []
        try:
            obj = self.eval(expr.obj, scope)
        finally:
            obj_steps, self.trace = self.trace, saved
        self.trace.extend(narrow_steps(obj, expr.name, obj_steps))
        return self.get_attr(obj, expr.name)

    def get_attr(self, value: Any, name: str) -> Any:
        if isinstance(value, Namespace):
            return self.namespace_attr(value, name)
        if isinstance(value, ResourceRef):
            return self.instance.resource_attr(value, name, self.trace)
        if isinstance(value, ModuleRef):
            return self.instance.module_output(value, name, self.trace)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, dict):
            if name not in value:
                raise EvalError(f"the object has no attribute {name!r}")
            return value[name]
        if value is None:
            raise EvalError(f"cannot read attribute {name!r} of null")
        raise EvalError(f"cannot read attribute {name!r} of a {type_name(value)}")

    def namespace_attr(self, space: Namespace, name: str) -> Any:
        instance = self.instance
        if space.kind == "var":
            return instance.variable(name, self.trace)
        if space.kind == "local":
            return instance.local(name, self.trace)
        if space.kind == "module":
            return ModuleRef(instance, name)
        if space.kind == "data":
            return Namespace("data_type", name)
        if space.kind == "path":
            return instance.path_value(name)
        if space.kind == "data_type":
            return ResourceRef(instance, space.name, name, data=True)
        return ResourceRef(instance, space.name, name)

    def _index(self, expr: n.Index, scope: dict) -> Any:
        return self.index(self.eval(expr.obj, scope), settle(self.eval(expr.key, scope)))

    def index(self, value: Any, key: Any) -> Any:
        if isinstance(key, Unknown):
            return key
        if isinstance(key, float) and key.is_integer():
            key = int(key)
        if isinstance(value, ResourceRef) and value.key is NO_KEY:
            return ResourceRef(value.instance, value.rtype, value.rname, key, value.data)
        if isinstance(value, ModuleRef) and value.key is NO_KEY:
            return ModuleRef(value.instance, value.name, key)
        value = settle(value)
        if isinstance(value, Unknown):
            return value
        if isinstance(value, list):
            position = int(to_number(key))
            if not 0 <= position < len(value):
                raise EvalError(f"index {position} is out of range for a list of {len(value)}")
            return value[position]
        if isinstance(value, dict):
            key = to_string(key)
            if key not in value:
                raise EvalError(f"the map has no key {key!r}")
            return value[key]
        if value is None:
            raise EvalError("cannot index null")
        raise EvalError(f"cannot index a {type_name(value)}")

    def _splat(self, expr: n.Splat, scope: dict) -> Any:
        base = self.eval(expr.obj, scope)
        if isinstance(base, ResourceRef) and base.key is NO_KEY:
            base = self.instance.resource_instance_refs(base)
        elif isinstance(base, ModuleRef) and base.key is NO_KEY:
            base = self.instance.module_instance_refs(base)
        base = settle_shallow(base)
        if isinstance(base, Unknown):
            return base
        if base is None:
            return []
        items = base if isinstance(base, list) else [base]
        return [settle(self.apply_steps(item, expr.steps, scope)) for item in items]

    def apply_steps(self, value: Any, steps: list, scope: dict) -> Any:
        for kind, step in steps:
            if kind == "attr":
                value = self.get_attr(value, step)
            else:
                value = self.index(value, settle(self.eval(step, scope)))
        return value

    # --- operators ----------------------------------------------------------------------

    def _conditional(self, expr: n.Conditional, scope: dict) -> Any:
        cond = settle(self.eval(expr.cond, scope))
        if isinstance(cond, ResourceId):
            cond = cond.unknown
        if isinstance(cond, Unknown):
            then = self.soft_eval(expr.then, scope)
            other = self.soft_eval(expr.other, scope)
            if deep_unknown(then) is None and then == other and type(then) is type(other):
                return then
            return Unknown(cond.reason)
        if cond is None:
            raise EvalError("the condition is null")
        return settle(self.eval(expr.then if to_bool(cond) else expr.other, scope))

    def soft_eval(self, expr: n.Expr, scope: dict) -> Any:
        """Evaluate a branch that may never be taken: its errors only make it Unknown."""
        try:
            return settle(self.eval(expr, scope))
        except EvalError as error:
            return Unknown(f"evaluation error: {error}")

    def _unary(self, expr: n.Unary, scope: dict) -> Any:
        value = settle(self.eval(expr.operand, scope))
        if isinstance(value, ResourceId):
            return value.unknown
        if isinstance(value, Unknown):
            return value
        if expr.op == "!":
            return not to_bool(value)
        return -to_number(value)

    def _binary(self, expr: n.Binary, scope: dict) -> Any:
        if expr.op in ("&&", "||"):
            return self.logical(expr, scope)
        left = settle(self.eval(expr.left, scope))
        right = settle(self.eval(expr.right, scope))
        if expr.op in ("==", "!="):
            equal = equality(left, right)
            if isinstance(equal, Unknown):
                return equal
            return equal if expr.op == "==" else not equal
        for value in (left, right):
            if isinstance(value, ResourceId):
                return value.unknown
            if isinstance(value, Unknown):
                return value
        return arithmetic(expr.op, left, right)

    def logical(self, expr: n.Binary, scope: dict) -> Any:
        # Short-circuit on a known deciding operand, on either side: the result is certain.
        decisive = expr.op == "||"
        left = as_condition(settle(self.eval(expr.left, scope)))
        if left is decisive:
            return decisive
        right = as_condition(settle(self.eval(expr.right, scope)))
        if right is decisive:
            return decisive
        for value in (left, right):
            if isinstance(value, Unknown):
                return value
        return not decisive

    # --- calls and for expressions -------------------------------------------------------

    def _call(self, expr: n.Call, scope: dict) -> Any:
        if expr.name == "try":
            return self.try_call(expr, scope)
        if expr.name == "can":
            return self.can_call(expr, scope)
        # Imported on the first call: many configurations call no function at all.
        from armlint.terraform.functions import FUNCTIONS, call

        if expr.name not in FUNCTIONS:
            return Unknown(f"function {expr.name}() is not evaluated")
        args = [settle(self.eval(arg, scope)) for arg in expr.args]
        if expr.expand_last and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            args.extend(last if isinstance(last, list) else [last])
        return call(expr.name, args)

    def try_call(self, expr: n.Call, scope: dict) -> Any:
        for arg in expr.args:
            try:
                return settle(self.eval(arg, scope))
            except EvalError:
                continue
        raise EvalError("try() found no argument without errors")

    def can_call(self, expr: n.Call, scope: dict) -> Any:
        try:
            value = settle(self.eval(expr.args[0], scope)) if expr.args else None
        except EvalError:
            return False
        return value if isinstance(value, Unknown) else True

    def _for(self, expr: n.ForExpr, scope: dict) -> Any:
        collection = settle_shallow(self.eval(expr.collection, scope))
        if isinstance(collection, Unknown):
            return collection
        if collection is None:
            raise EvalError("a for expression cannot iterate over null")
        if isinstance(collection, dict):
            pairs = [(key, collection[key]) for key in sorted(collection)]
        elif isinstance(collection, list):
            pairs = list(enumerate(collection))
        else:
            raise EvalError(f"a for expression cannot iterate over a {type_name(collection)}")
        key_expr = expr.key_expr
        return (
            self.for_object(expr, key_expr, scope, pairs)
            if key_expr
            else self.for_list(expr, scope, pairs)
        )

    def for_scope(self, expr: n.ForExpr, scope: dict, key: Any, value: Any) -> dict:
        inner = dict(scope)
        if expr.key_var:
            inner[expr.key_var] = key
        inner[expr.value_var] = value
        return inner

    def for_included(self, expr: n.ForExpr, inner: dict) -> Any:
        if expr.cond is None:
            return True
        keep = settle(self.eval(expr.cond, inner))
        return keep if isinstance(keep, Unknown) else to_bool(keep)

    def for_list(self, expr: n.ForExpr, scope: dict, pairs: list) -> Any:
        result = []
        for key, value in pairs:
            inner = self.for_scope(expr, scope, key, value)
            keep = self.for_included(expr, inner)
            if isinstance(keep, Unknown):
                return keep
            if keep:
                result.append(settle(self.eval(expr.value_expr, inner)))
        return result

    def for_object(self, expr: n.ForExpr, key_expr: n.Expr, scope: dict, pairs: list) -> Any:
        result: dict = {}
        for key, value in pairs:
            inner = self.for_scope(expr, scope, key, value)
            keep = self.for_included(expr, inner)
            if isinstance(keep, Unknown):
                return keep
            if not keep:
                continue
            new_key = settle(self.eval(key_expr, inner))
            if isinstance(new_key, Unknown):
                return new_key
            new_key = to_string(new_key)
            new_value = settle(self.eval(expr.value_expr, inner))
            if expr.grouping:
                result.setdefault(new_key, []).append(new_value)
            elif new_key in result:
                raise EvalError(f"duplicate key {new_key!r} in a for expression")
            else:
                result[new_key] = new_value
        return result


def narrow_steps(obj: Any, key: str, steps: list) -> list:
    """Keep the steps that lead to ``obj[key]``, not those of its sibling attributes.

    Reading ``local.infrastructure.patch_mode`` should trace ``var.patch_mode``, not every
    variable the whole ``infrastructure`` object was built from.
    """
    if not steps or not isinstance(obj, ObjectValue) or not obj.meta:
        return steps
    own = obj.meta.get(key)
    wanted = set(own.trace) if own is not None else set()
    siblings = {step for meta in obj.meta.values() for step in meta.trace} - wanted
    return [step for step in steps if step not in siblings]


def settle(value: Any) -> Any:
    """Turn reference objects that escaped attribute access into plain values or Unknown."""
    if isinstance(value, ResourceRef):
        return Unknown(f"{value.address} is known after apply")
    if isinstance(value, ModuleRef):
        return Unknown(f"module.{value.name} as a whole object is not evaluated")
    if isinstance(value, Namespace):
        raise EvalError(f"{value.name or value.kind} is not a complete reference")
    return value


def settle_shallow(value: Any) -> Any:
    if isinstance(value, list):
        return [settle(item) for item in value]
    return settle(value)


def as_condition(value: Any) -> Any:
    if isinstance(value, ResourceId):
        return value.unknown
    if isinstance(value, Unknown):
        return value
    if value is None:
        raise EvalError("a logical operator got null")
    return to_bool(value)


def equality(left: Any, right: Any) -> Any:
    """Terraform ``==``: values of different types are unequal; ids are only known non-null.

    A collection with unknown elements is still known not to be null.
    """
    for value in (left, right):
        if isinstance(value, Unknown):
            return value
    if left is None or right is None:
        return left is None and right is None
    for value in (left, right):
        if isinstance(value, ResourceId):
            return value.unknown
    if type_name(left) != type_name(right):
        return False
    blocker = deep_unknown(left) or deep_unknown(right)
    if blocker is not None:
        return blocker
    return same_value(left, right)


def same_value(left: Any, right: Any) -> bool:
    if isinstance(left, bool) != isinstance(right, bool):
        return False
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if type_name(left) != type_name(right):
        return False
    return left == right


def arithmetic(op: str, left: Any, right: Any) -> Any:
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op in ("/", "%") and b == 0:
        raise EvalError("division by zero")
    if op == "/":
        result = a / b
        return int(result) if result.is_integer() else result
    if op == "%":
        return a % b
    return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]


_HANDLERS: dict[type, Callable[[Evaluator, Any, dict], Any]] = {
    n.Literal: Evaluator._literal,
    n.Unsupported: Evaluator._unsupported,
    n.Template: Evaluator._template,
    n.TupleExpr: Evaluator._tuple,
    n.ObjectExpr: Evaluator._object,
    n.Name: Evaluator._name,
    n.GetAttr: Evaluator._get_attr,
    n.Index: Evaluator._index,
    n.Splat: Evaluator._splat,
    n.Conditional: Evaluator._conditional,
    n.Unary: Evaluator._unary,
    n.Binary: Evaluator._binary,
    n.Call: Evaluator._call,
    n.ForExpr: Evaluator._for,
}
