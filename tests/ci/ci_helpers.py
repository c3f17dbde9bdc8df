"""Run the armlint command lines of the docs/ci examples the way the CI systems would.

The examples are read with yaml.safe_load; every line of a ``run:``/``script:`` step that starts
with ``armlint `` or ``python -m armlint`` is taken as it is written, its CI variables replaced
by concrete values, and run through armlint's ``main(argv)`` in the test process (see
``run_line``). So a test fails when an example's command stops working, not only when armlint
does.
"""

from __future__ import annotations

import contextlib
import glob
import importlib
import io
import json
import os
import re
import shlex
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import jsonschema
import yaml
from in_process import run_main

ROOT = Path(__file__).resolve().parents[2]
CI_DOCS = ROOT / "docs" / "ci"
FIXTURES = ROOT / "tests" / "fixtures" / "ci"
SARIF_SCHEMA = ROOT / "schemas" / "sarif-2.1.0.json"
# The template the fixture's pull request changes (Manual -> AutomaticByOS), and the line of
# its patchMode value, where AZP402 is reported.
CHANGED = "arm/web/vm.json"
CHANGED_LINE = 17

# Keys whose values are shell text in GitHub Actions, Azure Pipelines and GitLab CI.
SCRIPT_KEYS = {"run", "script", "bash", "before_script", "after_script"}
# What each CI system puts in for a pull request of the fixture repository (a clone whose
# origin/HEAD is the committed state, so 'origin/<base>' and '<base>' both resolve).
CI_VALUES = {
    "${{ github.base_ref }}": "HEAD",
    "$(System.PullRequest.TargetBranchName)": "HEAD",
    "$CI_MERGE_REQUEST_DIFF_BASE_SHA": "HEAD",
    "$(System.TotalJobsInPhase)": "4",
}
SHARD_VARIABLES = ("${{ matrix.shard }}", "$(System.JobPositionInPhase)")
LEFT_OVER = re.compile(r"\$\{\{|\$\(|\$[A-Za-z_{]")
GIT_IDENTITY = ["-c", "user.name=armlint tests", "-c", "user.email=tests@example.invalid"]


def load_example(name: str) -> object:
    return yaml.safe_load((CI_DOCS / name).read_text(encoding="utf-8"))


def script_texts(node: object) -> Iterator[str]:
    """Every shell text of a workflow or pipeline, in document order."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in SCRIPT_KEYS:
                yield from [value] if isinstance(value, str) else value
            else:
                yield from script_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from script_texts(item)


def command_lines(name: str) -> list[str]:
    """The armlint command lines of one example, continuation lines joined."""
    lines = []
    for text in script_texts(load_example(name)):
        for line in text.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith(("armlint ", "python -m armlint")):
                lines.append(line)
    return lines


def concrete(line: str, shard: int | None = None, **values: str) -> str:
    """The line with every CI variable replaced; a variable the test does not know fails it."""
    replacements = dict(CI_VALUES)
    if shard is not None:
        replacements.update(dict.fromkeys(SHARD_VARIABLES, str(shard)))
    replacements.update(values)
    for variable, value in replacements.items():
        line = line.replace(variable, value)
    assert not LEFT_OVER.search(line), f"a CI variable the test does not know: {line}"
    return line


def run_line(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a command line as a POSIX shell would: words, '*' globs, '<' and '>' redirection.

    The program (armlint, or a ``python -m armlint...`` module) runs in this process, with the
    line's arguments, working folder, environment and redirections: those are what an example
    can get wrong, and a process per line would cost most of the suite's time. armlint's own
    git calls (``--against``) still run git.
    """
    words = shlex.split(line)
    assert not {"|", "&&", "||", ";"} & set(words), f"more than one command: {line}"
    arguments, stdin, stdout = [], None, None
    position = 0
    while position < len(words):
        word = words[position]
        if word in ("<", ">"):
            target = cwd / words[position + 1]
            stdin, stdout = (target, stdout) if word == "<" else (stdin, target)
            position += 2
            continue
        arguments.extend(expanded(word, cwd))
        position += 1
    module, argv = entry_point(arguments)
    return run_in_process(module, argv, cwd, env, stdin, stdout)


def expanded(word: str, cwd: Path) -> list[str]:
    if not any(character in word for character in "*?["):
        return [word]
    return sorted(glob.glob(word, root_dir=cwd)) or [word]  # bash keeps an unmatched pattern


def entry_point(arguments: list[str]) -> tuple[str, list[str]]:
    """The module whose ``main(argv)`` the line runs, and argv."""
    if arguments[0] == "armlint":
        return "armlint.cli", arguments[1:]
    assert arguments[:2] == ["python", "-m"], arguments
    module = "armlint.cli" if arguments[2] == "armlint" else arguments[2]
    assert module.startswith("armlint"), arguments
    return module, arguments[3:]


def run_in_process(
    module: str,
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    stdin: Path | None,
    stdout: Path | None,
) -> subprocess.CompletedProcess:
    main = importlib.import_module(module).main
    with contextlib.ExitStack() as stack:
        source = stack.enter_context(open(stdin, encoding="utf-8")) if stdin else io.StringIO()
        sink = stack.enter_context(open(stdout, "w", encoding="utf-8")) if stdout else None
        return run_main(main, argv, cwd, env, source, sink)


def git(repo: Path, *arguments: str, env: dict[str, str] | None = None) -> str:
    completed = subprocess.run(
        ["git", *GIT_IDENTITY, "-c", "commit.gpgsign=false", *arguments],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout


def change_patch_mode(path: Path, before: str, after: str) -> None:
    text = path.read_text(encoding="utf-8")
    old, new = f'"patchMode": "{before}"', f'"patchMode": "{after}"'
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def clean_environment(cache: Path) -> dict[str, str]:
    """The test process's environment for armlint runs, without anything that would leak in.

    GIT_* variables go: when the tests run from a git hook, GIT_DIR and GIT_INDEX_FILE point
    at the project's repository instead of the fixture's.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        ARMLINT_CACHE_DIR=str(cache),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        CI="true",  # no progress line
        NO_COLOR="1",
    )
    return env


@cache
def sarif_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator.check_schema(schema)  # the draft the schema declares
    return jsonschema.Draft4Validator(schema)


def read_sarif(path: Path) -> dict:
    document = json.loads(path.read_text(encoding="utf-8"))
    sarif_validator().validate(document)
    return document
