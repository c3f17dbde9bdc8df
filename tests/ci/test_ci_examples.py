"""The docs/ci examples, run: their armlint command lines on a fixture repository.

Each test takes the command lines from the example as written, puts in what the CI system
would (a shard number, the base branch), runs them, and checks what the next steps of the
example consume: SARIF valid against the official schema, JUnit with test cases, annotation
lines GitHub and Azure Pipelines understand, a merged SARIF equal to an unsharded run.
"""

from __future__ import annotations

import fnmatch
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from ci_helpers import (
    CHANGED,
    CHANGED_LINE,
    CI_DOCS,
    command_lines,
    concrete,
    load_example,
    read_sarif,
    run_in_process,
    run_line,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

EXAMPLES = (
    "azure-pipelines-parallel.yml",
    "azure-pipelines.yml",
    "github-action.yml",  # uses the composite action: tests/everyday/test_everyday.py
    "github-actions-sharded.yml",
    "github-actions.yml",
    "gitlab-ci.yml",
)
SHARDS = (1, 2, 3, 4)
# azure-devops: issues as logging commands; info findings and notes as plain lines.
AZURE_LINE = re.compile(
    r"##vso\[task\.logissue type=(error|warning);|[^#].*: AZP\d{3} \[info\] |note: "
)
GITHUB_LINE = re.compile(r"::(error|warning|notice) ")


def test_every_example_is_tested():
    assert tuple(sorted(path.name for path in CI_DOCS.glob("*.yml"))) == EXAMPLES


@pytest.mark.parametrize("name", [name for name in EXAMPLES if name != "github-action.yml"])
def test_every_example_runs_armlint(name):
    assert command_lines(name), f"no armlint command line in {name}"


def ran(completed: subprocess.CompletedProcess, *codes: int) -> subprocess.CompletedProcess:
    assert completed.returncode in codes, (completed.returncode, completed.stderr)
    return completed


def results(sarif: dict) -> list[dict]:
    return sarif["runs"][0]["results"]


def rule_ids(sarif: dict) -> set[str]:
    return {result["ruleId"] for result in results(sarif)}


def junit_cases(path: Path) -> list[ET.Element]:
    return list(ET.parse(path).getroot().iter("testcase"))


def unsharded(repo: Path, env: dict[str, str], fmt: str, name: str) -> Path:
    """What one run over everything writes, to compare the shards with."""
    arguments = ["check", "--no-cache", "--output", f"{fmt}:{name}"]
    ran(run_in_process("armlint.cli", arguments, repo, env, None, None), 0, 1)
    return repo / name


def steps_using(document: object, action: str) -> list[dict]:
    """The steps of a workflow or pipeline that use ``action`` (a GitHub action or Azure task)."""
    found = []
    if isinstance(document, dict):
        if str(document.get("uses", "")).startswith(action) or document.get("task") == action:
            found.append(document)
        for value in document.values():
            found += steps_using(value, action)
    elif isinstance(document, list):
        for item in document:
            found += steps_using(item, action)
    return found


def assert_same_run(merged: dict, whole: dict) -> None:
    merged_run, whole_run = merged["runs"][0], whole["runs"][0]
    assert merged_run["results"] == whole_run["results"]
    assert merged_run["tool"] == whole_run["tool"]
    assert merged_run["invocations"] == whole_run["invocations"]


# -- GitHub Actions --------------------------------------------------------------------------


def test_github_actions_pull_request_and_push(repo, env):
    pull_request, push = command_lines("github-actions.yml")
    assert "--against" in pull_request and "--against" not in push
    for line, on_pull_request in ((pull_request, True), (push, False)):
        completed = ran(run_line(concrete(line), repo, env), 1)  # the fixture has errors
        annotations = completed.stdout.splitlines()
        assert annotations and all(GITHUB_LINE.match(text) for text in annotations)
        transition = f"::error file={CHANGED},line={CHANGED_LINE},"
        assert (
            any(text.startswith(transition) and "title=AZP402 " in text for text in annotations)
            == on_pull_request
        )
        assert ("AZP402" in rule_ids(read_sarif(repo / "armlint.sarif"))) == on_pull_request


def test_github_actions_uploads_the_file_armlint_writes():
    workflow = load_example("github-actions.yml")
    [upload] = steps_using(workflow, "github/codeql-action/upload-sarif@")
    assert upload["with"] == {"sarif_file": "armlint.sarif", "category": "armlint"}
    assert all(
        "--output sarif:armlint.sarif" in line for line in command_lines("github-actions.yml")
    )
    [checkout] = steps_using(workflow, "actions/checkout@")
    assert checkout["with"]["fetch-depth"] == 0


def test_github_shards_merge_into_the_unsharded_result(repo, env):
    shard_line, merge_line = command_lines("github-actions-sharded.yml")
    shard_logs = []
    for shard in SHARDS:
        ran(run_line(concrete(shard_line, shard=shard), repo, env), 0, 1)
        shard_logs.append(read_sarif(repo / f"armlint-{shard}.sarif"))
    assert sum(1 for log in shard_logs if results(log)) >= 2, (
        "the fixture should spread over shards"
    )
    ran(run_line(concrete(merge_line), repo, env), 0)
    merged = read_sarif(repo / "armlint.sarif")
    assert_same_run(merged, read_sarif(unsharded(repo, env, "sarif", "whole.sarif")))
    assert "AZP101" in rule_ids(merged)


def test_github_shard_artifacts_reach_the_merge():
    workflow = load_example("github-actions-sharded.yml")
    [shard_line, merge_line] = command_lines("github-actions-sharded.yml")
    [upload] = steps_using(workflow, "actions/upload-artifact@")
    [download] = steps_using(workflow, "actions/download-artifact@")
    assert f"--output sarif:{upload['with']['path']}" in shard_line
    for shard in SHARDS:
        assert fnmatch.fnmatch(
            concrete(upload["with"]["name"], shard=shard), download["with"]["pattern"]
        )
        assert fnmatch.fnmatch(concrete(upload["with"]["path"], shard=shard), "armlint-*.sarif")
    assert download["with"]["merge-multiple"] is True
    assert f"--expect {len(SHARDS)} " in merge_line
    assert workflow["jobs"]["lint"]["strategy"]["matrix"]["shard"] == list(SHARDS)


def test_a_missing_shard_log_fails_the_merge(repo, env):
    shard_line, merge_line = command_lines("github-actions-sharded.yml")
    for shard in SHARDS[:-1]:
        ran(run_line(concrete(shard_line, shard=shard), repo, env), 0, 1)
    completed = ran(run_line(concrete(merge_line), repo, env), 2)
    assert (
        completed.stderr.count("\n") == 1 and "expected 4 SARIF logs, found 3" in completed.stderr
    )


# -- Azure Pipelines -------------------------------------------------------------------------


def test_azure_pipelines_pull_request_and_branch(repo, env):
    pull_request, branch = command_lines("azure-pipelines.yml")
    assert "--against" in pull_request and "--against" not in branch
    for line, on_pull_request in ((pull_request, True), (branch, False)):
        completed = ran(run_line(concrete(line), repo, env), 1)
        lines = completed.stdout.splitlines()
        assert lines and all(AZURE_LINE.match(text) for text in lines), lines
        transition = f"sourcepath={CHANGED};linenumber={CHANGED_LINE};"
        assert (
            any(transition in text and "code=AZP402]" in text for text in lines) == on_pull_request
        )
        names = [case.get("name") for case in junit_cases(repo / "armlint-junit.xml")]
        assert names and any(name.startswith("AZP402 ") for name in names) == on_pull_request
        read_sarif(repo / "armlint.sarif")


def test_azure_pipelines_publishes_the_files_armlint_writes():
    pipeline = load_example("azure-pipelines.yml")
    [tests] = steps_using(pipeline, "PublishTestResults@2")
    assert tests["inputs"]["testResultsFormat"] == "JUnit"
    assert tests["inputs"]["testResultsFiles"] == "armlint-junit.xml"
    [sarif] = steps_using(pipeline, "PublishBuildArtifacts@1")
    assert sarif["inputs"] == {"PathtoPublish": "armlint.sarif", "ArtifactName": "CodeAnalysisLogs"}
    for line in command_lines("azure-pipelines.yml"):
        assert "--output junit:armlint-junit.xml" in line and "--output sarif:armlint.sarif" in line


def test_azure_parallel_jobs_merge_into_the_unsharded_result(repo, env, tmp_path):
    pipeline = load_example("azure-pipelines-parallel.yml")
    shard_line, merge_line = command_lines("azure-pipelines-parallel.yml")
    [publish] = steps_using(pipeline, "PublishPipelineArtifact@1")
    [download] = steps_using(pipeline, "DownloadPipelineArtifact@2")
    workspace = tmp_path / "pipeline-workspace"
    downloads = Path(
        concrete(download["inputs"]["targetPath"], **{"$(Pipeline.Workspace)": str(workspace)})
    )
    cases = 0
    for shard in SHARDS:
        ran(run_line(concrete(shard_line, shard=shard), repo, env), 0, 1)
        cases += len(junit_cases(repo / "armlint-junit.xml"))  # each agent has its own file
        # What the artifact round trip does: each artifact in a folder named after it.
        log = repo / concrete(publish["inputs"]["targetPath"], shard=shard)
        artifact = downloads / concrete(publish["inputs"]["artifact"], shard=shard)
        read_sarif(log)
        artifact.mkdir(parents=True)
        shutil.copy(log, artifact / log.name)
        assert fnmatch.fnmatch(f"{artifact.name}/{log.name}", download["inputs"]["itemPattern"])
    merge = concrete(merge_line, **{"$(Pipeline.Workspace)": str(workspace)})
    ran(run_line(merge, repo, env), 0)
    assert_same_run(
        read_sarif(repo / "armlint.sarif"), read_sarif(unsharded(repo, env, "sarif", "whole.sarif"))
    )
    assert cases == len(junit_cases(unsharded(repo, env, "junit", "whole.xml")))
    assert pipeline["jobs"][0]["strategy"]["parallel"] == len(SHARDS)
    assert f"--expect {len(SHARDS)} " in merge_line
    [sarif] = steps_using(pipeline, "PublishBuildArtifacts@1")
    assert sarif["inputs"] == {"PathtoPublish": "armlint.sarif", "ArtifactName": "CodeAnalysisLogs"}


# -- GitLab CI -------------------------------------------------------------------------------


def test_gitlab_code_quality_and_junit(repo, env):
    job = load_example("gitlab-ci.yml")["armlint"]
    lint, convert = command_lines("gitlab-ci.yml")
    ran(run_line(concrete(lint), repo, env), 1)
    ran(run_line(concrete(convert), repo, env), 0)
    issues = json.loads((repo / "gl-code-quality.json").read_text(encoding="utf-8"))
    assert issues and all(
        set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        and issue["severity"] in {"info", "minor", "major"}
        for issue in issues
    )
    assert len({issue["fingerprint"] for issue in issues}) == len(issues)
    transition = {"path": CHANGED, "lines": {"begin": CHANGED_LINE}}
    assert any(
        issue["check_name"] == "AZP402" and issue["location"] == transition for issue in issues
    )
    assert junit_cases(repo / "armlint-junit.xml")
    assert job["artifacts"]["reports"] == {
        "codequality": "gl-code-quality.json",
        "junit": "armlint-junit.xml",
    }
    assert job["artifacts"]["when"] == "always"
