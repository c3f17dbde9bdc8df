"""The declarations of one Bicep file, read from its syntax tree.

Only the shape is read here (names, types, decorators, which node holds which value); values
are computed later by ``evaluate``. Declarations inside ERROR nodes are still collected, so a
syntax error loses as little of the file as possible.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from armlint.bicep import strings
from armlint.bicep.syntax import TRIVIA, SourceFile


@dataclass
class ParamDecl:
    name: str
    node: Any
    type_text: str
    nullable: bool
    secure: bool
    allowed: Any | None  # the array node of @allowed([...])
    default: Any | None  # the default value node


@dataclass
class VarDecl:
    name: str
    node: Any
    value: Any


@dataclass
class Shape:
    """What follows '=' in a resource or module: an optional loop, condition and a body."""

    body: Any | None  # the object node
    loop: Any | None = None  # the for_statement node
    item_name: str | None = None
    index_name: str | None = None
    iterable: Any | None = None
    condition: Any | None = None  # the expression inside if (...)


@dataclass
class ResourceDecl:
    symbolic: str
    node: Any
    type_node: Any
    declared_type: str  # as written, without the api version
    full_type: str  # with the parent's type prefixed for nested children
    api_version: str
    existing: bool
    shape: Shape
    parent: ResourceDecl | None = None
    children: list[ResourceDecl] = field(default_factory=list)


@dataclass
class ModuleDecl:
    symbolic: str
    node: Any
    path_node: Any
    path: str
    shape: Shape


@dataclass
class FunctionDecl:
    name: str
    params: list[str]
    body: Any


@dataclass
class Program:
    source: SourceFile
    params: dict[str, ParamDecl] = field(default_factory=dict)
    vars: dict[str, VarDecl] = field(default_factory=dict)
    resources: dict[str, ResourceDecl] = field(default_factory=dict)
    modules: dict[str, ModuleDecl] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    functions: dict[str, FunctionDecl] = field(default_factory=dict)
    assignments: dict[str, VarDecl] = field(default_factory=dict)  # .bicepparam 'param x = ...'
    using: str | None = None
    using_node: Any | None = None
    target_scope: str = "resourceGroup"
    # (start, end) of an object literal -> its written-out members (``written_members``)
    object_members: dict[tuple[int, int], list | None] = field(default_factory=dict)
    literal_nodes: dict[tuple[int, int], bool] = field(default_factory=dict)  # is_literal
    member_dicts: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # (start, end) of a resource or module body -> its value nodes by folded property name
    property_nodes: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    # a local module's path as written -> (its path, how it is shown): Template._module_file
    module_files: dict[str, tuple[Any, str]] = field(default_factory=dict)


def named(node: Any) -> list[Any]:
    """Named children without comments."""
    return [child for child in node.named_children if child.type not in TRIVIA]


def written_members(node: Any, program: Program) -> list[tuple[str, Any]] | None:
    """The (key, value node) pairs of an object literal whose keys are written out; None when
    it has a spread or a computed key (``evaluate`` takes those). Read once per node."""
    known = program.object_members
    where = (node.start_byte, node.end_byte)
    if where not in known:
        known[where] = _written_members(node, program.source)
    return known[where]


def member_nodes(node: Any, program: Program) -> dict[str, Any] | None:
    """``written_members`` by key (a repeated key: the last one, as in an evaluated object),
    made once per node; read only, it is shared by every instance of a body."""
    known = program.member_dicts
    where = (node.start_byte, node.end_byte)
    found = known.get(where)
    if found is None:
        members = written_members(node, program)
        if members is None:
            return None
        found = known[where] = dict(members)
    return found


def _written_members(node: Any, source: SourceFile) -> list[tuple[str, Any]] | None:
    spreads = source.rewritten.spreads
    members = []
    for prop in named(node):
        parts = named(prop) if prop.type == "object_property" else []
        if len(parts) < 2 or parts[0].type == "resource_declaration":
            continue
        key_node = parts[0]
        if key_node.start_byte in spreads:
            return None
        if key_node.type == "string":
            pieces = strings.parts(source, key_node)
            if not all(isinstance(piece, str) for piece in pieces):
                return None
            key = "".join(pieces)
        else:
            key = source.text(key_node)
        members.append((key, parts[-1]))
    return members


def string_value(source: SourceFile, node: Any) -> str | None:
    """The text of a string literal without interpolation, else None."""
    if node is None or node.type != "string":
        return None
    if any(child.type == "interpolation" for child in node.children):
        return None
    return strings.literal_text(source, node)


def _decorators(node: Any) -> list[Any]:
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in TRIVIA:
        sibling = sibling.prev_named_sibling
    if sibling is None or sibling.type != "decorators":
        return []
    calls = []
    for decorator in named(sibling):
        expression = named(decorator)
        if expression and expression[0].type == "call_expression":
            calls.append(expression[0])
    return calls


def decorator_name(source: SourceFile, call: Any) -> str:
    function = call.child_by_field_name("function")
    text = source.text(function) if function is not None else ""
    return text.rsplit(".", 1)[-1]  # '@sys.allowed' is '@allowed'


def decorator_arguments(call: Any) -> list[Any]:
    arguments = call.child_by_field_name("arguments")
    return named(arguments) if arguments is not None else []


def _after_token(node: Any, token: str) -> Any | None:
    seen = False
    for child in node.children:
        if seen and child.is_named and child.type not in TRIVIA:
            return child
        if child.type == token:
            seen = True
    return None


def read_shape(node: Any) -> Shape:
    """Decode ``{...}``, ``if (c) {...}`` and ``[for x in xs: ...]``."""
    if node is None:
        return Shape(None)
    if node.type == "if_statement":
        parts = named(node)
        condition = parts[0] if parts else None
        if condition is not None and condition.type == "parenthesized_expression":
            inner = named(condition)
            condition = inner[0] if inner else None
        body = parts[1] if len(parts) > 1 else None
        return Shape(body, condition=condition)
    if node.type == "for_statement":
        shape = read_shape(node.child_by_field_name("body"))
        shape.loop = node
        shape.item_name, shape.index_name = loop_names(node)
        shape.iterable = _after_token(node, "in")
        return shape
    return Shape(node if node.type == "object" else None)


def loop_names(node: Any) -> tuple[str | None, str | None]:
    initializer = node.child_by_field_name("initializer")
    if initializer is not None:
        return initializer.text.decode("utf-8", "replace"), None
    for child in node.named_children:
        if child.type == "for_loop_parameters":
            item = index = None
            for part in child.named_children:
                if part.type == "loop_variable":
                    item = part.text.decode("utf-8", "replace")
                elif part.type == "loop_enumerator":
                    index = part.text.decode("utf-8", "replace")
            return item, index
    return None, None


def _value_after_equals(node: Any) -> Any | None:
    return _after_token(node, "=")


def _name_of(source: SourceFile, node: Any) -> str:
    for child in node.named_children:
        if child.type == "identifier":
            return source.text(child)
    return ""


def _read_param(program: Program, node: Any) -> None:
    source = program.source
    name_node = type_node = None
    for child in node.named_children:  # one pass: the first name and the first type
        kind = child.type
        if kind == "identifier" and name_node is None:
            name_node = child
        elif kind == "type" and type_node is None:
            type_node = child
    name = source.text(name_node) if name_node is not None else ""
    type_text = ""
    if type_node is not None:
        original = source.rewritten.type_texts.get(type_node.start_byte)  # before rewriting
        type_text = source.text(type_node) if original is None else original
    decorators = _decorators(node)
    names = [decorator_name(source, call) for call in decorators]
    allowed = None
    for call, decorator in zip(decorators, names, strict=True):
        if decorator == "allowed":
            arguments = decorator_arguments(call)
            allowed = arguments[0] if arguments and arguments[0].type == "array" else None
    program.params[name] = ParamDecl(
        name=name,
        node=node,
        type_text=type_text.strip(),
        nullable=type_text.strip().endswith("?"),
        secure="secure" in names,
        allowed=allowed,
        default=_value_after_equals(node),
    )


def _split_type(text: str) -> tuple[str, str]:
    type_part, _, api = text.partition("@")
    return type_part, api


def _read_resource(program: Program, node: Any, parent: ResourceDecl | None) -> ResourceDecl:
    source = program.source
    symbolic = _name_of(source, node)
    type_node = next((c for c in node.named_children if c.type == "string"), None)
    declared, api = _split_type(string_value(source, type_node) or "")
    full_type = declared
    if parent is not None and "/" not in declared:
        full_type = f"{parent.full_type}/{declared}"
    existing = any(child.type == "existing" for child in node.children)
    decl = ResourceDecl(
        symbolic=symbolic,
        node=node,
        type_node=type_node,
        declared_type=declared,
        full_type=full_type,
        api_version=api,
        existing=existing,
        shape=read_shape(_value_after_equals(node)),
        parent=parent,
    )
    program.resources.setdefault(symbolic, decl)
    if decl.shape.body is not None:
        for prop in named(decl.shape.body):
            nested = named(prop)
            if (
                prop.type == "object_property"
                and nested
                and nested[0].type == "resource_declaration"
            ):
                decl.children.append(_read_resource(program, nested[0], decl))
    return decl


def _read_module(program: Program, node: Any) -> None:
    source = program.source
    path_node = next((c for c in node.named_children if c.type == "string"), None)
    program.modules[_name_of(source, node)] = ModuleDecl(
        symbolic=_name_of(source, node),
        node=node,
        path_node=path_node,
        path=string_value(source, path_node) or "",
        shape=read_shape(_value_after_equals(node)),
    )


def _read_function(program: Program, node: Any) -> None:
    source = program.source
    name_node = node.child_by_field_name("name")
    params_node = next((c for c in node.named_children if c.type == "parameters"), None)
    names = []
    if params_node is not None:
        for param in params_node.named_children:
            if param.type == "parameter":
                names.append(_name_of(source, param))
    body = named(node)[-1] if named(node) else None
    if name_node is not None:
        program.functions[source.text(name_node)] = FunctionDecl(
            source.text(name_node), names, body
        )


def _read_statement(program: Program, node: Any) -> None:
    source = program.source
    kind = node.type
    if kind == "parameter_declaration":
        _read_param(program, node)
    elif kind == "variable_declaration":
        decl = VarDecl(_name_of(source, node), node, _value_after_equals(node))
        if node.start_byte in source.rewritten.param_assignments:
            program.assignments[decl.name] = decl
        else:
            program.vars[decl.name] = decl
    elif kind == "resource_declaration":
        _read_resource(program, node, None)
    elif kind == "module_declaration":
        _read_module(program, node)
    elif kind == "output_declaration":
        program.outputs[_name_of(source, node)] = _value_after_equals(node)
    elif kind == "user_defined_function":
        _read_function(program, node)
    elif kind == "using_statement":
        target = next((c for c in node.named_children if c.type == "string"), None)
        program.using = string_value(source, target)
        program.using_node = node
    elif kind == "target_scope_assignment":
        target = next((c for c in node.named_children if c.type == "string"), None)
        program.target_scope = string_value(source, target) or program.target_scope


def _statements(node: Any) -> list[Any]:
    """Top-level statements, looking inside ERROR nodes that wrap well-formed ones."""
    found = []
    for child in node.children:
        if child.is_error:
            found.extend(_statements(child))
        else:
            found.append(child)
    return found


def read_program(source: SourceFile) -> Program:
    program = Program(source)
    for statement in _statements(source.root):
        _read_statement(program, statement)
    return program
