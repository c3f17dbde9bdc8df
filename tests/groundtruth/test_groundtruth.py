"""GROUND TRUTH: cases from the Compute REST API examples and the azurerm provider (cases.yaml).

Every case names its source file. An example request Azure accepts must get no error-level
finding; a combination the provider refuses must get the named error (and no other error). All
cases run through one `armlint check --format json` over a folder with one file (ARM) or one
module folder (Terraform) per case.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
CASES = yaml.safe_load((HERE / "cases.yaml").read_text(encoding="utf-8"))
ALL = [("rest", case) for case in CASES["rest"]] + [("terraform", c) for c in CASES["terraform"]]


def arm_template(case: dict) -> dict:
    publisher, offer, sku = case["image"]
    config = {k: case[k] for k in ("windowsConfiguration", "linuxConfiguration") if k in case}
    vm = {
        "type": "Microsoft.Compute/virtualMachines",
        "apiVersion": case["api_version"],
        "name": "myVM",
        "location": "westus",
        "properties": {
            "storageProfile": {
                "imageReference": {
                    "publisher": publisher,
                    "offer": offer,
                    "sku": sku,
                    "version": "latest",
                }
            },
            "osProfile": {"computerName": "myVM", "adminUsername": "azureuser", **config},
        },
    }
    return {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [vm],
    }


def terraform_module(case: dict) -> str:
    image = ""
    if case["image"] != "none":
        publisher, offer, sku = case["image"]
        image = (
            "  source_image_reference {\n"
            f'    publisher = "{publisher}"\n    offer = "{offer}"\n    sku = "{sku}"\n'
            '    version = "latest"\n  }\n'
        )
    body = "\n".join("  " + line for line in case["hcl"].splitlines())
    # `extra`: other resources of the same configuration (a maintenance configuration and its
    # assignment), as the source writes them, referring to the case as <resource>.case.
    return (
        f'resource "{case["resource"]}" "case" {{\n  name = "case"\n  location = "westus"\n'
        f"{body}\n{image}}}\n{case.get('extra', '')}"
    )


@pytest.fixture(scope="module")
def findings(tmp_path_factory) -> dict[str, list[dict]]:
    root = tmp_path_factory.mktemp("groundtruth")
    for kind, case in ALL:
        if kind == "rest":
            path = root / f"{case['id']}.json"
            path.write_text(json.dumps(arm_template(case), indent=2), encoding="utf-8")
            continue
        folder = root / case["id"]
        folder.mkdir()
        (folder / "main.tf").write_text(terraform_module(case), encoding="utf-8")
        if case.get("lock"):
            (folder / ".terraform.lock.hcl").write_text(
                'provider "registry.terraform.io/hashicorp/azurerm" {\n'
                f'  version = "{case["lock"]}"\n}}\n',
                encoding="utf-8",
            )
    run = subprocess.run(
        [sys.executable, "-m", "armlint", "check", "--no-cache", "--format", "json", "."],
        capture_output=True,
        text=True,
        cwd=root,  # reports are relative to the project root: here the cases' own folder
        timeout=300,
        env={**os.environ, "ARMLINT_CACHE_DIR": str(root / ".cache")},
    )
    assert run.returncode in (0, 1), run.stderr
    by_case: dict[str, list[dict]] = {}
    for finding in json.loads(run.stdout)["findings"]:
        name = Path(finding["path"]).parts[0].removesuffix(".json")
        by_case.setdefault(name, []).append(finding)
    return by_case


def test_every_case_names_its_source_and_there_are_enough():
    for _, case in ALL:
        assert case["source"]["repo"] and case["source"]["path"], case["id"]
    assert len({case["id"] for _, case in ALL}) == len(ALL)
    assert len(ALL) >= 40  # issue 11, "Done when"
    # REST examples from 2020-12-01 to the newest api-version in the index (2025-11-01)
    versions = {case["api_version"] for kind, case in ALL if kind == "rest"}
    assert {"2020-12-01", "2025-11-01"} <= versions and len(versions) >= 10


@pytest.mark.parametrize(("kind", "case"), ALL, ids=[case["id"] for _, case in ALL])
def test_case(kind, case, findings):
    errors = sorted({f["rule"] for f in findings.get(case["id"], []) if f["severity"] == "error"})
    assert errors == sorted(case["errors"]), findings.get(case["id"])
    if case["errors"] and kind == "rest":
        assert case.get("contradiction"), "an accepted example with an error must say why"
