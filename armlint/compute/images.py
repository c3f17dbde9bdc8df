"""The operating system of a marketplace image, from the tables in rules/data/.

One policy for every format (rules/data/os_publishers.yaml says the order and names a source
for each row): an offer-level override, then the S1 image lists of images.yaml, then a
publisher that only publishes one system. Anything else is unknown, never guessed.
"""

from __future__ import annotations

import os
from functools import cache

from armlint.paths import rules_dir

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    from typing import Any

OS_NAMES = ("Windows", "Linux")


class OsPolicy:
    """Which OS an image is. A plain class: every check imports this module, and creating a
    dataclass costs about a millisecond of start-up."""

    __slots__ = ("offers", "pairs", "publishers")

    def __init__(
        self,
        offers: tuple[tuple[str, tuple[str, ...], str], ...],
        pairs: dict[tuple[str, str], str],
        publishers: dict[str, str],
    ) -> None:
        self.offers = offers  # (publisher, offer words, os)
        self.pairs = pairs  # (publisher, offer) from the S1 lists -> os
        self.publishers = publishers  # publisher -> os


@cache
def os_policy() -> OsPolicy:
    from armlint.datacache import load_yaml

    data = load_yaml(os.path.join(rules_dir(), "data", "os_publishers.yaml")) or {}
    offers = tuple(
        (row["publisher"].lower(), tuple(word.lower() for word in row["contains"]), row["os"])
        for row in data.get("offers") or ()
    )
    publishers = {row["publisher"].lower(): row["os"] for row in data.get("publishers") or ()}
    return OsPolicy(offers, _listed_pairs(), publishers)


def _listed_pairs() -> dict[tuple[str, str], str]:
    """(publisher, offer) of every S1 list in images.yaml, with the OS its list is for."""
    from armlint.datacache import load_yaml

    lists = (load_yaml(os.path.join(rules_dir(), "data", "images.yaml")) or {}).get("lists") or {}
    pairs: dict[tuple[str, str], str] = {}
    for name, entries in lists.items():
        os_name = "Windows" if "windows" in name else "Linux" if "linux" in name else None
        if os_name is None:
            continue  # the preview lists are Windows-only but named by year: not needed here
        for entry in entries:
            pairs[(entry["publisher"].lower(), entry["offer"].lower())] = os_name
    return pairs


def os_from_image(publisher: Any, offer: Any = None) -> str | None:
    """'Windows' or 'Linux' for a marketplace image, or None when the tables do not say."""
    if not isinstance(publisher, str):
        return None
    policy = os_policy()
    folded = publisher.lower()
    offer_folded = offer.lower() if isinstance(offer, str) else None
    if offer_folded is not None:
        for row_publisher, words, os_name in policy.offers:
            if row_publisher == folded and any(word in offer_folded for word in words):
                return os_name
        listed = policy.pairs.get((folded, offer_folded))
        if listed is not None:
            return listed
    return policy.publishers.get(folded)


def canonical_os(value: Any) -> Any:
    """'Windows' / 'Linux' for osType values in any case; anything else unchanged."""
    if isinstance(value, str) and value.lower() in ("windows", "linux"):
        return value.capitalize()
    return value


__all__ = ["OS_NAMES", "canonical_os", "os_from_image", "os_policy"]
