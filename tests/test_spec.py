"""spec/openapi.yaml keeps the shape rules the client relies on, and its examples validate against their schemas.

Field-by-field fidelity to Plaid (every request and response field, its type, requiredness, values, nullability
and deprecation) is not restated here: `python codegen.py upstream` compares the whole spec with Plaid's own, and
tests/specdiff/test_specdiff_cli.py runs it against the recorded release (spec/upstream-extract.yaml).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from codegen import read_yaml

SPEC = read_yaml((Path(__file__).resolve().parent.parent / "spec" / "openapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
REQUEST = "CraCheckReportPartnerInsightsGetRequest"


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
    from plaid_partner_insights_generated.client import models
    from plaid_partner_insights_generated.testing import validation_models

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


SETUP_SCHEMAS = read_yaml((Path(__file__).resolve().parent.parent / "spec" / "sandbox-setup.yaml").read_text())[
    "components"
]["schemas"]
# Wording, and whether an object is closed (requests) or open (responses), may differ between the two specs.
_WORDING_AND_OPENNESS = {"title", "description", "example", "examples", "additionalProperties"}


def _shape(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: _shape(value)
            for key, value in node.items()
            if key not in _WORDING_AND_OPENNESS and not key.startswith("x-")
        }
    if isinstance(node, list):
        return [_shape(item) for item in node]
    return node


def test_schemas_named_in_both_specs_have_one_shape() -> None:
    # spec/sandbox-setup.yaml repeats the SDK spec's schemas it needs (Prism versions, UltraFICO inputs): a copy
    # must not drift from spec/openapi.yaml, the one source, unless it says why it differs.
    shared = sorted(set(SCHEMAS) & set(SETUP_SCHEMAS))
    assert "CraPartnerInsightsFicoInput" in shared
    drifted = [
        name
        for name in shared
        if "x-sdk-spec-differs" not in SETUP_SCHEMAS[name] and _shape(SCHEMAS[name]) != _shape(SETUP_SCHEMAS[name])
    ]
    assert not drifted, f"spec/sandbox-setup.yaml's copies differ from spec/openapi.yaml: {drifted}"
