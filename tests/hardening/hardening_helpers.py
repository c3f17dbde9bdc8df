"""Run the real command line on a folder that holds one bad input beside one good template.

Every bad-input test asks the same questions: did armlint finish without a traceback and with
exit code 0 or 1, did the good template still get its known finding, does the summary count
every file, and what did armlint say about the bad one. ``lint_folder`` answers them all.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from armlint import cli

ROOT = Path(__file__).resolve().parents[2]
GOOD_TEMPLATE = ROOT / "tests" / "fixtures" / "hardening" / "good.json"
GOOD_NAME = "good.json"
GOOD_FINDING = ("AZP102", 29, 35)  # rule, line, column of the good template's known finding
SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
# Generous: the point is "finishes" rather than a benchmark; the slow paths found by this suite
# took from 30 seconds to hours.
TIME_LIMIT = 20.0


@dataclass
class Run:
    """What one armlint run printed, parsed."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float  # CPU seconds in this process; wall seconds for a separate process
    report: dict = field(default_factory=dict)

    @property
    def summary(self) -> dict:
        return self.report["summary"]

    def findings(self, name: str) -> list[dict]:
        """The findings in the file called ``name``."""
        return [f for f in self.report["findings"] if Path(f["path"]).name == name]

    def rules(self, name: str) -> list[str]:
        return [finding["rule"] for finding in self.findings(name)]

    def notes(self, fragment: str = "") -> list[str]:
        return [note for note in self.report["notes"] if fragment in note]


def armlint(arguments: list[str], cwd: Path, timeout: float = 120, *, process: bool = False) -> Run:
    """``armlint ARGUMENTS`` in ``cwd``; the JSON report parsed when there is one.

    In this process through ``armlint.cli.main`` by default: what a bad input is about (the
    exit code, the report, no traceback, no "internal error") is decided there, and a process
    per call would cost most of the suite's time. ``process=True`` runs ``python -m armlint``
    where the process itself matters (how its stdout encodes text).
    """
    if process:
        return _in_a_process(arguments, cwd, timeout)
    out, err = io.StringIO(), io.StringIO()
    debug = os.environ.pop("ARMLINT_DEBUG", None)  # a traceback must never be what users see
    here = os.getcwd()
    # CPU time of this process: what the run costs, whatever else loads the machine.
    start = time.process_time()
    try:
        os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = cli.main(list(arguments))
    finally:
        os.chdir(here)
        if debug is not None:
            os.environ["ARMLINT_DEBUG"] = debug
    return _parsed(Run(code, out.getvalue(), err.getvalue(), time.process_time() - start))


def _in_a_process(arguments: list[str], cwd: Path, timeout: float) -> Run:
    environment = dict(os.environ)
    environment.pop("ARMLINT_DEBUG", None)
    start = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "armlint", *arguments],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
        check=False,
    )
    seconds = time.perf_counter() - start
    return _parsed(Run(completed.returncode, completed.stdout, completed.stderr, seconds))


def _parsed(run: Run) -> Run:
    if run.stdout.lstrip().startswith("{"):
        run.report = json.loads(run.stdout)
    return run


def scan_folder(tmp_path: Path, files: dict[str, bytes | str]) -> Path:
    """A folder with the good template and ``files``; the .git marker stops the search for a
    configuration file there, so no stray .armlint.yaml above tmp_path changes the run."""
    folder = tmp_path / "scan"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / GOOD_NAME).write_bytes(GOOD_TEMPLATE.read_bytes())
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        target.write_bytes(data)
    return folder


def check_folder(folder: Path, *extra: str) -> Run:
    return armlint(
        ["check", ".", "--format", "json", "--no-cache", "--show-unknown", *extra], cwd=folder
    )


def lint_folder(tmp_path: Path, files: dict[str, bytes | str], *extra: str) -> Run:
    """Write the files beside the good template, check the folder, assert the common promises."""
    folder = scan_folder(tmp_path, files)
    run = check_folder(folder, *extra)
    assert_handled(run, total_files=len(files) + 1)
    return run


def assert_handled(run: Run, total_files: int) -> None:
    """No traceback, exit 0/1, every file counted, the good template still linted."""
    assert "Traceback" not in run.stderr, run.stderr
    assert "internal error" not in run.stderr, run.stderr
    assert run.returncode in (0, 1), (run.returncode, run.stderr)
    assert run.seconds < TIME_LIMIT, f"took {run.seconds:.1f} s"
    assert run.summary["files"]["total"] == total_files, run.summary
    assert not run.notes("internal error"), run.notes()
    good = [(f["rule"], f["line"], f["column"]) for f in run.findings(GOOD_NAME)]
    assert GOOD_FINDING in good, good
    for finding in run.report["findings"]:
        assert "\n" not in finding["message"], finding
        assert finding["line"] >= 1 and finding["column"] >= 1, finding


def only_finding(run: Run, name: str, rule: str) -> dict:
    """The single finding of ``rule`` in file ``name``."""
    matching = [f for f in run.findings(name) if f["rule"] == rule]
    assert len(matching) == 1, run.findings(name)
    return matching[0]


def template(
    resources: str = "[]", variables: str = "{}", parameters: str = "{}", schema: str = SCHEMA
) -> str:
    """An ARM template from the JSON text of its sections."""
    return (
        f'{{"$schema": "{schema}", "contentVersion": "1.0.0.0", "parameters": {parameters},'
        f' "variables": {variables}, "resources": {resources}}}'
    )


def windows_vm(patch_mode: str = '"Manual"', name: str = '"bad-vm"', extra: str = "") -> str:
    """A Windows VM resource whose patchMode is the given JSON text; ``extra`` adds members
    (for example a copy loop) before ``properties``."""
    return (
        '{"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2024-07-01",'
        f' "name": {name}, "location": "westeurope", {extra}'
        ' "properties": {"storageProfile": {"imageReference": {"publisher":'
        ' "MicrosoftWindowsServer", "offer": "WindowsServer", "sku":'
        ' "2022-datacenter-azure-edition", "version": "latest"}}, "osProfile":'
        f' {{"windowsConfiguration": {{"patchSettings": {{"patchMode": {patch_mode}}}}}}}}}}}'
    )


def deployment(properties: str, name: str = '"linked"') -> str:
    return (
        '{"type": "Microsoft.Resources/deployments", "apiVersion": "2022-09-01",'
        f' "name": {name}, "properties": {{"mode": "Incremental", {properties}}}}}'
    )


def fuzz_settings(default: int, share: float = 1.0):
    """Hypothesis settings for one property: ``default`` examples in the test suite (small,
    so that the whole suite stays under 90 s; these are the only fuzzers), or
    ``ARMLINT_FUZZ_CASES`` times ``share`` when bench/fuzz.py asks for a longer run.

    The suite's counts (150 to 250 for the cheap properties, issue 10) are 1.5 to 2.5 times
    Hypothesis's default of 100: enough to meet every branch of a generator in each run, while
    the search for rare inputs is bench/fuzz.py's job (50,000 examples per property)."""
    from hypothesis import HealthCheck, settings

    asked = os.environ.get("ARMLINT_FUZZ_CASES")
    examples = max(1, int(int(asked) * share)) if asked else default
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written into the work tree
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def private_cache_dir(folder: Path):
    """Point ARMLINT_CACHE_DIR at ``folder`` (results of its own) for the tests of a module,
    seeded with the current cache's rule-pack copies and HCL grammar tables: building those
    takes seconds, and the tests are about results. Yields, then restores the variable."""
    import shutil

    from armlint.datacache import cache_dir

    current = Path(cache_dir())
    for part in ("data", "lark"):
        if (current / part).is_dir():
            shutil.copytree(current / part, folder / part, dirs_exist_ok=True)
    before = os.environ.get("ARMLINT_CACHE_DIR")
    os.environ["ARMLINT_CACHE_DIR"] = str(folder)
    try:
        yield folder
    finally:
        if before is None:
            os.environ.pop("ARMLINT_CACHE_DIR", None)
        else:
            os.environ["ARMLINT_CACHE_DIR"] = before


def copy_loop_template_text() -> str:
    """A template that takes about a second: 800 deployments of 800 VMs, cut by the budget."""
    vm = windows_vm(
        name="\"[concat('vm', copyIndex('inner'))]\"",
        extra='"copy": {"name": "inner", "count": 800},',
    )
    outer = deployment(
        f'"template": {{"resources": [{vm}]}}',
        name="\"[concat('d', copyIndex())]\"",
    ).replace('"properties"', '"copy": {"name": "outer", "count": 800}, "properties"')
    return template(f"[{outer}]")
