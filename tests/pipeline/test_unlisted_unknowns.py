"""A run that does not list unknown values (no ``show_unknown``) only counts them: the rule
engine's AZP002 findings are not built, and their places are worked out only to tell two of
one resource and message apart (issue 16, s11-rest); the result cache keeps the count
(issue 16, session 11)."""

from pathlib import Path

import pytest

from armlint.checks import engine as engine_module
from armlint.checks.hits import UnlistedUnknown
from armlint.model import Fact, Location
from armlint.run import pipeline
from armlint.run.options import RunOptions

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# Templates, Bicep files and Terraform modules with unknown values among them.
FOLDERS = [str(FIXTURES / name) for name in ("arm", "bicep", "terraform")]
ARM = [str(FIXTURES / "arm")]


def _listed(result) -> list[dict]:
    return [finding.to_dict() for finding in result.findings if finding.rule != "AZP002"]


@pytest.mark.parametrize("explore", [True, False])
def test_counting_unknowns_gives_the_count_and_findings_of_listing_them(explore):
    counted = pipeline.run_check(RunOptions(paths=FOLDERS, explore=explore))
    shown = pipeline.run_check(RunOptions(paths=FOLDERS, explore=explore, show_unknown=True))
    assert counted.unknown_count == shown.unknown_count > 0
    assert [f.to_dict() for f in counted.findings] == _listed(shown)
    assert not any(f.rule == "AZP002" for f in counted.findings)


def test_unknown_findings_are_built_only_when_listed(monkeypatch):
    built = []
    real = engine_module.unknown_finding

    def counting(*args, **kwargs):
        built.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine_module, "unknown_finding", counting)
    counted = pipeline.run_check(RunOptions(paths=ARM))
    assert counted.unknown_count > 0 and built == []
    pipeline.run_check(RunOptions(paths=ARM, show_unknown=True))
    assert len(built) == counted.unknown_count


def test_a_unit_checked_for_the_cache_keeps_the_count_not_the_findings(tmp_path, monkeypatch):
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    units = []
    real = pipeline.check_unit

    def keeping(unit, options):
        units.append(real(unit, options))
        return units[-1]

    monkeypatch.setattr(pipeline, "check_unit", keeping)
    pipeline.run_check(RunOptions(paths=ARM, cache=True))
    assert units and sum(unit.unknowns for unit in units) > 0
    assert not any(f.rule == "AZP002" for unit in units for f in unit.findings)


@pytest.mark.parametrize("show_unknown", [False, True])
def test_cached_runs_count_and_list_unknowns_as_a_run_without_the_cache(
    tmp_path, monkeypatch, show_unknown
):
    """The entry keeps the count ("unknowns"), and the cache key names show_unknown, so a run
    that lists unknown values never takes an entry that only counted them (session 11)."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    fresh = pipeline.run_check(RunOptions(paths=FOLDERS, show_unknown=show_unknown))
    # The other setting first: its entries must not serve this one.
    pipeline.run_check(RunOptions(paths=FOLDERS, cache=True, show_unknown=not show_unknown))
    for _ in range(2):  # the first run stores, the second is served from the cache
        cached = pipeline.run_check(
            RunOptions(paths=FOLDERS, cache=True, show_unknown=show_unknown)
        )
        assert cached.unknown_count == fresh.unknown_count > 0
        assert [f.to_dict() for f in cached.findings] == [f.to_dict() for f in fresh.findings]
        assert any(f.rule == "AZP002" for f in cached.findings) == show_unknown


def test_the_cache_key_names_show_unknown():
    plain = pipeline.cache_settings(RunOptions(paths=ARM))
    shown = pipeline.cache_settings(RunOptions(paths=ARM, show_unknown=True))
    assert plain != shown


class _Record:
    def __init__(self, places: dict[str, Location]) -> None:
        self.facts = {name: Fact(None, place) for name, place in places.items()}
        self.location = Location("t.json", 1, 1)


def test_unlisted_unknowns_are_one_group_when_their_places_are_equal():
    here, there = Location("t.json", 5, 3), Location("t.json", 9, 3)
    one = UnlistedUnknown(_Record({"os": here}), "os", "the os is unknown")
    same = UnlistedUnknown(_Record({"os": here}), "os", "the os is unknown")
    other = UnlistedUnknown(_Record({"os": there}), "os", "the os is unknown")
    resource = ("t.json", "vm", "")
    groups = {pipeline._group_key(u, resource) for u in (one, same, other)}
    assert len(groups) == 2


def test_an_unlisted_unknowns_place_is_worked_out_only_when_the_rest_of_its_key_is_equal():
    asked = []

    class Counted(UnlistedUnknown):
        __slots__ = ()

        def place(self) -> Location:
            asked.append(self.message)
            return super().place()

    record = _Record({"os": Location("t.json", 5, 3)})
    resource = ("t.json", "vm", "")
    keys = {
        pipeline._group_key(Counted(record, "os", message), resource) for message in ("a", "b", "c")
    }
    assert len(keys) == 3 and asked == []
