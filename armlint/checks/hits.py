"""What a code rule yields: a hit to report, or the fact that blocked it from deciding."""

from __future__ import annotations

from dataclasses import dataclass

from armlint.model import Location


@dataclass(frozen=True, slots=True)
class Hit:
    """The rule fails; ``at`` names the fact whose location the finding points at."""

    at: str
    message: str
    # Where to point when the finding is about something that is not a fact (a Terraform
    # argument the provider version does not have); None points at the fact `at`.
    location: Location | None = None


@dataclass(frozen=True, slots=True)
class Blocked:
    """The rule cannot decide because this fact is unknown (reported as AZP002)."""

    fact: str
