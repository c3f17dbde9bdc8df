"""Building a record's facts from read values: conversions, defaults, unknown blocks."""

from __future__ import annotations

import re

from armlint.compute.images import os_from_image
from armlint.model import (
    SOURCE_DEFAULT,
    SOURCE_LITERAL,
    SOURCE_UNKNOWN,
    Fact,
    Location,
    Unknown,
)
from armlint.terraform.values import ResourceId, format_number

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

ABSENT = object()

# Compiled on first use (re's cache), not at import: only a source_image_id needs it.
IMAGE_ID_TYPES = r"(^|\.)(data\.)?azurerm_(image|shared_image|shared_image_version|gallery_application_version)\."


def normalise_location(value: Any) -> Any:
    """The provider's location.Normalize: lower case, spaces removed (domain 3.4)."""
    return value.replace(" ", "").lower() if isinstance(value, str) else value


def as_bool(value: Any) -> Any:
    # The provider schema types these arguments bool, so Terraform converts "true"/"false".
    if value in ("true", "false") and isinstance(value, str):
        return value == "true"
    return value


def as_string(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return format_number(value)
    return value


def as_zones(value: Any) -> Any:
    if isinstance(value, list):
        return [as_string(item) for item in value]
    return [as_string(value)]


def os_from_publisher(publisher: Any, offer: Any = None) -> str | None:
    """The image's OS by the one policy of compute/images.py (rules/data/os_publishers.yaml)."""
    return os_from_image(publisher, offer)


def resolve_id(fact: str, value: Any) -> Any:
    """A resource id is only known after apply; its address stands in where it identifies."""
    if not isinstance(value, ResourceId):
        return value
    if fact == "availability_set":
        return str(value)
    if fact == "image_id" and re.search(IMAGE_ID_TYPES, str(value)):
        return str(value)
    return value.unknown


MAX_TRACE = 8  # a trace is for people; beyond this it hides the steps that matter


def short_trace(trace) -> tuple[str, ...]:
    trace = tuple(trace)
    if len(trace) <= MAX_TRACE:
        return trace
    return (*trace[:MAX_TRACE], f"(+{len(trace) - MAX_TRACE} more steps)")


class Facts:
    """Collects the facts of one record."""

    def __init__(self, loc: Location) -> None:
        self.loc = loc
        self.facts: dict[str, Fact] = {}

    def put(self, name: str, read: Fact, convert: Callable | None = None) -> None:
        value = resolve_id(name, read.value)
        if convert is not None and not isinstance(value, Unknown):
            value = convert(value)
        source = SOURCE_UNKNOWN if isinstance(value, Unknown) else read.source
        self.facts[name] = Fact(value, read.location, source, read.trace)

    def put_default(self, name: str, value: Any, loc: Location, trace=()) -> None:
        self.facts[name] = Fact(value, loc, SOURCE_DEFAULT, tuple(trace))

    def put_implied(self, name: str, value: Any, loc: Location, why: str) -> None:
        """A fact fixed by the resource type itself (the OS of a Windows VM resource)."""
        self.facts[name] = Fact(value, loc, SOURCE_LITERAL, (why,))

    def put_unknown(self, name: str, reason: Unknown, loc: Location) -> None:
        self.facts[name] = Fact(reason, loc, SOURCE_UNKNOWN, ())

    def read(
        self,
        name: str,
        view,
        attributes: tuple[str, ...],
        default: Any = ABSENT,
        convert: Callable | None = None,
    ) -> str | None:
        """Set a fact from the first argument present; returns the name written, if any.

        An argument set to null counts as absent (Terraform sends nothing), so the default
        applies, located at the null value.
        """
        if isinstance(view, Unknown):
            self.put_unknown(name, view, view.location or self.loc)
            return None
        null_read, null_name = None, None
        for attribute in attributes:
            read = view.attr(attribute) if view is not None else None
            if read is None:
                continue
            if read.value is None:
                if null_read is None:
                    null_read, null_name = read, attribute
                continue
            self.put(name, read, convert)
            return attribute
        if default is not ABSENT:
            if null_read is not None:
                trace = (*null_read.trace, f"{null_name} is null, so the default applies")
                self.put_default(name, default, null_read.location, trace)
            else:
                self.put_default(name, default, view.loc if view is not None else self.loc)
        return null_name

    def result(self) -> dict[str, Fact]:
        """The facts for the record, each trace cut to a readable length."""
        for fact in self.facts.values():
            fact.trace = short_trace(fact.trace)
        return self.facts

    def get_value(self, name: str) -> Any:
        fact = self.facts.get(name)
        return None if fact is None else fact.value
