"""What OpenAPI 3.0 itself fixes, for every module of the differ: a path item's operation keys and where a component
schema's `$ref` points."""

from __future__ import annotations

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
SCHEMA_PREFIX = "#/components/schemas/"
