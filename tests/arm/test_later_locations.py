"""Fact locations are worked out when read (``model.LaterLocation``): evaluating a template
leaves them pending, and each, once read, is the place the eager computation gave; a pending
location equals, hashes, prints, pickles and copies as the plain ``Location`` it stands for."""

import copy
import pickle
from pathlib import Path

import pytest

from armlint.arm import extract, walk
from armlint.model import LaterLocation, Location, pack_finding
from armlint.run.pipeline import RunOptions, load_records

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "arm"
EXPLORED = FIXTURES.parent / "avm" / "virtual-machine.json"  # allowedValues explored
TEMPLATES = [
    FIXTURES / "eval" / "nested.json",
    FIXTURES / "eval" / "symbolic.json",
    FIXTURES / "eval" / "unknowns.json",
    FIXTURES / "eval" / "maybe-set.json",
    FIXTURES / "rules" / "AZP102_bad.json",
]


def records(path: Path, explore: bool = False):
    return load_records(RunOptions(paths=[str(path)], explore=explore)).records


def eagerly(find, subject):
    return find(subject)


def test_evaluation_leaves_fact_locations_pending():
    for template in TEMPLATES:
        for record in records(template):
            assert record.facts
            for name, fact in record.facts.items():
                where = fact.location
                assert isinstance(where, LaterLocation) and where.pending, (record.name, name)


@pytest.mark.parametrize(
    ("template", "explore"),
    [(path, False) for path in TEMPLATES] + [(EXPLORED, True)],
    ids=lambda value: value.name if isinstance(value, Path) else str(value),
)
def test_each_location_read_later_is_the_one_worked_out_at_once(template, explore, monkeypatch):
    later = records(template, explore)
    monkeypatch.setattr(extract, "LaterLocation", eagerly)
    monkeypatch.setattr(walk, "LaterLocation", eagerly)
    at_once = records(template, explore)
    assert not any(
        isinstance(fact.location, LaterLocation)
        for record in at_once
        for fact in record.facts.values()
    )
    assert [repr(record) for record in later] == [repr(record) for record in at_once]
    assert later == at_once


def test_a_later_location_stands_for_its_plain_location():
    plain = Location("vm.json", 3, 5, 3, 9)
    asked = []

    def find(subject):
        asked.append(subject)
        return Location(*subject)

    later = LaterLocation(find, ("vm.json", 3, 5, 3, 9))
    assert later.pending and not asked
    assert later == plain and plain == later
    assert [plain != later, later != plain] == [False, False]
    assert asked == [("vm.json", 3, 5, 3, 9)] and not later.pending
    assert hash(later) == hash(plain) and {later, plain} == {plain}
    assert repr(later) == repr(plain) and str(later) == "vm.json:3:5"
    assert later.to_dict() == plain.to_dict() and later.short() == "vm.json:3"
    assert later.replace(line=4) == Location("vm.json", 4, 5, 3, 9)
    for clone in (pickle.loads(pickle.dumps(later)), copy.deepcopy(later), copy.copy(later)):
        assert type(clone) is Location and clone == plain
    assert len(asked) == 1  # worked out once
    assert LaterLocation(find, ("other.json", 1, 1, 1, 1)) != plain


def test_a_finding_keeps_the_place_not_the_template():
    later = LaterLocation(lambda subject: Location(*subject), ("vm.json", 7, 1, 7, 2))
    finding = pack_finding("AZP101", "message", later)
    assert type(finding.location) is Location
    assert finding.location == Location("vm.json", 7, 1, 7, 2)
