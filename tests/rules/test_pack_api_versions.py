"""rules/data/api_versions.yaml against the official ARM schemas it was derived from (S4).

For every Compute api-version in the spec's compute-schemas/ folder: which patch properties
exist for Windows and Linux, and their enum values, must be what the table says.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from armlint.checks.tables import api_version_key, load_tables

# The table's api-versions; the test below proves they are exactly the schema files.
TABLE_VERSIONS = list(load_tables().vm_api_versions)

OS_CONFIGURATION = {"Windows": "WindowsConfiguration", "Linux": "LinuxConfiguration"}
# Where each table property sits below patchSettings.
PATHS = {
    "patchMode": ("patchMode",),
    "enableHotpatching": ("enableHotpatching",),
    "assessmentMode": ("assessmentMode",),
    "rebootSetting": ("automaticByPlatformSettings", "rebootSetting"),
    "bypassPlatformSafetyChecksOnUserSchedule": (
        "automaticByPlatformSettings",
        "bypassPlatformSafetyChecksOnUserSchedule",
    ),
}


def _local_ref(node: dict) -> str | None:
    """The '#/definitions/X' alternative of a oneOf (the other one is an ARM expression)."""
    for alternative in node.get("oneOf", [node]):
        ref = alternative.get("$ref", "")
        if ref.startswith("#/definitions/"):
            return ref.rsplit("/", 1)[1]
    return None


def schema_property(definitions: dict, os: str, path: tuple[str, ...]) -> dict | None:
    """The schema of osProfile.<os>Configuration.patchSettings.<path>, or None when absent."""
    node = definitions[OS_CONFIGURATION[os]]
    for step in ("patchSettings", *path):
        properties = node.get("properties", {})
        if step not in properties:
            return None
        child = properties[step]
        ref = _local_ref(child)
        node = definitions[ref] if ref and step != path[-1] else child
    return node


def schema_enum(node: dict) -> list | None:
    for alternative in node.get("oneOf", [node]):
        if "enum" in alternative:
            return alternative["enum"]
    return None


def load_schema(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def schema_files(spec_dir) -> list[Path]:
    """The official Compute schema excerpts in ../shared/spec/compute-schemas."""
    return sorted((spec_dir / "compute-schemas").glob("*.json"))


def test_the_vm_api_versions_are_exactly_the_schema_files(schema_files):
    assert schema_files
    assert set(TABLE_VERSIONS) == {path.stem for path in schema_files}


def test_the_vm_api_versions_are_listed_in_date_order():
    versions = load_tables().vm_api_versions
    assert list(versions) == sorted(versions, key=api_version_key)


@pytest.mark.parametrize("version", TABLE_VERSIONS)
@pytest.mark.parametrize("os", ["Windows", "Linux"])
@pytest.mark.parametrize("prop", sorted(PATHS))
def test_table_agrees_with_the_schema(spec_dir, version, os, prop):
    tables = load_tables()
    document = load_schema(spec_dir / "compute-schemas" / f"{version}.json")
    assert document["apiVersion"] == version
    node = schema_property(document["definitions"], os, PATHS[prop])
    assert tables.defined_in(prop, os, version) == (node is not None), (prop, os, version)
    if node is not None:
        assert tuple(schema_enum(node) or ()) == tables.enum_values(prop, version, os)


@pytest.mark.parametrize("prop", sorted(PATHS))
def test_first_versions_are_the_earliest_schema_that_has_the_property(schema_files, prop):
    tables = load_tables()
    for system in ("Windows", "Linux"):
        having = [
            path.stem
            for path in schema_files
            if schema_property(load_schema(path)["definitions"], system, PATHS[prop]) is not None
        ]
        first = min(having, key=api_version_key) if having else None
        assert tables.first_api_version(prop, system) == first, (prop, system)
