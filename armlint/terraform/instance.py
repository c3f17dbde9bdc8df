"""One evaluated instance of a module: a root module, or a child module as one caller binds it.

Values are computed lazily and cached: a variable, local, output or resource attribute is
evaluated the first time something needs it. Each cached value keeps the steps it went through
(``var.x (variables.tf:3)``, ``set in terraform.tfvars:2``), which are appended to the trace of
whoever reads it.
"""

from __future__ import annotations

from pathlib import Path

from armlint.model import LOCATION_ORIGIN, Unknown, Value
from armlint.terraform import nodes as n
from armlint.terraform.config import ModuleConfig
from armlint.terraform.evaluator import (
    EACH_STEPS,
    NO_KEY,
    Budget,
    Evaluator,
    ModuleRef,
    ResourceRef,
    index_suffix,
)
from armlint.terraform.values import EvalError, ResourceId, Undeclared, convert, parse_type

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

    from armlint.terraform.loader import Workspace

    Cached = tuple[Any, tuple[str, ...]]  # a value and the trace of how it was resolved


def where(loc) -> str:
    return f"{Path(loc.path).name}:{loc.line}"


# Like ARM's copy limit of 800: a count of 10^9 must not build 10^9 records (nor take the VM
# out of the check, as an unknown count would).
MAX_INSTANCES = 800
# What building a module instance costs the tree budget beyond its expressions (its records,
# its cache): about the time of a hundred evaluation steps.
MODULE_INSTANCE_STEPS = 100


class Expansion(Value):
    """The instances of a resource or module call: ``count``, ``for_each`` or just one."""

    __slots__ = ("kind", "keys", "values", "unknown", "steps", "capped")

    def __init__(
        self,
        kind: str,  # 'single' | 'count' | 'for_each'
        keys: list | None = None,  # ints for count, strings for for_each
        values: dict | None = None,  # for_each key -> each.value
        unknown: Unknown | None = None,  # set when count / for_each cannot be evaluated
        steps: tuple[str, ...] = (),
        # Set when count / for_each asked for more than MAX_INSTANCES: only the first instance
        # is built, as a representative, and this says why (its records carry it too).
        capped: str = "",
    ) -> None:
        self.kind = kind
        self.keys = [] if keys is None else keys
        self.values = {} if values is None else values
        self.unknown = unknown
        self.steps = steps
        self.capped = capped

    def scope(self, key: Any) -> dict:
        if self.kind == "count":
            index = key if self.unknown is None else self.unknown
            return {"count": {"index": index}}
        if self.kind == "for_each":
            # EACH_STEPS lets a reference to each.* name where the collection came from.
            if self.unknown is not None:
                return {
                    "each": {"key": self.unknown, "value": self.unknown},
                    EACH_STEPS: self.steps,
                }
            return {"each": {"key": key, "value": self.values.get(key)}, EACH_STEPS: self.steps}
        return {}

    def instance_keys(self) -> list:
        """The keys to build; an unknown expansion yields one placeholder instance (None)."""
        if self.kind == "single" or self.unknown is not None:
            return [None]
        return list(self.keys)


def expand(block: n.Block, evaluator: Evaluator, scope: dict) -> Expansion:
    """Evaluate ``count`` / ``for_each`` of a resource or module block."""
    attributes = block.body.attributes
    if "count" in attributes:
        value, steps = evaluator.evaluate(attributes["count"].expr, scope)
        return _count_expansion(value, steps)
    if "for_each" in attributes:
        value, steps = evaluator.evaluate(attributes["for_each"].expr, scope)
        return _for_each_expansion(value, steps)
    return Expansion("single")


def _count_expansion(value: Any, steps: tuple[str, ...]) -> Expansion:
    if isinstance(value, ResourceId):
        value = value.unknown
    if isinstance(value, Unknown):
        return Expansion("count", unknown=Unknown(f"count is unknown: {value.reason}"), steps=steps)
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:  # NaN
        reason = f"count is not a number ({value!r})"
        return Expansion("count", unknown=Unknown(reason), steps=steps)
    if value > MAX_INSTANCES:  # also infinity (count = 1e999)
        shown = f"{value:g}" if isinstance(value, float) else str(value)
        return _capped("count", shown, [0], {}, steps)
    return Expansion("count", keys=list(range(max(int(value), 0))), steps=steps)


def _capped(what: str, size: str, keys: list, values: dict, steps: tuple) -> Expansion:
    """Too many instances to build: the first stands for all (a setting written in the block
    is the same for each; one that depends on the key is checked for that key only)."""
    reason = (
        f"{what} {size} is above armlint's limit of {MAX_INSTANCES} instances;"
        " checked on one representative instance"
    )
    kind = what.split()[0]
    return Expansion(kind, keys=keys, values=values, steps=(*steps, reason), capped=reason)


def _for_each_expansion(value: Any, steps: tuple[str, ...]) -> Expansion:
    if isinstance(value, Unknown):
        return Expansion(
            "for_each", unknown=Unknown(f"for_each is unknown: {value.reason}"), steps=steps
        )
    if isinstance(value, dict):
        keys = sorted(value)
        if len(keys) > MAX_INSTANCES:
            first = keys[0]
            return _capped(
                "for_each of", f"{len(keys)} keys", [first], {first: value[first]}, steps
            )
        return Expansion(
            "for_each", keys=keys, values={key: value[key] for key in keys}, steps=steps
        )
    if isinstance(value, list):
        if any(not isinstance(item, str) or isinstance(item, ResourceId) for item in value):
            reason = "for_each is a set with values known only after apply, or not strings"
            return Expansion("for_each", unknown=Unknown(reason), steps=steps)
        keys = sorted(set(value))
        if len(keys) > MAX_INSTANCES:
            first = keys[0]
            return _capped("for_each of", f"{len(keys)} keys", [first], {first: first}, steps)
        return Expansion("for_each", keys=keys, values={key: key for key in keys}, steps=steps)
    reason = f"for_each is not a map or set ({value!r})"
    return Expansion("for_each", unknown=Unknown(reason), steps=steps)


class ModuleInstance:
    """A module as evaluated at one place: its inputs bound, its values cached."""

    def __init__(
        self,
        workspace: Workspace,
        config: ModuleConfig,
        address: str = "",
        parent: ModuleInstance | None = None,
        call_name: str = "",
        call_scope: dict | None = None,
        depth: int = 0,
        root_inputs: dict[str, Cached] | None = None,
        instances_unknown: bool = False,
        position: int | None = None,
    ) -> None:
        self.workspace = workspace
        self.config = config
        self.address = address
        self.parent = parent
        self.call_name = call_name
        self.call_scope = call_scope or {}
        self.depth = depth
        self.root_inputs = root_inputs or {}
        self.instances_unknown = instances_unknown
        self.position = position  # index among the call's count / for_each instances
        shared = parent.budget.shared if parent is not None else Budget(workspace.tree_budget)
        self.budget: Budget = Budget(workspace.step_budget, shared)
        self.evaluator = Evaluator(self, self.budget)
        self._cache: dict[tuple, Cached] = {}
        self._active: set[tuple] = set()
        self._children: dict[str, Any] = {}
        self._expansions: dict[tuple, Expansion] = {}

    @property
    def root(self) -> ModuleInstance:
        return self if self.parent is None else self.parent.root

    # --- cached lookups -----------------------------------------------------------------

    def _cached(self, key: tuple, compute, trace: list) -> Any:
        found = self._cache.get(key)
        if found is None:
            if key in self._active:
                return Unknown(f"{'.'.join(key)} depends on itself")
            self._active.add(key)
            try:
                found = compute()
            finally:
                self._active.discard(key)
            self._cache[key] = found
        value, steps = found
        trace.extend(steps)
        return value

    def variable(self, name: str, trace: list) -> Any:
        if name not in self.config.variables:
            raise Undeclared(f"var.{name} is not declared in {self.config.directory.name}")
        return self._cached(("var", name), lambda: self._resolve_variable(name), trace)

    def local(self, name: str, trace: list) -> Any:
        if name not in self.config.locals:
            raise Undeclared(f"local.{name} is not declared in {self.config.directory.name}")
        return self._cached(("local", name), lambda: self._resolve_local(name), trace)

    def output(self, name: str) -> Cached:
        block = self.config.outputs.get(name)
        if block is None:
            raise EvalError(f"output {name!r} is not declared in {self.config.directory}")
        trace: list = []
        value = self._cached(("output", name), lambda: self._resolve_output(block), trace)
        return value, tuple(trace)

    # --- variables, locals, outputs -----------------------------------------------------

    def _resolve_variable(self, name: str) -> Cached:
        block = self.config.variables[name]
        head = f"var.{name} ({where(block.loc)})"
        value, steps = self._given_value(name)
        if value is _NOT_GIVEN or (value is None and _not_nullable(block)):
            value, steps = self._default_value(name, block)
        type_attr = block.body.attributes.get("type")
        spec = parse_type(type_attr.expr if type_attr else None)
        value = convert(value, spec, self._eval_constant)
        return value, (head, *steps)

    def _given_value(self, name: str) -> Cached:
        if self.parent is None:
            return self.root_inputs.get(name, (_NOT_GIVEN, ()))
        call = self.parent.config.calls[self.call_name]
        attribute = call.body.attributes.get(name)
        if attribute is None:
            return _NOT_GIVEN, ()
        value, steps = self.parent.evaluator.evaluate(attribute.expr, self.call_scope)
        return value, (f"set by {self.address} ({where(attribute.expr.loc)})", *steps)

    def _default_value(self, name: str, block: n.Block) -> Cached:
        default = block.body.attributes.get("default")
        if default is not None:
            value, steps = self.evaluator.evaluate(default.expr, {})
            return value, steps
        if self.parent is None:
            return Unknown(f"var.{name} has no default and no value"), ()
        return Unknown(f"var.{name} has no default and {self.address} does not set it"), ()

    def _eval_constant(self, expr: n.Expr) -> Any:
        value, _ = self.evaluator.evaluate(expr, {})
        return value

    def _resolve_local(self, name: str) -> Cached:
        attribute = self.config.locals[name]
        value, steps = self.evaluator.evaluate(attribute.expr, {})
        return value, (f"local.{name} ({where(attribute.loc)})", *steps)

    def _resolve_output(self, block: n.Block) -> Cached:
        attribute = block.body.attributes.get("value")
        if attribute is None:
            return None, ()
        return self.evaluator.evaluate(attribute.expr, {})

    def path_value(self, name: str) -> Any:
        if name == "module":
            return str(self.config.directory)
        if name in ("root", "cwd"):
            return str(self.root.config.directory)
        raise EvalError(f"path.{name} does not exist")

    # --- child modules ------------------------------------------------------------------

    def children(self, call_name: str) -> dict[Any, ModuleInstance] | Unknown:
        """The instances of a module call, keyed by count index / for_each key (None: single)."""
        if call_name not in self._children:
            self._children[call_name] = self._make_children(call_name)
        return self._children[call_name]

    def _make_children(self, call_name: str) -> dict[Any, ModuleInstance] | Unknown:
        target = self.config.local_call_target(call_name)
        source = self.config.call_source(call_name)
        if target is None:
            self.workspace.skipped_call(self.config, call_name)
            return Unknown(f"module.{call_name} (source {source!r}) is not fetched")
        child_config = self.workspace.configs.get(target)
        if child_config is None:
            self.workspace.missing_call(self.config, call_name)
            return Unknown(f"module.{call_name}: {source!r} is not among the loaded files")
        if self.depth + 1 > self.workspace.max_depth:
            self.workspace.note_depth(self.address or str(self.config.directory))
            return Unknown(f"module.{call_name} is nested deeper than {self.workspace.max_depth}")
        block = self.config.calls[call_name]
        expansion = expand(block, self.evaluator, {})
        keys = expansion.instance_keys()
        if expansion.capped:
            self.workspace.capped[f"module.{call_name} ({where(block.loc)})"] = expansion.capped
        tree = self.budget.shared
        if tree is not None:
            tree.remaining -= MODULE_INSTANCE_STEPS * len(keys)
            if tree.remaining < 0:
                self.workspace.tree_exhausted.add(self.address or str(self.config.directory))
                return Unknown(
                    f"module.{call_name} not evaluated: the module tree budget of"
                    f" {tree.limit} steps is exhausted"
                )
        prefix = (self.address + ".") if self.address else ""
        return {
            key: ModuleInstance(
                self.workspace,
                child_config,
                address=f"{prefix}module.{call_name}{index_suffix(key)}",
                parent=self,
                call_name=call_name,
                call_scope=expansion.scope(key),
                depth=self.depth + 1,
                instances_unknown=self.instances_unknown or expansion.unknown is not None,
                position=None if key is None else position,
            )
            for position, key in enumerate(keys)
        }

    def module_output(self, ref: ModuleRef, name: str, trace: list) -> Any:
        if ref.name not in self.config.calls:
            raise EvalError(f"module.{ref.name} is not declared")
        instances = self.children(ref.name)
        if isinstance(instances, Unknown):
            return instances
        child = self._pick_child(ref, instances)
        if isinstance(child, Unknown):
            return child
        if name not in child.config.outputs:
            raise EvalError(f"module.{ref.name} has no output {name!r}")
        value, steps = child.output(name)
        head = f"module.{ref.name}.{name} ({where(child.config.outputs[name].loc)})"
        trace.extend((head, *steps))
        return value

    def _pick_child(self, ref: ModuleRef, instances: dict) -> ModuleInstance | Unknown:
        if ref.key is NO_KEY:
            if list(instances) == [None]:
                return instances[None]
            raise EvalError(f"module.{ref.name} has several instances; index it")
        if list(instances) == [None] and instances[None].instances_unknown:
            return Unknown(f"the instances of module.{ref.name} are unknown")
        key = ref.key if not isinstance(ref.key, float) else int(ref.key)
        if key not in instances:
            raise EvalError(f"module.{ref.name}{index_suffix(key)} does not exist")
        return instances[key]

    def module_instance_refs(self, ref: ModuleRef) -> list | Unknown:
        instances = self.children(ref.name) if ref.name in self.config.calls else None
        if instances is None:
            raise EvalError(f"module.{ref.name} is not declared")
        if isinstance(instances, Unknown):
            return instances
        return [ModuleRef(self, ref.name, key) if key is not None else ref for key in instances]

    # --- resources ----------------------------------------------------------------------

    def resource_expansion(self, rtype: str, rname: str, data: bool = False) -> Expansion:
        key = (data, rtype, rname)
        if key not in self._expansions:
            table = self.config.data if data else self.config.resources
            block = table[(rtype, rname)]
            self._expansions[key] = expand(block, self.evaluator, {})
        return self._expansions[key]

    def resource_instance_refs(self, ref: ResourceRef) -> list | Unknown:
        table = self.config.data if ref.data else self.config.resources
        if (ref.rtype, ref.rname) not in table:
            return Unknown(f"{ref.address} is not declared in the loaded files")
        expansion = self.resource_expansion(ref.rtype, ref.rname, ref.data)
        if expansion.unknown is not None:
            return expansion.unknown
        if expansion.kind == "single":
            return [ref]
        return [ResourceRef(self, ref.rtype, ref.rname, key, ref.data) for key in expansion.keys]

    def resource_attr(self, ref: ResourceRef, name: str, trace: list) -> Any:
        table = self.config.data if ref.data else self.config.resources
        block = table.get((ref.rtype, ref.rname))
        if block is None:
            return Unknown(f"{ref.address} is not declared in the loaded files")
        expansion = self.resource_expansion(ref.rtype, ref.rname, ref.data)
        problem = _instance_problem(ref, expansion)
        if problem is not None:
            return problem
        if name == "id":
            return ResourceId(ref.address)
        if name == "location" and ref.rtype == RESOURCE_GROUP_TYPE:
            given = self._given_group_location(ref, block, expansion, trace)
            if given is not None:
                return given
        if ref.data:
            return Unknown(f"{ref.address}.{name} is read from Azure during plan")
        attribute = block.body.attributes.get(name)
        if attribute is None or name in ("count", "for_each"):
            return Unknown(f"{ref.address}.{name} is known after apply")
        key = ("resource", ref.address, name)
        scope = expansion.scope(None if ref.key is NO_KEY else ref.key)
        return self._cached(key, lambda: self._resolve_resource_attr(ref, attribute, scope), trace)

    def _given_group_location(self, ref: ResourceRef, block, expansion, trace: list) -> Any:
        """``--location`` for a resource group whose location the files leave unknown (a data
        source, or a variable without a value); None when the files know it or none is given."""
        location = self.workspace.deployment.location
        if not location:
            return None
        attribute = block.body.attributes.get("location")
        if not ref.data and attribute is not None:
            key = ("resource", ref.address, "location")
            scope = expansion.scope(None if ref.key is NO_KEY else ref.key)
            steps: list = []
            value = self._cached(
                key, lambda: self._resolve_resource_attr(ref, attribute, scope), steps
            )
            if not isinstance(value, Unknown):
                trace.extend(steps)
                return value
        trace.append(f"{ref.address}.location {LOCATION_ORIGIN}")
        return location

    def _resolve_resource_attr(
        self, ref: ResourceRef, attribute: n.Attribute, scope: dict
    ) -> Cached:
        value, steps = self.evaluator.evaluate(attribute.expr, scope)
        return value, (f"{ref.address}.{attribute.name} ({where(attribute.loc)})", *steps)


class _NotGiven:
    def __repr__(self) -> str:
        return "<not given>"


_NOT_GIVEN = _NotGiven()
RESOURCE_GROUP_TYPE = "azurerm_resource_group"  # and data.azurerm_resource_group


def _not_nullable(block: n.Block) -> bool:
    attribute = block.body.attributes.get("nullable")
    if attribute is None:
        return False
    expr = attribute.expr
    return isinstance(expr, n.Literal) and expr.value is False


def _instance_problem(ref: ResourceRef, expansion: Expansion) -> Any:
    """Whether the reference names an instance that exists (raises for Terraform errors)."""
    if expansion.kind == "single":
        if ref.key is not NO_KEY:
            raise EvalError(f"{ref.address}: the resource has no count or for_each")
        return None
    if ref.key is NO_KEY:
        raise EvalError(f"{ref.address} has count or for_each; index it")
    if expansion.unknown is not None:
        return Unknown(f"the instances of {ref.address} are unknown")
    key = int(ref.key) if isinstance(ref.key, float) else ref.key
    if key not in expansion.keys:
        raise EvalError(f"{ref.address} does not exist")
    return None


__all__ = ["Expansion", "ModuleInstance", "expand", "where"]
