"""Compare the request, 200 and error bodies of one operation in two OpenAPI documents."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._load import Document, SpecReadError
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
    paths = document.content.get("paths")
    path_item = normaliser.deref(paths.get(OPERATION_PATH)) if isinstance(paths, Mapping) else None
    operation = path_item.get(OPERATION_METHOD) if isinstance(path_item, Mapping) else None
    if not isinstance(operation, Mapping):
        raise SpecReadError(f"{document.source}: no {OPERATION_METHOD.upper()} {OPERATION_PATH} operation")
    request_body = normaliser.deref(operation.get("requestBody"))
    responses = operation.get("responses")
    if not isinstance(responses, Mapping):
        raise SpecReadError(f"{document.source}: {OPERATION_PATH} has no responses")
    statuses = {str(status): response for status, response in responses.items()}
    success = statuses.get("200", statuses.get("2XX"))
    # Plaid declares one `default` error; documents that also list 400, 429, 500... (ours does) describe the
    # same body under each, so the error body is `default`'s, or the first error status's when none is given.
    errors = sorted(s for s in statuses if s == "default" or s[:1] in "345")
    error = statuses[errors[-1] if "default" in errors else errors[0]] if errors else None
    return Bodies(
        request=_body_schema(normaliser, request_body),
        response=_body_schema(normaliser, normaliser.deref(success)),
        error=_body_schema(normaliser, normaliser.deref(error)),
    )


def _body_schema(normaliser: Normaliser, holder: Any) -> Schema | None:
    if not isinstance(holder, Mapping):
        return None
    media = (holder.get("content") or {}).get(_JSON)
    if not isinstance(media, Mapping) or "schema" not in media:
        return None
    schema = normaliser.schema(media["schema"])
    # A JSON body is never `null`. Plaid marks PlaidError nullable because it also appears as a nullable
    # field elsewhere; at the body root that says nothing, so it is not compared.
    return dataclasses.replace(schema, nullable=False)


def compare_documents(old: Document, new: Document) -> list[Difference]:
    """Every difference between the operation's bodies in `old` and `new`, sorted, each classified."""
    old_bodies, new_bodies = operation_bodies(old), operation_bodies(new)
    found: list[Difference] = []
    for order, section in enumerate(SECTIONS):
        before, after = getattr(old_bodies, section), getattr(new_bodies, section)
        found.extend(_body_changes(order, section, before, after))
    return sorted(found)


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
