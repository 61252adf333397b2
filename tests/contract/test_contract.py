"""Contract tests: the public client against the local emulator, and against Plaid's real sandbox when asked.

The "plaid" parametrisation runs only when PLAID_CLIENT_ID and PLAID_SECRET are set; then the suite also lifts its
loopback-only network rule (see conftest). Its user is PLAID_SANDBOX_USER_ID (or PLAID_SANDBOX_USER_TOKEN) when
set; otherwise the suite bootstraps one with `bootstrap_sandbox_user` (reused across runs, by a stable
client_user_id).
Tests that need the local emulator's special users run against it alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import jsonschema
import pytest

from plaid_partner_insights import PartnerInsightsClient, PlaidAPIError, _spec
from plaid_partner_insights.testing import bootstrap_sandbox_user
from plaid_partner_insights.testing.emulator import (
    DATA_UNAVAILABLE_USER_ID,
    DEMO_USER_ID,
    EXPIRED_USER_ID,
    NO_PRISM_USER_ID,
    NO_REPORT_USER_ID,
    NOT_READY_USER_ID,
    RATE_LIMITED_USER_ID,
    SERVER_ERROR_USER_ID,
    WARNINGS_USER_ID,
)

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox

REAL_SANDBOX_SKIP = (
    "Plaid's real sandbox: set PLAID_CLIENT_ID and PLAID_SECRET (sandbox keys with Plaid Check and Partner "
    "Insights) to run the contract tests against it"
)


def real_sandbox_configured() -> bool:
    return bool(os.environ.get("PLAID_CLIENT_ID") and os.environ.get("PLAID_SECRET"))


@pytest.fixture(scope="session")
def real_sandbox_user() -> dict[str, str]:
    """The user the real-sandbox run reads: the override from the environment, or one bootstrapped now."""
    if os.environ.get("PLAID_SANDBOX_USER_ID"):
        return {"user_id": os.environ["PLAID_SANDBOX_USER_ID"]}
    if os.environ.get("PLAID_SANDBOX_USER_TOKEN"):
        return {"user_token": os.environ["PLAID_SANDBOX_USER_TOKEN"]}
    # PLAID_BASE_URL (as the client's from_env reads it) can aim the bootstrap elsewhere too, e.g. a local emulator.
    user = bootstrap_sandbox_user(
        client_id=os.environ["PLAID_CLIENT_ID"],
        secret=os.environ["PLAID_SECRET"],
        base_url=os.environ.get("PLAID_BASE_URL") or None,
    )
    return user.identity


@dataclass(frozen=True)
class Target:
    """Where the contract runs: a way to build a client, and the user whose report exists there."""

    name: str
    client_id: str
    secret: str
    base_url: str | None
    user: dict[str, str]

    def client(self, *, secret: str | None = None, max_retries: int = 0) -> PartnerInsightsClient:
        settings: dict[str, Any] = {"base_url": self.base_url} if self.base_url else {"environment": "sandbox"}
        return PartnerInsightsClient(
            client_id=self.client_id, secret=secret or self.secret, max_retries=max_retries, **settings
        )


@pytest.fixture(
    params=[
        "local",
        pytest.param(
            "plaid",
            marks=[
                pytest.mark.real_sandbox,
                pytest.mark.skipif(not real_sandbox_configured(), reason=REAL_SANDBOX_SKIP),
            ],
        ),
    ]
)
def target(request: pytest.FixtureRequest, local_sandbox: LocalSandbox) -> Target:
    if request.param == "local":
        return Target(
            "local", local_sandbox.client_id, local_sandbox.secret, local_sandbox.url, {"user_id": DEMO_USER_ID}
        )
    user = request.getfixturevalue("real_sandbox_user")
    # PLAID_BASE_URL (as the client's from_env reads it) can aim this run elsewhere, e.g. at a proxy.
    base_url = os.environ.get("PLAID_BASE_URL") or None
    return Target("plaid", os.environ["PLAID_CLIENT_ID"], os.environ["PLAID_SECRET"], base_url, user)


@pytest.fixture
def client(target: Target) -> Iterator[PartnerInsightsClient]:
    with target.client() as client:
        yield client


@pytest.fixture
def local(local_sandbox: LocalSandbox) -> Iterator[PartnerInsightsClient]:
    with PartnerInsightsClient(
        client_id=local_sandbox.client_id, secret=local_sandbox.secret, base_url=local_sandbox.url, max_retries=0
    ) as client:
        yield client


# ------------------------------------------------------------------------------------------------ both targets


def test_report_matches_the_spec(
    client: PartnerInsightsClient, target: Target, response_validator: jsonschema.Draft7Validator
) -> None:
    response = client.partner_insights.get(**target.user)  # type: ignore[arg-type]
    body = response.to_dict()
    assert response.request_id
    # Shapes and types only, no formats: the check this test has always held Plaid's real answers to.
    jsonschema.Draft7Validator(response_validator.schema).validate(body)
    report = response.to_dict().get("report", {})
    for product in _spec.prism_products():
        score = ((report.get("prism") or {}).get(product.report_key) or {}).get("score")
        assert score is None or 1 <= score <= 999, (product.report_key, score)
    items = report.get("items")
    assert items, f"{target.name}: a report with no Items checks nothing below"
    for item in items:
        assert all(account["type"] == "depository" for account in item["accounts"])


def test_wrong_secret_raises_invalid_api_keys(target: Target) -> None:
    with target.client(secret="not-the-secret") as client, pytest.raises(PlaidAPIError) as raised:
        client.partner_insights.get(**target.user)  # type: ignore[arg-type]
    error = raised.value
    assert (error.status_code, error.error_type, error.error_code) == (400, "INVALID_INPUT", "INVALID_API_KEYS")
    assert error.request_id
    assert "not-the-secret" not in str(error)
    assert target.secret not in repr(error)


def test_prism_versions_are_honoured(client: PartnerInsightsClient, target: Target) -> None:
    # Each default product at a version other than its default, where the spec lists one.
    products = [product for product in _spec.prism_products() if product.default_version is not None]
    versions = {p.request_key: next((v for v in p.versions if v != p.default_version), p.versions[0]) for p in products}
    assert versions
    try:
        response = client.partner_insights.get(**target.user, partner_insights={"prism_versions": versions})  # type: ignore[arg-type, typeddict-item]
    except PlaidAPIError as error:
        if error.error_code != "INVALID_FIELD":
            raise
        pytest.skip(f"{target.name}: this client was created on or after 2026-07-01 and may not send partner_insights")
    prism = response.to_dict()["report"].get("prism")
    if prism is None:
        pytest.skip(f"{target.name}: this user's report has no Prism data")
    # Plaid may leave out a product this user has no data for, but never all of them.
    reported = [product for product in products if prism.get(product.report_key) is not None]
    assert reported, f"{target.name}: the report's prism holds none of {[p.report_key for p in products]}"
    assert {product.report_key: prism[product.report_key]["model_version"] for product in reported} == {
        product.report_key: versions[product.request_key] for product in reported
    }


# ------------------------------------------------------------------------------------------------ local emulator


def test_typed_access_to_the_demo_report(local: PartnerInsightsClient) -> None:
    response = local.partner_insights.get(user_id=DEMO_USER_ID)
    score = response.report.prism.cash_score.score  # type: ignore[union-attr]
    assert isinstance(score, int)
    assert 1 <= score <= 999
    assert response.to_dict()["request_id"] == response.request_id


def test_fico_results_through_the_client(local: PartnerInsightsClient) -> None:
    fico = {
        "fico_lender_id": "lender-contract",
        "lender_application_id": "app-contract",
        "ultrafico_score_requests": [
            {
                "ultrafico_score_version": "1.0",
                "request_correlation_id": "contract-1",
                "base_fico_score": {"bureau": "EQUIFAX", "score": 701, "base_fico_score_version": "10"},
            }
        ],
    }
    response = local.partner_insights.get(user_id=DEMO_USER_ID, partner_insights={"fico": fico})  # type: ignore[typeddict-item]
    result = response.to_dict()["report"]["fico"]["ultrafico_score_results"][0]
    assert result["request_correlation_id"] == "contract-1"
    assert 300 <= result["ultrafico_score"]["score"] <= 850


def test_deprecated_options_warn_and_still_choose_versions(local: PartnerInsightsClient) -> None:
    with pytest.warns(DeprecationWarning, match="partner_insights"):
        response = local.partner_insights.get(user_id="usr_contract", options={"prism_versions": {"cashscore": "4.1"}})
    assert response.to_dict()["report"]["prism"]["cash_score"]["model_version"] == "4.1"


def test_warnings_and_no_prism_users(local: PartnerInsightsClient) -> None:
    warned = local.partner_insights.get(user_id=WARNINGS_USER_ID).to_dict()
    assert warned["warnings"][0]["warning_code"] == "IDENTITY_UNAVAILABLE"
    assert "prism" not in local.partner_insights.get(user_id=NO_PRISM_USER_ID).to_dict()["report"]


@pytest.mark.parametrize(
    ("user", "status", "error_type", "code"),
    [
        (NOT_READY_USER_ID, 400, "CONSUMER_REPORT_ERROR", "PRODUCT_NOT_READY"),
        (EXPIRED_USER_ID, 400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_EXPIRED"),
        (NO_REPORT_USER_ID, 400, "CONSUMER_REPORT_ERROR", "CONSUMER_REPORT_NOT_FOUND"),
        (DATA_UNAVAILABLE_USER_ID, 400, "CHECK_REPORT_ERROR", "DATA_UNAVAILABLE"),
        (RATE_LIMITED_USER_ID, 429, "RATE_LIMIT_EXCEEDED", "RATE_LIMIT"),
        (SERVER_ERROR_USER_ID, 500, "API_ERROR", "INTERNAL_SERVER_ERROR"),
    ],
)
def test_error_users_raise_typed_errors(
    local: PartnerInsightsClient, user: str, status: int, error_type: str, code: str
) -> None:
    with pytest.raises(PlaidAPIError) as raised:
        local.partner_insights.get(user_token=user)
    error = raised.value
    assert (error.status_code, error.error_type, error.error_code) == (status, error_type, code)
    assert error.request_id
    assert error.error_message
    if code == "DATA_UNAVAILABLE":
        assert error.causes
