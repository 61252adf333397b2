"""One canonical form for a JSON body schema, whatever style the OpenAPI document was written in.

Two documents that mean the same body give equal `Schema` trees, so comparing them finds only real changes:

- `$ref` targets are inlined, so a named schema and the same schema written inline are equal;
- `allOf` wrappers are merged into one node (`allOf: [$ref X]` plus siblings is X plus those siblings);
- `nullable` is the same whether it sits on the referenced schema, at the use site or as `null` in an enum
  (OpenAPI 3.1's `type: [..., "null"]` and `anyOf: [X, {type: "null"}]` read the same way);
- enum values are text, so YAML's unquoted `4.1` (a float) equals `"4.1"`;
- descriptions, examples, titles and vendor extensions (`x-hidden-from-docs`) are documentation and dropped.

Only what a client can observe is kept: types, formats, enums, required and nullable fields, array items,
bounds, `deprecated`, and whether an object admits unknown properties.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ._load import SpecReadError

# Keywords that bound a value; compared one by one (see the rules table for which way is tighter).
CONSTRAINT_KEYWORDS = (
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "uniqueItems",
    "minProperties",
    "maxProperties",
)
# Keywords that make a schema say something about the value (a schema with none of them accepts anything).
_CONSTRAINING = {
    "$ref",
    "type",
    "properties",
    "items",
    "enum",
    "allOf",
    "oneOf",
    "anyOf",
    "format",
    "additionalProperties",
    "required",
    *CONSTRAINT_KEYWORDS,
}


@dataclass(frozen=True)
class Schema:
    """A body schema in canonical form. `types` is empty when any JSON type is accepted."""

    types: frozenset[str] = frozenset()
    format: str | None = None
    nullable: bool = False
    enum: frozenset[str] | None = None
    properties: Mapping[str, Schema] = field(default_factory=dict)
    required: frozenset[str] = frozenset()
    open: bool = True
    extra: Schema | None = None
    items: Schema | None = None
    deprecated: bool = False
    constraints: Mapping[str, Any] = field(default_factory=dict)
    variants: tuple[Schema, ...] = ()
    recursive_ref: str | None = None


def enum_text(value: object) -> str:
    """An enum value as the text that travels in JSON: YAML's 4.1, 4 and true become "4.1", "4", "true"."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return repr(value)


class Normaliser:
    """Turns raw schema dicts of one document into `Schema` trees, resolving local `$ref`s once each."""

    def __init__(self, document: Mapping[str, Any], source: str) -> None:
        self._document = document
        self._source = source
        self._by_ref: dict[str, Schema] = {}
        self._resolving: list[str] = []

    def resolve(self, ref: str) -> Any:
        """The raw node a local `$ref` ("#/components/schemas/X") points at."""
        if not ref.startswith("#/"):
            raise SpecReadError(f"{self._source}: only local $ref values are supported, got {ref!r}")
        node: Any = self._document
        for part in ref[2:].split("/"):
            key = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, Mapping) or key not in node:
                raise SpecReadError(f"{self._source}: $ref {ref!r} points at nothing")
            node = node[key]
        return node

    def deref(self, node: Any) -> Any:
        """Follow `$ref` chains of a non-schema object (a response, a request body)."""
        seen = set()
        while isinstance(node, Mapping) and "$ref" in node:
            ref = node["$ref"]
            if ref in seen:
                raise SpecReadError(f"{self._source}: $ref {ref!r} refers to itself")
            seen.add(ref)
            node = self.resolve(ref)
        return node

    def schema(self, node: Any) -> Schema:
        if not isinstance(node, Mapping):
            if node is True or node is None:
                return Schema()
            raise SpecReadError(f"{self._source}: a schema must be a mapping, got {node!r}")
        members: list[Schema] = []
        if "$ref" in node:
            members.append(self._ref(str(node["$ref"])))
        for member in node.get("allOf") or ():
            if isinstance(member, Mapping) and not _CONSTRAINING & member.keys():
                # `{}` or `{x-hidden-from-docs: true}`: documentation-only members change nothing.
                continue
            members.append(self.schema(member))
        own = self._own(node)
        if not members:
            return own
        merged = members[0]
        for member in members[1:]:
            merged = merge(merged, member)
        merged = merge(merged, dataclasses.replace(own, nullable=False))
        # Nullable where the wrapper says so, or where every member it combines is nullable.
        return dataclasses.replace(merged, nullable=own.nullable or all(m.nullable for m in members))

    def _ref(self, ref: str) -> Schema:
        cached = self._by_ref.get(ref)
        if cached is not None:
            return cached
        if ref in self._resolving:
            return Schema(recursive_ref=ref.rsplit("/", 1)[-1])
        self._resolving.append(ref)
        try:
            result = self.schema(self.resolve(ref))
        finally:
            self._resolving.pop()
        self._by_ref[ref] = result
        return result

    def _own(self, node: Mapping[str, Any]) -> Schema:
        """The node's own keywords, `$ref` and `allOf` aside."""
        raw_type = node.get("type")
        types = set(raw_type) if isinstance(raw_type, list) else {raw_type} if raw_type else set()
        nullable = node.get("nullable") is True or "null" in types
        types.discard("null")
        enum: frozenset[str] | None = None
        if "enum" in node and isinstance(node["enum"], list):
            nullable = nullable or None in node["enum"]
            enum = frozenset(enum_text(v) for v in node["enum"] if v is not None)
        properties = {str(k): self.schema(v) for k, v in (node.get("properties") or {}).items()}
        if not types and properties:
            types.add("object")
        items = self.schema(node["items"]) if "items" in node else None
        if not types and items is not None:
            types.add("array")
        extra_raw = node.get("additionalProperties", True)
        extra = self.schema(extra_raw) if isinstance(extra_raw, Mapping) and extra_raw else None
        variants: list[Schema] = []
        for keyword in ("oneOf", "anyOf"):
            for variant in node.get(keyword) or ():
                if isinstance(variant, Mapping) and variant.get("type") == "null" and len(variant) == 1:
                    nullable = True
                else:
                    variants.append(self.schema(variant))
        own = Schema(
            types=frozenset(types),
            format=node.get("format"),
            nullable=nullable,
            enum=enum,
            properties=properties,
            required=frozenset(str(r) for r in node.get("required") or ()),
            open=extra_raw is not False,
            extra=extra,
            items=items,
            deprecated=node.get("deprecated") is True,
            constraints={k: node[k] for k in CONSTRAINT_KEYWORDS if k in node},
        )
        if len(variants) == 1:
            # `anyOf: [X, {type: null}]` is X, nullable.
            return dataclasses.replace(merge(variants[0], own), nullable=nullable or variants[0].nullable)
        return dataclasses.replace(own, variants=tuple(variants))


def merge(a: Schema, b: Schema) -> Schema:
    """The schema a value must satisfy to satisfy both (the meaning of `allOf`)."""
    types = a.types & b.types or a.types | b.types if a.types and b.types else a.types or b.types
    if a.enum is not None and b.enum is not None:
        enum: frozenset[str] | None = a.enum & b.enum
    else:
        enum = a.enum if a.enum is not None else b.enum
    properties = dict(a.properties)
    for name, schema in b.properties.items():
        properties[name] = merge(properties[name], schema) if name in properties else schema
    if a.items is not None and b.items is not None:
        items: Schema | None = merge(a.items, b.items)
    else:
        items = a.items or b.items
    return Schema(
        types=types,
        format=a.format or b.format,
        nullable=a.nullable and b.nullable,
        enum=enum,
        properties=properties,
        required=a.required | b.required,
        open=a.open and b.open,
        extra=a.extra or b.extra,
        items=items,
        deprecated=a.deprecated or b.deprecated,
        constraints={**a.constraints, **b.constraints},
        variants=a.variants + b.variants,
        recursive_ref=a.recursive_ref or b.recursive_ref,
    )
