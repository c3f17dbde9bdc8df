"""Bicep string literals, decoded from the original bytes (escapes, interpolation, ''' strings)."""

from __future__ import annotations

import re
from typing import Any

_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]{1,6}\}|.)", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "\\": "\\", "'": "'", "$": "$"}


def _unescape(text: str) -> str:
    if "\\" not in text:  # most strings: nothing to replace, and sub() costs per call
        return text

    def replace(match: re.Match) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return chr(int(code[2:-1], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(replace, text)


def parts(source: Any, node: Any) -> list[Any]:
    """The pieces of a string node: decoded text (str) and interpolation expression nodes."""
    raw = source.data
    if raw.startswith(b"'''", node.start_byte):
        text = raw[node.start_byte + 3 : max(node.start_byte + 3, node.end_byte - 3)]
        decoded = text.decode("utf-8", "replace")
        if decoded.startswith("\r\n"):
            decoded = decoded[2:]
        elif decoded.startswith("\n"):
            decoded = decoded[1:]
        return [decoded]
    pieces: list[Any] = []
    cursor = node.start_byte + 1
    end = node.end_byte - 1 if raw[node.end_byte - 1 : node.end_byte] == b"'" else node.end_byte
    for child in node.children:
        if child.type != "interpolation":
            continue
        if child.start_byte > cursor:
            pieces.append(_unescape(raw[cursor : child.start_byte].decode("utf-8", "replace")))
        inner = [c for c in child.named_children if c.type not in ("comment",)]
        pieces.append(inner[0] if inner else None)
        cursor = child.end_byte
    if end > cursor:
        pieces.append(_unescape(raw[cursor:end].decode("utf-8", "replace")))
    return pieces


def literal_text(source: Any, node: Any) -> str:
    return "".join(piece for piece in parts(source, node) if isinstance(piece, str))
