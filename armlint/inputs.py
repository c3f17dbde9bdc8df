"""Inputs that are not regular files: ``-`` (stdin), FIFOs and process substitution
(``armlint diff <(git show HEAD~1:vm.json) vm.json``).

Their bytes can be read once only, and the loaders read files by path (more than once for
some formats), so each is copied into a private temporary folder first, under the name it is
reported by: ``--stdin-filename`` for stdin (default ``stdin.json``), the argument itself for a
FIFO. The folder is marked as its own repository root (an empty ``.git`` file) so fingerprints
are computed from that name, not from the random folder. After the run, ``restore`` puts the
names back into findings, file reports, records and notes.

pathlib is imported only where a copy is made: every check passes its arguments through
``SpecialInputs.path``, and a check of regular files makes no ``Path`` (issue 16, start-up).

A FIFO has no file name extension to tell its format: its first bytes decide (``{`` or ``[``
JSON; a ``resource "type" "name"`` block or ``variable "x"`` Terraform; otherwise Bicep
keywords ``param``/``resource``/``module``/``targetScope``, else JSON).
"""

from __future__ import annotations

import os
import re
import stat
import sys

from armlint.run.discover import kind_of

STDIN = "-"
DEFAULT_STDIN_NAME = "stdin.json"
# Compiled on first use (re caches them): only a standard-input run without a name needs them.
_TERRAFORM = rb'^\s*(resource|data|variable|module|locals|provider|terraform)\s*["{]'
_BICEP = rb"^\s*(param|resource|module|targetScope|var|output)\s+\w"


class InputError(Exception):
    """A named input that cannot be read: a usage error (exit 2)."""


class SpecialInputs:
    def __init__(self, stdin_filename: str | None, max_bytes: int) -> None:
        self.stdin_filename = stdin_filename
        self.max_bytes = max_bytes
        self.names: dict[str, str] = {}  # temporary copy -> name to report
        self._folder: str | None = None

    def path(self, given: str) -> str:
        """The path to read for an argument: a temporary copy for stdin and FIFOs."""
        if given == STDIN:
            name = self.stdin_filename or DEFAULT_STDIN_NAME
            return self._copy(sys.stdin.buffer, name, name)
        if not _is_pipe_like(given):
            _check_readable(given)
            return given
        try:
            with open(given, "rb") as stream:
                return self._copy(stream, given, None)
        except OSError as error:
            raise InputError(f"cannot read {given}: {error.strerror}") from None

    def _copy(self, stream, shown: str, name: str | None) -> str:
        from pathlib import Path  # see the module's docstring

        data = stream.read(self.max_bytes + 1)
        if len(data) > self.max_bytes:
            raise InputError(f"{shown}: larger than {self.max_bytes // (1024 * 1024)} MB")
        if name is None or kind_of(Path(name)) is None:
            name = _named_by_content(name or shown, data)
        relative = _safe_relative(name)
        target = Path(self._root()) / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.names[str(target)] = shown
        return str(target)

    def _root(self) -> str:
        if self._folder is None:
            import tempfile  # only for stdin and FIFOs: not on every run's start-up path

            self._folder = tempfile.mkdtemp(prefix="armlint-input-")
            with open(os.path.join(self._folder, ".git"), "w", encoding="utf-8"):
                pass  # an empty .git file: see the docstring
        return self._folder

    def restore(self, result) -> None:
        """Report each copy under its name (findings, provenance, files, records, notes)."""
        if not self.names:
            return
        for finding in result.findings:
            finding.location = self._location(finding.location)
            finding.message = self._text(finding.message)
            finding.provenance = type(finding.provenance)(
                self._text(step) for step in finding.provenance
            )
        for report in result.files:
            report.path = self.names.get(report.path, report.path)
        for record in getattr(result, "records", []):
            record.path = self.names.get(record.path, record.path)
            record.location = self._location(record.location)
        result.notes = [self._text(note) for note in result.notes]

    def _location(self, location):
        name = self.names.get(location.path)
        return location if name is None else location.replace(path=name)

    def shown(self, text: str) -> str:
        """``text`` with each temporary copy's path replaced by the name it stands for."""
        return self._text(text)

    def _text(self, text: str) -> str:
        for copy, name in self.names.items():
            text = text.replace(copy, name)
        return text

    def cleanup(self) -> None:
        if self._folder is not None:
            import shutil

            shutil.rmtree(self._folder, ignore_errors=True)


def _is_pipe_like(given: str) -> bool:
    try:
        mode = os.stat(given).st_mode
    except OSError:
        return False
    return stat.S_ISFIFO(mode) or (stat.S_ISCHR(mode) and given.startswith("/dev/fd/"))


def _check_readable(given: str) -> None:
    """A named file that exists but cannot be opened is the caller's problem to fix now."""
    if os.path.isfile(given) and not os.access(given, os.R_OK):
        raise InputError(f"cannot read {given}: permission denied")


def _named_by_content(shown: str, data: bytes) -> str:
    from pathlib import Path  # see the module's docstring

    stem = re.sub(r"[^\w.-]+", "_", Path(shown).name) or "input"
    head = data.lstrip()[:1]
    if head in (b"{", b"["):
        return f"{stem}.json"
    if re.search(_TERRAFORM, data[:65536], re.M):
        return f"{stem}.tf"
    if re.search(_BICEP, data[:65536], re.M):
        return f"{stem}.bicep"
    return f"{stem}.json"


def _safe_relative(name: str) -> str:
    """``--stdin-filename`` as a path inside the temporary folder (no '..', not absolute)."""
    from pathlib import Path  # see the module's docstring

    parts = [part for part in Path(name).parts if part not in ("", "/", "..", ".")]
    parts = [part for part in parts if not part.endswith(":\\")]
    return str(Path(*parts)) if parts else DEFAULT_STDIN_NAME
