"""The package API: format registry, options, cheap import, atomic writes."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import pytest

import armlint.fileio as fileio
from armlint.report import FORMATS, ReportOptions, render, write_atomic


def test_every_format_resolves_and_renders(sample):
    for name in FORMATS:
        text = render(name, sample, ReportOptions())
        assert isinstance(text, str) and text.endswith("\n"), name


def test_registry_names_importable_functions():
    for name, spec in FORMATS.items():
        module_name, _, function_name = spec.partition(":")
        assert callable(getattr(importlib.import_module(module_name), function_name)), name


def test_unknown_format_lists_the_choices(sample):
    with pytest.raises(ValueError, match="choose one of: azure-devops, full, github, html"):
        render("xml", sample, ReportOptions())


def test_options_are_keyword_only_and_default_off():
    options = ReportOptions()
    assert (options.show_unknown, options.color, options.show_suppressed) == (False,) * 3
    assert (options.tool_version, options.root) == ("", "")
    with pytest.raises(TypeError):
        ReportOptions(True)  # type: ignore[misc]


def test_import_is_cheap():
    """Importing the package must not import any format, jinja2 or jsonschema."""
    code = (
        "import sys, armlint.report; "
        "print(sorted(m for m in sys.modules if m.startswith(('armlint.report.', 'jinja2', "
        "'jsonschema', 'xml'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def leftovers(directory) -> list[str]:
    return sorted(name for name in os.listdir(directory) if name.endswith(".tmp"))


def test_write_atomic_creates_and_replaces(tmp_path):
    target = tmp_path / "report.sarif"
    write_atomic(target, "first\n")
    assert target.read_text(encoding="utf-8") == "first\n"
    write_atomic(str(target), "second ✓\r\n")
    assert target.read_bytes() == "second ✓\r\n".encode()
    assert leftovers(tmp_path) == []


def test_write_atomic_uses_umask_permissions(tmp_path):
    if os.name != "posix":
        pytest.skip("permission bits are POSIX")
    umask = os.umask(0o022)
    try:
        write_atomic(tmp_path / "out.txt", "x")
    finally:
        os.umask(umask)
    assert (tmp_path / "out.txt").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_write_atomic_failure_keeps_old_content_and_removes_temp(tmp_path, monkeypatch, failing):
    target = tmp_path / "report.json"
    target.write_text("old", encoding="utf-8")

    def boom(*_args, **_kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(fileio.os, failing, boom)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new content")
    monkeypatch.undo()
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def test_write_atomic_interrupted_write_keeps_old_content(tmp_path, monkeypatch):
    """Even a KeyboardInterrupt halfway leaves the old file and no temporary file."""
    target = tmp_path / "report.txt"
    target.write_text("old", encoding="utf-8")
    monkeypatch.setattr(fileio, "_write_synced", _interrupt_after_partial_write)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert leftovers(tmp_path) == []


def _interrupt_after_partial_write(descriptor: int, data: bytes) -> None:
    os.write(descriptor, data[:1])
    os.close(descriptor)
    raise KeyboardInterrupt


def test_write_atomic_missing_directory_creates_nothing(tmp_path):
    with pytest.raises(FileNotFoundError):
        write_atomic(tmp_path / "missing" / "out.txt", "x")
    assert os.listdir(tmp_path) == []
