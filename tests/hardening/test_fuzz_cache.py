"""The result cache is untrusted input (issue 12): whatever bytes sit in an entry, reading it
gives a valid result or a miss, never an exception, and never a finding the checks could not
have made (a bogus rule or severity)."""

from __future__ import annotations

import json
import os
import tempfile

from hypothesis import given
from hypothesis import strategies as st

from armlint.model import SEVERITY_RANK, FileReport, Finding, Location
from armlint.run import workunits
from armlint.run.cache_pack import packs_folder, write_pack
from armlint.run.workunits import UnitResult
from tests.hardening.hardening_helpers import fuzz_settings

KEY = "ab" + "0" * 62

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)


def valid_entry() -> dict:
    finding = Finding(
        "AZP102", "manual-mode-with-automatic-updates", "error", "m", Location("vm.json", 3, 4)
    )
    result = UnitResult(
        files=[FileReport("vm.json", "template")],
        findings=[finding],
        notes=["n"],
        resources=[("vm.json", "vm")],
    )
    return workunits._result_to(result)


def stamped(entry) -> bytes:
    """An entry as armlint writes it: only a stamped entry can be used, so the checks of its
    content are fuzzed through stamped entries."""
    return workunits.stamped(json.dumps(entry))


def read_back(data: bytes) -> UnitResult | None:
    with tempfile.TemporaryDirectory() as folder:
        previous = os.environ.get("ARMLINT_CACHE_DIR")
        os.environ["ARMLINT_CACHE_DIR"] = folder
        try:
            write_pack(packs_folder(), {KEY: data})
            return workunits.load_cached(KEY)
        finally:
            if previous is None:
                os.environ.pop("ARMLINT_CACHE_DIR")
            else:
                os.environ["ARMLINT_CACHE_DIR"] = previous


def assert_sound(result: UnitResult | None) -> None:
    if result is None:
        return
    for finding in result.findings:
        # '' is a loader's finding before the pack names it (run/findings.py sets it).
        assert finding.severity in SEVERITY_RANK or finding.severity == ""
        assert finding.rule.startswith("AZP") and len(finding.rule) == 6
        assert isinstance(finding.location.line, int)
    for report in result.files:
        assert report.status in ("linted", "skipped", "error")


def test_a_valid_entry_reads_back():
    result = read_back(stamped(valid_entry()))
    assert result is not None and [f.rule for f in result.findings] == ["AZP102"]
    assert read_back(json.dumps(valid_entry()).encode()) is None, "an entry without its stamp"


@fuzz_settings(60, 0.1)
@given(json_values)
def test_any_json_value_is_a_result_or_a_miss(value):
    assert_sound(read_back(json.dumps(value).encode()))
    if isinstance(value, dict) and value:
        assert_sound(read_back(stamped(value)))


@fuzz_settings(60, 0.1)
@given(
    st.sampled_from(["files", "findings", "notes", "resources", "dependencies", "format"]),
    json_values,
)
def test_a_valid_entry_with_one_field_replaced(field, value):
    entry = valid_entry()
    entry[field] = value
    assert_sound(read_back(stamped(entry)))


@fuzz_settings(60, 0.1)
@given(
    st.sampled_from(
        [
            "rule",
            "name",
            "severity",
            "message",
            "location",
            "resource",
            "provenance",
            "fingerprint",
            "suppressed",
            "extra",
        ]
    ),
    json_values,
)
def test_a_finding_with_one_field_replaced(field, value):
    entry = valid_entry()
    entry["findings"][0][field] = value
    assert_sound(read_back(stamped(entry)))


@fuzz_settings(60, 0.1)
@given(st.binary(max_size=200), st.integers(min_value=0, max_value=400))
def test_bytes_spliced_into_a_valid_entry(noise, offset):
    data = stamped(valid_entry())
    assert_sound(read_back(data[:offset] + noise + data[offset:]))


def test_a_dependency_that_is_a_fifo_is_a_miss_not_a_hang(tmp_path):
    fifo = tmp_path / "linked.json"
    os.mkfifo(fifo)
    entry = valid_entry()
    entry["dependencies"] = [[str(fifo), "0" * 64]]
    assert read_back(stamped(entry)) is None


def test_an_entry_above_the_size_cap_is_a_miss(monkeypatch):
    monkeypatch.setattr(workunits, "CACHE_MAX_BYTES", 100)
    data = stamped(valid_entry())
    assert len(data) > 100 and read_back(data) is None
