"""docs/ci/pre-commit.sh in a fixture repository, and its agreement with .pre-commit-hooks.yaml."""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from ci_helpers import CHANGED, CHANGED_LINE, CI_DOCS, ROOT, change_patch_mode, git

HOOK = CI_DOCS / "pre-commit.sh"
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"

pytestmark = [
    pytest.mark.slow,  # a real git hook running armlint in a process
    pytest.mark.skipif(
        shutil.which("git") is None or shutil.which("bash") is None, reason="needs git and bash"
    ),
]


def run_hook(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(HOOK)], cwd=repo, env=env, capture_output=True, text=True, timeout=300
    )


def framework_hooks() -> dict[str, dict]:
    return {hook["id"]: hook for hook in yaml.safe_load(HOOKS_FILE.read_text(encoding="utf-8"))}


def test_the_hook_script_is_executable():
    assert os.access(HOOK, os.X_OK)


def test_a_staged_transition_fails_the_hook(repo, env, shim):
    git(repo, "add", CHANGED, env=env)
    completed = run_hook(repo, env)
    assert completed.returncode == 1, completed.stderr
    assert f"{CHANGED}:{CHANGED_LINE}:" in completed.stdout
    assert "AZP402" in completed.stdout
    assert shim.read_text(encoding="utf-8").splitlines() == [
        f"check --force-exclude -- {CHANGED}",
        f"check --force-exclude --against HEAD --select AZP4 -- {CHANGED}",
    ]


def test_nothing_staged_runs_nothing(repo, env, shim):
    completed = run_hook(repo, env)  # the change is in the working tree only
    assert completed.returncode == 0, completed.stderr
    assert not shim.exists()


def test_only_staged_templates_are_passed_whatever_their_names(repo, env, shim):
    git(repo, "checkout", "--", CHANGED, env=env)
    spaced = repo / "arm" / "web tier" / "vm.json"
    spaced.parent.mkdir()
    shutil.copy(repo / CHANGED, spaced)
    (repo / "NOTES.md").write_text("not a template\n", encoding="utf-8")
    git(repo, "rm", "-q", "arm/legacy/app.parameters.json", env=env)  # deleted: not passed
    git(repo, "add", "-A", env=env)
    completed = run_hook(repo, env)
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert shim.read_text(encoding="utf-8").splitlines() == [
        "check --force-exclude -- arm/web tier/vm.json",
        "check --force-exclude --against HEAD --select AZP4 -- arm/web tier/vm.json",
    ]


def test_installed_as_a_git_hook_it_blocks_the_commit_and_lets_a_clean_one_through(repo, env, shim):
    installed = repo / ".git" / "hooks" / "pre-commit"
    shutil.copy(HOOK, installed)  # copy keeps the mode bits
    head = git(repo, "rev-parse", "HEAD", env=env)
    git(repo, "add", CHANGED, env=env)
    blocked = subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-m", "x"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert blocked.returncode != 0 and "AZP402" in blocked.stdout + blocked.stderr
    assert git(repo, "rev-parse", "HEAD", env=env) == head
    change_patch_mode(repo / CHANGED, "AutomaticByOS", "Manual")
    path = repo / CHANGED
    path.write_text(path.read_text(encoding="utf-8").replace("web-01", "web-02"), encoding="utf-8")
    git(repo, "add", CHANGED, env=env)
    git(repo, "commit", "-q", "-m", "rename the computer", env=env)
    assert git(repo, "rev-parse", "HEAD", env=env) != head


def test_the_hook_filters_the_files_the_framework_hooks_take():
    hooks = framework_hooks()
    script = HOOK.read_text(encoding="utf-8")
    [case] = [line for line in script.splitlines() if "*.json |" in line]
    patterns = [part.strip() for part in case.split(")")[0].split("|")]
    names = ["a.json", "a.jsonc", "a.bicep", "a.bicepparam", "a.tf", "a.tfvars", "a.md", "a.yaml"]
    names += ["a.tf.bak", "json", "x.json.orig", "dir.tf/README"]
    for hook in hooks.values():
        for name in names:
            in_script = any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns)
            assert in_script == bool(re.search(hook["files"], name)), (hook["id"], name)


def test_the_hook_runs_what_the_framework_hooks_run():
    hooks = framework_hooks()
    script = HOOK.read_text(encoding="utf-8")
    for hook_id in ("armlint", "armlint-transitions"):
        assert f'run {hooks[hook_id]["entry"]} -- "${{files[@]}}"' in script


def test_the_readme_example_config_names_real_hooks():
    readme = (CI_DOCS / "README.md").read_text(encoding="utf-8")
    [block] = re.findall(r"```yaml\n(repos:.*?)```", readme, re.DOTALL)
    config = yaml.safe_load(block)
    [entry] = config["repos"]
    assert entry["repo"] and entry["rev"]
    assert {hook["id"] for hook in entry["hooks"]} == set(framework_hooks())
