"""Helpers for the everyday-use tests: templates, the command line, git."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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


def armlint(*args: str, cwd: Path, env: dict[str, str], stdin: str | None = None):
    return subprocess.run(
        [sys.executable, "-m", "armlint", *args],
        cwd=cwd,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def git(repo: Path, *args: str, env: dict[str, str]) -> str:
    identity = ["-c", "user.name=armlint tests", "-c", "user.email=tests@example.invalid"]
    completed = subprocess.run(
        ["git", *identity, *args], cwd=repo, env=env, capture_output=True, text=True, check=True
    )
    return completed.stdout.strip()
