"""`codegen.py upstream --apply`: make our spec say what Plaid's says, keeping what is ours.

The edit is driven by the comparison itself. Every schema our spec shares with upstream (the bodies of each
operation both documents have, and named schemas no operation of ours references, such as webhook bodies)
is compared as `_compare` compares the endpoint; each difference no recorded deviation explains becomes one
edit of our document, made where that keyword lives in our layout (a property, the named schema behind an
`allOf`, an enum's values and `x-enum-varnames`). Then the comparison runs again, until nothing is left. What
we do not touch stays byte for byte: the document is read and written by ruamel.yaml's round trip, so
comments, quoting, key order and our descriptions survive.

Parts that upstream adds are copied from its document without its words (descriptions, examples, titles and
vendor extensions dropped) and in our conventions: enums become named schemas with `x-enum-varnames` and
string values, request objects refuse unknown properties, a `$ref` with siblings becomes `allOf`. Each gets a
short neutral description naming the upstream release, and is listed for a maintainer to describe properly.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterator, Mapping, MutableMapping, MutableSequence
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import SingleQuotedScalarString

from ._compare import (
    OPERATION_METHOD,
    OPERATION_PATH,
    ROOT,
    SECTIONS,
    Difference,
    _schema_changes,
    operation_media,
)
from ._examples import fit_examples
from ._load import Document
from ._openapi import HTTP_METHODS, SCHEMA_PREFIX
from ._roundtrip import dump_round_trip, load_round_trip
from ._rules import Change, is_breaking
from ._schema import CONSTRAINT_KEYWORDS, Normaliser, Schema, enum_text
from ._upstream import UpstreamRecord

# Upstream's words and marks are not copied: we write our own descriptions (see the module docstring).
_NOT_COPIED = {"description", "example", "examples", "title", "externalDocs"}
_STRUCTURAL = {"$ref", "type", "properties", "items", "enum", "allOf", "oneOf", "anyOf", "format", "required"}
# Where a description goes among a schema's keys, in this spec's style: after type, nullable and deprecated.
_AFTER_DESCRIPTION = ("required", "properties", "items", "enum", "x-enum-varnames", "example")
_MAX_ROUNDS = 8


class ApplyError(Exception):
    """Upstream's change cannot be applied to our spec; the message says what and where."""


@dataclass(frozen=True)
class Root:
    """One schema both documents hold: an operation's body, or a named schema no operation references."""

    label: str  # "" for the endpoint `codegen.py diff` compares, so report lines read the same
    section: str  # request, response or error: which column of the rules table classifies its changes
    ours: MutableMapping[str, Any]  # the mapping whose `schema` key (or the named schema's slot) holds it
    key: str
    theirs: Any


@dataclass
class Applied:
    """What `apply_upstream` did."""

    text: str  # the new spec/openapi.yaml
    differences: list[Difference]  # what upstream said differently, before the edit (deviations left out)
    new_elements: list[str] = field(default_factory=list)  # parts added with a placeholder description
    unused_schemas: list[str] = field(default_factory=list)  # no longer used by any operation (kept)
    example_changes: list[str] = field(default_factory=list)  # our examples, adjusted or dropped to fit (_examples)


def apply_upstream(our_text: str, theirs: Document, record: UpstreamRecord, *, source: str) -> Applied:
    """Our spec's text with every unexplained difference from `theirs` applied."""
    ours = load_round_trip(our_text, source)
    editor = _Editor(ours, theirs, record)
    reachable_before = editor.reachable_schemas()
    first = editor.differences()
    remaining = first
    for _ in range(_MAX_ROUNDS):
        if not remaining:
            break
        for root, difference in remaining:
            editor.apply(root, difference)
        remaining = editor.differences()
    if remaining:
        lines = "\n  ".join(_line(root, d) for root, d in remaining[:20])
        raise ApplyError(f"these differences remain after {_MAX_ROUNDS} rounds of edits:\n  {lines}")
    unused = editor.unused(reachable_before)
    example_changes = fit_examples(ours) if first else []
    return Applied(
        text=dump_round_trip(ours),
        differences=[_reported(root, d) for root, d in first],
        new_elements=editor.new_elements,
        unused_schemas=unused,
        example_changes=example_changes,
    )


def _reported(root: Root, difference: Difference) -> Difference:
    """The difference as `compare_documents` reports it: a part beyond the endpoint is named first."""
    return dataclasses.replace(difference, path=f"{root.label} {difference.path}") if root.label else difference


def _line(root: Root, difference: Difference) -> str:
    return _reported(root, difference).line


def parse_path(path: str) -> list[str]:
    """`report.items[].name` -> ["report", "items", "[]", "name"]; the body itself is []."""
    if path == ROOT:
        return []
    steps: list[str] = []
    for part in path.split("."):
        match = re.fullmatch(r"(.*?)((?:\[\]|\{\})*)", part)
        assert match is not None
        if match.group(1):
            steps.append(match.group(1))
        steps.extend(re.findall(r"\[\]|\{\}", match.group(2)))
    return steps


def enum_varname(value: str) -> str:
    """The constant name for an enum value, as this spec names them: "4.1" -> V4_1, "money market" -> MONEY_MARKET."""
    name = re.sub(r"[^0-9A-Za-z]+", "_", value).strip("_").upper() or "EMPTY"
    return f"V{name}" if name[0].isdigit() else name


def pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^0-9A-Za-z]+", name) if part)


class _Slot:
    """Where a schema node sits: `container[key]`."""

    def __init__(self, container: Any, key: Any) -> None:
        self.container, self.key = container, key

    def get(self) -> Any:
        return self.container[self.key]

    def set(self, value: Any) -> None:
        self.container[self.key] = value


class _Side:
    """Navigation in one document's raw schemas."""

    def __init__(self, content: Mapping[str, Any], source: str) -> None:
        self.content = content
        self.normaliser = Normaliser(content, source)
        self.source = source

    def schemas(self) -> Any:
        components = self.content.get("components")
        schemas = components.get("schemas") if isinstance(components, Mapping) else None
        return schemas if isinstance(schemas, Mapping) else {}

    def expansion(self, node: Any) -> list[Mapping[str, Any]]:
        """The mappings whose keywords make up `node`: itself, then what its `$ref` and `allOf` bring in."""
        found: list[Mapping[str, Any]] = []
        seen: set[int] = set()

        def visit(item: Any) -> None:
            if not isinstance(item, Mapping) or id(item) in seen:
                return
            seen.add(id(item))
            found.append(item)
            if "$ref" in item:
                visit(self.normaliser.resolve(str(item["$ref"])))
            for member in item.get("allOf") or ():
                visit(member)
            variants = [v for v in (item.get("oneOf") or item.get("anyOf") or ()) if not _is_null_schema(v)]
            if len(variants) == 1:
                visit(variants[0])

        visit(node)
        return found

    def child(self, node: Any, step: str, where: str) -> _Slot:
        for part in self.expansion(node):
            if step == "[]" and isinstance(part.get("items"), Mapping):
                return _Slot(part, "items")
            if step == "{}" and isinstance(part.get("additionalProperties"), Mapping):
                return _Slot(part, "additionalProperties")
            properties = part.get("properties")
            if step not in ("[]", "{}") and isinstance(properties, Mapping) and step in properties:
                return _Slot(properties, step)
        raise ApplyError(f"{self.source}: {where}: no {step!r} to follow")

    def slot(self, root_slot: _Slot, steps: list[str], where: str) -> _Slot:
        slot = root_slot
        for step in steps:
            slot = self.child(slot.get(), step, where)
        return slot

    def ref_name(self, node: Any) -> str | None:
        """The named schema a node stands for: `$ref: X` or `allOf: [$ref: X]` (documentation aside)."""
        if not isinstance(node, Mapping):
            return None
        if "$ref" in node:
            ref = str(node["$ref"])
            return ref.removeprefix(SCHEMA_PREFIX) if ref.startswith(SCHEMA_PREFIX) else None
        members = [m for m in node.get("allOf") or () if isinstance(m, Mapping) and _STRUCTURAL & m.keys()]
        if len(members) == 1 and not ({"type", "properties", "items", "enum"} & node.keys()):
            return self.ref_name(members[0])
        return None


def _is_null_schema(node: Any) -> bool:
    return isinstance(node, Mapping) and node.get("type") == "null" and len(node) == 1


def _canonical_at(schema: Schema | None, steps: list[str]) -> Schema | None:
    for step in steps:
        if schema is None:
            return None
        schema = schema.items if step == "[]" else schema.extra if step == "{}" else schema.properties.get(step)
    return schema


class _Editor:
    def __init__(self, ours: CommentedMap, theirs: Document, record: UpstreamRecord) -> None:
        self.ours_content = ours
        self.theirs = _Side(theirs.content, theirs.source)
        self.record = record
        self.release = theirs.version or theirs.source
        self.theirs_version = theirs.version
        self.new_elements: list[str] = []
        self._ours = _Side(ours, "spec/openapi.yaml")

    # ------------------------------------------------------------------ comparing
    def roots(self) -> list[Root]:
        """Every schema both documents hold, our endpoint's bodies first."""
        self._ours = _Side(self.ours_content, "spec/openapi.yaml")  # fresh caches: the tree was edited
        roots: list[Root] = []
        our_paths = self.ours_content.get("paths") or {}
        their_paths = self.theirs.content.get("paths") or {}
        operations = [(OPERATION_PATH, OPERATION_METHOD)]
        for path, item in our_paths.items():
            for method in HTTP_METHODS:
                if (path, method) != operations[0] and isinstance(item, Mapping) and method in item:
                    their_item = their_paths.get(path) if isinstance(their_paths, Mapping) else None
                    if isinstance(their_item, Mapping) and method in their_item:
                        operations.append((path, method))
        for path, method in operations:
            label = "" if (path, method) == operations[0] else f"{method.upper()} {path}"
            ours = operation_media(self.ours_content, self._ours.normaliser, "spec/openapi.yaml", path, method)
            theirs = operation_media(self.theirs.content, self.theirs.normaliser, self.theirs.source, path, method)
            for section in SECTIONS:
                media, their_media = ours[section], theirs[section]
                if media is None or their_media is None:
                    if (media is None) != (their_media is None):
                        raise ApplyError(f"{label or path} {section}: a body {'added' if media is None else 'removed'}")
                    continue
                roots.append(Root(label, section, _mutable(media), "schema", their_media["schema"]))
        # Named schemas no operation uses on either side (webhook bodies), except those such a schema uses itself.
        referenced = self.reachable_schemas() | _reachable(self.theirs.content, self.theirs.schemas())
        their_schemas, our_schemas = self.theirs.schemas(), self._ours.schemas()
        candidates = [name for name in our_schemas if name not in referenced and name in their_schemas]
        inner = _reachable({"paths": {name: our_schemas[name] for name in candidates}}, our_schemas)
        for name in candidates:
            if name not in inner:
                # A client reads a webhook body, so its changes are classified as a response's.
                roots.append(Root(str(name), "response", our_schemas, name, their_schemas[name]))
        return roots

    def differences(self) -> list[tuple[Root, Difference]]:
        found = []
        for root in self.roots():
            ours = self._ours.normaliser.schema(root.ours[root.key])
            theirs = self.theirs.normaliser.schema(root.theirs)
            if root.key == "schema":  # a body is never null at its root (see _compare._body_schema)
                ours, theirs = _not_null(ours), _not_null(theirs)
            for change, path, detail in _schema_changes(ours, theirs, "", compare_openness=root.section != "request"):
                difference = Difference(
                    SECTIONS.index(root.section),
                    path or ROOT,
                    detail,
                    root.section,
                    change,
                    is_breaking(change, root.section),
                )
                if not self._covered(root, difference):
                    found.append((root, difference))
        return found

    def _covered(self, root: Root, difference: Difference) -> bool:
        """Whether a recorded deviation explains the difference (matched as the report names it)."""
        return not self.record.unexplained([_reported(root, difference)], self.theirs_version)

    # ------------------------------------------------------------------ editing
    def apply(self, root: Root, difference: Difference) -> None:
        steps = parse_path(difference.path)
        where = _line(root, difference)

        def ours(depth: int = len(steps)) -> _Slot:
            return self._ours.slot(_Slot(root.ours, root.key), steps[:depth], where)

        def theirs(depth: int = len(steps)) -> _Slot:
            return self.theirs.slot(_Slot({"root": root.theirs}, "root"), steps[:depth], where)

        change = difference.change
        if change is Change.PROPERTY_REMOVED:
            self._remove_property(ours(-1).get(), steps[-1])
        elif change in (Change.PROPERTY_ADDED, Change.REQUIRED_PROPERTY_ADDED):
            self._add_property(root, ours(-1).get(), theirs(-1).get(), steps[-1], difference)
        elif change in (Change.BECAME_REQUIRED, Change.BECAME_OPTIONAL):
            self._set_required(ours(-1).get(), steps[-1], change is Change.BECAME_REQUIRED)
        elif change in (Change.BECAME_NULLABLE, Change.BECAME_NOT_NULLABLE):
            self._set_flag(ours(), "nullable", change is Change.BECAME_NULLABLE)
        elif change in (Change.DEPRECATED, Change.UNDEPRECATED):
            self._set_flag(ours(), "deprecated", change is Change.DEPRECATED)
        elif change in (Change.ENUM_VALUE_ADDED, Change.ENUM_VALUE_REMOVED):
            removal = dataclasses.replace(
                difference,
                change=Change.ENUM_VALUE_REMOVED,
                breaking=is_breaking(Change.ENUM_VALUE_REMOVED, root.section),
            )

            def kept(value: str) -> bool:  # a value upstream lacks that a deviation keeps
                return self._covered(root, dataclasses.replace(removal, detail=f'enum value "{value}" removed'))

            self._sync_enum(ours().get(), theirs().get(), kept)
        elif change in (Change.FORMAT_CHANGED, Change.CONSTRAINT_TIGHTENED, Change.CONSTRAINT_LOOSENED):
            self._sync_keywords(ours().get(), theirs().get())
        elif change in (Change.BECAME_OPEN, Change.BECAME_CLOSED):
            target = self._concrete(ours().get())
            _put(target, "additionalProperties", change is Change.BECAME_OPEN, before=("description",))
        else:  # a new type, an enum added or removed, other alternatives: take upstream's schema as a whole
            name_hint = pascal(next((s for s in reversed(steps) if s not in ("[]", "{}")), "Body"))
            self._replace(root, ours(), theirs().get(), where, name_hint)

    def _concrete(self, node: Any) -> MutableMapping[str, Any]:
        """The mapping that holds a schema's own keywords: the named schema behind `allOf: [$ref]`, or the node."""
        expansion = self._ours.expansion(node)
        for part in reversed(expansion):
            if "$ref" not in part and "allOf" not in part:
                return _mutable(part)
        return _mutable(expansion[-1])

    def _remove_property(self, parent: Any, name: str) -> None:
        for part in self._ours.expansion(parent):
            properties = part.get("properties")
            if isinstance(properties, MutableMapping) and name in properties:
                del properties[name]
                if not properties:
                    del _mutable(part)["properties"]
            required = part.get("required")
            if isinstance(required, MutableSequence) and name in required:
                required.remove(name)
                if not required:
                    del _mutable(part)["required"]

    def _add_property(self, root: Root, parent: Any, their_parent: Any, name: str, difference: Difference) -> None:
        expansion = self._ours.expansion(parent)
        owner = next((p for p in expansion if isinstance(p.get("properties"), Mapping)), None)
        owner = _mutable(owner) if owner is not None else self._concrete(parent)
        their_properties: dict[str, Any] = {}
        for part in self.theirs.expansion(their_parent):
            for key, value in (part.get("properties") or {}).items():
                their_properties.setdefault(str(key), value)
        anchor = self._anchor(owner)
        value = _described(
            self._convert(their_properties[name], root.section, pascal(name), anchor), self._placeholder()
        )
        properties = owner.get("properties")
        if not isinstance(properties, CommentedMap):
            properties = CommentedMap()
            _put(owner, "properties", properties, before=())
        _insert(properties, name, value, list(their_properties))
        if difference.change is Change.REQUIRED_PROPERTY_ADDED:
            self._set_required(parent, name, True)
        self.new_elements.append(f"{root.section} {_reported(root, difference).path}")

    def _set_required(self, parent: Any, name: str, required: bool) -> None:
        expansion = self._ours.expansion(parent)
        if not required:
            self._remove_required(expansion, name)
            return
        owner = next(
            (p for p in expansion if isinstance(p.get("properties"), Mapping) and name in p["properties"]),
            self._concrete(parent),
        )
        listed = owner.get("required")
        if not isinstance(listed, MutableSequence):
            listed = CommentedSeq()
            _put(_mutable(owner), "required", listed, before=("properties",))
        if name not in listed:
            order = list((owner.get("properties") or {}).keys())
            position = len(listed)
            if name in order:
                later = {n for n in order[order.index(name) + 1 :]}
                position = next((i for i, n in enumerate(listed) if n in later), len(listed))
            listed.insert(position, name)

    @staticmethod
    def _remove_required(expansion: list[Mapping[str, Any]], name: str) -> None:
        for part in expansion:
            listed = part.get("required")
            if isinstance(listed, MutableSequence) and name in listed:
                listed.remove(name)
                if not listed:
                    del _mutable(part)["required"]

    def _set_flag(self, slot: _Slot, flag: str, value: bool) -> None:
        node = slot.get()
        if value:
            if isinstance(node, Mapping) and "$ref" in node:
                node = _wrap_ref(node)
                slot.set(node)
            _put(
                _mutable(node),
                flag,
                True,
                before=("deprecated", "description") if flag == "nullable" else ("description",),
            )
            return
        for part in self._ours.expansion(node):
            if flag in part:
                del _mutable(part)[flag]

    def _sync_enum(self, node: Any, their_node: Any, kept_anyway: Callable[[str], bool]) -> None:
        owner = next((p for p in self._ours.expansion(node) if isinstance(p.get("enum"), list)), None)
        their_owner = next((p for p in self.theirs.expansion(their_node) if isinstance(p.get("enum"), list)), None)
        if owner is None or their_owner is None:
            raise ApplyError("an enum's values changed, but one side has no `enum` list")
        theirs = [enum_text(v) for v in their_owner["enum"] if v is not None]
        current = [str(v) for v in owner["enum"]]
        names = list(owner.get("x-enum-varnames") or [enum_varname(v) for v in current])
        kept = [
            (value, name) for value, name in zip(current, names, strict=False) if value in theirs or kept_anyway(value)
        ]
        for value in theirs:
            if value not in [v for v, _ in kept]:
                position = _position([v for v, _ in kept], theirs, value)
                taken = {n for _, n in kept}
                name = enum_varname(value)
                while name in taken:
                    name += "_"
                kept.insert(position, (value, name))
        enum, varnames = owner["enum"], owner.get("x-enum-varnames")
        # Values we keep are written as they were (quoted or not); new ones as this list quotes its values.
        written = {str(v): v for v in enum}
        quoted = bool(enum) and all(isinstance(v, SingleQuotedScalarString) for v in enum)
        enum[:] = [written.get(value) or _enum_value(value, quoted=quoted) for value, _ in kept]
        if isinstance(varnames, MutableSequence):
            varnames[:] = [name for _, name in kept]
        else:
            _put(_mutable(owner), "x-enum-varnames", CommentedSeq(n for _, n in kept), before=())

    def _sync_keywords(self, node: Any, their_node: Any) -> None:
        """Format and bounds: set where ours keeps them (or on the schema itself) to upstream's values."""
        keywords = {"format", *CONSTRAINT_KEYWORDS}
        theirs: dict[str, Any] = {}
        for part in reversed(self.theirs.expansion(their_node)):
            theirs.update({k: v for k, v in part.items() if k in keywords})
        ours_parts = self._ours.expansion(node)
        for keyword in keywords:
            holders = [p for p in ours_parts if keyword in p]
            if keyword not in theirs:
                for part in holders:
                    del _mutable(part)[keyword]
            elif not holders or any(p[keyword] != theirs[keyword] for p in holders):
                for part in holders:
                    del _mutable(part)[keyword]
                _put(self._concrete(node), keyword, theirs[keyword], before=("nullable", "deprecated", "description"))

    def _replace(self, root: Root, slot: _Slot, their_node: Any, where: str, name_hint: str) -> None:
        node = slot.get()
        our_name, their_name = self._ours.ref_name(node), self.theirs.ref_name(their_node)
        if our_name is not None and our_name == their_name:
            # The named schema itself changed: rewrite it in place, keeping our title and description.
            schemas = self._ours.schemas()
            old = schemas[our_name]
            new = self._convert(self.theirs.schemas()[their_name], root.section, our_name, our_name)
            new = _with_our_words(new, old, title=our_name)
            _mutable(schemas)[our_name] = new
            self.new_elements.append(f"components.schemas.{our_name} (replaced: {where})")
            return
        new = self._convert(their_node, root.section, name_hint, self._anchor(node))
        if isinstance(node, Mapping) and isinstance(node.get("description"), str):
            _describe(new, node["description"])
        else:
            _describe(new, self._placeholder())
        slot.set(new)
        self.new_elements.append(f"{where} (replaced)")

    # ------------------------------------------------------------------ importing upstream parts
    def _placeholder(self) -> str:
        return f"Added in Plaid's spec {self.release}; not yet described here."

    def _anchor(self, node: Any) -> str | None:
        """The named schema of ours that holds `node`, so a schema imported for it goes right after it."""
        schemas = self._ours.schemas()
        for name, schema in schemas.items():
            if schema is node or any(part is node for part in _walk(schema)):
                return str(name)
        return None

    def _convert(self, node: Any, section: str, name_hint: str, anchor: str | None, *, top: bool = False) -> Any:
        """A copy of upstream's schema node in our conventions (see the module docstring)."""
        if isinstance(node, list):
            return CommentedSeq(self._convert(v, section, name_hint, anchor) for v in node)
        if not isinstance(node, Mapping):
            return node
        if "$ref" in node:
            target = self._import_ref(str(node["$ref"]), section, anchor)
            siblings = {
                k: v for k, v in node.items() if k != "$ref" and k not in _NOT_COPIED and not k.startswith("x-")
            }
            if not siblings:
                return target
            wrapped = CommentedMap([("allOf", CommentedSeq([target]))])
            for key, value in siblings.items():
                wrapped[key] = self._convert(value, section, name_hint, anchor)
            return wrapped
        if "enum" in node and not top:
            # Our rule (codegen.validate_spec): enums are named schemas.
            name = self._unique_name(name_hint)
            self._add_schema(name, self._convert(node, section, name, anchor, top=True), anchor)
            return CommentedMap([("$ref", SCHEMA_PREFIX + name)])
        out = CommentedMap()
        for key, value in node.items():
            if key in _NOT_COPIED or str(key).startswith("x-"):
                continue
            if key == "allOf":
                members = [m for m in value if not (isinstance(m, Mapping) and not _STRUCTURAL & m.keys())]
                converted = [self._convert(m, section, name_hint, anchor) for m in members]
                if len(converted) == 1 and isinstance(converted[0], Mapping) and "$ref" not in converted[0]:
                    out.update(converted[0])  # `allOf: [<one inline schema>]`, as upstream writes an inlined alias
                else:
                    out[key] = CommentedSeq(converted)
            elif key == "properties":
                out[key] = CommentedMap(
                    (
                        str(k),
                        _described(self._convert(v, section, name_hint + pascal(str(k)), anchor), self._placeholder()),
                    )
                    for k, v in value.items()
                )
            elif key in ("items", "additionalProperties", "not"):
                out[key] = self._convert(value, section, name_hint + ("Item" if key == "items" else "Value"), anchor)
            elif key in ("oneOf", "anyOf"):
                out[key] = self._convert(value, section, name_hint, anchor)
            elif key == "enum":
                values = [enum_text(v) for v in value if v is not None]
                out.setdefault("type", "string")
                if None in value:
                    out["nullable"] = True
                out["enum"] = CommentedSeq(_enum_value(v) for v in values)
                out["x-enum-varnames"] = CommentedSeq(_varnames(values))
            else:
                out[key] = _plain_copy(value)
        if "required" in out and "properties" in out:  # ours lists `required` first
            required = out.pop("required")
            _put(out, "required", required, before=("properties",))
        if section == "request" and (out.get("type") == "object" or "properties" in out):
            # Our request objects are closed (deviation closed-request-objects).
            _put(
                out,
                "additionalProperties",
                False,
                before=("nullable", "deprecated", "description", "required", "properties"),
            )
        return out

    def _import_ref(self, ref: str, section: str, anchor: str | None) -> Any:
        if not ref.startswith(SCHEMA_PREFIX):
            raise ApplyError(f"{self.theirs.source}: cannot import {ref!r}: only schema references are supported")
        name = ref.removeprefix(SCHEMA_PREFIX)
        if name in self._ours.schemas():
            return CommentedMap([("$ref", ref)])
        their_schema = self.theirs.normaliser.resolve(ref)
        if _is_scalar_alias(their_schema):
            # Upstream names plain strings (ItemId, RequestID); this spec writes those inline.
            return self._convert(their_schema, section, name, anchor)
        self._add_schema(name, self._convert(their_schema, section, name, anchor, top=True), anchor)
        return CommentedMap([("$ref", ref)])

    def _add_schema(self, name: str, schema: CommentedMap, anchor: str | None) -> None:
        schema = _with_our_words(schema, None, title=name)
        _describe(schema, self._placeholder())
        schemas = _mutable(self._ours.schemas())
        keys = list(schemas.keys())
        position = keys.index(anchor) + 1 if anchor in keys else len(keys)
        if isinstance(schemas, CommentedMap):
            schemas.insert(position, name, schema)
        else:
            schemas[name] = schema
        self.new_elements.append(f"components.schemas.{name}")

    def _unique_name(self, hint: str) -> str:
        name, number = hint, 2
        while name in self._ours.schemas() or name in self.theirs.schemas():
            name, number = f"{hint}{number}", number + 1
        return name

    # ------------------------------------------------------------------ named schemas no longer used
    def reachable_schemas(self) -> set[str]:
        """Names of the schemas our operations use, directly or through other schemas."""
        return _reachable(self.ours_content, self._ours.schemas())

    def unused(self, reachable_before: set[str]) -> list[str]:
        """Schemas our operations used before and no longer use.

        They stay in the spec: the hand-written runtime imports some generated models by name (`Cause`,
        `PlaidError`), an extract of upstream's file lacks every schema the endpoint does not use, and a kept
        schema is reused, with our words, when upstream brings the part back.
        """
        self._ours = _Side(self.ours_content, "spec/openapi.yaml")
        return sorted(reachable_before - self.reachable_schemas())


def _reachable(content: Mapping[str, Any], schemas: Mapping[str, Any]) -> set[str]:
    """Names of the schemas a document's operations use, directly or through other schemas."""
    found: set[str] = set()
    pending = list(_walk(content.get("paths") or {}))
    pending += list(_walk((content.get("components") or {}).get("responses") or {}))
    pending += list(_walk((content.get("components") or {}).get("requestBodies") or {}))
    while pending:
        node = pending.pop()
        ref = node.get("$ref") if isinstance(node, Mapping) else None
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            name = ref.removeprefix(SCHEMA_PREFIX)
            if name not in found and name in schemas:
                found.add(name)
                pending.extend(_walk(schemas[name]))
    return found


def _not_null(schema: Schema) -> Schema:
    return dataclasses.replace(schema, nullable=False)


def _mutable(node: Any) -> MutableMapping[str, Any]:
    if not isinstance(node, MutableMapping):
        raise ApplyError(f"expected a mapping, found {type(node).__name__}")
    return node


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, Mapping):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _is_scalar_alias(schema: Any) -> bool:
    return (
        isinstance(schema, Mapping)
        and schema.get("type") in ("string", "integer", "number", "boolean")
        and not {"enum", "$ref", "allOf", "oneOf", "anyOf"} & schema.keys()
    )


def _plain_copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return CommentedMap((k, _plain_copy(v)) for k, v in value.items())
    if isinstance(value, list):
        return CommentedSeq(_plain_copy(v) for v in value)
    return value


def _enum_value(value: str, *, quoted: bool = False) -> str:
    """Values that start with a digit are quoted, as this spec writes them ('4.1', '10T', '3_lite'); all of them in a
    list that quotes every value."""
    return SingleQuotedScalarString(value) if quoted or value[:1].isdigit() else value


def _varnames(values: list[str]) -> list[str]:
    names: list[str] = []
    for value in values:
        name = enum_varname(value)
        while name in names:
            name += "_"
        names.append(name)
    return names


def _wrap_ref(node: Mapping[str, Any]) -> CommentedMap:
    """`{$ref: X, ...}` as `{allOf: [{$ref: X}], ...}`: OpenAPI 3.0 ignores a `$ref`'s siblings."""
    wrapped = CommentedMap([("allOf", CommentedSeq([CommentedMap([("$ref", node["$ref"])])]))])
    for key, value in node.items():
        if key != "$ref":
            wrapped[key] = value
    return wrapped


def _put(node: MutableMapping[str, Any], key: str, value: Any, *, before: tuple[str, ...]) -> None:
    """Set `node[key]`, placing a new key before the first of `before` present (else last)."""
    if key in node or not isinstance(node, CommentedMap):
        node[key] = value
        return
    keys = list(node.keys())
    position = min((keys.index(k) for k in before if k in keys), default=len(keys))
    node.insert(position, key, value)


def _describe(node: Any, text: str) -> None:
    if isinstance(node, MutableMapping) and not isinstance(node.get("description"), str):
        if "$ref" in node:
            return  # a bare reference carries no words in OpenAPI 3.0
        _put(node, "description", text, before=_AFTER_DESCRIPTION)


def _described(node: Any, text: str) -> Any:
    if isinstance(node, Mapping) and "$ref" in node:
        node = _wrap_ref(node)
    _describe(node, text)
    return node


def _with_our_words(new: CommentedMap, old: Any, *, title: str) -> CommentedMap:
    """`new` with `title` first, and the description of `old` when it had one."""
    out = CommentedMap([("title", title)])
    for key, value in new.items():
        if key != "title":
            out[key] = value
    if isinstance(old, Mapping) and isinstance(old.get("description"), str):
        _describe(out, old["description"])
    return out


def _position(current: list[str], their_order: list[str], value: str) -> int:
    """Where `value` goes among `current`: after the nearest value that precedes it upstream, else first."""
    index = their_order.index(value)
    for earlier in reversed(their_order[:index]):
        if earlier in current:
            return current.index(earlier) + 1
    return 0


def _insert(mapping: CommentedMap, key: str, value: Any, their_order: list[str]) -> None:
    mapping.insert(_position([str(k) for k in mapping], their_order, key), key, value)
