"""A fixture repository for the CI examples: committed templates, one patch-mode change."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest
from ci_helpers import CHANGED, FIXTURES, change_patch_mode, clean_environment, git


@pytest.fixture
def env() -> dict[str, str]:
    # The run's one cache folder (tests/conftest.py): the Terraform grammar is built once.
    return clean_environment(Path(os.environ["ARMLINT_CACHE_DIR"]))


@pytest.fixture
def repo(tmp_path: Path, env: dict[str, str]) -> Path:
    """A clone of a repository holding the fixture templates, with one template changed.

    A clone, so 'origin/HEAD' and 'HEAD' name the committed state, as 'origin/<base branch>'
    does in a pull-request build. The change (Manual -> AutomaticByOS) is an AZP402 transition.
    """
    upstream = tmp_path / "upstream"
    shutil.copytree(FIXTURES, upstream)
    git(upstream, "init", "-q", "-b", "main", env=env)
    git(upstream, "add", "-A", env=env)
    git(upstream, "commit", "-q", "-m", "templates", env=env)
    work = tmp_path / "work"
    git(tmp_path, "clone", "-q", str(upstream), str(work), env=env)
    change_patch_mode(work / CHANGED, "Manual", "AutomaticByOS")
    return work


@pytest.fixture
def shim(tmp_path: Path, env: dict[str, str]) -> Path:
    """An `armlint` on PATH that runs this checkout's armlint and logs each call."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "armlint"
    log = tmp_path / "armlint-calls.log"
    script.write_text(
        f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{sys.executable}" -m armlint "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    env["PATH"] = f"{folder}:{env.get('PATH', '')}"
    return log
