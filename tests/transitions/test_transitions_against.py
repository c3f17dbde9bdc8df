"""run_against on a real temporary git repository: commit, change the working tree, compare."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from transition_helpers import FIXTURES, WINDOWS_JSON_LINES, render

from armlint.compare.git import GitError, run_against
from armlint.run.pipeline import RunOptions

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def git(repo: Path, *arguments: str) -> str:
    completed = subprocess.run(
        [
            "git",
            "-c",
            "user.name=armlint tests",
            "-c",
            "user.email=tests@example.invalid",
            "-c",
            "commit.gpgsign=false",
            *arguments,
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    render(
        "windows_vm.json.tmpl",
        root / "infra" / "vm.json",
        patch_mode="Manual",
        automatic_updates=False,
    )
    (root / "README.md").write_text("not a template\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "first")
    return root


def _options(**extra) -> RunOptions:
    return RunOptions(show_unknown=True, **extra)


def test_working_tree_against_head(repo):
    render(
        "windows_vm.json.tmpl",
        repo / "infra" / "vm.json",
        patch_mode="AutomaticByOS",
        automatic_updates=False,
    )
    result = run_against("HEAD", [str(repo / "infra" / "vm.json")], _options(), repo=repo)
    [finding] = result.findings
    assert finding.rule == "AZP402"
    assert (finding.location.path, finding.location.line) == (
        str(repo / "infra" / "vm.json"),
        WINDOWS_JSON_LINES["patch_mode"],
    )
    assert finding.message == (
        "patchMode changes from 'Manual' to 'AutomaticByOS' (was 'Manual' at HEAD:infra/vm.json:17);"
        " Azure does not support switching between AutomaticByOS and Manual"
    )
    assert [f.path for f in result.files] == [str(repo / "infra" / "vm.json")]
    assert [r.name for r in result.records] == ["vm1"]


def test_a_folder_against_a_branch_name(repo):
    git(repo, "branch", "base")
    render(
        "windows_vm.json.tmpl",
        repo / "infra" / "vm.json",
        patch_mode="AutomaticByPlatform",
        automatic_updates=True,
    )
    result = run_against("base", [str(repo / "infra")], _options(), repo=repo)
    # Manual (eAU false) -> AutomaticByPlatform with eAU true: the flag changed (AZP401), and
    # the switch needs the flag the VM was created with, false: allowed.
    assert [(f.rule, f.location.line) for f in result.findings] == [("AZP401", 14)]
    assert "(was false at base:infra/vm.json:14)" in result.findings[0].message


def test_unchanged_file_has_no_findings(repo):
    result = run_against("HEAD", [str(repo / "infra")], _options(), repo=repo)
    assert result.findings == []
    assert result.unknown_count == 0


def test_a_file_new_since_the_ref_has_no_before(repo):
    render(
        "windows_vm.json.tmpl",
        repo / "infra" / "new.json",
        patch_mode="AutomaticByOS",
        automatic_updates=False,
    )
    result = run_against("HEAD", [str(repo / "infra")], _options(), repo=repo)
    assert result.findings == []
    assert sorted(Path(f.path).name for f in result.files) == ["new.json", "vm.json"]


def test_a_renamed_file_is_compared_with_its_old_name(repo):
    git(repo, "mv", "infra/vm.json", "infra/renamed.json")
    path = repo / "infra" / "renamed.json"
    text = path.read_text(encoding="utf-8").replace('"Manual"', '"AutomaticByOS"')
    path.write_text(text, encoding="utf-8")
    git(repo, "add", "-A")  # a rename git sees is staged (git mv + add), as in a pre-commit run
    result = run_against("HEAD", [str(path)], _options(), repo=repo)
    [finding] = result.findings
    assert finding.rule == "AZP402"
    assert finding.location.path == str(path)
    assert "(was 'Manual' at HEAD:infra/vm.json:17)" in finding.message


def test_parameter_files_are_taken_at_the_ref_too(repo):
    template = FIXTURES / "params" / "before" / "vm.json"
    shutil.copy(template, repo / "infra" / "app.json")
    parameters = repo / "infra" / "app.parameters.json"
    shutil.copy(FIXTURES / "params" / "before" / "vm.parameters.json", parameters)  # Manual
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "app")
    # Only the parameter file changes: Manual -> AutomaticByOS.
    shutil.copy(FIXTURES / "params" / "after" / "vm.parameters.prod.json", parameters)
    result = run_against(
        "HEAD",
        [str(repo / "infra" / "app.json")],
        _options(parameters=[str(parameters)]),
        repo=repo,
    )
    [finding] = result.findings
    assert (finding.rule, finding.location.line) == ("AZP402", 20)
    assert finding.location.path == str(repo / "infra" / "app.json")
    assert "(was 'Manual' at HEAD:infra/app.json:20)" in finding.message


def test_sibling_parameter_files_in_a_folder_are_evaluated_alike(repo):
    shutil.copy(FIXTURES / "params" / "before" / "vm.json", repo / "infra" / "app.json")
    parameters = repo / "infra" / "app.parameters.json"
    shutil.copy(FIXTURES / "params" / "before" / "vm.parameters.json", parameters)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "app")
    parameters.unlink()  # the parameter file is gone from the working tree
    result = run_against("HEAD", [str(repo / "infra")], _options(), repo=repo)
    # Without it the after value is unknown; the before still had Manual from the old file.
    [finding] = [
        f for f in result.findings if f.resource.endswith("vm1") and "app.json" in f.location.path
    ]
    assert finding.rule == "AZP002"
    assert finding.message.startswith("patchMode is unknown in the new version")


def test_a_missing_ref_is_a_git_error(repo):
    with pytest.raises(GitError):
        run_against("no-such-ref", [str(repo / "infra" / "vm.json")], _options(), repo=repo)


def test_the_repository_is_found_from_the_paths(repo, monkeypatch):
    render(
        "windows_vm.json.tmpl",
        repo / "infra" / "vm.json",
        patch_mode="AutomaticByOS",
        automatic_updates=False,
    )
    monkeypatch.chdir(repo / "infra")
    result = run_against("HEAD", ["vm.json"], _options())
    [finding] = result.findings
    assert finding.location.path == "vm.json"
    assert "(was 'Manual' at HEAD:infra/vm.json:17)" in finding.message


def test_head_in_a_repository_without_commits_means_every_vm_is_new(tmp_path):
    root = tmp_path / "fresh"
    root.mkdir()
    git(root, "init", "-q")
    render("windows_vm.json.tmpl", root / "vm.json", patch_mode="Manual", automatic_updates=True)
    result = run_against("HEAD", [str(root / "vm.json")], _options(), repo=root)
    assert result.findings == []
    assert [r.name for r in result.records] == ["vm1"]
    assert any("no commits yet" in note for note in result.notes)


def test_bicep_file_against_head(repo):
    target = repo / "infra" / "main.bicep"
    shutil.copy(FIXTURES / "bicep" / "before" / "main.bicep", target)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "bicep")
    shutil.copy(FIXTURES / "bicep" / "after" / "main.bicep", target)
    result = run_against("HEAD", [str(target)], _options(), repo=repo)
    [finding] = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == (
        "AZP403",
        str(target),
        12,
    )
    assert "(was 'AutomaticByPlatform' at HEAD:infra/main.bicep:12)" in finding.message
    assert "this VM has true (at HEAD:infra/main.bicep:10)" in finding.message


def test_terraform_module_against_head(repo):
    module = repo / "infra" / "tf"
    shutil.copytree(FIXTURES / "terraform" / "before", module)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "terraform")
    shutil.copy(FIXTURES / "terraform" / "after" / "main.tf", module / "main.tf")
    shutil.copy(FIXTURES / "terraform" / "after" / "terraform.tfvars", module / "terraform.tfvars")
    # A folder is a module: its terraform.tfvars (new in the working tree) sets AutomaticByOS.
    result = run_against("HEAD", [str(module)], _options(), repo=repo)
    [finding] = result.findings
    assert (finding.rule, finding.location.path, finding.location.line) == (
        "AZP402",
        str(module / "main.tf"),
        17,
    )
    assert "(was 'Manual' at HEAD:infra/tf/main.tf:17)" in finding.message
