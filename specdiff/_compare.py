"""Compare the request, 200 and error bodies of one operation in two OpenAPI documents."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ._load import Document, SpecReadError
from ._openapi import HTTP_METHODS
from ._rules import Change, is_breaking
from ._schema import Normaliser, Schema

OPERATION_PATH = "/cra/check_report/partner_insights/get"
OPERATION_METHOD = "post"
SECTIONS = ("request", "response", "error")
ROOT = "(body)"
_JSON = "application/json"
_LOWER_IS_TIGHTER = {"maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"}
_HIGHER_IS_TIGHTER = {"minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"}


@dataclass(frozen=True, order=True)
class Difference:
    """One reported difference; `line` is how it is printed."""

    section_order: int
    path: str
    detail: str
    section: str
    change: Change
    breaking: bool

    @property
    def line(self) -> str:
        return f"{'breaking' if self.breaking else 'non-breaking'} {self.section} {self.path}: {self.detail}"


@dataclass(frozen=True)
class Bodies:
    """The canonical request, 200 and error body schemas of the operation (None when a body is absent)."""

    request: Schema | None
    response: Schema | None
    error: Schema | None


def operation_bodies(document: Document) -> Bodies:
    """Find the operation and normalise its three bodies; a malformed document raises SpecReadError."""
    try:
        return _operation_bodies(document)
    except (AttributeError, TypeError, ValueError, RecursionError) as exc:
        # A schema of the wrong shape (a list where a mapping belongs, `required: 3`): one line, no traceback.
        raise SpecReadError(f"{document.source}: malformed schema under {OPERATION_PATH}: {exc}") from None


def _operation_bodies(document: Document) -> Bodies:
    normaliser = Normaliser(document.content, document.source)
    media = operation_media(document.content, normaliser, document.source)
    return Bodies(**{section: _body_schema(normaliser, media[section]) for section in SECTIONS})


def operation_media(
    content: Mapping[str, Any],
    normaliser: Normaliser,
    source: str,
    path: str = OPERATION_PATH,
    method: str = OPERATION_METHOD,
) -> dict[str, Mapping[str, Any] | None]:
    """The JSON media objects (each holding a `schema`) of an operation's request, 200 and error bodies."""
    paths = content.get("paths")
    path_item = normaliser.deref(paths.get(path)) if isinstance(paths, Mapping) else None
    operation = path_item.get(method) if isinstance(path_item, Mapping) else None
    if not isinstance(operation, Mapping):
        raise SpecReadError(f"{source}: no {method.upper()} {path} operation")
    request_body = normaliser.deref(operation.get("requestBody"))
    responses = operation.get("responses")
    if not isinstance(responses, Mapping):
        raise SpecReadError(f"{source}: {path} has no responses")
    statuses = {str(status): response for status, response in responses.items()}
    success = statuses.get("200", statuses.get("2XX"))
    # Plaid declares one `default` error; documents that also list 400, 429, 500... (ours does) describe the
    # same body under each, so the error body is `default`'s, or the first error status's when none is given.
    errors = sorted(s for s in statuses if s == "default" or s[:1] in "345")
    error = statuses[errors[-1] if "default" in errors else errors[0]] if errors else None
    holders = {"request": request_body, "response": normaliser.deref(success), "error": normaliser.deref(error)}
    return {section: _json_media(holder) for section, holder in holders.items()}


def _json_media(holder: Any) -> Mapping[str, Any] | None:
    if not isinstance(holder, Mapping):
        return None
    media = (holder.get("content") or {}).get(_JSON)
    return media if isinstance(media, Mapping) and "schema" in media else None


def _body_schema(normaliser: Normaliser, media: Mapping[str, Any] | None) -> Schema | None:
    if media is None:
        return None
    schema = normaliser.schema(media["schema"])
    # A JSON body is never `null`. Plaid marks PlaidError nullable because it also appears as a nullable
    # field elsewhere; at the body root that says nothing, so it is not compared.
    return dataclasses.replace(schema, nullable=False)


def compare_documents(old: Document, new: Document) -> list[Difference]:
    """Every difference between `old` and `new`, sorted, each classified.

    Compared: the endpoint's request, 200 and error bodies; the same of every other operation of spec/openapi.yaml
    that both documents hold (`POST /webhook_verification_key/get`; not the hundreds of others in Plaid's file);
    and each webhook body (a schema marked `x-webhook` in either document) both hold, read as a response. Those
    parts are named at the start of each path. A part only one document holds is not reported, so a document of
    the endpoint alone (Plaid's per-release extracts) reads the same as before the webhooks were described.
    """
    old_bodies, new_bodies = operation_bodies(old), operation_bodies(new)
    found: list[Difference] = []
    for order, section in enumerate(SECTIONS):
        before, after = getattr(old_bodies, section), getattr(new_bodies, section)
        found.extend(_body_changes(order, section, before, after))
    try:
        parts = list(_shared_parts(old, new))
    except (AttributeError, TypeError, ValueError, RecursionError) as exc:
        raise SpecReadError(f"{old.source} / {new.source}: malformed operation or webhook schema: {exc}") from None
    for label, section, before, after in parts:
        for difference in _body_changes(SECTIONS.index(section), section, before, after):
            found.append(dataclasses.replace(difference, path=f"{label} {difference.path}"))
    return sorted(found)


_OUR_SPEC = Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml"
WEBHOOK_MARK = "x-webhook"


def _shared_parts(old: Document, new: Document) -> Iterator[tuple[str, str, Schema | None, Schema | None]]:
    """(label, section, old schema, new schema) of each part beyond the endpoint that both documents hold."""
    (old_norm, old_paths, old_schemas), (new_norm, new_paths, new_schemas) = (_side(old), _side(new))
    for path, method in _tracked_operations():
        if (path, method) == (OPERATION_PATH, OPERATION_METHOD):
            continue
        sides = ((old_norm, old_paths), (new_norm, new_paths))
        if not all(method in _mapping(norm.deref(paths.get(path))) for norm, paths in sides):
            continue
        before = operation_media(old.content, old_norm, old.source, path, method)
        after = operation_media(new.content, new_norm, new.source, path, method)
        for section in SECTIONS:
            label = f"{method.upper()} {path}"
            yield label, section, _body_schema(old_norm, before[section]), _body_schema(new_norm, after[section])
    marked = {
        name
        for schemas in (old_schemas, new_schemas)
        for name, schema in schemas.items()
        if WEBHOOK_MARK in _mapping(schema)
    }
    for name in sorted(marked):
        if name in old_schemas and name in new_schemas:
            ref = {"$ref": f"#/components/schemas/{name}"}
            yield str(name), "response", old_norm.schema(ref), new_norm.schema(ref)


def _side(document: Document) -> tuple[Normaliser, Mapping[str, Any], Mapping[str, Any]]:
    content = document.content
    schemas = _mapping(_mapping(content.get("components")).get("schemas"))
    return Normaliser(content, document.source), _mapping(content.get("paths")), schemas


@functools.cache
def _tracked_operations() -> tuple[tuple[str, str], ...]:
    """(path, method) of every operation spec/openapi.yaml describes."""
    paths = _mapping(yaml.safe_load(_OUR_SPEC.read_text(encoding="utf-8")).get("paths"))
    return tuple((path, method) for path, item in paths.items() for method in HTTP_METHODS if method in _mapping(item))


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _body_changes(order: int, section: str, old: Schema | None, new: Schema | None) -> Iterator[Difference]:
    def emit(change: Change, path: str, detail: str) -> Difference:
        return Difference(order, path, detail, section, change, is_breaking(change, section))

    if old is None and new is None:
        return
    if old is None:
        yield emit(Change.BODY_ADDED, ROOT, "body added")
    elif new is None:
        yield emit(Change.BODY_REMOVED, ROOT, "body removed")
    else:
        for change, path, detail in _schema_changes(old, new, "", compare_openness=section != "request"):
            yield emit(change, path or ROOT, detail)


def _schema_changes(
    old: Schema, new: Schema, path: str, *, compare_openness: bool
) -> Iterator[tuple[Change, str, str]]:
    if old.recursive_ref or new.recursive_ref:
        if old.recursive_ref != new.recursive_ref:
            yield Change.TYPE_CHANGED, path, f"type changed from {_type_name(old)} to {_type_name(new)}"
        return
    if old.types != new.types:
        yield Change.TYPE_CHANGED, path, f"type changed from {_type_name(old)} to {_type_name(new)}"
        return
    if old.format != new.format:
        yield Change.FORMAT_CHANGED, path, f"format changed from {old.format or '(none)'} to {new.format or '(none)'}"
    if old.nullable != new.nullable:
        yield (
            (Change.BECAME_NULLABLE, path, "became nullable")
            if new.nullable
            else (
                Change.BECAME_NOT_NULLABLE,
                path,
                "no longer nullable",
            )
        )
    if old.deprecated != new.deprecated:
        yield (
            (Change.DEPRECATED, path, "deprecated")
            if new.deprecated
            else (
                Change.UNDEPRECATED,
                path,
                "no longer deprecated",
            )
        )
    yield from _enum_changes(old, new, path)
    yield from _constraint_changes(old, new, path)
    if compare_openness and old.open != new.open:
        yield (
            (Change.BECAME_OPEN, path, "now accepts unknown properties")
            if new.open
            else (
                Change.BECAME_CLOSED,
                path,
                "no longer accepts unknown properties",
            )
        )
    if old.variants != new.variants:
        yield Change.VARIANTS_CHANGED, path, "oneOf/anyOf alternatives changed"
    for name in sorted(old.properties.keys() | new.properties.keys()):
        child = f"{path}.{name}" if path else name
        if name not in new.properties:
            yield Change.PROPERTY_REMOVED, child, "removed"
        elif name not in old.properties:
            if name in new.required:
                yield Change.REQUIRED_PROPERTY_ADDED, child, "added (required)"
            else:
                yield Change.PROPERTY_ADDED, child, "added"
        else:
            was_required, is_required = name in old.required, name in new.required
            if was_required != is_required:
                yield (
                    (Change.BECAME_REQUIRED, child, "became required")
                    if is_required
                    else (
                        Change.BECAME_OPTIONAL,
                        child,
                        "became optional",
                    )
                )
            yield from _schema_changes(
                old.properties[name], new.properties[name], child, compare_openness=compare_openness
            )
    if old.items is not None and new.items is not None:
        yield from _schema_changes(old.items, new.items, f"{path}[]", compare_openness=compare_openness)
    if old.extra is not None and new.extra is not None:
        yield from _schema_changes(old.extra, new.extra, f"{path}{{}}", compare_openness=compare_openness)


def _enum_changes(old: Schema, new: Schema, path: str) -> Iterator[tuple[Change, str, str]]:
    if old.enum == new.enum:
        return
    if old.enum is None and new.enum is not None:
        yield Change.ENUM_ADDED, path, "now limited to " + ", ".join(f'"{v}"' for v in sorted(new.enum))
    elif new.enum is None:
        yield Change.ENUM_REMOVED, path, "no longer limited to a list of values"
    else:
        assert old.enum is not None
        for value in sorted(new.enum - old.enum):
            yield Change.ENUM_VALUE_ADDED, path, f'enum value "{value}" added'
        for value in sorted(old.enum - new.enum):
            yield Change.ENUM_VALUE_REMOVED, path, f'enum value "{value}" removed'


def _constraint_changes(old: Schema, new: Schema, path: str) -> Iterator[tuple[Change, str, str]]:
    for key in sorted(old.constraints.keys() | new.constraints.keys()):
        before, after = old.constraints.get(key), new.constraints.get(key)
        if before == after:
            continue
        if before is None:
            yield Change.CONSTRAINT_TIGHTENED, path, f"{key} {_show(after)} added"
        elif after is None:
            yield Change.CONSTRAINT_LOOSENED, path, f"{key} {_show(before)} removed"
        else:
            tighter = (
                after < before
                if key in _LOWER_IS_TIGHTER
                else after > before
                if key in _HIGHER_IS_TIGHTER
                # pattern, multipleOf, uniqueItems: no order, so a change is taken as tighter.
                else True
            )
            change = Change.CONSTRAINT_TIGHTENED if tighter else Change.CONSTRAINT_LOOSENED
            yield change, path, f"{key} changed from {_show(before)} to {_show(after)}"


def _show(value: Any) -> str:
    return f'"{value}"' if isinstance(value, str) else str(value).lower() if isinstance(value, bool) else str(value)


def _type_name(schema: Schema) -> str:
    if schema.recursive_ref:
        return schema.recursive_ref
    return "|".join(sorted(schema.types)) or "any"
