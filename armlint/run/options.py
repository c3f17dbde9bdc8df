"""What a run is asked to do: the paths, the rule choices and what hides findings on purpose."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter

from armlint.model import DeploymentContext, Value

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    import datetime

    from armlint.config import Config

Progress = Callable[[int, int], None]


class Gates(Value):
    """What hides findings on purpose, applied by ``armlint.run.findings`` to every command:
    inline suppressions (always), the per-file entries of ``config`` and a ``baseline`` file."""

    __slots__ = (
        "config",
        "baseline",
        "today",  # None: today; a test pins it to judge expiry dates
    )
    _values = attrgetter(*__slots__)

    def __init__(
        self,
        config: Config | None = None,
        baseline: str | None = None,
        today: datetime.date | None = None,
    ) -> None:
        self.config = config
        self.baseline = baseline
        self.today = today


class RunOptions:
    """What a run is asked to do; ``replace`` makes a changed copy. A plain class with a
    ``__dict__`` (not slots): its fields are that dict, in the order ``__init__`` sets them."""

    def __init__(
        self,
        paths: list[str] | None = None,
        parameters: list[str] | None = None,
        var_files: list[str] | None = None,
        exclude: list | None = None,
        respect_gitignore: bool = True,
        force_exclude: bool = False,
        profile: str = "current",
        enabled: set[str] | None = None,
        severities: dict[str, str] | None = None,
        show_unknown: bool = False,
        explore: bool = True,
        max_bytes: int = 20 * 1024 * 1024,
        progress: Progress | None = None,
        jobs: int = 1,
        shard: tuple[int, int] | None = None,
        cache: bool = False,
        note_cache_misses: bool = False,
        exports: bool = False,
        named_data: dict[str, bytes] | None = None,
        deployment: DeploymentContext | None = None,
        gates: Gates | None = None,
        rule_docs: bool = True,
    ) -> None:
        self.paths = ["."] if paths is None else paths
        self.parameters = [] if parameters is None else parameters
        self.var_files = [] if var_files is None else var_files
        self.exclude = [] if exclude is None else exclude  # strings (relative to .) or Patterns
        self.respect_gitignore = respect_gitignore
        self.force_exclude = force_exclude  # the excludes apply to files named too
        self.profile = profile
        self.enabled = enabled
        self.severities = {} if severities is None else severities
        self.show_unknown = show_unknown
        self.explore = explore  # allowedValues exploration; the planner wants one scenario
        self.max_bytes = max_bytes
        self.progress = progress
        self.jobs = jobs  # processes for check; the output is the same for any number
        self.shard = shard  # (K, N): check only the K-th of N stable shards
        self.cache = cache  # reuse results of unchanged files (the command line turns it on)
        # --verbose: say which cache entries were there but odd (corrupt, invalid), so a person
        # can see why a run was slow; off by default so the output never depends on the cache.
        self.note_cache_misses = note_cache_misses
        self.exports = exports  # exported VMs become records (the before side of armlint diff)
        # Named arguments that are pipes (<(...), -), read once by the parent: workers and the
        # cache key use these bytes, the pipe itself is empty by then.
        self.named_data = {} if named_data is None else named_data
        # --location, --set, --var: what the user says about the deployment
        self.deployment = DeploymentContext() if deployment is None else deployment
        # None: nothing is hidden on purpose (a library caller's default); the command line
        # sets it.
        self.gates = gates
        # The rules' documentation in the run's rule descriptions: only SARIF shows it, and
        # reading it is a share of a one-file check's start-up (the command line knows).
        self.rule_docs = rule_docs

    # Defining __eq__ leaves __hash__ None: unhashable, like the dataclass it was.
    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self.__dict__ == other.__dict__
        return NotImplemented

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"RunOptions({shown})"

    def replace(self, **changes: object) -> RunOptions:
        """A copy with ``changes`` (``dataclasses.replace``)."""
        return RunOptions(**{**self.__dict__, **changes})


class MissingPaths(Exception):
    """Paths named on the command line that do not exist (a usage error)."""
