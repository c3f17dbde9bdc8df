"""The value budget shared by the Terraform and Bicep evaluators (issue 12): a value larger
than this becomes Unknown naming the budget, so a value that doubles at each step stops at
about a megabyte instead of reaching gigabytes."""

from __future__ import annotations

from typing import Any

from armlint.model import Unknown

# The value budget: no setting armlint checks is anywhere near this big, and values that double
# at each step (concat of itself, "${a}${a}") reach gigabytes in thirty steps.
MAX_STRING_CHARS = 1_000_000
MAX_COLLECTION_ITEMS = 100_000


def within_value_budget(value: Any, where: str) -> Any:
    """``value``, or Unknown naming the value budget when it is larger than that."""
    if isinstance(value, str) and len(value) > MAX_STRING_CHARS:
        return Unknown(
            f"{where} makes a string of {len(value)} characters, above the value budget of"
            f" {MAX_STRING_CHARS}"
        )
    if isinstance(value, list | dict) and len(value) > MAX_COLLECTION_ITEMS:
        return Unknown(
            f"{where} makes a collection of {len(value)} items, above the value budget of"
            f" {MAX_COLLECTION_ITEMS}"
        )
    return value
