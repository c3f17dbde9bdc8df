"""The static configuration of one module: the declarations of every file in a directory."""

from __future__ import annotations

import re
from pathlib import Path

from armlint.model import Value
from armlint.terraform import nodes as n

LOCAL_SOURCE = r"^\.\.?(/|\\|$)"  # compiled on first use: most folders call no module


class TfvarsFile(Value):
    __slots__ = ("path", "body")

    def __init__(self, path: Path, body: n.Body) -> None:
        self.path = path
        self.body = body


class ModuleConfig(Value):
    """Everything declared in one directory; one directory is one Terraform module."""

    __slots__ = (
        "directory",
        "variables",
        "locals",
        "outputs",
        "resources",
        "data",
        "calls",
        "provider_versions",
        "auto_tfvars",
    )

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.variables: dict[str, n.Block] = {}
        self.locals: dict[str, n.Attribute] = {}
        self.outputs: dict[str, n.Block] = {}
        self.resources: dict[tuple[str, str], n.Block] = {}
        self.data: dict[tuple[str, str], n.Block] = {}
        self.calls: dict[str, n.Block] = {}
        self.provider_versions: dict[str, str] = {}  # local name -> constraint
        self.auto_tfvars: list[TfvarsFile] = []  # in Terraform's load order

    def add(self, body: n.Body) -> None:
        """Merge the top-level blocks of one ``.tf`` file; the first declaration wins."""
        for block in body.blocks:
            adder = _ADDERS.get(block.type)
            if adder is not None:
                adder(self, block)

    def _add_variable(self, block: n.Block) -> None:
        if block.labels:
            self.variables.setdefault(block.labels[0], block)

    def _add_locals(self, block: n.Block) -> None:
        for name, attribute in block.body.attributes.items():
            self.locals.setdefault(name, attribute)

    def _add_output(self, block: n.Block) -> None:
        if block.labels:
            self.outputs.setdefault(block.labels[0], block)

    def _add_resource(self, block: n.Block) -> None:
        if len(block.labels) >= 2:
            self.resources.setdefault((block.labels[0], block.labels[1]), block)

    def _add_data(self, block: n.Block) -> None:
        if len(block.labels) >= 2:
            self.data.setdefault((block.labels[0], block.labels[1]), block)

    def _add_module(self, block: n.Block) -> None:
        if block.labels:
            self.calls.setdefault(block.labels[0], block)

    def _add_terraform(self, block: n.Block) -> None:
        for providers in block.body.blocks_of("required_providers"):
            for name, attribute in providers.body.attributes.items():
                constraint = _version_of(attribute.expr)
                if constraint is not None:
                    self.provider_versions.setdefault(name, constraint)

    def call_source(self, name: str) -> str | None:
        """The literal ``source`` of a module call (None when it is not a plain string)."""
        attribute = self.calls[name].body.attributes.get("source")
        if attribute is None or not isinstance(attribute.expr, n.Literal):
            return None
        value = attribute.expr.value
        return value if isinstance(value, str) else None

    def local_call_target(self, name: str) -> Path | None:
        """The directory a ``./`` or ``../`` module source points at, else None."""
        source = self.call_source(name)
        if source is None or not re.match(LOCAL_SOURCE, source):
            return None
        return Path(_normalise(self.directory / source))

    def azurerm_constraint(self) -> str | None:
        return self.provider_versions.get("azurerm")


def _version_of(expr: n.Expr) -> str | None:
    """``azurerm = { source = ..., version = "~> 3.0" }`` or the legacy ``azurerm = "~> 2.0"``."""
    if isinstance(expr, n.Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, n.ObjectExpr):
        for item in expr.items:
            is_version = isinstance(item.key, n.Literal) and item.key.value == "version"
            if (
                is_version
                and isinstance(item.value, n.Literal)
                and isinstance(item.value.value, str)
            ):
                return item.value.value
    return None


def _normalise(path: Path) -> str:
    import os

    return os.path.normpath(str(path))


_ADDERS = {
    "variable": ModuleConfig._add_variable,
    "locals": ModuleConfig._add_locals,
    "output": ModuleConfig._add_output,
    "resource": ModuleConfig._add_resource,
    "data": ModuleConfig._add_data,
    "module": ModuleConfig._add_module,
    "terraform": ModuleConfig._add_terraform,
}
