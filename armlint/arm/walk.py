"""Walk the resources of a template: copy loops, conditions, nested and linked deployments.

Every VM and scale-set instance becomes a ``VmRecord``. Resources that only mention a VM type
(``existing`` references, capacity-only scale-set updates, policy rules) produce nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from armlint.arm.expressions import EvaluationError
from armlint.arm.extract import (
    NOT_EVALUATED,
    VM_TYPE,
    VMSS_TYPE,
    CopySharing,
    RecordBuilder,
    SiblingIndex,
    SiblingResource,
    follow,
    is_partial_scale_set,
    new_record,
)
from armlint.arm.fleet import FLEET_TYPES, Fleet
from armlint.arm.jsonpos import JsonObject, get_ci
from armlint.arm.template import (
    MAX_NESTING,
    ParameterValue,
    TemplateScope,
    location_of,
    value_line,
)
from armlint.model import (
    SOURCE_EVALUATED,
    SOURCE_UNKNOWN,
    Fact,
    Finding,
    LaterLocation,
    Location,
    Unknown,
    VmRecord,
    pack_finding,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

DEPLOYMENT_TYPE = "microsoft.resources/deployments"
# is_vm_type's answers by the type in lower case, which the walk has already.
VM_KINDS = {VM_TYPE: "vm", VMSS_TYPE: "vmss"}
VM_TYPES = (VM_TYPE, VMSS_TYPE)  # tested for a type just lowered: a tuple, no hash to work out
# A resource's keys as the template schema spells them (no two the same in lower case): in
# a resource with no other key, a key not written as asked is not written in any case.
SCHEMA_KEYS = frozenset(
    (
        "apiVersion",
        "comments",
        "condition",
        "copy",
        "dependsOn",
        "existing",
        "extendedLocation",
        "identity",
        "kind",
        "location",
        "managedBy",
        "metadata",
        "name",
        "plan",
        "properties",
        "resourceGroup",
        "resources",
        "scope",
        "sku",
        "subscriptionId",
        "tags",
        "type",
        "zones",
    )
)
EXTENSION_SUFFIX = "/extensions"
# Work that is not expression evaluation, charged to the file's evaluation budget in steps, so
# that copy loops inside copy loops (800 deployments of 800 VMs each) stop at the budget
# instead of checking 640,000 records. A VM record costs about as much as 100 function calls.
COPY_INSTANCE_STEPS = 10
VM_RECORD_STEPS = 100
# A nested or linked deployment walked again for each caller: a template that links the next
# ten times, six deep, is a million walks unless each one is charged.
DEPLOYMENT_STEPS = 100

LinkedLoader = Callable[[str, "str | Path"], "tuple[dict, Any] | str"]


# Plain classes, not dataclasses: every ARM check imports this module, and creating a dataclass
# cost about 2 million instructions (a millisecond) of start-up each.


class Walk:
    """The state of walking one root template for one set of parameter values."""

    __slots__ = ("path", "linked_loader", "api_profiles", "records", "findings")

    def __init__(
        self,
        path: str | Path,  # a Path for a linked template (TemplateLoader._load_linked)
        linked_loader: LinkedLoader | None = None,
        api_profiles: dict[str, str] | None = None,
    ) -> None:
        self.path = path
        self.linked_loader = linked_loader
        self.api_profiles: dict[str, str] = {} if api_profiles is None else api_profiles
        self.records: list[VmRecord] = []
        self.findings: list[Finding] = []


class Declared:
    """A resource that matters, with what the walk reads of its own text: the same in every
    allowedValues combination, so looked up once per file (``get_ci`` scans every key for an
    absent one, and most resources have no copy loop, condition or child resources)."""

    __slots__ = ("resource", "location", "type", "lowered_type", "copy", "condition", "children")

    def __init__(
        self, resource: dict, resource_type: Any, as_schema: bool, location: Location
    ) -> None:
        self.resource = resource
        self.location = location
        self.type = resource_type
        self.lowered_type = _lower(resource_type)
        self.copy = _own(resource, as_schema, "copy")[1]
        self.condition = _own(resource, as_schema, "condition")  # (key, raw): a null one is one
        _, children = _own(resource, as_schema, "resources")
        self.children = (
            [child for child in children if isinstance(child, dict)]
            if isinstance(children, list)
            else []
        )


class Instance:
    """One expanded resource: the resource, its scope and its loop position."""

    __slots__ = (
        "declared",
        "resource",
        "scope",
        "location",
        "group",
        "index",
        "condition_unknown",
        "instances_unknown",
        "_name",
    )

    def __init__(
        self,
        declared: Declared,
        scope: TemplateScope,
        group: str = "",
        index: int | None = None,
        condition_unknown: bool = False,
        instances_unknown: bool = False,
    ) -> None:
        self.declared = declared
        self.resource = declared.resource
        self.scope = scope
        self.location = declared.location
        self.group = group
        self.index = index
        self.condition_unknown = condition_unknown
        self.instances_unknown = instances_unknown
        self._name: Any = NOT_EVALUATED

    def name(self) -> Any:
        """The evaluated name (may be ``Unknown``), once for the record of a VM and the child
        resources that target it."""
        if self._name is NOT_EVALUATED:
            self._name = self.scope.resolve(get_ci(self.resource, "name")[1]).value
        return self._name


def walk_template(template: dict, scope: TemplateScope, walk: Walk, depth: int = 0) -> None:
    resources = _resources_that_matter(template, scope.context.walked)
    siblings = SiblingIndex()
    fleet = Fleet()
    copies = CopySharing(scope.context) if scope.context.memo is None else None
    instances = [inst for declared in resources for inst in _expand(declared, scope, walk)]
    for instance in instances:
        _index_sibling(instance, siblings)
        fleet.index(instance.resource, instance.scope, instance.location)
        _index_children(instance, siblings, fleet)
    for instance in instances:
        kind = VM_KINDS.get(instance.declared.lowered_type)
        if kind is not None:
            record = _add_vm(instance, kind, siblings, template, walk, copies)
            if record is not None:  # not the record before it (a nested template's VM)
                _add_fleet_facts(record, fleet)
        elif instance.declared.lowered_type == DEPLOYMENT_TYPE:
            _walk_deployment(instance, walk, depth)


def _resources_that_matter(template: dict, walked: dict) -> list[Declared]:
    """The resources ``_matters`` keeps, with their locations; worked out once per file (each
    allowedValues combination walks the same template again)."""
    return _once_per_file(walked, "resources", template, _find_resources_that_matter)


def _find_resources_that_matter(template: dict, walked: dict) -> list[Declared]:
    found = []
    for resource in _declared_resources(template):
        as_schema = resource.keys() <= SCHEMA_KEYS
        resource_type = _own(resource, as_schema, "type")[1]
        if not _matters(resource, _lower(resource_type), as_schema, walked):
            continue
        if _is_existing(resource, as_schema):
            continue
        found.append(Declared(resource, resource_type, as_schema, _location(resource, template)))
    return found


def _own(resource: dict, as_schema: bool, key: str) -> tuple[str | None, Any]:
    """``get_ci(resource, key)`` for a key in lower case. ``as_schema``: every key of the
    resource is spelt as the schema spells it (``SCHEMA_KEYS``, as in every resource of the
    corpus), so that a key not written as asked is absent: ``get_ci`` would lower every key
    to say so, for each of the four keys the walk asks that most resources do not have
    (about 5,500 instructions for a resource of seven keys)."""
    if key in resource:
        return key, resource[key]
    if as_schema:
        return None, None
    return get_ci(resource, key)


def _once_per_file(walked: dict, what: str, template: dict, work: Callable) -> Any:
    """``work(template, walked)``, what the walk works out from a template's text alone, kept
    for the file in ``walked`` by id of the template object (kept alive with it)."""
    key = (what, id(template))
    known = walked.get(key)
    if known is not None and known[0] is template:
        return known[1]
    result = work(template, walked)
    walked[key] = (template, result)
    return result


def _declared_resources(template: dict) -> Iterator[dict]:
    """Resources as an array, or as an object keyed by symbolic name (languageVersion 2.0),
    ``existing`` references included (looking that up costs a scan of the resource's keys, so
    callers first look at the type)."""
    _, resources = get_ci(template, "resources")
    if isinstance(resources, list):
        items = resources
    elif isinstance(resources, dict):
        items = list(resources.values())
    else:
        return
    for resource in items:
        if isinstance(resource, dict):
            yield resource


def _location(resource: dict, template: dict) -> Location:
    """Where the resource is written; the template's place for one without positions. Worked
    out when read (``LaterLocation``): most resources never show theirs."""
    if isinstance(resource, JsonObject):
        return LaterLocation(JsonObject.location, resource)
    if isinstance(template, JsonObject):
        return LaterLocation(JsonObject.location, template)
    return Location("", 1, 1)


def _child_location(child: dict, instance: Instance) -> Location:
    """Where a child resource is written, else its parent's place."""
    if isinstance(child, JsonObject):
        return LaterLocation(JsonObject.location, child)
    return instance.location


def _matters(resource: dict, resource_type: str, as_schema: bool, walked: dict) -> bool:
    """Whether a resource can make or change a VM record: VMs and scale sets, deployments that
    may deploy them, extensions and maintenance assignments (and whatever has child resources,
    which may be those). Others are not expanded at all: evaluating their copy counts and
    conditions costs time, and reading parameters there would widen the allowedValues search
    to parameters that no VM depends on. ``resource_type`` is the resource's, in lower case;
    ``as_schema`` as ``_own`` takes it."""
    if resource_type == DEPLOYMENT_TYPE:
        inline = _raw_child(resource, ("properties", "template"))
        return inline is None or _may_deploy_vms(inline, walked)
    return (
        resource_type.startswith(
            ("microsoft.compute/virtualmachines", "microsoft.compute/virtualmachinescalesets")
        )
        or "configurationassignments" in resource_type
        or resource_type in FLEET_TYPES
        or bool(_own(resource, as_schema, "resources")[1])
    )


def _may_deploy_vms(template: dict, walked: dict) -> bool:
    """A nested template with a VM or scale set in it, or a deployment that may have one. Once
    per nested template and file: each level of nested deployments asks it of all below."""
    return _once_per_file(walked, "may deploy VMs", template, _find_vms)


def _find_vms(template: dict, walked: dict) -> bool:
    for resource in _declared_resources(template):
        resource_type = _lower(get_ci(resource, "type")[1])
        is_vm = resource_type in VM_TYPES
        if not is_vm and resource_type != DEPLOYMENT_TYPE:
            continue
        if _is_existing(resource, resource.keys() <= SCHEMA_KEYS):
            continue
        if is_vm:
            return True
        inline = _raw_child(resource, ("properties", "template"))
        if inline is None or _may_deploy_vms(inline, walked):
            return True
    return False


def _is_existing(resource: dict, as_schema: bool) -> bool:
    _, existing = _own(resource, as_schema, "existing")
    return existing is True


def _expand(declared: Declared, scope: TemplateScope, walk: Walk) -> list[Instance]:
    copy = declared.copy
    if not isinstance(copy, dict):
        return _conditioned([Instance(declared, scope)])
    _, loop_name = get_ci(copy, "name")
    loop = loop_name if isinstance(loop_name, str) else "copy"
    count = scope.count_of(copy)
    group = f"{_text(declared.type)}/{loop}"
    where = declared.location
    if isinstance(count, Unknown):
        unknown_scope = scope.with_copy_index(loop, 0)
        unknown_scope.copy_indexes = {**scope.copy_indexes, loop: count, None: count}
        instance = Instance(declared, unknown_scope, group, None, instances_unknown=True)
        return _conditioned([instance])
    if not _affordable(scope, count * COPY_INSTANCE_STEPS):
        message = (
            f"copy loop '{loop}' ({count} instances) not expanded: evaluation budget exhausted"
        )
        scope.context.notes.append(f"{where.short()}: {message}")
        return []
    instances = [
        Instance(declared, scope.with_copy_index(loop, index), group, index)
        for index in range(count)
    ]
    return _conditioned(instances)


def _affordable(scope: TemplateScope, steps: int) -> bool:
    """Charge work that is not expression evaluation to the budget; False once it is used up."""
    try:
        scope.budget.spend(steps)
    except EvaluationError:
        return False
    return True


def _conditioned(instances: list[Instance]) -> list[Instance]:
    kept = []
    for instance in instances:
        key, raw = instance.declared.condition
        if key is None:
            kept.append(instance)
            continue
        value = instance.scope.resolve(raw).value
        if value is False:
            continue
        instance.condition_unknown = isinstance(value, Unknown)
        kept.append(instance)
    return kept


def _index_sibling(instance: Instance, siblings: SiblingIndex) -> None:
    resource, scope = instance.resource, instance.scope
    resource_type = instance.declared.lowered_type
    if resource_type.endswith(EXTENSION_SUFFIX) and resource_type.startswith(
        "microsoft.compute/virtualmachines"
    ):
        _add_health_sibling(resource, scope, instance.location, siblings, parent=None)
    elif "configurationassignments" in resource_type:
        name = scope.resolve(get_ci(resource, "name")[1]).value
        target = scope.resolve(get_ci(resource, "scope")[1]).value
        if target is None:
            target = follow(resource, ("properties", "resourceId"), scope, instance.location).value
        sibling = SiblingResource("maintenance", name, target, instance.location)
        siblings.add(sibling)


def _index_children(instance: Instance, siblings: SiblingIndex, fleet: Fleet) -> None:
    """Child resources (extensions, assignments) target their parent: its name is evaluated
    once for all of them."""
    children = instance.declared.children
    if not children:
        return
    parent_name = instance.name()
    for child in children:
        where = _child_location(child, instance)
        _index_child_sibling(instance, child, parent_name, where, siblings)
        fleet.index_child(child, parent_name, instance.scope, where)


def _index_child_sibling(
    instance: Instance, child: dict, parent_name: Any, where: Location, siblings: SiblingIndex
) -> None:
    child_type = _lower(get_ci(child, "type")[1])
    if child_type.endswith("extensions"):
        _add_health_sibling(child, instance.scope, where, siblings, parent=parent_name)
    elif "configurationassignments" in child_type:
        siblings.add(SiblingResource("maintenance", parent_name, parent_name, where))


def _add_fleet_facts(record: VmRecord, fleet: Fleet) -> None:
    """The record just added gets its availability set's counts and its schedule."""
    record.facts.update(fleet.facts_for(record.facts, record.name))


def _add_health_sibling(resource, scope, where, siblings: SiblingIndex, parent) -> None:
    kind = follow(resource, ("properties", "type"), scope, where)
    if isinstance(kind.value, Unknown) or (
        isinstance(kind.value, str) and kind.value.lower().startswith("applicationhealth")
    ):
        name = scope.resolve(get_ci(resource, "name")[1]).value
        target = parent if parent is not None else name
        if isinstance(kind.value, Unknown):
            name = target = kind.value
        siblings.add(SiblingResource("health", name, target, where, kind.trace))


def _add_vm(instance, kind: str, siblings, template, walk: Walk, copies=None) -> VmRecord | None:
    """The VM's record, added to the walk's; None when the resource makes none."""
    resource = instance.resource
    if kind == "vmss" and is_partial_scale_set(resource):
        return None
    if not _affordable(instance.scope, VM_RECORD_STEPS):
        return None  # the loader's note says the budget ran out and some went unchecked
    in_loop = copies if instance.index is not None else None
    builder = RecordBuilder(
        resource, instance.scope, kind, instance.location, in_loop, instance.name()
    )
    raw_name = get_ci(resource, "name")[1]
    name = builder.name
    name_known = isinstance(name, str)
    if not name_known and isinstance(raw_name, str):
        name = raw_name  # the expression itself names the resource better than '<unknown>'
    record = new_record(builder, str(walk.path), name, _canonical_type(kind))
    record.name_known = name_known
    record.facts = builder.facts(siblings)
    api_version = partial(_api_version_fact, builder, template, instance, walk)
    record.facts["api_version"] = builder.body.shared_fact("api version fact", api_version)
    record.group = instance.group
    record.index = instance.index
    record.address = f"{record.resource_type}/{record.name}"
    if instance.condition_unknown:
        record.condition_unknown = True
    if instance.instances_unknown:
        record.instances_unknown = True
    walk.records.append(record)
    return record


def _canonical_type(kind: str) -> str:
    if kind == "vm":
        return "Microsoft.Compute/virtualMachines"
    return "Microsoft.Compute/virtualMachineScaleSets"


def _api_version_fact(
    builder: RecordBuilder, template: dict, instance: Instance, walk: Walk
) -> Fact:
    found = builder.body.find("apiVersion")
    if found.present:
        return found.fact()
    key, profile = get_ci(template, "apiProfile")
    if isinstance(profile, str):
        where = location_of(template, key, instance.location)
        implied = walk.api_profiles.get(profile.lower())
        trace = (f"apiProfile '{profile}' ({where.short()})",)
        if implied:
            return Fact(implied, where, SOURCE_EVALUATED, trace)
        reason = Unknown(f"no apiVersion; the template's apiProfile '{profile}' decides it")
        return Fact(reason, where, SOURCE_UNKNOWN, trace)
    reason = Unknown("the resource has no apiVersion")
    return Fact(reason, instance.location, SOURCE_UNKNOWN)


# -- nested and linked deployments ----------------------------------------------------------


def _walk_deployment(instance: Instance, walk: Walk, depth: int) -> None:
    if depth >= MAX_NESTING:
        message = f"nested deployments deeper than {MAX_NESTING} are not followed"
        instance.scope.context.notes.append(f"{instance.location.short()}: {message}")
        return
    if not _affordable(instance.scope, DEPLOYMENT_STEPS):
        message = "deployment not followed: evaluation budget exhausted"
        instance.scope.context.notes.append(f"{instance.location.short()}: {message}")
        return
    resource, scope = instance.resource, instance.scope
    raw_template = _raw_child(resource, ("properties", "template"))
    if raw_template is not None:
        # Walked as written: its expressions belong to the scope the deployment gives them.
        _walk_inline(instance, raw_template, walk, depth)
        return
    link = follow(resource, ("properties", "templateLink"), scope, instance.location)
    if link.present:
        _walk_linked(instance, link, walk, depth)


def _raw_child(resource: dict, path: tuple[str, ...]) -> Any:
    current: Any = resource
    for key in path:
        if not isinstance(current, dict):
            return None
        current = get_ci(current, key)[1]
    return current if isinstance(current, dict) else None


def _walk_inline(instance: Instance, template: dict, walk: Walk, depth: int) -> None:
    resource, scope = instance.resource, instance.scope
    options = follow(
        resource, ("properties", "expressionEvaluationOptions", "scope"), scope, instance.location
    )
    inner = isinstance(options.value, str) and options.value.lower() == "inner"
    if not inner:
        walk_template(template, scope, walk, depth + 1)
        return
    child = _nested_scope(instance, template, scope.src, depth)
    walk_template(template, child, walk, depth + 1)


def _nested_scope(instance: Instance, template: dict, src, depth: int) -> TemplateScope:
    """The scope of an inner-scoped or linked deployment's template. While exploring, it shares
    results with the same deployment's scope in other combinations (arm.combinations): the
    parameters it passes are evaluated in the deploying scope, which tells apart what they
    read, and their traces name the deployment, whose name may read a choice too."""
    scope = instance.scope
    memo = scope.context.memo
    if memo is None or scope.scope_id is None:
        given = _passed_parameters(instance)
        return TemplateScope(template, src, given, scope.context, depth=depth + 1)
    memo.start()
    try:
        given = _passed_parameters(instance)
    finally:
        reads = memo.finish()
    where = scope.indexes_key()
    scope_id = memo.scope_id(scope.scope_id, instance.resource, where, template, reads)
    return TemplateScope(template, src, given, scope.context, depth=depth + 1, scope_id=scope_id)


def _passed_parameters(instance: Instance) -> dict[str, ParameterValue]:
    resource, scope = instance.resource, instance.scope
    parameters = _raw_child(resource, ("properties", "parameters"))
    name = scope.resolve(get_ci(resource, "name")[1]).value
    label = name if isinstance(name, str) else "<unknown>"
    given: dict[str, ParameterValue] = {}
    if not isinstance(parameters, dict):
        return given
    for key, entry in parameters.items():
        if not isinstance(entry, dict):
            continue

        def origin(key=key) -> str:
            place = value_line(parameters, key, instance.location)
            return f"passed by deployment '{label}' ({place})"

        value_key, value = get_ci(entry, "value")
        if value_key is None:
            reason = Unknown(f"parameter '{key}' comes from a Key Vault reference")
            given[key] = ParameterValue(reason, origin())
        else:
            given[key] = ParameterValue(value, origin, scope)
    return given


def _walk_linked(instance: Instance, link, walk: Walk, depth: int) -> None:
    scope = instance.scope
    relative = follow(
        instance.resource, ("properties", "templateLink", "relativePath"), scope, link.location
    )
    if isinstance(relative.value, str) and walk.linked_loader is not None:
        loaded = walk.linked_loader(relative.value, walk.path)
        if isinstance(loaded, tuple):
            template, src = loaded
            child = _nested_scope(instance, template, src, depth)
            walk_template(template, child, walk, depth + 1)
            return
        walk.findings.append(_unknown_link(link.location, loaded))
        return
    uri = follow(instance.resource, ("properties", "templateLink", "uri"), scope, link.location)
    target = uri.value if isinstance(uri.value, str) else "a URI"
    reason = f"linked template {target} is not fetched (armlint works offline)"
    walk.findings.append(_unknown_link(link.location, reason))


def _unknown_link(where: Location, reason: str) -> Finding:
    return pack_finding("AZP002", f"{reason}; the VMs it deploys are not checked", where)


def _lower(value: Any) -> str:
    return value.lower() if isinstance(value, str) else ""


def _text(value: Any) -> str:
    return value if isinstance(value, str) else "?"
