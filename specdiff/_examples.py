"""The examples of our spec after `upstream --apply` changed their schemas: adjusted to fit, or dropped.

Our examples are ours (upstream's are never copied), so an upstream change can leave one saying what the spec
no longer allows: a property that was removed, an enum value that was dropped, a field that became required or
changed type. Each example is walked beside its schema and changed as little as it takes: a property the schema
no longer declares is removed, an optional property or array entry whose value no longer fits is removed, a
required property missing or not fitting gets a placeholder value (null where allowed, else the schema's own
example, the first enum value, or an empty value of its type). Every change is listed for a maintainer to
review. An example still invalid after that (openapi-schema-validator's verdict) is dropped, and listed too.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterator, Mapping, MutableMapping, MutableSequence
from dataclasses import dataclass
from typing import Any, Final

from ._openapi import HTTP_METHODS, SCHEMA_PREFIX

_INVALID: Final = object()
_SCALAR_TYPES: Final = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}


@dataclass(frozen=True)
class _Site:
    """One example: `holder[key]`, described by `schema`, found at `pointer` in the document."""

    where: str
    holder: MutableMapping[str, Any]
    key: str
    pointer: str
    schema: Any
    media: MutableMapping[str, Any] | None = None  # for a named example: the media type whose `examples` hold it
    name: str | None = None

    def drop(self) -> None:
        if self.media is None or self.name is None:
            del self.holder[self.key]
            return
        del self.media["examples"][self.name]
        if not self.media["examples"]:
            del self.media["examples"]


def fit_examples(spec: MutableMapping[str, Any]) -> list[str]:
    """Make every example of `spec` (edited in place) fit its schema; returns what was changed, one line each."""
    changes: list[str] = []
    # The validator ignores `example`, so the schemas it reads are the same before and after the edits below.
    schemas_only = _nullable_as_alternative(_plain(spec))
    for site in list(_sites(spec)):
        walker = _Walker(spec, site.where, changes)
        value = walker.fit(site.holder[site.key], site.schema, "")
        if value is not _INVALID:
            site.holder[site.key] = value
            problem = _validation_problem(schemas_only, site.pointer, value)
        else:
            problem = walker.reason
        if problem is not None:
            site.drop()
            changes.append(f"{site.where}: dropped ({problem}); write a new one")
    return changes


def _sites(spec: Mapping[str, Any]) -> Iterator[_Site]:
    components = spec.get("components") or {}
    for path, item in (spec.get("paths") or {}).items():
        for method in HTTP_METHODS:
            operation = item.get(method) if isinstance(item, Mapping) else None
            if not isinstance(operation, Mapping):
                continue
            base = f"/paths/{_escape(path)}/{method}"
            label = f"{method.upper()} {path}"
            body = operation.get("requestBody")
            if isinstance(body, Mapping) and "$ref" not in body:
                yield from _media_sites(body, f"{base}/requestBody", f"{label} request")
            for status, response in (operation.get("responses") or {}).items():
                if isinstance(response, Mapping) and "$ref" not in response:
                    yield from _media_sites(response, f"{base}/responses/{_escape(status)}", f"{label} {status}")
    for kind in ("responses", "requestBodies"):
        for name, holder in (components.get(kind) or {}).items():
            if isinstance(holder, Mapping):
                yield from _media_sites(holder, f"/components/{kind}/{_escape(name)}", f"components.{kind}.{name}")
    for name, schema in (components.get("schemas") or {}).items():
        yield from _schema_sites(schema, f"/components/schemas/{_escape(name)}", f"components.schemas.{name}")


def _media_sites(holder: Mapping[str, Any], pointer: str, where: str) -> Iterator[_Site]:
    for media_type, media in (holder.get("content") or {}).items():
        if not isinstance(media, MutableMapping) or "schema" not in media:
            continue
        schema_pointer = f"{pointer}/content/{_escape(media_type)}/schema"
        if "example" in media:
            yield _Site(f"{where} example", media, "example", schema_pointer, media["schema"])
        examples = media.get("examples")
        if isinstance(examples, MutableMapping):
            for name, example in examples.items():
                if isinstance(example, MutableMapping) and "value" in example:
                    yield _Site(
                        f"{where} example {name}", example, "value", schema_pointer, media["schema"], media, str(name)
                    )


def _schema_sites(node: Any, pointer: str, where: str) -> Iterator[_Site]:
    """Schema-level `example`s, in every schema nested in `node` (a schema)."""
    if not isinstance(node, MutableMapping):
        return
    if "example" in node:
        yield _Site(f"{where} example", node, "example", pointer, node)
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_sites(node.get(key), f"{pointer}/{key}", f"{where}.{key}")
    for name, child in (node.get("properties") or {}).items():
        yield from _schema_sites(child, f"{pointer}/properties/{_escape(name)}", f"{where}.{name}")
    for key in ("allOf", "oneOf", "anyOf"):
        for index, member in enumerate(node.get(key) or ()):
            yield from _schema_sites(member, f"{pointer}/{key}/{index}", f"{where}.{key}[{index}]")


def _escape(part: Any) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


@dataclass
class _View:
    """What a schema node says, its `$ref`s and `allOf` members taken together."""

    types: set[str]
    nullable: bool
    enum: list[Any] | None
    properties: dict[str, Any]
    required: set[str]
    items: Any
    additional: Any
    alternatives: bool  # oneOf / anyOf: not walked, left to the validator
    example: Any
    format: str | None


class _Walker:
    def __init__(self, spec: Mapping[str, Any], where: str, changes: list[str]) -> None:
        self.schemas = (spec.get("components") or {}).get("schemas") or {}
        self.where = where
        self.changes = changes
        self.at, self.why = "", "it no longer fits its schema"

    @property
    def reason(self) -> str:
        return f"`{self.at or '(the whole value)'}`: {self.why}"

    def view(self, node: Any) -> _View:
        view = _View(set(), False, None, {}, set(), None, None, False, None, None)
        seen: set[int] = set()

        def visit(item: Any) -> None:
            if not isinstance(item, Mapping) or id(item) in seen:
                return
            seen.add(id(item))
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
                visit(self.schemas.get(ref.removeprefix(SCHEMA_PREFIX)))
            if isinstance(item.get("type"), str):
                view.types.add(item["type"])
            view.nullable = view.nullable or item.get("nullable") is True
            if isinstance(item.get("enum"), list):
                view.enum = list(item["enum"]) if view.enum is None else [v for v in view.enum if v in item["enum"]]
            for name, child in (item.get("properties") or {}).items():
                view.properties.setdefault(str(name), child)
            view.required.update(str(name) for name in item.get("required") or ())
            view.items = item.get("items", view.items)
            view.additional = item.get("additionalProperties", view.additional)
            view.alternatives = view.alternatives or bool(item.get("oneOf") or item.get("anyOf"))
            view.example = item.get("example", view.example)
            view.format = item.get("format", view.format)
            for member in item.get("allOf") or ():
                visit(member)

        visit(node)
        return view

    def note(self, path: str, what: str) -> None:
        self.changes.append(f"{self.where}: `{path or '(the whole value)'}` {what}")

    def fit(self, value: Any, node: Any, path: str) -> Any:
        """`value` made to fit `node`, or _INVALID (with `self.reason`) when it cannot be without inventing data."""
        view = self.view(node)
        if view.alternatives:
            return value
        if value is None:
            return value if view.nullable else self.invalid(path, "null where the schema allows no null")
        if view.enum is not None and value not in view.enum:
            return self.invalid(path, f"{value!r} is not one of its values")
        if "object" in view.types or view.properties:
            return self.fit_object(value, view, path) if isinstance(value, MutableMapping) else self.invalid(path)
        if "array" in view.types:
            return self.fit_array(value, view, path) if isinstance(value, MutableSequence) else self.invalid(path)
        kinds = [kind for name in view.types for kind in _SCALAR_TYPES.get(name, ())]
        if kinds and (not isinstance(value, tuple(kinds)) or (isinstance(value, bool) and bool not in kinds)):
            return self.invalid(path, f"{value!r} is not of type {'/'.join(sorted(view.types))}")
        return value

    def invalid(self, path: str, why: str = "no longer of its type") -> Any:
        self.at, self.why = path, why
        return _INVALID

    def fit_object(self, value: MutableMapping[str, Any], view: _View, path: str) -> Any:
        for key in list(value):
            child = f"{path}.{key}" if path else str(key)
            declared = view.properties.get(str(key))
            if declared is None:
                if isinstance(view.additional, Mapping):
                    declared = view.additional
                elif view.properties or view.additional is False:
                    del value[key]
                    self.note(child, "removed: the schema no longer has it")
                    continue
                else:
                    continue  # a free-form object: its keys are content
            fitted = self.fit(value[key], declared, child)
            if fitted is not _INVALID:
                value[key] = fitted
            elif str(key) not in view.required:
                del value[key]
                self.note(child, f"removed: {self.why}")
            elif (placeholder := self.placeholder(declared)) is not _INVALID:
                value[key] = placeholder
                self.note(child, f"set to {placeholder!r}, a placeholder: {self.why}")
            else:
                return _INVALID
        for name in sorted(view.required - set(value)):
            child = f"{path}.{name}" if path else name
            declared = view.properties.get(name)
            placeholder = self.placeholder(declared) if declared is not None else _INVALID
            if placeholder is _INVALID:
                return self.invalid(child, "required, and no placeholder value fits it")
            value[name] = placeholder
            self.note(child, f"added with a placeholder value ({placeholder!r}): the schema now requires it")
        return value

    def fit_array(self, value: MutableSequence[Any], view: _View, path: str) -> Any:
        kept = []
        for index, item in enumerate(value):
            fitted = self.fit(item, view.items, f"{path}[{index}]")
            if fitted is _INVALID:
                self.note(f"{path}[{index}]", f"removed: {self.why}")
            else:
                kept.append(fitted)
        value[:] = kept
        return value

    def placeholder(self, node: Any) -> Any:
        """A value that fits `node` without saying anything: null, its example, its first value, or empty."""
        view = self.view(node)
        if view.nullable:
            return None
        if view.example is not None and self.fit(copy.deepcopy(view.example), node, "") is not _INVALID:
            return copy.deepcopy(view.example)
        if view.enum:
            return view.enum[0]
        if "object" in view.types or view.properties:
            value: dict[str, Any] = {}
            for name in sorted(view.required):
                inner = self.placeholder(view.properties[name]) if name in view.properties else _INVALID
                if inner is _INVALID:
                    return _INVALID
                value[name] = inner
            return value
        empty = {"array": [], "integer": 0, "number": 0, "boolean": False}
        for kind in sorted(view.types):
            if kind in empty:
                return copy.deepcopy(empty[kind])
        if view.types == {"string"}:
            today = dt.date(2026, 1, 1)
            return {"date": today.isoformat(), "date-time": f"{today.isoformat()}T00:00:00Z"}.get(view.format or "", "")
        return _INVALID


def _validation_problem(document: dict[str, Any], pointer: str, value: Any) -> str | None:
    """openapi-schema-validator's first complaint about `value` against the schema at `pointer`, or None."""
    from openapi_schema_validator import OAS30Validator  # the dev extra's, like the spec validator codegen runs

    root = {**document, "$ref": f"#{pointer}"}
    error = next(iter(OAS30Validator(root).iter_errors(_plain(value))), None)
    if error is None:
        return None
    where = ".".join(str(part) for part in error.absolute_path) or "(the whole value)"
    return f"`{where}`: {error.message}"


def _plain(node: Any) -> Any:
    if isinstance(node, Mapping):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _nullable_as_alternative(node: Any) -> Any:
    """`{allOf: [...], nullable: true}` as `{anyOf: [{allOf: [...]}, null]}`: the validator applies `nullable` to
    a schema's own `type` only, so it would refuse null there, where our spec (and OpenAPI 3.0.3) allows it."""
    if isinstance(node, list):
        return [_nullable_as_alternative(v) for v in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable_as_alternative(v) for k, v in node.items()}
    if out.get("nullable") is True and "allOf" in out and "type" not in out:
        rest = {k: v for k, v in out.items() if k != "nullable"}
        return {"anyOf": [rest, {"nullable": True, "enum": [None]}]}
    return out
