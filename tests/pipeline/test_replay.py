"""An unchanged check is answered from the record of the same check run before
(armlint/run/replay.py): the same text and exit code, without running the command; any change
to what the answer rests on (a template, a folder, a configuration file, armlint's own files,
the arguments, the environment, the day, a damaged record) runs the command again, whose
output is then that of a run without any cache."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import armlint.__main__ as entry
from armlint import cli, paths
from armlint.run import cache_pack, replay

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples" / "arm"
TEMPLATE = "arm/legacy-app.json"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A repository with the ARM examples in a subfolder, run from its top, with a private
    cache; files count as settled as soon as they are older than the run (they are seconds
    old, where a real run waits ``SETTLED_NS``)."""
    monkeypatch.setenv("ARMLINT_CACHE_DIR", str(tmp_path / "cache"))
    for name in (*replay.ENVIRONMENT, "ARMLINT_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    top = tmp_path / "repo"
    (top / ".git").mkdir(parents=True)
    (top / "arm").mkdir()
    for example in sorted(EXAMPLES.glob("*.json")):
        (top / "arm" / example.name).write_bytes(example.read_bytes())
    monkeypatch.chdir(top)
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 0)
    return top


def armlint(monkeypatch, capsys, *arguments: str) -> tuple[int, str, bool]:
    """(exit code, stdout, whether the command ran) of the armlint command's entry point
    called in this process; ``cli.console_main`` is replaced by ``cli.main`` (the same run
    without ending the process)."""
    ran = []

    def command(invocation):
        ran.append(invocation)
        return cli.main(invocation=invocation)

    monkeypatch.setattr(sys, "argv", ["armlint", *arguments])
    monkeypatch.setattr(cli, "console_main", command)
    code = entry.main()
    return code, capsys.readouterr().out, bool(ran)


def records(project: Path) -> list[Path]:
    return sorted((project.parent / "cache" / "results" / "runs").glob("*.run"))


CHECK = ("check", ".", "--format", "json", "--jobs", "1")


def fresh(monkeypatch, capsys) -> tuple[int, str]:
    """The same check without any cache (neither recorded nor replayed)."""
    code, out, ran = armlint(monkeypatch, capsys, *CHECK, "--no-cache")
    assert ran
    return code, out


def test_an_unchanged_check_is_answered_from_its_record(project, monkeypatch, capsys):
    first = armlint(monkeypatch, capsys, *CHECK)
    assert first[2] and len(records(project)) == 1
    second = armlint(monkeypatch, capsys, *CHECK)
    assert second == (first[0], first[1], False)  # same answer, the command did not run
    assert first[0] == 1 and '"rule": "AZP' in first[1]  # the examples have findings
    assert fresh(monkeypatch, capsys) == first[:2]


def edit_template(project: Path) -> None:
    """Another patch mode in an example (its findings change); the size changes too, so
    even a file system with coarse times gives it another stamp."""
    path = project / TEMPLATE
    text = path.read_text(encoding="utf-8")
    changed = text.replace('"patchMode": "Manual"', '"patchMode": "AutomaticByOS"')
    assert changed != text
    path.write_text(changed, encoding="utf-8")


def test_a_changed_template_is_checked_again(project, monkeypatch, capsys):
    first = armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    edit_template(project)
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and out != first[1]
    assert (code, out) == fresh(monkeypatch, capsys)


def test_a_new_file_is_checked(project, monkeypatch, capsys):
    armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    (project / "arm" / "added").mkdir()
    (project / "arm" / "added" / "copy.json").write_bytes((project / TEMPLATE).read_bytes())
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and "added/copy.json" in out
    assert (code, out) == fresh(monkeypatch, capsys)


def test_a_configuration_file_made_since_is_read(project, monkeypatch, capsys):
    first = armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    (project / ".armlint.yaml").write_text("ignore: [AZP]\n", encoding="utf-8")
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and out != first[1] and code == 0
    assert (code, out) == fresh(monkeypatch, capsys)


def test_a_configuration_file_made_above_the_current_folder_is_read(project, monkeypatch, capsys):
    """Outside a repository the folder above is not walked (no folder stamp tells): the
    record says that no configuration file was there."""
    (project / ".git").rmdir()
    monkeypatch.chdir(project / "arm")
    first = armlint(monkeypatch, capsys, *CHECK)
    assert not armlint(monkeypatch, capsys, *CHECK)[2]  # replayed while nothing changed
    (project / ".armlint.yaml").write_text("ignore: [AZP]\n", encoding="utf-8")
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and out != first[1] and code == 0
    assert (code, out) == fresh(monkeypatch, capsys)


def test_an_edited_configuration_file_is_read_again(project, monkeypatch, capsys):
    config = project / ".armlint.yaml"
    config.write_text("fail-on: error\n", encoding="utf-8")
    first = armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    config.write_text("ignore: [AZP]\n", encoding="utf-8")
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and out != first[1]
    assert (code, out) == fresh(monkeypatch, capsys)


@pytest.mark.parametrize(
    ("variable", "value"), [("NO_COLOR", "1"), ("COLUMNS", "61"), ("CI", "true")]
)
def test_another_environment_is_another_record(project, monkeypatch, capsys, variable, value):
    armlint(monkeypatch, capsys, *CHECK)
    monkeypatch.setenv(variable, value)
    assert armlint(monkeypatch, capsys, *CHECK)[2]
    assert not armlint(monkeypatch, capsys, *CHECK)[2]  # ... recorded in turn
    assert len(records(project)) == 2


def test_other_arguments_are_another_record(project, monkeypatch, capsys):
    armlint(monkeypatch, capsys, *CHECK)
    assert armlint(monkeypatch, capsys, *CHECK, "--select", "AZP101")[2]
    assert len(records(project)) == 2


def test_a_record_holds_for_its_day_alone(project, monkeypatch, capsys):
    """A suppression's expiry is judged against today's date."""
    armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    monkeypatch.setattr(replay, "_today", lambda: "2999-01-01")
    assert armlint(monkeypatch, capsys, *CHECK)[2]


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # the text
        lambda data: data[: len(data) // 2],  # truncated
        lambda data: data.replace(b"\ns ", b"\nx ", 1) if b"\ns " in data else b"x" + data,
        lambda data: re.sub(rb"\n1\n", b"\n0\n", data, count=1),  # the exit code
        lambda data: b"",
    ],
)
def test_a_damaged_record_is_a_miss(project, monkeypatch, capsys, damage):
    first = armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1  # recorded: a run below that runs is a miss
    [path] = records(project)
    path.write_bytes(damage(path.read_bytes()))
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and (code, out) == first[:2]


def test_a_record_names_what_it_rests_on(project, monkeypatch, capsys):
    """The walk's folders, the templates, the rule pack and armlint's modules are stamped;
    what the configuration search looks for above the current folder is absent or present."""
    armlint(monkeypatch, capsys, *CHECK)
    [path] = records(project)
    invocation = replay.Invocation(list(CHECK))
    record = replay.parse_record(path.read_bytes(), invocation)
    assert record is not None
    assert {"arm", TEMPLATE, cli.__file__} <= set(record.stamped)
    assert any(name.endswith("AZP101.yaml") for name in record.stamped)
    assert str(project / ".armlint.yaml") in record.absent
    assert str(project / ".git") in record.present
    assert len(record.stamps.splitlines()) == len(record.stamped)


def test_an_edited_module_of_armlint_is_a_miss(project, monkeypatch, capsys, tmp_path):
    """armlint's own files are stamped: an edit of an editable install (or a reinstall of
    the same version) runs the command again."""
    own = tmp_path / "own"
    own.mkdir()
    (own / "module.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(paths, "package_dir", lambda: str(own))
    armlint(monkeypatch, capsys, *CHECK)
    assert not armlint(monkeypatch, capsys, *CHECK)[2]
    (own / "module.py").write_text("x = 12\n", encoding="utf-8")
    assert armlint(monkeypatch, capsys, *CHECK)[2]


@pytest.mark.parametrize(
    "extra",
    [
        ["--no-cache"],
        ["--verbose"],  # lists cache misses: about that run alone
        ["--output", "report.json"],
        ["--write-baseline", "baseline.json"],
        ["--fix"],
        ["--diff"],
        ["--parameters", "arm/legacy-app.parameters.json"],
    ],
)
def test_runs_that_are_not_recorded(project, monkeypatch, capsys, extra):
    armlint(monkeypatch, capsys, *CHECK, *extra)
    assert records(project) == []


def test_a_file_changed_just_before_the_run_is_not_recorded(project, monkeypatch, capsys):
    """The racy rule: the project's files are seconds old, younger than SETTLED_NS."""
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 3_000_000_000)
    armlint(monkeypatch, capsys, *CHECK)
    assert records(project) == []


def test_stdin_is_not_recorded(project, monkeypatch, capsys):
    text = (project / TEMPLATE).read_text(encoding="utf-8")
    monkeypatch.setattr(sys, "stdin", _Stdin(text.encode()))
    armlint(monkeypatch, capsys, "check", "-", "--format", "json")
    assert records(project) == []


class _Stdin:
    def __init__(self, data: bytes) -> None:
        import io

        self.buffer = io.BytesIO(data)


def test_the_record_keeps_at_most_max_records(project, monkeypatch, capsys):
    monkeypatch.setattr(replay, "MAX_RECORDS", 2)
    for rule in ("AZP101", "AZP102", "AZP103"):
        armlint(monkeypatch, capsys, *CHECK, "--select", rule)
        time.sleep(0.01)  # distinct modification times
    assert len(records(project)) == 2
    assert armlint(monkeypatch, capsys, *CHECK, "--select", "AZP101")[2]  # the oldest went
    assert not armlint(monkeypatch, capsys, *CHECK, "--select", "AZP103")[2]


def test_every_environment_variable_armlint_reads_is_in_the_key():
    """The key holds each variable a check's output depends on; the others decide only where
    the cache is (the record is looked for there) or a traceback of an internal error (a
    recorded run ended normally)."""
    apart = {"ARMLINT_CACHE_DIR", "XDG_CACHE_HOME", "ARMLINT_DEBUG"}
    read = set()
    pattern = re.compile(
        r"""environ(?:\.get\(|\[)\s*["']([A-Z_]+)["']|["']([A-Z_]+)["'] (?:not )?in os\.environ"""
    )
    for path in (ROOT / "armlint").rglob("*.py"):
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            read.add(match.group(1) or match.group(2))
    assert "COLUMNS" in read and "NO_COLOR" in read  # the scan finds them
    assert read - apart <= set(replay.ENVIRONMENT)


# armlint's entry point in a fresh process, telling at exit whether the command line was
# imported (an atexit handler also keeps the command from ending the process early).
CHECK_AND_TELL = """
import atexit, sys
atexit.register(lambda: print("command imported:", "armlint.cli" in sys.modules, file=sys.stderr))
import armlint.__main__ as entry
sys.exit(entry.main())
"""


def test_the_command_itself_replays_without_importing_the_command_line(tmp_path):
    """A fresh process, as the armlint command starts: the second run prints the same bytes
    and exits alike without importing armlint.cli; a report that cannot be written is the
    command's one-line error (exit 4)."""
    (tmp_path / "arm").mkdir()
    (tmp_path / "arm" / "t.json").write_bytes((EXAMPLES / "web-tier.json").read_bytes())
    environment = {**os.environ, "ARMLINT_CACHE_DIR": str(tmp_path / "cache")}
    for name in replay.ENVIRONMENT:
        environment.pop(name, None)
    time.sleep(3.1)  # the files must be older than the racy margin when the run starts

    def run(stdout=subprocess.PIPE):
        return subprocess.run(
            [sys.executable, "-c", CHECK_AND_TELL, "check", "arm", "--format", "json"],
            cwd=tmp_path,
            env=environment,
            stdout=stdout,
            stderr=subprocess.PIPE,
            check=False,
        )

    first, second = run(), run()
    assert b"command imported: True" in first.stderr
    assert b"command imported: False" in second.stderr
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout) != (0, b"")
    if os.path.exists("/dev/full"):
        with open("/dev/full", "wb") as full:
            failed = run(stdout=full)
        assert failed.returncode == cli.EXIT_OUTPUT
        assert b"armlint: error: cannot write the report to standard output" in failed.stderr
        assert b"command imported: True" in failed.stderr  # only for the one-line error


def test_a_stamp_younger_than_the_racy_margin_is_not_recorded(project, monkeypatch):
    """Every stamp, seen during the run or taken at its end, must be ``SETTLED_NS`` older
    than the run's start: a change in the same clock tick could leave it as it was."""
    monkeypatch.setattr(cache_pack, "SETTLED_NS", 3_000_000_000)
    invocation = replay.Invocation(list(CHECK))
    basis = replay.Basis()
    old = invocation.started_ns - 4_000_000_000
    recent = invocation.started_ns - 2_000_000_000
    monkeypatch.setattr(replay, "_own_files", lambda: [])
    monkeypatch.setattr(replay, "LOOKED_FOR", ())
    basis.saw({"old.json": (1, 2, 3, old, old)})
    assert replay.record(invocation, basis, "text", 0) == ""
    basis.saw({"recent.json": (1, 3, 3, old, recent)})  # its status changed (ctime) lately
    assert "within the racy margin" in replay.record(invocation, basis, "", 0)


def test_a_file_read_just_after_a_change_spoils_the_record(tmp_path):
    """The result cache tells the record of the whole run when a file it hashed was too
    young to stamp (cache_pack's racy rule)."""
    path = tmp_path / "t.json"
    path.write_text("{}", encoding="utf-8")
    packs = cache_pack.ResultPacks(str(tmp_path / "packs"))
    packs.remember_digest(str(path), os.stat(path), "0" * 64, time.time_ns())
    assert "changed just before it was read" in packs.unrecordable
    assert packs.seen[str(path)] == cache_pack.stamp_of(os.stat(path))


def test_files_named_directly_are_not_recorded(project, monkeypatch, capsys):
    """pre-commit names the files it passes: the walk is not recorded for them (a stat of
    each named path, outside any folder listing), so neither is the run."""
    arguments = ("check", TEMPLATE, "arm/web-tier.json", "--format", "json")
    first = armlint(monkeypatch, capsys, *arguments)
    assert records(project) == []
    assert armlint(monkeypatch, capsys, *arguments) == (first[0], first[1], True)


def test_a_run_watched_on_a_terminal_is_recorded(project, monkeypatch, capsys):
    """Progress counts the groups checked afresh: a fully cached run, which the replay
    stands for, shows none, so a run that showed progress may still be recorded."""
    shown = []
    monkeypatch.setattr(cli, "_progress_printer", lambda: lambda *counts: shown.append(counts))
    first = armlint(monkeypatch, capsys, *CHECK)
    assert shown and records(project)
    shown.clear()
    assert armlint(monkeypatch, capsys, *CHECK) == (first[0], first[1], False)
    monkeypatch.setattr(replay, "replayed", lambda invocation: None)  # the cached run itself
    assert armlint(monkeypatch, capsys, *CHECK) == (first[0], first[1], True)
    assert shown == []


# -- found by review (session 12): what else a report rests on --------------------------------


def test_a_configuration_file_extended_is_stamped(project, monkeypatch, capsys):
    (project / "base.yaml").write_text("fail-on: error\n", encoding="utf-8")
    (project / ".armlint.yaml").write_text("extend: base.yaml\n", encoding="utf-8")
    first = armlint(monkeypatch, capsys, *CHECK)
    assert len(records(project)) == 1
    (project / "base.yaml").write_text("ignore: [AZP]\n", encoding="utf-8")
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and out != first[1]
    assert (code, out) == fresh(monkeypatch, capsys)


def test_another_armlint_package_is_another_key(project, monkeypatch, capsys):
    """Another checkout on PYTHONPATH or another worktree's editable install: its own files
    are not those the record stamped."""
    armlint(monkeypatch, capsys, *CHECK)
    assert not armlint(monkeypatch, capsys, *CHECK)[2]
    monkeypatch.setattr(paths, "package_dir", lambda: str(project / "elsewhere"))
    assert armlint(monkeypatch, capsys, *CHECK)[2]


BICEP_MAIN = "module vm '../mods/vm.bicep' = {\n  name: 'vm'\n}\n"


def test_a_module_named_by_a_finding_is_stamped(project, monkeypatch, capsys):
    """A Bicep module in a folder that is not checked: its findings are reported at its
    lines, and a suppression added there must be seen (the suppression scan reads it)."""
    (project / "app").mkdir()
    (project / "mods").mkdir()
    (project / "app" / "main.bicep").write_text(BICEP_MAIN, encoding="utf-8")
    module = (ROOT / "examples" / "bicep" / "main.bicep").read_text(encoding="utf-8")
    (project / "mods" / "vm.bicep").write_text(module, encoding="utf-8")
    arguments = ("check", "app", "--format", "json", "--jobs", "1")
    first = armlint(monkeypatch, capsys, *arguments)
    assert '"rule": "AZP104"' in first[1] and len(records(project)) == 1
    assert not armlint(monkeypatch, capsys, *arguments)[2]
    suppressed = module.replace(
        "provisionVMAgent: false", "provisionVMAgent: false // armlint: ignore AZP104 ops, JIRA-1"
    )
    (project / "mods" / "vm.bicep").write_text(suppressed, encoding="utf-8")
    code, out, ran = armlint(monkeypatch, capsys, *arguments)
    assert ran and out != first[1]
    fresh_run = armlint(monkeypatch, capsys, *arguments, "--no-cache")
    assert (code, out) == fresh_run[:2]


def test_a_fifo_in_place_of_a_record_is_a_miss_not_a_hang(project, monkeypatch, capsys):
    first = armlint(monkeypatch, capsys, *CHECK)
    [path] = records(project)
    path.unlink()
    os.mkfifo(path)
    code, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and (code, out) == first[:2]


def test_a_run_with_an_internal_error_is_not_recorded(project, monkeypatch, capsys):
    from armlint.run import pipeline

    def broken(unit, options):
        raise RuntimeError("a bug")

    monkeypatch.setattr(pipeline, "_load_unit", broken)
    assert "internal error" in armlint(monkeypatch, capsys, *CHECK)[1]
    assert records(project) == []


# -- found by the second review (session 12) ----------------------------------------------


def test_a_record_with_another_exit_code_is_not_replayed(project, monkeypatch, capsys):
    """Only a check that ended normally (0 or 1) is recorded, and only such a record is
    replayed, whatever its checksum says."""
    invocation = replay.Invocation(list(CHECK))
    monkeypatch.setattr(replay, "_own_files", lambda: [])
    assert replay.record(invocation, replay.Basis(), "forged\n", 300) == "exit code 300"
    monkeypatch.setattr(replay, "RECORDED_CODES", (b"300",))
    assert replay.record(invocation, replay.Basis(), "forged\n", 300) == ""
    monkeypatch.setattr(replay, "RECORDED_CODES", (b"0", b"1"))
    _, out, ran = armlint(monkeypatch, capsys, *CHECK)
    assert ran and "forged" not in out


def test_a_temporary_file_left_by_a_killed_run_is_removed(project, monkeypatch, capsys):
    armlint(monkeypatch, capsys, *CHECK)
    [record] = records(project)
    left = record.parent / "x.run.12345.tmp"
    left.write_bytes(b"half")
    old = time.time() - 7200
    os.utime(left, (old, old))
    young = record.parent / "y.run.12346.tmp"
    young.write_bytes(b"being written")
    armlint(monkeypatch, capsys, *CHECK, "--select", "AZP101")  # another record is written
    assert not left.exists() and young.exists()


def test_a_current_folder_that_is_gone_is_a_one_line_error(tmp_path, monkeypatch, capsys):
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    assert cli.main(["check", "."]) == cli.EXIT_USAGE
    assert capsys.readouterr().err == "armlint: error: the current folder no longer exists\n"
