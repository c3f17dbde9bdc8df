"""Issue 12, "Tracebacks", "Destroys a device", "Leaks a secret" and loader failures: each
case ran into an internal error (exit 3, the whole run lost) or worse before."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.cache_packs import rewrite_entries
from tests.hardening.hardening_helpers import (
    GOOD_FINDING,
    GOOD_NAME,
    GOOD_TEMPLATE,
    armlint,
    private_cache_dir,
    scan_folder,
    template,
    windows_vm,
)

LIMIT = 60  # "finishes" (each run takes about a second; the machine may be loaded)


@pytest.fixture(autouse=True, scope="module")
def private_cache(tmp_path_factory):
    """The result cache on (as by default), in a folder of this module's own."""
    yield from private_cache_dir(tmp_path_factory.mktemp("cache"))


def cache_folder() -> Path:
    return Path(os.environ["ARMLINT_CACHE_DIR"])


def assert_one_line_error(run, code: int, fragment: str) -> None:
    assert run.returncode == code, (run.returncode, run.stdout, run.stderr)
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0], run.stderr


def good_rules(run) -> list[tuple]:
    return [(f["rule"], f["line"], f["column"]) for f in run.findings(GOOD_NAME)]


# -- names and strings that are not valid UTF-8 ----------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="needs a file system that takes any bytes")
def test_a_file_name_that_is_not_utf8_goes_through_the_cache(tmp_path):
    """Cache keys encoded names strictly as UTF-8: UnicodeEncodeError, exit 3."""
    folder = scan_folder(tmp_path, {})
    name = os.path.join(os.fsencode(folder), b"vm-\xff.json")
    with open(name, "wb") as handle:
        handle.write(GOOD_TEMPLATE.read_bytes())
    for _ in range(2):  # stored, then read back
        run = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)
        assert run.returncode == 1, run.stderr
        assert "vm-" in json.dumps(run.report["findings"]) and GOOD_FINDING in good_rules(run)
        assert len(run.report["findings"]) == 2


@pytest.mark.parametrize("fmt", ["json", "sarif", "text"])
def test_a_lone_surrogate_in_a_resource_name(tmp_path, fmt):
    """Fingerprints, cache keys and shards hashed strict UTF-8: a name "\\ud800" stopped the run."""
    vm = windows_vm(name='"vm-\\ud800"')
    folder = scan_folder(tmp_path, {"odd.json": template(f"[{vm}]")})
    for _ in range(2):
        run = armlint(["check", ".", "--format", fmt, "--shard", "1/1"], cwd=folder, timeout=LIMIT)
        assert run.returncode == 1, run.stderr
        assert "AZP102" in run.stdout and "internal error" not in run.stderr


def test_a_nul_byte_in_a_terraform_module_source(tmp_path):
    """``source = "./a<NUL>b"``: Path.resolve raised ValueError while grouping the files."""
    folder = scan_folder(tmp_path, {"main.tf": b'module "m" {\n  source = "./a\x00b"\n}\n'})
    run = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)
    assert run.returncode == 1, run.stderr
    assert "internal error" not in run.stderr and GOOD_FINDING in good_rules(run)


# -- the cache is untrusted input ---------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        "[]",
        "null",
        "[" * 50_000 + "]" * 50_000,
        '{"format": 1, "files": 3, "findings": {}, "notes": [], "resources": [],'
        ' "dependencies": []}',
        "{}",
        '{"format": 1, "files": [], "notes": [], "resources": [], "dependencies": [["/dev/zero",'
        ' "x"]], "findings": []}',
    ],
    ids=["list", "null", "deep", "wrong-types", "empty", "device-dependency"],
)
def test_a_corrupt_cache_entry_is_a_miss(tmp_path, entry):
    folder = scan_folder(tmp_path, {})
    fresh = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)
    assert rewrite_entries(cache_folder(), lambda *_: entry.encode()), "nothing was stored"
    again = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)
    assert again.returncode == fresh.returncode == 1, again.stderr
    assert again.report["findings"] == fresh.report["findings"]


def test_a_cached_finding_with_a_bogus_severity_is_not_lost(tmp_path):
    """A cache entry whose finding had severity "fatal" made the finding disappear."""
    folder = scan_folder(tmp_path, {})
    fresh = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)

    def bogus(_, entry: bytes) -> bytes:
        data = json.loads(entry)
        for finding in data["findings"]:
            finding["severity"] = "fatal"
            finding["rule"] = "NOPE"
        return json.dumps(data).encode()

    rewrite_entries(cache_folder(), bogus)
    again = armlint(["check", ".", "--format", "json"], cwd=folder, timeout=LIMIT)
    assert again.report["findings"] == fresh.report["findings"]
    assert GOOD_FINDING in good_rules(again)


# -- outputs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("missing/report.sarif", "no such folder"),
        (".", "is a folder"),
        ("", "--output needs a file name"),
        ("pdf:report.pdf", "unknown format 'pdf'"),
    ],
)
def test_an_output_that_cannot_be_written_is_a_usage_error(tmp_path, target, fragment):
    folder = scan_folder(tmp_path, {})
    run = armlint(["check", ".", "--output", target], cwd=folder, timeout=LIMIT)
    assert_one_line_error(run, 2, fragment)
    assert not (folder / "pdf:report.pdf").exists()


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("r.sarif", "sarif"),
        ("r.json", "json"),
        ("r.xml", "junit"),
        ("r.html", "html"),
        ("r.md", "markdown"),
        ("json:r.txt", "json"),
    ],
)
def test_the_output_format_follows_the_extension(tmp_path, name, expected):
    from armlint.report import ReportOptions, render  # noqa: F401 (the formats themselves)

    folder = scan_folder(tmp_path, {})
    run = armlint(["check", ".", "--output", name], cwd=folder, timeout=LIMIT)
    assert run.returncode == 1, run.stderr
    assert "good.json:29:35" in run.stdout  # the screen keeps the text report
    written = (folder / name.partition(":")[2] if ":" in name else folder / name).read_text(
        encoding="utf-8"
    )
    starts = {
        "sarif": '"$schema": "https://docs.oasis-open.org/sarif',
        "json": '"findings"',
        "junit": "<testsuite",
        "html": "<html",
        "markdown": "AZP102",
    }
    assert starts[expected] in written, written[:300]
    if expected in ("json", "sarif"):
        json.loads(written)


def test_output_onto_a_symlink_writes_its_target(tmp_path):
    folder = scan_folder(tmp_path, {})
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    (folder / "link.json").symlink_to(real)
    run = armlint(["check", ".", "--output", "link.json"], cwd=folder, timeout=LIMIT)
    assert run.returncode == 1, run.stderr
    assert (folder / "link.json").is_symlink()
    assert json.loads(real.read_text(encoding="utf-8"))["findings"]


def test_output_onto_a_fifo_writes_into_it(tmp_path):
    """The atomic replace turned the FIFO into a regular file; now the reader gets the report."""
    folder = scan_folder(tmp_path, {})
    fifo = folder / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    run = armlint(["check", ".", "--output", "json:report.fifo"], cwd=folder, timeout=LIMIT)
    reader.join(LIMIT)
    assert run.returncode == 1, run.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert json.loads(received[0])["findings"]


def test_output_onto_a_device_node_keeps_the_device(tmp_path):
    """``--output /dev/full`` as root replaced the system's /dev/full with a regular file. A
    private node with /dev/null's numbers stands in for it here."""
    if os.geteuid() != 0 or not hasattr(os, "mknod"):
        pytest.skip("mknod needs root")
    folder = scan_folder(tmp_path, {})
    device = tmp_path / "null-copy"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except OSError as error:
        pytest.skip(f"mknod refused: {error}")
    run = armlint(["check", ".", "--output", str(device)], cwd=folder, timeout=LIMIT)
    assert run.returncode == 1, run.stderr
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def full_device(tmp_path: Path) -> str:
    """A device that answers every write with ENOSPC. As root, a private node with /dev/full's
    numbers: a regression must never replace the system's /dev/full (the bug this tests did
    exactly that). Without root the real one is safe, /dev is not writable."""
    if os.geteuid() != 0:
        if not os.path.exists("/dev/full"):
            pytest.skip("no /dev/full")
        return "/dev/full"
    node = tmp_path / "full-copy"
    try:
        os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except OSError as error:
        pytest.skip(f"mknod refused: {error}")
    return str(node)


def test_output_onto_a_full_device_is_exit_4(tmp_path):
    device = full_device(tmp_path)
    folder = scan_folder(tmp_path, {})
    run = armlint(["check", ".", "--output", f"text:{device}"], cwd=folder, timeout=LIMIT)
    assert_one_line_error(run, 4, "No space left on device")
    assert stat.S_ISCHR(os.lstat(device).st_mode)


def run_with_streams(folder: Path, arguments: list[str], **streams) -> subprocess.CompletedProcess:
    environment = dict(os.environ)
    environment.pop("ARMLINT_DEBUG", None)
    return subprocess.run(
        [sys.executable, "-m", "armlint", *arguments],
        cwd=folder,
        timeout=LIMIT,
        env=environment,
        check=False,
        **streams,
    )


def test_stdout_on_a_full_device_is_exit_4(tmp_path):
    device = full_device(tmp_path)
    folder = scan_folder(tmp_path, {})
    for arguments in (["check", "."], ["rules"]):
        with open(device, "w") as full:
            done = run_with_streams(folder, arguments, stdout=full, stderr=subprocess.PIPE)
        stderr = done.stderr.decode()
        assert done.returncode == 4, stderr
        assert "Traceback" not in stderr and "No space left on device" in stderr, stderr


def closing(descriptor: int):
    """For preexec_fn: armlint starts with this descriptor closed, as after ``>&-``."""
    return lambda: os.close(descriptor)


def test_closed_stdout_keeps_the_output_file_and_says_so(tmp_path):
    folder = scan_folder(tmp_path, {})
    done = run_with_streams(
        folder,
        ["check", ".", "--output", "r.sarif"],
        stderr=subprocess.PIPE,
        preexec_fn=closing(1),
    )
    stderr = done.stderr.decode()
    assert done.returncode == 4, stderr
    assert "Traceback" not in stderr and "standard output is closed" in stderr
    assert json.loads((folder / "r.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]


def test_closed_stderr_changes_nothing(tmp_path):
    folder = scan_folder(tmp_path, {})
    done = run_with_streams(
        folder, ["check", ".", "--format", "json"], stdout=subprocess.PIPE, preexec_fn=closing(2)
    )
    assert done.returncode == 1 and json.loads(done.stdout)["findings"]
    usage = run_with_streams(
        folder,
        ["check", ".", "--config", "missing.toml"],
        stdout=subprocess.PIPE,
        preexec_fn=closing(2),
    )
    assert usage.returncode == 2  # the error cannot be shown, but it is no traceback (exit 3)


# -- configuration ------------------------------------------------------------------------


def test_a_pyproject_nested_5000_deep_is_a_one_line_error(tmp_path):
    folder = scan_folder(tmp_path, {})
    deep = "x = " + "[" * 5000 + "]" * 5000 + "\n"
    (folder / "pyproject.toml").write_text(f"[tool.armlint]\n{deep}", encoding="utf-8")
    run = armlint(["check", "."], cwd=folder, timeout=LIMIT)
    assert_one_line_error(run, 2, "nested too deeply")


def test_a_very_long_extend_path_is_a_one_line_error(tmp_path):
    folder = scan_folder(tmp_path, {})
    (folder / ".armlint.yaml").write_text(f"extend: {'a' * 5000}.yaml\n", encoding="utf-8")
    run = armlint(["check", "."], cwd=folder, timeout=LIMIT)
    assert_one_line_error(run, 2, "extend")
    assert len(run.stderr) < 400


SECRET = "s3cr3t-Hunter2-do-not-print"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("shadow", f"root:$6${SECRET}:19000:0:99999:7:::\ndaemon:*:19000::::::\n"),
        ("secret.yaml", f"root: [{SECRET}\n"),
        ("secret.yml", f"fail-on: {SECRET}\n"),
        ("secret.toml", f'profile = "{SECRET}"\n'),
    ],
)
def test_a_config_error_never_echoes_file_content(tmp_path, name, content):
    """``extend: /etc/shadow`` printed that file's lines in the validation error."""
    folder = scan_folder(tmp_path, {})
    (tmp_path / name).write_text(content, encoding="utf-8")
    (folder / ".armlint.yaml").write_text(f"extend: ../{name}\n", encoding="utf-8")
    run = armlint(["check", "."], cwd=folder, timeout=LIMIT)
    assert run.returncode == 2, run.stderr
    assert "no such file" not in run.stderr, run.stderr  # the file was found, and refused
    assert SECRET not in run.stderr and SECRET not in run.stdout, run.stderr
    assert "Traceback" not in run.stderr


def test_a_config_error_quotes_at_most_80_characters_of_a_key(tmp_path):
    folder = scan_folder(tmp_path, {})
    (folder / ".armlint.yaml").write_text(f"{'k' * 500}: 1\n", encoding="utf-8")
    run = armlint(["check", "."], cwd=folder, timeout=LIMIT)
    assert_one_line_error(run, 2, "unknown key 'kkk")
    assert "k" * 81 not in run.stderr


# -- a loader failure is a finding --------------------------------------------------------


def test_a_loader_failure_is_azp001_and_fails_the_run(tmp_path, monkeypatch):
    """An error inside a loader was "failed" with no finding: exit 0, "Found 0 problems"."""
    from armlint import cli
    from armlint.arm import loader

    def broken(self, document, parameters):
        raise KeyError("boom")

    monkeypatch.setattr(loader.TemplateLoader, "load", broken)
    folder = scan_folder(tmp_path, {})
    monkeypatch.chdir(folder)
    code = cli.main(["check", ".", "--no-cache", "--jobs", "1"])
    assert code == 1
    from armlint.run.pipeline import RunOptions, run_check

    result = run_check(RunOptions(paths=["."]))
    (finding,) = result.findings
    assert finding.rule == "AZP001" and finding.location.path == GOOD_NAME
    assert "KeyError" in finding.message and "please report" in finding.message
