"""A proxy named in the environment carries the client's requests, as it does for httpx (the client's own fast path,
straight to its transport, is only taken when no proxy is named)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient
from plaid_partner_insights.types import CraCheckReportPartnerInsightsGetResponse

from .conftest import full_response
from .faults import ScriptedServer, json_response

# A host that resolves nowhere: only a proxy can answer for it.
ORIGIN = "http://plaid-sandbox.invalid"


@pytest.mark.parametrize("mode", ["sync", "async"])
def test_a_proxy_from_the_environment_carries_the_request(mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    with ScriptedServer(json_response(200, full_response())) as proxy:
        for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("HTTP_PROXY", proxy.url)
        settings: dict[str, Any] = {"client_id": "c", "secret": "s", "base_url": ORIGIN, "max_retries": 0}
        if mode == "sync":
            with PartnerInsightsClient(**settings) as client:
                report = client.partner_insights.get(user_id="usr_1")
        else:

            async def run() -> CraCheckReportPartnerInsightsGetResponse:
                async with AsyncPartnerInsightsClient(**settings) as client:
                    return await client.partner_insights.get(user_id="usr_1")

            report = asyncio.run(run())
    assert report is not None
    assert [request.path for request in proxy.requests] == [ORIGIN + "/cra/check_report/partner_insights/get"]
    assert proxy.requests[0].headers["plaid-client-id"] == "c"
