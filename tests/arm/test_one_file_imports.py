"""A check of one file imports only what it uses: every module imported is start-up time of
every `armlint check` (issue 16: one ARM template under 60 ms CPU as a fresh process).

Each test runs the command line in a fresh interpreter and lists ``sys.modules`` afterwards.
A failure names the module: import it inside the function that needs it (see the lazy imports
in armlint/cli.py and armlint/run/pipeline.py), or, when it is truly needed, raise the budget
here and say why in the commit."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.import_probe import matching, modules_after

TEMPLATE = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"
NOT_NEEDED = ("armlint.compare.git", "armlint.planner", "armlint.run.baseline")
# Never on the path of a JSON check: other formats, other commands, other reports, and
# standard-library modules only some runs need (a suggestion for a typo, a temporary copy of
# stdin, a base64() call in a template, the YAML of a rule file edited since the last run).
NEVER_FOR_JSON = (
    "armlint.terraform",
    "armlint.bicep",
    "armlint.live.shapes",
    "armlint.live.records",
    "armlint.live.drift",
    "armlint.report.sarif",
    "armlint.report.html_report",
    "armlint.report.junit",
    "armlint.docgen",
    "yaml",
    "jsonschema",
    "jinja2",
    "lark",
    "hcl2",
    "tree_sitter",
    "difflib",
    "base64",
    "tempfile",
    "random",
    # The "utf-8-sig" codec: armlint.fileio.decode_utf8 does its work (start-up).
    "encodings.utf_8_sig",
)
# What a template without findings does not need either: fixes, and the hash that fingerprints
# findings (importing OpenSSL's hashlib alone was a tenth of the budget).
# Nor dataclasses (with inspect, ast and dis) or typing: session 5 made every class on this path a
# plain one; a dataclass costs 2-4 M instructions to create, the two imports about 60 M.
NEVER_WITHOUT_FINDINGS = (
    "armlint.fix",
    "hashlib",
    "_hashlib",
    "string",
    "dataclasses",
    "inspect",
    "typing",
    # try/except instead of contextlib.suppress on the shared path: its import was about 3 M
    # instructions (typing imports it).
    "contextlib",
    # Paths are text (os.path) on this path: pathlib with urllib.parse and ipaddress, which it
    # imports, was 16 M instructions, a tenth of a one-template check (session 9, s9-nopath).
    "pathlib",
    "urllib",
    "ipaddress",
)
# Nor what a template whose findings have fixes needs: armlint.fix.propose imported typing for
# one annotation (about 11 M instructions of a fresh check with a fix), and armlint.fix.apply
# dataclasses for its outcome (with inspect, ast and dis: about 39 M more).
NEVER_EVEN_WITH_FIXES = ("typing", "dataclasses", "inspect", "contextlib", "pathlib")
PARAMETERS_SCHEMA = (
    "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#"
)
# armlint's own modules on a clean one-template check: 46 when this budget was set.
ARMLINT_MODULE_BUDGET = 50
# A clean Windows VM (AutomaticByOS with automatic updates on, the VM agent provisioned, a
# current API version and a marketplace image): no finding of any rule.
CLEAN_TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [
        {
            "type": "Microsoft.Compute/virtualMachines",
            "apiVersion": "2023-03-01",
            "name": "vm1",
            "location": "westeurope",
            "properties": {
                "storageProfile": {
                    "imageReference": {
                        "publisher": "MicrosoftWindowsServer",
                        "offer": "WindowsServer",
                        "sku": "2022-datacenter-azure-edition",
                        "version": "latest",
                    }
                },
                "osProfile": {
                    "computerName": "vm1",
                    "adminUsername": "azureuser",
                    "windowsConfiguration": {
                        "provisionVMAgent": True,
                        "enableAutomaticUpdates": True,
                        "patchSettings": {"patchMode": "AutomaticByOS"},
                    },
                },
            },
        }
    ],
}


@pytest.fixture(scope="module", autouse=True)
def _data_copies_written():
    """The first run of a test session may write the JSON copies of the rule pack and its data
    (importing yaml), which a user's runs do once per installation: one run first."""
    subprocess.run(
        [sys.executable, "-m", "armlint", "check", "--no-cache", str(TEMPLATE)],
        capture_output=True,
        check=False,
    )


def test_a_plain_check_does_not_import_what_it_does_not_use():
    loaded, report = modules_after(["check", "--no-cache", "--format", "json", str(TEMPLATE)])
    assert "armlint.arm.loader" in loaded  # the check really ran
    assert report["findings"]  # and found something, so the finding path is imported too
    assert any(finding.get("fix") for finding in report["findings"])  # and the fix path
    assert not [name for name in loaded if name.startswith(NOT_NEEDED)]
    assert matching(loaded, NEVER_FOR_JSON + NEVER_EVEN_WITH_FIXES) == []


def test_a_clean_template_imports_neither_fixes_nor_the_fingerprint_hash(tmp_path):
    template = tmp_path / "vm.json"
    template.write_text(json.dumps(CLEAN_TEMPLATE), encoding="utf-8")
    loaded, report = modules_after(["check", "--no-cache", "--format", "json", str(template)])
    assert "armlint.arm.loader" in loaded
    assert report["findings"] == [] and report["summary"]["files"]["linted"] == 1
    assert matching(loaded, NEVER_FOR_JSON + NEVER_WITHOUT_FINDINGS) == []
    own = [name for name in loaded if name.split(".")[0] == "armlint"]
    assert len(own) <= ARMLINT_MODULE_BUDGET, own


def test_location_still_binds_through_the_planner_region_names():
    loaded, _ = modules_after(
        ["check", "--no-cache", "--format", "json", "--location", "westeurope", str(TEMPLATE)]
    )
    assert "armlint.planner.regions" in loaded


def test_a_template_with_its_parameter_file_makes_no_path(tmp_path):
    """The corpus case of issue 16's one-template figure: the parameter file beside the
    template is found (discover.companions), read and named in the report without pathlib."""
    template = tmp_path / "vm.json"
    template.write_text(json.dumps(CLEAN_TEMPLATE), encoding="utf-8")
    parameters = {"$schema": PARAMETERS_SCHEMA, "contentVersion": "1.0.0.0", "parameters": {}}
    (tmp_path / "vm.parameters.json").write_text(json.dumps(parameters), encoding="utf-8")
    loaded, report = modules_after(["check", "--no-cache", "--format", "json", str(template)])
    # linted: used for the template (a parameter file with no template beside it is skipped)
    assert report["summary"]["files"] == {"total": 2, "linted": 2, "skipped": 0, "error": 0}
    assert report["findings"] == []
    assert matching(loaded, ("pathlib", "urllib", "ipaddress")) == []


def test_a_cached_check_makes_no_path(tmp_path):
    """The second run of a check with the result cache (issue 16: under a tenth of
    ``--no-cache``): its cache key names the arguments' real paths without pathlib."""
    template = tmp_path / "vm.json"
    template.write_text(json.dumps(CLEAN_TEMPLATE), encoding="utf-8")
    arguments = ["check", "--format", "json", str(template)]
    modules_after(arguments)  # stores the result
    loaded, report = modules_after(arguments)
    assert "armlint.run.cache_pack" in loaded and "armlint.arm.loader" not in loaded  # cached
    assert report["summary"]["files"]["linted"] == 1
    assert matching(loaded, ("pathlib", "urllib", "ipaddress")) == []
