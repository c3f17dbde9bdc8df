"""Every real Bicep file of the shared corpus loads; how many VM facts come out known.

The figures are printed (run with ``-s`` to see them). patch_mode and, on Windows,
enable_automatic_updates must be known or defaulted for at least 90% of the records. image and
location are bounded lower: most unknown ones are truly unknown before deployment
(``resourceGroup().location``, an ``imageReference`` parameter of a module evaluated on its own).
"""

from __future__ import annotations

import pytest

from armlint.bicep import load
from armlint.model import Unknown, VmRecord

pytestmark = pytest.mark.corpus


def _known(record: VmRecord, fact: str) -> bool:
    found = record.facts.get(fact)
    return found is not None and not isinstance(found.value, Unknown)


def _image_known(record: VmRecord) -> bool:
    marketplace = all(_known(record, f) for f in ("image_publisher", "image_offer", "image_sku"))
    return marketplace or _known(record, "image_id")


MEASURES = {
    "patch_mode": lambda r: _known(r, "patch_mode"),
    "enable_automatic_updates (Windows)": lambda r: _known(r, "enable_automatic_updates"),
    "image": _image_known,
    "location": lambda r: _known(r, "location"),
}


def _shares(records: list[VmRecord]) -> dict[str, tuple[int, int]]:
    shares = {}
    for name, known in MEASURES.items():
        pool = records
        if name.endswith("(Windows)"):
            pool = [r for r in records if r.value("os") == "Windows"]
        shares[name] = (sum(1 for r in pool if known(r)), len(pool))
    return shares


@pytest.fixture(scope="module")
def corpus_result(corpus_dir):
    files = sorted(path for path in corpus_dir.rglob("*.bicep") if path.is_file())
    return files, load(files)


def test_every_corpus_file_loads_with_a_report(corpus_result):
    files, result = corpus_result
    assert len(files) == 110
    assert sorted(report.path for report in result.files) == sorted(p.as_posix() for p in files)
    assert all(report.status == "linted" for report in result.files)
    assert result.findings == []  # all of them are valid Bicep
    assert result.records


def test_share_of_known_facts(corpus_result):
    _, result = corpus_result
    per_record = _shares(result.records)
    distinct = list({record.identity: record for record in result.records}.values())
    per_resource = _shares(distinct)
    print(f"\nbicep corpus: {len(result.records)} VM records, {len(distinct)} distinct resources")
    for name, (known, total) in per_record.items():
        known_distinct, total_distinct = per_resource[name]
        print(
            f"  {name:36} {known:4}/{total:<4} {known / total:6.1%} of records   "
            f"{known_distinct:4}/{total_distinct:<4} {known_distinct / total_distinct:6.1%} of resources"
        )
    # Per distinct resource, as bench/resolution.py and the README count: exploring more
    # allowed-value choices adds records but not resources.
    ratio = {name: known / total for name, (known, total) in per_resource.items()}
    assert ratio["patch_mode"] >= 0.9
    assert ratio["enable_automatic_updates (Windows)"] >= 0.9
    assert ratio["image"] >= 0.8
    assert ratio["location"] >= 0.15
