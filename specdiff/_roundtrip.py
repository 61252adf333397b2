"""Reading and writing this project's YAML files so that what is not edited stays byte for byte (ruamel.yaml)."""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from ._load import SpecReadError


def round_trip_yaml() -> YAML:
    """ruamel.yaml set up to write back spec/*.yaml exactly as they were read (checked by a test)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line
    yaml.indent(mapping=2, sequence=4, offset=2)
    # `null`, not an empty value, as the files write it.
    yaml.representer.add_representer(
        type(None), lambda representer, _: representer.represent_scalar("tag:yaml.org,2002:null", "null")
    )
    return yaml


def load_round_trip(text: str, source: str) -> CommentedMap:
    try:
        data = round_trip_yaml().load(text)
    except Exception as exc:  # ruamel raises a family of parser and scanner errors
        raise SpecReadError(f"{source}: not valid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, CommentedMap):
        raise SpecReadError(f"{source}: expected a mapping")
    return data


def dump_round_trip(data: Any) -> str:
    out = io.StringIO()
    round_trip_yaml().dump(data, out)
    return out.getvalue()
