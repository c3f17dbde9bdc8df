"""The one extractor over ARM-shaped resource bodies: ARM templates, exported VMs, and
Terraform ``azapi_resource`` bodies (Bicep compiles to the same shape and reads the same
schema).

A format hands over the body as a ``BodyNode``: a value with its location, source and trace
that can give its children. The format decides how a child is reached (an ARM template
evaluates expressions on the way, an azapi body is already evaluated); this module decides
which property holds which fact, the defaults, the OS and the Manual inference (schema.py,
images.py). Property lookups are case-insensitive, as ARM's are.
"""

from __future__ import annotations

from armlint.compute.images import canonical_os, os_from_image
from armlint.compute.schema import (
    HEALTH_EXTENSION_TYPES,
    HEALTH_PROBE,
    IMAGE_FACTS,
    IMAGE_ID_KEYS,
    IMAGE_REFERENCE,
    INLINE_EXTENSIONS,
    LINUX_CONFIG,
    OS_CONFIG_FACTS,
    OS_TYPE,
    SCALE_SET_ORCHESTRATION_DEFAULT,
    UPGRADE_POLICY,
    FactSpec,
    config_key,
    infer_manual,
    platform_default,
    spec_path,
)
from armlint.model import (
    SOURCE_ABSENT,
    SOURCE_DEFAULT,
    SOURCE_EVALUATED,
    SOURCE_MAYBE_SET,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    Unknown,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any, Protocol
else:
    Protocol = object  # BodyNode is a protocol for the type checker only

TRACE_READS = ("parameters(", "variables(")  # the trace steps that read a value (focus_trace)
OS_UNDETERMINED = (
    "no windowsConfiguration, linuxConfiguration, osDisk.osType or known image publisher"
)


class BodyNode(Protocol):
    """One value of a body as the format evaluated it: the value type every format hands in.

    ``value`` is a plain value, a dict, a list or ``Unknown``; ``source`` is 'literal' or
    'evaluated'; ``trace`` the steps that produced it, outermost first.
    """

    value: Any

    @property
    def location(self) -> Location | None: ...

    @property
    def source(self) -> str: ...

    @property
    def trace(self) -> tuple[str, ...]: ...

    def child(self, key: str) -> BodyNode | None:
        """The property ``key`` (case-insensitive) of an object; None when it is not written."""

    def item(self, index: int) -> BodyNode:
        """The element ``index`` of a list."""

    def object_location(self) -> Location:
        """Where a property missing from this object belongs."""

    def settle(self) -> BodyNode:
        """This node with any expressions inside its object or list value evaluated."""


class Reached:
    """The result of following a property path through a body. A plain class: creating a
    dataclass cost about 2 million instructions of every check's start-up."""

    __slots__ = ("value", "location", "present", "source", "trace", "key", "maybe_set")

    def __init__(
        self,
        value: Any,
        location: Location | None,
        present: bool,
        source: str,
        trace: tuple[str, ...],
        key: str = "",
        maybe_set: bool = False,  # an enclosing object was unknown, not the property itself
    ) -> None:
        self.value = value
        self.location = location
        self.present = present
        self.source = source
        self.trace = trace
        self.key = key
        self.maybe_set = maybe_set

    def absent_below(self, key: str) -> Reached:
        """What a path through this absent property reaches: the same absence, for ``key``."""
        return Reached(None, self.location, False, self.source, self.trace, key)

    def fact(self, default: Any = None, has_default: bool = False) -> Fact:
        trace = focus_trace(self.trace, self.key)
        if isinstance(self.value, Unknown):
            source = SOURCE_MAYBE_SET if self.maybe_set else SOURCE_UNKNOWN
            return Fact(self.value, self.location, source, trace)
        if not self.present or self.value is None:
            if has_default:
                return Fact(default, self.location, SOURCE_DEFAULT, trace)
            return Fact(None, self.location, SOURCE_ABSENT, trace)
        return Fact(self.value, self.location, self.source, trace)


def focus_trace(trace: tuple[str, ...], key: str) -> tuple[str, ...]:
    """The steps that explain one property: its own parameter, else the variable it came through.

    Evaluating an object (a whole ``windowsConfiguration`` variable, say) reads many parameters;
    the one named like the property is the one that set it. The steps kept run from that
    parameter or variable to the next one (positions in ``starts``, one pass over the trace).
    """
    if len(trace) <= 2:
        return trace
    starts = [i for i, step in enumerate(trace) if step.startswith(TRACE_READS)]
    if not starts:
        return trace
    wanted = f"parameters('{key.lower()}')"
    chosen = _position_of(trace, starts, wanted)
    following = chosen + 1
    end = starts[following] if following < len(starts) else len(trace)
    return trace[starts[chosen] : end]


def _position_of(trace: tuple[str, ...], starts: list[int], wanted: str) -> int:
    """Which of ``starts`` explains the property: its parameter, else the last variable, else
    the first read (loops, not generators: a generator's resumes cost more than the tests)."""
    for n, i in enumerate(starts):
        if trace[i].lower().startswith(wanted):
            return n
    for n in range(len(starts) - 1, -1, -1):
        if trace[starts[n]][0] == "v":
            return n
    return 0


def reach(root: BodyNode, path: tuple[str, ...], settle: bool = True) -> Reached:
    """Follow a property path; an absent property is located where it belongs. Without
    ``settle``, an object or list reached is not evaluated inside."""
    node = root
    last = path[-1] if path else ""
    for key in path:
        value = node.value
        if not isinstance(value, dict):  # the common case, an object, tested first
            if isinstance(value, Unknown):
                return Reached(value, node.location, True, SOURCE_EVALUATED, node.trace, last, True)
            return Reached(None, node.location, False, node.source, node.trace, last)
        child = node.child(key)
        if child is None:
            return Reached(None, node.object_location(), False, node.source, node.trace, last)
        node = child
    if node.value is None:
        return Reached(None, node.location, False, node.source, node.trace, last)
    if settle:
        node = node.settle()
    return Reached(node.value, node.location, True, node.source, node.trace, last)


class BodyExtractor:
    """The facts of one VM or scale-set body that the body itself says."""

    # Whether a scale set's list of inline extensions is settled before its items' types are
    # read: Bicep's is (an array with an unknown part is unknown as a whole); ARM's is not.
    settles_extensions = True

    def __init__(self, root: BodyNode, kind: str, start: Location) -> None:
        self.root = root
        self.kind = kind
        self.start = start
        self.base = ("properties",) if kind == "vm" else ("properties", "virtualMachineProfile")

    def find(self, *path: str) -> Reached:
        return reach(self.root, path)

    def profile(self, *path: str) -> Reached:
        return self.find(*self.base, *path)

    def facts(self) -> dict[str, Fact]:
        """Every body fact, in record order; sibling facts (extensions of a VM, maintenance
        assignments) are the format's: they live outside the body."""
        facts: dict[str, Fact] = {}
        windows = self._os_config("windowsConfiguration")
        linux = self._os_config("linuxConfiguration")
        os_fact = self._os_fact(windows, linux)
        facts["os"] = os_fact
        if isinstance(os_fact.value, Unknown):
            facts.update(self._patch_facts_unknown_os(os_fact, windows, linux))
        else:
            facts.update(self._patch_facts(os_fact.value))
        facts.update(self._image_facts())
        facts.update(self._placement_facts())
        facts.update(self._scale_set_upgrade_facts())
        hotpatching = self._linux_hotpatching(linux)
        if hotpatching is not None:
            facts["linux_enable_hotpatching"] = hotpatching
        return facts

    # -- operating system -------------------------------------------------------------------

    def _os_config(self, name: str) -> Reached:
        """An OS configuration block, not evaluated inside: the OS fact is that the block is
        written, whatever its members evaluate to (they are reached one by one for their own
        facts). A block that is itself an expression is still evaluated, and traced, on the
        way. Evaluating the members here too cost 0.6% of a run (88 blocks in the corpus)."""
        return reach(self.root, (*self.base, "osProfile", name), settle=False)

    def _os_fact(self, windows: Reached, linux: Reached) -> Fact:
        if windows.present and not isinstance(windows.value, Unknown):
            return Fact("Windows", windows.location, windows.source, windows.trace)
        if linux.present and not isinstance(linux.value, Unknown):
            return Fact("Linux", linux.location, linux.source, linux.trace)
        os_type = self.profile(*OS_TYPE)
        if os_type.present and isinstance(os_type.value, str):
            os_name = canonical_os(os_type.value)
            return Fact(os_name, os_type.location, os_type.source, os_type.trace)
        publisher = self.profile(*IMAGE_REFERENCE, "publisher")
        offer = self.profile(*IMAGE_REFERENCE, "offer")
        from_image = os_from_image(publisher.value, offer.value)
        if from_image is not None:
            trace = (*publisher.trace, "inferred from the image publisher")
            return Fact(from_image, publisher.location, SOURCE_EVALUATED, trace)
        for reached in (windows, linux, os_type, publisher):
            if isinstance(reached.value, Unknown):
                return Fact(reached.value, reached.location, SOURCE_UNKNOWN, reached.trace)
        return Fact(Unknown(OS_UNDETERMINED), self.start, SOURCE_UNKNOWN)

    # -- patch settings ---------------------------------------------------------------------

    def _patch_facts(self, os_name: str) -> dict[str, Fact]:
        """The facts of the OS configuration block; a presence fact whose object is not
        written is left out, not set to None (no dictionary is filtered afterwards)."""
        facts: dict[str, Fact] = {}
        # The configuration block is reached once: when it is not written, nothing under it is,
        # and every fact is that absence, at the same place (most VMs name their OS by the
        # image: 881 of the 5,291 paths of the corpus, 0.2% of a run). Reached here, not taken
        # from facts(): this group is shared on its own (SharedBodyExtractor) and must read
        # what it depends on.
        config = self._os_config(config_key(os_name))
        for spec, path in _config_fact_paths(os_name):
            if spec.windows_only and os_name != "Windows":
                continue
            reached = self.profile(*path) if config.present else config.absent_below(path[-1])
            if spec.type == "presence":
                presence = _presence(reached)
                if presence is not None:
                    facts[spec.name] = presence
                continue
            default = platform_default(os_name, spec.name)
            facts[spec.name] = reached.fact(default, default is not None)
        infer_manual(facts)
        return facts

    def _patch_facts_unknown_os(self, os_fact: Fact, windows: Reached, linux: Reached):
        """Without the OS, a value written in either configuration is still reported as written."""
        reason = Unknown(
            f"depends on the operating system, which is unknown ({os_fact.value.reason})"
        )
        facts: dict[str, Fact] = {}
        for config, name in ((windows, "windowsConfiguration"), (linux, "linuxConfiguration")):
            if not config.present:
                continue
            settings = ("osProfile", name, "patchSettings")
            for fact_name, path in (
                ("patch_mode", (*settings, "patchMode")),
                ("assessment_mode", (*settings, "assessmentMode")),
                ("provision_vm_agent", ("osProfile", name, "provisionVMAgent")),
            ):
                reached = self.profile(*path)
                if reached.present:
                    facts[fact_name] = reached.fact()
        for fact_name in ("patch_mode", "provision_vm_agent", "enable_automatic_updates"):
            # Not written anywhere: a platform default applies; unknown when it differs by OS
            # (provisionVMAgent is true on both).
            default = platform_default(os_fact.value, fact_name)
            value = reason if isinstance(default, Unknown) else default
            facts.setdefault(
                fact_name, Fact(value, os_fact.location, SOURCE_DEFAULT, os_fact.trace)
            )
        return facts

    # -- image, placement, inline extensions ------------------------------------------------

    def _image_facts(self) -> dict[str, Fact]:
        # Whether the image reference is written, not what is inside: each key is reached
        # (and evaluated) on its own below, so settling the object evaluated them twice (0.9%).
        path = (*self.base, *IMAGE_REFERENCE)
        image = reach(self.root, path, settle=False)
        facts: dict[str, Fact] = {}
        if isinstance(image.value, Unknown):
            for name, _ in IMAGE_FACTS[:3]:
                facts[name] = Fact(image.value, image.location, SOURCE_UNKNOWN, image.trace)
            return facts
        if not image.present:
            return facts
        node = reach_node(self.root, path, settle=False)
        for name, key in IMAGE_FACTS:
            reached = self._image_key(node, key)
            if reached.present:
                facts[name] = reached.fact()
        for key in IMAGE_ID_KEYS:
            reached = self._image_key(node, key)
            if reached.present:
                facts["image_id"] = reached.fact()
                break
        return facts

    def _image_key(self, image: BodyNode, key: str) -> Reached:
        """A key of the image reference, reached from its node: from the VM profile, each of
        the seven keys walked the two kept steps to it again (about 0.2% of a run)."""
        return reach(image, (key,))

    def _placement_facts(self) -> dict[str, Fact]:
        facts: dict[str, Fact] = {}
        fact = self.find("location").fact()
        if isinstance(fact.value, str):
            fact.value = fact.value.lower().replace(" ", "")
        facts["location"] = fact
        zones = self.find("zones").fact()
        if isinstance(zones.value, list):
            # Zone numbers written as numbers are the same zones.
            zones.value = [str(zone) for zone in zones.value]
        facts["zones"] = zones
        if self.kind == "vm":
            facts["availability_set"] = self.find("properties", "availabilitySet", "id").fact()
        else:
            facts["orchestration_mode"] = self.find("properties", "orchestrationMode").fact(
                SCALE_SET_ORCHESTRATION_DEFAULT, True
            )
        return facts

    def _scale_set_upgrade_facts(self) -> dict[str, Fact]:
        """Automatic OS image upgrade and the load balancer health probe (scale sets only)."""
        if self.kind != "vmss":
            return {}
        facts: dict[str, Fact] = {}
        upgrade = self.find(*UPGRADE_POLICY, "enableAutomaticOSUpgrade")
        if upgrade.present:
            facts["automatic_os_upgrade"] = upgrade.fact()
        probe = self.profile(*HEALTH_PROBE)
        if probe.present:
            fact = probe.fact()
            # Only whether a probe is set matters; its id is a deployment value.
            facts["health_probe"] = Fact(True, fact.location, SOURCE_EVALUATED, fact.trace)
        return facts

    def _linux_hotpatching(self, linux: Reached) -> Fact | None:
        """Not in the schema for Linux (AZP118); kept apart so the Windows rules stay quiet.
        Only a written value: an unknown enclosing object says nothing about it, nor does a
        block not written (``linux``: then nothing below it is)."""
        if not linux.present:
            return None
        found = self.profile("osProfile", LINUX_CONFIG, "patchSettings", "enableHotpatching")
        if not found.present or isinstance(found.value, Unknown):
            return None
        return found.fact()

    def inline_health_extension(self) -> Fact | None:
        """A scale set's own application health extension (extensionProfile), if any."""
        if self.kind != "vmss":
            return None
        path = (*self.base, *INLINE_EXTENSIONS)
        settle = self.settles_extensions
        extensions = reach(self.root, path, settle)
        if isinstance(extensions.value, Unknown):
            return Fact(extensions.value, extensions.location, SOURCE_UNKNOWN, extensions.trace)
        if not isinstance(extensions.value, list):
            return None
        node = reach_node(self.root, path, settle)
        for index in range(len(extensions.value)):
            item = node.item(index)
            kind = reach(item, ("properties", "type"))
            if _is_health_type(kind.value):
                return Fact(True, item.location, SOURCE_EVALUATED, kind.trace)
        return None


_CONFIG_FACT_PATHS: dict[str, tuple[tuple[FactSpec, tuple[str, ...]], ...]] = {}


def _config_fact_paths(os_name: Any) -> tuple[tuple[FactSpec, tuple[str, ...]], ...]:
    """The OS-configuration facts with their paths under the VM profile, worked out once per
    configuration object instead of once per VM."""
    key = config_key(os_name)
    paths = _CONFIG_FACT_PATHS.get(key)
    if paths is None:
        paths = tuple((spec, spec_path(spec, os_name)) for spec in OS_CONFIG_FACTS)
        _CONFIG_FACT_PATHS[key] = paths
    return paths


def reach_node(root: BodyNode, path: tuple[str, ...], settle: bool = True) -> BodyNode:
    """The node at a path known to be present, settled unless told (see ``reach``)."""
    node = root
    for key in path:
        child = node.child(key)
        if child is None:
            return node
        node = child
    return node.settle() if settle else node


def _presence(reached: Reached) -> Fact | None:
    if isinstance(reached.value, Unknown):
        source = SOURCE_MAYBE_SET if reached.maybe_set else SOURCE_UNKNOWN
        return Fact(reached.value, reached.location, source, reached.trace)
    if reached.present and reached.value is not None:
        return Fact(True, reached.location, reached.source, reached.trace)
    return None


def _is_health_type(value: Any) -> bool:
    return isinstance(value, str) and value.lower() in HEALTH_EXTENSION_TYPES


# An object or null on an unknown condition (`if(cond, createObject(...), null())`, Bicep
# `cond ? {...} : null`) is checked as the object, as a resource with an unknown condition is
# checked as deployed: when null, the property is not sent and no patch rule applies to it;
# when sent, it is this object. Bicep's trace says so next to the finding; ARM's trace is one
# per property expression (it would name every if() of a variable), so ARM does not.
def sent_step(condition: str, reason: str) -> str:
    """The trace step of that assumption: 'sent if <condition> (<why unknown>; checked as sent)'."""
    return f"sent if {condition} ({reason}; checked as sent)"


def sent_branch(when_true: Any, when_false: Any) -> dict | None:
    """The object of an object-or-null choice; None for any other pair."""
    if when_false is None and isinstance(when_true, dict):
        return when_true
    if when_true is None and isinstance(when_false, dict):
        return when_false
    return None


__all__ = [
    "BodyExtractor",
    "BodyNode",
    "Reached",
    "focus_trace",
    "reach",
    "sent_branch",
    "sent_step",
]
