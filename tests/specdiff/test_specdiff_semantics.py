"""The comparison's semantics on small documents: what counts as the same, and how each change is classed."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from specdiff import RULES, Change, Document, compare_documents, is_breaking

pytestmark = pytest.mark.untraced  # coverage paused in the test's own thread: tests/untraced.py

OPERATION = "/cra/check_report/partner_insights/get"


def document(
    request: dict[str, Any],
    response: dict[str, Any],
    schemas: dict[str, Any] | None = None,
    *,
    error_statuses: tuple[str, ...] = ("default",),
) -> Document:
    error = {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/PlaidError"}}}}
    content = {
        "openapi": "3.0.0",
        "info": {"title": "t", "version": "1"},
        "paths": {
            OPERATION: {
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": request}}},
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {"schema": response}}},
                        **{status: error for status in error_statuses},
                    },
                }
            }
        },
        "components": {
            "schemas": {
                "PlaidError": {
                    "type": "object",
                    "nullable": True,
                    "properties": {"error_type": {"type": "string"}},
                    "required": ["error_type"],
                },
                **(schemas or {}),
            }
        },
    }
    return Document("doc", content, "0" * 64)


def obj(properties: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], **extra}


def diff(old: Document, new: Document) -> list[str]:
    return [d.line for d in compare_documents(old, new)]


EMPTY = obj({})
VERSION_ENUM_PLAID = {"type": "string", "nullable": True, "enum": [4.1, 4, "3_lite", None]}
VERSION_ENUM_OURS = {"type": "string", "enum": ["4.1", "4", "3_lite"]}


@pytest.mark.parametrize(
    ("plaid", "ours"),
    [
        pytest.param(
            document(obj({"v": {"$ref": "#/components/schemas/V"}}), EMPTY, {"V": VERSION_ENUM_PLAID}),
            document(
                obj({"v": {"allOf": [{"$ref": "#/components/schemas/V"}], "nullable": True, "description": "d"}}),
                EMPTY,
                {"V": VERSION_ENUM_OURS},
            ),
            id="nullable-at-schema-vs-use-site-and-unquoted-vs-quoted-enum",
        ),
        pytest.param(
            document(EMPTY, obj({"r": {"$ref": "#/components/schemas/R"}}), {"R": obj({"a": {"type": "integer"}})}),
            document(EMPTY, obj({"r": obj({"a": {"type": "integer", "description": "inline"}})})),
            id="named-vs-inlined",
        ),
        pytest.param(
            document(
                obj({"u": {"allOf": [{"$ref": "#/components/schemas/U"}, {}, {"x-hidden-from-docs": True}]}}),
                EMPTY,
                {"U": {"type": "string"}},
            ),
            document(
                obj({"u": {"$ref": "#/components/schemas/U", "x-hidden-from-docs": True}}),
                EMPTY,
                {"U": {"type": "string"}},
            ),
            id="allof-wrapper-vs-plain-ref",
        ),
        pytest.param(
            document(obj({"a": {"type": "string"}}), EMPTY),
            document(obj({"a": {"type": "string"}}, additionalProperties=False), EMPTY),
            id="open-vs-closed-request-object",
        ),
        pytest.param(
            document(EMPTY, EMPTY),
            document(EMPTY, EMPTY, error_statuses=("400", "429", "500", "default")),
            id="extra-error-responses",
        ),
        pytest.param(
            document(
                EMPTY,
                obj({"c": {"$ref": "#/components/schemas/Cause"}}),
                {
                    "Cause": {
                        "type": "object",
                        "nullable": True,
                        "allOf": [
                            {"$ref": "#/components/schemas/PlaidError"},
                            obj({"item_id": {"type": "string"}}),
                        ],
                        "required": ["item_id", "error_type"],
                    }
                },
            ),
            document(
                EMPTY,
                obj({"c": {"allOf": [{"$ref": "#/components/schemas/Cause"}], "nullable": True}}),
                {
                    "Cause": obj(
                        {"item_id": {"type": "string"}, "error_type": {"type": "string"}}, ["item_id", "error_type"]
                    )
                },
            ),
            id="allof-composition-vs-flat-object",
        ),
        pytest.param(
            document(EMPTY, obj({"s": {"type": "integer", "nullable": True}})),
            document(EMPTY, obj({"s": {"anyOf": [{"type": "integer"}, {"type": "null"}]}})),
            id="openapi-3.1-null-alternative",
        ),
    ],
)
def test_same_meaning_compares_equal(plaid: Document, ours: Document) -> None:
    assert diff(plaid, ours) == []
    assert diff(ours, plaid) == []


def test_a_real_nullability_change_is_still_seen() -> None:
    old = document(obj({"v": {"$ref": "#/components/schemas/V"}}), EMPTY, {"V": VERSION_ENUM_OURS})
    new = document(obj({"v": {"$ref": "#/components/schemas/V"}}), EMPTY, {"V": VERSION_ENUM_PLAID})
    assert diff(old, new) == ["non-breaking request v: became nullable"]
    assert diff(new, old) == ["breaking request v: no longer nullable"]


def test_request_rules_from_the_issue() -> None:
    old = document(
        obj({"keep": {"type": "string"}, "gone": {"type": "string"}, "e": {"type": "string", "enum": ["a"]}}), EMPTY
    )
    new = document(
        obj(
            {
                "keep": {"type": "string"},
                "e": {"type": "string", "enum": ["a", "b"]},
                "opt": {"type": "string"},
                "req": {"type": "string"},
            },
            ["req"],
        ),
        EMPTY,
    )
    assert diff(old, new) == [
        'non-breaking request e: enum value "b" added',
        "breaking request gone: removed",
        "non-breaking request opt: added",
        "breaking request req: added (required)",
    ]


def test_response_rules_from_the_issue() -> None:
    old = document(EMPTY, obj({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "integer"}}, ["b", "c"]))
    new = document(
        EMPTY, obj({"b": {"type": "string"}, "c": {"type": "integer", "nullable": True}, "n": {"type": "string"}})
    )
    assert diff(old, new) == [
        "breaking response a: removed",
        "breaking response b: became optional",
        "breaking response c: became nullable",
        "breaking response c: became optional",
        "non-breaking response n: added",
    ]


def test_arrays_types_formats_constraints_and_errors() -> None:
    old = document(
        obj({"codes": {"type": "array", "items": {"type": "string"}, "maxItems": 4}, "name": {"type": "string"}}),
        obj({"list": {"type": "array", "items": obj({"d": {"type": "string"}})}, "n": {"type": "string"}}),
    )
    new = copy.deepcopy(old.content)
    op = new["paths"][OPERATION]["post"]
    request = op["requestBody"]["content"]["application/json"]["schema"]["properties"]
    request["codes"]["maxItems"] = 3
    request["name"]["minLength"] = 1
    response = op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]
    response["list"]["items"]["properties"]["d"]["format"] = "date"
    response["n"]["type"] = "integer"
    new["components"]["schemas"]["PlaidError"]["properties"]["error_type"]["enum"] = ["API_ERROR"]
    assert diff(old, Document("new", new, "0" * 64)) == [
        "breaking request codes: maxItems changed from 4 to 3",
        "breaking request name: minLength 1 added",
        "breaking response list[].d: format changed from (none) to date",
        "breaking response n: type changed from string to integer",
        'breaking error error_type: now limited to "API_ERROR"',
    ]


def test_response_enums_are_open_so_their_values_never_break() -> None:
    assert not is_breaking(Change.ENUM_VALUE_ADDED, "response")
    assert not is_breaking(Change.ENUM_VALUE_REMOVED, "error")
    assert is_breaking(Change.ENUM_VALUE_REMOVED, "request")


def test_every_change_kind_has_a_rule_with_a_reason() -> None:
    assert set(RULES) == set(Change)
    assert all(rule.why for rule in RULES.values())
