"""Exploring allowedValues shares evaluations inside inner-scoped nested deployments and
linked templates too, and a VM's groups of facts one by one (armlint.arm.combinations,
issue 16 item 1): the records and findings must be those of evaluating every combination
from scratch, and what reads no choice must be evaluated once."""

import json
from collections import Counter
from pathlib import Path

from armlint.arm import expressions, loader
from armlint.arm.jsonpos import get_ci
from armlint.compute.arm_body import BodyExtractor
from armlint.run.pipeline import RunOptions, load_records, run_check

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
# Evaluated inside the nested and the linked template; they read no choice.
INNER_SKU = "[concat('2022-', 'datacenter-azure-edition')]"
LINKED_SKU = "[concat('2022-datacenter', '-azure-edition')]"


def _vm(name: str, patch_mode: str, sku: str) -> dict:
    return {
        "type": "Microsoft.Compute/virtualMachines",
        "apiVersion": "2024-07-01",
        "name": name,
        "location": "westeurope",
        "properties": {
            "storageProfile": {
                "imageReference": {
                    "publisher": "MicrosoftWindowsServer",
                    "offer": "WindowsServer",
                    "sku": sku,
                    "version": "latest",
                }
            },
            "osProfile": {
                "windowsConfiguration": {
                    "enableAutomaticUpdates": True,
                    "patchSettings": {"patchMode": patch_mode},
                }
            },
        },
    }


def _inner_template(vm: dict) -> dict:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"passed": {"type": "string"}},
        "resources": [vm],
    }


LINKED = _inner_template(_vm("linkedvm", "[parameters('passed')]", LINKED_SKU))

# mode reaches an inner-scoped deployment (whose name also reads a choice, and which the trace
# of the parameter it passes names) and a linked template; tier reaches no VM fact but that
# trace.
ROOT = {
    "$schema": SCHEMA,
    "contentVersion": "1.0.0.0",
    "parameters": {
        "mode": {
            "type": "string",
            "defaultValue": "AutomaticByOS",
            "allowedValues": ["AutomaticByOS", "Manual", "AutomaticByPlatform"],
        },
        "tier": {"type": "string", "defaultValue": "a", "allowedValues": ["a", "b"]},
    },
    "resources": [
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "[concat('inner-', parameters('tier'), '-', copyIndex())]",
            "copy": {"name": "inner", "count": 2},
            "properties": {
                "mode": "Incremental",
                "expressionEvaluationOptions": {"scope": "inner"},
                "parameters": {"passed": {"value": "[parameters('mode')]"}},
                "template": _inner_template(
                    _vm("[concat('innervm', 1)]", "[parameters('passed')]", INNER_SKU)
                ),
            },
        },
        {
            # A sibling of the root template's VMs (none here): its type is read in every
            # combination.
            "type": "Microsoft.Compute/virtualMachines/extensions",
            "apiVersion": "2024-07-01",
            "name": "somevm/health",
            "location": "westeurope",
            "properties": {"type": "ApplicationHealthWindows", "publisher": "Microsoft"},
        },
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "linked",
            "properties": {
                "mode": "Incremental",
                "templateLink": {"relativePath": "linked.json"},
                "parameters": {"passed": {"value": "[parameters('mode')]"}},
            },
        },
    ],
}


def _write(tmp_path: Path) -> Path:
    (tmp_path / "linked.json").write_text(json.dumps(LINKED, indent=2), encoding="utf-8")
    path = tmp_path / "main.json"
    path.write_text(json.dumps(ROOT, indent=2), encoding="utf-8")
    return path


def _outcome(path: Path):
    options = RunOptions(paths=[str(path.parent)])
    records = [
        (r.identity, r.scenario, sorted((n, repr(f)) for n, f in r.facts.items()))
        for r in load_records(options).records
        if r.path == str(path)
    ]
    findings = [(f.rule, f.text, f.location, f.provenance) for f in run_check(options).findings]
    return records, findings


def _counting(monkeypatch, owner, name: str) -> list:
    """One item per call of ``owner.name`` (which still runs): its arguments."""
    calls: list = []
    original = getattr(owner, name)

    def counting(*arguments):
        calls.append(arguments)
        return original(*arguments)

    monkeypatch.setattr(owner, name, counting)
    return calls


def test_nested_and_linked_sharing_gives_the_records_and_findings_of_each_combination(
    tmp_path, monkeypatch
):
    path = _write(tmp_path)
    shared = _outcome(path)
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    assert shared == _outcome(path)
    records, _ = shared
    # Each choice reached the nested VMs, and the deployment's name (it reads tier) reached
    # the trace of the parameter it passes: both were told apart between combinations.
    modes = {
        (identity.rsplit("/", 1)[-1], value)
        for identity, _, facts in records
        for name, value in facts
        if name == "patch_mode"
    }
    for vm in ("innervm1", "linkedvm"):
        assert {"Manual" in value for name, value in modes if name.startswith(vm)} == {
            True,
            False,
        }
    traces = {value for _, _, facts in records for name, value in facts if name == "patch_mode"}
    assert any("inner-a-0" in trace for trace in traces)
    assert any("inner-b-1" in trace for trace in traces)


def test_nested_and_linked_templates_evaluate_what_reads_no_choice_once(tmp_path, monkeypatch):
    path = _write(tmp_path)
    evaluated = _counting(monkeypatch, expressions, "evaluate")
    load_records(RunOptions(paths=[str(path.parent)]))
    shared = Counter(text for text, *_ in evaluated)
    # The linked template's image once. The inner one once per copy of the deployment and
    # choice of tier (its name reads tier, and the trace of the parameter it passes names it):
    # 'a' (in the first evaluation, which chooses the defaults already) and 'b'. Checking
    # linked.json on its own (nothing to explore, nothing shared) evaluates its sku once more
    # (as a property: the image object itself is not evaluated, session 10).
    assert (shared[LINKED_SKU], shared[INNER_SKU]) == (1 + 1, 2 * 2)
    evaluated.clear()
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    load_records(RunOptions(paths=[str(path.parent)]))
    fresh = Counter(text for text, *_ in evaluated)
    # Once in every combination (3 x 2) and the first evaluation, per VM.
    assert (fresh[LINKED_SKU], fresh[INNER_SKU]) == (7 + 1, 7 * 2)


def _by_vm(calls: list) -> Counter:
    return Counter(get_ci(extractor.root.value, "name")[1] for extractor, *_ in calls)


def test_a_vms_image_facts_are_worked_out_once_when_only_its_patch_mode_changes(
    tmp_path, monkeypatch
):
    path = _write(tmp_path)
    image_facts = _counting(monkeypatch, BodyExtractor, "_image_facts")
    patch_facts = _counting(monkeypatch, BodyExtractor, "_patch_facts")
    load_records(RunOptions(paths=[str(path.parent)]))
    images, patches = _by_vm(image_facts), _by_vm(patch_facts)
    # linkedvm: the image once (and once for linked.json on its own), the patch facts for
    # each mode (the default one in the first evaluation, which chooses it already) and for
    # linked.json. Each fact set read mode, so without the groups shared on their own the
    # image would be worked out as often as the patch.
    assert (images["linkedvm"], patches["linkedvm"]) == (2, 4)
    # innervm1, per copy of its deployment: its scope differs with tier (see above), so the
    # image twice; the patch facts for each (mode, tier).
    inner = "[concat('innervm', 1)]"
    assert (images[inner], patches[inner]) == (2 * 2, 2 * 6)


def test_a_sibling_resources_paths_are_walked_once_for_every_combination(tmp_path, monkeypatch):
    from armlint.arm import extract

    path = _write(tmp_path)
    walked = _counting(monkeypatch, extract, "reach")
    load_records(RunOptions(paths=[str(path)]))
    extension_type = [node for node, steps in walked if steps == ("properties", "type")]
    assert len(extension_type) == 1
    walked.clear()
    monkeypatch.setattr(loader, "SHARE_BETWEEN_COMBINATIONS", False)
    load_records(RunOptions(paths=[str(path)]))
    extension_type = [node for node, steps in walked if steps == ("properties", "type")]
    assert len(extension_type) == 7  # the first evaluation and each combination
