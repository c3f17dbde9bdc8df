"""From an evaluated ARM resource to a ``VmRecord``.

ARM's part is evaluation: ``ArmNode`` hands the resource to ``compute.arm_body`` (which decides
the facts, the defaults and the OS) and evaluates expressions on the way. The sibling resources
of a template (health extensions, maintenance assignments) are matched to VMs here.
"""

from __future__ import annotations

from collections.abc import Callable

from armlint.arm.combinations import COPY_INDEX
from armlint.arm.jsonpos import JsonObject, get_ci
from armlint.arm.template import Evaluated, FileContext, TemplateScope, location_of
from armlint.compute.arm_body import BodyExtractor, BodyNode, Reached, reach
from armlint.compute.schema import IMAGE_REFERENCE
from armlint.model import (
    SOURCE_EVALUATED,
    SOURCE_LITERAL,
    SOURCE_UNKNOWN,
    Fact,
    LaterLocation,
    Location,
    Unknown,
    VmRecord,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

VM_TYPE = "microsoft.compute/virtualmachines"
VMSS_TYPE = "microsoft.compute/virtualmachinescalesets"
NO_READS: frozenset[str] = frozenset()
INDEX_READ = frozenset((COPY_INDEX,))  # the reads of a node whose value read a copy-loop index
SETTLES_TO_ITSELF: Any = object()  # ArmNode._settled of a node whose value has nothing to settle
NOT_EVALUATED: Any = object()  # RecordBuilder._name before it is asked
NOT_LOOKED_UP: Any = object()  # ArmNode._children's answer for a key not asked yet


class ArmNode:
    """A value of a template resource as ``compute.arm_body`` walks it: expressions met on the
    way are evaluated in the template's scope; positions come from the JSON loader.

    Locations are worked out only when read (``LaterLocation``): one for every step cost a
    tenth of the run, and one for every fact a third of the rest, although few are ever shown.
    Children and the settled node are kept: ``compute.arm_body`` follows about twenty paths from
    the same root, and without this each one evaluated again the expressions it passed through
    (a third of the evaluation time). While allowedValues combinations are explored, a node
    also knows the explored parameters its value read (its own and its parents' evaluations),
    and a kept node hands them on to the evaluation under way (arm.combinations).
    """

    __slots__ = (
        "value",
        "scope",
        "start",
        "steps",
        "evaluated",
        "source",
        "trace",
        "reads",
        "_children",
        "_settled",
        "_location",
        "_object_location",
    )

    def __init__(
        self,
        value,
        scope: TemplateScope,
        start: Location,
        steps=(),
        evaluated=False,
        trace=(),
        reads: frozenset[str] = NO_READS,
    ):
        self.value = value
        self.scope = scope
        self.start = start
        # The (container, key) steps passed, deepest first, as a chain of
        # (container, key, steps above): a step adds one tuple, not a copy of all above.
        self.steps: tuple = steps
        self.evaluated = evaluated
        # An attribute, not a property: reach() reads it for every path it follows.
        self.source = SOURCE_EVALUATED if evaluated else SOURCE_LITERAL
        self.trace: tuple[str, ...] = trace
        self.reads = reads
        self._children: dict[str, ArmNode | None] = {}
        self._settled: Any = None  # an ArmNode, SETTLES_TO_ITSELF or None (not settled yet)
        # Kept: the absent properties of one object are all placed at it (a dozen per VM).
        self._location: Location | None = None
        self._object_location: Location | None = None

    @property
    def location(self) -> Location:
        """Where the value is written, worked out when read (few facts are ever shown)."""
        where = self._location
        if where is None:
            where = (
                LaterLocation(_written_at, (self.steps, self.start)) if self.steps else self.start
            )
            self._location = where
        return where

    def object_location(self) -> Location:
        where = self._object_location
        if where is None:
            if isinstance(self.value, JsonObject):
                where = LaterLocation(JsonObject.location, self.value)
            else:
                where = self.location
            self._object_location = where
        return where

    def child(self, key: str) -> ArmNode | None:
        node = self._children.get(key, NOT_LOOKED_UP)  # one look-up: most asks are kept ones
        if node is NOT_LOOKED_UP:
            node = self._children[key] = self._child(key)
        elif node is not None and node.reads:
            self._read_again(node.reads)
        return node

    def _child(self, key: str) -> ArmNode | None:
        actual, child = get_ci(self.value, key)
        if actual is None:
            return None
        evaluated, trace, reads = self.evaluated, self.trace, self.reads
        if isinstance(child, str) and child[:1] == "[":
            # Only a string that starts with a bracket is evaluated (an expression, or an
            # escaped ``[[`` literal): the other strings (742 of the corpus's 1,571 string
            # children) are themselves, with nothing to trace or read (-0.2% of a run).
            result, reads = self._resolve(child)
            if (result.value is not child and result.value != child) or result.trace:
                evaluated = True
            child, trace = result.value, trace + result.trace
        steps = (self.value, actual, self.steps)
        return ArmNode(child, self.scope, self.start, steps, evaluated, trace, reads)

    def item(self, index: int) -> ArmNode:
        """An element of a list as written: an element that is an expression is evaluated, as
        a child is (``SharedBodyExtractor`` reads a scale set's extensions unsettled)."""
        where = LaterLocation(_location_of, (self.value, index, self.location))
        element = self.value[index]
        if isinstance(element, str) and element[:1] == "[":
            result, reads = self._resolve(element)
            return ArmNode(result.value, self.scope, where, (), True, result.trace, reads)
        return ArmNode(element, self.scope, where, reads=self.reads)

    def settle(self) -> ArmNode:
        settled = self._settled
        if settled is None:
            settled = self._settle()
            # A node that settles to itself keeps a marker, not itself: a node referring to
            # itself is a reference cycle, which kept its scope and the template's whole tree
            # alive until the garbage collector's next pass over them.
            self._settled = SETTLES_TO_ITSELF if settled is self else settled
            return settled
        if settled is SETTLES_TO_ITSELF:
            settled = self
        if settled.reads:
            self._read_again(settled.reads)
        return settled

    def _settle(self) -> ArmNode:
        if not isinstance(self.value, (dict, list)):
            return self
        # Items of an array or object written in place may still be expressions themselves.
        resolved, reads = self._resolve(self.value)
        evaluated = self.evaluated or bool(resolved.trace)
        trace = self.trace + resolved.trace
        return ArmNode(resolved.value, self.scope, self.start, self.steps, evaluated, trace, reads)

    def _resolve(self, value: Any) -> tuple[Evaluated, frozenset[str]]:
        """The value evaluated, and the explored parameters this node's value then read
        (without a memo: whether it read a copy-loop index, for ``CopySharing``)."""
        context = self.scope.context
        memo = context.memo
        if memo is None:
            before = context.index_reads
            result = self.scope.resolve(value)
            if context.index_reads != before:
                return result, self.reads | INDEX_READ
            return result, self.reads
        memo.start()
        try:
            result = self.scope.resolve(value)
        finally:
            step = memo.finish()
        return result, (self.reads | step if step else self.reads)

    def _read_again(self, reads: frozenset[str]) -> None:
        context = self.scope.context
        if context.memo is not None:
            context.memo.read_all(reads)
        else:  # only INDEX_READ without a memo
            context.index_reads += 1


def _written_at(steps_and_start: tuple[tuple, Location]) -> Location:
    """The deepest step whose container kept positions (an object computed by an expression
    has none), else the start."""
    steps, start = steps_and_start
    while steps:
        container, key, steps = steps
        span = container.value_span_of(key) if isinstance(container, JsonObject) else None
        if span is not None:
            return container.src.location(span)
    return start


def _location_of(container_key_fallback: tuple[Any, Any, Location]) -> Location:
    return location_of(*container_key_fallback)


def follow(root: Any, path: tuple[str, ...], scope: TemplateScope, start: Location) -> Reached:
    """Walk a property path, evaluating expressions only where the path passes through them.

    While exploring, the path is walked once per choice of the explored parameters it read
    (arm.combinations), as a VM's own paths are (``SharedBodyExtractor``): the sibling
    extensions, maintenance assignments and deployments of a template are the same resources
    in every combination. ``start`` is where ``root`` is written, the same for the same root."""
    memo = scope.context.memo
    if memo is None or scope.scope_id is None:
        return _reach_from(root, path, scope, start)
    key = ("follow", scope.scope_id, id(root), path)
    return memo.shared(key, root, scope, _reach_from, root, path, scope, start)


def _reach_from(root: Any, path: tuple[str, ...], scope: TemplateScope, start: Location) -> Reached:
    return reach(ArmNode(root, scope, start), path)


def is_vm_type(resource_type: Any) -> str | None:
    """'vm' or 'vmss' for the Compute VM and scale-set types (not their child types)."""
    if not isinstance(resource_type, str):
        return None
    lowered = resource_type.lower()
    if lowered == VM_TYPE:
        return "vm"
    if lowered == VMSS_TYPE:
        return "vmss"
    return None


def is_partial_scale_set(resource: dict) -> bool:
    """A scale-set resource that only changes capacity of an existing set (no properties)."""
    _, properties = get_ci(resource, "properties")
    return properties is None


class RecordBuilder:
    """Collects the facts of one VM or scale-set resource: the body's through
    ``compute.arm_body``, the sibling resources' (extensions, maintenance assignments) here."""

    def __init__(
        self,
        resource: dict,
        scope: TemplateScope,
        kind: str,
        location: Location,
        copies: CopySharing | None = None,  # for an instance of a copy loop
        name: Any = NOT_EVALUATED,  # the evaluated name, when the caller has it already
    ) -> None:
        self.resource = resource
        self.scope = scope
        self.kind = kind
        self.start = location
        root = ArmNode(resource, scope, location)
        self.body = SharedBodyExtractor(root, kind, location, copies)
        self._name: Any = name

    @property
    def name(self) -> Any:
        """The evaluated name (may be ``Unknown``): the record's, and what siblings target."""
        if self._name is NOT_EVALUATED:
            self._name = self.scope.resolve(get_ci(self.resource, "name")[1]).value
        return self._name

    def facts(self, siblings: SiblingIndex) -> dict[str, Fact]:
        """A copy of the body's facts (they may be shared) and the siblings': none is None."""
        facts = dict(self.body.facts())
        facts["health_extension"] = self.body.inline_health_extension() or siblings.health_fact(
            self
        )
        facts["maintenance_assignment"] = siblings.maintenance_fact(self)
        return facts


class SharedBodyExtractor(BodyExtractor):
    """``BodyExtractor`` whose paths, while allowedValues combinations are explored, are walked
    once per choice of the explored parameters their values read (arm.combinations), and once
    for all the instances of a copy loop unless they read its index: a VM of the root template
    is the same resource in every combination, so a path that read no changed choice (and no
    index) reaches the same value. Without combinations, the groups of facts of a copy loop's
    instances are shared the same way (``CopySharing``)."""

    def __init__(
        self, root: ArmNode, kind: str, start: Location, copies: CopySharing | None = None
    ) -> None:
        super().__init__(root, kind, start)
        self.root: ArmNode = root  # narrower than a BodyNode: its nodes keep their reads
        self.scope = scope = root.scope
        self.resource = root.value
        memo = scope.context.memo
        self.memo = memo if memo is not None and scope.scope_id is not None else None
        # Either sharer, or neither: CopySharing counts index reads only without a memo.
        self.copies = copies if memo is None else None
        self._profile: Any = NOT_EVALUATED  # the node at ``base`` (see _profile_node)

    # A scale set's extensions are not evaluated whole to find the health extension: each
    # item's type is reached on its own; settling the list evaluated every extension's
    # settings too (0.95% of a run, for 7 lists in the corpus).
    settles_extensions = False

    def facts(self) -> dict[str, Fact]:
        """All of them at once when no choice they read changed (the caller copies the dict;
        nothing changes a ``Fact`` once built)."""
        if self.memo is None and self.copies is None:
            return super().facts()
        return self._shared("facts", BodyExtractor.facts, self)

    def find(self, *path: str) -> Reached:
        memo = self.memo
        if memo is None:
            return reach(self.root, path)
        # The memo asked directly, not through _shared: a call less on each of the corpus's
        # 9,100 paths looked up while exploring.
        scope, resource = self.scope, self.resource
        key = (scope.scope_id, id(resource), path)
        return memo.shared(key, resource, scope, reach, self.root, path)

    def profile(self, *path: str) -> Reached:
        if self.memo is None:  # at once, not through find with the path unpacked again: -0.4%
            node = self._profile
            if node is NOT_EVALUATED:
                node = self._profile = self._profile_node()
            if node is not None:
                return reach(node, path)
            return reach(self.root, self.base + path)
        return self.find(*self.base, *path)

    def _profile_node(self) -> ArmNode | None:
        """The object at ``base``, where most paths start (kept: walking to it again for each
        of a VM's paths cost 0.46% of a run); None when it is not one, or when reaching it read
        a copy-loop index (each path then walks through it, which says so again: CopySharing)."""
        node: ArmNode | None = self.root
        for key in self.base:
            if node is None or not isinstance(node.value, dict):
                return None
            node = node.child(key)
        if node is None or node.reads or not isinstance(node.value, dict):
            return None
        return node

    # Each group of facts shared on its own: when a choice changes one group (the patch mode,
    # say), the others (the image, the placement) are not worked out again. Each reads only
    # its own paths, and returns new Facts that nothing changes afterwards.

    def _patch_facts(self, os_name: str) -> dict[str, Fact]:
        if self.memo is None and self.copies is None:
            return super()._patch_facts(os_name)
        return self._shared(("patch facts", os_name), BodyExtractor._patch_facts, self, os_name)

    def _image_facts(self) -> dict[str, Fact]:
        return self._group("image facts", BodyExtractor._image_facts)

    def _image_key(self, image: BodyNode, key: str) -> Reached:
        if self.memo is not None:  # each path shared on its own, as the other paths are
            return self.find(*self.base, *IMAGE_REFERENCE, key)
        return reach(image, (key,))

    def _placement_facts(self) -> dict[str, Fact]:
        return self._group("placement facts", BodyExtractor._placement_facts)

    def _scale_set_upgrade_facts(self) -> dict[str, Fact]:
        return self._group("upgrade facts", BodyExtractor._scale_set_upgrade_facts)

    def shared_fact(self, what: str, compute: Callable[[], Fact]) -> Fact:
        """A fact the walk works out from this body and its file alone (the api-version),
        shared as the groups of facts are: the same ``Fact`` in every combination that
        reads the same choices."""
        if self.memo is None and self.copies is None:
            return compute()
        return self._shared(what, compute)

    def _group(self, what: str, method: Callable[[BodyExtractor], Any]) -> Any:
        if self.memo is None and self.copies is None:
            return method(self)
        return self._shared(what, method, self)

    def _shared(self, what: Any, compute: Callable[..., Any], *arguments: Any) -> Any:
        """``compute(*arguments)`` through the sharer; the arguments are passed apart so that
        a hit builds no closure or ``functools.partial``."""
        scope, resource = self.scope, self.resource
        memo, copies = self.memo, self.copies
        if memo is not None:
            key = (scope.scope_id, id(resource), what)
            return memo.shared(key, resource, scope, compute, *arguments)
        if copies is not None:
            by_group = (id(resource), what)
            return copies.shared(by_group, resource, scope.budget, compute, *arguments)
        return compute(*arguments)


class CopySharing:
    """Groups of VM facts shared by the instances of a copy loop, in one walk of a template
    when no allowedValues combinations share results (``CombinationMemo`` does this then).

    The instances' scopes differ only by their copy-loop indexes, so a group whose evaluation
    read no index is the same for every instance: the later ones take the first one's Facts
    (nothing changes a ``Fact`` once built) and spend the steps it spent. A third of the
    corpus's VM records are later instances of copy loops. What an evaluation read is counted
    in ``FileContext.index_reads``: copyIndex() itself, and each use of a cached value that
    read an index (a scope's variables and parameters, an ``ArmNode``'s children)."""

    __slots__ = ("context", "entries")

    def __init__(self, context: FileContext) -> None:
        self.context = context
        # By (id of the resource, group): the resource (kept alive, so the id is not reused),
        # the group's facts and the budget steps they cost.
        self.entries: dict[tuple, tuple[Any, Any, int]] = {}

    def shared(
        self, key: tuple, subject: Any, budget, compute: Callable[..., Any], *arguments: Any
    ) -> Any:
        found = self.entries.get(key)
        if found is not None and found[0] is subject and budget.steps >= found[2]:
            budget.steps -= found[2]
            return found[1]
        context = self.context
        index_reads, steps = context.index_reads, budget.steps
        result = compute(*arguments)
        if context.index_reads == index_reads and not budget.exhausted:
            self.entries[key] = (subject, result, steps - budget.steps)
        return result


class SiblingResource:
    """An extension or maintenance assignment found next to the VMs of one template. A plain
    class: creating a dataclass cost about 2 million instructions of every ARM check's
    start-up."""

    __slots__ = ("kind", "name", "target", "location", "trace")

    def __init__(
        self, kind: str, name: Any, target: Any, location: Location, trace: tuple[str, ...] = ()
    ) -> None:
        self.kind = kind  # 'health' | 'maintenance'
        self.name = name  # evaluated name (may be Unknown)
        self.target = target  # evaluated scope or parent reference text (may be Unknown)
        self.location = location
        self.trace = trace


class SiblingIndex:
    """Health extensions and maintenance assignments of one deployment, matched to VMs by name."""

    def __init__(self) -> None:
        self.items: list[SiblingResource] = []

    def add(self, item: SiblingResource) -> None:
        self.items.append(item)

    def health_fact(self, builder: RecordBuilder) -> Fact:
        return self._match("health", builder)

    def maintenance_fact(self, builder: RecordBuilder) -> Fact:
        return self._match("maintenance", builder)

    def _match(self, kind: str, builder: RecordBuilder) -> Fact:
        vm_name = builder.name
        unmatched: SiblingResource | None = None
        for item in self.items:
            if item.kind != kind:
                continue
            verdict = _targets(item, vm_name)
            if verdict is True:
                return Fact(True, item.location, SOURCE_EVALUATED, item.trace)
            if verdict is None:
                unmatched = item
        if unmatched is not None:
            reason = Unknown(f"cannot tell whether the {_kind_phrase(kind)} targets this VM")
            return Fact(reason, unmatched.location, SOURCE_UNKNOWN, unmatched.trace)
        # armlint looked and found none: a determined False, located at the resource.
        return Fact(False, builder.start, SOURCE_EVALUATED, (f"no {_kind_phrase(kind)} found",))


def _kind_phrase(kind: str) -> str:
    return "application health extension" if kind == "health" else "maintenance assignment"


def _targets(item: SiblingResource, vm_name: Any) -> bool | None:
    """True/False when the sibling clearly does or does not belong to the VM; None when unknown."""
    if not isinstance(vm_name, str):
        return None
    needle = vm_name.lower()
    texts = [item.name, item.target]
    if any(isinstance(text, Unknown) for text in texts):
        return None
    for text in texts:
        if isinstance(text, str):
            lowered = text.lower()
            if lowered.startswith(needle + "/") or f"/{needle}/" in lowered + "/":
                return True
            if lowered.endswith("/" + needle) or lowered == needle:
                return True
    return False


def new_record(builder: RecordBuilder, path: str, name: Any, resource_type: str) -> VmRecord:
    display = name if isinstance(name, str) else "<unknown name>"
    return VmRecord(
        path=path,
        format="arm",
        kind=builder.kind,
        resource_type=resource_type,
        name=display,
        location=builder.start,
        name_known=isinstance(name, str),
    )


__all__ = [
    "ArmNode",
    "CopySharing",
    "Evaluated",
    "Reached",
    "RecordBuilder",
    "SharedBodyExtractor",
    "SiblingIndex",
    "SiblingResource",
    "follow",
    "is_partial_scale_set",
    "is_vm_type",
    "new_record",
]
