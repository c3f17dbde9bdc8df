"""Which record of the before side is the same VM as a record of the after side."""

from __future__ import annotations

from pathlib import Path

from armlint.model import VmRecord

Pair = tuple[VmRecord | None, VmRecord]


def pair_records(before: list[VmRecord], after: list[VmRecord]) -> list[Pair]:
    """Each after record with the before record of the same resource, or None when it is new.

    Identity is the address (ARM 'type/name', Terraform address) or type + evaluated name,
    compared case-insensitively as Azure does, with the copy/count index. Records of one
    resource under several parameter files pair file for file. An exported VM (no loop index)
    still pairs with a loop instance of the same name.
    """
    exact: dict[tuple, list[VmRecord]] = {}
    by_identity: dict[str, list[VmRecord]] = {}
    by_name: dict[str, list[VmRecord]] = {}
    for record in before:
        exact.setdefault(_exact_key(record), []).append(record)
        by_identity.setdefault(_identity_key(record), []).append(record)
        for key in _name_keys(record):
            by_name.setdefault(key, []).append(record)
    pairs: list[Pair] = []
    for record in after:
        # Same identity and parameter file: take them in order, so unnamed twins pair in order.
        queue = exact.get(_exact_key(record))
        if queue:
            pairs.append((queue.pop(0), record))
            continue
        pairs.append((_fallback_match(record, by_identity, by_name), record))
    return pairs


def _fallback_match(record, by_identity, by_name) -> VmRecord | None:
    candidates = by_identity.get(_identity_key(record))
    if candidates:
        return candidates[0]
    for key in _name_keys(record):
        # Without the index only when one side has none (an export beside a loop instance):
        # count.index 2 of an after is never count.index 0 of the before.
        for candidate in by_name.get(key, []):
            if record.index is None or candidate.index is None:
                return candidate
    return None


def _exact_key(record: VmRecord) -> tuple:
    """Identity, parameter file and allowed-value choices (Bicep explores them always)."""
    return (_identity_key(record), _parameter_file(record), repr(record.scenario))


def _identity_key(record: VmRecord) -> str:
    base = _portable_address(record) or f"{record.resource_type}/{record.name}"
    return (base if record.index is None else f"{base}[{record.index}]").lower()


def _portable_address(record: VmRecord) -> str:
    """The address without the folder of its file.

    Bicep addresses start with the file as given ('infra/main.bicep:resource vm'); the two
    versions of a file live in different folders (two checkouts, a temporary copy of a git
    ref), so only the file name is kept.
    """
    address = record.address
    for suffix in (".bicep:", ".bicepparam:"):
        cut = address.lower().find(suffix)
        if cut >= 0:
            end = cut + len(suffix)
            return Path(address[: end - 1]).name + ":" + address[end:]
    return address


def _name_keys(record: VmRecord) -> list[str]:
    """Identities without the loop index: the address, and type + name."""
    keys = [(_portable_address(record) or f"{record.resource_type}/{record.name}").lower()]
    type_name = f"{record.resource_type}/{record.name}".lower()
    if type_name not in keys:
        keys.append(type_name)
    return keys


def _parameter_file(record: VmRecord) -> str:
    return record.parameter_file.lower()


def pair_sides(
    before_paths: list[str],
    after_paths: list[str],
    before_records: list[VmRecord],
    after_records: list[VmRecord],
) -> list[Pair]:
    """Pairs of two sides given as paths: the n-th before path with the n-th after path (files
    of two folders by relative path) when both lists have the same length, else all with all."""
    if len(before_paths) != len(after_paths):
        return pair_records(before_records, after_records)
    pairs = []
    for before_root, after_root in zip(before_paths, after_paths, strict=True):
        befores = [r for r in before_records if _under(r.path, before_root)]
        afters = [r for r in after_records if _under(r.path, after_root)]
        if Path(before_root).is_dir() and Path(after_root).is_dir():
            pairs.extend(_pair_by_relative_path(befores, afters, before_root, after_root))
        else:
            pairs.extend(pair_records(befores, afters))
    return pairs


def _pair_by_relative_path(befores, afters, before_root: str, after_root: str):
    grouped: dict[str, list[VmRecord]] = {}
    for record in befores:
        grouped.setdefault(_relative(record.path, before_root), []).append(record)
    by_file: dict[str, list[VmRecord]] = {}
    for record in afters:
        by_file.setdefault(_relative(record.path, after_root), []).append(record)
    pairs = []
    for relative, records in by_file.items():
        pairs.extend(pair_records(grouped.get(relative, []), records))
    return pairs


def _under(path: str, root: str) -> bool:
    target, base = Path(path).resolve(), Path(root).resolve()
    return target == base or base in target.parents


def _relative(path: str, root: str) -> str:
    return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
