"""What a run is asked to do: the paths, the rule choices and what hides findings on purpose."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from armlint.model import DeploymentContext

if TYPE_CHECKING:
    import datetime

    from armlint.config import Config

Progress = Callable[[int, int], None]


@dataclass
class Gates:
    """What hides findings on purpose, applied by ``armlint.run.findings`` to every command:
    inline suppressions (always), the per-file entries of ``config`` and a ``baseline`` file."""

    config: Config | None = None
    baseline: str | None = None
    today: datetime.date | None = None  # None: today; a test pins it to judge expiry dates


@dataclass
class RunOptions:
    paths: list[str] = field(default_factory=lambda: ["."])
    parameters: list[str] = field(default_factory=list)
    var_files: list[str] = field(default_factory=list)
    exclude: list = field(default_factory=list)  # strings (relative to .) or globs.Patterns
    respect_gitignore: bool = True
    force_exclude: bool = False  # apply the excludes to files named on the command line too
    profile: str = "current"
    enabled: set[str] | None = None
    severities: dict[str, str] = field(default_factory=dict)
    show_unknown: bool = False
    explore: bool = True  # allowedValues exploration; the planner wants one scenario
    max_bytes: int = 20 * 1024 * 1024
    progress: Progress | None = None
    jobs: int = 1  # processes for check; the output is the same for any number
    shard: tuple[int, int] | None = None  # (K, N): check only the K-th of N stable shards
    cache: bool = False  # reuse results of unchanged files (the command line turns it on)
    # --verbose: say which cache entries were there but odd (corrupt, invalid), so a person
    # can see why a run was slow; off by default so the output never depends on the cache.
    note_cache_misses: bool = False
    exports: bool = False  # exported VMs become records (the before side of armlint diff)
    # Named arguments that are pipes (<(...), -), read once by the parent: workers and the
    # cache key use these bytes, the pipe itself is empty by then.
    named_data: dict[str, bytes] = field(default_factory=dict)
    # --location, --set, --var: what the user says about the deployment
    deployment: DeploymentContext = field(default_factory=DeploymentContext)
    # None: nothing is hidden on purpose (a library caller's default); the command line sets it.
    gates: Gates | None = None


class MissingPaths(Exception):
    """Paths named on the command line that do not exist (a usage error)."""
