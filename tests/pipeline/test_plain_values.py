"""model.Value / FrozenValue: the one base of armlint's plain value classes (model, terraform
syntax nodes, ARM expression nodes) behaves as the dataclasses it replaced: fields along the
bases, equality, repr, replace, hash only when frozen."""

from __future__ import annotations

import pytest

from armlint.arm.expressions import Call, Literal
from armlint.model import Location, fields_of
from armlint.terraform.nodes import Literal as TfLiteral

HERE = Location("main.tf", 1, 2, 1, 5)


def test_fields_include_the_base_class_slots_first():
    assert fields_of(TfLiteral) == ("loc", "value")


def test_equality_and_repr_use_inherited_fields():
    one, same, other = TfLiteral(HERE, "x"), TfLiteral(HERE, "x"), TfLiteral(HERE, "y")
    assert one == same
    assert one != other
    assert TfLiteral(Location("other.tf", 1, 2, 1, 5), "x") != one  # the base's field counts
    assert repr(one) == f"Literal(loc={HERE!r}, value='x')"


def test_a_syntax_node_is_unhashable_like_a_dataclass_with_eq():
    with pytest.raises(TypeError):
        hash(TfLiteral(HERE, "x"))


def test_frozen_values_hash_by_fields_through_an_attrgetter_or_the_generic_way():
    assert hash(Location("a", 1, 1)) == hash(Location("a", 1, 1))
    assert len({Literal("x", 0), Literal("x", 0), Literal("x", 1)}) == 2
    assert Call("f", "f", (Literal(1, 2),), 0, "") == Call("f", "f", (Literal(1, 2),), 0, "")


def test_replace_copies_every_field_including_inherited_ones():
    moved = TfLiteral(HERE, "x").replace(value="z")
    assert (moved.loc, moved.value) == (HERE, "z")
    assert Location("a", 1, 1).replace(line=7) == Location("a", 7, 1)
