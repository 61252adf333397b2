"""Raw response access: status, headers, elapsed time and attempts, on success (`with_raw_response`) and on errors.

Run through both clients (the `mode` fixture): sync and async share one implementation in the base client.
"""

from __future__ import annotations

import asyncio
import datetime
import json
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest

from plaid_partner_insights import (
    APIConnectionError,
    AsyncPartnerInsightsClient,
    ConsumerReportError,
    PartnerInsightsClient,
    PlaidAPIError,
    RawResponse,
    ResponseInfo,
)
from plaid_partner_insights.testing.emulator import DEMO_USER_ID, NOT_READY_USER_ID

from .conftest import FAST, full_response, plaid_error
from .faults import ScriptedServer, http_response, json_response

if TYPE_CHECKING:
    from tests.conftest import LocalSandbox


def raw_get(mode: str, settings: dict[str, Any], **params: Any) -> Any:
    """`client.partner_insights.with_raw_response.get(**params)` through the sync or the async client."""
    settings = {"client_id": "test-client-id", "secret": "test-secret", "retry_policy": FAST, **settings}
    if mode == "sync":
        with PartnerInsightsClient(**settings) as client:
            return client.partner_insights.with_raw_response.get(**params)

    async def run() -> Any:
        async with AsyncPartnerInsightsClient(**settings) as client:
            return await client.partner_insights.with_raw_response.get(**params)

    return asyncio.run(run())


def sandbox_settings(local_sandbox: LocalSandbox) -> dict[str, Any]:
    return {"client_id": local_sandbox.client_id, "secret": local_sandbox.secret, "base_url": local_sandbox.url}


def test_success_gives_status_headers_timing_and_the_model(local_sandbox: LocalSandbox, mode: str) -> None:
    raw = raw_get(mode, sandbox_settings(local_sandbox), user_id=DEMO_USER_ID)
    assert isinstance(raw, RawResponse)
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("application/json")
    assert int(raw.headers["content-length"]) > 1000  # headers as received, case-insensitive
    assert isinstance(raw.elapsed, datetime.timedelta)
    assert raw.elapsed > datetime.timedelta(0)
    assert raw.attempts == 1
    assert (raw.method, raw.url) == ("POST", local_sandbox.endpoint)
    parsed = raw.parse()
    assert parsed.report.prism.cash_score.score >= 1
    assert raw.request_id == parsed.request_id  # the body's request_id comes first
    assert parsed is raw.parse()


def test_a_request_id_header_is_reachable(mode: str) -> None:
    body = full_response()
    with ScriptedServer(
        json_response(200, body, headers={"X-Request-Id": "hdr-5f1e", "Plaid-Request-Id": "p-77"})
    ) as s:
        raw = raw_get(mode, {"base_url": s.url}, user_id="usr_1")
    assert raw.headers["x-request-id"] == "hdr-5f1e"
    assert raw.headers["Plaid-Request-Id"] == "p-77"
    assert raw.request_id == body["request_id"]


def test_a_header_request_id_stands_in_when_the_body_has_none(mode: str) -> None:
    gateway = http_response(502, "<html>bad gateway</html>", headers={"X-Request-Id": "gw-9a"})
    with ScriptedServer(gateway) as server, pytest.raises(PlaidAPIError) as caught:
        raw_get(mode, {"base_url": server.url, "max_retries": 1}, user_id="usr_1")
    info = caught.value.response
    assert isinstance(info, ResponseInfo)
    assert info.status_code == 502
    assert info.request_id == "gw-9a"
    assert info.attempts == 2  # a 502 is retried once, then raised
    assert info.headers["content-type"] == "application/json"


def test_errors_carry_the_response_facts(local_sandbox: LocalSandbox, mode: str) -> None:
    with pytest.raises(ConsumerReportError) as caught:
        raw_get(mode, sandbox_settings(local_sandbox), user_id=NOT_READY_USER_ID)
    info = caught.value.response
    assert info is not None
    assert info.status_code == 400 == caught.value.status_code
    assert info.request_id == caught.value.request_id
    assert info.attempts == 1
    assert info.elapsed > datetime.timedelta(0)
    assert json.loads(info.headers["content-length"]) > 0


def test_get_errors_carry_the_facts_too(make_get: Callable[..., Any], sleeps: list[float]) -> None:
    limited = json_response(429, plaid_error("RATE_LIMIT_EXCEEDED", "RATE_LIMIT"), headers={"Retry-After": "0"})
    with ScriptedServer(limited) as server, pytest.raises(PlaidAPIError) as caught:
        make_get(base_url=server.url, max_retries=2)(user_id="usr_1")
    info = caught.value.response
    assert info is not None
    assert (info.status_code, info.attempts, info.headers["retry-after"]) == (429, 3, "0")
    assert info.request_id == "req_rate_limit"


def test_no_response_means_no_response_facts(mode: str) -> None:
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]  # closed again before the client connects: refused
    with pytest.raises(APIConnectionError) as caught:
        raw_get(mode, {"base_url": f"http://127.0.0.1:{port}", "max_retries": 0}, user_id="usr_1")
    assert caught.value.response is None


def test_raw_response_never_shows_the_credentials(local_sandbox: LocalSandbox) -> None:
    raw = raw_get("sync", sandbox_settings(local_sandbox), user_id=DEMO_USER_ID)
    shown = repr(raw) + repr(dict(raw.headers))
    assert local_sandbox.secret not in shown
    assert local_sandbox.client_id not in shown
    assert not hasattr(raw, "request")  # the request, credentials in its headers, is not kept
    assert "200" in repr(raw)
