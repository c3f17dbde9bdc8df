"""Exploring keeps the walk findings of every combination (AZP002: a linked template that is
not fetched), not only the last one's: which template a deployment links may depend on a
choice (the corpus's WVD host pool template links one per image source)."""

from __future__ import annotations

import json

from armlint.run.pipeline import RunOptions, run_check

TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {
        "imageSource": {
            "type": "string",
            "defaultValue": "vhd",
            "allowedValues": ["vhd", "gallery"],
        }
    },
    "resources": [
        {
            "type": "Microsoft.Resources/deployments",
            "apiVersion": "2022-09-01",
            "name": "hosts",
            "properties": {
                "mode": "Incremental",
                "templateLink": {
                    "uri": "[concat('https://example.com/', parameters('imageSource'), 'vm.json')]"
                },
            },
        }
    ],
}


def test_each_combination_s_unfetched_link_is_reported_once(tmp_path):
    path = tmp_path / "main.json"
    path.write_text(json.dumps(TEMPLATE, indent=2), encoding="utf-8")
    links = [
        finding.text
        for finding in run_check(RunOptions(paths=[str(path)], show_unknown=True)).findings
        if finding.rule == "AZP002"
    ]
    assert len(links) == 2, links
    assert any("https://example.com/vhdvm.json" in text for text in links)
    assert any("https://example.com/galleryvm.json" in text for text in links)
