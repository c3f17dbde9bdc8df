"""One evaluation of one Bicep file: parameters bound, variables, resource and module instances.

A ``Template`` is a file evaluated in a context: as a root (parameter defaults), through a
``.bicepparam`` file, or as a local module of a caller (``params`` bound). An ``Engine`` holds
what one root evaluation shares: the step budget, the allowed-value choices of the current
scenario, the file cache and the notes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from armlint.bicep import strings
from armlint.bicep.evaluate import (
    OutputsRef,
    evaluate,
    loop_env,
    loop_items,
    site,
    truth,
    unknown,
)
from armlint.bicep.program import (
    ModuleDecl,
    Program,
    ResourceDecl,
    Shape,
    member_nodes,
    named,
    written_members,
)
from armlint.bicep.reads import Memo, Reads
from armlint.bicep.values import NO_DEPS, ModuleRef, ResourceRef, Site, V, plain
from armlint.model import DeploymentContext, Unknown

REGISTRY_PREFIXES = ("br:", "br/", "ts:", "ts/")
MAX_MODULE_DEPTH = 16
MODULE_STEPS = 100  # what creating one module template costs besides its expressions


def is_registry(path: str) -> bool:
    return path.lower().startswith(REGISTRY_PREFIXES)


@dataclass
class Engine:
    """What one root evaluation shares across the templates it creates."""

    load_program: Any  # callable(Path, display str) -> Program | None; resolves the path
    choices: dict[tuple[str, str], Any] = field(default_factory=dict)
    budget: int = 400_000
    steps: int = 0
    depth: int = 0  # current nesting of evaluate() calls
    exhausted: bool = False
    allowed: dict[tuple[str, str], list[Any]] = field(default_factory=dict)
    registry_modules: set[tuple[str, str]] = field(default_factory=set)
    missing_modules: set[tuple[str, str]] = field(default_factory=set)
    deployment: DeploymentContext = field(default_factory=DeploymentContext)
    reads: Reads = field(default_factory=Reads)
    # The value each @allowed parameter took without a choice, per key (one per template that
    # declares it): exploration compares a combination with these.
    naturals: dict[tuple[str, str], list[Any]] = field(default_factory=dict)


@dataclass
class Instance:
    """One instance of a resource declaration (one loop iteration)."""

    template: Template
    decl: ResourceDecl
    index: int | None
    env: dict[str, V]
    condition: Any  # True | Unknown
    deps: frozenset
    parent: Instance | None = None
    loop_unknown: bool = False
    memo: Memo = field(init=False)

    def __post_init__(self) -> None:
        self.memo = Memo(self.template.engine.reads)

    def body(self) -> V:
        return self.memo.get("body", self._body)

    def _body(self) -> V:
        node = self.decl.shape.body
        if node is None:
            return V({}, site(self.template, self.decl.node))
        return self._value(node)

    def property(self, key: str) -> V | None:
        """One top-level property, evaluated alone (cheaper than the whole body)."""
        node = property_node(self.decl.shape.body, key, self.template)
        return None if node is None else self._member(node)

    def literal_member(self, *path: str) -> V | None:
        """The value at ``path`` (a top-level property, then keys inside it), evaluating only
        that member, when each object on the way is a literal with written-out keys (what
        reading the evaluated property would find); None when one is not, or lacks the key."""
        node = property_node(self.decl.shape.body, path[0], self.template)
        for key in path[1:]:
            members = member_nodes(node, self.template.program) if node is not None else None
            if node is None or node.type != "object" or members is None:
                return None
            node = _lookup_node(members, key)
        return None if node is None else self._member(node)

    def _member(self, node: Any) -> V:
        """The value of one object member, cached on its own."""
        key = ("member", node.start_byte, node.end_byte)
        return self.memo.get(key, lambda: self._value(node).at(site(self.template, node)))

    def _value(self, node: Any) -> V:
        """``node`` evaluated in this instance's scope; an object literal with written-out keys
        is evaluated member by member, each when it is read (``LazyMembers``): the facts read
        a few paths of a body, and a new @allowed choice evaluates again only the members on
        the way to what read it."""
        template = self.template
        members = member_nodes(node, template.program) if node.type == "object" else None
        engine = template.engine
        if members is None or engine.steps >= engine.budget:
            return evaluate(node, template, self.env)
        engine.steps += 1  # what evaluating the object itself costs
        lazy = LazyMembers(self, members)  # a repeated key: the last, as in evaluate
        return V(lazy, site(template, node), literal=is_literal(node, template))

    def name(self) -> V:
        return self.memo.get("name", self._name)

    def _name(self) -> V:
        found = self.property("name")
        if found is None:
            found = unknown("the resource has no name", self.template, self.decl.node)
        return found


@dataclass
class ModuleInstance:
    template: Template
    decl: ModuleDecl
    index: int | None
    env: dict[str, V]
    condition: Any
    deps: frozenset
    loop_unknown: bool = False
    memo: Memo = field(init=False)

    def __post_init__(self) -> None:
        self.memo = Memo(self.template.engine.reads)

    def callee(self) -> Template | None:
        return self.memo.get("callee", lambda: self.template.create_callee(self), _none)


def _none() -> None:
    return None


def _is_array_type(type_text: str) -> bool:
    text = type_text.rstrip("?").strip()
    return text == "array" or text.endswith("[]")


def static_members(node: Any, template: Template) -> list[tuple[str, Any]] | None:
    """``program.written_members`` of the template's file."""
    return written_members(node, template.program)


class LazyMembers(dict):
    """The members of an object literal of a resource body, each evaluated (and cached by the
    instance) when it is read. It answers every read as the evaluated object's dict would;
    the dict itself stays empty, so it must be read through these methods, as the records'
    code does (such objects reach no expression: expressions evaluate their own nodes)."""

    __slots__ = ("instance", "nodes")

    def __init__(self, instance: Instance, nodes: dict[str, Any]) -> None:
        super().__init__()
        self.instance = instance
        self.nodes = nodes

    def __getitem__(self, key: str) -> V:
        return self.instance._member(self.nodes[key])

    def get(self, key: str, default: Any = None) -> Any:
        node = self.nodes.get(key)
        return default if node is None else self.instance._member(node)

    def __contains__(self, key: object) -> bool:
        return key in self.nodes

    def __iter__(self):
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def keys(self):
        return self.nodes.keys()

    def values(self):
        return [self.instance._member(node) for node in self.nodes.values()]

    def items(self):
        return [(key, self.instance._member(node)) for key, node in self.nodes.items()]

    def copy(self) -> dict[str, V]:
        return dict(self.items())

    def __eq__(self, other: object) -> bool:
        return dict(self.items()) == other

    __hash__ = None

    def __repr__(self) -> str:
        return repr(dict(self.items()))


LITERAL_LEAVES = frozenset({"number", "boolean", "null"})


def is_literal(node: Any, template: Template) -> bool:
    """Whether ``evaluate`` gives a literal for ``node``, read from the syntax alone: plain
    numbers, booleans, nulls, strings without interpolation, and objects and arrays of them
    (no spread, no computed key). Read once per node."""
    known = template.program.literal_nodes
    where = (node.start_byte, node.end_byte)
    if where not in known:
        known[where] = _is_literal(node, template)
    return known[where]


def _is_literal(node: Any, template: Template) -> bool:
    kind = node.type
    if kind in LITERAL_LEAVES:
        return True
    if kind == "string":
        return all(isinstance(piece, str) for piece in strings.parts(template.source, node))
    if kind == "object":
        members = static_members(node, template)
        return members is not None and all(is_literal(value, template) for _, value in members)
    if kind == "array":
        return _literal_items(named(node), template)
    return False


def _literal_items(children: list[Any], template: Template) -> bool:
    spreads = template.source.rewritten.spreads
    for index, child in enumerate(children):
        if child.start_byte in spreads or child.start_byte - 3 in spreads:
            return False
        following = children[index + 1] if index + 1 < len(children) else None
        if (
            child.type == "identifier"
            and following is not None
            and following.type == "parenthesized_expression"
            and following.start_byte == child.end_byte
        ):
            return False  # 'f(x)' split in two by the grammar: a call
        if not is_literal(child, template):
            return False
    return True


def _lookup_node(nodes: dict[str, Any], key: str) -> Any | None:
    """``values.lookup`` over an object's member nodes: the exact key, else any casing."""
    found = nodes.get(key)
    if found is not None:
        return found
    folded = key.casefold()
    return next((node for name, node in nodes.items() if name.casefold() == folded), None)


def property_node(body: Any, key: str, template: Template) -> Any | None:
    """The value node of the first property of ``body`` named ``key`` in any casing."""
    if body is None:
        return None
    known = template.program.property_nodes
    where = (body.start_byte, body.end_byte)
    by_name = known.get(where)
    if by_name is None:
        by_name = known[where] = _property_nodes(body, template)
    return by_name.get(key.casefold())


def _property_nodes(body: Any, template: Template) -> dict[str, Any]:
    """Read once per body: resources and modules are asked for a few properties each, many
    times (names, parents, scopes, params) and the syntax tree makes new nodes every time."""
    by_name: dict[str, Any] = {}
    for prop in named(body):
        parts = named(prop) if prop.type == "object_property" else []
        if len(parts) >= 2 and parts[0].type != "resource_declaration":
            text = template.source.text(parts[0]).strip("'")
            by_name.setdefault(text.casefold(), parts[-1])
    return by_name


class Template:
    def __init__(
        self,
        engine: Engine,
        program: Program,
        bound: dict[str, V] | None,
        address: str,
        depth: int = 0,
        module: ModuleInstance | None = None,
    ) -> None:
        self.engine = engine
        self.program = program
        self.source = program.source
        self.bound = bound
        self.address = address  # prefix of record addresses, e.g. 'main.bicep:module vm/'
        self.depth = depth
        self.module = module
        # parameters, variables, outputs, resource and module instances, each with the
        # @allowed choices it read (exploration re-evaluates only what a new choice changes)
        self._memo = Memo(engine.reads)

    def cached(self, key: tuple, compute) -> Any:
        """``compute()``, cached with the choices it read like the template's own values."""
        return self._memo.get(key, compute)

    # --- symbols ------------------------------------------------------------------------------

    def symbol(self, name: str, node: Any) -> V:
        program = self.program
        if name in program.params:
            return self.param(name)
        if name in program.vars:
            return self.var(name)
        if name in program.resources:
            return V(ResourceRef(self, program.resources[name]), site(self, node))
        if name in program.modules:
            return V(ModuleRef(self, program.modules[name]), site(self, node))
        if name in self.source.rewritten.imported:
            return unknown(f"'{name}' is imported from another file and not evaluated", self, node)
        return unknown(f"'{name}' is not declared in {self.source.name}", self, node)

    def _step(self, kind: str, name: str, node: Any) -> tuple[str, ...]:
        return (f"{kind} {name} ({self.source.where(node)})",)

    def param(self, name: str) -> V:
        return self._memo.get(
            ("param", name), lambda: self._param_value(name), lambda: self._self_param(name)
        )

    def _self_param(self, name: str) -> V:
        decl = self.program.params[name]
        return unknown(f"parameter {name} refers to itself", self, decl.node)

    def _param_value(self, name: str) -> V:
        decl = self.program.params[name]
        step = self._step("param", name, decl.node)
        if self.bound is not None and name in self.bound:
            return self.bound[name].through(step)
        if decl.allowed is not None and not _is_array_type(decl.type_text):
            # on an array parameter @allowed limits the items; the value is not one of them
            chosen = self._allowed_choice(decl, step)
            if chosen is not None:
                return chosen
        if decl.default is not None:
            return evaluate(decl.default, self, {}).through(step)
        if decl.nullable:
            return V(None, site(self, decl.node), step)
        if decl.secure:
            return V(Unknown(f"secure parameter {name} has no value"), site(self, decl.node), step)
        return V(Unknown(f"parameter {name} has no value"), site(self, decl.node), step)

    def _allowed_choice(self, decl: Any, step: tuple[str, ...]) -> V | None:
        """An @allowed parameter without a bound value: the scenario picks one of its values."""
        allowed = plain(evaluate(decl.allowed, self, {}))
        if not isinstance(allowed, list) or not allowed:
            return None
        key = (self.source.display, decl.name)
        self.engine.reads.read(key)
        if key in self.engine.choices:
            value = self.engine.choices[key]
        else:
            default = plain(evaluate(decl.default, self, {})) if decl.default is not None else None
            value = default if default in allowed else allowed[0]
            naturals = self.engine.naturals.setdefault(key, [])
            if not any(same_value(value, known) for known in naturals):
                naturals.append(value)
        self.engine.allowed[key] = [value] + [item for item in allowed if item != value]
        where = decl.default if decl.default is not None else decl.node
        return V(value, site(self, where), step, False, frozenset({key}))

    def var(self, name: str) -> V:
        return self._memo.get(
            ("var", name), lambda: self._var_value(name), lambda: self._no_var(name)
        )

    def _var_value(self, name: str) -> V:
        decl = self.program.vars[name]
        if decl.value is None:
            return self._no_var(name)
        return evaluate(decl.value, self, {}).through(self._step("var", name, decl.node))

    def _no_var(self, name: str) -> V:
        decl = self.program.vars[name]
        return unknown(f"variable {name} cannot be evaluated", self, decl.node)

    def call_user_function(self, name: str, arg_nodes: list[Any], env: dict, node: Any) -> V:
        function = self.program.functions[name]
        if function.body is None:
            return unknown(f"function {name} has no body", self, node)
        scoped = {
            param: evaluate(arg, self, env)
            for param, arg in zip(function.params, arg_nodes, strict=False)
        }
        return evaluate(function.body, self, scoped)

    # --- resources ----------------------------------------------------------------------------

    def instances(self, decl: ResourceDecl) -> list[Instance]:
        # a resource that refers to its own instances while they are expanded sees none
        return self._memo.get(("instances", id(decl)), lambda: self._instances(decl), list)

    def _instances(self, decl: ResourceDecl) -> list[Instance]:
        if decl.parent is None:
            return self._expand(decl, {}, None)
        found: list[Instance] = []
        for parent in self.instances(decl.parent):
            found.extend(self._expand(decl, parent.env, parent))
        return found

    def _expand(self, decl: ResourceDecl, env: dict, parent: Instance | None) -> list[Instance]:
        made = []
        inherited = parent.deps if parent is not None else NO_DEPS
        inherited_condition = parent.condition if parent is not None else True
        for index, scoped, condition, deps, loop_unknown in self.expand_shape(decl.shape, env):
            if isinstance(inherited_condition, Unknown):
                condition = inherited_condition
            instance = Instance(self, decl, index, scoped, condition, deps | inherited, parent)
            instance.loop_unknown = loop_unknown
            made.append(instance)
        return made

    def expand_shape(self, shape: Shape, env: dict):
        """Yield (index, env, condition, deps, loop_unknown) for each live instance."""
        for index, scoped, deps, loop_unknown in self._iterations(shape, env):
            condition: Any = True
            if shape.condition is not None:
                verdict = evaluate(shape.condition, self, scoped)
                deps = deps | verdict.deps
                condition = truth(verdict)
                if condition is False:
                    continue
            yield index, scoped, condition, deps, loop_unknown

    def _iterations(self, shape: Shape, env: dict):
        if shape.loop is None or shape.iterable is None:
            yield None, env, NO_DEPS, False
            return
        iterable = evaluate(shape.iterable, self, env)
        items = loop_items(iterable)
        here = site(self, shape.loop)
        if isinstance(items, Unknown):
            item = V(items, here, iterable.trace, False, iterable.deps)
            scoped = loop_env(env, shape.item_name, shape.index_name, item, 0, here)
            if shape.index_name:
                scoped[shape.index_name] = V(Unknown("loop index of an unknown loop"), here)
            yield None, scoped, iterable.deps, True
            return
        for index, item in enumerate(items):
            scoped = loop_env(env, shape.item_name, shape.index_name, item, index, here)
            yield index, scoped, iterable.deps, False

    def find_instance(self, decl: ResourceDecl, index: Any) -> Instance | None:
        found = self.instances(decl)
        if decl.shape.loop is None:
            return found[0] if found else None
        for instance in found:
            if instance.index == index:
                return instance
        return None

    def resource_property(self, target: V, name: str, node: Any) -> V:
        ref: ResourceRef = target.value
        lowered = name.lower()
        looped = ref.decl.shape.loop is not None
        if lowered == "name" and (ref.index is not None or not looped):
            instance = ref.template.find_instance(ref.decl, ref.index)
            if instance is not None:
                return instance.name().through(target.trace, target.deps)
        if lowered == "type":
            return V(ref.decl.full_type, site(self, node))
        if lowered == "apiversion":
            return V(ref.decl.api_version, site(self, node))
        reason = f"{ref.decl.symbolic}.{name} is known only at deployment"
        return V(Unknown(reason), site(self, node), target.trace, False, target.deps, ref)

    # --- modules ------------------------------------------------------------------------------

    def module_instances(self, decl: ModuleDecl) -> list[ModuleInstance]:
        key = ("modules", decl.symbolic)
        return self._memo.get(key, lambda: self._module_instances(decl), list)

    def _module_instances(self, decl: ModuleDecl) -> list[ModuleInstance]:
        made = []
        for index, scoped, condition, deps, loop_unknown in self.expand_shape(decl.shape, {}):
            instance = ModuleInstance(self, decl, index, scoped, condition, deps)
            instance.loop_unknown = loop_unknown
            made.append(instance)
        return made

    def create_callee(self, instance: ModuleInstance) -> Template | None:
        decl = instance.decl
        key = (self.source.display, decl.symbolic)
        if is_registry(decl.path):
            self.engine.registry_modules.add(key)
            return None
        if self.depth >= MAX_MODULE_DEPTH:
            return None
        # Each module instance costs the root's budget: a module calling the next ten times,
        # seven deep, is ten million templates unless they are charged.
        self.engine.steps += MODULE_STEPS
        if self.engine.steps > self.engine.budget:
            self.engine.exhausted = True
            return None
        if "\0" in decl.path:  # no file has such a name; Path.resolve would raise
            self.engine.missing_modules.add((self.source.display, decl.path))
            return None
        program = self.engine.load_program(*self._module_file(decl.path))
        if program is None:
            self.engine.missing_modules.add((self.source.display, decl.path))
            return None
        suffix = "" if instance.index is None else f"[{instance.index}]"
        address = f"{self.address}module {decl.symbolic}{suffix}/"
        bound = self._module_params(instance)
        return Template(self.engine, program, bound, address, self.depth + 1, instance)

    def _module_file(self, relative: str) -> tuple[Path, str]:
        """The path of a local module (``load_program`` resolves it, once per load) and how
        it is shown; made once per file and module path, not per instance and combination."""
        known = self.program.module_files
        found = known.get(relative)
        if found is None:
            path = self.source.path.parent / relative
            display = os.path.normpath(os.path.join(os.path.dirname(self.source.display), relative))
            found = known[relative] = (path, Path(display).as_posix())
        return found

    def _module_params(self, instance: ModuleInstance) -> dict[str, V]:
        node = property_node(instance.decl.shape.body, "params", self)
        if node is None:
            return {}
        members = static_members(node, self) if node.type == "object" else None
        if members is not None:
            return _ModuleParams(self, instance, members)
        params = evaluate(node, self, instance.env)
        if not isinstance(params.value, dict):
            reason = "module parameters are unknown"
            if isinstance(params.value, Unknown):
                reason = params.value.reason
            return _UnknownParams(V(Unknown(reason), params.loc, params.trace, False, params.deps))
        bound = {}
        for name, value in params.value.items():
            where = value.loc.resolve() if isinstance(value.loc, Site) else None
            step = (f"set in {Path(where.path).name}:{where.line}",) if where else ()
            bound[name] = value.through(step + params.trace, params.deps)
        return bound

    def module_property(self, target: V, name: str, node: Any) -> V:
        ref: ModuleRef = target.value
        lowered = name.lower()
        if lowered == "outputs":
            instance = self._module_instance(ref)
            if instance is not None:
                return V(OutputsRef(instance), site(self, node), target.trace, False, target.deps)
        if lowered == "name":
            instance = self._module_instance(ref)
            if instance is not None:
                found = property_node(instance.decl.shape.body, "name", self)
                if found is not None:
                    return evaluate(found, self, instance.env)
        reason = f"{ref.decl.symbolic}.{name} is known only at deployment"
        return V(Unknown(reason), site(self, node), target.trace, False, target.deps)

    def _module_instance(self, ref: ModuleRef) -> ModuleInstance | None:
        made = ref.template.module_instances(ref.decl)
        if ref.decl.shape.loop is None:
            return made[0] if made else None
        return next((m for m in made if m.index == ref.index), None)

    def module_output(self, instance: ModuleInstance, target: V, name: str, node: Any) -> V:
        callee = instance.callee()
        if callee is None:
            if is_registry(instance.decl.path):
                reason = f"outputs of registry module {instance.decl.path} are not fetched"
            else:
                reason = f"module {instance.decl.path} could not be read"
            return V(Unknown(reason), site(self, node), target.trace, False, target.deps)
        return callee.output(name, node).through(target.trace, target.deps)

    def output(self, name: str, node: Any) -> V:
        return self._memo.get(
            ("output", name),
            lambda: self._output(name, node),
            lambda: unknown(f"output {name} refers to itself", self, node),
        )

    def _output(self, name: str, node: Any) -> V:
        found = None
        for key, value_node in self.program.outputs.items():
            if key.casefold() == name.casefold():
                found = value_node
        if found is None:
            return unknown(f"module has no output '{name}'", self, node)
        step = (f"output {name} ({self.source.where(found)})",)
        return evaluate(found, self, {}).through(step)


def same_value(one: Any, other: Any) -> bool:
    """The same choice: equal and of the same type (``1`` is not ``true``)."""
    return type(one) is type(other) and one == other


class _ModuleParams(dict):
    """Module parameters written as an object literal, each evaluated when the module reads
    it (most modules take many parameters and the VM facts read few), with what the whole
    object's evaluation would give it."""

    def __init__(self, caller: Template, instance: ModuleInstance, members: list) -> None:
        super().__init__()
        self.caller = caller
        self.env = instance.env
        self.nodes = dict(members)  # a repeated key: the last one, as in an evaluated object
        self.file_name = caller.source.display_name

    def __contains__(self, key: object) -> bool:
        return key in self.nodes

    def __getitem__(self, key: str) -> V:
        node = self.nodes[key]
        caller = self.caller
        value = evaluate(node, caller, self.env).at(site(caller, node))
        step = f"set in {self.file_name}:{caller.source.line_of(node)}"
        return value.through((step,))


class _UnknownParams(dict):
    """Module parameters given as one unknown object: every parameter is that unknown."""

    def __init__(self, value: V) -> None:
        super().__init__()
        self.value = value

    def __contains__(self, key: object) -> bool:
        return True

    def __getitem__(self, key: str) -> V:
        return self.value
