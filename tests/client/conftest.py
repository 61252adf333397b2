"""Fixtures for the client tests: sync and async clients behind one calling convention, fast retries."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient, RetryPolicy
from plaid_partner_insights._spec import RESPONSE_SCHEMA
from plaid_partner_insights.testing.emulator._report import Attributes, complete

# Tests wait milliseconds, not seconds: the public retry configuration makes backoff tiny.
FAST = RetryPolicy(backoff_initial=0.01, backoff_max=0.02, retry_after_max=0.3)

GetFn = Callable[..., Any]

# A 200 body using every part of the schema: these values, completed against the spec's response schema by the
# sandbox's builder (so every property is there, one added to the spec tomorrow included). Date-times are
# already in the form to_dict() writes them.
_GIVEN: dict[str, Any] = {
    "request_id": "req_full_1",
    "report": {
        "report_id": "rep_1",
        "generated_time": "2026-08-06T09:13:00+00:00",
        "client_report_id": None,
        "prism": {
            "status": "SUCCESS",
            "cash_score": {
                "version": 4,
                "model_version": "4",
                "score": 734,
                "reason_codes": ["CS01"],
                "metadata": {
                    "max_age": 400,
                    "min_age": 1,
                    "min_age_credit": 2,
                    "min_age_debit": 1,
                    "max_age_debit": 399,
                    "max_age_credit": 398,
                    "num_trxn_credit": 120,
                    "num_trxn_debit": 880,
                    "l1m_credit_value_cnt": 8,
                    "l1m_debit_value_cnt": 61,
                },
            },
            "insights": {"version": 4, "model_version": "4", "result": Attributes(a_attr=1.5, b_attr="x")},
        },
        "fico": {
            "lender_application_id": "app-1",
            "ultrafico_score_results": [
                {
                    "request_correlation_id": "corr-1",
                    "ultrafico_score": {"ultrafico_score_version": "1.0", "score": 712, "negative_reason_codes": []},
                    "exclusion_code": "0",
                }
            ],
            "report_characteristics": {"num_accounts": 2, "tot_current_balances": 1520.25},
        },
        "items": [
            {
                "institution_id": "ins_1",
                "institution_name": "First Platypus Bank",
                "item_id": "item_1",
                "accounts": [
                    {
                        "account_id": "acc_1",
                        "mask": "0000",
                        "metadata": {"start_date": "2025-01-02", "end_date": "2026-08-01"},
                        "name": "Checking",
                        "official_name": None,
                        "subtype": "checking",
                        "type": "depository",
                        "owners": [
                            {
                                "names": ["Alberta Charleson"],
                                "phone_numbers": [{"data": "2015550123", "primary": True, "type": "mobile"}],
                                "emails": [{"data": "a@example.com", "primary": True, "type": "primary"}],
                                "addresses": [
                                    {
                                        "data": {
                                            "city": "Malakoff",
                                            "region": "NY",
                                            "street": "2992 Cameron Road",
                                            "postal_code": "14236",
                                            "country": "US",
                                        },
                                        "primary": True,
                                    }
                                ],
                            }
                        ],
                    }
                ],
            }
        ],
    },
    "warnings": [
        {
            "warning_type": "CHECK_REPORT_WARNING",
            "warning_code": "TRANSACTIONS_UNAVAILABLE",
            "cause": {
                "item_id": "item_1",
                "error_type": "ITEM_ERROR",
                "error_code": "ITEM_LOGIN_REQUIRED",
                "error_message": "login required",
                "display_message": None,
            },
        }
    ],
}

FULL_RESPONSE: dict[str, Any] = complete(_GIVEN, RESPONSE_SCHEMA, "client-tests")


def full_response() -> dict[str, Any]:
    return copy.deepcopy(FULL_RESPONSE)


def plaid_error(error_type: str, error_code: str, **extra: Any) -> dict[str, Any]:
    return {
        "error_type": error_type,
        "error_code": error_code,
        "error_message": f"{error_code.lower()} happened",
        "display_message": None,
        "request_id": f"req_{error_code.lower()}",
        **extra,
    }


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the clients ask for between attempts, recorded instead of slept: no wall-clock assertions."""
    requested: list[float] = []

    async def record_async(seconds: float) -> None:
        requested.append(seconds)

    monkeypatch.setattr(PartnerInsightsClient, "_sleep", staticmethod(requested.append))
    monkeypatch.setattr(AsyncPartnerInsightsClient, "_sleep", staticmethod(record_async))
    return requested


@pytest.fixture(params=["sync", "async"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sync", "asyncio", "trio"])
def flavour(request: pytest.FixtureRequest) -> str:
    """The sync client, or the async client under one of the event loops it supports."""
    return str(request.param)


@pytest.fixture
def make_get(flavour: str) -> Callable[..., GetFn]:
    """`make_get(**client_settings)` returns `get(**request)`, run through the sync client, or the async client
    under asyncio or trio."""

    def factory(**settings: Any) -> GetFn:
        settings.setdefault("client_id", "test-client-id")
        settings.setdefault("secret", "test-secret")
        settings.setdefault("retry_policy", FAST)

        def get(**params: Any) -> Any:
            if flavour == "sync":
                with PartnerInsightsClient(**settings) as client:
                    return client.partner_insights.get(**params)

            async def run() -> Any:
                async with AsyncPartnerInsightsClient(**settings) as client:
                    return await client.partner_insights.get(**params)

            return anyio.run(run, backend=flavour)

        return get

    return factory
