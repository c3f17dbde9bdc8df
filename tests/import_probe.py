"""What a command imports: run the command line in a fresh interpreter and list ``sys.modules``
afterwards (the start-up guards of issue 16 for JSON and Terraform checks)."""

from __future__ import annotations

import json
import site
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def modules_after(arguments: list[str]) -> tuple[list[str], dict]:
    """(the modules imported, the JSON report or {}) of ``armlint ARGUMENTS``.

    The interpreter starts as an installed armlint's does: without ``site`` (``-S``), so the
    editable install's import hook (a ``.pth`` file, which imports pathlib, importlib.util and
    contextlib in every process) loads nothing, and with the checkout and this environment's
    site-packages on the path. What ``sys.modules`` then holds is what armlint imported."""
    code = (
        "import sys\n"
        f"sys.path[:0] = [{str(ROOT)!r}]\n"
        f"sys.path += {site.getsitepackages()!r}\n"
        "import io, json\n"
        "from armlint.cli import main\n"
        "sys.stdout = out = io.StringIO()\n"
        "try:\n"
        f"    main({arguments!r})\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stdout = sys.__stdout__\n"
        "print(json.dumps([sorted(sys.modules), out.getvalue()]), file=sys.stderr)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-S", "-c", code], capture_output=True, text=True, check=False
    )
    modules, output = json.loads(completed.stderr.strip().splitlines()[-1])
    return modules, json.loads(output) if output.startswith("{") else {}


def matching(loaded: list[str], names: tuple[str, ...]) -> list[str]:
    """The loaded modules that are one of ``names`` or inside one of those packages."""
    return [m for m in loaded if any(m == n or m.startswith(n + ".") for n in names)]
