"""What a check keeps alive while it checks units: not discovery's candidates (a Path each),
which at 100 copies of the ARM corpus cost tens of megabytes for the whole run
(bench/scaling.py measures it; README, issue 16)."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

from armlint.run import pipeline
from armlint.run.discover import Candidate
from armlint.run.options import RunOptions

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "arm" / "web-tier.json"


def test_candidates_are_not_kept_while_units_are_checked(tmp_path, monkeypatch):
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        shutil.copy(EXAMPLE, tmp_path / folder / "web-tier.json")
    alive: list[int] = []
    check_unit = pipeline.check_unit

    def counting(unit, options):
        alive.append(sum(isinstance(thing, Candidate) for thing in gc.get_objects()))
        return check_unit(unit, options)

    monkeypatch.setattr(pipeline, "check_unit", counting)
    result = pipeline.run_check(RunOptions(paths=[str(tmp_path)], jobs=1))
    assert alive == [0, 0]  # one count per unit, none alive
    assert len(result.files) == 2
    assert {finding.location.path for finding in result.findings} == {
        str(tmp_path / folder / "web-tier.json") for folder in ("one", "two")
    }
