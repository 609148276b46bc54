""" "Did you mean ...?" for unknown keys: the nearest valid key at the same place.

The valid keys come from the format's JSON Schema (``model_json_schema()``): the error's
location is followed through ``properties``, ``items``, ``additionalProperties``,
``$ref`` and unions; a location part that names no property is a union tag (pydantic
puts the discriminator's value in the location) and narrows the union to that branch.
Closeness is :func:`difflib.get_close_matches` (Ratcliff–Obershelp ratio ≥ 0.6).
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import Any

Schema = dict[str, Any]

INTERNAL_KEYS = frozenset({"provenance"})
"""Keys the loader fills itself: never suggested."""


def nearest_key(schema: Schema, loc: Sequence[str | int]) -> str | None:
    """The valid key closest to ``loc[-1]`` among the keys allowed at ``loc[:-1]``."""
    if not loc or not isinstance(loc[-1], str):
        return None
    keys = sorted(valid_keys(schema, loc[:-1]) - INTERNAL_KEYS)
    matches = difflib.get_close_matches(loc[-1], keys, n=1, cutoff=0.6)
    return matches[0] if matches else None


def valid_keys(schema: Schema, loc: Sequence[str | int]) -> set[str]:
    """Every property name allowed by the (sub)schema at ``loc``."""
    defs = schema.get("$defs", {})
    nodes = _expand([schema], defs)
    for part in loc:
        nodes = _expand(_step(nodes, part, defs), defs)
    return {key for node in nodes for key in node.get("properties", {})}


def _step(nodes: list[Schema], part: str | int, defs: Schema) -> list[Schema]:
    """The subschemas reached from ``nodes`` by one location part."""
    if isinstance(part, int):
        return [n["items"] for n in nodes if isinstance(n.get("items"), dict)]
    named = [n["properties"][part] for n in nodes if part in n.get("properties", {})]
    if named:
        return named
    tagged = [n for n in nodes if _has_tag(n, part)]
    if tagged:
        return tagged
    return [
        n["additionalProperties"] for n in nodes if isinstance(n.get("additionalProperties"), dict)
    ]


def _has_tag(node: Schema, tag: str) -> bool:
    """Whether ``node`` is the branch a discriminator value ``tag`` selects."""
    for prop in node.get("properties", {}).values():
        if prop.get("const") == tag or tag in prop.get("enum", ()):
            return True
    return node.get("title", "").lower() == tag.replace("_", "")


def _expand(nodes: list[Schema], defs: Schema) -> list[Schema]:
    """Resolve ``$ref`` and flatten ``anyOf``/``oneOf``/``allOf`` into plain nodes."""
    out: list[Schema] = []
    stack = list(nodes)
    while stack:
        node = stack.pop(0)
        if "$ref" in node:
            stack.append(defs.get(node["$ref"].rsplit("/", 1)[-1], {}))
        elif any(k in node for k in ("anyOf", "oneOf", "allOf")):
            stack.extend(n for k in ("anyOf", "oneOf", "allOf") for n in node.get(k, []))
        else:
            out.append(node)
    return out
