"""The cyclic collector is held off while a unit is loaded and checked, and given back as it
was, also when the unit fails (issue 16, session 10, s10-checks: a young collection after each
load walked the unit's records)."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from armlint.run import pipeline
from armlint.run.options import RunOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"


@pytest.fixture
def collector_seen(monkeypatch):
    """Whether the collector was on while each unit's records were checked."""
    seen: list[bool] = []
    checked = pipeline._checked

    def spying(records, options, notes):
        seen.append(gc.isenabled())
        return checked(records, options, notes)

    monkeypatch.setattr(pipeline, "_checked", spying)
    return seen


@pytest.fixture
def collecting():
    was = gc.isenabled()
    gc.enable()
    yield
    if not was:
        gc.disable()


def test_the_collector_is_off_while_a_unit_is_checked_and_on_again_after(
    collector_seen, collecting
):
    result = pipeline.run_check(RunOptions(paths=[str(EXAMPLE)], jobs=1))
    assert collector_seen == [False]
    assert gc.isenabled()
    assert result.findings  # the unit was checked


def test_a_collector_the_caller_held_off_stays_off(collector_seen, collecting):
    gc.disable()
    pipeline.run_check(RunOptions(paths=[str(EXAMPLE)], jobs=1))
    assert collector_seen == [False]
    assert not gc.isenabled()


def test_the_collector_is_on_again_after_a_unit_that_failed(monkeypatch, collecting):
    def failing(records, options, notes):
        raise RuntimeError("a bug in the checks")

    monkeypatch.setattr(pipeline, "_checked", failing)
    with pytest.raises(RuntimeError):
        pipeline.run_check(RunOptions(paths=[str(EXAMPLE)], jobs=1))
    assert gc.isenabled()
