"""SHA-256 of the result cache's own texts (keys, stamps, records), without OpenSSL while
they are small. Imports nothing but ``sys`` and CPython's builtin hash: the replay of an
unchanged run (armlint/run/replay.py) keys its record with it before anything else loads."""

from __future__ import annotations

import sys

# CPython's own SHA-256, for ``hexdigest`` (see there): ``_sha2`` from Python 3.12,
# ``_sha256`` before (asked first there: a module not found is a search of every sys.path
# folder, a fifth of a millisecond).
_BUILTIN_SHA = ("_sha2", "_sha256") if sys.version_info >= (3, 12) else ("_sha256", "_sha2")
try:
    _builtin_sha256 = __import__(_BUILTIN_SHA[0]).sha256
except ImportError:
    try:
        _builtin_sha256 = __import__(_BUILTIN_SHA[1]).sha256
    except ImportError:  # a build without CPython's own hashes: hashlib's alone
        _builtin_sha256 = None


# ``hashlib`` loads OpenSSL's ``_hashlib`` (with libcrypto): about 10 M instructions and 3.5 ms
# of CPU, a sixteenth of a fully cached run of the ARM corpus, which hashes only its cache keys,
# its walk key, the rule pack's digest and its entries' stamps (276 kB). CPython's own SHA-256
# (``_sha256``; ``_sha2`` from Python 3.12) gives the same digests, so every cache stays valid,
# and imports in about 0.3 ms, but hashes about five times slower (those entries: 1.1 ms against
# 0.2 ms). So ``hexdigest`` uses it until the process has hashed ``BUILTIN_BUDGET`` bytes with
# it, or once ``hashlib`` is imported anyway (a run that reads files hashes their contents with
# it), and OpenSSL's after that. File contents are always hashed with ``hashlib``
# (``workunits._read_digest``): megabytes, where the builtin would cost more than the import.
# Past this many bytes hashed, OpenSSL's import costs less than the builtin's slower hashing
# of what is left (about 3.3 ms more per MB): the worst case is a run that hashes a little more
# than this and then imports hashlib all the same, about 1.7 ms slower than before.
BUILTIN_BUDGET = 512 * 1024


class _Budget:
    """Bytes the builtin may still hash in this process."""

    left = BUILTIN_BUDGET


def hexdigest(data: bytes) -> str:
    """The SHA-256 of ``data`` in hex, as ``hashlib.sha256(data).hexdigest()`` gives it."""
    builtin = _builtin_sha256 is not None and "hashlib" not in sys.modules
    if builtin and len(data) <= _Budget.left:
        _Budget.left -= len(data)
        return _builtin_sha256(data).hexdigest()
    import hashlib  # OpenSSL's: see above

    return hashlib.sha256(data).hexdigest()
