"""Shared helpers for the Terraform loader tests (imported by the test modules next to it)."""

from __future__ import annotations

from pathlib import Path

import armlint.terraform as terraform
from armlint.model import Fact, LoadResult, Location, VmRecord

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform"
TERRAFORM_SUFFIXES = (".tf", ".tf.json")


def terraform_files(directory: Path) -> list[Path]:
    """What discovery hands the loader: .tf, .tf.json and every tfvars file, recursively."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and (path.name.endswith(TERRAFORM_SUFFIXES) or ".tfvars" in path.name)
    )


def load_fixture(name: str, var_files: list[Path] = ()) -> LoadResult:
    return terraform.load(terraform_files(FIXTURES / name), var_files)


def record(result: LoadResult, address: str) -> VmRecord:
    """The record of one resource instance, by its Terraform address (``vm[0]``, ``vm["a"]``)."""
    found = [rec for rec in result.records if instance_address(rec) == address]
    assert len(found) == 1, f"{address}: {[instance_address(rec) for rec in result.records]}"
    return found[0]


def instance_address(rec: VmRecord) -> str:
    """record.address has no instance key; instance_key holds it."""
    key = rec.instance_key
    if key is None:
        return rec.address
    return rec.address + (f"[{key}]" if isinstance(key, int) else f'["{key}"]')


def at(fact_or_location: Fact | Location) -> tuple[str, int, int]:
    """(file name, line, column) of a fact or location."""
    loc = fact_or_location.location if isinstance(fact_or_location, Fact) else fact_or_location
    return Path(loc.path).name, loc.line, loc.column


def text_at(location: Location, length: int) -> str:
    """The characters at a location, read back from the file (lines split on LF only)."""
    text = Path(location.path).read_bytes().decode("utf-8-sig")
    line = text.split("\n")[location.line - 1]
    return line[location.column - 1 : location.column - 1 + length]
