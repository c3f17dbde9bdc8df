"""tests/fixtures/arm/rules/expected.yaml is consistent with the fixtures it describes.

The positions in expected.yaml are checked here against the JSON pointers next to them (with the
position-keeping loader), so the CLI test in test_fixtures.py compares against real positions.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from armlint.arm.jsonpos import parse

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "arm" / "rules"
EXPECTED = yaml.safe_load((FIXTURES / "expected.yaml").read_text(encoding="utf-8"))


def value_location(document, pointer: str):
    """The location of the JSON value at an RFC 6901 pointer."""
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    node = document
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    return node.item_location(int(last)) if isinstance(node, list) else node.value_location(last)


def test_every_bad_fixture_is_listed_and_every_listed_file_exists():
    bad = {path.name for path in FIXTURES.glob("AZP*_bad.json")}
    assert set(EXPECTED) == bad


@pytest.mark.parametrize(
    ("fixture", "finding"),
    [(name, finding) for name, findings in sorted(EXPECTED.items()) for finding in findings],
    ids=lambda value: value if isinstance(value, str) else value["rule"],
)
def test_expected_position_is_the_pointers_value(fixture, finding):
    text = (FIXTURES / fixture).read_text(encoding="utf-8")
    document, _ = parse(text, fixture)
    where = value_location(document, finding["pointer"])
    assert (where.line, where.column) == (finding["line"], finding["column"])
    assert fixture.startswith(finding["rule"])


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("AZP*.json")), ids=lambda p: p.name)
def test_fixture_is_a_small_valid_template(path):
    document, _ = parse(path.read_text(encoding="utf-8"), path.name)
    assert "deploymentTemplate.json" in document["$schema"]
    types = {resource["type"] for resource in document["resources"]}
    assert types & {
        "Microsoft.Compute/virtualMachines",
        "Microsoft.Compute/virtualMachineScaleSets",
    }
