"""The one policy for every file armlint opens, reading or writing.

Reading: a file is opened without blocking (``O_NONBLOCK``), checked on the opened descriptor
(``fstat``, so a symlink swapped after a check cannot fool it), read only if it is a regular
file, and never beyond a byte cap. A FIFO or a device found by walking or linking is refused,
never read: a FIFO blocks for ever, ``/dev/zero`` never ends.

An argument the user named (``--parameters``, ``--var-file``, a path, ``-`` for stdin) may be a
FIFO such as ``<(git show ...)``. It can be read only once, so it is read into memory once
(``read_named_argument``) and every later reader (the cache key, the loader, a worker process)
gets those bytes from ``preloaded`` instead of reading the pipe again.

Writing: ``write_output`` replaces a regular file atomically, but writes in place to a device,
FIFO or ``/dev/stdout`` (replacing ``/dev/full`` with a regular file destroyed it), and follows
a symlink to its target rather than replacing the link.
"""

from __future__ import annotations

# No contextlib (see armlint/cli.py): try/except instead of suppress().
import errno
import io
import os
import stat
import sys

STDIN_NAME = "-"
# The cap of a reader that is not told one: the default file-size limit (discovery applies the
# configured one before any loader reads).
DEFAULT_CAP = 20 * 1024 * 1024
READ_CHUNK = 1024 * 1024
# Never block on a FIFO, never become its controlling terminal, no newline translation.
_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_NOCTTY", 0)
    | getattr(os, "O_BINARY", 0)
)

# Bytes of the named arguments that are not regular files, by the name the user gave. Filled
# explicitly by ``read_named_argument`` (or ``preload`` in a worker process), never on import.
_preloaded: dict[str, bytes] = {}
# `check --diff`: the texts the fixes would write, by real path, read instead of the files so
# that the fixes are verified by a real check without writing anything (armlint.fix.apply).
_overlay: dict[str, bytes] = {}


class SpecialFileError(OSError):
    """The path is a FIFO, socket, device or folder: armlint does not read it."""


class TooLargeError(OSError):
    """The file is larger than the cap; ``size`` is what ``fstat`` said (or the cap + 1)."""

    def __init__(self, path: str, size: int, cap: int) -> None:
        super().__init__(errno.EFBIG, f"larger than {cap} bytes", path)
        self.size = size
        self.cap = cap


class OutputError(Exception):
    """An output could not be written; ``usage`` tells a wrong argument from a failed write."""

    def __init__(self, message: str, usage: bool = False) -> None:
        super().__init__(message)
        self.usage = usage


def kind_of(mode: int) -> str:
    """'a FIFO', 'a socket', ... for messages."""
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def read_regular(path: str | os.PathLike[str], cap: int) -> bytes:
    """The bytes of a regular file, at most ``cap`` of them.

    Raises ``SpecialFileError`` for anything but a regular file, ``TooLargeError`` above the
    cap, and ``OSError`` as ``open`` does. Named arguments read earlier come from memory."""
    name = os.fspath(path)
    data = _in_memory(name)
    if data is not None:
        if len(data) > cap:
            raise TooLargeError(name, len(data), cap)
        return data
    descriptor, size = _open_regular(name, cap)
    try:
        # Never past the size fstat gave: a file of /proc or /sys says 0 bytes and may block
        # (/proc/kmsg) or change the system when read; a growing file is read as it was.
        return _read_exactly(descriptor, size)
    finally:
        os.close(descriptor)


def decode_utf8(data: bytes, errors: str = "strict") -> str:
    """``data.decode("utf-8-sig", errors)``: UTF-8 with a byte-order mark dropped, errors and
    their positions as that codec gives them, without importing the codec (about 1 M
    instructions of every check's start-up, issue 16)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return data.decode("utf-8", errors)


def _open_regular(name: str, cap: int) -> tuple[int, int]:
    """(descriptor, size) of a regular file of at most ``cap`` bytes, opened without blocking
    and checked on the descriptor; the caller closes it."""
    descriptor, status = _open_checked(name, cap)
    return descriptor, status.st_size


def _open_checked(name: str, cap: int) -> tuple[int, os.stat_result]:
    """``_open_regular`` with the whole ``fstat`` of the opened file."""
    descriptor = os.open(name, _READ_FLAGS)
    try:
        mode = os.fstat(descriptor)
        if not stat.S_ISREG(mode.st_mode):
            raise SpecialFileError(errno.EINVAL, f"{kind_of(mode.st_mode)}; not read", name)
        if mode.st_size > cap:
            raise TooLargeError(name, mode.st_size, cap)
    except BaseException:
        os.close(descriptor)
        raise
    return descriptor, mode


class BufferReader:
    """``read_regular`` into one buffer reused from file to file, for a caller that is done
    with a file's bytes before it reads the next (the cache keys of a run: a new bytes object
    per file, its pages faulted in one by one, was about a third of their cost).

    ``read`` returns a memoryview that starts at the beginning of its ``obj`` (the buffer, or
    the bytes kept in memory for a named argument or a ``--diff`` text); the next ``read``
    overwrites it. ``status`` is the ``fstat`` of the file last read (None for bytes kept in
    memory): the result cache keeps it beside the file's digest."""

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.status: os.stat_result | None = None

    def read(self, path: str | os.PathLike[str], cap: int) -> memoryview:
        name = os.fspath(path)
        self.status = None
        data = _in_memory(name)
        if data is not None:
            return memoryview(read_regular(name, cap))  # the same checks as for any reader
        descriptor, self.status = _open_checked(name, cap)
        size = self.status.st_size
        try:
            if len(self._buffer) < size:
                self._buffer = bytearray(size)  # a view of the old one may be alive
            view = memoryview(self._buffer)
            with io.FileIO(descriptor, closefd=False) as stream:
                total = 0
                while total < size:  # never past fstat's size, as read_regular
                    count = stream.readinto(view[total:size])
                    if not count:
                        break
                    total += count
            return view[:total]
        finally:
            os.close(descriptor)


def held_in_memory(path: str) -> bool:
    """Whether readers get ``path``'s bytes from memory (``check --diff``, a named pipe)."""
    return _in_memory(path) is not None


def _in_memory(name: str) -> bytes | None:
    """A fixed text of ``check --diff`` or a named argument read earlier, else None."""
    if _overlay:
        data = _overlay.get(os.path.realpath(name))
        if data is not None:
            return data
    return _preloaded.get(name)


def _read_capped(descriptor: int, name: str, cap: int) -> bytes:
    """Read to the end of a pipe, failing past ``cap``."""
    chunks: list[bytes] = []
    total = 0
    while True:
        chunk = os.read(descriptor, min(READ_CHUNK, cap + 1 - total))
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > cap:
            raise TooLargeError(name, total, cap)


def _read_exactly(descriptor: int, size: int) -> bytes:
    """At most ``size`` bytes of a regular file (fewer if it shrank meanwhile)."""
    chunks, total = [], 0
    while total < size:
        chunk = os.read(descriptor, min(READ_CHUNK, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def is_special(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` (followed through symlinks) exists and is not a regular file or folder."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def read_named_argument(path: str, cap: int) -> bytes:
    """An argument the user named: ``-`` (stdin) or a FIFO is read once into memory and kept,
    so that the cache key and the loader see the same bytes; a regular file is read as usual."""
    if path in _preloaded:
        return read_regular(path, cap)
    if path == STDIN_NAME or _is_pipe(path):
        data = _read_stream(path, cap)
        _preloaded[path] = data
        return data
    return read_regular(path, cap)


def _is_pipe(path: str) -> bool:
    try:
        return stat.S_ISFIFO(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def _read_stream(path: str, cap: int) -> bytes:
    """A pipe read to its end (blocking: the user asked for it) but never beyond ``cap``."""
    if path == STDIN_NAME:
        descriptor, close = sys.stdin.fileno(), False
    else:
        descriptor, close = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0)), True
    try:
        return _read_capped(descriptor, path, cap)
    finally:
        if close:
            os.close(descriptor)


def preload_named_arguments(paths: list[str], cap: int) -> dict[str, bytes]:
    """Read every named argument that is a pipe now; returns what was kept (for workers)."""
    for path in paths:
        if path == STDIN_NAME or _is_pipe(path):
            try:
                read_named_argument(path, cap)
            except OSError:
                pass
    return {path: _preloaded[path] for path in paths if path in _preloaded}


def preload(data: dict[str, bytes]) -> None:
    """In a worker process: the named arguments the parent already read."""
    _preloaded.update(data)


def preloaded(path: str) -> bytes | None:
    return _preloaded.get(path)


def overlay(path: str, data: bytes | None) -> None:
    """Read ``data`` instead of the file at ``path`` from now on (None: the file again)."""
    key = os.path.realpath(path)
    if data is None:
        _overlay.pop(key, None)
    else:
        _overlay[key] = data


def clear_overlay() -> None:
    _overlay.clear()


# -- writing -------------------------------------------------------------------------------


def check_output_path(path: str) -> None:
    """Refuse before any work an output that can never be written (a usage error)."""
    if not path:
        raise OutputError("--output needs a file name", usage=True)
    target = _follow_link(path)
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        folder = os.path.dirname(os.path.abspath(target))
        if not os.path.isdir(folder):
            raise OutputError(f"--output {path}: no such folder: {folder}", usage=True) from None
        return
    except (OSError, ValueError) as error:
        raise OutputError(f"--output {path}: {_reason(error)}", usage=True) from None
    if stat.S_ISDIR(mode):
        raise OutputError(f"--output {path}: is a folder", usage=True)


def write_output(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``: atomically onto a regular file or a new path, in place to a
    device, FIFO or ``/dev/stdout``; a symlink is followed to its target, never replaced.
    Every failure is an ``OutputError`` with one line."""
    check_output_path(path)
    try:
        write_bytes(path, data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {_reason(error)}") from None


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """``write_output`` without the checks and messages: raises ``OSError``."""
    target = _follow_link(os.fspath(path))
    if is_special(target):
        _write_in_place(target, data)
    else:
        _write_atomic(target, data)


def _follow_link(path: str) -> str:
    """The file a symlink chain ends at (even if it does not exist yet); else ``path``."""
    try:
        return os.path.realpath(path) if os.path.islink(path) else path
    except (OSError, ValueError):
        return path


def _write_in_place(target: str, data: bytes) -> None:
    flags = os.O_WRONLY | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(target, flags)
    try:
        view = memoryview(data)
        while view:
            written = os.write(descriptor, view)
            view = view[written:]
    finally:
        os.close(descriptor)


def _write_atomic(target: str, data: bytes) -> None:
    """The temporary file sits beside the target (``os.replace`` is atomic only within one
    file system), with the usual permissions (0666 minus umask) rather than tempfile's 0600."""
    target = os.path.abspath(target)
    descriptor, temporary = _create_temporary(target)
    try:
        _write_synced(descriptor, data)
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise
    _sync_directory(os.path.dirname(target))


def _write_synced(descriptor: int, data: bytes) -> None:
    with open(descriptor, "wb", closefd=True) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _create_temporary(target: str) -> tuple[int, str]:
    directory, name = os.path.split(target)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        candidate = os.path.join(directory, f".{name[:200]}.{os.urandom(4).hex()}.tmp")
        try:
            return os.open(candidate, flags, 0o666), candidate
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "could not create a temporary file", target)


def _sync_directory(directory: str) -> None:
    """Make the rename itself durable; not possible (nor needed) on Windows."""
    try:
        descriptor = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error) or type(error).__name__
