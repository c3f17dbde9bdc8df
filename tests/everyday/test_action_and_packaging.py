"""The real pre-commit framework with the project's hooks, and the built wheel installed into a
fresh virtual environment (issue 13)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import jsonschema
import pytest
import yaml
from everyday_helpers import BAD_ARM, GOOD_ARM, ROOT, git

HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"


def local_hooks_config(python: str) -> str:
    """The project's hooks as a `repo: local` configuration: the same ids, entries, file
    filters and options, run by this interpreter (language `system`), so nothing is fetched."""
    hooks = []
    for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8")):
        entry = hook["entry"]
        assert entry.startswith("armlint ")
        hooks.append({**hook, "entry": f"{python} -m {entry}", "language": "system"})
    return yaml.safe_dump({"repos": [{"repo": "local", "hooks": hooks}]}, sort_keys=False)


def commit(repo: Path, env: dict[str, str], message: str) -> subprocess.CompletedProcess:
    identity = ["-c", "user.name=armlint tests", "-c", "user.email=tests@example.invalid"]
    return subprocess.run(
        ["git", *identity, "commit", "-m", message],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_real_pre_commit_blocks_a_bad_commit_skips_excluded_files_and_passes_a_good_one(
    tmp_path, env
):
    pytest.importorskip("pre_commit")
    repo = tmp_path / "work"
    repo.mkdir()
    env["PRE_COMMIT_HOME"] = str(tmp_path / "pre-commit-home")
    git(repo, "init", "-q", "-b", "main", env=env)
    (repo / ".pre-commit-config.yaml").write_text(local_hooks_config(sys.executable), "utf-8")
    (repo / ".armlint.yaml").write_text('exclude: ["vendor/"]\n', encoding="utf-8")
    (repo / "app.json").write_text(GOOD_ARM, encoding="utf-8")
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "--no-verify", "-m", "start", env=env)
    installed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "install"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # A bad template in an excluded folder: pre-commit names it, --force-exclude drops it.
    (repo / "vendor").mkdir()
    (repo / "vendor" / "third-party.json").write_text(BAD_ARM, encoding="utf-8")
    git(repo, "add", "vendor", env=env)
    excluded = commit(repo, env, "vendored template")
    assert excluded.returncode == 0, excluded.stdout + excluded.stderr
    assert "AZP102" not in excluded.stdout + excluded.stderr

    # A bad template elsewhere blocks the commit.
    head = git(repo, "rev-parse", "HEAD", env=env)
    (repo / "app.json").write_text(BAD_ARM, encoding="utf-8")
    git(repo, "add", "app.json", env=env)
    blocked = commit(repo, env, "manual mode")
    assert blocked.returncode != 0
    assert "app.json:13:35: AZP102" in blocked.stdout + blocked.stderr
    assert git(repo, "rev-parse", "HEAD", env=env) == head

    # Fixed: the commit goes through.
    (repo / "app.json").write_text(GOOD_ARM.replace("vm1", "vm2"), encoding="utf-8")
    git(repo, "add", "app.json", env=env)
    good = commit(repo, env, "platform mode")
    assert good.returncode == 0, good.stdout + good.stderr
    assert git(repo, "rev-parse", "HEAD", env=env) != head


def test_sdist_and_wheel_build_and_the_wheel_installs_into_a_fresh_venv(tmp_path, env):
    """`python -m build` (sdist, then the wheel from it) and a venv with only the wheel: the
    installed armlint finds its rule pack and schemas and lints a template. Offline: the build
    runs without isolation and the venv reuses this interpreter's installed dependencies."""
    pytest.importorskip("build")
    source = tmp_path / "source"
    # Tool caches are left out: mypy (tests/test_static_checks.py) may be writing its
    # SQLite cache in another worker at this moment, and its -wal/-shm files come and go
    # while the tree is copied (CI stop 21 failed on exactly that).
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv*",
            "*.egg-info",
            "__pycache__",
            "build",
            "dist",
            ".pytest_cache",
            ".mypy_cache",
            ".ruff_cache",
            ".hypothesis",
            ".armlint-cache",
            ".benchmarks",
        ),
    )
    dist = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(source)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-2000:]
    [wheel] = dist.glob("armlint-*.whl")
    assert len(list(dist.glob("armlint-*.tar.gz"))) == 1
    target = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(target)
    python = target / "bin" / "python"
    # The dependencies come from this interpreter's site-packages, added as a plain path
    # (its .pth files, among them the editable install of this checkout, are not run).
    dependencies = {str(Path(module.__file__).parents[1]) for module in (yaml, jsonschema)}
    [site] = target.glob("lib/python*/site-packages")
    (site / "dependencies.pth").write_text("\n".join(sorted(dependencies)) + "\n")
    env.pop("PYTHONPATH", None)  # the installed copy, not this checkout
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            "--ignore-installed",
            "--no-compile",  # pip's own byte-compiling of every module: not what is tested
            str(wheel),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    template = tmp_path / "vm.json"
    template.write_text(BAD_ARM, encoding="utf-8")
    ran = subprocess.run(
        [str(target / "bin" / "armlint"), "check", "vm.json"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert ran.returncode == 1, ran.stderr
    assert "vm.json:13:35: AZP102" in ran.stdout
    where = subprocess.run(
        [str(python), "-c", "import armlint; print(armlint.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert str(target) in where.stdout  # the wheel's copy, not the checkout
