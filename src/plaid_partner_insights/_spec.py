"""The spec the generated package was built from, read with the standard library.

Every list the hand-written layer needs (Prism products, their versions and defaults, request fields, error types,
the response's property paths) is derived here from `plaid_partner_insights_generated/openapi.json`, the JSON copy
of `spec/openapi.yaml` that codegen.py ships with the generated code. One edit to the spec and a regeneration, and
the CLI, the emulator and the tests follow. Nothing here is imported by the client itself, so `import
plaid_partner_insights` stays as fast as before.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

__all__ = [
    "ERROR_TYPE_SCHEMA",
    "REQUEST_SCHEMA",
    "RESPONSE_SCHEMA",
    "PrismProduct",
    "RequestOption",
    "error_types",
    "json_paths",
    "latest_version",
    "prism_products",
    "property_paths",
    "ref_name",
    "request_option_fields",
    "resolve",
    "schema",
    "spec",
]

REQUEST_SCHEMA = "CraCheckReportPartnerInsightsGetRequest"
RESPONSE_SCHEMA = "CraCheckReportPartnerInsightsGetResponse"
ERROR_TYPE_SCHEMA = "PlaidErrorType"
_PRISM_VERSIONS = "PrismVersions"
_PRISM_RESULTS = "CraPartnerInsightsPrism"
_REF_PREFIX = "#/components/schemas/"


@functools.cache
def spec() -> dict[str, Any]:
    """The whole OpenAPI document the generated code was built from."""
    text = resources.files("plaid_partner_insights_generated").joinpath("openapi.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def schema(name: str) -> dict[str, Any]:
    """One named component schema."""
    found: dict[str, Any] = spec()["components"]["schemas"][name]
    return found


def ref_name(node: dict[str, Any]) -> str | None:
    """The component a property points to (directly or through the `allOf: [$ref]` + `nullable` form)."""
    while True:
        if "$ref" in node:
            return str(node["$ref"]).removeprefix(_REF_PREFIX)
        if len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
            continue
        return None


def resolve(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Follow `$ref` and the `allOf: [$ref]` + `nullable` form: the target schema and whether null is allowed."""
    nullable = bool(node.get("nullable"))
    while True:
        if "$ref" in node:
            node = schema(str(node["$ref"]).removeprefix(_REF_PREFIX))
        elif len(node.get("allOf", ())) == 1:
            node = node["allOf"][0]
        else:
            return node, nullable or bool(node.get("nullable"))


def property_paths(name: str = RESPONSE_SCHEMA) -> list[str]:
    """Every property path of a schema, dotted, with `[]` for array items: `report.items[].accounts[].mask`."""
    return [path for path, _ in _walk(schema(name), "", ())]


def _walk(node: dict[str, Any], path: str, seen: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    target, _ = resolve(node)
    name = ref_name(node)
    if name is not None and name in seen:  # a schema that contains itself: stop at the second visit
        return
    inside = (*seen, name) if name is not None else seen
    if target.get("type") == "array" and isinstance(target.get("items"), dict):
        yield from _walk(target["items"], f"{path}[]", inside)
        return
    for key, prop in target.get("properties", {}).items():
        child = f"{path}.{key}" if path else key
        yield child, prop
        yield from _walk(prop, child, inside)


def json_paths(value: Any, path: str = "") -> set[str]:
    """The property paths a JSON value holds, in `property_paths`' notation (to check one against the other)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            child = f"{path}.{key}" if path else key
            found.add(child)
            found |= json_paths(item, child)
    elif isinstance(value, list):
        for item in value:
            found |= json_paths(item, f"{path}[]")
    return found


@dataclass(frozen=True)
class PrismProduct:
    """One Prism Data product as the spec describes it.

    `request_key` is its key in `partner_insights.prism_versions`, `report_key` its key in `report.prism`
    (the same name unless the spec says otherwise with `x-report-key`), `label` its display name (the result
    schema's title without the `Prism` prefix), `versions` the values the spec accepts and `default_version` the
    one Plaid runs when none is asked for (`x-default-version`; None: not run unless asked for).
    """

    request_key: str
    report_key: str
    label: str
    versions: tuple[str, ...]
    default_version: str | None


@functools.cache
def prism_products() -> tuple[PrismProduct, ...]:
    """The Prism products, in the order `PrismVersions` lists them; none when the request cannot ask for versions
    (Plaid's spec before 2020-09-14_1.556.0, which `codegen.py upstream --apply` can bring back)."""
    if not any(ref_name(prop) == _PRISM_VERSIONS for _, prop in _walk(schema(REQUEST_SCHEMA), "", ())):
        return ()
    results = schema(_PRISM_RESULTS)["properties"]
    products = []
    for request_key, prop in schema(_PRISM_VERSIONS)["properties"].items():
        report_key = str(prop.get("x-report-key", request_key))
        if report_key not in results:
            raise LookupError(
                f"spec: PrismVersions.{request_key} has no result property {_PRISM_RESULTS}.{report_key}; "
                "name it with x-report-key"
            )
        title = str(resolve(results[report_key])[0].get("title", report_key))
        versions = tuple(str(value) for value in resolve(prop)[0].get("enum", ()))
        default = prop.get("x-default-version")
        products.append(
            PrismProduct(
                request_key=request_key,
                report_key=report_key,
                label=title.removeprefix("Prism") or title,
                versions=versions,
                default_version=None if default is None else str(default),
            )
        )
    return tuple(products)


def latest_version(versions: tuple[str, ...]) -> str:
    """The newest of some model versions: `4.1` > `4` > `3` > `3_lite` (a suffixed variant ranks below its base)."""

    def key(version: str) -> tuple[tuple[int, ...], int, str]:
        match = re.match(r"\d+(?:\.\d+)*", version)
        numbers = tuple(int(part) for part in match.group().split(".")) if match else ()
        return numbers, 0 if match is None or match.end() < len(version) else 1, version

    return max(versions, key=key)


@dataclass(frozen=True)
class RequestOption:
    """A top-level request field that holds one string: `name`, its enum values (if closed) and its help text."""

    name: str
    choices: tuple[str, ...] | None
    description: str


def request_option_fields() -> tuple[RequestOption, ...]:
    """The request's top-level string fields (identifiers, enums): the CLI offers one flag per field."""
    options = []
    for name, prop in schema(REQUEST_SCHEMA)["properties"].items():
        target, _ = resolve(prop)
        if target.get("type") != "string" or prop.get("deprecated"):
            continue
        enum = target.get("enum")
        description = " ".join(str(prop.get("description", target.get("description", ""))).split())
        options.append(RequestOption(name, tuple(str(v) for v in enum) if enum else None, description))
    return tuple(options)


def error_types() -> tuple[str, ...]:
    """Every `error_type` value the spec lists."""
    return tuple(str(value) for value in schema(ERROR_TYPE_SCHEMA)["enum"])
