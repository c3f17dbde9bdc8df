"""JSON file kinds are told apart in one place (armlint.arm.kinds), and ARM loads through its
own ``load()`` like the other formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from armlint import arm, terraform
from armlint.arm.jsonpos import parse
from armlint.arm.kinds import json_kind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "transitions"


def kind_of(path: Path) -> str:
    value, _ = parse(path.read_text(encoding="utf-8"), str(path))
    return json_kind(value)


@pytest.mark.parametrize(
    ("relative", "kind"),
    [
        ("params/before/vm.json", "template"),
        ("params/before/vm.parameters.json", "parameters"),
        ("plan/replace.json", "plan"),
        ("export/vm-show.json", "vm-export"),
        ("export/rest-get.json", "vm-export"),
        ("export/list.json", "vm-export"),  # az vm list: a list, which used to count as 'other'
    ],
)
def test_each_fixture_is_its_kind(relative, kind):
    assert kind_of(FIXTURES / relative) == kind


def test_anything_else_is_other():
    assert json_kind({"name": "settings", "values": [1, 2]}) == "other"
    assert json_kind([1, 2, 3]) == "other"


def test_the_schema_is_found_in_any_case():
    template = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    parameters = template.replace("deploymentTemplate", "deploymentParameters")
    assert json_kind({"$schema": template, "resources": []}) == "template"
    assert json_kind({"$Schema": template}) == "template"  # no resources: only $Schema tells
    assert json_kind({"$SCHEMA": parameters, "resources": [], "parameters": {}}) == "parameters"
    assert json_kind({"$schema": None, "$Schema": parameters}) == "other"  # the exact name first


def test_terraform_asks_the_same_place_whether_json_is_a_plan():
    assert terraform.is_plan is arm.kinds.is_plan


def test_arm_load_pairs_a_template_with_its_parameter_file():
    folder = FIXTURES / "params" / "before"
    loaded = arm.load(sorted(folder.glob("*.json")), roots=[folder], explore=False)
    [record] = loaded.result.records
    assert record.value("patch_mode") == "Manual"  # from the parameter file beside it
    reports = {Path(r.path).name: (r.kind, r.status) for r in loaded.result.files}
    assert reports == {
        "vm.json": ("template", "linted"),
        "vm.parameters.json": ("parameters", "linted"),
    }


def test_arm_load_hands_plans_back_and_reads_exports_only_when_asked():
    files = [FIXTURES / "plan" / "replace.json", FIXTURES / "export" / "vm-show.json"]
    plain = arm.load(files)
    # the loader's paths are text since session 9 (s9-nopath: no pathlib on an ARM check)
    assert plain.plans == [str(files[0])] and plain.result.records == []
    compared = arm.load(files, exports=True)
    exported = [(r.name, r.value("patch_mode")) for r in compared.result.records]
    assert exported == [("vm1", "AutomaticByOS")]  # as export/vm-show.json says
