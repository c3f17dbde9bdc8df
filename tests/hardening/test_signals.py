"""Issue 12, "Orphans": SIGTERM or SIGHUP to armlint during a ``--jobs 2`` run left both
workers alive, holding stdout and stderr open. Now the workers stop with the parent, the exit
code is 128 + the signal, and no output file is left half-written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hardening.hardening_helpers import copy_loop_template_text

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="finds the workers through /proc (Linux)"
)


def busy_tree(folder: Path, units: int = 20) -> Path:
    """Enough slow units (one folder each) that the run goes parallel and lasts seconds."""
    (folder / ".git").mkdir(parents=True)
    text = copy_loop_template_text()
    for number in range(units):
        unit = folder / f"unit{number:02}"
        unit.mkdir()
        (unit / "vm.json").write_text(text, encoding="utf-8")
    return folder


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.update(int(part) for part in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has exited; only its parent's wait is missing


def start(
    folder: Path, prefix: tuple[str, ...] | list[str] = ("-m", "armlint")
) -> tuple[subprocess.Popen, set[int]]:
    environment = dict(os.environ)
    environment.pop("ARMLINT_DEBUG", None)
    process = subprocess.Popen(
        [
            sys.executable,
            *prefix,
            "check",
            ".",
            "--jobs",
            "2",
            "--no-cache",
            "--output",
            "json:report.json",
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=environment,
        start_new_session=True,  # its own process group, as a shell job would be
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = children(process.pid)
        if len(workers) >= 2:
            time.sleep(0.3)  # let them start on a unit
            return process, workers
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    pytest.fail("the run never started two workers")


def assert_gone(workers: set[int], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline and any(alive(pid) for pid in workers):
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers), [pid for pid in workers if alive(pid)]


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGHUP, 129)], ids=["TERM", "HUP"]
)
def test_a_signal_to_the_parent_stops_the_workers(tmp_path, signum, code):
    folder = busy_tree(tmp_path / "tree")
    process, workers = start(folder)
    os.kill(process.pid, signum)  # the parent only, as `kill PID` does
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert b"Traceback" not in stderr, stderr
    assert_gone(workers)
    assert not (folder / "report.json").exists()
    assert not list(folder.glob(".report.json.*.tmp"))


def test_ctrl_c_to_the_process_group_exits_130_without_worker_tracebacks(tmp_path):
    folder = busy_tree(tmp_path / "tree")
    process, workers = start(folder)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal sends on Ctrl-C
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert b"Traceback" not in stderr, stderr
    assert_gone(workers)


# A run whose workers are slow to take their own signal handlers, as on a loaded machine: each
# waits a second before ``watch_parent`` (the hook looks the name up in armlint.workers).
SLOW_WORKERS = """
import sys, time
import armlint.workers as workers
from armlint.cli import main
plain = workers.watch_parent
def slow(parent):
    time.sleep(1.0)
    plain(parent)
workers.watch_parent = slow
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize(
    ("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["INT", "TERM"]
)
def test_a_signal_before_the_workers_took_their_handlers_prints_no_traceback(
    tmp_path, signum, code
):
    # Before session 10 a worker forked with the parent's handlers raised KeyboardInterrupt
    # (or cli.Stopped on SIGTERM from pool.terminate) and printed its traceback: the parent
    # now holds these signals while forking (workers.hold_signals).
    folder = busy_tree(tmp_path / "tree")
    process, workers = start(folder, prefix=["-c", SLOW_WORKERS])
    os.killpg(process.pid, signum)  # within the workers' first second
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == code, stderr
    assert b"Traceback" not in stderr, stderr
    assert_gone(workers)


def test_workers_exit_when_the_parent_is_killed_outright(tmp_path):
    """SIGKILL leaves no chance to clean up: each worker notices its parent is gone."""
    folder = busy_tree(tmp_path / "tree")
    process, workers = start(folder)
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=60)
    assert_gone(workers)
