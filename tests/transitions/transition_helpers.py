"""Helpers for the transition tests: before/after files from the fixture templates, records."""

from __future__ import annotations

from pathlib import Path
from string import Template

from armlint.model import SOURCE_DEFAULT, SOURCE_LITERAL, Fact, Location, VmRecord

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "transitions"

# Lines of the values in the *.json.tmpl / *.tf.tmpl fixtures (asserted as exact positions).
WINDOWS_JSON_LINES = {"enable_automatic_updates": 14, "provision_vm_agent": 15, "patch_mode": 17}
LINUX_JSON_LINES = {"provision_vm_agent": 14, "patch_mode": 16}
WINDOWS_TF_LINES = {"enable_automatic_updates": 10, "provision_vm_agent": 11, "patch_mode": 12}
LINUX_TF_LINES = {"provision_vm_agent": 9, "patch_mode": 10}


def render(template: str, target: Path, *, patch_mode: str, automatic_updates=True, agent=True):
    """Write one fixture template with the given values; returns the written path."""
    text = Template((FIXTURES / template).read_text(encoding="utf-8")).substitute(
        patch_mode=patch_mode,
        automatic_updates=_literal(automatic_updates),
        agent=_literal(agent),
    )
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target


def _literal(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def findings_by_rule(result) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for finding in result.findings:
        grouped.setdefault(finding.rule, []).append(finding)
    return grouped


def fact(value, line: int | None = 10, source: str = SOURCE_LITERAL, path: str = "vm.json") -> Fact:
    where = Location(path, line, 5) if line is not None else None
    return Fact(value, where, source)


def record(
    *,
    name: str = "vm1",
    kind: str = "vm",
    fmt: str = "arm",
    path: str = "vm.json",
    index: int | None = None,
    address: str | None = None,
    resource_type: str = "Microsoft.Compute/virtualMachines",
    **facts,
) -> VmRecord:
    """A hand-made record; facts given as values (literal, line 10+) or as ``Fact`` objects."""
    built = {}
    for offset, (key, value) in enumerate(sorted(facts.items())):
        built[key] = value if isinstance(value, Fact) else fact(value, 10 + offset, path=path)
    made = VmRecord(
        path=path,
        format=fmt,
        kind=kind,
        resource_type=resource_type,
        name=name,
        location=Location(path, 1, 1),
        facts=built,
        index=index,
    )
    made.address = address if address is not None else f"{resource_type}/{name}"
    return made


def default_fact(value, line: int = 3, path: str = "vm.json") -> Fact:
    return Fact(value, Location(path, line, 5), SOURCE_DEFAULT)
