"""The value budget shared by the Terraform and Bicep evaluators (issue 12): a value larger
than this becomes Unknown naming the budget, so a value that doubles at each step stops at
about a megabyte instead of reaching gigabytes."""

from __future__ import annotations

from armlint.model import Unknown

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

# The value budget: no setting armlint checks is anywhere near this big, and values that double
# at each step (concat of itself, "${a}${a}") reach gigabytes in thirty steps.
MAX_STRING_CHARS = 1_000_000
MAX_COLLECTION_ITEMS = 100_000
# The whole value, nested parts included: a list of 1,000 lists of 1,000 strings of 999,999
# characters passes both limits above at every level and still needs gigabytes. Counted in
# approximate bytes (a character is one, an item or key costs ITEM_BYTES).
MAX_VALUE_BYTES = 64_000_000
ITEM_BYTES = 16


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
    if isinstance(value, list | dict) and footprint(value, MAX_VALUE_BYTES) > MAX_VALUE_BYTES:
        return Unknown(
            f"{where} makes a value of more than {MAX_VALUE_BYTES} bytes, above the value budget"
        )
    return value


def footprint(value: Any, limit: int) -> int:
    """About how many bytes ``value`` holds, nested parts included; the walk stops as soon as
    it passes ``limit``, so checking a huge value costs no more than the budget itself."""
    total = 0
    pending = [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str):
            total += len(item)
        elif isinstance(item, dict):
            total += ITEM_BYTES * len(item)
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            total += ITEM_BYTES * len(item)
            pending.extend(item)
        else:
            total += ITEM_BYTES
    return total
