"""Small repositories for the everyday-use tests, run through the real command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from everyday_helpers import BAD_ARM, environment, git


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return environment(tmp_path)


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A git repository with a bad template in templates/ and an empty .gitignore."""
    work = tmp_path / "repo"
    (work / "templates").mkdir(parents=True)
    (work / "templates" / "legacy.json").write_text(BAD_ARM, encoding="utf-8")
    git(work, "init", "-q", "-b", "main", env=env)
    return work
