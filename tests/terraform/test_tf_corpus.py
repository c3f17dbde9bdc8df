"""The whole real-world corpus loads without an exception, and most facts resolve.

The corpus is read-only shared data (../shared/corpus, see tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

import armlint.terraform as terraform
from armlint.model import Unknown

pytestmark = pytest.mark.corpus


def corpus_files(corpus_dir: Path) -> list[Path]:
    return sorted(
        path
        for path in corpus_dir.rglob("*")
        if path.is_file() and (path.name.endswith((".tf", ".tf.json")) or ".tfvars" in path.name)
    )


def known(record, name: str) -> bool:
    fact = record.facts.get(name)
    return fact is not None and not isinstance(fact.value, Unknown)


def image_resolved(record) -> bool:
    """Publisher+offer+sku or an id are known; or the VM has no image and nothing is unknown."""
    parts = ("image_publisher", "image_offer", "image_sku")
    if all(known(record, name) for name in parts) or known(record, "image_id"):
        return True
    image_facts = [name for name in (*parts, "image_id") if name in record.facts]
    return not image_facts  # an attached OS disk: it is known that there is no image


@pytest.fixture(scope="module")
def corpus(corpus_dir):
    files = corpus_files(corpus_dir)
    return files, terraform.load(files)


def test_every_corpus_file_loads_and_is_reported(corpus):
    files, result = corpus
    assert len(files) >= 433
    assert sorted(report.path for report in result.files) == sorted(str(path) for path in files)
    errors = [report for report in result.files if report.status != "linted"]
    assert errors == []  # python-hcl2 8.x reads every corpus file
    assert len(result.records) > 150


def test_share_of_resolved_facts(corpus, capsys):
    _, result = corpus
    records = result.records
    windows = [rec for rec in records if rec.value("os") == "Windows"]
    shares = {
        "patch_mode": sum(known(rec, "patch_mode") for rec in records) / len(records),
        "enable_automatic_updates (Windows)": sum(
            known(rec, "enable_automatic_updates") for rec in windows
        )
        / len(windows),
        "image": sum(image_resolved(rec) for rec in records) / len(records),
        "location": sum(known(rec, "location") for rec in records) / len(records),
    }
    everything = [
        rec
        for rec in records
        if known(rec, "patch_mode")
        and image_resolved(rec)
        and known(rec, "location")
        and (rec.value("os") != "Windows" or known(rec, "enable_automatic_updates"))
    ]
    with capsys.disabled():
        print(f"\nterraform corpus: {len(records)} VM records, {len(windows)} Windows")
        for name, share in shares.items():
            print(f"  {name}: {share:.1%} known or defaulted")
        print(f"  all four at once: {len(everything) / len(records):.1%}")
        print("  notes: " + " | ".join(result.notes))
    assert shares["patch_mode"] > 0.9
    assert shares["enable_automatic_updates (Windows)"] > 0.9
    assert shares["image"] > 0.9
    # Locations mostly come from `variable "location" {}` without a default (the hashicorp
    # examples expect -var): Unknown by design until a var file supplies them.
    assert shares["location"] > 0.35
