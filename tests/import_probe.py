"""What a command imports: run the command line in a fresh interpreter and list ``sys.modules``
afterwards (the start-up guards of issue 16 for JSON and Terraform checks)."""

from __future__ import annotations

import json
import subprocess
import sys


def modules_after(arguments: list[str]) -> tuple[list[str], dict]:
    """(the modules imported, the JSON report or {}) of ``armlint ARGUMENTS``."""
    code = (
        "import sys, json, io, contextlib\n"
        "from armlint.cli import main\n"
        "out = io.StringIO()\n"
        "with contextlib.redirect_stdout(out):\n"
        "    try:\n"
        f"        main({arguments!r})\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps([sorted(sys.modules), out.getvalue()]), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    modules, output = json.loads(completed.stderr.strip().splitlines()[-1])
    return modules, json.loads(output) if output.startswith("{") else {}


def matching(loaded: list[str], names: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of ``names`` or inside one of those packages."""
    return [m for m in loaded if any(m == n or m.startswith(n + ".") for n in names)]
