"""spec/openapi.yaml keeps every request field of Plaid's reference page, with its type, requiredness and values.

The table is the page's field list (plus what Plaid's published spec adds); a spec edit that drops or retypes a
field, loses a valid value or nullability, or forgets a deprecation fails here before it reaches the client.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

SPEC = yaml.safe_load((Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
REQUEST = "CraCheckReportPartnerInsightsGetRequest"
VERSIONS = {
    "detect": ["4", "4.1", None],
    "firstdetect": ["3", None],
    "cashscore": ["4", "3", "3_lite", "4.1", None],
    "extend": ["4", "4.1", None],
    "insights": ["4", "3", "4.1", None],
}
SCORE_REQUEST = "partner_insights.fico.ultrafico_score_requests[]"
BASE_SCORE = f"{SCORE_REQUEST}.base_fico_score"
# (path, JSON type, required within its parent, valid values with None for null, deprecated)
REQUEST_FIELDS: list[tuple[str, str, bool, list[str | None] | None, bool]] = [
    ("user_token", "string", False, None, False),
    ("user_id", "string", False, None, False),
    ("client_id", "string", False, None, False),
    ("secret", "string", False, None, False),
    ("third_party_user_token", "string", False, None, False),
    ("user_tier", "string", False, ["free", "paid", None], False),
    ("options", "object", False, None, True),
    ("options.prism_versions", "object", False, None, True),
    ("options.prism_products", "array", False, None, True),
    ("partner_insights", "object", False, None, False),
    ("partner_insights.prism_versions", "object", False, None, False),
    ("partner_insights.fico", "object", False, None, False),
    ("partner_insights.fico.lender_application_id", "string", True, None, False),
    ("partner_insights.fico.fico_lender_id", "string", True, None, False),
    ("partner_insights.fico.ultrafico_score_requests", "array", True, None, False),
    (f"{SCORE_REQUEST}.ultrafico_score_version", "string", True, ["1.0"], False),
    (f"{SCORE_REQUEST}.request_correlation_id", "string", False, None, False),
    (f"{SCORE_REQUEST}.fico_scoring_request_id", "string", False, None, False),
    (f"{SCORE_REQUEST}.base_fico_score", "object", True, None, False),
    (f"{BASE_SCORE}.score", "integer", True, None, False),
    (f"{BASE_SCORE}.base_fico_score_version", "string", True, ["10T", "10", "9", "8"], False),
    (f"{BASE_SCORE}.bureau", "string", True, ["EXPERIAN", "EQUIFAX", "TRANSUNION"], False),
    (f"{BASE_SCORE}.did_inquiries_adversely_affect_score", "boolean", False, None, False),
    (f"{BASE_SCORE}.reason_codes", "array", False, None, False),
    *((f"{BASE_SCORE}.reason_code_{n}", "string", False, None, True) for n in range(1, 5)),
    *(
        (f"{parent}.{product}", "string", False, values, False)
        for parent in ("partner_insights.prism_versions", "options.prism_versions")
        for product, values in VERSIONS.items()
    ),
]


def resolve(node: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Follow `$ref` and the `allOf: [$ref]` + `nullable` form; return the target and whether null is allowed."""
    nullable = bool(node.get("nullable"))
    while True:
        if "$ref" in node:
            node = SCHEMAS[node["$ref"].rsplit("/", 1)[1]]
        elif "allOf" in node:
            node = node["allOf"][0]
        else:
            return node, nullable or bool(node.get("nullable"))


def field(path: str) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """The property schema at a dotted path (`[]` steps into array items), its resolved target and its parent."""
    parent, _ = resolve(SCHEMAS[REQUEST])
    prop: dict[str, Any] = {}
    for step in path.split("."):
        name = step.removesuffix("[]")
        prop = parent["properties"][name]
        target, _ = resolve(prop)
        if step.endswith("[]"):
            target, _ = resolve(target["items"])
        if step != path.split(".")[-1]:
            parent = target
    return prop, resolve(prop)[0], parent


@pytest.mark.parametrize(("path", "json_type", "required", "values", "deprecated"), REQUEST_FIELDS)
def test_request_field_matches_plaid(
    path: str, json_type: str, required: bool, values: list[str | None] | None, deprecated: bool
) -> None:
    prop, target, parent = field(path)
    assert target.get("type") == json_type
    assert (path.rsplit(".", 1)[-1] in parent.get("required", [])) is required
    assert bool(prop.get("deprecated")) is deprecated
    if values is not None:
        _, nullable = resolve(prop)
        assert sorted(target["enum"]) == sorted(v for v in values if v is not None)
        assert nullable is (None in values)


def test_request_objects_are_closed_and_response_objects_open() -> None:
    closed = {name for name, schema in SCHEMAS.items() if schema.get("additionalProperties") is False}
    assert REQUEST in closed
    assert "CraPartnerInsightsBaseFicoScore" in closed
    response = SCHEMAS["CraCheckReportPartnerInsightsGetResponse"]
    assert response["additionalProperties"] is True
    assert SCHEMAS["CraPartnerInsightsPrism"]["additionalProperties"] is True


def test_credentials_and_version_header_are_security_schemes() -> None:
    schemes = SPEC["components"]["securitySchemes"]
    assert {s["name"] for s in schemes.values()} == {"PLAID-CLIENT-ID", "PLAID-SECRET", "Plaid-Version"}
    assert [s["in"] for s in schemes.values()] == ["header"] * 3
    assert [url["url"] for url in SPEC["servers"]] == ["https://production.plaid.com", "https://sandbox.plaid.com"]


def media_examples() -> list[tuple[str, str, Any]]:
    """Every example in the spec: (where, schema name, value)."""
    found = []
    operation = SPEC["paths"]["/cra/check_report/partner_insights/get"]["post"]
    bodies = [("request", operation["requestBody"]["content"]["application/json"])]
    bodies += [
        (f"response {status}", SPEC["components"]["responses"][r["$ref"].rsplit("/", 1)[1]] if "$ref" in r else r)
        for status, r in operation["responses"].items()
    ]
    for where, media in bodies:
        media = media.get("content", {}).get("application/json", media)
        schema = media["schema"]["$ref"].rsplit("/", 1)[1]
        for name, example in media.get("examples", {}).items():
            found.append((f"{where} {name}", schema, example["value"]))
    return found


@pytest.mark.parametrize(("where", "schema", "value"), media_examples(), ids=lambda v: v if isinstance(v, str) else "")
def test_spec_examples_validate_against_their_schema(where: str, schema: str, value: Any) -> None:
    # Redocly cannot validate examples written with the nullable-allOf form, so the generated pydantic
    # models (the sandbox's request validation) and the attrs client models check them instead.
    from plaid_partner_insights_generated import validation_models
    from plaid_partner_insights_generated.client import models

    getattr(validation_models, schema).model_validate(value)
    assert normalized(getattr(models, schema).from_dict(value).to_dict()) == normalized(value)


def normalized(value: Any) -> Any:
    """JSON with date-times as datetime objects: the client may write `Z` back as `+00:00`."""
    if isinstance(value, dict):
        return {key: normalized(item) for key, item in value.items()}
    if isinstance(value, list):
        return [normalized(item) for item in value]
    if isinstance(value, str) and "T" in value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    return value
