"""ARM loading keeps the documents out of the cyclic garbage collector's walks while a unit is
evaluated (armlint/arm/files.py: read with it off, gc.freeze, gc.unfreeze when the unit is done),
and leaves the collector as it found it."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from armlint.arm.files import load_files
from armlint.arm.loader import TemplateLoader

TEMPLATE = Path(__file__).resolve().parents[1] / "fixtures" / "hardening" / "good.json"


def load_watching(monkeypatch) -> list[tuple[bool, int]]:
    """Load the template; what the collector looked like while it was evaluated."""
    seen = []
    evaluate = TemplateLoader.load

    def watched(self, template, parameter_docs):
        seen.append((gc.isenabled(), gc.get_freeze_count()))
        return evaluate(self, template, parameter_docs)

    monkeypatch.setattr(TemplateLoader, "load", watched)
    loaded = load_files([TEMPLATE], parameters=[], roots=[], explore=False, max_bytes=1 << 20)
    assert loaded.result.records  # the template was evaluated
    return seen


@pytest.fixture
def collector_restored():
    enabled = gc.isenabled()
    yield
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_documents_are_frozen_while_evaluated_then_released(monkeypatch, collector_restored):
    gc.enable()
    gc.unfreeze()
    ((enabled, frozen),) = load_watching(monkeypatch)
    assert enabled and frozen > 0
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_collector_turned_off_or_frozen_by_the_caller_is_left_alone(
    monkeypatch, collector_restored
):
    gc.disable()
    assert load_watching(monkeypatch) == [(False, 0)]
    assert not gc.isenabled()
    gc.enable()
    gc.freeze()
    before = gc.get_freeze_count()
    ((_, frozen),) = load_watching(monkeypatch)
    assert frozen == before == gc.get_freeze_count()  # nothing frozen or unfrozen by the load
