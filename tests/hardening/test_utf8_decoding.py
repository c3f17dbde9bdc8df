"""``fileio.decode_utf8`` reads text as the ``utf-8-sig`` codec does without importing that
codec (about 1 M instructions of every check's start-up, issue 16): the same text, and the same
error at the same position, for every kind of input a template or comment scan can hold."""

import subprocess
import sys

import pytest

from armlint.fileio import decode_utf8

BOM = b"\xef\xbb\xbf"
SAMPLES = [
    b"",
    b'{"a": 1}',
    BOM + b'{"a": 1}',
    BOM,
    BOM + BOM + b"x",  # only the first mark is dropped
    b"\xef\xbb",  # half a mark
    BOM + b"ab\xffc",  # a bad byte after the mark: its position counts from after the mark
    b"ab\xffc",
    "caf\u00e9 \u2603".encode(),
]


@pytest.mark.parametrize("data", SAMPLES)
@pytest.mark.parametrize("errors", ["strict", "replace"])
def test_the_same_text_or_error_as_the_codec(data, errors):
    try:
        expected = data.decode("utf-8-sig", errors)
    except UnicodeDecodeError as error:
        with pytest.raises(UnicodeDecodeError) as raised:
            decode_utf8(data, errors)
        assert str(raised.value) == str(error)
        assert (raised.value.start, raised.value.end) == (error.start, error.end)
    else:
        assert decode_utf8(data, errors) == expected


def test_the_codec_module_is_not_imported():
    code = (
        "import sys\n"
        "from armlint.fileio import decode_utf8\n"
        "decode_utf8(b'\\xef\\xbb\\xbfx')\n"
        "print('encodings.utf_8_sig' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert completed.stdout.strip() == "False"
