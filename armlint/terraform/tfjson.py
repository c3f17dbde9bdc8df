"""Terraform JSON syntax (``.tf.json``, ``.tfvars.json``) to the same ``nodes`` tree.

JSON cannot tell an attribute from a nested block, so the few nested blocks armlint reads are
named here; everything else is an attribute. Strings are templates (``"${var.x}"``) in
``.tf.json`` but plain values in ``.tfvars.json``. Positions come from armlint's
position-keeping JSON reader.
"""

from __future__ import annotations

from typing import Any

from armlint.arm import jsonpos
from armlint.model import Location
from armlint.terraform import nodes as n
from armlint.terraform.hclsyntax import HclSyntaxError, parse_template

# Nested block names, by the block type they appear in ('*' = any resource or data block).
NESTED_BLOCKS = {
    "*": {
        "os_profile",
        "source_image_reference",
        "storage_image_reference",
        "storage_profile_image_reference",
        "os_profile_windows_config",
        "os_profile_linux_config",
        "storage_os_disk",
        "storage_profile_os_disk",
        "extension",
        "filter",
        "lifecycle",
    },
    "os_profile": {"windows_configuration", "linux_configuration"},
    "filter": {"tags"},
    "terraform": {"required_providers"},
}
LABELS = {"resource": 2, "data": 2, "variable": 1, "output": 1, "module": 1, "provider": 1}
EXPRESSION_ATTRIBUTES = {"type"}  # variable types are written as expressions in strings


def parse_tf_json(text: str, path: str) -> n.Body:
    data, _ = _parse(text, path)
    if not isinstance(data, jsonpos.JsonObject):
        raise HclSyntaxError("a .tf.json file must hold a JSON object")
    body = n.Body()
    for block_type, value in data.items():
        loc = data.value_location(block_type)
        body.blocks.extend(_top_blocks(block_type, value, loc))
    return body


def parse_tfvars_json(text: str, path: str) -> n.Body:
    data, _ = _parse(text, path)
    if not isinstance(data, jsonpos.JsonObject):
        raise HclSyntaxError("a .tfvars.json file must hold a JSON object")
    body = n.Body()
    for name, value in data.items():
        loc = data.value_location(name)
        body.attributes[name] = n.Attribute(
            name, _value_expr(value, loc, templates=False), data.key_location(name)
        )
    return body


def _parse(text: str, path: str):
    try:
        return jsonpos.parse(text, path)
    except jsonpos.JsonError as error:
        src = jsonpos.SourceText(path, text)
        line, column = src.line_col(error.offset)
        raise HclSyntaxError(error.message, line, column) from None


def _top_blocks(block_type: str, value: Any, loc: Location) -> list[n.Block]:
    if block_type.startswith("//"):
        return []
    depth = LABELS.get(block_type, 0)
    return [
        n.Block(block_type, labels, _body(obj, block_type), obj_loc)
        for labels, obj, obj_loc in _labelled(value, depth, loc, [])
    ]


def _labelled(value: Any, depth: int, loc: Location, labels: list) -> list:
    """Unfold ``{"type": {"name": {...}}}`` into (labels, body object, location) triples."""
    if isinstance(value, list):
        return [
            item
            for element in value
            for item in _labelled(element, depth, _loc(element, loc), labels)
        ]
    if not isinstance(value, jsonpos.JsonObject):
        return []
    if depth == 0:
        return [(labels, value, _loc(value, loc))]
    found = []
    for key, inner in value.items():
        found.extend(_labelled(inner, depth - 1, value.value_location(key), [*labels, key]))
    return found


def _body(obj: jsonpos.JsonObject, block_type: str) -> n.Body:
    body = n.Body()
    nested = NESTED_BLOCKS.get(block_type, set()) | (
        NESTED_BLOCKS["*"]
        if block_type in ("resource", "data") or block_type in NESTED_BLOCKS["*"]
        else set()
    )
    for key, value in obj.items():
        if key.startswith("//"):
            continue
        value_loc = obj.value_location(key)
        if block_type == "locals" or (key not in nested and key != "dynamic"):
            expr = _attribute_expr(key, value, value_loc, block_type)
            body.attributes[key] = n.Attribute(key, expr, obj.key_location(key))
        elif key == "dynamic":
            body.blocks.extend(_dynamic_blocks(value, value_loc))
        else:
            for _, inner, inner_loc in _labelled(value, 0, value_loc, []):
                body.blocks.append(n.Block(key, [], _body(inner, key), inner_loc))
    return body


def _dynamic_blocks(value: Any, loc: Location) -> list[n.Block]:
    blocks = []
    for labels, obj, obj_loc in _labelled(value, 1, loc, []):
        inner = n.Body()
        for key, item in obj.items():
            item_loc = obj.value_location(key)
            if key == "content":
                for _, content, content_loc in _labelled(item, 0, item_loc, []):
                    inner.blocks.append(
                        n.Block("content", [], _body(content, labels[0]), content_loc)
                    )
            else:
                inner.attributes[key] = n.Attribute(
                    key, _value_expr(item, item_loc), obj.key_location(key)
                )
        blocks.append(n.Block("dynamic", labels, inner, obj_loc))
    return blocks


def _attribute_expr(key: str, value: Any, loc: Location, block_type: str) -> n.Expr:
    if block_type == "variable" and key in EXPRESSION_ATTRIBUTES and isinstance(value, str):
        return _bare_expression(value, loc)
    if key == "iterator" and isinstance(value, str):
        return n.Name(loc, value)
    return _value_expr(value, loc)


def _bare_expression(text: str, loc: Location) -> n.Expr:
    return parse_template("${" + text + "}", loc)


def _value_expr(value: Any, loc: Location, templates: bool = True) -> n.Expr:
    if isinstance(value, str):
        return (
            parse_template(value, loc)
            if templates and ("${" in value or "%{" in value)
            else n.Literal(loc, value)
        )
    if isinstance(value, list):
        return n.TupleExpr(
            loc,
            [_value_expr(item, _item(value, i, loc), templates) for i, item in enumerate(value)],
        )
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            item_loc = value.value_location(key) if hasattr(value, "value_location") else loc
            key_loc = value.key_location(key) if hasattr(value, "key_location") else loc
            items.append(
                n.ObjectItem(
                    n.Literal(key_loc, key), _value_expr(item, item_loc, templates), key_loc
                )
            )
        return n.ObjectExpr(loc, items)
    return n.Literal(loc, value)


def _loc(value: Any, fallback: Location) -> Location:
    locate = getattr(value, "location", None)
    return locate() if callable(locate) else fallback


def _item(items: list, position: int, fallback: Location) -> Location:
    locate = getattr(items, "item_location", None)
    return locate(position) if locate is not None else fallback
