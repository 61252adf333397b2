"""Generated bodies round-trip through the generated attrs models unchanged.

Requests are drawn from the spec's request schema and responses from its 200 schema, so the models meet
everything the spec allows, not just our examples. The drawing is schemathesis's (it reads OpenAPI 3.0,
`nullable` included): hypothesis-jsonschema 0.23.1 fails on the installed Hypothesis (`'many' object has
no attribute 'more'`).
"""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from plaid_partner_insights_generated.client.models import (
    CraCheckReportPartnerInsightsGetRequest,
    CraCheckReportPartnerInsightsGetResponse,
)

from codegen import read_yaml

# Run first under pytest-xdist (tests/conftest.py), with coverage paused (tests/untraced.py): the generated models
# live outside src/, so traced, this file measured nothing and took twice as long.
pytestmark = [pytest.mark.slow, pytest.mark.untraced]

SPEC_PATH = Path(__file__).resolve().parents[2] / "spec" / "openapi.yaml"
ENDPOINT = "/cra/check_report/partner_insights/get"
PROPERTY_SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


def bodies_of(component: str) -> st.SearchStrategy[Any]:
    """JSON bodies valid for one component schema of the spec.

    schemathesis draws only request bodies, so the component is made the request body of a one-operation
    document that shares the spec's components.
    """
    spec = read_yaml(SPEC_PATH.read_text())
    operation = {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{component}"}}},
        },
        "responses": {"200": {"description": "OK"}},
    }
    document = {
        "openapi": spec["openapi"],
        "info": spec["info"],
        "paths": {"/body": {"post": operation}},
        "components": {"schemas": spec["components"]["schemas"]},
    }
    api = schemathesis.openapi.from_dict(document, config=schemathesis.Config())
    return api["/body"]["POST"].as_strategy().map(lambda case: case.body)


# Built on first use: every pytest-xdist worker collects this file, and only the one that runs it needs them.
REQUEST_BODIES = st.deferred(
    lambda: (
        schemathesis.openapi.from_path(SPEC_PATH, config=schemathesis.Config())[ENDPOINT]["POST"]
        .as_strategy()
        .map(lambda case: case.body)
    )
)
RESPONSE_BODIES = st.deferred(lambda: bodies_of("CraCheckReportPartnerInsightsGetResponse"))


def normalise_times(body: dict[str, Any]) -> dict[str, Any]:
    """Parse the date and date-time fields: the model may re-format them (`Z` -> `+00:00`), not change them."""
    body = copy.deepcopy(body)
    report = body.get("report")
    if isinstance(report, dict):
        if isinstance(report.get("generated_time"), str):
            report["generated_time"] = dt.datetime.fromisoformat(report["generated_time"])
        for item in report.get("items") or []:
            for account in item.get("accounts") or []:
                metadata = account["metadata"]
                for key in ("start_date", "end_date"):
                    if isinstance(metadata[key], str):
                        metadata[key] = dt.date.fromisoformat(metadata[key])
    return body


@PROPERTY_SETTINGS
@given(body=REQUEST_BODIES)
def test_request_bodies_round_trip(body: Any) -> None:
    assert CraCheckReportPartnerInsightsGetRequest.from_dict(copy.deepcopy(body)).to_dict() == body


@PROPERTY_SETTINGS
@given(body=RESPONSE_BODIES)
def test_response_bodies_parse_and_round_trip(body: Any) -> None:
    parsed = CraCheckReportPartnerInsightsGetResponse.from_dict(copy.deepcopy(body))
    assert parsed.request_id == body["request_id"]
    assert normalise_times(parsed.to_dict()) == normalise_times(body)
