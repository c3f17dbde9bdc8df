"""Helpers for the everyday-use tests: templates, the command line, git."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from in_process import run_main

ROOT = Path(__file__).resolve().parents[2]

# patchMode Manual with enableAutomaticUpdates left to its default (true): AZP102 at 13:35.
BAD_ARM = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [
    {
      "type": "Microsoft.Compute/virtualMachines",
      "apiVersion": "2024-03-01",
      "name": "vm1",
      "location": "westeurope",
      "properties": {
        "osProfile": {
          "computerName": "vm1",
          "windowsConfiguration": {
            "patchSettings": {"patchMode": "Manual", "assessmentMode": "ImageDefault"}
          }
        }
      }
    }
  ]
}
"""
GOOD_ARM = BAD_ARM.replace('"Manual"', '"AutomaticByOS"')
BAD_LINE = "13:35: AZP102"


def environment(tmp_path: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    env.update(
        ARMLINT_CACHE_DIR=str(tmp_path / "cache"),
        PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH", "")])),
        CI="true",
    )
    env.pop("NO_COLOR", None)
    env.pop("FORCE_COLOR", None)
    return env


def armlint(
    *args: str, cwd: Path, env: dict[str, str], stdin: str | None = None, process: bool = False
) -> subprocess.CompletedProcess:
    """``armlint ARGS`` in ``cwd`` with exactly the variables ``env``.

    In this process through ``armlint.cli.main`` by default (a process per call cost most of
    this folder's time, and what these tests check is decided there); ``process=True`` runs
    ``python -m armlint`` where the separate process is the point.
    """
    if process:
        return subprocess.run(
            [sys.executable, "-m", "armlint", *args],
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
    return _in_this_process(list(args), cwd, env, stdin)


def _in_this_process(
    arguments: list[str], cwd: Path, env: dict[str, str], stdin: str | None
) -> subprocess.CompletedProcess:
    """stdin is a real file: armlint reads ``sys.stdin.buffer``."""
    from armlint import cli

    with tempfile.TemporaryFile("w+", encoding="utf-8") as source:
        source.write(stdin or "")
        source.seek(0)
        return run_main(cli.main, arguments, cwd, env, source)


def git(repo: Path, *args: str, env: dict[str, str]) -> str:
    identity = ["-c", "user.name=armlint tests", "-c", "user.email=tests@example.invalid"]
    completed = subprocess.run(
        ["git", *identity, *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()
