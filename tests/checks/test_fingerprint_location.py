"""A finding's fingerprint must not depend on where the checkout sits on disk.

CI runs on a fresh machine in another folder than a developer's; the corpus snapshot and every
baseline compare fingerprints, so an absolute path inside the recipe breaks both (it did: the
corpus lies outside any git repository, and its fingerprints carried /work/... locally and
/check/work/... in CI).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "arm" / "rules" / "AZP102_bad.json"


def _fingerprints(folder: Path) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-m", "armlint", "check", ".", "--format", "json", "--no-cache"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    findings = json.loads(run.stdout)["findings"]
    return sorted(f"{f['path']}|{f['rule']}|{f['fingerprint']}" for f in findings)


def _template(folder: Path) -> Path:
    folder.mkdir(parents=True)
    shutil.copy(FIXTURE, folder / "vm.json")
    return folder


def test_same_fingerprints_in_two_folders_outside_git(tmp_path):
    first = _template(tmp_path / "one" / "templates")
    second = _template(tmp_path / "two" / "deeper" / "templates")
    found = _fingerprints(first)
    assert found, "the template must produce findings, else the comparison proves nothing"
    assert found == _fingerprints(second)


def test_inside_git_the_path_counts_from_the_repository_root(tmp_path):
    from armlint.model import stable_path

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / "infra" / "vm.json").write_text("{}")
    assert stable_path(str(repo / "infra" / "vm.json")) == "infra/vm.json"
    moved = tmp_path / "moved"
    shutil.copytree(repo, moved)
    assert stable_path(str(moved / "infra" / "vm.json")) == "infra/vm.json"


def test_the_repository_top_is_looked_for_once_per_folder(tmp_path, monkeypatch):
    """The second file of a folder finds the repository's top without a ``stat`` of any
    ``.git`` (the levels above were asked for the first file)."""
    import os

    from armlint.model import stable_path

    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    for name in ("a.json", "b.json"):
        (repo / "infra" / name).write_text("{}")
    assert stable_path(str(repo / "infra" / "a.json")) == "infra/a.json"
    asked: list[str] = []
    real_stat = os.stat

    def counting_stat(path, *args, **kwargs):
        asked.append(os.fspath(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", counting_stat)
    assert stable_path(str(repo / "infra" / "b.json")) == "infra/b.json"
    assert not [path for path in asked if path.endswith(".git")]


def test_outside_git_the_path_counts_from_the_working_folder_as_pathlib_did(tmp_path, monkeypatch):
    """stable_path works on text since session 9 (s9-nopath): the names it gives are those of
    ``Path.resolve().relative_to(...)``, through a symlinked folder and outside the folder."""
    from pathlib import Path

    from armlint.model import stable_path

    if any((folder / ".git").exists() for folder in (tmp_path, *tmp_path.parents)):
        pytest.skip("the temporary folder is inside a repository")
    (tmp_path / "work" / "infra").mkdir(parents=True)
    (tmp_path / "work" / "infra" / "vm.json").write_text("{}")
    (tmp_path / "elsewhere.json").write_text("{}")
    (tmp_path / "link").symlink_to(tmp_path / "work", target_is_directory=True)
    monkeypatch.chdir(tmp_path / "work")
    assert stable_path(str(tmp_path / "link" / "infra" / "vm.json")) == "infra/vm.json"
    assert stable_path("./infra//vm.json") == "infra/vm.json"
    outside = str(tmp_path / "link" / ".." / "elsewhere.json")
    assert stable_path(outside) == Path(outside).resolve().as_posix()
