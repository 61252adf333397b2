"""A redirect is never followed, even by a user's http_client that follows redirects: the credentials it would
carry go only to the configured origin. Real loopback sockets on both ends."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from plaid_partner_insights import AsyncPartnerInsightsClient, PartnerInsightsClient, UnexpectedRedirectError

from .conftest import FAST, full_response
from .faults import ScriptedServer, http_response, json_response

SECRET = "redirect-canary-secret"
CLIENT_ID = "redirect-canary-client-id"


def _get_with_following_client(mode: str, base_url: str, **call: Any) -> Any:
    settings: dict[str, Any] = {"client_id": CLIENT_ID, "secret": SECRET, "base_url": base_url, "retry_policy": FAST}
    if mode == "sync":
        with httpx.Client(follow_redirects=True) as http, PartnerInsightsClient(http_client=http, **settings) as client:
            return client.partner_insights.get(user_id="usr_1", **call)

    async def run() -> Any:
        http = httpx.AsyncClient(follow_redirects=True)
        async with http, AsyncPartnerInsightsClient(http_client=http, **settings) as client:
            return await client.partner_insights.get(user_id="usr_1", **call)

    return asyncio.run(run())


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_redirect_to_another_origin_is_refused(mode: str, status: int) -> None:
    with ScriptedServer(json_response(200, full_response())) as other:
        location = other.url + "/cra/check_report/partner_insights/get"
        redirect = http_response(status, "", headers={"Location": location})
        with ScriptedServer(redirect) as server, pytest.raises(UnexpectedRedirectError) as caught:
            _get_with_following_client(mode, server.url, max_retries=3)
    assert other.attempts == 0  # the other origin got nothing: no request, so no credentials
    assert server.attempts == 1  # not retried
    assert server.requests[0].headers["plaid-secret"] == SECRET  # positive control: the credentials were sent
    error = caught.value
    assert (error.status_code, error.location) == (status, location)
    assert location in str(error)
    for canary in (SECRET, CLIENT_ID):
        assert canary not in repr(vars(error)) + str(error)


def test_redirect_without_location_is_refused(mode: str) -> None:
    with ScriptedServer(http_response(302, "")) as server, pytest.raises(UnexpectedRedirectError) as caught:
        _get_with_following_client(mode, server.url)
    assert server.attempts == 1
    assert caught.value.location is None
