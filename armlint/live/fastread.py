"""Large exports read fast: positions only where the record builder looks.

An ``az vm list`` of 500 VMs is 1.5 MB, most of it network, disk and instance-view detail no
rule reads. The position-keeping reader (``arm.jsonpos``) costs about 8 times ``json.loads`` on
every byte of it; here the standard library's C scanner reads each value no rule looks into,
and only the objects on the paths the record builder follows (``osProfile`` down to
``patchSettings``, ``storageProfile``, ``availabilitySet``, extensions, maintenance
properties) become ``JsonObject``s with the same spans ``jsonpos`` records. Any file this
reader does not take (small, a template or plan by its first bytes, comments, not an export)
is read by ``jsonpos`` as before, so its findings and positions are unchanged.
"""

from __future__ import annotations

import os
import re
from json.decoder import JSONDecoder

from armlint.arm.jsonpos import _COMMA, _PLAIN_KEY, JsonArray, JsonObject, SourceText, decode_bytes

MIN_BYTES = 64 * 1024  # below this the full reader is fast enough and reports duplicate keys
HEAD = 400  # bytes in which a template, parameter file or plan names itself
SNIFF = 16 * 1024  # bytes in which an export names a VM, scale set or maintenance resource
NOT_EXPORT_MARKERS = (b'"$schema"', b'"format_version"')
EXPORT_MARKERS = (b"microsoft.compute/virtualmachine", b"microsoft.maintenance/")
_WS = re.compile(r"[ \t\n\r]*")


def _no_constants(word: str):
    raise NotTaken  # NaN and Infinity are not JSON: the full reader reports them


_scan_once = JSONDecoder(parse_constant=_no_constants).scan_once  # type: ignore[attr-defined]  # not in typeshed

TYPE_CHECKING = False  # typing.TYPE_CHECKING without importing typing (start-up)
if TYPE_CHECKING:
    # Lower-case property name -> the tree of the value below it ({}: no further); _ITEMS ->
    # the tree of an array's object items.
    Tree = dict[str, "Tree"]

# Lower-case property names to descend into (positions kept), per object.
_CONFIGURATION: Tree = {"patchsettings": {"automaticbyplatformsettings": {}}}
_OS_PROFILE = {"windowsconfiguration": _CONFIGURATION, "linuxconfiguration": _CONFIGURATION}
_STORAGE: Tree = {"imagereference": {}, "osdisk": {}}
_ITEMS = "items"  # marks an array whose object items are positioned with the given tree
_EXTENSIONS: Tree = {_ITEMS: {"properties": {}}}
_PROFILE = {
    "osprofile": _OS_PROFILE,
    "storageprofile": _STORAGE,
    "extensionprofile": {"extensions": _EXTENSIONS},
}
_BODY = {
    **_PROFILE,
    "availabilityset": {},
    "availabilitysetreference": {},
    "virtualmachineprofile": _PROFILE,
    "resources": _EXTENSIONS,
    "extensions": _EXTENSIONS,
}
RESOURCE = {**_BODY, "properties": _BODY}
TOP = {"data": {_ITEMS: RESOURCE}, "value": {_ITEMS: RESOURCE}, **RESOURCE}


class NotTaken(Exception):
    """This reader does not take the file; the position-keeping reader will."""


def read_export_fast(path: str, max_bytes: int):
    """A ``JsonDocument`` of an export, or None to leave the file to ``read_json``."""
    try:
        size = os.stat(path).st_size
        if size < MIN_BYTES or size > max_bytes or not _may_be_export(path):
            return None
        with open(path, "rb") as handle:
            text = decode_bytes(handle.read())
    except (OSError, UnicodeDecodeError):
        return None
    src = SourceText(str(path), text)
    try:
        value = parse_selected(text, src)
    except (NotTaken, ValueError, IndexError, StopIteration, RecursionError):
        return None
    # Imported here, past the size and first-bytes tests that turn away nearly every file.
    from armlint.arm.loader import JsonDocument
    from armlint.live.shapes import looks_like_live

    if not looks_like_live(value):
        return None
    return JsonDocument(path, value, src)


def _may_be_export(path: str) -> bool:
    """The first bytes decide, so a large template or plan costs one small read here.

    Every export shape names a VM, scale set or maintenance resource type or id early: the CLI
    sorts keys (``id`` comes before the bulky ``instanceView``), PowerShell prints ``Id``
    second, Resource Graph rows start with ``id``.
    """
    with open(path, "rb") as handle:
        head = handle.read(SNIFF).lower()
    if any(marker in head[:HEAD] for marker in NOT_EXPORT_MARKERS):
        return False
    return any(marker in head for marker in EXPORT_MARKERS)


def parse_selected(text: str, src: SourceText):
    start = _skip(text, 0)
    if start >= len(text) or text[start] not in "[{":
        raise NotTaken
    value: JsonObject | JsonArray
    if text[start] == "[":
        value, end = _array(text, start, src, RESOURCE)
    else:
        value, end = _object(text, start, src, TOP)
    if _skip(text, end) != len(text):
        raise NotTaken  # trailing text, comments: the full reader says what is wrong
    return value


def _skip(text: str, pos: int) -> int:
    blanks = _WS.match(text, pos)
    assert blanks is not None  # [ \t\n\r]* matches everywhere, if only the empty string
    return blanks.end()


def _value(text: str, pos: int, src: SourceText, tree: Tree | None):
    char = text[pos]
    if tree is not None and char == "{" and _ITEMS not in tree:
        return _object(text, pos, src, tree)
    if tree is not None and char == "[" and _ITEMS in tree:
        return _array(text, pos, src, tree[_ITEMS])
    if char == "/":
        raise NotTaken  # a comment: JSON with comments goes to the full reader
    return _scan_once(text, pos)


def _object(text: str, start: int, src: SourceText, tree: Tree) -> tuple[JsonObject, int]:
    obj = JsonObject()
    key_spans: dict[str, tuple[int, int]] = {}
    value_spans: dict[str, tuple[int, int]] = {}
    pos = _skip(text, start + 1)
    if text[pos] == "}":
        end = pos + 1
    else:
        while True:
            member = _PLAIN_KEY.match(text, pos)
            if member is None:
                raise NotTaken  # escapes or comments around a name: the full reader
            key, value_start = member.group(1), member.end()
            if key in obj:
                raise NotTaken  # duplicate keys are the full reader's to report
            value, value_end = _value(text, value_start, src, tree.get(key.lower()))
            obj[key] = value
            key_spans[key] = (pos, member.end(1) + 1)
            value_spans[key] = (value_start, value_end)
            comma = _COMMA.match(text, value_end)
            if comma is not None:
                pos = comma.end()
                continue
            pos = _skip(text, value_end)
            if text[pos] != "}":
                raise NotTaken
            end = pos + 1
            break
    obj.src, obj.span, obj.key_spans, obj.value_spans = src, (start, end), key_spans, value_spans
    return obj, end


def _array(text: str, start: int, src: SourceText, item_tree: Tree) -> tuple[JsonArray, int]:
    arr = JsonArray()
    spans: list[tuple[int, int]] = []
    pos = _skip(text, start + 1)
    if text[pos] == "]":
        end = pos + 1
    else:
        while True:
            value, value_end = _value(text, pos, src, item_tree if text[pos] == "{" else None)
            arr.append(value)
            spans.append((pos, value_end))
            comma = _COMMA.match(text, value_end)
            if comma is not None:
                pos = comma.end()
                continue
            pos = _skip(text, value_end)
            if text[pos] != "]":
                raise NotTaken
            end = pos + 1
            break
    arr.src, arr.span, arr.item_spans = src, (start, end), spans
    return arr, end


__all__ = ["parse_selected", "read_export_fast"]
