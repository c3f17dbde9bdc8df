"""Run-time values of the Terraform evaluator that plain Python values cannot express.

Evaluated values are ``None``, ``bool``, ``int``/``float``, ``str``, ``list``, ``dict`` and
``armlint.model.Unknown``, plus the few types below. Variable type constraints (``object``,
``optional(type, default)``, ``map(...)``) are applied by ``convert``.
"""

from __future__ import annotations

from armlint.model import FrozenValue, Location, Unknown
from armlint.terraform import nodes as n

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class EvalError(Exception):
    """What Terraform would reject (null attribute access, bad types); ``try()`` catches it."""


class Undeclared(EvalError):
    """A reference to a variable or local no loaded file declares (often a file left out).

    ``try()`` falls back on it like on any error, but inside an object or tuple only the element
    becomes Unknown, so one missing declaration does not spoil the values next to it.
    """


class ResourceId(str):
    """The id of a resource instance, known only after apply, standing in as its address.

    Kept as a value so that an availability set or an extension's ``virtual_machine_id`` can be
    matched to the resource it refers to; any computation on it yields Unknown.
    """

    __slots__ = ()

    @property
    def unknown(self) -> Unknown:
        return Unknown(f"{self}.id is known after apply")


class ElemMeta(FrozenValue):
    """Where one object attribute's value was written and how it was resolved."""

    __slots__ = ("loc", "literal", "trace")

    def __init__(self, loc: Location, literal: bool, trace: tuple[str, ...] = ()) -> None:
        self.loc = loc
        self.literal = literal
        self.trace = trace


class ObjectValue(dict):
    """An object value that remembers where each attribute was written (azapi bodies)."""

    __slots__ = ("meta",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.meta: dict[str, ElemMeta] = {}


def meta_of(value: Any, key: str) -> ElemMeta | None:
    if isinstance(value, ObjectValue):
        return value.meta.get(key)
    return None


def first_unknown(values) -> Unknown | None:
    for value in values:
        if isinstance(value, Unknown):
            return value
    return None


def deep_unknown(value: Any) -> Unknown | None:
    """The first Unknown (or unresolved resource id) anywhere inside a value."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, ResourceId):
        return value.unknown
    if isinstance(value, dict):
        for item in value.values():
            found = deep_unknown(item)
            if found is not None:
                return found
    elif isinstance(value, list):
        for item in value:
            found = deep_unknown(item)
            if found is not None:
                return found
    return None


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def format_number(value: int | float) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def to_string(value: Any) -> str:
    """Terraform's automatic conversion of a primitive to a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_number(value)
    if isinstance(value, str):
        return value
    raise EvalError(f"cannot use a {type_name(value)} value as a string")


def to_number(value: Any) -> int | float:
    if isinstance(value, bool):
        raise EvalError("cannot use a bool value as a number")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            try:
                return float(value)
            except ValueError:
                raise EvalError(f"cannot convert {value!r} to a number") from None
    raise EvalError(f"cannot use a {type_name(value)} value as a number")


def to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return value == "true"
    raise EvalError(f"cannot use {value!r} as a bool")


# --- type constraints ----------------------------------------------------------------------


class TypeSpec(FrozenValue):
    """A parsed type constraint. ``kind`` is any/string/number/bool/list/set/map/object/tuple."""

    __slots__ = ("kind", "element", "attributes", "items")

    def __init__(
        self,
        kind: str,
        element: TypeSpec | None = None,
        # name, type, optional, default
        attributes: tuple[tuple[str, TypeSpec, bool, n.Expr | None], ...] = (),
        items: tuple[TypeSpec, ...] = (),
    ) -> None:
        self.kind = kind
        self.element = element
        self.attributes = attributes
        self.items = items


ANY = TypeSpec("any")


def parse_type(expr: n.Expr | None) -> TypeSpec:
    """Read a ``type = ...`` expression; anything unexpected is ``any`` (no conversion)."""
    if expr is None:
        return ANY
    if isinstance(expr, n.Name) and expr.name in ("string", "number", "bool", "any"):
        return TypeSpec(expr.name)
    if not isinstance(expr, n.Call) or not expr.args:
        return ANY
    arg = expr.args[0]
    if expr.name in ("list", "set", "map"):
        return TypeSpec(expr.name, element=parse_type(arg))
    if expr.name == "object" and isinstance(arg, n.ObjectExpr):
        return TypeSpec("object", attributes=tuple(_object_attribute(item) for item in arg.items))
    if expr.name == "tuple" and isinstance(arg, n.TupleExpr):
        return TypeSpec("tuple", items=tuple(parse_type(item) for item in arg.items))
    return ANY


def _object_attribute(item: n.ObjectItem) -> tuple[str, TypeSpec, bool, n.Expr | None]:
    name = item.key.value if isinstance(item.key, n.Literal) else str(item.key)
    value = item.value
    if isinstance(value, n.Call) and value.name == "optional" and value.args:
        default = value.args[1] if len(value.args) > 1 else None
        return name, parse_type(value.args[0]), True, default
    return name, parse_type(value), False, None


def convert(value: Any, spec: TypeSpec, eval_const: Callable[[n.Expr], Any]) -> Any:
    """Apply a type constraint the way Terraform does for variables (optional defaults too)."""
    if spec.kind == "any" or value is None or isinstance(value, Unknown):
        return value
    converter = _CONVERTERS.get(spec.kind)
    return converter(value, spec, eval_const) if converter else value


def _convert_primitive(value: Any, spec: TypeSpec, eval_const) -> Any:
    if isinstance(value, ResourceId | list | dict):
        return value
    try:
        if spec.kind == "string":
            return to_string(value)
        if spec.kind == "number":
            return to_number(value)
        return to_bool(value)
    except EvalError:
        return value  # a wrong type is a validation error; keep the value for the rules


def _convert_list(value: Any, spec: TypeSpec, eval_const) -> Any:
    if not isinstance(value, list):
        return value
    items = [convert(item, spec.element or ANY, eval_const) for item in value]
    if spec.kind == "set":
        return _as_set(items)
    return items


def _as_set(items: list) -> list:
    """Sets have no order in Terraform; strings come out sorted, duplicates removed."""
    if any(isinstance(item, Unknown | dict | list) for item in items):
        return items
    unique: list = []
    for item in items:
        if item not in unique:
            unique.append(item)
    if all(isinstance(item, str) for item in unique):
        unique.sort()
    return unique


def _convert_map(value: Any, spec: TypeSpec, eval_const) -> Any:
    if not isinstance(value, dict):
        return value
    result = ObjectValue()
    for key, item in value.items():
        result[key] = convert(item, spec.element or ANY, eval_const)
        _copy_meta(value, result, key)
    return result


def _convert_object(value: Any, spec: TypeSpec, eval_const) -> Any:
    if not isinstance(value, dict):
        return value
    result = ObjectValue()
    for name, attr_spec, optional, default in spec.attributes:
        given = value.get(name)
        if given is None and optional:
            given = eval_const(default) if default is not None else None
        elif name not in value:
            given = Unknown(f"required attribute {name!r} is missing from the object")
        result[name] = convert(given, attr_spec, eval_const)
        _copy_meta(value, result, name)
    return result


def _convert_tuple(value: Any, spec: TypeSpec, eval_const) -> Any:
    if not isinstance(value, list) or len(value) != len(spec.items):
        return value
    pairs = zip(value, spec.items, strict=True)
    return [convert(item, item_spec, eval_const) for item, item_spec in pairs]


def _copy_meta(source: Any, target: ObjectValue, key: str) -> None:
    found = meta_of(source, key)
    if found is not None:
        target.meta[key] = found


_CONVERTERS = {
    "string": _convert_primitive,
    "number": _convert_primitive,
    "bool": _convert_primitive,
    "list": _convert_list,
    "set": _convert_list,
    "map": _convert_map,
    "object": _convert_object,
    "tuple": _convert_tuple,
}
