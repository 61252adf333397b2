"""A typed usage example of the public API. `test_typing.py` checks it with `mypy --strict` and runs it."""

from __future__ import annotations

import asyncio

import httpx

from plaid_partner_insights import (
    AsyncPartnerInsightsClient,
    ConsumerReportError,
    PartnerInsightsClient,
    PlaidAPIError,
    RetryPolicy,
    TransferError,
    migrate_options,
)
from plaid_partner_insights.types import (
    CraCheckReportPartnerInsightsGetResponse,
    PartnerInsightsGetParams,
    PrismVersionsParam,
)


def cash_score(response: CraCheckReportPartnerInsightsGetResponse) -> int | None:
    """`response.report.prism.cash_score.score`: one `is not None` per optional level."""
    report = response.report
    if report is not None and report.prism is not None and report.prism.cash_score is not None:
        return report.prism.cash_score.score
    return None


def fetch(base_url: str, client_id: str, secret: str, user_id: str) -> tuple[str, int | None]:
    policy = RetryPolicy(backoff_initial=0.1, backoff_max=1.0, retry_after_max=5.0)
    with PartnerInsightsClient(
        client_id=client_id,
        secret=secret,
        base_url=base_url,
        timeout=httpx.Timeout(30.0, connect=5.0),
        max_retries=3,
        retry_policy=policy,
    ) as client:
        try:
            response = client.partner_insights.get(
                user_id=user_id,
                user_tier="paid",
                partner_insights={"prism_versions": {"cashscore": "4", "insights": "4.1"}},
                timeout=10.0,
                max_retries=1,
            )
        except ConsumerReportError as exc:
            code: str | None = exc.error_code
            return f"not ready: {code}", None
        except PlaidAPIError as exc:
            items = ",".join(cause.item_id for cause in exc.causes)
            return f"{exc.status_code} {exc.error_type}/{exc.error_code} {exc.request_id} items={items}", None
        body: dict[str, object] = response.to_dict()
        return str(body["request_id"]), cash_score(response)


def request_for(user_id: str) -> PartnerInsightsGetParams:
    """A request built ahead of the call, annotated with the public TypedDicts."""
    versions: PrismVersionsParam = {"cashscore": "4"}
    return {"user_id": user_id, "partner_insights": {"prism_versions": versions}}


async def fetch_async(base_url: str, client_id: str, secret: str, user_id: str) -> int | None:
    partner_insights = migrate_options({"prism_versions": {"cashscore": "4"}})
    async with AsyncPartnerInsightsClient(client_id=client_id, secret=secret, base_url=base_url) as client:
        response = await client.partner_insights.get(user_id=user_id, partner_insights=partner_insights)
        try:
            again = await client.partner_insights.get(**request_for(user_id))
        except TransferError:  # a generated error class mypy sees
            return None
    return cash_score(response) if cash_score(again) == cash_score(response) else None


def fetch_both(base_url: str, client_id: str, secret: str, user_id: str) -> tuple[int | None, int | None]:
    _, score = fetch(base_url, client_id, secret, user_id)
    return score, asyncio.run(fetch_async(base_url, client_id, secret, user_id))
