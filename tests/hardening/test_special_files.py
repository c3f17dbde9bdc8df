"""Issue 12, "Hangs" and "Wrong answers": special files (FIFOs, devices, /proc files) named,
linked, walked or hashed. Every special file is made here, in a temporary folder, at test
time; a run that hangs fails on the subprocess timeout instead of blocking the suite."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hardening.hardening_helpers import (
    GOOD_FINDING,
    GOOD_NAME,
    armlint,
    deployment,
    private_cache_dir,
    scan_folder,
    template,
    windows_vm,
)

HANG_LIMIT = 60  # seconds; each run takes about one (more on a loaded machine)


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory):
    """The result cache on (as by default), in a folder of this module's own."""
    yield from private_cache_dir(tmp_path_factory.mktemp("cache"))


def run_json(folder: Path, *arguments: str):
    return armlint(["check", *arguments, "--format", "json"], cwd=folder, timeout=HANG_LIMIT)


def good_rules(run) -> list[tuple]:
    return [(f["rule"], f["line"], f["column"]) for f in run.findings(GOOD_NAME)]


def bash(command: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """A command line with process substitution (``<(...)``), as a user types it."""
    if shutil.which("bash") is None:
        pytest.skip("needs bash for process substitution")
    environment = dict(os.environ, **(env or {}))
    environment.pop("ARMLINT_DEBUG", None)
    return subprocess.run(
        ["bash", "-c", command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT,
        env=environment,
        check=False,
    )


ARMLINT = f"'{sys.executable}' -m armlint"


def test_a_linked_template_that_is_a_fifo_does_not_hang_the_cached_run(tmp_path):
    """The cache hashed every linked target; a FIFO one blocked for ever."""
    folder = scan_folder(tmp_path, {"main.json": template(f"[{linked('sub/linked.json')}]")})
    (folder / "sub").mkdir()
    os.mkfifo(folder / "sub" / "linked.json")
    for _ in range(2):  # the second run reads the cache entry and its dependencies
        run = run_json(folder, ".", "--show-unknown")
        assert run.returncode == 1, run.stderr
        assert GOOD_FINDING in good_rules(run)
        messages = [f["message"] for f in run.findings("main.json")]
        assert any("linked template 'sub/linked.json'" in m for m in messages), messages


def linked(relative: str) -> str:
    return deployment(f'"templateLink": {{"relativePath": "{relative}"}}')


PARAMETERS = (
    '{"$schema": "https://schema.management.azure.com/schemas/2019-04-01/'
    'deploymentParameters.json#", "contentVersion": "1.0.0.0",'
    ' "parameters": {"patchMode": {"value": "Manual"}}}'
)
AUTOMATIC = template(
    "[" + windows_vm(patch_mode="\"[parameters('patchMode')]\"") + "]",
    parameters='{"patchMode": {"type": "string", "defaultValue": "AutomaticByOS"}}',
)


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_parameters_from_process_substitution_are_read_once(tmp_path, cache):
    """``--parameters <(...)``: the cache key consumed the pipe, the loader then read an empty
    file and reported "the file is empty" instead of the AZP102 the parameters cause."""
    folder = scan_folder(tmp_path, {"vm.json": AUTOMATIC, "p.json": "x"})
    (folder / "p.json").write_text(PARAMETERS, encoding="utf-8")
    (folder / GOOD_NAME).unlink()
    flags = " ".join(cache)
    for _ in range(2):
        done = bash(f"{ARMLINT} check vm.json {flags} --parameters <(cat p.json)", folder)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "vm.json:" in done.stdout and "AZP102" in done.stdout, done.stdout
        assert "empty" not in done.stdout


TF_VM = """
variable "mode" {}
resource "azurerm_windows_virtual_machine" "vm" {
  name                     = "vm"
  location                 = "westeurope"
  patch_mode               = var.mode
  enable_automatic_updates = true
  source_image_reference {
    publisher = "MicrosoftWindowsServer"
    offer     = "WindowsServer"
    sku       = "2022-datacenter-azure-edition"
    version   = "latest"
  }
}
"""


def test_var_file_from_process_substitution_is_read_once(tmp_path):
    """``--var-file <(cat v.tfvars)`` said "Found 0 problems", exit 0, with the cache on (the
    second run reads the cache entry). The HCL parser's first start is slow, so one mode."""
    folder = tmp_path / "tf"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "main.tf").write_text(TF_VM, encoding="utf-8")
    (folder / "values.txt").write_text('mode = "Manual"\n', encoding="utf-8")
    for _ in range(2):
        done = bash(f"{ARMLINT} check main.tf --var-file <(cat values.txt)", folder)
        assert done.returncode == 1, done.stdout + done.stderr
        assert "AZP102" in done.stdout, done.stdout


def test_a_named_fifo_argument_is_read_once_not_waited_on_twice(tmp_path):
    """A FIFO made with mkfifo and written once: armlint reads it once and uses the bytes for
    the cache key and the loader alike (a second open would block for ever)."""
    folder = scan_folder(tmp_path, {"vm.json": AUTOMATIC})
    (folder / GOOD_NAME).unlink()
    fifo = tmp_path / "parameters.fifo"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "armlint", "check", "vm.json", "--parameters", str(fifo)]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, text=True)
    with open(fifo, "w", encoding="utf-8") as writer:  # blocks until armlint opens it
        writer.write(PARAMETERS)
    output, _ = process.communicate(timeout=HANG_LIMIT)
    assert process.returncode == 1 and "AZP102" in output, output


@pytest.mark.parametrize("option", ["--parameters", "--var-file"])
def test_a_device_named_as_parameters_is_a_finding_not_a_hang(tmp_path, option):
    """``--parameters /dev/zero`` was read without end (or failed with no finding)."""
    if not os.path.exists("/dev/zero"):
        pytest.skip("no /dev/zero")
    folder = scan_folder(tmp_path, {"main.tf": TF_VM})
    run = run_json(folder, ".", option, "/dev/zero")
    assert run.returncode == 1
    # Reports show paths relative to the project root, so /dev/zero may read ../../dev/zero.
    zero = [f for f in run.report["findings"] if f["path"].endswith("dev/zero")]
    assert [f["rule"] for f in zero] == ["AZP001"], run.report["findings"]
    assert "a device; not read" in zero[0]["message"]
    assert GOOD_FINDING in good_rules(run)
    assert not run.notes("internal error"), run.notes()


def test_a_scanned_link_to_a_proc_file_that_blocks_is_not_read(tmp_path):
    """``x.json`` -> /proc/kmsg: a regular file of size 0 whose read blocks (and consumes the
    kernel log). Files are read only up to the size fstat gives: it reads as empty."""
    kmsg = Path("/proc/kmsg")
    if os.geteuid() != 0 or not kmsg.exists() or not os.access(kmsg, os.R_OK):
        pytest.skip("needs a readable /proc/kmsg (root on Linux)")
    folder = scan_folder(tmp_path, {})
    (folder / "x.json").symlink_to(kmsg)
    run = run_json(folder, ".")
    assert run.returncode == 1
    assert [f["message"] for f in run.findings("x.json")] == ["the file is empty (no JSON value)"]
    assert GOOD_FINDING in good_rules(run)


def test_a_device_node_in_a_scanned_folder_is_never_opened(tmp_path):
    """A private character device (a copy of /dev/null's numbers) named x.json."""
    if os.geteuid() != 0 or not hasattr(os, "mknod"):
        pytest.skip("mknod needs root")
    folder = scan_folder(tmp_path, {})
    try:
        os.mknod(folder / "x.json", 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as error:
        pytest.skip(f"mknod refused: {error}")
    run = run_json(folder, ".")
    assert run.returncode == 1
    reports = [f for f in run.report.get("files", []) if Path(f["path"]).name == "x.json"]
    assert run.summary["files"]["total"] == 2 and run.summary["files"]["skipped"] == 1, reports
    assert GOOD_FINDING in good_rules(run)


def test_a_walked_fifo_is_counted_and_named_not_read(tmp_path):
    """A FIFO found by walking is never opened (it would block for ever); the summary counts it
    as skipped and a note says which file and why (issue 12: "reported ... or a note that
    counts it, never read")."""
    folder = scan_folder(tmp_path, {})
    os.mkfifo(folder / "pipe.json")
    run = run_json(folder, ".")
    assert run.returncode == 1
    assert run.summary["files"]["skipped"] == 1
    assert run.notes("skipped pipe.json: not a regular file"), run.notes()
    assert GOOD_FINDING in good_rules(run)


def test_nul_in_a_linked_template_path_is_a_finding(tmp_path):
    """A NUL byte in ``relativePath`` failed inside the loader: "failed", no finding, exit 0."""
    nul_path = linked("sub/a\\u0000b.json")  # the JSON escape, so the file holds a real NUL
    folder = scan_folder(tmp_path, {"main.json": template(f"[{nul_path}]")})
    (folder / GOOD_NAME).unlink()
    run = run_json(folder, ".", "--show-unknown")
    assert run.summary["files"]["error"] == 0, run.report
    messages = [f["message"] for f in run.findings("main.json")]
    assert any("cannot be resolved: embedded null byte" in m for m in messages), messages


def test_nul_in_a_bicep_module_path_is_not_a_loader_failure(tmp_path):
    folder = tmp_path / "b"
    folder.mkdir()
    (folder / ".git").mkdir()
    (folder / "main.bicep").write_text(
        "module m './a\\u{0}b.bicep' = {\n  name: 'x'\n}\n", encoding="utf-8"
    )
    run = run_json(folder, ".")
    assert run.returncode == 0, run.stderr
    assert run.summary["files"]["error"] == 0, run.report
    assert any("could not be read" in note for note in run.notes()), run.notes()
