"""run_against on a real temporary git repository: commit, change the working tree, compare."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from transition_helpers import FIXTURES, WINDOWS_JSON_LINES, render

from armlint.compare.git import GitError, run_against
from armlint.run.pipeline import RunOptions
from tests.cache_packs import rewrite_entries

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


# -- the comparison cache (issue 16) -------------------------------------------------------


@pytest.fixture
def counted(monkeypatch, tmp_path):
    """A private cache, and counters of what a comparison does: evaluations of the before
    (mirror) and after sides, and git processes by subcommand."""
    from armlint.compare import git as against

    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    calls: dict[str, int] = {}

    def counting(name, function):
        def wrapper(*arguments, **keywords):
            calls[name] = calls.get(name, 0) + 1
            return function(*arguments, **keywords)

        return wrapper

    monkeypatch.setattr(against, "load_records", counting("before", against.load_records))
    monkeypatch.setattr(against, "load_side", counting("after", against.load_side))
    real_run = subprocess.run

    def counted_run(command, *arguments, **keywords):
        if command[0] == "git":
            subcommand = next(part for part in command[1:] if not part.startswith("-"))
            calls[subcommand] = calls.get(subcommand, 0) + 1
        return real_run(command, *arguments, **keywords)

    monkeypatch.setattr(against.subprocess, "run", counted_run)
    return calls


def _changed(repo: Path) -> Path:
    (repo / "infra" / "vm.parameters.json").write_text(
        '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/'
        'deploymentParameters.json#", "contentVersion": "1.0.0.0", "parameters": {}}\n',
        encoding="utf-8",
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "parameters")
    render(
        "windows_vm.json.tmpl",
        repo / "infra" / "vm.json",
        patch_mode="AutomaticByOS",
        automatic_updates=False,
    )
    return repo / "infra"


def _seen(result) -> list[tuple]:
    return [(f.rule, f.location.path, f.location.line, f.text) for f in result.findings]


def test_the_base_is_read_by_one_ls_tree_and_one_cat_file(repo, counted):
    folder = _changed(repo)
    result = run_against("HEAD", [str(folder)], _options(cache=True), repo=repo)
    assert [f.rule for f in result.findings] == ["AZP402"]
    # Two files at HEAD (the template and its parameter file), one process each for all.
    assert (counted.get("ls-tree"), counted.get("cat-file"), counted.get("show")) == (1, 1, None)


def test_a_second_comparison_evaluates_neither_side(repo, counted):
    folder = _changed(repo)
    first = run_against("HEAD", [str(folder)], _options(cache=True), repo=repo)
    assert (counted["before"], counted["after"]) == (1, 1)
    counted.clear()
    second = run_against("HEAD", [str(folder)], _options(cache=True), repo=repo)
    assert _seen(second) == _seen(first) and [f.rule for f in second.findings] == ["AZP402"]
    assert "before" not in counted and "after" not in counted, counted
    assert "cat-file" not in counted and sum(counted.values()) <= 4, counted


def test_a_changed_base_tree_is_compared_again(repo, counted):
    """The working tree stays; the branch it is compared with moves to a commit that holds
    the same template: the cached AZP402 must not survive."""
    folder = _changed(repo)
    git(repo, "branch", "base")
    assert [f.rule for f in run_against("base", [str(folder)], _options(cache=True)).findings] == [
        "AZP402"
    ]
    git(repo, "commit", "-q", "-am", "AutomaticByOS")
    git(repo, "branch", "-f", "base", "HEAD")
    counted.clear()
    assert run_against("base", [str(folder)], _options(cache=True), repo=repo).findings == []
    assert (counted["before"], counted["after"]) == (1, 1)


def test_a_changed_working_tree_is_compared_again(repo, counted):
    folder = _changed(repo)
    run_against("HEAD", [str(folder)], _options(cache=True), repo=repo)
    render("windows_vm.json.tmpl", folder / "vm.json", patch_mode="Manual", automatic_updates=False)
    assert run_against("HEAD", [str(folder)], _options(cache=True), repo=repo).findings == []


def test_a_corrupt_comparison_entry_is_ignored_and_named(repo, counted, tmp_path):
    folder = _changed(repo)
    first = run_against("HEAD", [str(folder)], _options(cache=True), repo=repo)
    assert rewrite_entries(tmp_path / "cache", lambda *_: b'{"format": 4, "files": [') == 1
    counted.clear()
    options = _options(cache=True, note_cache_misses=True)
    again = run_against("HEAD", [str(folder)], options, repo=repo)
    assert _seen(again) == _seen(first)
    assert counted["before"] == 1
    assert "cache: ignored the cached comparison with HEAD: not valid JSON; compared afresh" in (
        again.notes
    )
