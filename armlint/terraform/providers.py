"""Which azurerm provider version a Terraform configuration runs with.

``terraform init`` installs the version a ``.terraform.lock.hcl`` records, else the newest
release that every ``required_providers`` constraint allows. armlint does the same against the
release list in ``rules/data/terraform.yaml``, so defaults and argument names can follow the
version (issue 11). Nothing here is fetched: an unpinned configuration gets the newest release
the table knows, and the loader says so once in the notes.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

from armlint.model import FrozenValue

Version = tuple[int, ...]

LOCK_FILE = ".terraform.lock.hcl"
MAX_LOCK_BYTES = 1024 * 1024  # a lock file lists a few providers: a larger one is not read
# Compiled on first use (re's cache), not at import: a folder without a lock file or a
# version constraint needs none of them.
_LOCK_BLOCK = r'provider\s+"(?:[^"/]+/)?hashicorp/azurerm"\s*\{(?P<body>[^}]*)\}'  # re.I
_LOCK_VERSION = r'^\s*version\s*=\s*"(?P<version>[^"]+)"'  # re.MULTILINE
_CONSTRAINT = r"^\s*(?P<op>~>|>=|<=|!=|=|>|<)?\s*v?(?P<version>\d+(?:\.\d+)*)\s*$"

BASIS_LOCK = "lock"
BASIS_CONSTRAINT = "constraint"
BASIS_UNPINNED = "unpinned"


def parse_version(text: str) -> Version | None:
    parts = (text or "").split(".")
    if "".join(parts).isdecimal() and "" not in parts:
        # Bare "4.41.0", as every release in the table is: what the pattern below reads
        # (``\d`` is ``isdecimal``), for a fifth of its cost; 224 releases are read per run.
        return tuple(map(int, parts))
    match = re.fullmatch(r"\s*v?(\d+(?:\.\d+)*)\s*", text or "")
    return tuple(map(int, match.group(1).split("."))) if match else None


def version_text(version: Version) -> str:
    return ".".join(str(part) for part in version)


def _pad(version: Version) -> Version:
    return (*version, 0, 0, 0)[:3]


def _allows(op: str, wanted: Version, have: Version) -> bool:
    have, target = _pad(have), _pad(wanted)
    if op == "~>":
        # ~> 4.41 allows 4.41 up to (not including) 5.0; ~> 4.41.0 up to 4.42.0.
        prefix = wanted[:-1] if len(wanted) > 1 else wanted
        upper = _pad((*prefix[:-1], prefix[-1] + 1))
        return target <= have < upper
    if op == "=":
        return have == target
    if op == "!=":
        return have != target
    if op == ">":
        return have > target
    if op == ">=":
        return have >= target
    if op == "<":
        return have < target
    return have <= target  # "<=": parse_constraint reads no other operator


def parse_constraint(text: str) -> list[tuple[str, Version]] | None:
    """``"~> 4.41, != 4.42.0"`` -> [('~>', (4, 41)), ('!=', (4, 42, 0))]; None if unreadable."""
    parts = []
    for piece in text.split(","):
        match = re.match(_CONSTRAINT, piece)
        if match is None:
            return None
        version = tuple(int(p) for p in match.group("version").split("."))
        parts.append((match.group("op") or "=", version))
    return parts or None


def satisfies(version: Version, constraint: list[tuple[str, Version]]) -> bool:
    return all(_allows(op, wanted, version) for op, wanted in constraint)


def lock_version(directory: Path) -> Version | None:
    """The azurerm version a module's lock file records (only a root module has one)."""
    from armlint.fileio import read_regular  # a FIFO named so is refused, not waited on

    path = directory / LOCK_FILE
    try:
        text = read_regular(path, MAX_LOCK_BYTES).decode("utf-8", errors="replace")
    except (OSError, ValueError):
        return None
    block = re.search(_LOCK_BLOCK, text, re.IGNORECASE)
    if block is None:
        return None
    found = re.search(_LOCK_VERSION, block.group("body"), re.MULTILINE)
    return parse_version(found.group("version")) if found else None


class ProviderPin(FrozenValue):
    """The azurerm version armlint assumes, and why."""

    __slots__ = ("version", "basis", "detail")

    def __init__(self, version: Version, basis: str, detail: str) -> None:
        self.version = version
        self.basis = basis
        self.detail = detail  # the constraint text, or the lock file

    def describe(self) -> str:
        text = version_text(self.version)
        if self.basis == BASIS_LOCK:
            return f"azurerm {text} ({self.detail})"
        if self.basis == BASIS_CONSTRAINT:
            return f"azurerm {text}, the newest release allowed by '{self.detail}'"
        return f"azurerm {text}, the newest known release (the version is not pinned)"

    def apply(self, record) -> None:
        """Set the record's provider-version fields from this pin."""
        for name, value in self.fields().items():
            setattr(record, name, value)

    def fields(self) -> dict:
        return {
            "azurerm_version": version_text(self.version),
            "azurerm_version_basis": self.basis,
            "azurerm_version_source": self.describe(),
        }


@cache
def _releases() -> tuple[Version, ...]:
    from armlint.datacache import load_yaml
    from armlint.paths import rules_dir

    table = load_yaml(os.path.join(rules_dir(), "data", "terraform.yaml"))
    versions = (parse_version(str(item)) for item in table["releases"])
    return tuple(sorted(v for v in versions if v is not None))


def resolve(constraint: str | None, locked: Version | None, lock_path: str = "") -> ProviderPin:
    releases = _releases()
    if locked is not None:
        return ProviderPin(locked, BASIS_LOCK, lock_path or LOCK_FILE)
    parsed = parse_constraint(constraint) if constraint else None
    if parsed is not None:
        # The newest release allowed: releases are sorted, so search from the newest.
        for release in reversed(releases):
            if satisfies(release, parsed):
                return ProviderPin(release, BASIS_CONSTRAINT, constraint or "")
    return ProviderPin(releases[-1], BASIS_UNPINNED, constraint or "")


UNPINNED_NOTE = (
    "terraform: the azurerm provider version is not pinned (no required_providers version "
    "and no .terraform.lock.hcl) in {count} root module(s); armlint assumes the newest provider "
    "behaviour it knows (azurerm {newest})"
)


def newest_release() -> str:
    return version_text(_releases()[-1])
