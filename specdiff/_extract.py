"""`spec/upstream-extract.yaml`: the part of upstream's document our spec is in step with, kept beside it.

Plaid's file is 3 MB and lives at a URL that moves on; the checkout keeps what the comparison reads of the
recorded release: every operation our spec describes, the named schemas our spec holds (webhook bodies), and
everything they reference, with upstream's words left out (descriptions, summaries, examples), as the extracts in
tests/specdiff/fixtures/ are made. `upstream --apply` and `--record` write it with the release, so the tests (and
`python codegen.py upstream spec/upstream-extract.yaml`, offline) can compare with the release the spec follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from ._load import Document
from ._openapi import HTTP_METHODS

_WORDS = {"description", "summary", "example", "examples", "externalDocs"}
_COMPONENTS = "#/components/"


def upstream_extract(theirs: Document, ours: Mapping[str, Any]) -> str:
    """The extract of `theirs` for our spec `ours`, as YAML text under a comment naming its source and hash."""
    content = theirs.content
    their_paths = content.get("paths") or {}
    paths: dict[str, Any] = {}
    for path, item in (ours.get("paths") or {}).items():
        their_item = their_paths.get(path)
        if not isinstance(item, Mapping) or not isinstance(their_item, Mapping):
            continue
        methods = {m: their_item[m] for m in HTTP_METHODS if m in item and m in their_item}
        if methods:
            paths[str(path)] = methods
    their_components = content.get("components") or {}
    their_schemas = their_components.get("schemas") or {}
    our_schemas = (ours.get("components") or {}).get("schemas") or {}
    wanted = [f"{_COMPONENTS}schemas/{name}" for name in our_schemas if name in their_schemas]
    components = _referenced(their_components, [paths, *(their_schemas[n.rsplit("/", 1)[1]] for n in wanted)], wanted)
    extract: dict[str, Any] = {
        "openapi": content.get("openapi"),
        "info": {"title": "Plaid (extract)", "version": theirs.version},
        "paths": _without_words(paths),
        "components": _without_words(components),
    }
    header = (
        f"# Plaid OpenAPI {theirs.version}, the part of it spec/openapi.yaml follows (upstream's words left out).\n"
        f"# From: {theirs.source}\n# Its sha256: {theirs.sha256}\n"
        "# Written by `python codegen.py upstream --apply` or `--record`; do not edit.\n"
    )
    return header + yaml.safe_dump(extract, sort_keys=False, allow_unicode=True, width=120)


def _referenced(components: Mapping[str, Any], roots: list[Any], wanted: list[str]) -> dict[str, Any]:
    """The components that `roots` (and the references in `wanted`) reach, by kind, in upstream's order."""
    found: set[str] = set()
    pending = list(wanted)
    for root in roots:
        pending.extend(_refs(root))
    while pending:
        ref = pending.pop()
        if ref in found or not ref.startswith(_COMPONENTS):
            continue
        kind, _, name = ref.removeprefix(_COMPONENTS).partition("/")
        target = (components.get(kind) or {}).get(name)
        if target is None:
            continue
        found.add(ref)
        pending.extend(_refs(target))
    out: dict[str, Any] = {}
    for kind, entries in components.items():
        kept = {name: value for name, value in (entries or {}).items() if f"{_COMPONENTS}{kind}/{name}" in found}
        if kept:
            out[str(kind)] = kept
    return out


def _refs(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        own = [str(node["$ref"])] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


def _without_words(node: Any, *, names: bool = False) -> Any:
    """A copy without documentation keywords; `names` marks a mapping of property names, whose keys are data."""
    if isinstance(node, Mapping):
        return {
            str(key): _without_words(value, names=key == "properties" and not names)
            for key, value in node.items()
            if names or key not in _WORDS
        }
    if isinstance(node, list):
        return [_without_words(value) for value in node]
    return node
