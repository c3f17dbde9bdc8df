"""What a fully cached run no longer pays for (issue 16, session 11: the second cached run under
a tenth of ``--no-cache``): OpenSSL's hashlib (CPython's own SHA-256 gives the same digests),
regular expressions compiled for its exclude patterns or its checks of digests and rule ids,
and ``readline``'s byte-by-byte search of a pack index."""

import hashlib
import json
import re
import sys
from unittest.mock import Mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from armlint import globs
from armlint.run import cache_entry, cache_pack, digests
from armlint.run.workunits import Unit, cache_key, stamped, unstamped
from tests.arm.test_one_file_imports import CLEAN_TEMPLATE, TEMPLATE
from tests.import_probe import matching, modules_after

OPENSSL = ("hashlib", "_hashlib")


def test_a_fully_cached_run_does_not_import_openssl():
    """The repository's example (findings with fixes and fingerprints, read from the cache): a
    file written less than ``cache_pack.SETTLED_NS`` ago would be hashed by every run."""
    arguments = ["check", "--format", "json", str(TEMPLATE)]
    _, stored = modules_after(arguments)  # stores the result unless an earlier test did
    loaded, report = modules_after(arguments)
    assert "armlint.run.cache_pack" in loaded and "armlint.arm.loader" not in loaded  # cached
    assert report == stored and report["findings"]
    assert matching(loaded, OPENSSL) == []
    assert "armlint.resolving" not in loaded  # for Terraform and Bicep links only


def test_a_run_without_the_cache_does_not_load_cache_modules(tmp_path):
    template = tmp_path / "vm.json"
    template.write_text(json.dumps(CLEAN_TEMPLATE), encoding="utf-8")
    loaded, _ = modules_after(["check", "--no-cache", "--format", "json", str(template)])
    assert matching(loaded, ("armlint.run.cache_pack", "_sha256", "_sha2")) == []


BODIES = [b"", b"{}", b'{"format": 4}' * 40, bytes(range(256)) * 3000]  # the last above budget


@pytest.mark.parametrize("data", BODIES)
def test_the_digests_are_hashlib_s(data, monkeypatch):
    """The same digests whichever SHA-256 computes them: caches written before stay valid."""
    expected = hashlib.sha256(data).hexdigest()
    monkeypatch.delitem(sys.modules, "hashlib")  # as in a fully cached run
    monkeypatch.setattr(digests._Budget, "left", digests.BUILTIN_BUDGET)
    assert digests.hexdigest(data) == expected
    monkeypatch.setattr(digests, "_builtin_sha256", None)  # a build without it
    assert digests.hexdigest(data) == expected


def test_the_builtin_hashes_no_more_than_its_budget(monkeypatch):
    calls = []

    def counted(data):
        calls.append(len(data))
        return hashlib.sha256(data)

    monkeypatch.delitem(sys.modules, "hashlib")
    monkeypatch.setattr(digests, "_builtin_sha256", counted)
    monkeypatch.setattr(digests._Budget, "left", 10)
    for data in (b"123456", b"7890", b"x"):
        assert digests.hexdigest(data) == hashlib.sha256(data).hexdigest()
    assert calls == [6, 4]  # the last byte is past the budget: OpenSSL's, imported again
    assert digests.hexdigest(b"y") == hashlib.sha256(b"y").hexdigest()
    assert calls == [6, 4]  # and hashlib imported: OpenSSL's from now on


def test_a_unit_s_key_is_the_digest_of_its_parts_as_before(tmp_path):
    """The key was an incremental hashlib digest of the settings, then each file's name and
    content digest: joined into one text now, it must not change (the cache stays valid)."""
    files = [tmp_path / "a.json", tmp_path / "a.parameters.json"]
    for number, path in enumerate(files):
        path.write_bytes(b'{"n": %d}' % number)
    names = tuple(str(path) for path in files)
    expected = hashlib.sha256(b"settings|x")
    for path in files:
        expected.update(str(path).encode())
        expected.update(hashlib.sha256(path.read_bytes()).hexdigest().encode())
    assert cache_key(Unit("json", names), "settings|x") == expected.hexdigest()


def test_an_entry_stamp_is_checked_as_before():
    entry = stamped(json.dumps({"format": 4, "files": []}))
    body = entry[: -len(b', "stamp": "') - 64 - 2] + b"}"
    assert entry.endswith(hashlib.sha256(body).hexdigest().encode() + b'"}')
    assert unstamped(entry) == body
    assert unstamped(entry.replace(b"4", b"5", 1)) is None


TEXT = st.text(alphabet="0123456789abcdefABCDEF gz\n٣\u00e9Z", max_size=80)


@settings(max_examples=300, deadline=None)
@given(text=TEXT)
def test_hex_digits_alone_as_the_regular_expression(text):
    assert cache_pack.hex_digits_alone(text) is (re.fullmatch(r"[0-9a-f]*", text) is not None)
    digest = text[:64]
    assert cache_pack._digests([digest]) is (re.fullmatch(r"[0-9a-f]{64}", digest) is not None)
    real = hashlib.sha256(text.encode()).hexdigest()
    assert cache_pack._digests([real, real]) and not cache_pack._digests([real, real + "0"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet="AZP0123456789٣\n x", max_size=8) | st.from_regex(r"AZP\d{3}\n?"))
def test_a_rule_id_as_the_regular_expression(text):
    assert cache_entry._rule_id(text) is (re.fullmatch(r"AZP[0-9]{3}", text) is not None)


@settings(max_examples=300, deadline=None)
@given(line=st.text(alphabet="aZ09_.*-/#!?[\\ \n", max_size=8))
def test_a_name_glob_as_the_regular_expression(line):
    expected = re.fullmatch(r"(?!#)(?!.*\*\*)[A-Za-z0-9_.*-]+/?", line) is not None
    assert globs._is_name_glob(line) is expected


def test_name_globs_are_compiled_at_the_first_verdict(monkeypatch, tmp_path):
    """A fully cached run reuses its recorded walk: its excludes are never asked."""
    made = Mock(wraps=globs._names_regex)
    monkeypatch.setattr(globs, "_names_regex", made)
    patterns = globs.Patterns(["*.tf", "build/"], tmp_path)
    made.assert_not_called()
    assert patterns.matches(tmp_path / "main.tf") and not patterns.matches(tmp_path / "a.json")
    made.assert_called_once_with(("*.tf", "build/"))


def test_other_patterns_are_still_refused_at_once(tmp_path):
    with pytest.raises(ValueError):  # pathspec's GitIgnorePatternError
        globs.Patterns(["a\\"], tmp_path)


@pytest.mark.parametrize("piece", [3, 7, 1024])
@pytest.mark.parametrize(
    "content", [b"", b"\n", b"abc", b"abc\n", b"abcdef\nrest\nmore", b"x" * 40 + b"\ny"]
)
@pytest.mark.parametrize("limit", [5, 100])
def test_the_first_line_is_what_readline_gives(tmp_path, monkeypatch, piece, content, limit):
    path = tmp_path / "file.pack"
    path.write_bytes(content)
    monkeypatch.setattr(cache_pack, "INDEX_PIECE_BYTES", piece)
    with open(path, "rb") as stream:
        expected = stream.readline(limit)
    assert cache_pack._first_line(str(path), limit) == expected
