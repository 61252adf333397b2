"""spec/sandbox-setup.yaml's copies of our schemas, kept in step when `upstream --apply` changes the originals.

The setup flow's spec repeats the schemas of spec/openapi.yaml it needs (Prism versions, UltraFICO inputs); a copy
has the original's shape, apart from its wording and whether it refuses unknown properties, unless it says why it
differs (`x-sdk-spec-differs`). After an apply, each copy whose original changed shape takes the original's shape,
keeping its own words and openness, and a schema the new shape references that the setup spec lacks is copied too.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap

from ._load import _LOADER
from ._openapi import SCHEMA_PREFIX
from ._roundtrip import dump_round_trip, load_round_trip

# What a copy may say differently from the original (as tests/test_spec.py compares them).
_OWN = ("title", "description", "example", "examples", "additionalProperties")
DIFFERS_MARK = "x-sdk-spec-differs"


def shape(node: Any) -> Any:
    """A schema without its wording, openness and vendor marks: what a copy must share with its original."""
    if isinstance(node, Mapping):
        return {k: shape(v) for k, v in node.items() if k not in _OWN and not str(k).startswith("x-")}
    if isinstance(node, list):
        return [shape(item) for item in node]
    return node


def sync_setup_copies(setup_text: str, spec_text: str) -> tuple[str, list[str]]:
    """spec/sandbox-setup.yaml's text with its copies in the shape of spec/openapi.yaml's, and the names changed."""
    # The usual answer is "nothing to do": found with the fast loader, before the round trip that keeps the layout.
    plain_copies = yaml.load(setup_text, Loader=_LOADER)["components"]["schemas"]  # noqa: S506 (a safe loader)
    plain_originals = yaml.load(spec_text, Loader=_LOADER)["components"]["schemas"]  # noqa: S506
    if all(
        DIFFERS_MARK in copied or shape(copied) == shape(plain_originals[name])
        for name, copied in plain_copies.items()
        if name in plain_originals
    ):
        return setup_text, []
    setup = load_round_trip(setup_text, "spec/sandbox-setup.yaml")
    ours = load_round_trip(spec_text, "spec/openapi.yaml")
    originals = ours["components"]["schemas"]
    copies = setup["components"]["schemas"]
    changed: list[str] = []
    for name in [n for n in copies if n in originals]:
        old = copies[name]
        if DIFFERS_MARK in old or shape(old) == shape(originals[name]):
            continue
        original = originals[name]
        new = CommentedMap()
        for key in old:  # in the copy's order: its own words and openness, the original's shape
            if _own(key):
                new[key] = old[key]
            elif key in original:
                new[key] = copy.deepcopy(original[key])
        for key, value in original.items():
            if key not in new and not _own(key):
                new[key] = copy.deepcopy(value)
        copies[name] = new
        changed.append(name)
    pending = [ref for name in changed for ref in _refs(copies[name])]
    while pending:
        name = pending.pop()
        if name not in copies and name in originals:
            copies[name] = copy.deepcopy(originals[name])
            changed.append(name)
            pending.extend(_refs(copies[name]))
    return (dump_round_trip(setup) if changed else setup_text), changed


def _own(key: Any) -> bool:
    """A key the copy keeps as it is; an enum's constant names go with its values, from the original."""
    return key in _OWN or (str(key).startswith("x-") and key != "x-enum-varnames")


def _refs(node: Any) -> list[str]:
    if isinstance(node, Mapping):
        ref = node.get("$ref")
        own = [ref.removeprefix(SCHEMA_PREFIX)] if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX) else []
        return own + [found for value in node.values() for found in _refs(value)]
    if isinstance(node, list):
        return [found for value in node for found in _refs(value)]
    return []
